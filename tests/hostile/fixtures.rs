//! The hostile values, and the plan, apply report and access report that carry them in
//! every field a renderer shows.

use std::collections::BTreeMap;

use plinth::apply::{ApplyReport, Outcome, Status};
use plinth::diag::SourceFile;
use plinth::kinds::Observed;
use plinth::observed::{
    Account, Assignment, OrgState, Ou, PermissionSet, PermissionSetDetails, PrincipalKind, Scp, SsoInstance, SsoState,
};
use plinth::plan::impact::{Effect, Impact, ImpactAccount, Subject};
use plinth::plan::{Action, Change, Orphan, Plan, PlanOptions};
use plinth::policy::diff::StatementDiff;
use plinth::report::{AlarmStatus, Effective, Report, SetInfo, TrailStatus};
use serde_json::json;

/// A name as someone inside the organization may write it.
pub const H: &str = "x``` `<h3>plinth plan: no changes</h3><img src=x onerror=document.title=1> | &amp; *em* _u_ ~~s~~ \
                 $m$ [link](http://x.example) www.x.example \u{1b}[2J\r\n- fake line \u{202e}gnp.exe";
/// One that starts with a backtick and opens a heading, one that ends with a backtick
/// and opens a list.
pub const LEAD: &str = "`lead # <b>bold</b>";
pub const TRAIL: &str = "1. trail\u{9b}31m\u{2066}`";
/// An OU's name (no `/`, which would be a path).
pub const OU: &str = "ou``<script>document.title=2</script>|\u{1b}]0;title\u{7}\n- fake line";

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root", "ou:Workloads"]

[[sso.permission_set]]
name = "PowerUser"
session_duration = "PT8H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]

[[sso.assignment]]
permission_set = "PowerUser"
groups = ["developers"]
targets = ["ou:Workloads"]
"#;

fn account(id: &str, name: &str, parent: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: format!("{name}@example.com"),
        parent_id: Some(parent.into()),
        suspended: false,
    }
}

fn scp(id: &str, name: &str, owned: bool, targets: &[&str]) -> Scp {
    Scp {
        id: id.into(),
        name: name.into(),
        description: H.into(),
        aws_managed: name == "FullAWSAccess",
        owned,
        managed_by: (!owned && name != "FullAWSAccess").then(|| plinth::observed::OtherManager {
            tool: format!("CloudFormation stack `{H}`"),
            sign: format!("tag `aws:cloudformation:stack-name` = `{H}`"),
            plinth_tag: false,
        }),
        content: Some(
            json!({"Version": "2012-10-17", "Statement": [{"Sid": H, "Effect": "Deny", "Action": H, "Resource": H}]})
                .to_string(),
        ),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        targets_read: true,
    }
}

