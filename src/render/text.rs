//! The plan and apply report for a terminal: plain text, no colour needed.

use std::fmt::Write as _;

use super::{
    changed_settings, settings_lines, statement_heading, statement_lines, statement_summary, statements, summary_line,
};
use crate::apply::{ApplyReport, Status};
use crate::plan::{Action, Plan};

pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    super::blocked::text(plan, &mut out);
    for w in &plan.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    if !plan.warnings.is_empty() {
        out.push('\n');
    }
    if plan.is_empty() && !plan.blocked.is_empty() {
        out.push_str("No other changes.\n");
    } else if plan.is_empty() {
        out.push_str("No changes. The organization matches the baseline.\n");
    } else {
        let _ = writeln!(out, "plinth will make these changes:\n");
        for c in &plan.changes {
            let _ = writeln!(out, "  {} {}", c.action.symbol(), c.address);
            let _ = writeln!(out, "      {}: {}", c.action, c.reason);
            if let Some(line) = crate::plan::impact::line(c) {
                let _ = writeln!(out, "      impact: {}", super::impact::sentence(&line));
                let many = line.accounts.len() > 1 || line.subject == crate::plan::impact::Subject::Policy;
                if line.subject != crate::plan::impact::Subject::Account && many && !line.accounts.is_empty() {
                    let _ = writeln!(out, "        {}", super::impact::account_list(&line, 5));
                }
            }
            if c.action == Action::Create
                && let Some(doc) = &c.after
            {
                for s in statements(doc) {
                    let sid = s.get("Sid").and_then(|v| v.as_str()).unwrap_or("(no Sid)");
                    let _ = writeln!(out, "      + statement {sid}: {}", statement_summary(s));
                }
                for line in settings_lines(doc) {
                    let _ = writeln!(out, "      + {line}");
                }
            }
            if c.action == Action::Update
                && let (Some(before), Some(after)) = (&c.before, &c.after)
            {
                for line in changed_settings(before, after) {
                    let _ = writeln!(out, "      ~ {line}");
                }
            }
            for d in &c.statement_diff {
                let _ = writeln!(out, "      {}", statement_heading(d));
                for line in statement_lines(d) {
                    let _ = writeln!(out, "        {line}");
                }
            }
            out.push('\n');
        }
    }
    if !plan.orphans.is_empty() {
        let _ = writeln!(out, "Kept, no longer in the baseline:\n");
        for o in &plan.orphans {
            let _ = writeln!(out, "  ! {}\n      {}\n", o.address, o.reason);
        }
    }
    for n in &plan.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    if !plan.is_empty() {
        let _ = writeln!(out, "Plan: {}.", summary_line(plan));
    }
    out
}

pub fn report(report: &ApplyReport) -> String {
    let mut out = String::new();
    for o in &report.outcomes {
        match &o.status {
            Status::Done { id } => {
                let id = id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
                let _ = writeln!(out, "  {} {} {}{id}: done", o.action.symbol(), o.action, o.address);
            }
            Status::Failed { error } => {
                let _ = writeln!(
                    out,
                    "  {} {} {}: FAILED\n      {error}",
                    o.action.symbol(),
                    o.action,
                    o.address
                );
            }
            Status::Skipped { because } => {
                let _ = writeln!(
                    out,
                    "  {} {} {}: skipped, {because}",
                    o.action.symbol(),
                    o.action,
                    o.address
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\nApply {}: {} done, {} failed, {} skipped.",
        if report.is_success() { "complete" } else { "incomplete" },
        report.done(),
        report.failed(),
        report.skipped()
    );
    if report.failed() > 0 {
        out.push_str(
            "Each failed change is a single write that did not happen; run `plinth apply` again once the cause is fixed.\n",
        );
    } else if report.skipped() > 0 {
        out.push_str("Skipped changes were not started; the next `plinth apply` plans them again.\n");
    }
    out
}
