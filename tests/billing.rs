//! Billing alarms end to end against the emulator: the real CloudWatch (rpc-v2-cbor,
//! through the emulator's translation) and SNS clients.

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricDatum, Statistic};
use futures::StreamExt;
use plinth::plan::{Action, PlanOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[billing]
notify = ["finance@example.com", "ops@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000

[[billing.alarm]]
name = "sandbox-spend"
account = "sandbox"
threshold_usd = 100
"#;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts";

struct World {
    emu: Emulator,
    cw: aws_sdk_cloudwatch::Client,
    sns: aws_sdk_sns::Client,
    b: TempBaseline,
}

async fn world() -> World {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let conf = emu.sdk_config().await;
    World {
        cw: aws_sdk_cloudwatch::Client::new(&conf),
        sns: aws_sdk_sns::Client::new(&conf),
        b: TempBaseline::new(BASELINE, &[]),
        emu,
    }
}

async fn converge(w: &World, options: PlanOptions) -> plinth::plan::Plan {
    let session = w.emu.session().await;
    let plan = session
        .plan(&w.b.load(), options)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    plan
}

async fn assert_converged(w: &World) {
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
}

async fn drift_plan(w: &World) -> Vec<String> {
    let plan = w
        .emu
        .session()
        .await
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap();
    plan.changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect()
}

async fn alarm(w: &World, name: &str) -> Option<aws_sdk_cloudwatch::types::MetricAlarm> {
    let out = w.cw.describe_alarms().alarm_names(name).send().await.unwrap();
    out.metric_alarms().first().cloned()
}

#[tokio::test]
async fn apply_from_scratch_then_zero_writes_and_a_handful_of_reads() {
    let w = world().await;
    let plan = converge(&w, PlanOptions::default()).await;
    assert!(
        plan.warnings
            .iter()
            .any(|warning| warning.contains("Receive CloudWatch billing alerts"))
    );

    let a = alarm(&w, "plinth-billing-sandbox-spend").await.expect("alarm created");
    assert_eq!(a.namespace(), Some("AWS/Billing"));
    assert_eq!(a.metric_name(), Some("EstimatedCharges"));
    assert_eq!(a.statistic(), Some(&Statistic::Maximum));
    assert_eq!(a.period(), Some(21_600));
    assert_eq!(a.threshold(), Some(100.0));
    assert_eq!(a.treat_missing_data(), Some("notBreaching"));
    assert_eq!(a.alarm_actions(), [TOPIC]);
    let dims: Vec<(&str, &str)> = a
        .dimensions()
        .iter()
        .map(|d| (d.name().unwrap(), d.value().unwrap()))
        .collect();
    assert!(
        dims.contains(&("Currency", "USD")) && dims.iter().any(|(n, _)| *n == "LinkedAccount"),
        "{dims:?}"
    );
    let tags =
        w.cw.list_tags_for_resource()
            .resource_arn(a.alarm_arn().unwrap())
            .send()
            .await
            .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == Some("managed-by") && t.value() == Some("plinth"))
    );

    let subs = w
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(TOPIC)
        .send()
        .await
        .unwrap();
    let mut endpoints: Vec<&str> = subs.subscriptions().iter().map(|s| s.endpoint().unwrap()).collect();
    endpoints.sort_unstable();
    assert_eq!(endpoints, ["finance@example.com", "ops@example.com"]);
    let attrs = w.sns.get_topic_attributes().topic_arn(TOPIC).send().await.unwrap();
    let policy = &attrs.attributes().unwrap()["Policy"];
    assert!(
        policy.contains("cloudwatch.amazonaws.com") && policy.contains("PlinthAllowCloudWatchAlarms"),
        "{policy}"
    );

    // Converged: zero writes, and the billing part costs a handful of reads.
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    let billing_reads: u64 = calls
        .calls
        .iter()
        .filter(|(k, _)| k.starts_with("CloudWatch.") || k.starts_with("SNS."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(billing_reads, 5, "{calls:?}");
}

#[tokio::test]
async fn the_billing_metric_warning_goes_once_metrics_exist() {
    let w = world().await;
    w.cw.put_metric_data()
        .namespace("AWS/Billing")
        .metric_data(
            MetricDatum::builder()
                .metric_name("EstimatedCharges")
                .dimensions(Dimension::builder().name("Currency").value("USD").build())
                .value(12.0)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let plan = w
        .emu
        .session()
        .await
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap();
    assert!(
        !plan.warnings.iter().any(|warning| warning.contains("EstimatedCharges")),
        "{:?}",
        plan.warnings
    );
}

#[tokio::test]
async fn deleted_alarm_is_recreated() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    w.cw.delete_alarms()
        .alarm_names("plinth-billing-org-monthly")
        .send()
        .await
        .unwrap();
    let drift = drift_plan(&w).await;
    assert_eq!(
        drift,
        ["+ billing.alarm.org-monthly: no alarm `plinth-billing-org-monthly` in CloudWatch (us-east-1)"]
    );
    converge(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
}

#[tokio::test]
async fn alarm_edited_out_of_band_is_repaired() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    // Threshold, period, statistic, dimensions and actions all changed by hand.
    w.cw.put_metric_alarm()
        .alarm_name("plinth-billing-org-monthly")
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .dimensions(Dimension::builder().name("Currency").value("EUR").build())
        .statistic(Statistic::Average)
        .period(3600)
        .evaluation_periods(1)
        .threshold(99_999.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions("arn:aws:sns:us-east-1:123456789012:somewhere-else")
        .send()
        .await
        .unwrap();
    let drift = drift_plan(&w).await;
    assert_eq!(drift.len(), 1, "{drift:?}");
    for part in [
        "threshold is 99999 USD, baseline says 1000 USD",
        "period is 3600 s",
        "statistic is Average",
        "dimensions is",
        "actions is",
    ] {
        assert!(drift[0].contains(part), "{part} missing: {}", drift[0]);
    }
    converge(&w, PlanOptions::default()).await;
    let a = alarm(&w, "plinth-billing-org-monthly").await.unwrap();
    assert_eq!((a.threshold(), a.period()), (Some(1000.0), Some(21_600)));
    assert_converged(&w).await;
}

#[tokio::test]
async fn disabled_actions_are_enabled_again() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    w.cw.disable_alarm_actions()
        .alarm_names("plinth-billing-sandbox-spend")
        .send()
        .await
        .unwrap();
    let drift = drift_plan(&w).await;
    assert_eq!(drift, ["~ billing.alarm.sandbox-spend: actions are disabled"]);
    converge(&w, PlanOptions::default()).await;
    assert_eq!(
        alarm(&w, "plinth-billing-sandbox-spend")
            .await
            .unwrap()
            .actions_enabled(),
        Some(true)
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn deleted_topic_is_recreated_with_its_subscriptions() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    w.sns.delete_topic().topic_arn(TOPIC).send().await.unwrap();
    let drift = drift_plan(&w).await;
    assert_eq!(drift.len(), 3, "{drift:?}");
    assert!(
        drift[0].starts_with("+ billing.topic: no SNS topic `plinth-billing-alerts` in us-east-1"),
        "{drift:?}"
    );
    converge(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
}

#[tokio::test]
async fn removed_subscription_is_added_back() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    let subs = w
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(TOPIC)
        .send()
        .await
        .unwrap();
    let ops = subs
        .subscriptions()
        .iter()
        .find(|s| s.endpoint() == Some("ops@example.com"))
        .unwrap();
    w.sns
        .unsubscribe()
        .subscription_arn(ops.subscription_arn().unwrap())
        .send()
        .await
        .unwrap();
    let drift = drift_plan(&w).await;
    assert_eq!(
        drift,
        ["+ billing.subscription.ops@example.com: `ops@example.com` is not subscribed to the topic"]
    );
    converge(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
}

#[tokio::test]
async fn alarms_without_the_prefix_are_never_touched_and_orphans_need_allow_delete() {
    let w = world().await;
    converge(&w, PlanOptions::default()).await;
    // Someone's own alarm, without plinth's prefix.
    w.cw.put_metric_alarm()
        .alarm_name("team-billing")
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .statistic(Statistic::Maximum)
        .period(21_600)
        .evaluation_periods(1)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    // The sandbox alarm leaves the baseline.
    w.b.rewrite(
        BASELINE
            .split("[[billing.alarm]]\nname = \"sandbox-spend\"")
            .next()
            .unwrap(),
    );

    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:?}", plan.changes);
    assert_eq!(plan.orphans.len(), 1);
    assert_eq!(plan.orphans[0].address, "billing.orphan.sandbox-spend");

    let plan = converge(&w, PlanOptions { allow_delete: true }).await;
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Delete);
    assert!(alarm(&w, "plinth-billing-sandbox-spend").await.is_none());
    assert_eq!(
        alarm(&w, "team-billing").await.expect("untouched").threshold(),
        Some(5.0)
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn bad_billing_input_is_an_error_with_no_write() {
    let w = world().await;
    let b = TempBaseline::new(
        &BASELINE.replace(r#"account = "sandbox""#, r#"account = "nobody""#),
        &[],
    );
    let session = w.emu.session().await;
    let err = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown account `nobody` in billing alarm `sandbox-spend`"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:14:11"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

/// A thousand per-account alarms: the plan reads them in pages of 100, not one by one.
#[tokio::test]
async fn a_thousand_alarms_cost_about_a_dozen_reads() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ids: Vec<String> = futures::stream::iter(0..1000)
        .map(|i| {
            let org = org.clone();
            async move {
                let out = org
                    .create_account()
                    .account_name(format!("acct-{i:04}"))
                    .email(format!("acct-{i:04}@example.com"))
                    .send()
                    .await
                    .unwrap();
                out.create_account_status().unwrap().account_id().unwrap().to_owned()
            }
        })
        .buffered(16)
        .collect()
        .await;
    let mut toml =
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[billing]\nnotify = [\"finance@example.com\"]\n"
            .to_owned();
    for id in &ids {
        toml.push_str(&format!(
            "\n[[billing.alarm]]\nname = \"acct-{id}\"\naccount = \"{id}\"\nthreshold_usd = 50\n"
        ));
    }
    let b = TempBaseline::new(&toml, &[]);
    // A hundred times the quota: 1,000 alarms at PutMetricAlarm's 3 per second would take
    // five and a half minutes.
    let session = emu.fast_session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert_eq!(plan.changes.len(), 1002, "topic, subscription, 1000 alarms");
    assert!(session.apply(&plan).await.is_success());

    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty());
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0);
    assert_eq!(calls.get("CloudWatch.DescribeAlarms"), 10, "pages of 100: {calls:?}");
    let billing_reads: u64 = calls
        .calls
        .iter()
        .filter(|(k, _)| k.starts_with("CloudWatch.") || k.starts_with("SNS."))
        .map(|(_, n)| n)
        .sum();
    assert!(billing_reads <= 14, "{calls:?}");
    eprintln!(
        "1,000 alarms, converged plan: {} billing reads, {} reads in all",
        billing_reads,
        calls.reads()
    );
}

#[tokio::test]
async fn alarms_and_topic_live_in_us_east_1_whatever_the_callers_region() {
    let w = world().await;
    // plinth configured for eu-west-1, as a European team's default profile would be.
    let conf = w
        .emu
        .sdk_config()
        .await
        .into_builder()
        .region(aws_types::region::Region::new("eu-west-1"))
        .build();
    let session = plinth::engine::Session::new(plinth::aws::Aws::from_sdk(conf.clone()));
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());

    // The emulator keeps each region apart: everything is in us-east-1, nothing in eu-west-1.
    assert!(alarm(&w, "plinth-billing-org-monthly").await.is_some());
    let eu = aws_sdk_cloudwatch::Client::new(&conf);
    assert!(eu.describe_alarms().send().await.unwrap().metric_alarms().is_empty());
    let eu_sns = aws_sdk_sns::Client::new(&conf);
    assert!(eu_sns.list_topics().send().await.unwrap().topics().is_empty());
}
