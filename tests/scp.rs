//! Service control policies end to end: the real SDK clients against the emulator,
//! fresh state per test.

use crate::support;

use crate::support::{Emulator, TempBaseline, live_scp, seed};
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, Tag};
use plinth::apply::Status;
use plinth::plan::{Action, PlanOptions};
use plinth::policy::normalize;
use serde_json::Value;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.region_deny]
allowed_regions = ["us-east-1", "eu-west-1"]
exempt_principals = ["arn:aws:iam::*:role/BreakGlass"]
attach = ["root"]

[scp.deny_leave_organization]
attach = ["root"]

[[scp.custom]]
name = "deny-iam-users"
file = "policies/deny-iam-users.json"
attach = ["ou:Workloads/Prod", "account:sandbox"]
"#;

const DENY_IAM_USERS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "DenyUsers", "Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}]
}"#;

fn baseline() -> TempBaseline {
    TempBaseline::new(BASELINE, &[("policies/deny-iam-users.json", DENY_IAM_USERS)])
}

fn opts() -> PlanOptions {
    PlanOptions::default()
}

/// Apply the baseline and assert every change succeeded.
async fn converge(emu: &Emulator, b: &TempBaseline, options: PlanOptions) {
    let session = emu.session().await;
    let plan = session.plan(&b.load(), options).await.unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
}

/// Plan with a fresh session; assert it is empty and made no write call.
async fn assert_converged(emu: &Emulator, b: &TempBaseline) {
    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.is_empty(), "expected an empty plan, got {:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "writes: {:?}", calls.write_calls());
}

/// A fresh emulator with a seeded organization that has the baseline applied.
struct World {
    emu: Emulator,
    org: aws_sdk_organizations::Client,
    seeded: support::Seeded,
    b: TempBaseline,
}

async fn converged_world() -> World {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let b = baseline();
    converge(&emu, &b, opts()).await;
    World { emu, org, seeded, b }
}

/// Overwrite an SCP's content out of band, as someone in the console would.
async fn overwrite(org: &aws_sdk_organizations::Client, policy_id: &str, content: &str) {
    org.update_policy()
        .policy_id(policy_id)
        .content(content)
        .send()
        .await
        .unwrap();
}

