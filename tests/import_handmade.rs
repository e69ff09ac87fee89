//! `plinth import` of an organization built by hand the way AWS's guides build it, not the
//! way plinth does: an organization trail made as the CloudTrail guide's CLI steps make
//! it (trusted access, a bucket with the guide's bucket policy under AWS's own Sids, the
//! trail with its default event selectors, logging started) and a billing alarm made the
//! CloudWatch console's way (missing data treated as `missing`, the user's description, a
//! new SNS topic with AWS's default policy and an e-mail subscription). The imported
//! baseline plans adoption alone, applying it only tags, and the next plan is empty.

use serde_json::json;

use crate::support::{Emulator, MANAGEMENT_ACCOUNT, seed};
use plinth::import::{ImportOptions, import};
use plinth::kinds::KindId;
use plinth::plan::{Action, PlanOptions};
use plinth::types::Region;

const BUCKET: &str = "acme-organization-trail-logs";
const TRAIL: &str = "acme-org-trail";
const ALARM: &str = "Estimated charges over 100 USD";
const DESCRIPTION: &str = "Tell finance when this month's bill passes 100 USD";

/// The bucket policy of the CloudTrail guide ("Create or update an Amazon S3 bucket to
/// use to store the log files for an organization trail"): its three statements, its Sids,
/// the service principal as a list, `aws:SourceArn` naming the trail.
fn guide_bucket_policy(organization_id: &str) -> serde_json::Value {
    let trail = format!("arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ACCOUNT}:trail/{TRAIL}");
    let write = |sid: &str, prefix: &str| {
        json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{BUCKET}/AWSLogs/{prefix}/*"),
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}}
        })
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck20150319",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
                "Action": "s3:GetBucketAcl",
                "Resource": format!("arn:aws:s3:::{BUCKET}"),
                "Condition": {"StringEquals": {"aws:SourceArn": trail}}
            },
            write("AWSCloudTrailWrite20150319", MANAGEMENT_ACCOUNT),
            write("AWSCloudTrailOrganizationWrite20150319", organization_id)
        ]
    })
}

/// Direct SDK calls, in the order the guides give them.
async fn built_from_the_guides(emu: &Emulator) {
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
    let config = emu.sdk_config().await;

    // CloudTrail: trusted access, the bucket and its policy, the trail, logging.
    org.enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::new(&config);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    s3.put_bucket_policy()
        .bucket(BUCKET)
        .policy(guide_bucket_policy(&organization_id).to_string())
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    cloudtrail
        .create_trail()
        .name(TRAIL)
        .s3_bucket_name(BUCKET)
        .is_organization_trail(true)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    cloudtrail.start_logging().name(TRAIL).send().await.unwrap();

    // The console's billing alarm: a new topic (AWS's default policy), an e-mail
    // subscriber, the alarm on `EstimatedCharges` over 6 hours.
    let sns = aws_sdk_sns::Client::new(&config);
    let topic = sns
        .create_topic()
        .name("Default_CloudWatch_Alarms_Topic")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("email")
        .endpoint("finance@example.com")
        .send()
        .await
        .unwrap();
    aws_sdk_cloudwatch::Client::new(&config)
        .put_metric_alarm()
        .alarm_name(ALARM)
        .alarm_description(DESCRIPTION)
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
        .datapoints_to_alarm(1)
        .threshold(100.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("missing")
        .alarm_actions(&topic)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_organization_built_from_aws_guides_is_adopted_by_tagging_alone() {
    let emu = Emulator::start();
    built_from_the_guides(&emu).await;

    let dir = tempfile::tempdir().unwrap();
    let session = emu.session().await;
    let report = crate::support::import_into(&session, dir.path()).await;
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    // Nothing the plan would impose: no warning says plinth will change anything.
    assert!(
        !report.warnings.iter().any(|w| w.contains("plan will")),
        "{:#?}\n{text}",
        report.warnings
    );
    // What import writes of what plinth would otherwise set: the alarm's own values, the
    // topic's policy kept, log file validation off.
    for part in [
        format!("[trail]\nname = \"{TRAIL}\"\nbucket = \"{BUCKET}\"\nlog_file_validation = false\n"),
        "[billing]\nnotify = [\"finance@example.com\"]\ntopic_name = \"Default_CloudWatch_Alarms_Topic\"\n\
         # the topic's access policy lacks plinth's `PlinthAllowCloudWatchAlarms` statement: kept as it is\n\
         # (`topic_policy = \"plinth\"` puts plinth's statement in)\ntopic_policy = \"keep\"\n"
            .to_owned(),
        format!(
            "[[billing.alarm]]\nname = \"Estimated-charges-over-100-USD\"\nalarm_name = \"{ALARM}\"\n\
             threshold_usd = 100\ndescription = \"{DESCRIPTION}\"\ntreat_missing_data = \"missing\"\n"
        ),
    ] {
        assert!(text.contains(&part), "{part}\nnot in\n{text}");
    }

    // The plan: adoption only.
    let baseline = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let session = emu.session().await;
    let plan = session
        .plan(&baseline, PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let lines: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect();
    assert!(
        plan.changes.iter().all(|c| c.action == Action::Adopt),
        "{lines:#?}\n{text}"
    );
    assert_eq!(
        plan.changes.iter().map(|c| c.address.as_str()).collect::<Vec<_>>(),
        [
            "trail.bucket (adopt)",
            "trail (adopt)",
            "billing.topic (adopt)",
            "billing.alarm.Estimated-charges-over-100-USD (adopt)",
        ],
        "{lines:#?}"
    );
    // The guide's bucket policy is recognised, and said so.
    assert!(
        plan.notes.iter().any(|n| n.starts_with(&format!(
            "bucket `{BUCKET}`'s policy already grants exactly what plinth's `PlinthCloudTrailAclCheck`, \
             `PlinthCloudTrailWrite`, `PlinthCloudTrailOrganizationWrite` would"
        ))),
        "{:#?}",
        plan.notes
    );

    // Apply: tagging calls and nothing else.
    let session = emu.session().await;
    let applied = session.apply(&plan).await;
    assert!(applied.is_success(), "{applied:#?}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(
        calls.write_calls(),
        [
            "CloudTrail.AddTags",
            "CloudWatch.TagResource",
            "S3.PutBucketTagging",
            "SNS.TagResource",
        ],
        "{calls:?}"
    );
    assert_eq!(calls.writes(), 4, "{calls:?}");

    // Converged: the next plan is empty and writes nothing.
    let session = emu.session().await;
    let plan = session.plan(&baseline, PlanOptions::default()).await.unwrap();
    assert!(
        plan.is_empty(),
        "{:#?}",
        plan.changes
            .iter()
            .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
            .collect::<Vec<_>>()
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    // What the guides built is as it was: the bucket policy, the topic policy, the alarm.
    let config = emu.sdk_config().await;
    let s3 = aws_sdk_s3::Client::new(&config);
    let live = s3.get_bucket_policy().bucket(BUCKET).send().await.unwrap();
    let live: serde_json::Value = serde_json::from_str(live.policy().unwrap()).unwrap();
    let sids: Vec<&str> = live["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(
        sids,
        [
            "AWSCloudTrailAclCheck20150319",
            "AWSCloudTrailWrite20150319",
            "AWSCloudTrailOrganizationWrite20150319"
        ]
    );
    let alarms = aws_sdk_cloudwatch::Client::new(&config)
        .describe_alarms()
        .alarm_names(ALARM)
        .send()
        .await
        .unwrap();
    let alarm = &alarms.metric_alarms()[0];
    assert_eq!(
        (alarm.treat_missing_data(), alarm.alarm_description()),
        (Some("missing"), Some(DESCRIPTION))
    );
}

#[tokio::test]
async fn import_warns_of_what_plinth_still_sets_whatever_the_baseline_says() {
    let emu = Emulator::start();
    built_from_the_guides(&emu).await;
    // Hand-made differently: an alarm over a day's average notifying no one (so the
    // baseline's plan makes plinth's topic for it), public access allowed, the trail
    // reading management events only.
    let config = emu.sdk_config().await;
    aws_sdk_cloudwatch::Client::new(&config)
        .put_metric_alarm()
        .alarm_name(ALARM)
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
        .period(86_400)
        .evaluation_periods(1)
        .threshold(100.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    aws_sdk_s3::Client::new(&config)
        .delete_public_access_block()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    aws_sdk_cloudtrail::Client::new(&config)
        .put_event_selectors()
        .trail_name(TRAIL)
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::ReadOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let report = import(
        &emu.session().await,
        &ImportOptions {
            dir: dir.path().to_owned(),
            only: vec![KindId::Trail, KindId::Billing],
            include_others: false,
            home_region: Region::us_east_1(),
        },
    )
    .await
    .unwrap_or_else(|d| panic!("{d}"));
    let warned: Vec<&str> = report.warnings.iter().map(String::as_str).collect();
    assert_eq!(
        warned,
        [
            "the imported baseline's plan will change trail `acme-org-trail`'s event selectors (management events are \
             not selected for both read and write): plinth sets it on every trail",
            "the imported baseline's plan will block all public access to bucket `acme-organization-trail-logs`: \
             plinth sets it on every trail",
            "the imported baseline's plan will change alarm `Estimated charges over 100 USD`, as plinth sets it on \
             every billing alarm: period is 86400 s, baseline says 21600 s; statistic is Average, baseline says \
             Maximum; dimensions is {}, baseline says {\"Currency\": \"USD\"}; actions is [], baseline says \
             [\"arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts\"]",
        ]
    );
    // The description left unset reads as empty, the missing-data treatment as CloudWatch's default.
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    assert!(
        text.contains("threshold_usd = 100\ndescription = \"\"\ntreat_missing_data = \"missing\"\n"),
        "{text}"
    );
}
