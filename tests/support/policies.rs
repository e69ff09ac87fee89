//! One scenario every organization policy kind beyond SCPs runs end to end (its own
//! `tests/<kind>.rs` gives the section): through the real SDK clients against the
//! emulator, whose shims refuse what AWS refuses (attachments of a type not enabled,
//! oversized documents, too many policies on a target, detaching RCPFullAWSAccess).
//! Created and attached to the root, an OU and an account; converged with zero writes;
//! drift (content edited, detached, deleted) shown and repaired; an orphan kept, then
//! deleted with `--allow-delete`.

use aws_sdk_organizations::types::PolicyType;
use plinth::plan::{Action, Plan, PlanOptions};

use super::{Emulator, TempBaseline, live_policy, seed};

const HEAD: &str = r#"
[organization]
management_account_id = "123456789012"
"#;

pub const TAGS: &str =
    r#"{"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]}}}}"#;

pub struct Case {
    pub kind: &'static str,
    pub policy_type: PolicyType,
    /// The section, attaching to `root`, `ou:Workloads` and `account:sandbox`.
    pub section: &'static str,
    /// The policy's name in AWS, and its address in a plan.
    pub name: &'static str,
    pub address: &'static str,
    /// A change by hand that means something else.
    pub edited: &'static str,
}

/// A backup policy in AWS's documented shape: resources tagged `backup=daily`, nightly.
pub const BACKUP: &str = r#"{"plans": {"nightly": {"regions": {"@@assign": ["us-east-1"]}, "rules": {"daily": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}, "target_backup_vault_name": {"@@assign": "Default"}}}, "selections": {"tags": {"tagged": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/backup"}, "tag_key": {"@@assign": "backup"}, "tag_value": {"@@assign": ["daily"]}}}}}}}"#;

/// A Security Hub policy as AWS's syntax page shows it: enabled in every Region.
pub const SECURITYHUB: &str = r#"{"securityhub": {"enable_in_regions": {"@@append": ["ALL_SUPPORTED"]}, "disable_in_regions": {"@@append": []}}}"#;

fn baseline(section: &str) -> TempBaseline {
    TempBaseline::new(
        &format!("{HEAD}{section}"),
        &[
            ("policies/tags.json", TAGS),
            ("policies/backup.json", BACKUP),
            ("policies/securityhub.json", SECURITYHUB),
        ],
    )
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

async fn plan(emu: &Emulator, b: &TempBaseline, allow_delete: bool) -> Plan {
    let session = emu.session().await;
    session
        .plan(&b.load(), PlanOptions { allow_delete })
        .await
        .unwrap_or_else(|d| panic!("{d}"))
}

async fn apply(emu: &Emulator, plan: &Plan) {
    let session = emu.session().await;
    let report = session.apply(plan).await;
    assert!(report.is_success(), "{report:#?}");
}

/// Plan with a fresh session: empty, no write call; the reads it made.
async fn assert_converged(emu: &Emulator, b: &TempBaseline) -> u64 {
    let session = emu.session().await;
    let p = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(p.is_empty(), "expected an empty plan, got {:#?}", lines(&p));
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "writes: {:?}", calls.write_calls());
    calls.reads()
}

