//! plinth: an AWS Organizations baseline as code.
//!
//! The flow is `baseline` (load and validate the TOML) → `aws` adapters (read the live
//! state into `observed` types) → `plan` (a pure function of both) → `render` (text,
//! JSON, Markdown) → `apply` (execute the plan's changes through the adapters).

pub mod apply;
pub mod arn;
pub mod aws;
pub mod baseline;
pub mod diag;
pub mod engine;
pub mod lock;
pub mod observed;
pub mod plan;
pub mod policy;
pub mod reconcile;
pub mod render;
pub mod saved;
pub mod shutdown;
