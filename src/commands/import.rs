//! `plinth import`: a baseline describing the live organization, its path on standard output.

use std::process::ExitCode;

use plinth::diag::Diagnostic;
use plinth::engine::Session;

use super::{Error, connect_options, emit, log_calls};
use crate::cli;

/// Write a baseline describing the live organization; its path on standard output.
pub async fn run(global: &cli::GlobalArgs, args: &cli::ImportArgs) -> Result<ExitCode, Error> {
    let home_region = plinth::types::Region::parse(&args.home_region)
        .map_err(|e| Diagnostic::error(format!("invalid `--home-region`: {e}")))?;
    let mut options = connect_options(global, None);
    options.fallback_region = Some(home_region.to_string());
    let session = Session::connect(&options).await;
    let report = plinth::import::import(
        &session,
        &plinth::import::ImportOptions {
            dir: args.out.clone(),
            only: args.only.clone(),
            include_others: args.include_managed_by_others,
            home_region,
        },
    )
    .await?;
    for w in &report.warnings {
        tracing::warn!("{}", plinth::diag::printable(w));
    }
    tracing::info!(
        policy_files = report.files.len(),
        left_out = report.skipped.len(),
        "wrote {}; next: `plinth plan -f {}`",
        report.baseline.display(),
        report.baseline.display()
    );
    log_calls(&session);
    emit(&format!("{}\n", report.baseline.display()))?;
    Ok(ExitCode::SUCCESS)
}
