//! Plan logic on plain data: a baseline from TOML text and a hand-built observed state.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::observed::{Account, OrgState, Scp};
use crate::plan::{Op, OrganizationsOp, Plan, PlanOptions, Ref};
use crate::policy;

pub(super) const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.region_deny]
allowed_regions = ["us-east-1", "eu-west-1"]
exempt_principals = ["arn:aws:iam::*:role/BreakGlass"]
attach = ["root"]

[scp.deny_leave_organization]
attach = ["root", "ou:Workloads/Prod", "account:sandbox"]
"#;

pub(super) fn baseline(text: &str) -> Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

pub(super) fn empty_org() -> Observed {
    Observed {
        org: OrgState {
            organization_id: "o-abc".into(),
            management_account_id: "123456789012".into(),
            root_id: "r-root".into(),
            scp_enabled: false,
            ous: vec![],
            accounts: vec![
                Account {
                    id: "123456789012".into(),
                    name: "management".into(),
                    email: String::new(),
                    parent_id: None,
                    suspended: false,
                },
                Account {
                    id: "222222222222".into(),
                    name: "sandbox".into(),
                    email: String::new(),
                    parent_id: None,
                    suspended: false,
                },
            ],
            scps: vec![full_access(&["r-root", "123456789012", "222222222222"])],
            attached: BTreeMap::new(),
            ou_accounts: BTreeMap::new(),
            policy_sets: BTreeMap::new(),
        },
        ..Observed::default()
    }
}

fn full_access(targets: &[&str]) -> Scp {
    Scp {
        id: "p-FullAWSAccess".into(),
        name: "FullAWSAccess".into(),
        description: "Allows access to every operation".into(),
        aws_managed: true,
        owned: false,
        managed_by: None,
        content: None,
        targets: targets.iter().map(|s| s.to_string()).collect(),
        targets_read: true,
    }
}

/// The organization after a successful apply of `b`.
pub(super) fn converged(b: &Baseline) -> Observed {
    let mut o = empty_org();
    o.org.scp_enabled = true;
    o.org.ous = crate::observed::Ou::tree("r-root", &[("ou-w", "Workloads"), ("ou-p", "Workloads/Prod")]);
    for t in ["r-root", "ou-w", "ou-p", "123456789012", "222222222222"] {
        o.org.attached.insert(t.into(), vec!["p-FullAWSAccess".into()]);
    }
    let (desired, _) = crate::kinds::scp::desired::desired_scps(b);
    for (i, d) in desired.iter().enumerate() {
        let id = format!("p-{i}");
        let mut targets = vec![];
        for t in &d.attach {
            let crate::observed::Resolved::Id(tid) = o.org.resolve(t.get_ref()) else {
                panic!()
            };
            o.org.attached.get_mut(&tid).unwrap().push(id.clone());
            targets.push(tid);
        }
        o.org.scps.push(Scp {
            id,
            name: d.name.clone(),
            description: d.description.clone(),
            aws_managed: false,
            owned: true,
            managed_by: None,
            content: Some(d.content.clone()),
            targets,
            targets_read: true,
        });
    }
    o
}

pub(super) fn compute_ok(b: &Baseline, o: &Observed, allow_delete: bool) -> Plan {
    compute(b, o, PlanOptions { allow_delete }).unwrap_or_else(|d| panic!("{d}"))
}

