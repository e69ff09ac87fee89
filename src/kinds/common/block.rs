//! A kind left out of the plan when its only errors come from what anyone inside the
//! organization may write (another tool's tag beside plinth's on a declared resource):
//! its changes, and every change waiting for one of them, are blocked, and the rest of
//! the plan goes ahead ([`crate::plan::Blocked`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::diag::Diagnostics;
use crate::plan::{Address, Plan};

/// A kind whose only errors come from what anyone who may tag can write: its changes
/// (those from `before` on) are left out of the plan and each error is recorded as
/// blocked; returns the addresses left out.
pub fn kind(plan: &mut Plan, before: usize, errors: Diagnostics) -> Vec<Address> {
    let removed: Vec<Address> = plan.changes.drain(before..).map(|c| c.address).collect();
    for d in errors.0 {
        let mut error = d.message.clone();
        for c in &d.causes {
            error.push_str("; ");
            error.push_str(c);
        }
        if !removed.is_empty() {
            error.push_str(&format!(
                "; {} other change(s) of its kind are left out until it is resolved",
                removed.len()
            ));
        }
        plan.block(crate::plan::Blocked {
            target: d.blocks.clone().unwrap_or_default(),
            at: d.location().unwrap_or_default(),
            error,
            ids: Vec::new(),
            hint: d.hint.clone(),
        });
    }
    removed
}

/// Kinds two of whose changes would have one address: live names made two resources
/// look alike to the planner (an orphan named like another's relation, two alerts
/// plinth tells apart only by what it does not compare). A plan cannot key both, so
/// the kind's changes are left out and recorded as blocked, and the rest of the plan
/// goes ahead, as for a kind [`kind`] leaves out; `at` is the baseline's file. Returns
/// the addresses left out.
pub fn colliding(plan: &mut Plan, at: &str) -> Vec<Address> {
    let mut seen = HashSet::with_capacity(plan.changes.len());
    let mut kinds: BTreeMap<String, Address> = BTreeMap::new();
    for c in &plan.changes {
        if !seen.insert(c.address.as_str()) {
            kinds
                .entry(c.address.kind().to_owned())
                .or_insert_with(|| c.address.clone());
        }
    }
    drop(seen);
    if kinds.is_empty() {
        return Vec::new();
    }
    let (out, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut plan.changes)
        .into_iter()
        .partition(|c| kinds.contains_key(c.address.kind()));
    plan.changes = kept;
    for (kind, address) in kinds {
        let n = out.iter().filter(|c| c.address.kind() == kind).count();
        plan.block(crate::plan::Blocked {
            target: address.to_string(),
            at: at.to_owned(),
            error: format!(
                "two changes of `{kind}` would have the address `{address}`: live names make the resources they act on look alike; the kind's {n} change(s) are left out until it is resolved"
            ),
            ids: Vec::new(),
            hint: Some(format!(
                "rename or remove the live resource that only looks like what `{address}` names; the plan's other kinds go ahead"
            )),
        });
    }
    out.into_iter().map(|c| c.address).collect()
}

/// Leave out every change that waits, directly or not, for one left out.
pub fn dependents(plan: &mut Plan, mut left_out: BTreeSet<Address>) {
    loop {
        let before = plan.changes.len();
        plan.changes.retain(|c| {
            let keep = !c.depends_on.iter().any(|d| left_out.contains(d));
            if !keep {
                left_out.insert(c.address.clone());
            }
            keep
        });
        if plan.changes.len() == before {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Change, Op, OrganizationsOp};

    fn change(address: &str, deps: &[&str]) -> Change {
        let op = Op::Organizations(OrganizationsOp::DeletePolicy {
            policy_id: "p-1".into(),
        });
        Change::new(address.parse().unwrap(), Action::Delete, "", op)
            .depends_on(deps.iter().map(|d| d.parse().unwrap()).collect())
    }

    #[test]
    fn a_kind_with_two_changes_at_one_address_is_left_out_and_the_rest_goes_ahead() {
        // A live policy named `x -> root` orphaned beside `x`'s detach from the root.
        let mut plan = Plan {
            changes: vec![
                change("scp.orphan.x -> root", &[]),
                change("scp.orphan.x -> root", &[]),
                change("scp.orphan.x", &["scp.orphan.x -> root"]),
                change("billing.topic", &[]),
                change("trail.alarm", &["scp.orphan.x"]),
            ],
            ..Plan::default()
        };
        let out = colliding(&mut plan, "baseline.toml");
        dependents(&mut plan, out.into_iter().collect());
        let left: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(left, ["billing.topic"]);
        assert_eq!(plan.blocked.len(), 1);
        assert_eq!(plan.blocked[0].target, "scp.orphan.x -> root");
        assert!(
            plan.blocked[0].error.contains("the kind's 3 change(s) are left out"),
            "{:?}",
            plan.blocked
        );
        assert!(plan.clone().finish().is_ok());
    }
}
