//! A topic and alarms made by hand, the console's way: what the baseline says of them is
//! what plinth keeps (the description, the missing-data treatment, the topic's policy),
//! and a statement equal to plinth's under another Sid is recognised.

use serde_json::json;

use super::*;

/// AWS's policy for a new topic (the console's, and `CreateTopic`'s without one).
fn default_topic_policy() -> String {
    json!({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": ARN,
            "Condition": {"StringEquals": {"AWS:SourceOwner": "123456789012"}}
        }]
    })
    .to_string()
}

fn with_topic_policy(base: &crate::baseline::Baseline, policy: String) -> Observed {
    let mut o = converged(base);
    let topic = o.billing.topic.as_mut().unwrap();
    topic.owned = false;
    topic.policy = Some(policy);
    o
}

#[test]
fn the_default_topic_policy_gets_plinths_statement_unless_the_baseline_keeps_it() {
    let base = b(BASELINE);
    let p = plan_of(&base, &with_topic_policy(&base, default_topic_policy()), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)", "~ billing.topic.policy"]);

    let kept = b(&BASELINE.replace("[billing]\n", "[billing]\ntopic_policy = \"keep\"\n"));
    let p = plan_of(&kept, &with_topic_policy(&kept, default_topic_policy()), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)"]);
    // Kept as it is, even with no statement for CloudWatch at all.
    let p = plan_of(&kept, &with_topic_policy(&kept, "{}".into()), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)"]);
}

#[test]
fn plinths_statement_under_another_sid_is_recognised_and_a_narrower_one_is_not() {
    let base = b(BASELINE);
    let mut theirs = crate::kinds::common::topic::topic_statement(ARN, "123456789012");
    theirs["Sid"] = json!("AllowCloudWatchAlarms");
    theirs["Action"] = json!(["SNS:Publish"]);
    let doc = |s: &serde_json::Value| json!({"Version": "2012-10-17", "Statement": [s]}).to_string();
    let p = plan_of(&base, &with_topic_policy(&base, doc(&theirs)), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)"]);
    assert!(
        p.notes.iter().any(|n| n
            == &format!("topic `{ARN}`'s policy already grants exactly what plinth's `{TOPIC_POLICY_SID}` would, under other Sids: plinth adds no duplicate")),
        "{:?}",
        p.notes
    );

    // Only the billing alarms: less than plinth's statement grants.
    theirs["Condition"]["ArnLike"]["aws:SourceArn"] =
        json!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:plinth-billing-*");
    let p = plan_of(&base, &with_topic_policy(&base, doc(&theirs)), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)", "~ billing.topic.policy"]);
}

const CONSOLE: &str = r#"
[organization]
management_account_id = "123456789012"

[billing]
topic_policy = "keep"

[[billing.alarm]]
name = "Monthly-bill"
alarm_name = "Monthly bill"
threshold_usd = 1000
description = "Tell finance when the bill passes 1000 USD"
treat_missing_data = "missing"
"#;

#[test]
fn an_alarms_description_and_missing_data_treatment_are_the_baselines() {
    let base = b(CONSOLE);
    let alarm = base.file.billing.as_ref().unwrap().get_ref().alarm[0].get_ref();
    assert_eq!(alarm.treat_missing_data, MissingData::Missing);
    let spec = desired_alarm(alarm, None, ARN);
    assert_eq!(spec.description, "Tell finance when the bill passes 1000 USD");
    assert_eq!(spec.treat_missing_data, "missing");

    // Left out: plinth's own.
    let plain = b(BASELINE);
    let spec = desired_alarm(plain.file.billing.as_ref().unwrap().get_ref().alarm[1].get_ref(), None, ARN);
    assert_eq!(
        spec.description,
        "Managed by plinth: estimated charges of account sandbox over 100 USD"
    );
    assert_eq!(spec.treat_missing_data, "notBreaching");

    // The live alarm as the console made it plans nothing; plinth's values would be updates.
    let mut o = converged(&plain);
    o.billing.topic = None;
    let live = Alarm {
        spec: desired_alarm(alarm, None, ARN),
        owned: Some(true),
        managed_by: None,
        arn: Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:Monthly bill".into()),
    };
    o.billing.alarms = vec![live.clone()];
    let mut topic = converged(&plain).billing.topic.unwrap();
    topic.subscriptions.clear();
    topic.policy = Some(default_topic_policy());
    o.billing.topic = Some(topic);
    let p = plan_of(&base, &o, false);
    assert!(p.is_empty(), "{:?}", addresses(&p));
    let defaults = b(&CONSOLE
        .replace("description = \"Tell finance when the bill passes 1000 USD\"\n", "")
        .replace("treat_missing_data = \"missing\"\n", ""));
    let p = plan_of(&defaults, &o, false);
    assert_eq!(addresses(&p), ["~ billing.alarm.Monthly-bill"]);
    assert!(
        p.changes[0].reason.contains("missing data is missing, baseline says notBreaching"),
        "{}",
        p.changes[0].reason
    );
}

#[test]
fn bad_values_are_refused_where_they_are_written() {
    let bad = |from: &str, to: &str| {
        let text = CONSOLE.replace(from, to);
        baseline::parse(SourceFile::new("baseline.toml", text.as_str()))
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let e = bad("\"missing\"", "\"notbreaching\"");
    assert!(e.contains("baseline.toml:13:22"), "{e}");
    assert!(e.contains("unknown variant `notbreaching`"), "{e}");
    let e = bad("Tell finance", &"x".repeat(1100));
    assert!(e.contains("an alarm description of 1130 characters is too long"), "{e}");
    assert!(e.contains("baseline.toml:12:15"), "{e}");
    let e = bad("\"keep\"", "\"mine\"");
    assert!(e.contains("unknown variant `mine`, expected `plinth` or `keep`"), "{e}");
}

#[test]
fn a_kept_topic_policy_that_denies_publishing_is_a_warning() {
    let kept = b(&BASELINE.replace("[billing]\n", "[billing]\ntopic_policy = \"keep\"\n"));
    let p = plan_of(&kept, &with_topic_policy(&kept, default_topic_policy()), false);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Someone adds a Deny for CloudWatch: nothing to repair (the policy is kept), but said.
    let mut doc: serde_json::Value = serde_json::from_str(&default_topic_policy()).unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "Quiet", "Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Pub*", "Resource": ARN
    }));
    let p = plan_of(&kept, &with_topic_policy(&kept, doc.to_string()), false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)"]);
    assert!(
        p.warnings.iter().any(|w| w.contains("denies `sns:Publish` in statement `Quiet`")),
        "{:?}",
        p.warnings
    );
    // A budget notifying the kept topic: plinth adds no statement for AWS Budgets there.
    let with_budget = format!(
        "{}\n[[budget]]\nname = \"org\"\namount_usd = 100\nactual_alert_percent = 80\nnotify = [\"billing\"]\n",
        BASELINE.replace("[billing]\n", "[billing]\ntopic_policy = \"keep\"\n")
    );
    let kept = b(&with_budget);
    let p = plan_of(&kept, &with_topic_policy(&kept, default_topic_policy()), false);
    assert!(
        p.warnings.iter().any(|w| w.contains("a `[[budget]]` notifies it") && w.contains("PlinthAllowBudgets")),
        "{:?}",
        p.warnings
    );
}
