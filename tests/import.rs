//! `plinth import` on the emulator: what it writes loads, plans as adopt-only against an
//! organization made by hand, plans empty against one plinth made, and is the same bytes
//! every time.

use crate::support;

use std::path::Path;

use crate::support::{Emulator, example_baseline, import_into, seed_demo};
use plinth::plan::PlanOptions;

fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn what_plinth_made_imports_to_a_baseline_that_plans_empty() {
    let emu = Emulator::start();
    seed_demo(&emu);
    let b = example_baseline();
    // The root-usage alarm with its own recipients, which import reads back from its topic.
    let example = std::fs::read_to_string(&b.path).unwrap();
    b.rewrite(&example.replacen(
        "root_usage_alarm = true",
        "root_usage_alarm = true\nnotify = [\"security@example.com\"]",
        1,
    ));
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());

    let dir = tempfile::tempdir().unwrap();
    let session = emu.session().await;
    let report = import_into(&session, dir.path()).await;
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{calls:?}");
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    if std::env::var_os("PLINTH_SHOW_IMPORT").is_some() {
        eprintln!("{text}");
    }
    assert!(text.contains("[scp.region_deny]"), "{text}");
    assert!(
        text.contains("# recognised: plinth generates exactly this document"),
        "{text}"
    );
    assert!(
        text.contains("root_usage_alarm = true\nnotify = [\"security@example.com\"]"),
        "{text}"
    );
    // plinth's own values are defaults, left out; and import finds nothing plinth would impose.
    for default in ["topic_policy", "treat_missing_data", "log_file_validation"] {
        assert!(!text.contains(default), "{default} in\n{text}");
    }
    assert!(
        text.contains("threshold_usd = 300\n\n"),
        "an alarm's description in\n{text}"
    );
    assert!(
        !report.warnings.iter().any(|w| w.contains("plan will")),
        "{:?}",
        report.warnings
    );

    // Every policy kind of the example, recognised as plinth's or written with its file.
    for section in [
        "[rcp.enforce_tls]",
        "[rcp.org_only]\n# recognised: plinth generates exactly this document from these values\ntrusted_accounts = [\"999999999999\"]\nattach = [\"ou:Workloads\"]",
        "[ai_opt_out]\n# recognised: plinth generates exactly this document\nattach = [\"root\"]",
        "[[tag_policy]]\nname = \"cost-center\"\nfile = \"policies/tag/cost-center.json\"",
        "[ec2_declarative]\n# recognised: plinth generates exactly this document from these values\nimds = \"required_v2\"\nimage_block_public_access = true\nsnapshot_block_public_access = \"block_all_sharing\"\nserial_console = false\nallowed_images = { state = \"audit_mode\", providers = [\"amazon\", \"aws_marketplace\"] }\nattach = [\"root\"]",
        "[s3_policy]\n# recognised: plinth generates exactly this document\nblock_public_access = \"all\"\nattach = [\"root\"]",
        "[[management_policy]]\ntype = \"backup\"\nname = \"nightly-backups\"\nfile = \"policies/backup/nightly-backups.json\"",
    ] {
        assert!(text.contains(section), "{section} missing from:\n{text}");
    }

    let imported = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let session = emu.session().await;
    let plan = session.plan(&imported, PlanOptions::default()).await.unwrap();
    assert!(plan.orphans.is_empty(), "{text}\n{:#?}", plan.orphans);
    assert!(
        plan.is_empty(),
        "{text}\n{:#?}",
        plan.changes
            .iter()
            .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
            .collect::<Vec<_>>()
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    // Twice: the same bytes.
    let again = tempfile::tempdir().unwrap();
    import_into(&emu.session().await, again.path()).await;
    assert_eq!(read_dir(dir.path()), read_dir(again.path()));
}

const DENY_S3_PUBLIC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoPublicBuckets","Effect":"Deny","Action":"s3:PutBucketPublicAccessBlock","Resource":"*"}]}"#;
const BUCKET: &str = "handmade-trail-logs";
const RCP_KMS_TLS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#;
const TAG_POLICY: &str = r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}"#;