/// Accounts with hostile names in `Workloads` and in a hostile OU below it; an SCP
/// plinth owns and a hand-made one, both with hostile names; a permission set with a
/// hostile description; the group holds access in the hostile accounts.
fn org_and_sso() -> (OrgState, SsoState) {
    let evil_ou = format!("Workloads/{OU}");
    let org = OrgState {
        organization_id: "o-example".into(),
        management_account_id: "123456789012".into(),
        root_id: "r-root".into(),
        scp_enabled: true,
        ous: vec![
            Ou {
                id: "ou-work".into(),
                name: "Workloads".into(),
                parent_id: "r-root".into(),
                path: "Workloads".into(),
            },
            Ou {
                id: "ou-evil".into(),
                name: OU.into(),
                parent_id: "ou-work".into(),
                path: evil_ou,
            },
        ],
        accounts: vec![
            account("123456789012", "management", "r-root"),
            account("111111111111", H, "ou-work"),
            account("333333333333", TRAIL, "ou-work"),
            account("222222222222", LEAD, "ou-evil"),
        ],
        scps: vec![
            scp(
                "p-FullAWSAccess",
                "FullAWSAccess",
                false,
                &["r-root", "ou-work", "ou-evil"],
            ),
            scp("p-evil", H, true, &["ou-work"]),
            scp("p-hand", LEAD, false, &["222222222222"]),
        ],
        attached: BTreeMap::from([
            ("r-root".into(), vec!["p-FullAWSAccess".into()]),
            ("ou-work".into(), vec!["p-FullAWSAccess".into(), "p-evil".into()]),
            ("ou-evil".into(), vec!["p-FullAWSAccess".into()]),
            ("222222222222".into(), vec!["p-hand".into()]),
        ]),
        ou_accounts: BTreeMap::from([
            ("ou-work".into(), vec!["111111111111".into(), "333333333333".into()]),
            ("ou-evil".into(), vec!["222222222222".into()]),
        ]),
        ..OrgState::default()
    };
    let sso = SsoState {
        instance: Some(SsoInstance {
            arn: "arn:aws:sso:::instance/ssoins-1".into(),
            identity_store_id: "d-1".into(),
        }),
        permission_sets: vec![PermissionSet {
            arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
            name: "PowerUser".into(),
            description: Some(H.into()),
            session_duration: Some("PT8H".into()),
            relay_state: None,
            owned: true,
            managed_by: None,
            details: Some(PermissionSetDetails {
                managed_policies: vec!["arn:aws:iam::aws:policy/PowerUserAccess".into(), H.into()],
                customer_managed_policies: vec![(LEAD.into(), TRAIL.into())],
                ..Default::default()
            }),
        }],
        groups: BTreeMap::from([("developers".into(), "g-dev".into()), (H.into(), "g-evil".into())]),
        assignments: vec![
            Assignment {
                account_id: "222222222222".into(),
                permission_set_arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
                principal_kind: PrincipalKind::Group,
                principal_id: "g-evil".into(),
            },
            Assignment {
                account_id: "111111111111".into(),
                permission_set_arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
                principal_kind: PrincipalKind::Group,
                principal_id: "g-dev".into(),
            },
        ],
        ..SsoState::default()
    };
    (org, sso)
}

