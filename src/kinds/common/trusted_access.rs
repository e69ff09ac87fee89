//! Trusted access: the change that lets an AWS service act in the whole organization,
//! which a kind's other changes wait for. One wording for every kind that needs it.

use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan};

/// Enable trusted access for `principal` under `within` (`<within>.trusted_access`),
/// because `needs` (`an organization trail`); returns its address for the changes that
/// wait on it.
pub fn enable(plan: &mut Plan, within: &Address, principal: &str, needs: &str) -> Address {
    let address = within.child("trusted_access");
    let reason = format!("`{principal}` has no trusted access to the organization; {needs}");
    let op = Op::Organizations(OrganizationsOp::EnableAwsServiceAccess {
        service_principal: principal.to_owned(),
    });
    plan.add(Change::new(address.clone(), Action::Enable, reason, op));
    address
}
