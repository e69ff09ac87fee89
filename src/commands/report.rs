//! `plinth report`: the organization's access report.

use std::process::ExitCode;

use plinth::diag::Diagnostic;
use plinth::engine::Session;

use super::{Error, connect_options, emit, log_calls};
use crate::cli;

/// Read the organization and write its access report.
pub async fn run(global: &cli::GlobalArgs, args: &cli::ReportArgs) -> Result<ExitCode, Error> {
    let home_region = plinth::types::Region::parse(&args.home_region)
        .map_err(|e| Diagnostic::error(format!("invalid `--home-region`: {e}")))?;
    let mut options = connect_options(global, None);
    options.fallback_region = Some(home_region.to_string());
    let session = Session::connect(&options).await;
    let report = plinth::report::read(&session, &home_region).await?;
    let text = match args.format {
        cli::ReportFormat::Html => plinth::render::report::html::report(&report),
        cli::ReportFormat::Markdown => plinth::render::report::markdown::report(&report),
        cli::ReportFormat::Json => plinth::render::report::json(&report),
    };
    log_calls(&session);
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| {
                Diagnostic::error(format!("cannot write the report to `{}`", path.display())).cause(e.to_string())
            })?;
            tracing::info!(file = %path.display(), accounts = plinth::render::report::account_count(&report), "wrote the access report");
        }
        None => emit(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
