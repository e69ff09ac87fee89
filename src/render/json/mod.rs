//! The plan as JSON for machines. The schema is versioned by `format_version`;
//! README.md documents it. Fields are only ever added within a version. Strings carry
//! the true values; hidden characters are written as `\uXXXX` (`super::escape::json`).
//!
//! The document is built from view types of its own (`…View`, here and in [`change`],
//! [`ops`] and [`specs`]), each a mirror of an internal type with the same field names,
//! tags and rules, built by a `From` conversion that names every variant: the format is
//! written down here, so renaming a field of the plan, the operations or the live state
//! does not change it, and a new variant stops the build until its view says how it
//! looks. The tests pin the format on a plan with one change of every operation.

mod change;
mod ops;
mod specs;

use std::collections::BTreeMap;

use serde::Serialize;

use self::change::{ActionView, ChangeView};
use crate::apply::{ApplyReport, Outcome, Status};
use crate::plan::{Blocked, Orphan, Plan};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct PlanDoc<'a> {
    format_version: u32,
    changes_pending: bool,
    summary: BTreeMap<&'static str, usize>,
    changes: Vec<ChangeView<'a>>,
    orphans: Vec<OrphanView<'a>>,
    /// Targets left out because live names make them ambiguous: errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocked: Vec<BlockedView<'a>>,
    warnings: &'a [String],
    notes: &'a [String],
}

pub fn plan(plan: &Plan) -> String {
    let doc = PlanDoc {
        format_version: FORMAT_VERSION,
        changes_pending: !plan.is_empty(),
        summary: plan
            .summary()
            .into_iter()
            .map(|(a, n)| (ActionView::from(a).name(), n))
            .collect(),
        changes: plan.changes.iter().map(Into::into).collect(),
        orphans: plan.orphans.iter().map(Into::into).collect(),
        blocked: plan.blocked.iter().map(Into::into).collect(),
        warnings: &plan.warnings,
        notes: &plan.notes,
    };
    super::escape::json(serde_json::to_string_pretty(&doc).expect("plans serialise")) + "\n"
}

/// A resource plinth owns that the baseline no longer declares.
#[derive(Serialize)]
struct OrphanView<'a> {
    address: &'a str,
    reason: &'a str,
}

impl<'a> From<&'a Orphan> for OrphanView<'a> {
    fn from(o: &'a Orphan) -> Self {
        let Orphan { address, reason } = o;
        OrphanView {
            address: address.as_str(),
            reason,
        }
    }
}

/// A target of the baseline left out of the plan: an error.
#[derive(Serialize)]
struct BlockedView<'a> {
    target: &'a str,
    at: &'a str,
    error: &'a str,
    ids: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

impl<'a> From<&'a Blocked> for BlockedView<'a> {
    fn from(b: &'a Blocked) -> Self {
        let Blocked {
            target,
            at,
            error,
            ids,
            hint,
        } = b;
        BlockedView {
            target,
            at,
            error,
            ids,
            hint: hint.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct ReportDoc<'a> {
    format_version: u32,
    success: bool,
    done: usize,
    failed: usize,
    skipped: usize,
    outcomes: Vec<OutcomeView<'a>>,
}

pub fn report(report: &ApplyReport) -> String {
    let doc = ReportDoc {
        format_version: FORMAT_VERSION,
        success: report.is_success(),
        done: report.done(),
        failed: report.failed(),
        skipped: report.skipped(),
        outcomes: report.outcomes.iter().map(Into::into).collect(),
    };
    super::escape::json(serde_json::to_string_pretty(&doc).expect("reports serialise")) + "\n"
}

/// What became of one change: its address and action beside its status's fields.
#[derive(Serialize)]
struct OutcomeView<'a> {
    address: &'a str,
    action: ActionView,
    #[serde(flatten)]
    status: StatusView<'a>,
}

impl<'a> From<&'a Outcome> for OutcomeView<'a> {
    fn from(o: &'a Outcome) -> Self {
        let Outcome {
            address,
            action,
            status,
        } = o;
        OutcomeView {
            address: address.as_str(),
            action: (*action).into(),
            status: status.into(),
        }
    }
}

/// `{"status": "done", "id": …}` (the id of what it created, if any), `failed` with the
/// error, `skipped` with why.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum StatusView<'a> {
    Done {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
    },
    Failed {
        error: &'a str,
    },
    Skipped {
        because: &'a str,
    },
}

impl<'a> From<&'a Status> for StatusView<'a> {
    fn from(s: &'a Status) -> Self {
        match s {
            Status::Done { id } => StatusView::Done { id: id.as_deref() },
            Status::Failed { error } => StatusView::Failed { error },
            Status::Skipped { because } => StatusView::Skipped { because },
        }
    }
}

#[cfg(test)]
mod tests;
