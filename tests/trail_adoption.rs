//! Adopting a trail never weakens it: a trail made without plinth, as AWS's guides build
//! it (SSE-KMS, CloudWatch Logs delivery, a bucket with its own policy and SSE-KMS), keeps
//! its key, its delivery and the bucket's protections when a baseline names the trail and
//! bucket but no key and no `cloudwatch_logs`; plinth only adds what it requires.

use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use plinth::plan::PlanOptions;
use serde_json::{Value, json};

use crate::support::{Emulator, MANAGEMENT_ACCOUNT, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"
"#;
const TRAIL: &str = "org-trail";
const BUCKET: &str = "example-org-cloudtrail-logs";
/// moto's CloudTrail takes any key id; the tests have no KMS client.
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:aws-cloudtrail-logs-org:*";
const ROLE: &str = "arn:aws:iam::123456789012:role/CloudTrailRoleForCloudWatchLogs_org-trail";

/// The bucket policy of AWS's guide for an organization trail, and a deny of plain HTTP.
fn guide_policy(organization_id: &str) -> Value {
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ACCOUNT}:trail/{TRAIL}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
             "Resource": format!("arn:aws:s3:::{BUCKET}"),
             "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
            {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": format!("arn:aws:s3:::{BUCKET}/AWSLogs/{organization_id}/*"),
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [format!("arn:aws:s3:::{BUCKET}"), format!("arn:aws:s3:::{BUCKET}/*")],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]
    })
}

#[tokio::test]
async fn adopting_a_trail_keeps_its_kms_key_log_delivery_and_bucket_protections() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
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
    let conf = emu.sdk_config().await;
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(true).build());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let iam = aws_sdk_iam::Client::new(&conf);

    // Made by hand: bucket (policy, SSE-KMS), log group, delivery role, trail.
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let guide = guide_policy(&organization_id);
    s3.put_bucket_policy()
        .bucket(BUCKET)
        .policy(guide.to_string())
        .send()
        .await
        .unwrap();
    let by_default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::AwsKms)
        .kms_master_key_id(KEY)
        .build()
        .unwrap();
    s3.put_bucket_encryption()
        .bucket(BUCKET)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(by_default)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    logs.create_log_group()
        .log_group_name("aws-cloudtrail-logs-org")
        .send()
        .await
        .unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    iam.create_role()
        .role_name("CloudTrailRoleForCloudWatchLogs_org-trail")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    ct.create_trail()
        .name(TRAIL)
        .s3_bucket_name(BUCKET)
        .is_organization_trail(true)
        .is_multi_region_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .kms_key_id(KEY)
        .cloud_watch_logs_log_group_arn(GROUP)
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    ct.start_logging().name(TRAIL).send().await.unwrap();

    let b = TempBaseline::new(BASELINE, &[]);
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(
        plan.find("trail").is_none(),
        "no update of the trail: {:#?}",
        plan.changes
    );
    assert!(plan.find("trail.bucket.encryption").is_none(), "{:#?}", plan.changes);
    for kept in [
        format!("keeps trail `{TRAIL}`'s SSE-KMS key `{KEY}`"),
        format!("keeps trail `{TRAIL}`'s CloudWatch Logs delivery to `{GROUP}` with role `{ROLE}`"),
        format!("keeps bucket `{BUCKET}`'s SSE-KMS encryption with key `{KEY}`"),
    ] {
        assert!(
            plan.notes.iter().any(|n| n.starts_with(&kept)),
            "{kept} not in {:?}",
            plan.notes
        );
    }
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");

    // What the emulator holds: the trail's key and delivery, the bucket's encryption and
    // every statement of its policy, beside plinth's tag and statements.
    let trail = ct
        .get_trail()
        .name(TRAIL)
        .send()
        .await
        .unwrap()
        .trail()
        .unwrap()
        .clone();
    assert_eq!(trail.kms_key_id(), Some(KEY));
    assert_eq!(trail.cloud_watch_logs_log_group_arn(), Some(GROUP));
    assert_eq!(trail.cloud_watch_logs_role_arn(), Some(ROLE));
    assert_eq!(trail.log_file_validation_enabled(), Some(true));
    let encryption = s3.get_bucket_encryption().bucket(BUCKET).send().await.unwrap();
    let rule = &encryption.server_side_encryption_configuration().unwrap().rules()[0];
    let by_default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(by_default.sse_algorithm(), &ServerSideEncryption::AwsKms);
    assert_eq!(by_default.kms_master_key_id(), Some(KEY));
    let policy: Value = serde_json::from_str(
        s3.get_bucket_policy()
            .bucket(BUCKET)
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap(),
    )
    .unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    for s in guide["Statement"].as_array().unwrap() {
        assert!(statements.contains(s), "{s} dropped from {policy}");
    }
    // The guide grants the ACL check and the organization's path exactly as plinth would
    // (under its own Sids): plinth adds only the management account's path it lacks.
    let sids: Vec<&str> = statements.iter().filter_map(|s| s["Sid"].as_str()).collect();
    assert_eq!(
        sids,
        [
            "AWSCloudTrailAclCheck20150319",
            "AWSCloudTrailWrite20150319",
            "DenyInsecureTransport",
            "PlinthCloudTrailWrite"
        ]
    );
    let tags = s3.get_bucket_tagging().bucket(BUCKET).send().await.unwrap();
    assert!(
        tags.tag_set()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "plinth")
    );

    // Converged: the next plan is empty, and says again what it keeps.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("keeps trail `org-trail`'s SSE-KMS key"))
    );
}
