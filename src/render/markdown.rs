//! The plan as a pull-request comment: summary counts first, one section per area,
//! policy changes as statement-level diffs, long parts collapsed. Every live value and
//! planner string goes through `super::escape::markdown` (code spans, escaped text), and
//! fenced blocks get a fence their content cannot close.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

mod budget;

use super::escape::markdown::{code, fence, prose, text};
use super::escape::{self, html};
use super::impact::MARKDOWN;
use super::{changed_settings, settings_lines, statement_lines, statement_summary, statements, summary_line};
use crate::plan::impact::Subject;
use crate::plan::{Action, Change, Plan};
use crate::policy::diff::StatementDiff;

/// Marker that lets a CI job find and update its own comment.
pub const COMMENT_MARKER: &str = "<!-- plinth-plan -->";

pub use budget::{Budget, MIN_CHARS};

/// The whole plan as one comment.
pub fn plan(plan: &Plan) -> String {
    parts(plan).join()
}

/// The plan as a comment of at most [`Budget::max_chars`] characters (never fewer than
/// [`MIN_CHARS`]): the whole plan when it fits; otherwise the title, the summary table and
/// as many whole sections and changes as fit, never a part of one, then a note saying
/// what was left out and where the full plan is.
pub fn plan_within(plan: &Plan, budget: &Budget) -> String {
    budget::fit(&parts(plan), budget)
}

/// The comment in its parts, in the order it shows them; each part is whole Markdown (a
/// block, a list item with its nested blocks), so any selection of them joins into
/// well-formed Markdown.
struct Parts {
    /// The marker and the title line (or the whole text of an empty plan).
    title: String,
    blocked: String,
    impact: String,
    /// The counts per action.
    table: String,
    /// Changes grouped by kind, in the kinds' order.
    areas: Vec<Area>,
    orphans: String,
    notes: String,
    warnings: String,
}

struct Area {
    kind: String,
    /// Each change as a list item with everything nested under it.
    changes: Vec<String>,
}

impl Parts {
    fn join(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push_str(&self.blocked);
        out.push_str(&self.impact);
        out.push_str(&self.table);
        for area in &self.areas {
            out.push_str(&area_heading(&area.kind, area.changes.len(), area.changes.len()));
            for c in &area.changes {
                out.push_str(c);
            }
        }
        out.push_str(&self.orphans);
        out.push_str(&self.notes);
        out.push_str(&self.warnings);
        out
    }
}

/// `#### `scp` (6 changes)`, or with fewer shown, `(40 changes, 12 shown here)`.
fn area_heading(kind: &str, total: usize, shown: usize) -> String {
    let mut count = format!("{total} change{}", if total == 1 { "" } else { "s" });
    if shown < total {
        let _ = write!(count, ", {shown} shown here");
    }
    format!("\n#### {} ({count})\n\n", code(kind))
}

fn parts(plan: &Plan) -> Parts {
    let mut title = format!("{COMMENT_MARKER}\n");
    let mut blocked = String::new();
    if !plan.blocked.is_empty() {
        let _ = writeln!(title, "### plinth plan: errors; {}\n", summary_line(plan));
        super::blocked::markdown(plan, &mut blocked);
    }
    let (mut impact_part, mut table) = (String::new(), String::new());
    let mut areas = Vec::new();
    if plan.is_empty() && plan.blocked.is_empty() {
        let _ = writeln!(
            title,
            "### plinth plan: no changes\n\nThe organization matches the baseline."
        );
    } else if !plan.is_empty() {
        if plan.blocked.is_empty() {
            let _ = writeln!(title, "### plinth plan: {}", summary_line(plan));
        }
        impact(&mut impact_part, plan);
        table.push('\n');
        let counts = plan.summary();
        let _ = writeln!(table, "| {} |", Action::ALL.map(|a| a.as_str()).join(" | "));
        let _ = writeln!(table, "|{}", "---:|".repeat(Action::ALL.len()));
        let _ = writeln!(
            table,
            "| {} |",
            Action::ALL
                .map(|a| counts.get(&a).copied().unwrap_or(0).to_string())
                .join(" | ")
        );
        let mut by_kind: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in &plan.changes {
            by_kind.entry(c.kind.as_str()).or_default().push(c);
        }
        areas = by_kind
            .into_iter()
            .map(|(kind, changes)| Area {
                kind: kind.to_owned(),
                changes: changes
                    .into_iter()
                    .map(|c| {
                        let mut out = String::new();
                        change(&mut out, c);
                        out
                    })
                    .collect(),
            })
            .collect();
    }
    let list = |heading: &str, items: Vec<String>| {
        let mut out = String::new();
        if !items.is_empty() {
            let _ = writeln!(out, "\n#### {heading}\n");
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
        }
        out
    };
    Parts {
        title,
        blocked,
        impact: impact_part,
        table,
        areas,
        orphans: list(
            "Kept, no longer in the baseline",
            plan.orphans
                .iter()
                .map(|o| format!("{}: {}", code(o.address.as_str()), prose(&o.reason)))
                .collect(),
        ),
        notes: list("Notes", plan.notes.iter().map(|n| prose(n)).collect()),
        warnings: list("Warnings", plan.warnings.iter().map(|w| prose(w)).collect()),
    }
}

