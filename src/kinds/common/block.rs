//! A kind left out of the plan when its only errors come from what anyone inside the
//! organization may write (another tool's tag beside plinth's on a declared resource):
//! its changes, and every change waiting for one of them, are blocked, and the rest of
//! the plan goes ahead ([`crate::plan::Blocked`]).

use std::collections::BTreeSet;

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
