//! Snapshots of the renderers on one plan that has every kind of change, an orphan,
//! warnings, and impact on accounts in OUs (a new account among them). Renderers take only the plan, so the plan is built from plain data.

use std::collections::BTreeMap;

use plinth::baseline;
use plinth::diag::SourceFile;
use plinth::kinds::Observed;
use plinth::observed::{Account, OrgState, PermissionSet, PermissionSetDetails, Scp, SsoInstance, SsoState};
use plinth::plan::{Plan, PlanOptions};
use plinth::render;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.region_deny]
allowed_regions = ["eu-west-1", "eu-central-1"]
attach = ["root"]

[scp.deny_leave_organization]
attach = ["root", "ou:Workloads/Prod"]

[[account]]
name = "payments"
email = "payments@example.com"
ou = "Workloads/Prod"

[[sso.permission_set]]
name = "PowerUser"
session_duration = "PT8H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]

[[sso.assignment]]
permission_set = "PowerUser"
groups = ["developers"]
targets = ["account:123456789012", "ou:Workloads"]
"#;

/// IAM Identity Center: PowerUser drifted (session, policies), an orphaned set.
fn sso_state() -> SsoState {
    let set = |name: &str, managed: &str| PermissionSet {
        arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{name}"),
        name: name.into(),
        description: None,
        session_duration: Some("PT12H".into()),
        relay_state: None,
        owned: true,
        managed_by: None,
        details: Some(PermissionSetDetails {
            managed_policies: vec![managed.into()],
            ..Default::default()
        }),
    };
    SsoState {
        instance: Some(SsoInstance {
            arn: "arn:aws:sso:::instance/ssoins-1".into(),
            identity_store_id: "d-1".into(),
        }),
        permission_sets: vec![
            set("PowerUser", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            set("Retired", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ],
        groups: BTreeMap::from([("developers".into(), "g-dev".into())]),
        ..Default::default()
    }
}

fn account(id: &str, name: &str, parent: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: String::new(),
        parent_id: Some(parent.into()),
        suspended: false,
    }
}

fn sample_plan(allow_delete: bool) -> Plan {
    let b = baseline::parse(SourceFile::new("baseline.toml", BASELINE)).unwrap_or_else(|d| panic!("{d}"));
    // The region deny exists without plinth's tag, and someone added a region and a statement.
    let (desired, _) = plinth::kinds::scp::desired::desired_scps(&b);
    let mut live_doc = desired[0].document.clone();
    live_doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] =
        serde_json::json!(["eu-central-1", "eu-west-1", "us-west-2"]);
    live_doc["Statement"].as_array_mut().unwrap().push(serde_json::json!({
        "Sid": "AddedByHand", "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"
    }));
    let observed = Observed {
        org: OrgState {
            organization_id: "o-example".into(),
            management_account_id: "123456789012".into(),
            root_id: "r-root".into(),
            scp_enabled: true,
            ous: plinth::observed::Ou::tree("r-root", &[("ou-work", "Workloads"), ("ou-sand", "Sandbox")]),
            accounts: vec![
                account("123456789012", "management", "r-root"),
                account("111111111111", "dev-1", "ou-work"),
                account("111111111112", "dev-2", "ou-work"),
                account("222222222222", "sandbox-1", "ou-sand"),
            ],
            scps: vec![
                Scp {
                    id: "p-FullAWSAccess".into(),
                    name: "FullAWSAccess".into(),
                    description: String::new(),
                    aws_managed: true,
                    owned: false,
                    managed_by: None,
                    content: None,
                    targets: vec![],
                    targets_read: true,
                },
                Scp {
                    id: "p-region".into(),
                    name: "plinth-region-deny".into(),
                    description: desired[0].description.clone(),
                    aws_managed: false,
                    // Made by hand or before plinth: adopted, then updated.
                    owned: false,
                    managed_by: None,
                    content: Some(live_doc.to_string()),
                    targets: vec!["r-root".into(), "ou-sand".into()],
                    targets_read: true,
                },
                Scp {
                    id: "p-old".into(),
                    name: "retired-policy".into(),
                    description: String::new(),
                    aws_managed: false,
                    owned: true,
                    managed_by: None,
                    content: Some(
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#
                            .into(),
                    ),
                    targets: vec!["ou-work".into()],
                    targets_read: true,
                },
            ],
            attached: BTreeMap::from([
                ("r-root".into(), vec!["p-FullAWSAccess".into(), "p-region".into()]),
                ("ou-sand".into(), vec!["p-FullAWSAccess".into(), "p-region".into()]),
                ("ou-work".into(), vec!["p-FullAWSAccess".into(), "p-old".into()]),
            ]),
            ou_accounts: BTreeMap::from([
                ("ou-work".into(), vec!["111111111111".into(), "111111111112".into()]),
                ("ou-sand".into(), vec!["222222222222".into()]),
            ]),
            policy_sets: Default::default(),
        },
        sso: sso_state(),
        ..Observed::default()
    };
    plinth::kinds::compute(&b, &observed, PlanOptions { allow_delete }).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn text() {
    insta::assert_snapshot!(render::text::plan(&sample_plan(false)));
}

#[test]
fn text_with_deletions() {
    insta::assert_snapshot!(render::text::plan(&sample_plan(true)));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render::markdown::plan(&sample_plan(false)));
}

