//! Billing alarms: CloudWatch `AWS/Billing` `EstimatedCharges` alarms in us-east-1 for the
//! whole bill and per account, notifying an SNS topic with e-mail subscribers.
//!
//! plinth owns alarms named `plinth-billing-*`; one of those that the baseline no longer
//! declares is deleted only with `--allow-delete`, and only if it carries plinth's tag.
//! The topic is plinth's if it carries the tag; plinth manages only its own statement in
//! the topic's policy and adds missing subscriptions (it never unsubscribes anyone).

use crate::kinds::common::orphan;
use std::collections::BTreeMap;

mod import;
mod observe;
pub mod section;

pub use observe::BillingState;
pub use section::{AlarmDescription, BillingAlarm, BillingSection, MissingData, TopicPolicy};

use crate::diag::Diagnostics;
use crate::kinds::common::{adopt, alarm, placement, topic};
use crate::kinds::iam::{Names, Phase, Scope};
use crate::kinds::{Baseline, Context, IamActions, Kind, ObserveCx};
use crate::observed::{Alarm, AlarmSpec};
use crate::plan::{Action, Address, Change, CloudWatchOp, Op, Plan};

pub struct Billing;

impl Kind for Billing {
    const NAME: &'static str = "billing";
    const GUARDRAIL: bool = true;
    type Section = Option<toml::Spanned<BillingSection>>;
    type Schema = BillingSection;
    type State = BillingState;
    const IAM: IamActions = IamActions {
        plan: &[
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:ListMetrics",
            "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:ListTagsForResource",
        ],
        // The writes are in `SCOPES`.
        apply: &[],
        delete: &[],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }
    const SCOPES: &'static [Scope] = &[
        Scope {
            sid: "PlinthBillingAlarms",
            phase: Phase::Apply,
            actions: &["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"],
            resources: alarm_arns,
            condition: None,
        },
        // An orphan alarm (`plinth-billing-*` the baseline no longer has) is deleted.
        Scope {
            sid: "PlinthBillingAlarmsDelete",
            phase: Phase::Delete,
            actions: &["cloudwatch:DeleteAlarms"],
            resources: orphan_alarm_arns,
            condition: None,
        },
        Scope {
            sid: "PlinthBillingTopic",
            phase: Phase::Apply,
            actions: &["sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:Subscribe"],
            resources: topic_arn,
            condition: None,
        },
    ];

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        section::validate(baseline, section, diags);
    }

    fn console_steps(_: &Baseline, section: &Self::Section) -> Vec<&'static str> {
        match section {
            Some(_) => vec![
                "Billing alerts: Billing and Cost Management > Billing preferences > Alert preferences > \"Receive CloudWatch billing alerts\" (the plan warns while billing metrics are missing)",
            ],
            None => vec![],
        }
    }

    fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> impl std::future::Future<Output = Result<BillingState, Diagnostics>> {
        observe::observe(cx, section)
    }

    /// Every billing alarm and the topic they notify.
    fn import(
        cx: &crate::kinds::ImportCx<'_>,
    ) -> impl std::future::Future<Output = Result<crate::kinds::Imported, Diagnostics>> {
        import::import(cx)
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_billing(cx, section, plan)
    }
}

/// An address of this kind, from its full name.
fn at(name: impl Into<String>) -> Address {
    Address::new(Billing::NAME, name)
}

pub const ALARM_PREFIX: &str = "plinth-billing-";
/// Billing metrics and their alarms live in us-east-1 only.
pub const REGION: &str = "us-east-1";
pub const TOPIC_ADDRESS: &str = "billing.topic";

/// The billing topic's address, which alarms and budgets of other kinds wait for.
pub fn topic_address() -> Address {
    Address::kind_root(Billing::NAME).child("topic")
}
/// Six hours: AWS updates billing metrics a few times a day.
pub const PERIOD_SECONDS: i32 = 21_600;

