//! deploy/iam's policies list exactly the actions plinth calls. Every scenario here runs
//! with the call counter; each call must be allowed by the policy of its phase (plan:
//! read-only; apply), and each action the apply policy allows must be one plinth calls,
//! or one AWS checks behind a call (listed in `BEHIND_CALLS`).

use crate::support;

use std::collections::BTreeSet;

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_organizations::types::PolicyType;
use plinth::aws::counter::iam_action;
use plinth::aws::{Aws, Counts};
use plinth::engine::Session;
use plinth::lock::LockOptions;
use plinth::plan::PlanOptions;

/// Allowed in the apply policy though these scenarios cannot make them as calls of their own.
const BEHIND_CALLS: &[(&str, &str)] = &[
    (
        "organizations:DescribeCreateAccountStatus",
        "polled while AWS creates an account; the emulator finishes at once (tests/organizations_adapter.rs polls it)",
    ),
    ("organizations:TagResource", "CreatePolicy and CreateAccount with tags"),
    ("cloudwatch:TagResource", "PutMetricAlarm with tags"),
    ("sns:TagResource", "CreateTopic with tags"),
    ("cloudtrail:AddTags", "CreateTrail with tags"),
    ("logs:TagResource", "CreateLogGroup with tags"),
    ("iam:TagRole", "CreateRole with tags"),
    (
        "iam:PassRole",
        "CreateTrail and UpdateTrail pass the log role to CloudTrail",
    ),
    ("dynamodb:TagResource", "CreateTable with tags"),
    (
        "dynamodb:UpdateItem",
        "the lock's renewal, every quarter lease (15 s) of a long apply",
    ),
    ("sso:TagResource", "CreatePermissionSet with tags"),
    (
        "budgets:TagResource",
        "CreateBudget with tags, and adopting an untagged budget (tests/budget.rs)",
    ),
    ("s3:TagResource", "CreateBucket with tags"),
    (
        "s3:PutBucketTagging",
        "adopting an untagged trail bucket (tests/adopt.rs; these scenarios adopt nothing)",
    ),
    (
        "organizations:DescribeAccount",
        "checks the e-mail of the account a CreateAccount whose answer was lost made; the emulator loses no answers here (tests/faults.rs does)",
    ),
    (
        "sso:DescribeAccountAssignmentCreationStatus",
        "polled while AWS creates an assignment; the emulator finishes at once (tests/sso_adapter.rs polls it)",
    ),
    (
        "sso:DescribeAccountAssignmentDeletionStatus",
        "polled while AWS deletes an assignment; the emulator finishes at once (tests/sso_adapter.rs polls it)",
    ),
    (
        "sso:DescribePermissionSetProvisioningStatus",
        "polled while AWS provisions a permission set; the emulator finishes at once (tests/sso_adapter.rs polls it)",
    ),
    (
        "iam:AttachRolePolicy",
        "IAM Identity Center creates its roles in the management account with the caller's permissions",
    ),
    (
        "iam:DeleteRole",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:DeleteRolePolicy",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:DetachRolePolicy",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:ListAttachedRolePolicies",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:ListRolePolicies",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:UpdateRole",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:UpdateRoleDescription",
        "IAM Identity Center's roles in the management account",
    ),
    (
        "iam:GetSAMLProvider",
        "IAM Identity Center's SAML provider in the management account",
    ),
    (
        "iam:CreateSAMLProvider",
        "IAM Identity Center's SAML provider in the management account",
    ),
    (
        "iam:UpdateSAMLProvider",
        "IAM Identity Center's SAML provider in the management account",
    ),
];

pub(crate) const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[[account]]
name = "payments"
email = "aws+payments@example.com"
ou = "Workloads/Prod"

[[account]]
name = "sandbox"
email = "sandbox@example.com"
ou = "Security"

[scp.region_deny]
allowed_regions = ["us-east-1", "eu-west-1"]
attach = ["root"]

[scp.cloudtrail_protection]
attach = ["root"]

[[scp.custom]]
name = "deny-s3-delete"
file = "policies/deny.json"
attach = ["ou:Workloads/Prod", "account:sandbox"]

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"
cloudwatch_logs = true
root_usage_alarm = true

