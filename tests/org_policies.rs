//! Organization policies beyond SCPs, end to end: resource control, AI services opt-out,
//! tag and EC2 declarative policies through the real SDK clients against the emulator
//! (whose shims refuse what AWS refuses: attachments of a type not enabled, oversized
//! documents, too many policies on a target, detaching RCPFullAWSAccess). For each type:
//! created and attached to the root, an OU and an account; converged with zero writes;
//! drift (content edited, detached, deleted) shown and repaired; an orphan kept, then
//! deleted with `--allow-delete`.

mod support;

use aws_sdk_organizations::types::PolicyType;
use plinth::plan::{Action, Plan, PlanOptions};
use serde_json::Value;
use support::{Emulator, TempBaseline, live_policy, seed};

const HEAD: &str = r#"
[organization]
management_account_id = "123456789012"
"#;

const TAGS: &str =
    r#"{"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]}}}}"#;

struct Case {
    kind: &'static str,
    policy_type: PolicyType,
    /// The section, attaching to `root`, `ou:Workloads` and `account:sandbox`.
    section: &'static str,
    /// The policy's name in AWS, and its address in a plan.
    name: &'static str,
    address: &'static str,
    /// A change by hand that means something else.
    edited: &'static str,
}

fn baseline(section: &str) -> TempBaseline {
    TempBaseline::new(&format!("{HEAD}{section}"), &[("policies/tags.json", TAGS)])
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

async fn scenario(case: Case) {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let b = baseline(case.section);
    let k = case.kind;

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
    println!("{k}: converged plan, {reads} reads, 0 writes");

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
    println!("{k}: after the delete, {after} reads");
}

#[tokio::test]
async fn resource_control_policies() {
    scenario(Case {
        kind: "rcp",
        policy_type: PolicyType::ResourceControlPolicy,
        section: "[rcp.enforce_tls]\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-rcp-enforce-tls",
        address: "rcp.enforce_tls",
        edited: r#"{"Version":"2012-10-17","Statement":[{"Sid":"EnforceSecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#,
    })
    .await;
}

#[tokio::test]
async fn ai_services_opt_out_policies() {
    scenario(Case {
        kind: "ai_opt_out",
        policy_type: PolicyType::AiservicesOptOutPolicy,
        section: "[ai_opt_out]\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-ai-opt-out",
        address: "ai_opt_out.policy",
        edited: r#"{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}"#,
    })
    .await;
}

#[tokio::test]
async fn tag_policies() {
    scenario(Case {
        kind: "tag_policy",
        policy_type: PolicyType::TagPolicy,
        section: "[[tag_policy]]\nname = \"cost-center\"\nfile = \"policies/tags.json\"\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "cost-center",
        address: "tag_policy.cost-center",
        edited: r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100"]}}}}"#,
    })
    .await;
}

#[tokio::test]
async fn ec2_declarative_policies() {
    scenario(Case {
        kind: "ec2_declarative",
        policy_type: PolicyType::DeclarativePolicyEc2,
        section: "[ec2_declarative]\nimds = \"required_v2\"\nimage_block_public_access = true\nsnapshot_block_public_access = \"block_all_sharing\"\nserial_console = false\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-ec2-declarative",
        address: "ec2_declarative.policy",
        edited: r#"{"ec2_attributes":{"serial_console_access":{"status":{"@@assign":"enabled"}}}}"#,
    })
    .await;
}

/// The emulator refuses what AWS refuses, so the scenarios above prove plinth orders its
/// calls and sizes its documents itself: an attachment before the type is enabled, a
/// document over the type's size, detaching RCPFullAWSAccess.
#[tokio::test]
async fn the_emulator_enforces_the_rules_plinth_checks_before_calling() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let created = org
        .create_policy()
        .name("early")
        .description("")
        .r#type(PolicyType::TagPolicy)
        .content(TAGS)
        .send()
        .await
        .unwrap();
    let id = created
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let early = org
        .attach_policy()
        .policy_id(&id)
        .target_id(&seeded.root_id)
        .send()
        .await;
    let code = early.unwrap_err().into_service_error().meta().code().map(str::to_owned);
    assert_eq!(code.as_deref(), Some("PolicyTypeNotEnabledException"));

    let huge: Value = serde_json::json!({"services": {"default": {"opt_out_policy": {"@@assign": "x".repeat(2_600)}}}});
    let too_big = org
        .create_policy()
        .name("huge")
        .description("")
        .r#type(PolicyType::AiservicesOptOutPolicy)
        .content(huge.to_string())
        .send()
        .await;
    let code = too_big
        .unwrap_err()
        .into_service_error()
        .meta()
        .code()
        .map(str::to_owned);
    assert_eq!(code.as_deref(), Some("ConstraintViolationException"));

    let detach = org
        .detach_policy()
        .policy_id("p-RCPFullAWSAccess")
        .target_id(&seeded.root_id)
        .send()
        .await;
    let code = detach
        .unwrap_err()
        .into_service_error()
        .meta()
        .code()
        .map(str::to_owned);
    assert_eq!(code.as_deref(), Some("ConstraintViolationException"));
}
