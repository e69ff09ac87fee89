//! The JSON plan and apply report of format 1, pinned on a plan with one change of every
//! operation (`fixture`): the snapshots are the format.

mod fixture;
mod ops;
mod values;
mod variants;

use std::collections::BTreeSet;

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
