//! Billing plans on plain data.

use std::collections::BTreeMap;

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::common::topic::{TOPIC_POLICY_SID, topic_policy};
use crate::kinds::{Observed, compute};
use crate::observed::Topic;
use crate::observed::{Account, Alarm, OrgState, Subscription};
use crate::plan::PlanOptions;
use crate::plan::{Op, SnsOp};

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
const ARN: &str = "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts";

fn b(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn org() -> OrgState {
    OrgState {
        management_account_id: "123456789012".into(),
        root_id: "r-1".into(),
        scp_enabled: true,
        accounts: vec![
            Account {
                id: "123456789012".into(),
                name: "management".into(),
                email: String::new(),
                parent_id: None,
                suspended: false,
            },
            Account {
                id: "222222222222".into(),
                name: "sandbox".into(),
                email: String::new(),
                parent_id: None,
                suspended: false,
            },
        ],
        attached: BTreeMap::new(),
        ou_accounts: BTreeMap::new(),
        ..OrgState::default()
    }
}

fn converged(base: &crate::baseline::Baseline) -> Observed {
    let billing = base.file.billing.as_ref().unwrap().get_ref();
    let alarms = billing
        .alarm
        .iter()
        .map(|a| {
            let acct = a.get_ref().account.as_ref().map(|_| "222222222222");
            Alarm {
                spec: desired_alarm(a.get_ref(), acct, ARN),
                owned: None,
                managed_by: None,
                arn: None,
            }
        })
        .collect();
    let subs = ["finance@example.com", "ops@example.com"]
        .map(|e| Subscription {
            protocol: "email".into(),
            endpoint: e.into(),
            pending: false,
        })
        .to_vec();
    Observed {
        org: org(),
        billing: BillingState {
            alarms,
            topic: Some(Topic {
                arn: ARN.into(),
                owned: true,
                managed_by: None,
                policy: Some(crate::policy::minify(&topic_policy(None, ARN, "123456789012", false))),
                subscriptions: subs,
            }),
            billing_metrics_visible: true,
        },
        ..Observed::default()
    }
}

fn plan_of(base: &crate::baseline::Baseline, o: &Observed, allow_delete: bool) -> Plan {
    compute(base, o, PlanOptions { allow_delete }).unwrap_or_else(|d| panic!("{d}"))
}

fn addresses(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

#[test]
fn from_scratch_creates_topic_subscriptions_and_alarms_after_the_topic() {
    let base = b(BASELINE);
    let o = Observed {
        org: org(),
        billing: BillingState::default(),
        ..Observed::default()
    };
    let p = plan_of(&base, &o, false);
    assert_eq!(
        addresses(&p),
        [
            "+ billing.topic",
            "+ billing.subscription.finance@example.com",
            "+ billing.subscription.ops@example.com",
            "+ billing.alarm.org-monthly",
            "+ billing.alarm.sandbox-spend",
        ]
    );
    assert!(p.changes[1..].iter().all(|c| c.depends_on == [TOPIC_ADDRESS]));
    let Op::Cloudwatch(CloudWatchOp::PutMetricAlarm { alarm, .. }) = &p.find("billing.alarm.sandbox-spend").unwrap().op
    else {
        panic!()
    };
    assert_eq!(alarm.name, "plinth-billing-sandbox-spend");
    assert_eq!(alarm.dimensions["LinkedAccount"], "222222222222");
    assert_eq!(alarm.dimensions["Currency"], "USD");
    assert_eq!(
        (alarm.statistic.as_str(), alarm.period, alarm.threshold),
        ("Maximum", 21_600, 100.0)
    );
    assert_eq!(alarm.treat_missing_data, "notBreaching");
    assert_eq!(alarm.alarm_actions, [ARN]);
    // No billing metric yet: a warning that says what to click, and the alarms are still planned.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("Receive CloudWatch billing alerts")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn converged_billing_is_an_empty_plan() {
    let base = b(BASELINE);
    let p = plan_of(&base, &converged(&base), false);
    assert!(p.is_empty(), "{:?}", addresses(&p));
    assert!(
        p.warnings.is_empty() && p.notes.is_empty(),
        "{:?} {:?}",
        p.warnings,
        p.notes
    );
}

#[test]
fn changed_alarm_fields_are_updates_with_reasons() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let spec = &mut o.billing.alarms[0].spec;
    spec.threshold = 5000.0;
    spec.period = 3600;
    spec.statistic = "Average".into();
    spec.actions_enabled = false;
    spec.alarm_actions.clear();
    spec.dimensions.insert("LinkedAccount".into(), "999999999999".into());
    let p = plan_of(&base, &o, false);
    assert_eq!(addresses(&p), ["~ billing.alarm.org-monthly"]);
    let r = &p.changes[0].reason;
    for expect in [
        "threshold is 5000 USD, baseline says 1000 USD",
        "period is 3600 s, baseline says 21600 s",
        "statistic is Average, baseline says Maximum",
        "dimensions is",
        "actions is [], baseline says",
        "actions are disabled",
    ] {
        assert!(r.contains(expect), "{expect} not in {r}");
    }
}

#[test]
fn an_untagged_topic_is_adopted_and_one_of_another_tool_is_an_error() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    o.billing.topic.as_mut().unwrap().owned = false;
    let plan = compute(&base, &o, PlanOptions::default()).unwrap();
    let shown: Vec<(&str, &str)> = plan
        .changes
        .iter()
        .map(|c| (c.action.symbol(), c.address.as_str()))
        .collect();
    assert_eq!(shown, [("=", "billing.topic (adopt)")]);
    assert_eq!(
        plan.changes[0].op,
        Op::Sns(SnsOp::TagResource {
            topic_arn: "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts".into()
        })
    );

    o.billing.topic.as_mut().unwrap().managed_by = crate::observed::other_manager("x", [("aws:cloudformation:stack-name", "alerts")]);
    let err = compute(&base, &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains(
            "SNS topic `arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts` exists and plinth does not manage it"
        ),
        "{err}"
    );
    assert!(err.contains("it is managed by CloudFormation stack `alerts`"), "{err}");
}

