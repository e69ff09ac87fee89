//! The organization trail end to end against the emulator: real CloudTrail, S3 and
//! Organizations clients, every drift the plan must show and apply must repair.

use crate::support;

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use plinth::plan::{Action, PlanOptions};
use serde_json::Value;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"

[scp.cloudtrail_protection]
exempt_principals = ["arn:aws:iam::*:role/BreakGlass"]
attach = ["root"]
"#;
const TRAIL: &str = "org-trail";
const BUCKET: &str = "example-org-cloudtrail-logs";

struct World {
    emu: Emulator,
    ct: aws_sdk_cloudtrail::Client,
    s3: aws_sdk_s3::Client,
    org: aws_sdk_organizations::Client,
    organization_id: String,
    b: TempBaseline,
}

async fn world() -> World {
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
    World {
        ct: aws_sdk_cloudtrail::Client::new(&conf),
        s3: aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(true).build()),
        org,
        organization_id,
        b: TempBaseline::new(BASELINE, &[]),
        emu,
    }
}

async fn converge(w: &World) -> plinth::aws::Counts {
    let session = w.emu.session().await;
    let plan = session
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    session.aws.counter.snapshot()
}

async fn converged_world() -> World {
    let w = world().await;
    converge(&w).await;
    w
}

/// The drift plan: `symbol address: reason` per change.
async fn drift(w: &World) -> Vec<String> {
    let plan = w
        .emu
        .session()
        .await
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    plan.changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect()
}

/// Repair, assert CreateTrail was not called again, then assert convergence.
async fn repair(w: &World) {
    let calls = converge(w).await;
    assert_eq!(
        calls.get("CloudTrail.CreateTrail"),
        0,
        "a second CreateTrail would reset the trail: {calls:?}"
    );
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

async fn bucket_policy(w: &World) -> Value {
    let p = w.s3.get_bucket_policy().bucket(BUCKET).send().await.unwrap();
    serde_json::from_str(p.policy().unwrap()).unwrap()
}

#[tokio::test]
async fn apply_from_scratch_sets_up_trail_bucket_and_trusted_access() {
    let w = world().await;
    let calls = converge(&w).await;
    assert_eq!(calls.get("CloudTrail.CreateTrail"), 1);

    let trail =
        w.ct.get_trail()
            .name(TRAIL)
            .send()
            .await
            .unwrap()
            .trail()
            .unwrap()
            .clone();
    assert_eq!(trail.is_organization_trail(), Some(true));
    assert_eq!(trail.is_multi_region_trail(), Some(true));
    assert_eq!(trail.include_global_service_events(), Some(true));
    assert_eq!(trail.log_file_validation_enabled(), Some(true));
    assert_eq!(trail.s3_bucket_name(), Some(BUCKET));
    assert!(
        trail
            .trail_arn()
            .unwrap()
            .starts_with("arn:aws:cloudtrail:us-east-1:123456789012:trail/")
    );
    assert_eq!(
        w.ct.get_trail_status().name(TRAIL).send().await.unwrap().is_logging(),
        Some(true)
    );
    let selectors = w.ct.get_event_selectors().trail_name(TRAIL).send().await.unwrap();
    assert_eq!(selectors.event_selectors().len(), 1);
    assert_eq!(
        selectors.event_selectors()[0].read_write_type(),
        Some(&ReadWriteType::All)
    );
    assert_eq!(selectors.event_selectors()[0].include_management_events(), Some(true));

    let pab = w.s3.get_public_access_block().bucket(BUCKET).send().await.unwrap();
    let pab = pab.public_access_block_configuration().unwrap();
    assert_eq!(
        [
            pab.block_public_acls(),
            pab.ignore_public_acls(),
            pab.block_public_policy(),
            pab.restrict_public_buckets()
        ],
        [Some(true); 4]
    );
    let enc = w.s3.get_bucket_encryption().bucket(BUCKET).send().await.unwrap();
    let rule = &enc.server_side_encryption_configuration().unwrap().rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm()
            .as_str(),
        "AES256"
    );

    // The bucket policy AWS documents for organization trails.
    let policy = bucket_policy(&w).await.to_string();
    let trail_arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
    assert!(
        policy.contains("s3:GetBucketAcl") && policy.contains(trail_arn),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("arn:aws:s3:::{BUCKET}/AWSLogs/123456789012/*")),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("arn:aws:s3:::{BUCKET}/AWSLogs/{}/*", w.organization_id)),
        "{policy}"
    );
    assert!(policy.contains("bucket-owner-full-control"), "{policy}");

    let access = w.org.list_aws_service_access_for_organization().send().await.unwrap();
    assert!(
        access
            .enabled_service_principals()
            .iter()
            .any(|p| p.service_principal() == Some("cloudtrail.amazonaws.com"))
    );

    // The protection SCP names exactly this trail and bucket.
    let scp = support::live_scp(&w.org, "plinth-cloudtrail-protection").await.unwrap();
    assert!(scp.content.contains(&format!("\"{trail_arn}\"")), "{}", scp.content);
    assert!(
        scp.content.contains(&format!("arn:aws:s3:::{BUCKET}")),
        "{}",
        scp.content
    );

    // Converged: zero writes, and the trail part is a handful of reads.
    let session = w.emu.session().await;
    assert!(
        session
            .plan(&w.b.load(), PlanOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    let trail_reads: u64 = calls
        .calls
        .iter()
        .filter(|(k, _)| {
            k.starts_with("CloudTrail.") || k.starts_with("S3.") || k.ends_with("ListAWSServiceAccessForOrganization")
        })
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        trail_reads, 9,
        "trail, its tags, status, selectors, bucket policy, tags, public access block, encryption, trusted access: {calls:?}"
    );
}