/// plinth's alarms (`plinth-billing-*`: an orphan is deleted by that name) and those the
/// baseline adopts by their own `alarm_name`.
fn alarm_arns(n: &Names<'_>) -> Vec<String> {
    let section = n.baseline.and_then(|b| b.billing.as_ref());
    if n.baseline.is_some() && section.is_none() {
        return Vec::new();
    }
    let adopted = section
        .into_iter()
        .flat_map(|s| &s.get_ref().alarm)
        .filter_map(|a| a.get_ref().alarm_name.as_ref().map(|n| n.get_ref().clone()));
    std::iter::once(format!("{ALARM_PREFIX}*"))
        .chain(adopted)
        .map(|name| n.arn("cloudwatch", REGION, &format!("alarm:{name}")))
        .collect()
}

/// plinth's alarms, which it reads (and deletes when they left the baseline) even when the
/// baseline has no `[billing]` any more.
fn orphan_alarm_arns(n: &Names<'_>) -> Vec<String> {
    vec![n.arn("cloudwatch", REGION, &format!("alarm:{ALARM_PREFIX}*"))]
}

/// The baseline's topic (`topic_name`), plinth's default one without a baseline.
fn topic_arn(n: &Names<'_>) -> Vec<String> {
    let name = match n.baseline {
        Some(b) => b.billing.as_ref().map(|s| s.get_ref().topic_name.get_ref().to_string()),
        None => Some(crate::types::TopicName::default_billing().to_string()),
    };
    name.map(|t| n.arn("sns", REGION, &t)).into_iter().collect()
}

pub fn alarm_name(name: &str) -> String {
    format!("{ALARM_PREFIX}{name}")
}

/// A declared alarm's name in CloudWatch: its `alarm_name`, else plinth's.
pub fn full_name(alarm: &BillingAlarm) -> String {
    match &alarm.alarm_name {
        Some(n) => n.get_ref().clone(),
        None => alarm_name(alarm.name.get_ref().as_str()),
    }
}

/// plinth's description of an alarm that declares none: the account as the baseline
/// names it, stable even before a new account has an id.
pub fn default_description(alarm: &BillingAlarm) -> String {
    description_of(
        alarm.account.as_ref().map(|a| a.get_ref().as_str()),
        alarm.threshold_usd.get_ref().get(),
    )
}

/// plinth's description of an alarm of `account` (as the baseline names it) or of the
/// whole bill, over `threshold` USD.
pub fn description_of(account: Option<&str>, threshold: f64) -> String {
    match account {
        Some(account) => format!("Managed by plinth: estimated charges of account {account} over {threshold} USD"),
        None => format!("Managed by plinth: estimated charges of the organization over {threshold} USD"),
    }
}

/// The alarm the baseline declares.
pub fn desired_alarm(alarm: &BillingAlarm, account_id: Option<&str>, topic_arn: &str) -> AlarmSpec {
    let mut dimensions = BTreeMap::new();
    if let Some(id) = account_id {
        dimensions.insert("LinkedAccount".into(), id.to_owned());
    }
    let mut spec = AlarmSpec {
        name: full_name(alarm),
        description: match &alarm.description {
            Some(d) => d.get_ref().as_str().to_owned(),
            None => default_description(alarm),
        },
        namespace: String::new(),
        metric_name: String::new(),
        dimensions,
        statistic: String::new(),
        period: 0,
        evaluation_periods: 0,
        threshold: alarm.threshold_usd.get_ref().get(),
        comparison_operator: String::new(),
        treat_missing_data: alarm.treat_missing_data.as_str().into(),
        alarm_actions: vec![],
        actions_enabled: false,
    };
    impose(&mut spec, topic_arn);
    spec
}

/// What plinth sets on every billing alarm whatever the baseline says: the metric, its
/// `Currency=USD` dimension (beside `LinkedAccount`), the statistic and period, one
/// evaluation period, the comparison, and actions on, notifying the topic alone.
pub fn impose(spec: &mut AlarmSpec, topic_arn: &str) {
    spec.namespace = "AWS/Billing".into();
    spec.metric_name = "EstimatedCharges".into();
    spec.dimensions.retain(|k, _| k == "LinkedAccount");
    spec.dimensions.insert("Currency".into(), "USD".into());
    spec.statistic = "Maximum".into();
    spec.period = PERIOD_SECONDS;
    spec.evaluation_periods = 1;
    spec.comparison_operator = "GreaterThanThreshold".into();
    spec.alarm_actions = vec![topic_arn.to_owned()];
    spec.actions_enabled = true;
}