#[test]
fn pending_and_extra_subscriptions_are_notes_not_changes() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let subs = &mut o.billing.topic.as_mut().unwrap().subscriptions;
    subs[0].pending = true;
    subs.push(Subscription {
        protocol: "email".into(),
        endpoint: "someone@example.com".into(),
        pending: false,
    });
    let p = plan_of(&base, &o, false);
    assert!(p.is_empty());
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("`finance@example.com` has not confirmed")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("`someone@example.com` (email) is subscribed")),
        "{:?}",
        p.notes
    );
}

#[test]
fn missing_subscription_and_policy_statement_are_repaired_keeping_others() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let topic = o.billing.topic.as_mut().unwrap();
    topic.subscriptions.remove(1);
    topic.policy = Some(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"TheirOwn","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sns:Subscribe","Resource":"*"}]}"#.into(),
    );
    let p = plan_of(&base, &o, false);
    assert_eq!(
        addresses(&p),
        ["~ billing.topic.policy", "+ billing.subscription.ops@example.com"]
    );
    let Op::Sns(SnsOp::SetTopicPolicy { policy, .. }) = &p.changes[0].op else {
        panic!()
    };
    assert!(
        policy.contains("TheirOwn") && policy.contains(TOPIC_POLICY_SID),
        "{policy}"
    );
    assert_eq!(p.changes[0].statement_diff.len(), 1);
}

#[test]
fn orphans_need_the_tag_and_allow_delete() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let mut old = o.billing.alarms[0].clone();
    old.spec.name = "plinth-billing-old".into();
    old.owned = Some(true);
    let mut untagged = old.clone();
    untagged.spec.name = "plinth-billing-handmade".into();
    untagged.owned = Some(false);
    o.billing.alarms.extend([old, untagged]);

    let p = plan_of(&base, &o, false);
    assert!(p.is_empty());
    assert_eq!(p.orphans.len(), 1);
    assert_eq!(p.orphans[0].address, "billing.orphan.old");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("`plinth-billing-handmade` has plinth's prefix but not its"))
    );

    let p = plan_of(&base, &o, true);
    assert_eq!(addresses(&p), ["- billing.orphan.old"]);
}

