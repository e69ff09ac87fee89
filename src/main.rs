use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use plinth::aws::ConnectOptions;
use plinth::baseline::{self, Baseline};
use plinth::diag::{Diagnostic, Diagnostics};
use plinth::engine::Session;
use plinth::lock::LockOptions;
use plinth::plan::{Plan, PlanOptions};
use plinth::render;
use plinth::saved::{Accept, SavedPlan};

mod cli;
mod commands;
mod schedule;
use cli::{Cli, Command, LogFormat, PlanFormat};

/// Exit code for "the plan has changes" with `--detailed-exitcode`.
const EXIT_CHANGES: u8 = 2;
/// Exit code of `apply PLAN_FILE` refusing the saved plan, having written nothing.
const EXIT_REFUSED: u8 = 3;

fn main() -> ExitCode {
    // Usage errors exit 1, not clap's 2, which means "changes" or "drift" for plinth.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(&cli.global);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let result = runtime.block_on(async {
        plinth::shutdown::install();
        run(cli).await
    });
    let code = match result {
        Ok(code) => code,
        Err(diags) => {
            eprint!("{diags}");
            ExitCode::FAILURE
        }
    };
    // Stopped by a signal: the shell's convention, 128 + its number.
    match plinth::shutdown::requested() {
        Some(signal) => ExitCode::from(plinth::shutdown::exit_code(signal)),
        None => code,
    }
}

