//! The commands that stand beside the plan-and-apply path: `import`, `report`,
//! `force-unlock` and `iam-policy`.

use std::process::ExitCode;

use plinth::baseline;
use plinth::diag::{Diagnostic, Diagnostics};
use plinth::engine::Session;

use crate::cli;
use crate::{confirm_with, connect_options, emit, log_calls};

/// Write a baseline describing the live organization; its path on standard output.
pub async fn import(global: &cli::GlobalArgs, args: &cli::ImportArgs) -> Result<ExitCode, Diagnostics> {
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
    emit(&format!(
        "{}
",
        report.baseline.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Read the organization and write its access report.
pub async fn report(global: &cli::GlobalArgs, args: &cli::ReportArgs) -> Result<ExitCode, Diagnostics> {
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
        None => emit(&text),
    }
    Ok(ExitCode::SUCCESS)
}

/// Show who holds the lock, ask, and free it.
pub async fn force_unlock(global: &cli::GlobalArgs, args: &cli::ForceUnlockArgs) -> Result<ExitCode, Diagnostics> {
    let session = Session::connect(&connect_options(global, None)).await;
    let Some(held) = plinth::lock::inspect(session.dynamo(), &args.lock_id).await? else {
        return Err(Diagnostic::error(format!("there is no lock `{}`", args.lock_id))
            .hint("the lock id is the one an apply that waited names, as `plinth/<organization id>`")
            .into());
    };
    emit(&format!(
        "The lock `{}` is {}.\nFree it only if that run is certainly gone: two applies at once can undo each other's changes. \
         Without this, the next run takes it over once it has gone {} s unrenewed.\n",
        args.lock_id,
        plinth::lock::describe_holder(&held),
        held.lease_secs
    ));
    if !args.force {
        confirm_with(&format!("free the lock `{}`", args.lock_id), "--force")?;
    }
    plinth::lock::force_unlock(session.dynamo(), &args.lock_id, &held).await?;
    emit(&format!("Freed the lock `{}`.\n", args.lock_id));
    Ok(ExitCode::SUCCESS)
}

/// `plinth iam-policy`: the policy document on standard output.
pub fn iam_policy(global: &cli::GlobalArgs, args: &cli::IamPolicyArgs) -> Result<ExitCode, Diagnostics> {
    use plinth::iam_policy;
    use plinth::kinds::Phase;
    let baseline = if args.generic {
        None
    } else if !global.baseline.exists() {
        return Err(Diagnostic::error(format!("cannot read baseline `{}`", global.baseline.display()))
            .cause("no such file")
            .hint("pass the baseline with `-f FILE`, or `--generic` for the policy deploy/iam/ ships: plinth's default names, wildcards where a baseline names the bucket and trail")
            .into());
    } else {
        Some(baseline::load(&global.baseline)?)
    };
    let names = iam_policy::names(baseline.as_ref().map(|b| &b.file), args.notify_topic.as_deref());
    let phase = match args.role {
        cli::IamRole::Plan => Phase::Plan,
        cli::IamRole::Apply => Phase::Apply,
    };
    let kinds = args.repair.as_ref().map(|r| match r {
        plinth::reconcile::Repair::All => None,
        plinth::reconcile::Repair::None => Some(Default::default()),
        plinth::reconcile::Repair::Kinds(k) => Some(k.clone()),
    });
    let writes = match &kinds {
        None => iam_policy::Writes::ALL,
        Some(kinds) => iam_policy::Writes {
            kinds: kinds.as_ref(),
            delete: args.allow_delete,
        },
    };
    emit(&iam_policy::to_text(&iam_policy::document(phase, &names, &writes)));
    Ok(ExitCode::SUCCESS)
}
