//! A policy type's prerequisites: trusted access for its service principal (EC2
//! declarative policies), then the type enabled on the root.

use super::Setup;
use crate::plan::{Action, Change, Op, OrganizationsOp, Plan};

/// The changes that enable the type (trusted access first where the type needs it, and
/// it is off); returns the address every attachment of the type waits for.
pub(super) fn enable(plan: &mut Plan, setup: Setup, root_id: &str) -> Vec<String> {
    let Setup {
        kind,
        policy_type,
        trusted_access,
        ..
    } = setup;
    let base = setup.base();
    let rules = policy_type.rules();
    let mut enable_deps = vec![];
    if let (Some(false), Some(principal)) = (trusted_access, rules.trusted_access) {
        let address = format!("{base}.trusted_access");
        plan.changes.push(Change {
            kind: kind.to_owned(),
            impact: None,
            address: address.clone(),
            action: Action::Enable,
            reason: format!(
                "`{principal}` has no trusted access to the organization; the {} type needs it",
                rules.api
            ),
            before: None,
            after: None,
            statement_diff: vec![],
            depends_on: vec![],
            op: Op::Organizations(OrganizationsOp::EnableAwsServiceAccess {
                service_principal: principal.to_owned(),
            }),
        });
        enable_deps.push(address);
    }
    let address = format!("{base}.policy_type");
    plan.changes.push(Change {
        kind: kind.to_owned(),
        impact: None,
        address: address.clone(),
        action: Action::Enable,
        reason: format!("the {} type is not enabled on the root", rules.api),
        before: None,
        after: None,
        statement_diff: vec![],
        depends_on: enable_deps,
        op: Op::Organizations(OrganizationsOp::EnablePolicyType {
            root_id: root_id.to_owned(),
            policy_type: rules.api.into(),
        }),
    });
    vec![address]
}