pub(super) fn addresses(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

#[test]
fn from_scratch_plans_every_resource_in_dependency_order() {
    let b = baseline(BASELINE);
    let plan = compute_ok(&b, &empty_org(), false);
    assert_eq!(
        addresses(&plan),
        [
            "+ organizational_units.Workloads",
            "+ organizational_units.Workloads/Prod",
            "+ scp.policy_type",
            "+ scp.region_deny",
            "+ scp.deny_leave_organization",
            "+ scp.region_deny -> root",
            "+ scp.deny_leave_organization -> root",
            "+ scp.deny_leave_organization -> ou:Workloads/Prod",
            "+ scp.deny_leave_organization -> account:sandbox",
        ]
    );
    let attach_prod = plan.find("scp.deny_leave_organization -> ou:Workloads/Prod").unwrap();
    assert_eq!(
        attach_prod.depends_on,
        [
            "scp.policy_type",
            "scp.deny_leave_organization",
            "organizational_units.Workloads/Prod"
        ]
    );
    assert_eq!(
        plan.find("organizational_units.Workloads/Prod").unwrap().depends_on,
        ["organizational_units.Workloads"]
    );
    match &attach_prod.op {
        Op::Organizations(OrganizationsOp::AttachPolicy { policy, target }) => {
            assert_eq!(policy, &Ref::Planned("scp.deny_leave_organization".parse().unwrap()));
            assert_eq!(
                target,
                &Ref::Planned("organizational_units.Workloads/Prod".parse().unwrap())
            );
        }
        other => panic!("{other:?}"),
    }
    // Accounts are attached by id, even when named.
    match &plan.find("scp.deny_leave_organization -> account:sandbox").unwrap().op {
        Op::Organizations(OrganizationsOp::AttachPolicy { target, .. }) => {
            assert_eq!(target, &Ref::Id("222222222222".into()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn converged_organization_gives_an_empty_plan() {
    let b = baseline(BASELINE);
    let plan = compute_ok(&b, &converged(&b), false);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(plan.orphans.is_empty());
}

#[test]
fn live_content_that_means_the_same_is_not_drift() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    let p = o
        .org
        .scps
        .iter_mut()
        .find(|p| p.name == "plinth-deny-leave-organization")
        .unwrap();
    // Pretty-printed, keys reordered, string became a list.
    p.content = Some(
        serde_json::to_string_pretty(
            &json!({"Statement": [{"Resource": ["*"], "Sid": "PlinthDenyLeaveOrganization",
            "Action": ["organizations:LeaveOrganization"], "Effect": "Deny"}], "Version": "2012-10-17"}),
        )
        .unwrap(),
    );
    assert!(compute_ok(&b, &o, false).is_empty());
}

#[test]
fn edited_content_is_an_update_with_a_statement_diff() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    let p = o.org.scps.iter_mut().find(|p| p.name == "plinth-region-deny").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(p.content.as_ref().unwrap()).unwrap();
    doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] =
        json!(["us-east-1", "eu-west-1", "ap-south-1"]);
    p.content = Some(doc.to_string());
    let plan = compute_ok(&b, &o, false);
    assert_eq!(addresses(&plan), ["~ scp.region_deny"]);
    let c = &plan.changes[0];
    assert!(c.reason.contains("content differs"), "{}", c.reason);
    assert_eq!(c.statement_diff.len(), 1);
    assert!(
        matches!(&c.statement_diff[0], policy::diff::StatementDiff::Changed { sid, .. } if sid == "PlinthDenyOutsideAllowedRegions")
    );
    assert!(matches!(&c.op, Op::Organizations(OrganizationsOp::UpdatePolicy { policy_id, .. }) if policy_id == "p-0"));
}

#[test]
fn detached_policy_is_reattached_and_stray_attachment_detached() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    // Out of band: region deny detached from the root and attached to the sandbox account.
    let p = o.org.scps.iter_mut().find(|p| p.name == "plinth-region-deny").unwrap();
    p.targets = vec!["222222222222".into()];
    o.org.attached.get_mut("r-root").unwrap().retain(|id| id != "p-0");
    o.org.attached.get_mut("222222222222").unwrap().push("p-0".into());
    let plan = compute_ok(&b, &o, false);
    assert_eq!(
        addresses(&plan),
        ["+ scp.region_deny -> root", "- scp.region_deny -> account:222222222222"]
    );
}

#[test]
fn disabled_policy_type_is_enabled_and_attachments_wait_for_it() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    o.org.scp_enabled = false;
    for p in &mut o.org.scps {
        p.targets.clear();
    }
    let plan = compute_ok(&b, &o, false);
    assert_eq!(plan.changes[0].address, "scp.policy_type");
    assert_eq!(plan.changes.len(), 1 + 4);
    assert!(plan.changes[1..].iter().all(|c| c.depends_on == ["scp.policy_type"]));
}

#[test]
fn orphans_are_kept_unless_deletion_is_allowed() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    o.org.scps.push(Scp {
        id: "p-old".into(),
        name: "old-policy".into(),
        description: String::new(),
        aws_managed: false,
        owned: true,
        managed_by: None,
        content: Some(policy::minify(&crate::kinds::scp::generated::deny_leave_organization())),
        targets: vec!["ou-w".into()],
        targets_read: true,
    });
    o.org.attached.get_mut("ou-w").unwrap().push("p-old".into());
    // And one plinth does not own: never mentioned.
    o.org.scps.push(Scp {
        id: "p-theirs".into(),
        name: "theirs".into(),
        description: String::new(),
        aws_managed: false,
        owned: false,
        managed_by: None,
        content: None,
        targets: vec![],
        targets_read: true,
    });

    let plan = compute_ok(&b, &o, false);
    assert!(plan.is_empty());
    assert_eq!(plan.orphans.len(), 1);
    assert!(plan.orphans[0].reason.contains("--allow-delete"));

    let plan = compute_ok(&b, &o, true);
    assert_eq!(
        addresses(&plan),
        ["- scp.orphan.old-policy -> ou:Workloads", "- scp.orphan.old-policy"]
    );
    assert_eq!(plan.changes[1].depends_on, ["scp.orphan.old-policy -> ou:Workloads"]);
}

