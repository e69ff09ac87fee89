//! Adoption on the emulator: resources of the names a baseline declares, without plinth's
//! tag, are taken over by `adopt` changes that only tag them; another tool's are refused.

use crate::support::{Emulator, IdentityCenter, TempBaseline, seed};
use plinth::plan::{Action, PlanOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]

[[scp.custom]]
name = "deny-vpc-deletion"
file = "deny-vpc-deletion.json"
attach = ["root"]

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"
cloudwatch_logs = true

[billing]
notify = ["finance@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000

[[sso.permission_set]]
name = "ReadOnly"
session_duration = "PT4H"
managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

[[sso.assignment]]
permission_set = "ReadOnly"
groups = ["auditors"]
targets = ["ou:Workloads"]
"#;

const DENY_VPC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoVpcDeletion","Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}"#;

/// An organization plinth made, every tag it put there taken off by hand.
async fn untagged() -> (Emulator, TempBaseline) {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ic = IdentityCenter::of(&emu).await;
    ic.create_group("auditors").await;
    let b = TempBaseline::new(BASELINE, &[("deny-vpc-deletion.json", DENY_VPC)]);
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");

    let config = emu.sdk_config().await;
    let keys = || vec!["managed-by".to_owned()];
    for p in org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap()
        .policies()
    {
        if !p.aws_managed() {
            org.untag_resource()
                .resource_id(p.id().unwrap())
                .set_tag_keys(Some(keys()))
                .send()
                .await
                .unwrap();
        }
    }
    let sns = aws_sdk_sns::Client::new(&config);
    for t in sns.list_topics().send().await.unwrap().topics() {
        sns.untag_resource()
            .resource_arn(t.topic_arn().unwrap())
            .set_tag_keys(Some(keys()))
            .send()
            .await
            .unwrap();
    }
    let s3 = aws_sdk_s3::Client::new(&config);
    s3.delete_bucket_tagging()
        .bucket("example-org-cloudtrail-logs")
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    let trail = cloudtrail.get_trail().name("org-trail").send().await.unwrap();
    cloudtrail
        .remove_tags()
        .resource_id(trail.trail().unwrap().trail_arn().unwrap())
        .tags_list(
            aws_sdk_cloudtrail::types::Tag::builder()
                .key("managed-by")
                .value("plinth")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.untag_resource()
        .resource_arn("arn:aws:logs:us-east-1:123456789012:log-group:/plinth/cloudtrail/org-trail")
        .set_tag_keys(Some(keys()))
        .send()
        .await
        .unwrap();
    let iam = aws_sdk_iam::Client::new(&config);
    iam.untag_role()
        .role_name("plinth-cloudtrail-logs-org-trail")
        .set_tag_keys(Some(keys()))
        .send()
        .await
        .unwrap();
    let set = ic.permission_set("ReadOnly").await.unwrap();
    ic.admin
        .untag_resource()
        .instance_arn(&ic.instance_arn)
        .resource_arn(&set)
        .set_tag_keys(Some(keys()))
        .send()
        .await
        .unwrap();
    (emu, b)
}

#[tokio::test]
async fn untagged_resources_matching_the_baseline_are_adopted_by_tagging_alone() {
    let (emu, b) = untagged().await;
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let lines: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect();
    assert_eq!(
        lines,
        [
            "= scp.deny_leave_organization (adopt)",
            "= scp.custom.deny-vpc-deletion (adopt)",
            "= trail.bucket (adopt)",
            "= trail.log_group (adopt)",
            "= trail.logs_role (adopt)",
            "= trail (adopt)",
            "= billing.topic (adopt)",
            "= sso.permission_set:ReadOnly (adopt)",
        ]
    );
    assert!(plan.changes.iter().all(|c| c.action == Action::Adopt));
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    let session = emu.session().await;
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(
        calls.write_calls(),
        [
            "CloudTrail.AddTags",
            "CloudWatch Logs.TagResource",
            "IAM.TagRole",
            "Organizations.TagResource",
            "S3.PutBucketTagging",
            "SNS.TagResource",
            "SSO Admin.TagResource",
        ],
        "{calls:?}"
    );
    assert_eq!(calls.writes(), 8, "{calls:?}");

    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn a_bucket_keeps_its_other_tags_when_adopted() {
    let (emu, b) = untagged().await;
    let s3 = aws_sdk_s3::Client::new(&emu.sdk_config().await);
    let tag = |k: &str, v: &str| aws_sdk_s3::types::Tag::builder().key(k).value(v).build().unwrap();
    s3.put_bucket_tagging()
        .bucket("example-org-cloudtrail-logs")
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(tag("cost-center", "security"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());
    let tags = s3
        .get_bucket_tagging()
        .bucket("example-org-cloudtrail-logs")
        .send()
        .await
        .unwrap();
    let mut pairs: Vec<(&str, &str)> = tags.tag_set().iter().map(|t| (t.key(), t.value())).collect();
    pairs.sort_unstable();
    assert_eq!(pairs, [("cost-center", "security"), ("managed-by", "plinth")]);
}