[billing]
notify = ["finance@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000

[[billing.alarm]]
name = "sandbox"
account = "sandbox"
threshold_usd = 50

[[budget]]
name = "org-monthly"
amount_usd = 10000
forecast_alert_percent = 100
notify = ["finance@example.com"]

[[budget]]
name = "sandbox"
account = "sandbox"
amount_usd = 50
actual_alert_percent = 80
notify = ["finance@example.com", "billing"]

[root_access]
credentials_management = true
root_sessions = true
remove_root_credentials = true

[contacts.security]
name = "Security Team"
title = "Security"
email = "security@example.com"
phone = "+1-555-0100"

[[sso.permission_set]]
name = "PowerUser"
session_duration = "PT8H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]
customer_managed_policies = [{ name = "deny-billing" }]
inline_policy_file = "policies/inline.json"
permissions_boundary = { name = "boundary" }

[[sso.permission_set]]
name = "ReadOnly"
managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

[[sso.assignment]]
permission_set = "PowerUser"
groups = ["developers"]
users = ["alice"]
targets = ["ou:Workloads"]

[[sso.assignment]]
permission_set = "ReadOnly"
groups = ["developers"]
targets = ["account:sandbox"]
"#;
pub(crate) const INLINE: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"billing:*","Resource":"*"}]}"#;
pub(crate) const DENY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;

fn policy_actions(file: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/iam")
        .join(file);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
        })
        .collect()
}

/// Calls made in a member account's `sts:AssumeRoot` session: AWS's root-task policy
/// (`IAMAuditRootUserCredentials`, `IAMDeleteRootUserCredentials`) allows them, not
/// plinth's policies.
const ROOT_SESSION_CALLS: &[&str] = &[
    "IAM.GetLoginProfile",
    "IAM.ListAccessKeys",
    "IAM.ListSigningCertificates",
    "IAM.ListMFADevices",
    "IAM.DeleteLoginProfile",
    "IAM.DeleteAccessKey",
    "IAM.DeleteSigningCertificate",
    "IAM.DeactivateMFADevice",
];

/// The IAM actions of the calls plinth made with its own role (not in member accounts,
/// not in root sessions).
fn actions(counts: &Counts) -> BTreeSet<String> {
    counts
        .calls
        .iter()
        .filter(|(k, n)| **n > counts.member_calls.get(*k).copied().unwrap_or(0))
        .map(|(k, _)| k)
        .filter(|k| !ROOT_SESSION_CALLS.contains(&k.as_str()))
        .map(|k| iam_action(k).unwrap_or_else(|| panic!("no IAM action for {k}")))
        .collect()
}

/// The IAM actions of the calls plinth made in member accounts, through their role.
fn member_actions(counts: &Counts) -> BTreeSet<String> {
    counts
        .member_calls
        .keys()
        .map(|k| iam_action(k).unwrap_or_else(|| panic!("no IAM action for {k}")))
        .collect()
}

/// The log archive: its access logs bucket made by hand (adopted), its trail bucket made
/// through the member role, versioned, then given Object Lock, then repaired after a
/// hand change there.
async fn log_archive_runs(emu: &Emulator, reads: &mut Vec<Counts>, applies: &mut Vec<Counts>) {
    let org = emu.organizations().await;
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let archive = support::create_account_in(&org, "log-archive", &root, &root).await;
    let management = session(emu).await.aws;
    let inside = plinth::aws::member::MemberSessions::new(&management, plinth::aws::member::DEFAULT_ROLE, None)
        .aws(&archive)
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&inside.sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("example-org-archive-access")
        .send()
        .await
        .unwrap();
    let baseline = |lock: &str| {
        format!(
            "[organization]\nmanagement_account_id = \"123456789012\"\n\n\
             [trail]\nname = \"org-trail\"\nbucket = \"example-org-archive-logs\"\n\n\
             [log_archive]\naccount = \"{archive}\"\n{lock}\
             lifecycle = {{ expiration_days = 400 }}\naccess_logs_bucket = \"example-org-archive-access\"\n"
        )
    };
    let b = TempBaseline::new(&baseline(""), &[]);
    Box::pin(plan_then_apply(emu, &b, PlanOptions::default(), reads, applies)).await;
    b.rewrite(&baseline("object_lock = { mode = \"GOVERNANCE\", days = 30 }\n"));
    Box::pin(plan_then_apply(emu, &b, PlanOptions::default(), reads, applies)).await;
    s3.delete_bucket_lifecycle()
        .bucket("example-org-archive-logs")
        .send()
        .await
        .unwrap();
    Box::pin(plan_then_apply(emu, &b, PlanOptions::default(), reads, applies)).await;
    // Converged: the last plan is empty, so nothing is applied.
    let before = applies.len();
    Box::pin(plan_then_apply(emu, &b, PlanOptions::default(), reads, applies)).await;
    assert_eq!(applies.len(), before, "the log archive did not converge");
}

async fn session(emu: &Emulator) -> Session {
    Session::new(Aws::from_sdk(emu.sdk_config().await))
}

