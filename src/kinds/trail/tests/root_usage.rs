//! The root-usage alarm without its own `notify` tells the billing topic, which `[billing]`
//! plans after the trail (a kind later in the registry): the alarm waits for the topic
//! only when this plan creates or changes it.

use super::*;
use crate::kinds::billing::BillingState;
use crate::observed::{Subscription, Topic};

const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts";

fn with_billing_topic(topic: Option<Topic>) -> crate::plan::Plan {
    let text = format!(
        "{BASELINE}cloudwatch_logs = true\nroot_usage_alarm = true\n\n[billing]\nnotify = [\"finance@example.com\"]\n"
    );
    let mut o = observed(TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail_info(true, None)),
        ..TrailState::default()
    });
    o.billing = BillingState {
        topic,
        billing_metrics_visible: true,
        ..BillingState::default()
    };
    compute(&base(&text), &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn the_alarm_waits_for_the_billing_topic_only_when_this_plan_makes_it() {
    let new = with_billing_topic(None);
    assert!(new.find("billing.topic").is_some());
    let alarm = new.find("trail.root_usage.alarm").unwrap();
    assert!(alarm.depends_on.iter().any(|d| d == "billing.topic"), "{:?}", alarm.depends_on);

    let live = Topic {
        arn: TOPIC_ARN.into(),
        owned: true,
        managed_by: None,
        policy: Some(crate::policy::minify(&crate::kinds::common::topic::topic_policy(
            None,
            TOPIC_ARN,
            "123456789012",
            false,
        ))),
        subscriptions: vec![Subscription {
            protocol: "email".into(),
            endpoint: "finance@example.com".into(),
            pending: false,
        }],
    };
    let converged = with_billing_topic(Some(live));
    assert!(
        !converged.changes.iter().any(|c| c.address.kind() == "billing"),
        "{:?}",
        converged.changes
    );
    let alarm = converged.find("trail.root_usage.alarm").unwrap();
    assert!(alarm.depends_on.iter().all(|d| d.kind() == "trail"), "{:?}", alarm.depends_on);
}