pub async fn scenario(case: Case) {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let b = baseline(case.section);
    // Where the type's own addresses start: the kind (`tag_policy`), or the kind and the
    // type for a kind of several (`management_policy.backup`).
    let k = case.address.rsplit_once('.').map_or(case.kind, |(base, _)| base);

    // From scratch: the type (and its trusted access) enabled before anything is attached.
    let first = plan(&emu, &b, false).await;
    let mut want = vec![];
    if case.policy_type == PolicyType::DeclarativePolicyEc2 {
        want.push(format!("+ {k}.trusted_access"));
    }
    want.extend([
        format!("+ {k}.policy_type"),
        format!("+ {}", case.address),
        format!("+ {} -> root", case.address),
        format!("+ {} -> ou:Workloads", case.address),
        format!("+ {} -> account:sandbox", case.address),
    ]);
    assert_eq!(lines(&first), want, "{k}");
    apply(&emu, &first).await;
    let live = live_policy(&org, case.policy_type.clone(), case.name)
        .await
        .expect("created");
    assert!(live.owned, "{k}: created with plinth's tag");
    let mut targets = vec![
        seeded.root_id.clone(),
        seeded.workloads_ou.clone(),
        seeded.sandbox_account.clone(),
    ];
    targets.sort();
    assert_eq!(live.targets, targets, "{k}");
    let roots = org.list_roots().send().await.unwrap();
    let enabled = roots.roots()[0]
        .policy_types()
        .iter()
        .any(|t| t.r#type() == Some(&case.policy_type));
    assert!(enabled, "{k}: the type is enabled on the root");
    if case.policy_type == PolicyType::DeclarativePolicyEc2 {
        let access = org.list_aws_service_access_for_organization().send().await.unwrap();
        assert!(
            access
                .enabled_service_principals()
                .iter()
                .any(|p| p.service_principal() == Some("declarative-policies.ec2.amazonaws.com")),
            "{k}: trusted access"
        );
    }
    let reads = assert_converged(&emu, &b).await;
    eprintln!("{k}: converged plan, {reads} reads, 0 writes");

    // Drift: content edited and one attachment removed, by hand.
    org.update_policy()
        .policy_id(&live.id)
        .content(case.edited)
        .send()
        .await
        .unwrap();
    org.detach_policy()
        .policy_id(&live.id)
        .target_id(&seeded.sandbox_account)
        .send()
        .await
        .unwrap();
    let fix = plan(&emu, &b, false).await;
    assert_eq!(
        lines(&fix),
        [
            format!("~ {}", case.address),
            format!("+ {} -> account:sandbox", case.address)
        ],
        "{k}"
    );
    assert!(
        !fix.changes[0].statement_diff.is_empty(),
        "{k}: the update shows what differs"
    );
    apply(&emu, &fix).await;
    assert_converged(&emu, &b).await;

    // Deleted by hand: created and attached again.
    for t in &targets {
        org.detach_policy()
            .policy_id(&live.id)
            .target_id(t)
            .send()
            .await
            .unwrap();
    }
    org.delete_policy().policy_id(&live.id).send().await.unwrap();
    let again = plan(&emu, &b, false).await;
    let actions: Vec<Action> = again.changes.iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        [Action::Create, Action::Attach, Action::Attach, Action::Attach],
        "{k}"
    );
    apply(&emu, &again).await;
    assert_converged(&emu, &b).await;

    // Dropped from the baseline: kept as an orphan, deleted only with --allow-delete.
    let without = baseline("");
    if case.kind == "management_policy" {
        // No policy of the type left in the baseline: `[[management_policy]]` does not plan
        // the type at all; plinth's tag on the live policy only earns it a warning.
        let left = plan(&emu, &without, true).await;
        assert!(
            left.changes.is_empty() && left.orphans.is_empty(),
            "{k}: {:?}",
            lines(&left)
        );
        assert!(
            left.warnings.iter().any(|w| w.contains("left alone")),
            "{k}: {:?}",
            left.warnings
        );
        assert!(live_policy(&org, case.policy_type.clone(), case.name).await.is_some());
        return;
    }
    let kept = plan(&emu, &without, false).await;
    assert!(kept.changes.is_empty(), "{k}: {:?}", lines(&kept));
    assert_eq!(kept.orphans.len(), 1, "{k}");
    assert!(kept.orphans[0].reason.contains("--allow-delete"));
    let delete = plan(&emu, &without, true).await;
    let actions: Vec<Action> = delete.changes.iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        [Action::Detach, Action::Detach, Action::Detach, Action::Delete],
        "{k}"
    );
    apply(&emu, &delete).await;
    assert!(
        live_policy(&org, case.policy_type.clone(), case.name).await.is_none(),
        "{k}: deleted"
    );
    if case.policy_type == PolicyType::ResourceControlPolicy {
        // AWS's own RCP stays on every target.
        let on_root = org
            .list_policies_for_target()
            .target_id(&seeded.root_id)
            .filter(PolicyType::ResourceControlPolicy)
            .send()
            .await
            .unwrap();
        let names: Vec<&str> = on_root.policies().iter().filter_map(|p| p.name()).collect();
        assert_eq!(names, ["RCPFullAWSAccess"]);
    }
    let after = assert_converged(&emu, &without).await;
    eprintln!("{k}: after the delete, {after} reads");
}