/// An organization made by hand, with direct SDK calls and no plinth: OUs and accounts,
/// an SCP, an organization trail and its bucket, a billing alarm and its topic, a
/// permission set and its assignment, an RCP and a tag policy; each as plinth would have
/// set it up, but without its tag. And what AWS Control Tower and a CloudFormation stack left there.
async fn made_by_hand(emu: &Emulator) {
    use aws_sdk_organizations::types::PolicyType;
    let config = emu.sdk_config().await;
    let org = emu.organizations().await;
    let seeded = support::seed(&org).await;
    let root = seeded.root_id.as_str();
    let summary = org.describe_organization().send().await.unwrap();
    let organization_id = summary.organization().unwrap().id().unwrap().to_owned();
    let account = "123456789012";
    org.enable_policy_type()
        .root_id(root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let typed = |name: &str, content: &str, policy_type: PolicyType| {
        let org = org.clone();
        let (name, content) = (name.to_owned(), content.to_owned());
        async move {
            org.create_policy()
                .name(name)
                .description("")
                .content(content)
                .r#type(policy_type)
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap()
                .policy_summary()
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        }
    };
    let policy = |name: &str, content: &str| typed(name, content, PolicyType::ServiceControlPolicy);
    let custom = policy("deny-s3-public", DENY_S3_PUBLIC).await;
    // An RCP on an OU and a tag policy on the root, each type enabled first.
    for t in [PolicyType::ResourceControlPolicy, PolicyType::TagPolicy] {
        org.enable_policy_type()
            .root_id(root)
            .policy_type(t)
            .send()
            .await
            .unwrap();
    }
    let rcp = typed("kms-over-tls", RCP_KMS_TLS, PolicyType::ResourceControlPolicy).await;
    org.attach_policy()
        .policy_id(&rcp)
        .target_id(&seeded.workloads_ou)
        .send()
        .await
        .unwrap();
    let tags = typed("cost-center", TAG_POLICY, PolicyType::TagPolicy).await;
    org.attach_policy()
        .policy_id(&tags)
        .target_id(root)
        .send()
        .await
        .unwrap();
    org.attach_policy()
        .policy_id(&custom)
        .target_id(&seeded.workloads_ou)
        .send()
        .await
        .unwrap();
    let guardrail = policy(
        "aws-guardrails-AbCdEf",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"config:DeleteConfigRule","Resource":"*"}]}"#,
    )
    .await;
    org.attach_policy()
        .policy_id(&guardrail)
        .target_id(root)
        .send()
        .await
        .unwrap();

    // The trail and its bucket, set up as plinth sets them up.
    org.enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::new(&config);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    s3.put_public_access_block()
        .bucket(BUCKET)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    s3.put_bucket_encryption()
        .bucket(BUCKET)
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::Aes256)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{account}:trail/org-trail");
    let statements = plinth::kinds::trail::bucket_statements(BUCKET, &trail_arn, account, &organization_id);
    s3.put_bucket_policy()
        .bucket(BUCKET)
        .policy(serde_json::json!({ "Version": "2012-10-17", "Statement": statements }).to_string())
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    for (name, bucket) in [("org-trail", BUCKET), ("aws-controltower-BaselineCloudTrail", BUCKET)] {
        cloudtrail
            .create_trail()
            .name(name)
            .s3_bucket_name(bucket)
            .is_organization_trail(true)
            .is_multi_region_trail(true)
            .include_global_service_events(true)
            .enable_log_file_validation(true)
            .send()
            .await
            .unwrap();
    }
    cloudtrail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    cloudtrail.start_logging().name("org-trail").send().await.unwrap();

    // The billing alarm and its topic.
    let sns = aws_sdk_sns::Client::new(&config);
    let topic = sns.create_topic().name("billing-alerts").send().await.unwrap();
    let topic_arn = topic.topic_arn().unwrap().to_owned();
    let topic_policy = plinth::kinds::common::topic::topic_policy(None, &topic_arn, account, false);
    sns.set_topic_attributes()
        .topic_arn(&topic_arn)
        .attribute_name("Policy")
        .attribute_value(topic_policy.to_string())
        .send()
        .await
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("email")
        .endpoint("finance@example.com")
        .send()
        .await
        .unwrap();
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    cloudwatch
        .put_metric_alarm()
        .alarm_name("Monthly bill")
        .alarm_description("Managed by plinth: estimated charges of the organization over 1000 USD")
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("Currency")
                .value("USD")
                .build(),
        )
        .statistic(aws_sdk_cloudwatch::types::Statistic::Maximum)
        .period(21_600)
        .evaluation_periods(1)
        .threshold(1000.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions(&topic_arn)
        .send()
        .await
        .unwrap();

    // A permission set and its assignment on every account of Workloads; one a stack made.
    let ic = support::IdentityCenter::of(emu).await;
    let auditors = ic.create_group("auditors").await;
    let set = ic
        .admin
        .create_permission_set()
        .instance_arn(&ic.instance_arn)
        .name("ReadOnly")
        .session_duration("PT4H")
        .send()
        .await
        .unwrap()
        .permission_set()
        .unwrap()
        .permission_set_arn()
        .unwrap()
        .to_owned();
    ic.admin
        .attach_managed_policy_to_permission_set()
        .instance_arn(&ic.instance_arn)
        .permission_set_arn(&set)
        .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    ic.admin
        .create_account_assignment()
        .instance_arn(&ic.instance_arn)
        .permission_set_arn(&set)
        .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
        .principal_id(&auditors)
        .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
        .target_id(&seeded.sandbox_account)
        .send()
        .await
        .unwrap();
    ic.admin
        .create_permission_set()
        .instance_arn(&ic.instance_arn)
        .name("StackAdmin")
        .session_duration("PT1H")
        .tags(
            aws_sdk_ssoadmin::types::Tag::builder()
                .key("aws:cloudformation:stack-name")
                .value("identity")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

fn lines(plan: &plinth::plan::Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

#[tokio::test]
async fn an_organization_made_by_hand_is_imported_and_adopted_by_tagging_alone() {
    let emu = Emulator::start();
    made_by_hand(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let report = import_into(&emu.session().await, dir.path()).await;
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    if std::env::var_os("PLINTH_SHOW_IMPORT").is_some() {
        eprintln!("{text}");
    }
    // What other tools manage is left out, and said so.
    for line in [
        "# - SCP `aws-guardrails-AbCdEf` (",
        "): managed by AWS Control Tower",
        "# - trail `aws-controltower-BaselineCloudTrail`: managed by AWS Control Tower",
        "# - permission set `StackAdmin`: managed by CloudFormation stack `identity`",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(!text.contains("name = \"aws-guardrails-AbCdEf\""), "{text}");
    assert!(text.contains("alarm_name = \"Monthly bill\""), "{text}");

    let baseline = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let session = emu.session().await;
    let plan = session
        .plan(&baseline, PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        lines(&plan),
        [
            "= scp.custom.deny-s3-public (adopt)",
            "= trail.bucket (adopt)",
            "= trail (adopt)",
            "= billing.topic (adopt)",
            "= billing.alarm.Monthly-bill (adopt)",
            "= sso.permission_set:ReadOnly (adopt)",
            "= rcp.custom.kms-over-tls (adopt)",
            "= tag_policy.cost-center (adopt)",
        ],
        "{text}\n{:#?}",
        plan.changes.iter().map(|c| &c.reason).collect::<Vec<_>>()
    );

    let session = emu.session().await;
    assert!(session.apply(&plan).await.is_success());
    let calls = session.aws.counter.snapshot();
    assert_eq!(
        calls.write_calls(),
        [
            "CloudTrail.AddTags",
            "CloudWatch.TagResource",
            "Organizations.TagResource",
            "S3.PutBucketTagging",
            "SNS.TagResource",
            "SSO Admin.TagResource",
        ],
        "{calls:?}"
    );
    assert_eq!(calls.writes(), 8);

    let session = emu.session().await;
    let plan = session.plan(&baseline, PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", lines(&plan));
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    // A change by hand after adoption is exactly the drift the next plan shows.
    let org = emu.organizations().await;
    let live = support::live_scp(&org, "deny-s3-public").await.unwrap();
    org.update_policy()
        .policy_id(&live.id)
        .content(DENY_S3_PUBLIC.replace("PutBucketPublicAccessBlock", "DeleteBucketPolicy"))
        .send()
        .await
        .unwrap();
    let plan = emu
        .session()
        .await
        .plan(&baseline, PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(lines(&plan), ["~ scp.custom.deny-s3-public"]);
}

#[tokio::test]
async fn the_command_writes_only_the_kinds_asked_and_includes_others_only_when_told() {
    let emu = Emulator::start();
    made_by_hand(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["import", "-o"])
        .arg(dir.path())
        .args(["--only", "scp,sso", "--include-managed-by-others"])
        .envs(emu.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Data on stdout: the file's path; the rest on stderr.
    let written = dir.path().join("baseline.toml");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        written.display().to_string()
    );
    assert!(
        stderr.contains(
            "SCP `aws-guardrails-AbCdEf` is managed by AWS Control Tower (its name starts with `aws-guardrails-`); imported because of `--include-managed-by-others`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "permission set `StackAdmin` is managed by CloudFormation stack `identity` (tag `aws:cloudformation:stack-name`); imported"
        ),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.contains("name = \"aws-guardrails-AbCdEf\""), "{text}");
    assert!(text.contains("name = \"StackAdmin\""), "{text}");
    for absent in ["[trail]", "[billing]", "[[account]]", "[[organizational_units]]"] {
        assert!(!text.contains(absent), "{absent} in\n{text}");
    }

    // An unknown kind is a usage error, before any call.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["import", "--only", "scps"])
        .envs(emu.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unknown kind `scps`"), "{stderr}");
}
