//! `plinth bootstrap`: the organization first (created when missing, after confirmation),
//! the console-only checklist, then the same apply as `plinth apply`.

use std::fmt::Write as _;
use std::process::ExitCode;

use plinth::baseline;
use plinth::diag::Diagnostic;

use super::{Error, confirm_with, connect, emit};
use crate::cli;

pub async fn run(global: &cli::GlobalArgs, args: &cli::BootstrapArgs) -> Result<ExitCode, Error> {
    let baseline = baseline::load(&global.baseline)?;
    let session = connect(global, &baseline).await;
    // The prompt is written inside the engine's callback, which speaks only diagnostics:
    // a reader gone is noted here and reported once the engine returns.
    let reader_gone = std::cell::Cell::new(false);
    let ensured = session
        .ensure_organization(&baseline, || {
            let asked = format!(
                "No organization yet: plinth will create one with all features, with account {} as its management account.\n",
                baseline.management_account_id()
            );
            match emit(&asked) {
                Ok(()) => {}
                Err(Error::Failed(d)) => return Err(d),
                Err(Error::ReaderGone) => {
                    reader_gone.set(true);
                    return Err(Diagnostic::error("standard output was closed").into());
                }
            }
            if args.auto_approve { Ok(()) } else { confirm_with("create the organization", "--auto-approve") }
        })
        .await;
    if reader_gone.get() {
        return Err(Error::ReaderGone);
    }
    let (org, created) = ensured?;
    let mut out = format!(
        "Organization {}: {}.\n\nOnly the console can do these (there is no API); plinth checks what it can:\n",
        org.id,
        if created { "created now" } else { "exists" }
    );
    for step in plinth::kinds::console_steps(&baseline) {
        let _ = writeln!(out, "  [ ] {step}");
    }
    out.push('\n');
    emit(&out)?;
    let apply_args = cli::ApplyArgs {
        plan_file: None,
        auto_approve: args.auto_approve,
        allow_delete: false,
        baseline_may_differ: false,
        format: args.format,
        lock_timeout: args.lock_timeout,
    };
    super::apply::apply(global, &baseline, &apply_args).await
}