#[tokio::test]
async fn stopped_logging_is_restarted() {
    let w = converged_world().await;
    w.ct.stop_logging().name(TRAIL).send().await.unwrap();
    assert_eq!(drift(&w).await, ["+ trail.logging: logging is stopped"]);
    repair(&w).await;
    assert_eq!(
        w.ct.get_trail_status().name(TRAIL).send().await.unwrap().is_logging(),
        Some(true)
    );
}

#[tokio::test]
async fn flags_turned_off_are_turned_back_on_in_place() {
    let w = converged_world().await;
    w.ct.update_trail()
        .name(TRAIL)
        .is_multi_region_trail(false)
        .is_organization_trail(false)
        .enable_log_file_validation(false)
        .send()
        .await
        .unwrap();
    let d = drift(&w).await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].starts_with("~ trail: organization trail is off; multi-region is off; log file validation is off"),
        "{d:?}"
    );
    repair(&w).await;
    let trail =
        w.ct.get_trail()
            .name(TRAIL)
            .send()
            .await
            .unwrap()
            .trail()
            .unwrap()
            .clone();
    assert_eq!(
        (
            trail.is_organization_trail(),
            trail.is_multi_region_trail(),
            trail.log_file_validation_enabled()
        ),
        (Some(true), Some(true), Some(true))
    );
}

#[tokio::test]
async fn changed_event_selectors_are_put_back() {
    let w = converged_world().await;
    w.ct.put_event_selectors()
        .trail_name(TRAIL)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::ReadOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        drift(&w).await,
        ["~ trail.event_selectors: management events are not selected for both read and write"]
    );
    repair(&w).await;
}

#[tokio::test]
async fn data_event_selectors_someone_added_are_kept_and_exclusions_are_drift() {
    let w = converged_world().await;
    let s3_data = aws_sdk_cloudtrail::types::DataResource::builder()
        .r#type("AWS::S3::Object")
        .values("arn:aws:s3:::payments-data/")
        .build();
    // Someone logs S3 data events too, and leaves KMS out of management events.
    w.ct.put_event_selectors()
        .trail_name(TRAIL)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .data_resources(s3_data.clone())
                .exclude_management_event_sources("kms.amazonaws.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        drift(&w).await,
        ["~ trail.event_selectors: management events from `kms.amazonaws.com` are excluded"]
    );
    repair(&w).await;
    let live = w.ct.get_event_selectors().trail_name(TRAIL).send().await.unwrap();
    let selectors = live.event_selectors();
    assert_eq!(selectors.len(), 1, "{selectors:?}");
    assert_eq!(selectors[0].data_resources(), [s3_data], "data events kept");
    assert!(selectors[0].exclude_management_event_sources().is_empty());
    assert_eq!(selectors[0].include_management_events(), Some(true));
}

