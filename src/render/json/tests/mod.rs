//! The JSON plan and apply report of format 1, pinned on a plan with one change of every
//! operation (`fixture`): the snapshots are the format.

mod fixture;
mod ops;
mod values;
mod variants;

use std::collections::BTreeSet;

use serde::Serialize;

use super::change::ChangeView;
use super::ops::OpView;
use super::{BlockedView, OrphanView};

#[test]
fn the_fixture_has_a_change_of_every_operation() {
    let covered: BTreeSet<&str> = ops::every_op().iter().map(variants::variant).collect();
    assert_eq!(covered.len(), variants::VARIANTS, "{covered:#?}");
}

#[test]
fn the_plan_of_every_operation() {
    insta::assert_snapshot!(super::plan(&fixture::plan()));
}

#[test]
fn the_report_of_every_status() {
    insta::assert_snapshot!(super::report(&fixture::report()));
}

fn same_json(view: &impl Serialize, internal: &impl Serialize) {
    let (view, internal) = (
        serde_json::to_string_pretty(view).unwrap(),
        serde_json::to_string_pretty(internal).unwrap(),
    );
    assert_eq!(view, internal);
}

/// The views write, byte for byte, what serde writes for the internal types (which saved
/// plans use) on the all-variants plan: true when the views were made, so the snapshots
/// above show the format as it always was.
///
/// From now on the views are the format and the internal types are free to change: when
/// one does (a field renamed, a variant added), this test fails, and the difference is a
/// deliberate format decision. Keep the view as it was (format 1 does not change) and
/// compare that part with the pinned snapshot instead of the internal type, or add to the
/// view (fields are only ever added within a version) and accept the new snapshot.
#[test]
fn the_views_write_what_the_internal_types_serialise_to() {
    for op in ops::every_op() {
        same_json(&OpView::from(&op), &op);
    }
    let plan = fixture::plan();
    for change in &plan.changes {
        same_json(&ChangeView::from(change), change);
    }
    for orphan in &plan.orphans {
        same_json(&OrphanView::from(orphan), orphan);
    }
    for blocked in &plan.blocked {
        same_json(&BlockedView::from(blocked), blocked);
    }
}