/// Lines of the impact summary shown before the rest are collapsed.
const IMPACT_LINES: usize = 12;
/// Accounts named inline; more are collapsed.
const INLINE_ACCOUNTS: usize = 5;
/// Accounts named in a collapsed list: a pull-request comment has a size limit (65,536
/// characters on GitHub), and the JSON plan names them all.
const LISTED_ACCOUNTS: usize = 50;

/// The blast radius first, largest effects first: what a reviewer reads in ten seconds.
fn impact(out: &mut String, plan: &Plan) {
    let lines = crate::plan::impact::summary(plan);
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n#### Impact\n");
    for (n, line) in lines.iter().enumerate() {
        if n == IMPACT_LINES {
            let _ = writeln!(out, "\n<details><summary>{} more</summary>\n", lines.len() - n);
        }
        let _ = write!(out, "- {}", MARKDOWN.sentence(line));
        if line.subject == Subject::Account || line.accounts.is_empty() {
            out.push('\n');
        } else if line.accounts.len() <= INLINE_ACCOUNTS {
            let _ = writeln!(out, " — {}", MARKDOWN.account_list(line, INLINE_ACCOUNTS));
        } else {
            let _ = writeln!(
                out,
                "\n  <details><summary>{}</summary>\n\n  {}\n  </details>",
                super::impact::accounts(line.accounts.len()),
                MARKDOWN.account_list(line, LISTED_ACCOUNTS)
            );
        }
    }
    if lines.len() > IMPACT_LINES {
        let _ = writeln!(out, "\n</details>");
    }
}

fn change(out: &mut String, c: &Change) {
    let _ = writeln!(
        out,
        "- {} **{}** {}: {}",
        code(c.action.symbol()),
        c.action,
        code(c.address.as_str()),
        prose(&c.reason)
    );
    if let Some(account) = &c.account {
        let _ = writeln!(out, "  - in account {}", code(account));
    }
    if c.action == Action::Create
        && let Some(doc) = &c.after
    {
        for s in statements(doc) {
            let sid = s.get("Sid").and_then(|v| v.as_str()).unwrap_or("(no Sid)");
            let _ = writeln!(out, "  - statement {}: {}", code(sid), text(&statement_summary(s)));
        }
        let settings = settings_lines(doc);
        let pretty = serde_json::to_string_pretty(doc).unwrap_or_default();
        let what = if settings.is_empty() {
            "policy document"
        } else {
            "settings"
        };
        let body = indent(&pretty);
        let fence = fence(&body);
        let _ = writeln!(
            out,
            "  <details><summary>{what} ({} lines)</summary>\n\n  {fence}json\n{body}\n  {fence}\n  </details>",
            pretty.lines().count(),
        );
    }
    if c.action == Action::Update
        && let (Some(before), Some(after)) = (&c.before, &c.after)
    {
        for line in changed_settings(before, after) {
            let _ = writeln!(out, "  - {}", code(&line));
        }
    }
    for d in &c.statement_diff {
        let lines = statement_lines(d);
        let body = indent(&lines.join("\n"));
        let fence = fence(&body);
        let body = format!("  {fence}diff\n{body}\n  {fence}");
        if lines.len() > 20 {
            // An HTML block: Markdown is not read inside it, so the heading is HTML.
            let _ = writeln!(
                out,
                "  <details><summary>{}</summary>\n\n{body}\n  </details>",
                heading_html(d)
            );
        } else {
            let _ = writeln!(out, "  - {}\n\n{body}", heading(d));
        }
    }
}

/// A statement difference's heading in words, since a leading `-` reads as a list:
/// `**removed** statement `AddedByHand``.
fn heading(d: &StatementDiff) -> String {
    let (verb, name) = heading_parts(d);
    let name = match name {
        Ok(sid) => code(sid),
        Err(summary) => format!("({})", text(&summary)),
    };
    format!("**{verb}** statement {name}")
}

/// [`heading`] for inside `<summary>`: `<b>removed</b> statement <code>AddedByHand</code>`.
fn heading_html(d: &StatementDiff) -> String {
    let (verb, name) = heading_parts(d);
    let name = match name {
        Ok(sid) => format!("<code>{}</code>", html(sid)),
        Err(summary) => format!("({})", html(&summary)),
    };
    format!("<b>{verb}</b> statement {name}")
}

/// What happened to the statement, and its Sid or, without one, its summary.
fn heading_parts(d: &StatementDiff) -> (&'static str, Result<&str, String>) {
    fn name<'a>(sid: &'a Option<String>, s: &Value) -> Result<&'a str, String> {
        sid.as_deref().ok_or_else(|| statement_summary(s))
    }
    match d {
        StatementDiff::Added { sid, after } => ("added", name(sid, after)),
        StatementDiff::Removed { sid, before } => ("removed", name(sid, before)),
        StatementDiff::Changed { sid, .. } => ("changed", Ok(sid.as_str())),
    }
}

/// Each line indented by two spaces (inside a list item), hidden characters shown as
/// escapes (JSON escapes control characters, not bidirectional ones).
fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {}", escape::text(l)))
        .collect::<Vec<_>>()
        .join("\n")
}