#[tokio::test]
async fn a_trail_with_advanced_selectors_shows_no_perpetual_drift() {
    use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
    let w = converged_world().await;
    let field = |f: &str, v: &str| AdvancedFieldSelector::builder().field(f).equals(v).build().unwrap();
    let management = AdvancedEventSelector::builder()
        .name("Management events")
        .field_selectors(field("eventCategory", "Management"))
        .build()
        .unwrap();
    let data = AdvancedEventSelector::builder()
        .name("S3 data events")
        .field_selectors(field("eventCategory", "Data"))
        .field_selectors(field("resources.type", "AWS::S3::Object"))
        .build()
        .unwrap();
    w.ct.put_event_selectors()
        .trail_name(TRAIL)
        .advanced_event_selectors(management)
        .advanced_event_selectors(data.clone())
        .send()
        .await
        .unwrap();
    assert!(
        drift(&w).await.is_empty(),
        "advanced selectors that select all management events are converged"
    );

    // Only the data selector left: plinth adds its management selector and keeps the other.
    w.ct.put_event_selectors()
        .trail_name(TRAIL)
        .advanced_event_selectors(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        drift(&w).await,
        ["~ trail.event_selectors: no advanced event selector selects management events"]
    );
    repair(&w).await;
    let live = w.ct.get_event_selectors().trail_name(TRAIL).send().await.unwrap();
    assert_eq!(live.advanced_event_selectors().len(), 2);
    assert!(live.advanced_event_selectors().contains(&data));
}

