//! Every integration test, in one test binary.
//!
//! One binary rather than one per file: each links the whole AWS SDK (about 130 MB in a
//! debug build), so 34 of them took most of the disk and the link time of `make test`.
//! Run one file's tests with `cargo test --test integration sso::` (the module is the
//! file's name).

// A scenario reads best as one test from setup to assertions: the 120-line limit on
// functions (`clippy.toml`) is for the library and the binary.
#![allow(clippy::too_many_lines)]

mod support;

mod accounts;
mod adopt;
mod ai_opt_out;
mod architecture;
mod bad_input;
mod billing;
mod bootstrap;
mod budget;
mod cli;
mod contacts;
mod container_user;
mod deploy;
mod ec2_declarative;
mod emulator;
mod faults;
mod hostile;
mod hostile_names;
mod iam_policy;
mod iam_policy_runs;
mod impact;
mod import;
mod import_handmade;
mod interrupt;
mod kind_reads;
mod least_privilege;
mod lock;
mod lock_lease;
mod log_archive;
mod management_adapters;
mod management_policy;
mod member_sessions;
mod organizations_adapter;
mod ownership;
mod pace;
mod pipeline;
mod pipeline_find;
mod pipeline_runs;
mod plan_reads;
mod playground;
mod pod_security;
mod policy_files;
mod policy_limits;
mod properties;
mod rcp;
mod reconcile;
mod render;
mod report;
mod report_effective;
mod root_access;
mod s3_adapter;
mod s3_policy;
mod saved_plan;
mod schema;
mod scp;
mod sso;
mod sso_adapter;
mod supply_chain;
mod tag_policy;
mod trail;
mod trail_adoption;
mod trail_bucket_owner;
mod trail_cis;
mod unattended;
