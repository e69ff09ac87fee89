//! Billing alarms: CloudWatch `AWS/Billing` `EstimatedCharges` alarms in us-east-1 for the
//! whole bill and per account, notifying an SNS topic with e-mail subscribers.
//!
//! plinth owns alarms named `plinth-billing-*`; one of those that the baseline no longer
//! declares is deleted only with `--allow-delete`, and only if it carries plinth's tag.
//! The topic is plinth's if it carries the tag; plinth manages only its own statement in
//! the topic's policy and adds missing subscriptions (it never unsubscribes anyone).

use std::collections::BTreeMap;

use super::{Action, Change, CloudWatchOp, Context, Op, Orphan, Plan};
use super::{alarm, topic};
use crate::baseline::{BillingAlarm, Target};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{AlarmSpec, OWNER_TAG_KEY, OWNER_TAG_VALUE, Resolved};

pub const ALARM_PREFIX: &str = "plinth-billing-";
/// Billing metrics and their alarms live in us-east-1 only.
pub const REGION: &str = "us-east-1";
pub const TOPIC_ADDRESS: &str = "billing.topic";
/// Six hours: AWS updates billing metrics a few times a day.
pub const PERIOD_SECONDS: i32 = 21_600;

pub fn alarm_name(name: &str) -> String {
    format!("{ALARM_PREFIX}{name}")
}

