//! `[trail] alarms = ["cis"]` on the emulator: the 15 metric filters on the trail's log
//! group and their alarms on the security topic; a converged plan that writes nothing and
//! reads them in one walk each; hand changes put back.

use crate::support::{Emulator, TempBaseline, import_into, seed};
use plinth::plan::PlanOptions;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"
cloudwatch_logs = true
alarms = ["cis"]
notify = ["security@example.com"]
"#;

const GROUP: &str = "/plinth/cloudtrail/org-trail";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:plinth-security-alerts";

async fn apply(emu: &Emulator, b: &TempBaseline) -> plinth::plan::Plan {
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    plan
}

#[tokio::test]
async fn the_cis_set_is_made_kept_and_put_back() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    apply(&emu, &b).await;

    let conf = emu.sdk_config().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let filters = logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = filters
        .metric_filters()
        .iter()
        .filter_map(|f| f.filter_name())
        .collect();
    names.sort_unstable();
    assert_eq!(names.len(), 15, "{names:?}");
    assert!(names.contains(&"plinth-organizations-changes"), "{names:?}");
    let alarms = cw
        .describe_alarms()
        .alarm_name_prefix("plinth-trail-")
        .send()
        .await
        .unwrap();
    assert_eq!(alarms.metric_alarms().len(), 15);
    for a in alarms.metric_alarms() {
        assert_eq!(a.alarm_actions(), [TOPIC], "{:?}", a.alarm_name());
        assert_eq!(a.namespace(), Some("plinth/CloudTrail"));
    }

    // Converged: no write, the filters and the alarms read in one call each (the other
    // `DescribeAlarms` is the one every plan makes, for plinth's billing alarms).
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    assert_eq!(calls.get("CloudWatch Logs.DescribeMetricFilters"), 1, "{calls:?}");
    assert_eq!(calls.get("CloudWatch.DescribeAlarms"), 2, "{calls:?}");

    // By hand: one alarm deleted, one filter's pattern narrowed.
    cw.delete_alarms()
        .alarm_names("plinth-trail-vpc-changes")
        .send()
        .await
        .unwrap();
    logs.put_metric_filter()
        .log_group_name(GROUP)
        .filter_name("plinth-cloudtrail-changes")
        .filter_pattern("{ $.eventName = StartLogging }")
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name("CloudTrailChanges")
                .metric_namespace("plinth/CloudTrail")
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let repair = apply(&emu, &b).await;
    let lines: Vec<String> = repair
        .changes
        .iter()
        .map(|c| format!("{} {}", c.action, c.address))
        .collect();
    assert_eq!(
        lines,
        [
            "update trail.cloudtrail_changes.metric_filter",
            "create trail.vpc_changes.alarm"
        ],
        "{lines:?}"
    );
    let session = emu.session().await;
    assert!(
        session
            .plan(&b.load(), PlanOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

/// `plinth import` reads the set back (`alarms = ["cis"]` and its recipients), and the
/// imported baseline plans nothing; a part of the set imports as its names.
#[tokio::test]
async fn the_set_imports_to_a_baseline_that_plans_empty() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    apply(&emu, &b).await;
    let dir = tempfile::tempdir().unwrap();
    let report = import_into(&emu.session().await, dir.path()).await;
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    assert!(
        text.contains("alarms = [\"cis\"]\nnotify = [\"security@example.com\"]"),
        "{text}"
    );
    let imported = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let plan = emu
        .session()
        .await
        .plan(&imported, PlanOptions::default())
        .await
        .unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);

    let part = BASELINE.replace(
        "alarms = [\"cis\"]",
        "root_usage_alarm = true\nalarms = [\"vpc-changes\", \"config-changes\"]",
    );
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    apply(&emu, &TempBaseline::new(&part, &[])).await;
    let dir = tempfile::tempdir().unwrap();
    let report = import_into(&emu.session().await, dir.path()).await;
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    assert!(
        text.contains("root_usage_alarm = true\nalarms = [\"config-changes\", \"vpc-changes\"]"),
        "{text}"
    );
}
