//! `plinth plan`: observe, plan, show; with `--out`, save the plan for `apply PLAN_FILE`.

use std::process::ExitCode;

use plinth::baseline;
use plinth::diag::Diagnostic;
use plinth::plan::PlanOptions;
use plinth::saved::SavedPlan;

use super::{EXIT_CHANGES, Error, connect, emit, log_calls, render_plan};
use crate::cli;

pub async fn run(global: &cli::GlobalArgs, args: &cli::PlanArgs) -> Result<ExitCode, Error> {
    let baseline = baseline::load(&global.baseline)?;
    let session = connect(global, &baseline).await;
    let (observed, plan) = session
        .observe_and_plan(
            &baseline,
            PlanOptions {
                allow_delete: args.allow_delete,
            },
        )
        .await?;
    let shown = render_plan(&plan, args.format, &args.comment)?;
    emit(&shown)?;
    if let Some(out) = &args.out {
        let saved = SavedPlan::new(&baseline, &observed, args.allow_delete, plan.clone());
        std::fs::write(out, saved.to_json()).map_err(|e| {
            Diagnostic::error(format!("cannot write the plan to `{}`", out.display())).cause(e.to_string())
        })?;
        tracing::info!(file = %out.display(), "saved the plan");
    }
    log_calls(&session);
    Ok(if !plan.blocked.is_empty() {
        ExitCode::FAILURE
    } else if args.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(EXIT_CHANGES)
    } else {
        ExitCode::SUCCESS
    })
}
