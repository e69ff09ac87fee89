//! The plan and apply report for a terminal: plain text, no colour needed. Every value
//! that may hold a live string goes through `super::escape::text` (`t` here), so no
//! control sequence, line break or bidirectional override of a value reaches the terminal.

use std::fmt::Write as _;

use super::escape::text as t;
use super::impact::TEXT;
use super::{
    changed_settings, settings_lines, statement_heading, statement_lines, statement_summary, statements, summary_line,
};
use crate::apply::{ApplyReport, Status};
use crate::plan::{Action, Plan};

pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    super::blocked::text(plan, &mut out);
    for w in &plan.warnings {
        let _ = writeln!(out, "warning: {}", t(w));
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
            let _ = writeln!(out, "  {} {}", c.action.symbol(), t(c.address.as_str()));
            let _ = writeln!(out, "      {}: {}", c.action, t(&c.reason));
            if let Some(account) = &c.account {
                let _ = writeln!(out, "      in account {}", t(account));
            }
            if let Some(line) = crate::plan::impact::line(c) {
                let _ = writeln!(out, "      impact: {}", TEXT.sentence(&line));
                let many = line.accounts.len() > 1 || line.subject == crate::plan::impact::Subject::Policy;
                if line.subject != crate::plan::impact::Subject::Account && many && !line.accounts.is_empty() {
                    let _ = writeln!(out, "        {}", TEXT.account_list(&line, 5));
                }
            }
            if c.action == Action::Create
                && let Some(doc) = &c.after
            {
                for s in statements(doc) {
                    let sid = s.get("Sid").and_then(|v| v.as_str()).unwrap_or("(no Sid)");
                    let _ = writeln!(out, "      + statement {}: {}", t(sid), t(&statement_summary(s)));
                }
                for line in settings_lines(doc) {
                    let _ = writeln!(out, "      + {}", t(&line));
                }
            }
            if c.action == Action::Update
                && let (Some(before), Some(after)) = (&c.before, &c.after)
            {
                for line in changed_settings(before, after) {
                    let _ = writeln!(out, "      ~ {}", t(&line));
                }
            }
            for d in &c.statement_diff {
                let _ = writeln!(out, "      {}", t(&statement_heading(d)));
                for line in statement_lines(d) {
                    let _ = writeln!(out, "        {}", t(&line));
                }
            }
            out.push('\n');
        }
    }
    if !plan.orphans.is_empty() {
        let _ = writeln!(out, "Kept, no longer in the baseline:\n");
        for o in &plan.orphans {
            let _ = writeln!(out, "  ! {}\n      {}\n", t(o.address.as_str()), t(&o.reason));
        }
    }
    for n in &plan.notes {
        let _ = writeln!(out, "note: {}", t(n));
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
                let id = id.as_deref().map(|i| format!(" ({})", t(i))).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} {} {}{id}: done",
                    o.action.symbol(),
                    o.action,
                    t(o.address.as_str())
                );
            }
            Status::Failed { error } => {
                let _ = writeln!(
                    out,
                    "  {} {} {}: FAILED\n      {}",
                    o.action.symbol(),
                    o.action,
                    t(o.address.as_str()),
                    t(error)
                );
            }
            Status::Skipped { because } => {
                let _ = writeln!(
                    out,
                    "  {} {} {}: skipped, {}",
                    o.action.symbol(),
                    o.action,
                    t(o.address.as_str()),
                    t(because)
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
