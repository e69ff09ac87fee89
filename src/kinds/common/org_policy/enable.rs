//! A policy type's prerequisites: trusted access for its service principal (EC2
//! declarative policies), then the type enabled on the root.

use super::Setup;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan};

/// The changes that enable the type (trusted access first where the type needs it, and
/// it is off); returns the address every attachment of the type waits for.
pub(super) fn enable(plan: &mut Plan, setup: Setup, root_id: &str) -> Vec<Address> {
    let base = setup.base();
    let rules = setup.policy_type.rules();
    let mut enable_deps = vec![];
    if let (Some(false), Some(principal)) = (setup.trusted_access, rules.trusted_access) {
        let needs = format!("the {} type needs it", rules.api);
        enable_deps.push(crate::kinds::common::trusted_access::enable(
            plan, &base, principal, &needs,
        ));
    }
    let address = base.child("policy_type");
    let reason = format!("the {} type is not enabled on the root", rules.api);
    let op = Op::Organizations(OrganizationsOp::EnablePolicyType {
        root_id: root_id.to_owned(),
        policy_type: rules.api.into(),
    });
    plan.add(Change::new(address.clone(), Action::Enable, reason, op).depends_on(enable_deps));
    vec![address]
}