fn init_logging(global: &cli::GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        // The SDK's config loading warns about every provider it tries (IMDS and the rest);
        // plinth reports a missing credential itself.
        (_, 0) => "warn,aws_config=error,plinth=info",
        (_, 1) => "warn,aws_config=error,plinth=debug",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("PLINTH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match global.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.without_time().with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Diagnostics> {
    if let Command::Reconcile(args) = &cli.command {
        return Ok(schedule::reconcile(&cli.global, args).await);
    }
    if let Command::ForceUnlock(args) = &cli.command {
        return commands::force_unlock(&cli.global, args).await;
    }
    if let Command::Import(args) = &cli.command {
        return commands::import(&cli.global, args).await;
    }
    if let Command::Report(args) = &cli.command {
        return commands::report(&cli.global, args).await;
    }
    if let Command::IamPolicy(args) = &cli.command {
        return commands::iam_policy(&cli.global, args);
    }
    if let Command::Show(args) = &cli.command {
        let saved = SavedPlan::load(&args.plan_file)?;
        emit(&render_plan(&saved.plan, args.format, &args.comment)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Schema = &cli.command {
        let schema = serde_json::to_string_pretty(&plinth::kinds::schema()).unwrap_or_default();
        emit(&format!("{schema}\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = baseline::load(&cli.global.baseline)?;
    match cli.command {
        Command::Validate => validate(&baseline),
        Command::Plan(args) => {
            let session = connect(&cli.global, &baseline).await;
            let (observed, plan) = session
                .observe_and_plan(
                    &baseline,
                    PlanOptions {
                        allow_delete: args.allow_delete,
                    },
                )
                .await?;
            let shown = render_plan(&plan, args.format, &args.comment)?;
            emit(&shown);
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
        Command::Reconcile(_)
        | Command::ForceUnlock(_)
        | Command::Schema
        | Command::Import(_)
        | Command::Report(_)
        | Command::IamPolicy(_)
        | Command::Show(_) => Ok(ExitCode::SUCCESS),
        Command::Apply(args) => apply(&cli.global, &baseline, &args).await,
        Command::Bootstrap(args) => bootstrap(&cli.global, &baseline, &args).await,
    }
}

/// Plan (or read a saved plan), show it, confirm, and apply it under the lock.
async fn apply(global: &cli::GlobalArgs, baseline: &Baseline, args: &cli::ApplyArgs) -> Result<ExitCode, Diagnostics> {
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
    emit(&render_plan(&shown, args.format, &cli::CommentArgs::default())?);
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
    let refused_under_lock = std::cell::Cell::new(false);
    let report = session
        .apply_locked(baseline, options, &organization_id, lock_options, |_, fresh| {
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
                None if fresh.changes == shown.changes => Ok(fresh),
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
    });
    log_calls(&session);
    Ok(if report.is_success() {
        blocked
    } else {
        ExitCode::FAILURE
    })
}

/// Organization first (created when missing, after confirmation), the console-only
/// checklist, then the same apply as `plinth apply`.
async fn bootstrap(
    global: &cli::GlobalArgs,
    baseline: &Baseline,
    args: &cli::BootstrapArgs,
) -> Result<ExitCode, Diagnostics> {
    let session = connect(global, baseline).await;
    let (org, created) = session
        .ensure_organization(baseline, || {
            emit(&format!(
                "No organization yet: plinth will create one with all features, with account {} as its management account.\n",
                baseline.management_account_id()
            ));
            if args.auto_approve { Ok(()) } else { confirm_with("create the organization", "--auto-approve") }
        })
        .await?;
    let mut out = format!(
        "Organization {}: {}.\n\nOnly the console can do these (there is no API); plinth checks what it can:\n",
        org.id,
        if created { "created now" } else { "exists" }
    );
    for step in plinth::kinds::console_steps(baseline) {
        out.push_str(&format!("  [ ] {step}\n"));
    }
    out.push('\n');
    emit(&out);
    let apply_args = cli::ApplyArgs {
        plan_file: None,
        auto_approve: args.auto_approve,
        allow_delete: false,
        baseline_may_differ: false,
        format: args.format,
        lock_timeout: args.lock_timeout,
    };
    apply(global, baseline, &apply_args).await
}

fn log_calls(session: &Session) {
    let calls = session.aws.counter.snapshot();
    tracing::info!(reads = calls.reads(), writes = calls.writes(), "aws calls");
}

async fn connect(global: &cli::GlobalArgs, baseline: &Baseline) -> Session {
    Session::connect(&connect_options(global, Some(baseline))).await
}

fn connect_options(global: &cli::GlobalArgs, baseline: Option<&Baseline>) -> ConnectOptions {
    ConnectOptions {
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        fallback_region: baseline.map(|b| b.home_region().to_string()),
        timeout: Some(*global.timeout),
        max_rates: global.max_rate.iter().cloned().collect(),
    }
}

/// Write data to standard output; a reader that went away (`| head`) ends plinth quietly.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output\n  Caused by: {e}");
        std::process::exit(1);
    }
}

/// The plan in `format`; a Markdown plan within `--max-chars` when given.
fn render_plan(plan: &Plan, format: PlanFormat, comment: &cli::CommentArgs) -> Result<String, Diagnostics> {
    Ok(match (format, comment.max_chars) {
        (PlanFormat::Text, None) => render::text::plan(plan),
        (PlanFormat::Json, None) => render::json::plan(plan),
        (PlanFormat::Markdown, None) => render::markdown::plan(plan),
        (PlanFormat::Markdown, Some(max_chars)) => render::markdown::plan_within(
            plan,
            &render::markdown::Budget {
                max_chars,
                full_plan: comment.full_plan.clone(),
            },
        ),
        (_, Some(_)) => {
            return Err(Diagnostic::error("`--max-chars` is for `--format markdown` only")
                .hint("add `--format markdown`, or leave `--max-chars` out")
                .into());
        }
    })
}

fn confirm(plan: &Plan) -> Result<(), Diagnostics> {
    confirm_with(
        &format!(
            "make {} change{} to the organization",
            plan.changes.len(),
            if plan.changes.len() == 1 { "" } else { "s" }
        ),
        "--auto-approve",
    )
}

/// Ask on the terminal; without one, refuse and point at the flag that says yes.
fn confirm_with(what: &str, flag: &str) -> Result<(), Diagnostics> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(
            Diagnostic::error("refusing to apply without confirmation: standard input is not a terminal")
                .hint(format!("review what it would do, then run again with `{flag}`"))
                .into(),
        );
    }
    eprint!("\nplinth will {what}. Type `yes` to go ahead: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Diagnostic::error("cannot read the answer").cause(e.to_string()))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Diagnostic::error("cancelled; nothing was changed").into())
    }
}

fn validate(baseline: &Baseline) -> Result<ExitCode, Diagnostics> {
    use std::fmt::Write as _;
    let description = plinth::kinds::describe(baseline);
    let mut out = String::new();
    for w in &description.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(out, "Baseline `{}` is valid.", baseline.source.path.display());
    let _ = writeln!(
        out,
        "Management account {}, home region {}.",
        baseline.management_account_id(),
        baseline.home_region(),
    );
    out.push_str(&description.text);
    emit(&out);
    Ok(ExitCode::SUCCESS)
}