fn plan_billing(cx: &Context<'_>, section: &Option<toml::Spanned<BillingSection>>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let observed = &cx.observed.billing;
    let mut diags = Diagnostics::default();
    let mut desired_names = Vec::new();

    if let Some(section) = section {
        let billing = section.get_ref();
        let (arn, topic_dep) = topic::plan_topic(
            cx,
            plan,
            &mut diags,
            &topic::TopicDecl {
                within: Address::kind_root(Billing::NAME),
                notify_key: "billing.notify",
                name: billing.topic_name.get_ref().as_str(),
                name_span: if billing.topic_name.span().is_empty() {
                    section.span()
                } else {
                    billing.topic_name.span()
                },
                notify: &billing.notify,
                // `[[budget]]` alerts that name `billing` publish here too.
                budgets: crate::kinds::cross::budgets_publish_to_billing_topic(cx.baseline),
                keep_policy: billing.topic_policy == TopicPolicy::Keep,
            },
            observed.topic.as_ref(),
        );

        // Alarms.
        for alarm in &billing.alarm {
            let a = alarm.get_ref();
            let mut deps = topic_dep.clone();
            // An account created earlier in this run: its id is known once it exists.
            let what = format!("billing alarm `{}`", a.name.get_ref());
            let (account_id, linked_account, account_deps) =
                match placement::linked_account(cx, plan, a.account.as_ref(), &what) {
                    Ok(Some(linked)) => linked,
                    // Blocked: the alarm stays as it is (and is no orphan).
                    Ok(None) => {
                        desired_names.push(desired_alarm(a, None, &arn).name);
                        continue;
                    }
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                };
            deps.extend(account_deps);
            let want = desired_alarm(a, account_id.as_deref(), &arn);
            desired_names.push(want.name.clone());
            let address = at(format!("{}.alarm.{}", Billing::NAME, a.name.get_ref()));
            let found = observed.alarms.iter().find(|l| l.spec.name == want.name);
            let mut update_deps = topic_dep.clone();
            // One named by `alarm_name` that another tool manages: never adopted.
            if let Some(other) = found.and_then(|l| l.managed_by.as_ref()) {
                let span = a.alarm_name.as_ref().map_or(a.name.span(), |n| n.span());
                diags.push(adopt::managed_elsewhere(
                    &cx.baseline.source,
                    span,
                    &format!("alarm `{}`", want.name),
                    other,
                ));
                continue;
            }
            // One named by `alarm_name`, made before plinth: adopted first.
            if let Some(Alarm {
                owned: Some(false),
                arn: Some(arn),
                ..
            }) = found
            {
                let change = adopt::change(
                    &address,
                    &format!("alarm `{}`", want.name),
                    Op::Cloudwatch(CloudWatchOp::TagResource { alarm_arn: arn.clone() }),
                );
                update_deps.push(change.address.clone());
                plan.add(change);
            }
            let live = found.map(|l| &l.spec);
            let missing = format!("no alarm `{}` in CloudWatch ({REGION})", want.name);
            if let Some(change) = alarm::change(address, live, want, &missing, (linked_account, deps), update_deps) {
                plan.add(change);
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
        let what = format!("alarm `{name}`");
        if let Some(why) = orphan::not_plinths(&what, alarm.managed_by.as_ref(), alarm.owned == Some(true)) {
            plan.warnings.push(why);
            continue;
        }
        // The prefix once: `plinth-billing-plinth-billing-x` is not `plinth-billing-x`.
        let address = Address::kind_root(Billing::NAME)
            .child("orphan")
            .child(name.strip_prefix(ALARM_PREFIX).unwrap_or(name));
        let dropped = orphan::Dropped {
            address: address.clone(),
            what: &what,
            kept: None,
            with: None,
        };
        if orphan::delete_or_keep(plan, cx.options, dropped) {
            let op = Op::Cloudwatch(CloudWatchOp::DeleteAlarm { name: name.clone() });
            plan.add(
                Change::new(address, Action::Delete, orphan::DELETE_REASON, op)
                    .before(Some(crate::plan::value(&alarm.spec))),
            );
        }
    }

    diags.into_result(())
}

#[cfg(test)]
mod tests;
