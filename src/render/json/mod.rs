//! The plan as JSON for machines. The schema is versioned by `format_version`;
//! README.md documents it. Fields are only ever added within a version. Strings carry
//! the true values; hidden characters are written as `\uXXXX` (`super::escape::json`).

use serde::Serialize;

use crate::apply::ApplyReport;
use crate::plan::{Blocked, Change, Orphan, Plan};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct PlanDoc<'a> {
    format_version: u32,
    changes_pending: bool,
    summary: std::collections::BTreeMap<&'static str, usize>,
    changes: &'a [Change],
    orphans: &'a [Orphan],
    /// Targets left out because live names make them ambiguous: errors.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    blocked: &'a [Blocked],
    warnings: &'a [String],
    notes: &'a [String],
}

pub fn plan(plan: &Plan) -> String {
    let doc = PlanDoc {
        format_version: FORMAT_VERSION,
        changes_pending: !plan.is_empty(),
        summary: plan.summary().into_iter().map(|(a, n)| (a.as_str(), n)).collect(),
        changes: &plan.changes,
        orphans: &plan.orphans,
        blocked: &plan.blocked,
        warnings: &plan.warnings,
        notes: &plan.notes,
    };
    super::escape::json(serde_json::to_string_pretty(&doc).expect("plans serialise")) + "\n"
}

#[derive(Serialize)]
struct ReportDoc<'a> {
    format_version: u32,
    success: bool,
    done: usize,
    failed: usize,
    skipped: usize,
    outcomes: &'a [crate::apply::Outcome],
}

pub fn report(report: &ApplyReport) -> String {
    let doc = ReportDoc {
        format_version: FORMAT_VERSION,
        success: report.is_success(),
        done: report.done(),
        failed: report.failed(),
        skipped: report.skipped(),
        outcomes: &report.outcomes,
    };
    super::escape::json(serde_json::to_string_pretty(&doc).expect("reports serialise")) + "\n"
}

#[cfg(test)]
mod tests;