#[test]
fn an_orphan_named_with_the_prefix_twice_is_its_own_change() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let mut old = o.billing.alarms[0].clone();
    old.spec.name = "plinth-billing-old".into();
    old.owned = Some(true);
    let mut twice = old.clone();
    twice.spec.name = "plinth-billing-plinth-billing-old".into();
    o.billing.alarms.extend([old, twice]);
    let p = plan_of(&base, &o, true);
    assert_eq!(addresses(&p), ["- billing.orphan.old", "- billing.orphan.plinth-billing-old"]);
    assert!(p.blocked.is_empty(), "{:?}", p.blocked);
}

#[test]
fn unknown_account_is_an_error_at_its_position() {
    let base = b(&BASELINE.replace(r#"account = "sandbox""#, r#"account = "nosuch""#));
    let err = compute(&base, &converged(&b(BASELINE)), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown account `nosuch` in billing alarm `sandbox-spend`"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:14:11"), "{err}");
}

#[test]
fn another_tools_alarm_with_plinths_prefix_and_tag_is_never_deleted_nor_adopted() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let tags = [("managed-by", "plinth"), ("aws:cloudformation:stack-name", "alerts")];
    let mut claimed = o.billing.alarms[0].clone();
    claimed.spec.name = "plinth-billing-stack".into();
    let who = crate::observed::ownership(&claimed.spec.name, tags);
    (claimed.owned, claimed.managed_by) = (Some(who.owned), who.managed_by);
    o.billing.alarms.push(claimed);
    let p = plan_of(&base, &o, true);
    assert!(p.is_empty(), "{:?}", addresses(&p));
    assert!(p.orphans.is_empty(), "{:?}", p.orphans);
    assert!(
        p.warnings.iter().any(|w| w.contains(
            "alarm `plinth-billing-stack` carries `managed-by=plinth`, but CloudFormation stack `alerts` (tag `aws:cloudformation:stack-name`) manages it"
        )),
        "{:?}",
        p.warnings
    );

    // Named by `alarm_name`, with those tags: an error, not an adoption.
    let named = format!("{BASELINE}\n[[billing.alarm]]\nname = \"legacy\"\nalarm_name = \"LegacySpend\"\nthreshold_usd = 5\n");
    let base = b(&named);
    let mut legacy = o.billing.alarms[0].clone();
    legacy.spec.name = "LegacySpend".into();
    legacy.arn = Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:LegacySpend".into());
    let who = crate::observed::ownership("LegacySpend", tags);
    (legacy.owned, legacy.managed_by) = (Some(who.owned), who.managed_by);
    o.billing.alarms.push(legacy);
    let err = crate::kinds::tests::blocked_text(compute(&base, &o, PlanOptions::default()));
    assert!(err.contains("alarm `LegacySpend` exists and plinth does not manage it"), "{err}");
}

#[test]
fn adopting_a_topic_keeps_its_statements_and_never_removes_a_deny() {
    let base = b(BASELINE);
    let mut o = converged(&base);
    let topic = o.billing.topic.as_mut().unwrap();
    topic.owned = false;
    let deny = serde_json::json!({"Sid": TOPIC_POLICY_SID, "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": ARN});
    let theirs = serde_json::json!({"Sid": "TheirOwn", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Subscribe", "Resource": "*"});
    topic.policy = Some(serde_json::json!({"Version": "2012-10-17", "Statement": [theirs, deny]}).to_string());
    let p = plan_of(&base, &o, false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)"]);
    assert!(
        p.warnings.iter().any(|w| w.contains(&format!(
            "policy has a `Deny` statement under plinth's Sid `{TOPIC_POLICY_SID}`: plinth never removes a `Deny`"
        ))),
        "{:?}",
        p.warnings
    );

    // Without the deny: plinth's statement is added, theirs kept.
    let topic = o.billing.topic.as_mut().unwrap();
    topic.policy = Some(serde_json::json!({"Version": "2012-10-17", "Statement": [theirs]}).to_string());
    let p = plan_of(&base, &o, false);
    assert_eq!(addresses(&p), ["= billing.topic (adopt)", "~ billing.topic.policy"]);
    let Op::Sns(SnsOp::SetTopicPolicy { policy, .. }) = &p.changes[1].op else {
        panic!()
    };
    assert!(policy.contains("TheirOwn") && policy.contains(TOPIC_POLICY_SID), "{policy}");
}

mod handmade;