fn addresses(plan: &plinth::plan::Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

#[tokio::test]
async fn apply_from_scratch_then_a_second_run_makes_zero_writes() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let b = baseline();

    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        addresses(&plan),
        [
            "+ organizational_units.Workloads/Prod",
            "+ scp.policy_type",
            "+ scp.region_deny",
            "+ scp.deny_leave_organization",
            "+ scp.custom.deny-iam-users",
            "+ scp.region_deny -> root",
            "+ scp.deny_leave_organization -> root",
            "+ scp.custom.deny-iam-users -> ou:Workloads/Prod",
            "+ scp.custom.deny-iam-users -> account:sandbox",
        ]
    );
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.get("Organizations.CreatePolicy"), 3);
    assert_eq!(calls.get("Organizations.AttachPolicy"), 4);
    assert_eq!(calls.get("Organizations.EnablePolicyType"), 1);
    assert_eq!(calls.get("Organizations.CreateOrganizationalUnit"), 1);

    // What is live now is what the baseline says, owned by plinth.
    let region = live_scp(&org, "plinth-region-deny").await.expect("region deny exists");
    assert!(region.owned);
    assert_eq!(region.targets, std::slice::from_ref(&seeded.root_id));
    let doc: Value = serde_json::from_str(&region.content).unwrap();
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"],
        serde_json::json!(["eu-west-1", "us-east-1"])
    );
    assert!(!region.content.contains('\n'), "generated policies are minified");
    let custom = live_scp(&org, "deny-iam-users").await.expect("custom exists");
    let file_doc: Value = serde_json::from_str(DENY_IAM_USERS).unwrap();
    assert!(normalize::equivalent(
        &serde_json::from_str(&custom.content).unwrap(),
        &file_doc
    ));
    assert_eq!(custom.targets.len(), 2);
    assert!(custom.targets.contains(&seeded.sandbox_account));

    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn content_edited_out_of_band_is_shown_per_statement_and_repaired() {
    let World { emu, org, b, .. } = converged_world().await;

    let live = live_scp(&org, "plinth-deny-leave-organization").await.unwrap();
    let tampered = r#"{"Version":"2012-10-17","Statement":[{"Sid":"PlinthDenyLeaveOrganization","Effect":"Allow","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;
    overwrite(&org, &live.id, tampered).await;

    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert_eq!(addresses(&plan), ["~ scp.deny_leave_organization"]);
    let change = &plan.changes[0];
    assert_eq!(change.statement_diff.len(), 1, "{:#?}", change.statement_diff);
    let text = plinth::render::text::plan(&plan);
    assert!(text.contains("~ statement PlinthDenyLeaveOrganization"), "{text}");
    assert!(
        text.contains("-   \"Effect\": \"Allow\"") && text.contains("+   \"Effect\": \"Deny\""),
        "{text}"
    );

    assert!(session.apply(&plan).await.is_success());
    assert_eq!(session.aws.counter.snapshot().get("Organizations.UpdatePolicy"), 1);
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn reformatted_content_is_not_drift() {
    let World { emu, org, b, .. } = converged_world().await;

    // Someone pretty-prints the policy and reorders keys: same meaning, no diff.
    let live = live_scp(&org, "plinth-deny-leave-organization").await.unwrap();
    let reformatted = "{\n  \"Statement\": {\n    \"Resource\": [\"*\"],\n    \"Effect\": \"Deny\",\n    \"Action\": [\"organizations:LeaveOrganization\"],\n    \"Sid\": \"PlinthDenyLeaveOrganization\"\n  },\n  \"Version\": \"2012-10-17\"\n}";
    overwrite(&org, &live.id, reformatted).await;
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn detached_policy_is_reattached() {
    let World { emu, org, seeded, b } = converged_world().await;

    let live = live_scp(&org, "plinth-region-deny").await.unwrap();
    org.detach_policy()
        .policy_id(&live.id)
        .target_id(&seeded.root_id)
        .send()
        .await
        .unwrap();
    // And attached somewhere the baseline does not say.
    org.attach_policy()
        .policy_id(&live.id)
        .target_id(&seeded.security_ou)
        .send()
        .await
        .unwrap();

    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert_eq!(
        addresses(&plan),
        ["+ scp.region_deny -> root", "- scp.region_deny -> ou:Security"]
    );
    assert!(session.apply(&plan).await.is_success());
    assert_eq!(
        live_scp(&org, "plinth-region-deny").await.unwrap().targets,
        [seeded.root_id]
    );
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn deleted_policy_is_recreated_and_reattached() {
    let World { emu, org, b, .. } = converged_world().await;

    let live = live_scp(&org, "deny-iam-users").await.unwrap();
    for t in &live.targets {
        org.detach_policy()
            .policy_id(&live.id)
            .target_id(t)
            .send()
            .await
            .unwrap();
    }
    org.delete_policy().policy_id(&live.id).send().await.unwrap();

    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert_eq!(
        addresses(&plan),
        [
            "+ scp.custom.deny-iam-users",
            "+ scp.custom.deny-iam-users -> ou:Workloads/Prod",
            "+ scp.custom.deny-iam-users -> account:sandbox",
        ]
    );
    assert!(session.apply(&plan).await.is_success());
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn disabled_policy_type_is_enabled_again() {
    let World { emu, org, seeded, b } = converged_world().await;

    org.disable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert_eq!(plan.changes[0].address, "scp.policy_type");
    assert_eq!(plan.changes[0].action, Action::Enable);
    assert!(session.apply(&plan).await.is_success());
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn policies_plinth_does_not_own_are_never_touched() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    // An organization that uses SCPs has the type enabled (the emulator, like AWS, refuses
    // an attachment before).
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    // The user's own SCP, attached where plinth attaches its own.
    let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#;
    let theirs = org
        .create_policy()
        .name("their-policy")
        .description("not plinth's")
        .content(content)
        .r#type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let theirs_id = theirs
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    org.attach_policy()
        .policy_id(&theirs_id)
        .target_id(&seeded.root_id)
        .send()
        .await
        .unwrap();

    let b = baseline();
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions { allow_delete: true })
        .await
        .unwrap();
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.address.as_str().contains("their-policy"))
    );
    assert!(session.apply(&plan).await.is_success());

    let after = live_scp(&org, "their-policy").await.expect("still there");
    assert_eq!(after.content, content);
    assert_eq!(after.targets, [seeded.root_id]);
    assert!(!after.owned);
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn a_same_named_policy_made_by_hand_is_adopted_and_one_of_another_tool_refused() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    org.create_policy()
        .name("deny-iam-users")
        .description("made by hand")
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#)
        .r#type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let b = baseline();
    // Adopted (tagged), then corrected: the update waits for the tag.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    let adopt = plan.find("scp.custom.deny-iam-users (adopt)").expect("an adopt change");
    assert_eq!(adopt.action, Action::Adopt);
    let update = plan.find("scp.custom.deny-iam-users").unwrap();
    assert_eq!(update.action, Action::Update);
    assert!(update.depends_on.contains(&adopt.address), "{:?}", update.depends_on);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    assert!(session.apply(&plan).await.is_success());
    assert!(live_scp(&org, "deny-iam-users").await.unwrap().owned);
    let plan = emu.session().await.plan(&b.load(), opts()).await.unwrap();
    assert!(plan.is_empty(), "{:?}", addresses(&plan));

    // One a CloudFormation stack made is refused, with no write.
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    org.create_policy()
        .name("deny-iam-users")
        .description("made by a stack")
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#)
        .r#type(PolicyType::ServiceControlPolicy)
        .tags(
            Tag::builder()
                .key("aws:cloudformation:stack-name")
                .value("guardrails")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let session = emu.session().await;
    let err = session.plan(&b.load(), opts()).await.unwrap_err().to_string();
    assert!(err.contains("an SCP named `deny-iam-users` (p-"), "{err}");
    assert!(
        err.contains("it is managed by CloudFormation stack `guardrails`"),
        "{err}"
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn orphaned_policy_is_deleted_only_with_allow_delete() {
    let World { emu, org, b, .. } = converged_world().await;

    // The custom policy leaves the baseline.
    let without_custom = BASELINE.split("[[scp.custom]]").next().unwrap();
    b.rewrite(without_custom);

    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert!(plan.is_empty(), "{:?}", addresses(&plan));
    assert_eq!(plan.orphans.len(), 1);
    assert_eq!(plan.orphans[0].address, "scp.orphan.deny-iam-users");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    assert!(live_scp(&org, "deny-iam-users").await.is_some());

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions { allow_delete: true })
        .await
        .unwrap();
    assert_eq!(
        addresses(&plan)
            .iter()
            .filter(|a| a.starts_with("- scp.orphan.deny-iam-users"))
            .count(),
        3,
        "two detaches and the delete: {:?}",
        addresses(&plan)
    );
    assert!(session.apply(&plan).await.is_success());
    assert!(live_scp(&org, "deny-iam-users").await.is_none());
    assert_converged(&emu, &b).await;
}

#[tokio::test]
async fn wrong_account_is_refused_before_any_organizations_call() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let b = TempBaseline::new(
        &BASELINE.replace("123456789012", "210987654321"),
        &[("policies/deny-iam-users.json", DENY_IAM_USERS)],
    );
    let session = emu.session().await;
    let err = session.plan(&b.load(), opts()).await.unwrap_err().to_string();
    assert!(
        err.contains(
            "the credentials belong to account 123456789012, but the baseline's management account is 210987654321"
        ),
        "{err}"
    );
    assert!(err.contains("baseline.toml:3:25"), "{err}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.total(), 1, "only GetCallerIdentity: {calls:?}");
}

#[tokio::test]
async fn no_organization_or_consolidated_billing_only_is_refused() {
    let emu = Emulator::start();
    let b = baseline();
    let err = emu
        .session()
        .await
        .plan(&b.load(), opts())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("account 123456789012 is not in an organization"), "{err}");

    let emu = Emulator::start();
    support::seed_with(&emu.organizations().await, OrganizationFeatureSet::ConsolidatedBilling).await;
    let session = emu.session().await;
    let err = session.plan(&b.load(), opts()).await.unwrap_err().to_string();
    assert!(err.contains("consolidated billing features only"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn a_failure_halfway_is_reported_and_a_rerun_converges() {
    let World { emu, org, b, .. } = converged_world().await;

    // Drift in two independent policies.
    let leave = live_scp(&org, "plinth-deny-leave-organization").await.unwrap();
    let deny_s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    overwrite(&org, &leave.id, deny_s3).await;
    let custom = live_scp(&org, "deny-iam-users").await.unwrap();
    overwrite(&org, &custom.id, deny_s3).await;
    let session = emu.session().await;
    let plan = session.plan(&b.load(), opts()).await.unwrap();
    assert_eq!(plan.changes.len(), 2);

    // Between plan and apply, one of them disappears.
    for t in &leave.targets {
        org.detach_policy()
            .policy_id(&leave.id)
            .target_id(t)
            .send()
            .await
            .unwrap();
    }
    org.delete_policy().policy_id(&leave.id).send().await.unwrap();

    let report = session.apply(&plan).await;
    assert_eq!(report.failed(), 1, "{report:#?}");
    assert_eq!(report.done(), 1, "the independent change still ran: {report:#?}");
    let failed = report
        .outcomes
        .iter()
        .find(|o| matches!(o.status, Status::Failed { .. }))
        .unwrap();
    assert_eq!(failed.address, "scp.deny_leave_organization");
    let Status::Failed { error } = &failed.status else {
        unreachable!()
    };
    assert!(
        error.starts_with("Organizations.UpdatePolicy: PolicyNotFoundException"),
        "{error}"
    );
    let text = plinth::render::text::report(&report);
    assert!(
        text.contains("Apply incomplete: 1 done, 1 failed, 0 skipped."),
        "{text}"
    );

    // A second run plans only what is still missing, and converges.
    converge(&emu, &b, opts()).await;
    assert_converged(&emu, &b).await;
}
