//! `[trail] alarms`: the CIS monitoring set on plain data: from nothing, converged,
//! drifted, a check taken off the list, bad names.

use super::*;
use crate::kinds::trail::cis::CHECKS;
use crate::kinds::trail::{ALERT_TOPIC, ROOT_NAMESPACE, check_alarm};
use crate::observed::MetricFilter;

const ALERTS: &str = "arn:aws:sns:us-east-1:123456789012:plinth-security-alerts";

fn text(alarms: &str) -> String {
    format!("{BASELINE}cloudwatch_logs = true\nalarms = {alarms}\nnotify = [\"security@example.com\"]\n")
}

/// The trail and its delivery in place, and the live filters and alarms given.
fn state(checks: &[&str]) -> TrailState {
    let mut s = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail_info(true, None)),
        log_group: Some(crate::observed::LogGroup {
            arn: "arn:aws:logs:us-east-1:123456789012:log-group:/plinth/cloudtrail/org-trail:*".into(),
            owned: true,
            managed_by: None,
        }),
        ..TrailState::default()
    };
    for c in CHECKS.iter().filter(|c| checks.contains(&c.name)) {
        s.metric_filters.insert(
            c.filter_name(),
            MetricFilter {
                pattern: c.pattern.into(),
                metric_name: c.metric.into(),
                metric_namespace: ROOT_NAMESPACE.into(),
                metric_value: "1".into(),
            },
        );
        s.alarms.insert(c.alarm_name(), check_alarm(c, ALERTS));
    }
    s
}

/// The plan's monitoring changes, as `action address`.
fn monitoring(plan: &crate::plan::Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| matches!(c.address.to_string().rsplit('.').next(), Some("metric_filter" | "alarm")))
        .map(|c| format!("{} {}", c.action, c.address))
        .collect()
}

fn plan_of(text: &str, s: TrailState) -> crate::plan::Plan {
    compute(&base(text), &observed(s), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn cis_from_nothing_is_a_filter_and_an_alarm_per_check_on_one_topic() {
    let p = plan_of(&text("[\"cis\"]"), state(&[]));
    let changes = monitoring(&p);
    assert_eq!(changes.len(), 30, "{changes:#?}");
    assert!(changes.contains(&"create trail.root_usage.metric_filter".to_owned()), "{changes:#?}");
    assert!(changes.contains(&"create trail.vpc_changes.alarm".to_owned()), "{changes:#?}");
    for c in p.changes.iter().filter(|c| c.address.to_string().rsplit('.').next() == Some("alarm")) {
        let after = c.after.as_ref().unwrap();
        assert_eq!(after["alarm_actions"], serde_json::json!([ALERTS]), "{}", c.address);
        assert!(
            c.depends_on.iter().any(|d| d.to_string().starts_with("trail.alerts")),
            "{}",
            c.address
        );
    }
    // The one topic, with its subscription.
    assert!(
        p.changes.iter().any(|c| c.address.to_string().starts_with("trail.alerts")
            && c.reason.contains(ALERT_TOPIC)),
        "{:#?}",
        p.changes.iter().map(|c| (c.address.to_string(), c.reason.clone())).collect::<Vec<_>>()
    );
}

#[test]
fn a_converged_set_is_no_change_and_drift_is_repaired_check_by_check() {
    let all: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    let p = plan_of(&text("[\"cis\"]"), state(&all));
    assert!(monitoring(&p).is_empty(), "{:#?}", monitoring(&p));

    let mut drifted = state(&all);
    drifted.metric_filters.get_mut("plinth-cloudtrail-changes").unwrap().pattern = "{ $.eventName = StartLogging }".into();
    drifted.alarms.remove("plinth-trail-vpc-changes");
    let p = plan_of(&text("[\"cis\"]"), drifted);
    assert_eq!(
        monitoring(&p),
        ["update trail.cloudtrail_changes.metric_filter", "create trail.vpc_changes.alarm"]
    );
    let update = p.find("trail.cloudtrail_changes.metric_filter").unwrap();
    assert!(update.reason.contains("CIS v1.4.0 4.5"), "{}", update.reason);
}

#[test]
fn a_check_taken_off_the_list_is_left_as_it_is_with_a_warning() {
    let p = plan_of(&text("[\"root-usage\"]"), state(&["root-usage", "vpc-changes"]));
    assert!(monitoring(&p).is_empty(), "{:#?}", monitoring(&p));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("`vpc-changes` (VPC changes) is not among `[trail]`'s alarms")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn root_usage_alarm_and_the_list_name_one_set() {
    let t = format!("{BASELINE}cloudwatch_logs = true\nroot_usage_alarm = true\nalarms = [\"root-usage\", \"vpc-changes\"]\nnotify = [\"security@example.com\"]\n");
    let p = plan_of(&t, state(&[]));
    assert_eq!(monitoring(&p).len(), 4, "{:#?}", monitoring(&p));
}

#[test]
fn unknown_checks_and_alarms_without_logs_are_errors_at_their_place() {
    let e = crate::baseline::parse(crate::diag::SourceFile::new(
        "baseline.toml",
        format!("{BASELINE}cloudwatch_logs = true\nalarms = [\"cis\", \"vpc-change\"]\nnotify = [\"security@example.com\"]\n"),
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("error: `vpc-change` is not a monitoring check plinth knows"), "{e}");
    assert!(e.contains("baseline.toml:8:18"), "{e}");
    assert!(e.contains("`vpc-changes`"), "{e}");

    let e = crate::baseline::parse(crate::diag::SourceFile::new(
        "baseline.toml",
        format!("{BASELINE}alarms = [\"cis\"]\nnotify = [\"security@example.com\"]\n"),
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("the monitoring alarms need `cloudwatch_logs = true`"), "{e}");
    assert!(e.contains("hint: add `cloudwatch_logs = true` to `[trail]`"), "{e}");

    // Turned off in so many words: the error is at that line, and says to set it.
    let e = crate::baseline::parse(crate::diag::SourceFile::new(
        "baseline.toml",
        format!("{BASELINE}alarms = [\"cis\"]\ncloudwatch_logs = false\nnotify = [\"security@example.com\"]\n"),
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("baseline.toml:8:19"), "{e}");
    assert!(e.contains("hint: set `cloudwatch_logs = true`"), "{e}");
}