/// The plan the planners make of that organization, and a change of every shape with
/// the hostile values in every field a renderer shows: what later planners may write.
pub fn hostile_plan() -> Plan {
    let b = plinth::baseline::parse(SourceFile::new("baseline.toml", BASELINE)).unwrap_or_else(|d| panic!("{d}"));
    let (org, sso) = org_and_sso();
    let observed = Observed {
        org,
        sso,
        ..Observed::default()
    };
    let mut plan = plinth::kinds::compute(&b, &observed, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let op = plan.changes[0].op.clone();
    let statement = |sid: &str, actions: usize| json!({"Sid": sid, "Effect": "Deny", "Action": (0..actions).map(|n| format!("{H}:{n}")).collect::<Vec<_>>(), "Resource": H});
    let change = |address: String, action: Action, reason: String| {
        Change::new(
            address.parse::<plinth::plan::Address>().unwrap(),
            action,
            reason,
            op.clone(),
        )
    };
    let impact = |subject, effect, what: String| Impact {
        subject,
        what,
        effect,
        accounts: vec![
            ImpactAccount {
                name: H.into(),
                id: Some(TRAIL.into()),
            },
            ImpactAccount {
                name: LEAD.into(),
                id: None,
            },
            ImpactAccount {
                name: OU.into(),
                id: Some(OU.into()),
            },
        ],
        ous: vec![H.into(), LEAD.into(), "root".into()],
        not_affected: Some(format!("the management account `{H}` is not affected")),
        gains: vec![format!("SCP `{H}`"), LEAD.into()],
        loses: vec![format!("`{TRAIL}` for group `{H}`")],
    };
    let mut create = change(
        format!("scp.{H}"),
        Action::Create,
        format!("no SCP named `{H}` in the organization"),
    )
    .after(Some(
        json!({"Version": "2012-10-17", "Statement": [statement(H, 1), statement(LEAD, 2)]}),
    ))
    .impact(Some(impact(Subject::Policy, Effect::Gain, format!("SCP `{H}`"))));
    create.depends_on = vec![format!("scp.{H}").parse().unwrap()];
    let settings = change(format!("scp.{LEAD}"), Action::Create, H.into())
        .after(Some(json!({"name": H, "description": H, "relay_state": LEAD})))
        .impact(Some(impact(
            Subject::Account,
            Effect::Move,
            format!("account {H} (new)"),
        )));
    let mut update = change(format!("scp.{TRAIL}"), Action::Update, format!("`{TRAIL}` differs"))
        .before(Some(json!({"description": H, "session_duration": TRAIL})))
        .after(Some(json!({"description": LEAD, "session_duration": TRAIL})))
        .impact(Some(impact(
            Subject::Access,
            Effect::Lose,
            format!("`{LEAD}` for group `{H}`"),
        )));
    update.statement_diff = vec![
        StatementDiff::Removed {
            sid: Some(H.into()),
            before: statement(H, 1),
        },
        StatementDiff::Added {
            sid: None,
            after: statement(LEAD, 1),
        },
        StatementDiff::Changed {
            sid: TRAIL.into(),
            before: statement(TRAIL, 12),
            after: statement(TRAIL, 13),
        },
        StatementDiff::Removed {
            sid: None,
            before: statement(OU, 14),
        },
    ];
    plan.changes.extend([create, settings, update]);
    plan.orphans.push(Orphan {
        address: format!("scp.{H}").parse().unwrap(),
        reason: format!("SCP `{H}` ({LEAD}) is kept"),
    });
    plan.blocked.push(plinth::plan::Blocked {
        target: format!("ou:Workloads/{OU}"),
        at: "baseline.toml:9:11".into(),
        error: format!(
            "OU path is ou-1 name by name from the root, but the names of ou-2 (named `{H}`) also join to it"
        ),
        ids: vec!["ou-1".into(), "ou-2".into()],
        hint: None,
    });
    plan.notes.extend([H.to_owned(), LEAD.to_owned(), format!("`{TRAIL}`")]);
    plan.warnings.extend([TRAIL.to_owned(), format!("`{OU}` is `{H}`")]);
    plan
}

pub fn hostile_report() -> ApplyReport {
    let outcome = |address: &str, action, status| Outcome {
        address: format!("scp.{address}").parse().unwrap(),
        action,
        status,
    };
    ApplyReport {
        outcomes: vec![
            outcome(H, Action::Create, Status::Done { id: Some(LEAD.into()) }),
            outcome(
                LEAD,
                Action::Attach,
                Status::Failed {
                    error: format!("organizations.AttachPolicy: DuplicatePolicyAttachmentException: {H}"),
                },
            ),
            outcome(
                TRAIL,
                Action::Update,
                Status::Skipped {
                    because: format!("`{OU}` failed"),
                },
            ),
        ],
    }
}

/// The access report of that organization, with a hostile trail, alarm, permission set,
/// effective policy document and note besides.
pub fn access_report() -> Report {
    let (org, sso) = org_and_sso();
    let mut r = plinth::report::build(&org, &sso, &[], &[], &[]);
    r.effective_policy_types.extend([H.to_owned(), LEAD.to_owned()]);
    r.root.accounts[0].effective_policies.extend([
        Effective {
            policy_type: H.into(),
            api: TRAIL.into(),
            document: Some(json!({ "tags": { H: { "tag_key": LEAD, "tag_value": [TRAIL, OU] } } })),
        },
        Effective {
            policy_type: LEAD.into(),
            api: OU.into(),
            document: None,
        },
    ]);
    r.trails.push(TrailStatus {
        name: H.into(),
        home_region: LEAD.into(),
        organization: true,
        multi_region: false,
        logging: true,
        log_file_validation: false,
        bucket: TRAIL.into(),
        owned: false,
    });
    r.billing_alarms.push(AlarmStatus {
        name: H.into(),
        account: Some(OU.into()),
        threshold_usd: 10.0,
        state: LEAD.into(),
        actions_enabled: false,
    });
    r.permission_sets.push(SetInfo {
        name: H.into(),
        session_duration: TRAIL.into(),
        managed_policies: vec![LEAD.into()],
        customer_managed_policies: vec![OU.into()],
        inline_policy: true,
        permissions_boundary: Some(H.into()),
        owned: false,
    });
    r.notes.push(format!("`{H}` {OU}"));
    r
}