#[tokio::test]
async fn a_trail_or_bucket_without_plinths_tag_is_adopted_before_it_is_repaired() {
    let w = converged_world().await;
    // The trail loses plinth's tag and stops logging: adopted, then logging starts.
    let arn =
        w.ct.get_trail()
            .name(TRAIL)
            .send()
            .await
            .unwrap()
            .trail()
            .unwrap()
            .trail_arn()
            .unwrap()
            .to_owned();
    w.ct.remove_tags()
        .resource_id(&arn)
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
    w.ct.stop_logging().name(TRAIL).send().await.unwrap();
    w.s3.delete_bucket_tagging().bucket(BUCKET).send().await.unwrap();
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    let shown: Vec<(String, Vec<String>)> = plan
        .changes
        .iter()
        .map(|c| {
            (
                format!("{} {}", c.action.symbol(), c.address),
                c.depends_on.iter().map(ToString::to_string).collect(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("= trail.bucket (adopt)".to_owned(), vec![]),
            ("= trail (adopt)".to_owned(), vec![]),
            ("+ trail.logging".to_owned(), vec!["trail (adopt)".to_owned()]),
        ]
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    let session = w.emu.session().await;
    assert!(session.apply(&plan).await.is_success());
    assert_eq!(
        session.aws.counter.snapshot().write_calls(),
        ["CloudTrail.AddTags", "CloudTrail.StartLogging", "S3.PutBucketTagging"]
    );
    assert!(drift(&w).await.is_empty());
}

#[tokio::test]
async fn deleted_trail_is_created_again() {
    let w = converged_world().await;
    w.ct.delete_trail().name(TRAIL).send().await.unwrap();
    let d = drift(&w).await;
    assert_eq!(
        d,
        [
            "+ trail: no trail `org-trail` in us-east-1",
            "~ trail.event_selectors: management events (read and write) are not selected explicitly",
            "+ trail.logging: a new trail starts with logging off",
        ]
    );
    let calls = converge(&w).await;
    assert_eq!(calls.get("CloudTrail.CreateTrail"), 1);
    let session = w.emu.session().await;
    assert!(
        session
            .plan(&w.b.load(), PlanOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn bucket_policy_statements_removed_or_altered_are_restored_keeping_the_users() {
    let w = converged_world().await;
    let mut doc = bucket_policy(&w).await;
    let statements = doc["Statement"].as_array_mut().unwrap();
    // One of plinth's removed, another altered, and one of the user's added.
    statements.retain(|s| s["Sid"] != "PlinthCloudTrailOrganizationWrite");
    for s in statements.iter_mut() {
        if s["Sid"] == "PlinthCloudTrailWrite" {
            s["Resource"] = Value::String(format!("arn:aws:s3:::{BUCKET}/*"));
        }
    }
    statements.push(serde_json::json!({
        "Sid": "AnalyticsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{BUCKET}/*")
    }));
    w.s3.put_bucket_policy()
        .bucket(BUCKET)
        .policy(doc.to_string())
        .send()
        .await
        .unwrap();

    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert_eq!(plan.changes.len(), 1);
    let change = &plan.changes[0];
    assert_eq!(
        (change.address.as_str(), change.action),
        ("trail.bucket.policy", Action::Update)
    );
    assert_eq!(change.statement_diff.len(), 2, "{:#?}", change.statement_diff);
    repair(&w).await;
    let policy = bucket_policy(&w).await.to_string();
    assert!(
        policy.contains("AnalyticsRead") && policy.contains("PlinthCloudTrailOrganizationWrite"),
        "{policy}"
    );
}

#[tokio::test]
async fn removed_public_access_block_is_put_back() {
    let w = converged_world().await;
    w.s3.delete_public_access_block().bucket(BUCKET).send().await.unwrap();
    assert_eq!(
        drift(&w).await,
        ["+ trail.bucket.public_access_block: the bucket has no public access block"]
    );
    repair(&w).await;

    // Loosened rather than removed.
    w.s3.put_public_access_block()
        .bucket(BUCKET)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        drift(&w).await,
        ["~ trail.bucket.public_access_block: the bucket's public access block does not block everything"]
    );
    repair(&w).await;
}

#[tokio::test]
async fn disabled_trusted_access_is_enabled_again() {
    let w = converged_world().await;
    w.org
        .disable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        drift(&w).await,
        [
            "+ trail.trusted_access: `cloudtrail.amazonaws.com` has no trusted access to the organization; an organization trail needs it"
        ]
    );
    repair(&w).await;
}

#[tokio::test]
async fn the_trail_is_homed_in_us_east_1_whatever_the_callers_region() {
    let w = world().await;
    let conf = w
        .emu
        .sdk_config()
        .await
        .into_builder()
        .region(aws_types::region::Region::new("eu-central-1"))
        .build();
    let session = plinth::engine::Session::new(plinth::aws::Aws::from_sdk(conf.clone()));
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());
    // Created through a us-east-1 client: visible there, and not as an eu-central-1 trail.
    let trail = w.ct.get_trail().name(TRAIL).send().await.unwrap();
    assert!(trail.trail().unwrap().trail_arn().unwrap().contains(":us-east-1:"));
}

const WITH_LOGS: &str = r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"
cloudwatch_logs = true
root_usage_alarm = true

[billing]
notify = ["finance@example.com"]
"#;

const ROOT_PATTERN: &str =
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

async fn logs_world(
    baseline: &str,
) -> (
    World,
    aws_sdk_cloudwatchlogs::Client,
    aws_sdk_cloudwatch::Client,
    aws_sdk_iam::Client,
) {
    let mut w = world().await;
    w.b = TempBaseline::new(baseline, &[]);
    converge(&w).await;
    let conf = w.emu.sdk_config().await;
    (
        w,
        aws_sdk_cloudwatchlogs::Client::new(&conf),
        aws_sdk_cloudwatch::Client::new(&conf),
        aws_sdk_iam::Client::new(&conf),
    )
}

#[tokio::test]
async fn logs_delivery_and_root_usage_alarm_on_the_billing_topic() {
    let (w, logs, cw, iam) = logs_world(WITH_LOGS).await;
    let trail =
        w.ct.get_trail()
            .name(TRAIL)
            .send()
            .await
            .unwrap()
            .trail()
            .unwrap()
            .clone();
    assert_eq!(
        trail.cloud_watch_logs_log_group_arn(),
        Some("arn:aws:logs:us-east-1:123456789012:log-group:/plinth/cloudtrail/org-trail:*")
    );
    assert_eq!(
        trail.cloud_watch_logs_role_arn(),
        Some("arn:aws:iam::123456789012:role/plinth-cloudtrail-logs-org-trail")
    );

    let role = iam
        .get_role()
        .role_name("plinth-cloudtrail-logs-org-trail")
        .send()
        .await
        .unwrap();
    let trust = percent_encoding::percent_decode_str(role.role().unwrap().assume_role_policy_document().unwrap())
        .decode_utf8_lossy()
        .into_owned();
    assert!(
        trust.contains("cloudtrail.amazonaws.com") && trust.contains("trail/org-trail"),
        "{trust}"
    );

    let filters = logs
        .describe_metric_filters()
        .log_group_name("/plinth/cloudtrail/org-trail")
        .send()
        .await
        .unwrap();
    let filter = &filters.metric_filters()[0];
    assert_eq!(filter.filter_pattern(), Some(ROOT_PATTERN));
    assert_eq!(filter.metric_transformations()[0].metric_name(), "RootAccountUsage");

    let alarms = cw
        .describe_alarms()
        .alarm_names("plinth-trail-root-usage")
        .send()
        .await
        .unwrap();
    let alarm = &alarms.metric_alarms()[0];
    assert_eq!(alarm.metric_name(), Some("RootAccountUsage"));
    assert_eq!(
        alarm.alarm_actions(),
        ["arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts"]
    );

    // Converged: zero writes.
    let session = w.emu.session().await;
    assert!(
        session
            .plan(&w.b.load(), PlanOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn root_usage_alarm_with_its_own_recipients() {
    let own = WITH_LOGS.replace(
        "root_usage_alarm = true",
        "root_usage_alarm = true\nnotify = [\"security@example.com\"]",
    );
    let (w, _, cw, _) = logs_world(&own).await;
    let alarms = cw
        .describe_alarms()
        .alarm_names("plinth-trail-root-usage")
        .send()
        .await
        .unwrap();
    assert_eq!(
        alarms.metric_alarms()[0].alarm_actions(),
        ["arn:aws:sns:us-east-1:123456789012:plinth-security-alerts"]
    );
    let sns = aws_sdk_sns::Client::new(&w.emu.sdk_config().await);
    let subs = sns
        .list_subscriptions_by_topic()
        .topic_arn("arn:aws:sns:us-east-1:123456789012:plinth-security-alerts")
        .send()
        .await
        .unwrap();
    assert_eq!(subs.subscriptions()[0].endpoint(), Some("security@example.com"));
    let session = w.emu.session().await;
    assert!(
        session
            .plan(&w.b.load(), PlanOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn logs_delivery_drift_is_repaired() {
    let (w, logs, cw, iam) = logs_world(WITH_LOGS).await;
    // Delivery turned off on the trail, the filter deleted, the role policy deleted, the alarm deleted.
    w.ct.update_trail()
        .name(TRAIL)
        .cloud_watch_logs_log_group_arn("")
        .cloud_watch_logs_role_arn("")
        .send()
        .await
        .unwrap();
    logs.delete_metric_filter()
        .log_group_name("/plinth/cloudtrail/org-trail")
        .filter_name("plinth-root-usage")
        .send()
        .await
        .unwrap();
    iam.delete_role_policy()
        .role_name("plinth-cloudtrail-logs-org-trail")
        .policy_name("plinth-cloudtrail-logs")
        .send()
        .await
        .unwrap();
    cw.delete_alarms()
        .alarm_names("plinth-trail-root-usage")
        .send()
        .await
        .unwrap();

    let d = drift(&w).await;
    let addresses: Vec<&str> = d.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        addresses,
        [
            "+ trail.logs_role.policy",
            "~ trail",
            "+ trail.root_usage.metric_filter",
            "+ trail.root_usage.alarm"
        ],
        "{d:?}"
    );
    assert!(d[1].contains("CloudWatch Logs delivery is not to"), "{d:?}");
    repair(&w).await;
}
