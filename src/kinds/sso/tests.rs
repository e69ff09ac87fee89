//! The IAM Identity Center planner on plain data.

use std::collections::BTreeMap;

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Observed, compute};
use crate::observed::{
    Account, Assignment, PermissionSet, PermissionSetDetails, PrincipalKind, SsoInstance, SsoState,
};
use crate::plan::PlanOptions;

const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-1";

fn baseline(sso: &str) -> Baseline {
    let text = format!(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[organizational_units]]\npath = \"Workloads/Prod\"\n\n[[account]]\nname = \"payments\"\nemail = \"payments@example.com\"\nou = \"Workloads/Prod\"\n{sso}"
    );
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn account(id: &str, name: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: format!("{name}@example.com"),
        parent_id: None,
        suspended: false,
    }
}

/// Workloads (with dev-1) and Workloads/Prod (empty, payments not created yet), an
/// account at the root; groups `devs` and `ops`.
fn observed() -> Observed {
    let mut o = Observed::default();
    o.org.root_id = "r-root".into();
    o.org.management_account_id = "123456789012".into();
    o.org.ous = crate::observed::Ou::tree("r-root", &[("ou-work", "Workloads")]);
    o.org.accounts = vec![account("123456789012", "management"), account("111111111111", "dev-1")];
    o.org.ou_accounts = BTreeMap::from([("ou-work".to_owned(), vec!["111111111111".to_owned()])]);
    o.sso = SsoState {
        instance: Some(SsoInstance {
            arn: INSTANCE.into(),
            identity_store_id: "d-1".into(),
        }),
        groups: BTreeMap::from([("devs".into(), "g-devs".into()), ("ops".into(), "g-ops".into())]),
        ..SsoState::default()
    };
    o
}

fn owned(name: &str, session: &str, details: PermissionSetDetails) -> PermissionSet {
    PermissionSet {
        arn: format!("{INSTANCE}/ps-{name}"),
        name: name.into(),
        description: None,
        session_duration: Some(session.into()),
        relay_state: None,
        owned: true,
        managed_by: None,
        details: Some(details),
    }
}

