//! plinth: an AWS Organizations baseline as code.
//!
//! The flow is `baseline` (load and validate the TOML into the model the `kinds`
//! define) → `kinds` (each kind reads its live state through the `aws` adapters, then
//! plans: a pure function of baseline and observed state) → `apply` (execute the plan's
//! changes through the adapters) → `render` (text, JSON, Markdown). ARCHITECTURE.md is
//! the map.

pub mod apply;
pub mod arn;
pub mod aws;
pub mod baseline;
pub mod diag;
pub mod engine;
pub mod iam_policy;
pub mod import;
pub mod kinds;
pub mod lock;
pub mod observed;
pub mod plan;
pub mod policy;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod saved;
pub mod shutdown;
pub mod types;
