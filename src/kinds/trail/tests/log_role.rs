//! The CloudWatch Logs role is always bounded: created with the boundary, and a live role
//! without it gets it before plinth writes its policy (the only order plinth's own IAM
//! policy allows).

use super::*;
use crate::observed::Role;
use crate::plan::{Action, IamOp};

const ROLE: &str = "plinth-cloudtrail-logs-org-trail";

fn with_logs(role: Option<Role>) -> crate::plan::Plan {
    let b = base(&format!("{BASELINE}cloudwatch_logs = true\n"));
    let state = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail_info(true, None)),
        logs_role: role,
        ..TrailState::default()
    };
    compute(&b, &observed(state), PlanOptions::default()).unwrap()
}

fn live_role(boundary: Option<&str>) -> Role {
    Role {
        arn: format!("arn:aws:iam::123456789012:role/{ROLE}"),
        owned: true,
        managed_by: None,
        trust_policy: "{}".into(),
        inline_policy: None,
        permissions_boundary: boundary.map(str::to_owned),
    }
}

#[test]
fn a_new_log_role_is_created_with_its_boundary() {
    let plan = with_logs(None);
    let create = plan.find("trail.logs_role").unwrap();
    let Op::Iam(IamOp::CreateRole {
        name,
        permissions_boundary,
        ..
    }) = &create.op
    else {
        panic!("{create:#?}")
    };
    assert_eq!(name, ROLE);
    assert_eq!(permissions_boundary.as_deref(), Some(LOGS_ROLE_BOUNDARY));
    assert!(plan.find("trail.logs_role.boundary").is_none());
}

#[test]
fn a_live_role_without_the_boundary_gets_it_before_its_policy_is_written() {
    for live in [None, Some("arn:aws:iam::aws:policy/AdministratorAccess")] {
        let plan = with_logs(Some(live_role(live)));
        let boundary = plan.find("trail.logs_role.boundary").unwrap_or_else(|| panic!("{live:?}"));
        assert_eq!(boundary.action, Action::Update);
        assert!(
            matches!(&boundary.op, Op::Iam(IamOp::PutRolePermissionsBoundary { name, boundary }) if name == ROLE && boundary == LOGS_ROLE_BOUNDARY)
        );
        let policy = plan.find("trail.logs_role.policy").unwrap();
        assert!(
            policy.depends_on.iter().any(|d| d == "trail.logs_role.boundary"),
            "{:?}",
            policy.depends_on
        );
    }
    let bounded = with_logs(Some(live_role(Some(LOGS_ROLE_BOUNDARY))));
    assert!(bounded.find("trail.logs_role.boundary").is_none());
}
