//! One file per command; `main.rs` parses the command line and calls one of them. What
//! several commands share lives here: the AWS session's options, the confirmation prompt,
//! the plan's rendering, and [`emit`], the one place that writes data to standard output.

use std::io::{BufRead, IsTerminal, Write};

use plinth::aws::ConnectOptions;
use plinth::baseline::Baseline;
use plinth::diag::{Diagnostic, Diagnostics};
use plinth::engine::Session;
use plinth::plan::Plan;
use plinth::render;

use crate::cli::{self, PlanFormat};

pub mod apply;
pub mod bootstrap;
pub mod force_unlock;
pub mod iam_policy;
pub mod import;
pub mod plan;
pub mod reconcile;
pub mod report;
pub mod schema;
pub mod show;
pub mod validate;

/// Exit code for "the plan has changes" with `--detailed-exitcode`.
pub const EXIT_CHANGES: u8 = 2;
/// Exit code of `apply PLAN_FILE` refusing the saved plan, having written nothing.
pub const EXIT_REFUSED: u8 = 3;

/// How a command ends without an exit code of its own.
pub enum Error {
    /// Printed on standard error; plinth exits 1.
    Failed(Diagnostics),
    /// The reader of standard output went away (`| head`): plinth ends quietly, exit 0.
    ReaderGone,
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Failed(d)
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Failed(d.into())
    }
}

/// Write data to standard output. A reader that went away is [`Error::ReaderGone`]; any
/// other failure to write is an error.
pub fn emit(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::ReaderGone
        } else {
            Diagnostic::error("cannot write to standard output")
                .cause(e.to_string())
                .into()
        }
    })
}

pub fn log_calls(session: &Session) {
    let calls = session.aws.counter.snapshot();
    tracing::info!(reads = calls.reads(), writes = calls.writes(), "aws calls");
}

pub async fn connect(global: &cli::GlobalArgs, baseline: &Baseline) -> Session {
    Session::connect(&connect_options(global, Some(baseline))).await
}

pub fn connect_options(global: &cli::GlobalArgs, baseline: Option<&Baseline>) -> ConnectOptions {
    ConnectOptions {
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        fallback_region: baseline.map(|b| b.home_region().to_string()),
        timeout: Some(*global.timeout),
        max_rates: global.max_rate.iter().cloned().collect(),
    }
}

/// The plan in `format`; a Markdown plan within `--max-chars` when given.
pub fn render_plan(plan: &Plan, format: PlanFormat, comment: &cli::CommentArgs) -> Result<String, Diagnostics> {
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

pub fn confirm(plan: &Plan) -> Result<(), Diagnostics> {
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
pub fn confirm_with(what: &str, flag: &str) -> Result<(), Diagnostics> {
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