/// The alarm the baseline declares.
pub fn desired_alarm(alarm: &BillingAlarm, account_id: Option<&str>, topic_arn: &str) -> AlarmSpec {
    let mut dimensions = BTreeMap::from([("Currency".to_owned(), "USD".to_owned())]);
    if let Some(id) = account_id {
        dimensions.insert("LinkedAccount".into(), id.to_owned());
    }
    let threshold = alarm.threshold_usd.get_ref().get();
    AlarmSpec {
        name: alarm_name(alarm.name.get_ref().as_str()),
        // The account as the baseline names it: stable even before a new account has an id.
        description: match &alarm.account {
            Some(account) => format!(
                "Managed by plinth: estimated charges of account {} over {threshold} USD",
                account.get_ref()
            ),
            None => format!("Managed by plinth: estimated charges of the organization over {threshold} USD"),
        },
        namespace: "AWS/Billing".into(),
        metric_name: "EstimatedCharges".into(),
        dimensions,
        statistic: "Maximum".into(),
        period: PERIOD_SECONDS,
        evaluation_periods: 1,
        threshold,
        comparison_operator: "GreaterThanThreshold".into(),
        treat_missing_data: "notBreaching".into(),
        alarm_actions: vec![topic_arn.to_owned()],
        actions_enabled: true,
    }
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let observed = &cx.observed.billing;
    let org = &cx.observed.org;
    let src = &cx.baseline.source;
    let mut diags = Diagnostics::default();
    let mut desired_names = Vec::new();

    if let Some(section) = &cx.baseline.file.billing {
        let billing = section.get_ref();
        let (arn, topic_dep) = topic::plan_topic(
            cx,
            plan,
            &mut diags,
            &topic::TopicDecl {
                address: TOPIC_ADDRESS,
                notify_key: "billing.notify",
                name: billing.topic_name.get_ref().as_str(),
                name_span: if billing.topic_name.span().is_empty() {
                    section.span()
                } else {
                    billing.topic_name.span()
                },
                notify: &billing.notify,
            },
            observed.topic.as_ref(),
        );

        // Alarms.
        for alarm in &billing.alarm {
            let a = alarm.get_ref();
            let mut linked_account = None;
            let mut deps = topic_dep.clone();
            let account_id = match &a.account {
                None => None,
                Some(acct) => match (
                    org.resolve(&Target::Account(acct.get_ref().clone())),
                    super::account::planned(plan, acct.get_ref()),
                ) {
                    (Resolved::Id(id), _) => Some(id),
                    // An account created earlier in this run: its id is known once it exists.
                    (Resolved::Unknown(_), Some((addr, account_deps))) => {
                        linked_account = Some(super::Ref::Planned(addr));
                        deps.extend(account_deps);
                        None
                    }
                    (Resolved::Unknown(why), None) => {
                        diags.push(
                            Diagnostic::error(format!(
                                "unknown account `{}` in billing alarm `{}`",
                                acct.get_ref(),
                                a.name.get_ref()
                            ))
                            .at(src, acct.span())
                            .cause(why)
                            .hint("name an account of this organization by its 12-digit id or its exact name"),
                        );
                        continue;
                    }
                },
            };
            let want = desired_alarm(a, account_id.as_deref(), &arn);
            desired_names.push(want.name.clone());
            let address = format!("billing.alarm.{}", a.name.get_ref());
            let live = observed
                .alarms
                .iter()
                .find(|l| l.spec.name == want.name)
                .map(|l| &l.spec);
            let missing = format!("no alarm `{}` in CloudWatch ({REGION})", want.name);
            if let Some(change) =
                alarm::change(address, live, want, &missing, (linked_account, deps), topic_dep.clone())
            {
                plan.changes.push(change);
            }
        }

        if !observed.billing_metrics_visible && !billing.alarm.is_empty() {
            plan.warnings.push(
                "CloudWatch has no `AWS/Billing` `EstimatedCharges` metric yet, so billing alarms cannot fire: \
                 sign in to the management account's console as an administrator, open Billing and Cost Management \
                 > Billing preferences > Alert preferences, and turn on \"Receive CloudWatch billing alerts\" \
                 (there is no API for it); metrics appear within a day, and the alarms plinth creates start working then"
                    .into(),
            );
        }
    }

    // Alarms with plinth's prefix that the baseline does not declare.
    for alarm in observed.alarms.iter().filter(|a| !desired_names.contains(&a.spec.name)) {
        let name = &alarm.spec.name;
        if alarm.owned != Some(true) {
            plan.warnings.push(format!(
                "alarm `{name}` has plinth's prefix but not its `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}` tag; plinth leaves it alone"
            ));
            continue;
        }
        let address = format!("billing.orphan.{}", name.trim_start_matches(ALARM_PREFIX));
        if cx.options.allow_delete {
            plan.changes.push(
                Change::new(
                    address,
                    Action::Delete,
                    "managed by plinth, no longer in the baseline, and `--allow-delete` was given",
                    Op::Cloudwatch(CloudWatchOp::DeleteAlarm { name: name.clone() }),
                )
                .before(serde_json::to_value(&alarm.spec).ok()),
            );
        } else {
            plan.orphans.push(Orphan {
                address,
                reason: format!(
                    "alarm `{name}` is managed by plinth but no longer in the baseline; kept; run with `--allow-delete` to delete it"
                ),
            });
        }
    }

    diags.into_result(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::baseline;
    use crate::diag::SourceFile;
    use crate::observed::Topic;
    use crate::observed::{Account, Alarm, BillingState, Observed, OrgState, Subscription};
    use crate::plan::SnsOp;
    use crate::plan::topic::{TOPIC_POLICY_SID, topic_policy};
    use crate::plan::{PlanOptions, compute};

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
            trail: Default::default(),
            sso: Default::default(),
            billing: BillingState {
                alarms,
                topic: Some(Topic {
                    arn: ARN.into(),
                    owned: true,
                    policy: Some(crate::policy::minify(&topic_policy(None, ARN, "123456789012"))),
                    subscriptions: subs,
                }),
                billing_metrics_visible: true,
            },
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
            trail: Default::default(),
            sso: Default::default(),
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
        let Op::Cloudwatch(CloudWatchOp::PutMetricAlarm { alarm, .. }) =
            &p.find("billing.alarm.sandbox-spend").unwrap().op
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
    fn topic_not_owned_is_an_error_that_says_how_to_adopt_it() {
        let base = b(BASELINE);
        let mut o = converged(&base);
        o.billing.topic.as_mut().unwrap().owned = false;
        let err = compute(&base, &o, PlanOptions::default()).unwrap_err().to_string();
        assert!(err.contains("SNS topic `arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts` exists and plinth does not manage it"), "{err}");
        assert!(err.contains("aws sns tag-resource"), "{err}");
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
}
