//! Another tool's policy that also carries `managed-by=plinth` (added by anyone who may
//! tag it) is never plinth's: not updated, detached or deleted, even with
//! `--allow-delete`; the plan says why. Its ownership comes from its name and tags
//! through `observed::ownership`, the rule every adapter applies.

use serde_json::json;

use super::world::{CASES, baseline, converged, org, plan, policy, set};
use crate::kinds::{Observed, compute};
use crate::observed::{Scp, ownership};
use crate::plan::{Op, OrganizationsOp, Plan, PlanOptions};

/// A customer managed policy named `name` with these tags, read as an adapter reads it.
fn live(id: &str, name: &str, tags: &[(&str, &str)], targets: &[&str]) -> Scp {
    let mut p = policy(id, name, &json!({"Version": "2012-10-17", "Statement": []}), false);
    let o = ownership(name, tags.iter().copied());
    p.owned = o.owned;
    p.managed_by = o.managed_by;
    p.targets = targets.iter().map(|t| t.to_string()).collect();
    p
}

/// Every change that would write to policy `id`.
fn touching<'a>(plan: &'a Plan, id: &str) -> Vec<&'a str> {
    plan.changes
        .iter()
        .filter(|c| match &c.op {
            Op::Organizations(
                OrganizationsOp::UpdatePolicy { policy_id, .. }
                | OrganizationsOp::DeletePolicy { policy_id }
                | OrganizationsOp::DetachPolicy { policy_id, .. },
            ) => policy_id == id,
            Op::Organizations(OrganizationsOp::TagResource { resource_id }) => resource_id == id,
            _ => false,
        })
        .map(|c| c.address.as_str())
        .collect()
}

/// The SCP world: the type enabled, `FullAWSAccess` everywhere, and `extra` attached where it says.
fn scps(extra: Vec<Scp>) -> Observed {
    let mut o = org();
    o.org.scp_enabled = true;
    let mut full = policy("p-FullAWSAccess", "FullAWSAccess", &json!({}), false);
    full.aws_managed = true;
    for t in ["r-root", "ou-w", "123456789012", "222222222222"] {
        o.org.attached.insert(t.into(), vec![full.id.clone()]);
        full.targets.push(t.into());
    }
    o.org.scps.push(full);
    for p in extra {
        for t in &p.targets {
            o.org.attached.entry(t.clone()).or_default().push(p.id.clone());
        }
        o.org.scps.push(p);
    }
    o
}

const SIGNS: [(&str, &[(&str, &str)]); 3] = [
    ("aws-guardrails-XYZ", &[("managed-by", "plinth")]),
    (
        "stack-guardrail",
        &[
            ("managed-by", "plinth"),
            ("aws:cloudformation:stack-name", "guardrails"),
        ],
    ),
    (
        "lza-guardrail",
        &[("managed-by", "plinth"), ("Accelerator", "AWSAccelerator")],
    ),
];

#[test]
fn another_tools_scp_with_plinths_tag_dropped_from_the_baseline_is_never_detached_or_deleted() {
    let b = baseline("[scp.deny_leave_organization]\nattach = [\"root\"]\n");
    for (name, tags) in SIGNS {
        let o = scps(vec![live("p-other", name, tags, &["ou-w"])]);
        for allow_delete in [false, true] {
            let p = plan(&b, &o, allow_delete);
            assert_eq!(touching(&p, "p-other"), Vec::<&str>::new(), "{name}: {:#?}", p.changes);
            assert!(
                p.orphans.iter().all(|o| !o.reason.contains(name)),
                "{name}: {:?}",
                p.orphans
            );
            let why = p
                .warnings
                .iter()
                .find(|w| w.contains(&format!("SCP `{name}` (p-other) carries `managed-by=plinth`, but ")))
                .unwrap_or_else(|| panic!("{name}: {:?}", p.warnings));
            assert!(
                why.contains("plinth ignores the tag and never changes, detaches or deletes it"),
                "{why}"
            );
        }
    }
    // Plinth's own tag alone, for contrast: an orphan, deleted with `--allow-delete`.
    let o = scps(vec![live(
        "p-mine",
        "plinth-old",
        &[("managed-by", "plinth")],
        &["ou-w"],
    )]);
    assert_eq!(
        touching(&plan(&b, &o, true), "p-mine"),
        ["scp.orphan.plinth-old -> ou:Workloads", "scp.orphan.plinth-old"]
    );
}

#[test]
fn another_tools_scp_with_plinths_tag_under_a_declared_name_is_an_error_not_an_update() {
    let b = baseline("[scp.deny_leave_organization]\nattach = [\"root\"]\n");
    let name = plan(&b, &org(), false)
        .changes
        .iter()
        .find_map(|c| match &c.op {
            Op::Organizations(OrganizationsOp::CreatePolicy { name, .. }) => Some(name.clone()),
            _ => None,
        })
        .unwrap();
    // Its document differs from the baseline's, and it sits on an OU the baseline does not name.
    let tags = [
        ("managed-by", "plinth"),
        ("aws:cloudformation:stack-name", "guardrails"),
    ];
    let o = scps(vec![live("p-other", &name, &tags, &["ou-w"])]);
    for allow_delete in [false, true] {
        let err = crate::kinds::tests::blocked_text(compute(&b, &o, PlanOptions { allow_delete }));
        assert!(
            err.contains(&format!(
                "error: an SCP named `{name}` (p-other) exists and plinth does not manage it"
            )),
            "{err}"
        );
        assert!(
            err.contains("it is managed by CloudFormation stack `guardrails` (tag `aws:cloudformation:stack-name`)"),
            "{err}"
        );
        assert!(
            err.contains("it also carries `managed-by=plinth`, which does not make it plinth's"),
            "{err}"
        );
    }
}

#[test]
fn every_policy_type_leaves_another_tools_policy_with_plinths_tag_alone() {
    for case in &CASES {
        let (b, mut o) = converged(case);
        set(&mut o, case.policy_type).policies.push(live(
            "p-other",
            "aws-guardrails-XYZ",
            &[("managed-by", "plinth")],
            &["ou-w"],
        ));
        set(&mut o, case.policy_type)
            .attached
            .entry("ou-w".into())
            .or_default()
            .push("p-other".into());
        let p = plan(&b, &o, true);
        assert_eq!(touching(&p, "p-other"), Vec::<&str>::new(), "{}", case.kind);
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("`aws-guardrails-XYZ` (p-other) carries `managed-by=plinth`")),
            "{}: {:?}",
            case.kind,
            p.warnings
        );
    }
}
