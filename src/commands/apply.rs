//! `plinth apply`: plan (or read a saved plan), show it, confirm, and apply it under the lock.

use std::process::ExitCode;

use plinth::baseline::{self, Baseline};
use plinth::diag::{Diagnostic, Diagnostics};
use plinth::lock::LockOptions;
use plinth::plan::PlanOptions;
use plinth::render;
use plinth::saved::{Accept, SavedPlan};

use super::{EXIT_REFUSED, Error, confirm, connect, emit, log_calls, render_plan};
use crate::cli::{self, PlanFormat};

pub async fn run(global: &cli::GlobalArgs, args: &cli::ApplyArgs) -> Result<ExitCode, Error> {
    let baseline = baseline::load(&global.baseline)?;
    apply(global, &baseline, args).await
}

/// Plan (or read a saved plan), show it, confirm, and apply it under the lock.
pub async fn apply(global: &cli::GlobalArgs, baseline: &Baseline, args: &cli::ApplyArgs) -> Result<ExitCode, Error> {
    let lock_options = LockOptions {
        timeout: *args.lock_timeout,
        ..LockOptions::default()
    };
    let accept = Accept {
        allow_delete: args.allow_delete,
        baseline_may_differ: args.baseline_may_differ,
    };
    // A refused saved plan exits 3, so that CI tells it from a failure.
    let refused = |d: Diagnostics| {
        eprint!("{d}");
        Ok(ExitCode::from(EXIT_REFUSED))
    };
    // A saved plan is read, and checked against the baseline's files, before any AWS call.
    let saved = match args.plan_file.as_deref().map(SavedPlan::load).transpose() {
        Ok(saved) => saved,
        Err(d) => return refused(d),
    };
    if let Some(saved) = saved.as_ref().filter(|_| !args.baseline_may_differ)
        && let Err(d) = saved.check_baseline(baseline)
    {
        return refused(d);
    }
    let session = connect(global, baseline).await;
    // Deletions come from this command line only, never from a plan file.
    let options = PlanOptions {
        allow_delete: args.allow_delete,
    };
    let (observed, now) = session.observe_and_plan(baseline, options).await?;
    // With a saved plan, what is shown and applied is the plan made now, once it equals
    // the saved one: nothing in the file is executed.
    let shown = match &saved {
        Some(saved) => match saved.verify(baseline, now, accept) {
            Ok(plan) => plan,
            Err(d) => return refused(d),
        },
        None => now,
    };
    emit(&render_plan(&shown, args.format, &cli::CommentArgs::default())?)?;
    // Blocked targets are errors; the rest of the plan is applied all the same.
    let blocked = if shown.blocked.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if shown.is_empty() {
        log_calls(&session);
        return Ok(blocked);
    }
    if !args.auto_approve {
        confirm(&shown)?;
    }
    let organization_id = observed.org.organization_id.clone();
    // Neither what was read first, the plan shown nor a saved plan is held while the fresh
    // plan applies: the shown changes and the saved plan move into the decision and go
    // with it.
    drop(observed);
    let shown_changes = shown.changes;
    let refused_under_lock = std::cell::Cell::new(false);
    let report = session
        .apply_locked(baseline, options, &organization_id, lock_options, |_, fresh| {
            // Moved in, to go once decided: the shown changes and the saved plan.
            let (shown_changes, saved) = (shown_changes, saved);
            // Under the lock: apply only what was shown, if it still holds.
            if fresh.is_empty() {
                tracing::info!(
                    "another run made these changes while plinth waited for the lock; nothing is left to do"
                );
                return Ok(fresh);
            }
            match &saved {
                Some(saved) => saved
                    .verify(baseline, fresh, accept)
                    .inspect_err(|_| refused_under_lock.set(true)),
                None if fresh.changes == shown_changes => Ok(fresh),
                None => Err(
                    Diagnostic::error("the organization changed while plinth waited for the apply lock")
                        .cause(format!("the plan is now: {}", render::summary_line(&fresh)))
                        .hint("run `plinth apply` again to see and approve the new plan")
                        .into(),
                ),
            }
        })
        .await;
    let report = match report {
        Err(d) if refused_under_lock.get() => return refused(d),
        other => other?,
    };
    emit(&match args.format {
        PlanFormat::Json => render::json::report(&report),
        _ => render::text::report(&report),
    })?;
    log_calls(&session);
    Ok(if report.is_success() {
        blocked
    } else {
        ExitCode::FAILURE
    })
}