#[test]
fn never_detaches_the_last_scp_of_a_target() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    o.org.scps.push(Scp {
        id: "p-old".into(),
        name: "old-policy".into(),
        description: String::new(),
        aws_managed: false,
        owned: true,
        managed_by: None,
        content: None,
        targets: vec!["ou-w".into()],
        targets_read: true,
    });
    // FullAWSAccess was removed from the OU: old-policy is all it has.
    o.org.attached.insert("ou-w".into(), vec!["p-old".into()]);
    let plan = compute_ok(&b, &o, true);
    assert!(plan.is_empty(), "{:?}", addresses(&plan));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("kept `old-policy` on `ou:Workloads`: it is the only SCP there"))
    );
}

#[test]
fn unknown_targets_are_errors_at_their_position() {
    let text = BASELINE.replace(r#""account:sandbox""#, r#""account:nosuch", "ou:Nowhere""#);
    let b = baseline(&text);
    let err = compute(&b, &empty_org(), PlanOptions::default()).unwrap_err();
    assert_eq!(err.len(), 2, "{err}");
    let text = err.to_string();
    assert!(text.contains("unknown target `account:nosuch`"), "{text}");
    assert!(text.contains("no account named `nosuch` in the organization"), "{text}");
    assert!(text.contains("unknown target `ou:Nowhere`"), "{text}");
    assert!(text.contains("[[organizational_units]]"), "{text}");
    assert!(text.contains("baseline.toml:14:40"), "{text}");
}

/// A typo of a declared path is named in the hint, case and two edits away at most.
#[test]
fn an_unknown_ou_near_a_declared_one_gets_a_did_you_mean() {
    let text = BASELINE.replace(r#""account:sandbox""#, r#""ou:workloads/Prd""#);
    let err = compute(&baseline(&text), &empty_org(), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean `ou:Workloads/Prod`?"), "{err}");
    let far = BASELINE.replace(r#""account:sandbox""#, r#""ou:Elsewhere""#);
    let err = compute(&baseline(&far), &empty_org(), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(!err.contains("did you mean"), "{err}");
    // `plinth validate` (nothing live read) warns of the near one only.
    let both = BASELINE.replace(r#""account:sandbox""#, r#""ou:workloads/Prd", "ou:Elsewhere""#);
    let warnings = describe(&baseline(&both)).warnings;
    assert_eq!(
        warnings.iter().filter(|w| w.contains("did you mean")).count(),
        1,
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`ou:workloads/Prd`") && w.contains("`ou:Workloads/Prod`")),
        "{warnings:?}"
    );
}

#[test]
fn no_scp_section_and_no_owned_policies_means_no_scp_changes() {
    let b = baseline("[organization]\nmanagement_account_id = \"123456789012\"\n");
    let plan = compute_ok(&b, &empty_org(), false);
    assert!(plan.is_empty());
}

#[test]
fn attaching_to_the_management_account_warns_that_it_has_no_effect() {
    let b = baseline(&BASELINE.replace(r#""account:sandbox""#, r#""account:123456789012""#));
    let plan = compute_ok(&b, &empty_org(), false);
    assert!(
        plan.find("scp.deny_leave_organization -> account:123456789012")
            .is_some()
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("the management account, which SCPs never restrict")),
        "{:?}",
        plan.warnings
    );
}

/// The plan's blocked targets as errors read (`error: <why>`, one a line): for tests of
/// what a forgeable sign leaves out of the plan instead of stopping it.
pub(crate) fn blocked_text(planned: Result<Plan, crate::diag::Diagnostics>) -> String {
    let plan = planned.unwrap_or_else(|d| panic!("a blocked resource must not stop the plan:\n{d}"));
    assert!(!plan.blocked.is_empty(), "nothing blocked: {:?}", plan.changes);
    plan.blocked.iter().map(|b| format!("error: {}\n", b.error)).collect()
}

/// A planner's dangling dependency (an address no change has) stops `compute` with an
/// error that calls it a bug, instead of an apply that would lose the ordering.
#[test]
fn a_dangling_dependency_fails_the_plan_as_a_bug() {
    use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Ref};
    let mut plan = Plan::default();
    let attach = Change::new(
        Address::new("scp", "scp.x").to("root"),
        Action::Attach,
        "",
        Op::Organizations(OrganizationsOp::AttachPolicy {
            policy: Ref::Id("p-1".into()),
            target: Ref::Id("r-root".into()),
        }),
    )
    .depends_on(vec![Address::new("scp", "scp.typo")]);
    plan.add(attach);
    let err = super::finish(plan, crate::diag::Diagnostics::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plinth made an inconsistent plan") && err.contains("scp.typo"),
        "{err}"
    );
}