#[test]
fn json() {
    let out = render::json::plan(&sample_plan(false));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["changes_pending"], true);
    insta::assert_snapshot!(out);
}

#[test]
fn empty_plan() {
    let empty = Plan::default();
    assert_eq!(
        render::text::plan(&empty),
        "No changes. The organization matches the baseline.\n"
    );
    insta::assert_snapshot!(render::markdown::plan(&empty));
    let v: serde_json::Value = serde_json::from_str(&render::json::plan(&empty)).unwrap();
    assert_eq!(v["changes_pending"], false);
    assert_eq!(v["changes"], serde_json::json!([]));
}

#[test]
fn the_plan_round_trips_through_json() {
    // The JSON form carries everything apply needs (ops included), for saved plans.
    let p = sample_plan(true);
    let json = serde_json::to_string(&p).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

#[test]
fn a_wide_impact_stays_a_short_comment() {
    use plinth::plan::impact::{Effect, Impact, ImpactAccount, Subject};
    let mut plan = sample_plan(false);
    let wide = plan.changes.iter_mut().find(|c| c.impact.is_some()).unwrap();
    wide.impact = Some(Impact {
        subject: Subject::Policy,
        what: "SCP `wide`".into(),
        effect: Effect::Change,
        accounts: (0..1000)
            .map(|n| ImpactAccount {
                name: format!("account-{n:04}"),
                id: Some(format!("{:012}", 200_000_000_000u64 + n)),
            })
            .collect(),
        ous: (0..20).map(|n| format!("Team{n:03}")).collect(),
        not_affected: None,
        gains: vec![],
        loses: vec![],
    });
    let md = render::markdown::plan(&plan);
    let line = md
        .lines()
        .find(|l| l.contains("changes for 1000 accounts"))
        .expect("the wide line");
    assert!(
        line.contains("in 20 OUs (`Team000`, `Team001`, `Team002`, …)"),
        "{line}"
    );
    assert!(md.contains("and 950 more (the JSON plan names them all)"));
    assert!(md.len() < 20_000, "{} characters", md.len());
    let text = render::text::plan(&plan);
    assert!(text.contains("and 995 more"));
}

/// The plan cut to a comment's budget: the title, the summary table, whole sections and
/// changes in order while they fit, and a closing note naming what was left out and
/// where the whole plan is.
#[test]
fn markdown_within_a_budget() {
    let budget = render::markdown::Budget {
        max_chars: 3_000,
        full_plan: Some("plinth-plan-0123abc".into()),
    };
    let md = render::markdown::plan_within(&sample_plan(false), &budget);
    assert!(md.chars().count() <= 3_000, "{} characters", md.chars().count());
    insta::assert_snapshot!(md);
}