/// Plan (read-only phase), then apply under the lock (apply phase).
async fn plan_then_apply(
    emu: &Emulator,
    b: &TempBaseline,
    options: PlanOptions,
    reads: &mut Vec<Counts>,
    applies: &mut Vec<Counts>,
) {
    let baseline = b.load();
    let s = session(emu).await;
    let (observed, plan) = s
        .observe_and_plan(&baseline, options)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    reads.push(s.aws.counter.snapshot());
    if plan.is_empty() {
        return;
    }
    let s = session(emu).await;
    let report = s
        .apply_locked(
            &baseline,
            options,
            &observed.org.organization_id,
            LockOptions::default(),
            |_, fresh| Ok(fresh),
        )
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(report.is_success(), "{report:#?}");
    applies.push(s.aws.counter.snapshot());
}

#[tokio::test]
async fn the_policies_allow_exactly_what_plinth_calls() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ic = support::IdentityCenter::of(&emu).await;
    // A directory larger than one listing page, with the baseline's names past the first
    // page: plinth lists one page, then looks the rest up by name (GetGroupId, GetUserId).
    for n in 0..100 {
        ic.create_group(&format!("team-{n:03}")).await;
        ic.create_user(&format!("user-{n:03}")).await;
    }
    let developers = ic.create_group("developers").await;
    ic.create_user("alice").await;
    // A member account's root user with one of each credential, for the audit and deletes.
    let sandbox = org
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts()
        .iter()
        .find(|a| a.name() == Some("sandbox"))
        .and_then(|a| a.id())
        .unwrap()
        .to_owned();
    emu.root_credentials(&serde_json::json!({"credentials": {sandbox: {
        "password": true, "access_keys": ["AKIAROOT1"], "signing_certificates": ["CERT1"], "mfa_devices": ["MFA1"]
    }}}));
    let b = TempBaseline::new(
        BASELINE,
        &[("policies/deny.json", DENY), ("policies/inline.json", INLINE)],
    );
    let (mut reads, mut applies) = (Vec::new(), Vec::new());

    // From scratch, then converged.
    plan_then_apply(&emu, &b, PlanOptions::default(), &mut reads, &mut applies).await;
    plan_then_apply(&emu, &b, PlanOptions::default(), &mut reads, &mut applies).await;

    // Drift of every kind that needs its own call to repair.
    let conf = emu.sdk_config().await;
    let iam = aws_sdk_iam::Client::new(&conf);
    iam.update_assume_role_policy()
        .role_name("plinth-cloudtrail-logs-org-trail")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    // The log role's permissions boundary taken away: plinth puts it back.
    iam.delete_role_permissions_boundary()
        .role_name("plinth-cloudtrail-logs-org-trail")
        .send()
        .await
        .unwrap();
    let live = support::live_scp(&org, "deny-s3-delete").await.unwrap();
    org.update_policy()
        .policy_id(&live.id)
        .content(DENY.replace("DeleteBucket", "DeleteObject"))
        .send()
        .await
        .unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    org.disable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&conf);
    cloudtrail.stop_logging().name("org-trail").send().await.unwrap();
    cloudtrail
        .update_trail()
        .name("org-trail")
        .is_multi_region_trail(false)
        .send()
        .await
        .unwrap();
    aws_sdk_sns::Client::new(&conf)
        .set_topic_attributes()
        .topic_arn("arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts")
        .attribute_name("Policy")
        .attribute_value(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();

    // Budgets: the amount, an alert missing, an extra alert, a recipient missing, a stranger.
    budget_drift(&conf).await;

    // IAM Identity Center: every kind of permission set drift, and an extra assignment.
    let ps = ic.permission_set("PowerUser").await.unwrap();
    let inst = ic.instance_arn.as_str();
    let a = &ic.admin;
    a.update_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .session_duration("PT2H")
        .send()
        .await
        .unwrap();
    a.attach_managed_policy_to_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    a.detach_managed_policy_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
        .send()
        .await
        .unwrap();
    a.detach_customer_managed_policy_reference_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .customer_managed_policy_reference(
            aws_sdk_ssoadmin::types::CustomerManagedPolicyReference::builder()
                .name("deny-billing")
                .path("/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    a.put_inline_policy_to_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .inline_policy(DENY)
        .send()
        .await
        .unwrap();
    a.delete_permissions_boundary_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .send()
        .await
        .unwrap();
    a.create_account_assignment()
        .instance_arn(inst)
        .permission_set_arn(&ps)
        .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
        .target_id("123456789012")
        .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
        .principal_id(&developers)
        .send()
        .await
        .unwrap();

    // Another run holds the lock: this one reads who, and gives up at once.
    let organization_id = org
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let other = Aws::from_sdk(conf.clone()).dynamodb_us_east_1();
    let held = plinth::lock::acquire(&other, &organization_id, LockOptions::default())
        .await
        .unwrap();
    let s = session(&emu).await;
    let fail_fast = LockOptions {
        timeout: std::time::Duration::ZERO,
        ..LockOptions::default()
    };
    let refused = s
        .apply_locked(
            &b.load(),
            PlanOptions::default(),
            &organization_id,
            fail_fast,
            |_, fresh| Ok(fresh),
        )
        .await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("another plinth run is applying changes")
    );
    applies.push(s.aws.counter.snapshot());
    held.release().await;

    plan_then_apply(&emu, &b, PlanOptions::default(), &mut reads, &mut applies).await;

    // Orphans deleted: the custom SCP, the sandbox alarm and the ReadOnly permission set
    // leave the baseline; PowerUser loses its inline policy, boundary and customer managed policy.
    let without_read_only = BASELINE
        .split("\n[[sso.permission_set]]\nname = \"ReadOnly\"")
        .next()
        .unwrap()
        .to_owned()
        + "\n[[sso.assignment]]\npermission_set = \"PowerUser\"\ngroups = [\"developers\"]\nusers = [\"alice\"]\ntargets = [\"ou:Workloads\"]\n";
    b.rewrite(&without_read_only.replace("[[scp.custom]]\nname = \"deny-s3-delete\"\nfile = \"policies/deny.json\"\nattach = [\"ou:Workloads/Prod\", \"account:sandbox\"]\n", "")
        .replace("\n[[billing.alarm]]\nname = \"sandbox\"\naccount = \"sandbox\"\nthreshold_usd = 50\n", "")
        .replace("\n[[budget]]\nname = \"sandbox\"\naccount = \"sandbox\"\namount_usd = 50\nactual_alert_percent = 80\nnotify = [\"finance@example.com\", \"billing\"]\n", "")
        .replace("customer_managed_policies = [{ name = \"deny-billing\" }]\ninline_policy_file = \"policies/inline.json\"\npermissions_boundary = { name = \"boundary\" }\n", ""));
    plan_then_apply(&emu, &b, PlanOptions { allow_delete: true }, &mut reads, &mut applies).await;

    // reconcile's drift notification.
    let s = session(&emu).await;
    s.notify(
        "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts",
        "drift",
        "{}",
    )
    .await
    .unwrap();
    applies.push(s.aws.counter.snapshot());

    // A baseline that needs no OU's accounts: accounts are listed, and the declared ones
    // placed one by one (ListParents).
    b.rewrite(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n\
         [[account]]\nname = \"sandbox\"\nemail = \"sandbox@example.com\"\nou = \"Security\"\n",
    );
    let s = session(&emu).await;
    s.plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    reads.push(s.aws.counter.snapshot());

    // `plinth import` reads with the plan policy.
    let s = session(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    crate::support::import_into(&s, dir.path()).await;
    reads.push(s.aws.counter.snapshot());

    // `plinth report` too, with a management policy type enabled: each account's
    // effective policy of it (`DescribeEffectivePolicy`).
    org.enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let s = session(&emu).await;
    plinth::report::read(&s, &plinth::types::Region::us_east_1())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    reads.push(s.aws.counter.snapshot());

    Box::pin(log_archive_runs(&emu, &mut reads, &mut applies)).await;

    // What plinth does in the log archive account is its member role's, whose policy
    // `plinth iam-policy log-archive` prints: exactly those calls (and what AWS checks
    // behind `CreateBucket` with tags).
    let member_policy = policy_actions("plinth-log-archive.json");
    let member_calls: BTreeSet<String> = reads.iter().chain(&applies).flat_map(member_actions).collect();
    let not_allowed: Vec<&String> = member_calls.difference(&member_policy).collect();
    assert!(
        not_allowed.is_empty(),
        "log archive calls its role's policy does not allow: {not_allowed:?}"
    );
    let unused: Vec<&String> = member_policy
        .iter()
        .filter(|a| !member_calls.contains(*a) && a.as_str() != "s3:TagResource")
        .collect();
    assert!(
        unused.is_empty(),
        "the log archive policy allows actions plinth never calls there: {unused:?}"
    );

    let plan_policy = policy_actions("plinth-plan.json");
    let apply_policy = policy_actions("plinth-apply.json");
    let read_calls: BTreeSet<String> = reads.iter().flat_map(actions).collect();
    let apply_calls: BTreeSet<String> = applies.iter().flat_map(actions).collect();

    let not_in_plan: Vec<&String> = read_calls.difference(&plan_policy).collect();
    assert!(
        not_in_plan.is_empty(),
        "plan calls the read-only policy does not allow: {not_in_plan:?}"
    );
    let not_in_apply: Vec<&String> = apply_calls
        .union(&read_calls)
        .filter(|a| !apply_policy.contains(*a))
        .collect();
    assert!(
        not_in_apply.is_empty(),
        "apply calls the apply policy does not allow: {not_in_apply:?}"
    );

    let behind: BTreeSet<String> = BEHIND_CALLS.iter().map(|(a, _)| a.to_string()).collect();
    let unused_plan: Vec<&String> = plan_policy.difference(&read_calls).collect();
    assert!(
        unused_plan.is_empty(),
        "the plan policy allows actions plinth never calls: {unused_plan:?}"
    );
    let called: BTreeSet<String> = apply_calls.union(&read_calls).cloned().chain(behind).collect();
    let unused_apply: Vec<&String> = apply_policy.difference(&called).collect();
    assert!(
        unused_apply.is_empty(),
        "the apply policy allows actions plinth never calls: {unused_apply:?}"
    );
}

/// The policies are the union of what the engine, the report and each kind of the
/// registry declare (`Kind::IAM`, `iam_policy::ENGINE`, `iam_policy::REPORT`): a kind
/// brings its own actions, and nothing else has to know them.
#[test]
fn the_policies_are_what_the_engine_and_the_kinds_declare() {
    let (plan, apply) = plinth::iam_policy::actions();
    let owned = |set: BTreeSet<&str>| set.into_iter().map(str::to_owned).collect::<BTreeSet<String>>();
    let (plan, apply) = (owned(plan), owned(apply));
    let diff = |declared: &BTreeSet<String>, file: &str| {
        let allowed = policy_actions(file);
        let missing: Vec<&String> = declared.difference(&allowed).collect();
        let extra: Vec<&String> = allowed.difference(declared).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "deploy/iam/{file}: declared but not allowed {missing:?}; allowed but declared by no kind {extra:?}"
        );
    };
    diff(&plan, "plinth-plan.json");
    diff(&apply, "plinth-apply.json");
    // Every action AWS checks behind a call is declared by some kind or the engine.
    for (action, why) in BEHIND_CALLS {
        assert!(apply.contains(*action), "{action} ({why}) is declared by no kind");
    }
}

/// Every kind of budget drift that needs its own call to repair.
async fn budget_drift(conf: &aws_types::SdkConfig) {
    use aws_sdk_budgets::types::{
        Budget, BudgetType, ComparisonOperator, Notification, NotificationType, Spend, Subscriber, SubscriptionType,
        ThresholdType, TimeUnit,
    };
    let budgets = aws_sdk_budgets::Client::new(conf);
    let account = "123456789012";
    let alert = |kind, threshold| {
        Notification::builder()
            .notification_type(kind)
            .comparison_operator(ComparisonOperator::GreaterThan)
            .threshold(threshold)
            .threshold_type(ThresholdType::Percentage)
            .build()
            .unwrap()
    };
    let email = |address: &str| {
        Subscriber::builder()
            .subscription_type(SubscriptionType::Email)
            .address(address)
            .build()
            .unwrap()
    };
    budgets
        .update_budget()
        .account_id(account)
        .new_budget(
            Budget::builder()
                .budget_name("plinth-org-monthly")
                .budget_limit(Spend::builder().amount("99").unit("USD").build().unwrap())
                .time_unit(TimeUnit::Monthly)
                .budget_type(BudgetType::Cost)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    budgets
        .delete_notification()
        .account_id(account)
        .budget_name("plinth-org-monthly")
        .notification(alert(NotificationType::Forecasted, 100.0))
        .send()
        .await
        .unwrap();
    budgets
        .create_notification()
        .account_id(account)
        .budget_name("plinth-org-monthly")
        .notification(alert(NotificationType::Actual, 50.0))
        .subscribers(email("stranger@example.com"))
        .send()
        .await
        .unwrap();
    let sandbox_alert = alert(NotificationType::Actual, 80.0);
    budgets
        .create_subscriber()
        .account_id(account)
        .budget_name("plinth-sandbox")
        .notification(sandbox_alert.clone())
        .subscriber(email("stranger@example.com"))
        .send()
        .await
        .unwrap();
    budgets
        .delete_subscriber()
        .account_id(account)
        .budget_name("plinth-sandbox")
        .notification(sandbox_alert)
        .subscriber(email("finance@example.com"))
        .send()
        .await
        .unwrap();
}