fn addresses(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

const DEV: &str = r#"
[[sso.permission_set]]
name = "Dev"
session_duration = "PT1H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]

[[sso.assignment]]
permission_set = "Dev"
groups = ["devs"]
targets = ["ou:Workloads"]
"#;

#[test]
fn suspended_accounts_get_no_assignments_from_ou_targets() {
    let mut o = observed();
    o.org.accounts.push(Account {
        suspended: true,
        ..account("333333333333", "closed")
    });
    o.org
        .ou_accounts
        .get_mut("ou-work")
        .unwrap()
        .push("333333333333".to_owned());
    let plan = compute(&baseline(DEV), &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let lines = addresses(&plan);
    assert!(
        lines.contains(&"+ sso.assignment:Dev group:devs -> account:111111111111".to_owned()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("333333333333")), "{lines:?}");
}

#[test]
fn an_ou_target_covers_every_account_below_it_including_ones_this_plan_creates() {
    let b = baseline(DEV);
    let plan = compute(&b, &observed(), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let lines = addresses(&plan);
    assert!(lines.contains(&"+ sso.permission_set:Dev".to_owned()), "{lines:?}");
    assert!(
        lines.contains(&"+ sso.assignment:Dev group:devs -> account:111111111111".to_owned()),
        "{lines:?}"
    );
    // payments is created by this plan and moved into Workloads/Prod, below Workloads.
    let new = plan
        .find("sso.assignment:Dev group:devs -> account:payments")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(
        new.depends_on,
        [
            "sso.permission_set:Dev",
            "account.payments",
            "account.payments -> ou:Workloads/Prod"
        ]
    );
    let Op::Sso(SsoOp {
        call:
            SsoCall::CreateAccountAssignment {
                permission_set,
                account,
                ..
            },
        ..
    }) = &new.op
    else {
        panic!("{:?}", new.op)
    };
    assert_eq!(*permission_set, Ref::Planned("sso.permission_set:Dev".parse().unwrap()));
    assert_eq!(*account, Ref::Planned("account.payments".parse().unwrap()));
    // The management account is at the root, not in Workloads.
    assert!(!lines.iter().any(|l| l.ends_with("account:123456789012")), "{lines:?}");
}

#[test]
fn equivalent_durations_and_policies_are_not_drift() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ops.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:*"], "Resource": "*"}]}"#,
    )
    .unwrap();
    let text = baseline(DEV).source.text.to_string()
        + "\n[[sso.permission_set]]\nname = \"Ops\"\nsession_duration = \"PT2H\"\ninline_policy_file = \"ops.json\"\n";
    let b = baseline::parse(SourceFile::new(dir.path().join("baseline.toml"), text)).unwrap_or_else(|d| panic!("{d}"));
    let mut o = observed();
    o.sso.permission_sets = vec![
        owned(
            "Dev",
            "PT60M",
            PermissionSetDetails {
                managed_policies: vec!["arn:aws:iam::aws:policy/PowerUserAccess".into()],
                ..Default::default()
            },
        ),
        owned(
            "Ops",
            "PT7200S",
            PermissionSetDetails {
                inline_policy: Some(
                    r#"{"Statement":{"Resource":"*","Action":"s3:*","Effect":"Deny"},"Version":"2012-10-17"}"#.into(),
                ),
                ..Default::default()
            },
        ),
    ];
    o.sso.assignments = vec![Assignment {
        account_id: "111111111111".into(),
        permission_set_arn: format!("{INSTANCE}/ps-Dev"),
        principal_kind: PrincipalKind::Group,
        principal_id: "g-devs".into(),
    }];
    let plan = compute(&b, &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let sso: Vec<String> = addresses(&plan).into_iter().filter(|l| l.contains("sso.")).collect();
    // Only the account this plan creates still needs its assignment.
    assert_eq!(sso, ["+ sso.assignment:Dev group:devs -> account:payments"]);
}

#[test]
fn unowned_sets_and_their_assignments_are_left_alone_and_orphans_wait_for_allow_delete() {
    let b = baseline(DEV);
    let mut o = observed();
    let mut theirs = owned("Billing", "PT1H", PermissionSetDetails::default());
    theirs.owned = false;
    let old = owned("Old", "PT1H", PermissionSetDetails::default());
    o.sso.permission_sets = vec![theirs, old];
    o.sso.assignments = vec![Assignment {
        account_id: "123456789012".into(),
        permission_set_arn: format!("{INSTANCE}/ps-Billing"),
        principal_kind: PrincipalKind::Group,
        principal_id: "g-devs".into(),
    }];
    let plan = compute(&b, &o, PlanOptions::default()).unwrap();
    assert!(
        !addresses(&plan).iter().any(|l| l.contains("Billing")),
        "{:?}",
        addresses(&plan)
    );
    assert_eq!(plan.orphans.len(), 1);
    assert_eq!(plan.orphans[0].address, "sso.permission_set:Old");
    let plan = compute(&b, &o, PlanOptions { allow_delete: true }).unwrap();
    assert!(addresses(&plan).contains(&"- sso.permission_set:Old".to_owned()));
}

#[test]
fn a_missing_instance_or_unknown_target_is_an_error_at_the_baseline() {
    let b = baseline(DEV);
    let mut o = observed();
    o.sso.instance = None;
    let e = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(e.contains("IAM Identity Center is not enabled in `us-east-1`"), "{e}");
    assert!(e.contains("baseline.toml:"), "{e}");

    let b = baseline(&DEV.replace("ou:Workloads", "ou:Nowhere"));
    let e = compute(&b, &observed(), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown target `ou:Nowhere`"), "{e}");
}

#[test]
fn changes_to_an_owned_set_are_provisioned_after_them() {
    let b = baseline(DEV);
    let mut o = observed();
    o.sso.permission_sets = vec![owned(
        "Dev",
        "PT4H",
        PermissionSetDetails {
            managed_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
            ..Default::default()
        },
    )];
    let plan = compute(&b, &o, PlanOptions::default()).unwrap();
    let provision = plan.find("sso.permission_set:Dev.provision").expect("provisioned");
    assert_eq!(
        provision.depends_on,
        [
            "sso.permission_set:Dev",
            "sso.permission_set:Dev -> arn:aws:iam::aws:policy/PowerUserAccess",
            "sso.permission_set:Dev -> arn:aws:iam::aws:policy/ReadOnlyAccess",
        ]
    );
    // New assignments wait for the set's changes, so they get the new version.
    let assign = plan
        .find("sso.assignment:Dev group:devs -> account:111111111111")
        .unwrap();
    assert_eq!(assign.depends_on, provision.depends_on);
}

#[test]
fn sso_changes_survive_a_saved_plan() {
    let b = baseline(DEV);
    let plan = compute(&b, &observed(), PlanOptions::default()).unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.contains(r#""service":"sso","region":"us-east-1""#), "{json}");
    assert!(json.contains(r#""call":"CreateAccountAssignment""#), "{json}");
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn impact_names_the_grant_per_account_and_a_new_account_carries_the_access_it_gets() {
    use crate::plan::impact::{Effect, Subject};
    // ops gets Dev in payments only.
    let b = baseline(&format!(
        "{DEV}\n[[sso.assignment]]\npermission_set = \"Dev\"\ngroups = [\"ops\"]\ntargets = [\"account:payments\"]\n"
    ));
    let mut o = observed();
    o.sso.permission_sets = vec![owned(
        "Dev",
        "PT4H",
        PermissionSetDetails {
            managed_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
            ..Default::default()
        },
    )];
    // ops has Dev in dev-1, which the baseline does not give it: a loss there.
    o.sso.groups.insert("ops".into(), "g-ops".into());
    o.sso.assignments = vec![Assignment {
        account_id: "111111111111".into(),
        permission_set_arn: format!("{INSTANCE}/ps-Dev"),
        principal_kind: PrincipalKind::Group,
        principal_id: "g-ops".into(),
    }];
    let plan = compute(&b, &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let impact = |addr: &str| {
        plan.find(addr)
            .unwrap_or_else(|| panic!("no {addr}: {:?}", addresses(&plan)))
            .impact
            .clone()
            .unwrap_or_else(|| panic!("{addr} has no impact"))
    };
    let gain = impact("sso.assignment:Dev group:devs -> account:111111111111");
    assert_eq!((gain.subject, gain.effect), (Subject::Access, Effect::Gain));
    assert_eq!(gain.what, "`Dev` for group `devs`");
    assert_eq!(gain.accounts.iter().map(ToString::to_string).collect::<Vec<_>>(), ["dev-1 (111111111111)"]);
    assert_eq!(gain.ous, ["Workloads"]);
    let lose = impact("sso.assignment:Dev group:ops -> account:111111111111");
    assert_eq!((lose.effect, lose.what.as_str()), (Effect::Lose, "`Dev` for group `ops`"));
    // The set changes: it changes where it is assigned.
    let provision = impact("sso.permission_set:Dev.provision");
    assert_eq!((provision.effect, provision.accounts.len()), (Effect::Change, 1));
    // payments is created and moved: its change lists the access it gets in this plan.
    let moved = impact("account.payments -> ou:Workloads/Prod");
    assert_eq!((moved.subject, moved.effect), (Subject::Account, Effect::Move));
    assert_eq!(moved.ous, ["Workloads/Prod"]);
    assert!(moved.gains.contains(&"`Dev` for group `devs`".to_owned()), "{moved:?}");
    assert!(moved.gains.contains(&"`Dev` for group `ops`".to_owned()), "{moved:?}");
    // The summary puts the widest effect first.
    let summary = crate::plan::impact::summary(&plan);
    assert!(summary.windows(2).all(|w| w[0].accounts.len() >= w[1].accounts.len()));
}

#[test]
fn another_tools_permission_set_with_plinths_tag_is_never_deleted() {
    let mut o = observed();
    let mut claimed = owned("StackAdmin", "PT1H", PermissionSetDetails::default());
    // Read as the adapter reads it: plinth's tag, and a CloudFormation stack's.
    let who = crate::observed::ownership(
        "StackAdmin",
        [("managed-by", "plinth"), ("aws:cloudformation:stack-name", "identity")],
    );
    (claimed.owned, claimed.managed_by) = (who.owned, who.managed_by);
    o.sso.permission_sets = vec![claimed, owned("Old", "PT1H", PermissionSetDetails::default())];
    let plan = compute(&baseline(DEV), &o, PlanOptions { allow_delete: true }).unwrap_or_else(|d| panic!("{d}"));
    let lines = addresses(&plan);
    assert!(lines.contains(&"- sso.permission_set:Old".to_owned()), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("StackAdmin")), "{lines:?}");
    assert!(
        plan.warnings.iter().any(|w| w.contains(
            "permission set `StackAdmin` carries `managed-by=plinth`, but CloudFormation stack `identity` (tag `aws:cloudformation:stack-name`) manages it"
        )),
        "{:?}",
        plan.warnings
    );
}
