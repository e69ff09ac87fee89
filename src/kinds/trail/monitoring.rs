//! The monitoring checks `[trail]` selects (the CIS set, [`super::cis`]): a metric filter
//! on the trail's log group and an alarm on its metric for each, all notifying the
//! billing topic or their own.

use super::*;
use crate::kinds::common::{alarm, topic};
use crate::observed::{AlarmSpec, MetricFilter};
use crate::plan::{Action, Change, LogsOp, MetricFilterSpec, Op};
use super::cis::{CHECKS, Check, ROOT_USAGE};

/// The alarm on check `c`'s metric, notifying `topic_arn`.
pub fn check_alarm(c: &Check, topic_arn: &str) -> AlarmSpec {
    let description = if c.name == ROOT_USAGE.name {
        // Root usage's, as plinth has always described it.
        "Managed by plinth: a root user was used (CIS benchmark root-usage check)".to_owned()
    } else {
        format!("Managed by plinth: {} ({})", c.title, c.cis)
    };
    AlarmSpec {
        name: c.alarm_name(),
        description,
        namespace: ROOT_NAMESPACE.into(),
        metric_name: c.metric.into(),
        dimensions: Default::default(),
        statistic: "Sum".into(),
        period: 300,
        evaluation_periods: 1,
        threshold: 1.0,
        comparison_operator: "GreaterThanOrEqualToThreshold".into(),
        treat_missing_data: "notBreaching".into(),
        alarm_actions: vec![topic_arn.to_owned()],
        actions_enabled: true,
    }
}

/// Where check `c`'s changes are: `trail.<check, with underscores>` (`trail.root_usage`).
fn base(c: &Check) -> crate::plan::Address {
    at("trail").child(c.name.replace('-', "_"))
}

/// Each selected check's metric filter and alarm, and the topic the alarms notify; a
/// warning for each check of the table plinth finds live but the baseline no longer
/// selects (left as it is).
pub(super) fn plan_monitoring(cx: &Context<'_>, plan: &mut Plan, diags: &mut Diagnostics, t: &TrailSection) {
    let observed = &cx.observed.trail;
    let group = log_group_name(t.name.get_ref().as_str());
    let Some((topic_arn, topic_deps, later)) = alarm_topic(cx, plan, diags, t) else {
        return;
    };
    let selected = t.checks();
    for c in &selected {
        plan_filter(plan, observed, &group, c);
        let want = check_alarm(c, &topic_arn);
        let missing = format!("no alarm `{}` in CloudWatch ({HOME_REGION})", want.name);
        let live = observed.alarms.get(&want.name);
        if let Some(change) = alarm::change(
            base(c).child("alarm"),
            live,
            want,
            &missing,
            (None, topic_deps.clone()),
            topic_deps.clone(),
        ) {
            plan.add(change.depends_on_if_planned(later.clone()));
        }
    }
    for c in CHECKS.iter().filter(|c| !selected.contains(c)) {
        let live: Vec<String> = [c.filter_name(), c.alarm_name()]
            .into_iter()
            .filter(|n| observed.metric_filters.contains_key(n) || observed.alarms.contains_key(n))
            .collect();
        if !live.is_empty() {
            plan.warnings.push(format!(
                "`{}` ({}) is not among `[trail]`'s alarms: `{}` left as it is; plinth no longer keeps it, nor deletes it",
                c.name,
                c.title,
                live.join("`, `")
            ));
        }
    }
}

/// Check `c`'s metric filter on `group`, created or put back as the table has it.
fn plan_filter(plan: &mut Plan, observed: &super::TrailState, group: &str, c: &Check) {
    let name = c.filter_name();
    let want = MetricFilter {
        pattern: c.pattern.into(),
        metric_name: c.metric.into(),
        metric_namespace: ROOT_NAMESPACE.into(),
        metric_value: "1".into(),
    };
    let live = observed.metric_filters.get(&name);
    if live == Some(&want) {
        return;
    }
    let group_dep = plan
        .find("trail.log_group")
        .map(|c| c.address.clone())
        .into_iter()
        .collect();
    let (action, reason) = match live {
        None => (Action::Create, format!("no `{name}` metric filter on `{group}`")),
        Some(_) => (
            Action::Update,
            format!("the `{name}` metric filter differs from the CIS {} filter ({})", c.title, c.cis),
        ),
    };
    plan.add(
        Change::new(
            base(c).child("metric_filter"),
            action,
            reason,
            Op::Logs(LogsOp::PutMetricFilter {
                filter: Box::new(MetricFilterSpec {
                    log_group: group.to_owned(),
                    filter_name: name,
                    filter: want.clone(),
                }),
            }),
        )
        .before(live.map(crate::plan::value))
        .after(Some(crate::plan::value(&want)))
        .depends_on(group_dep),
    );
}

/// The topic the alarms notify: their own, with `notify`, or the billing topic (planned by
/// a kind later in the registry: waited for if planned). Its ARN, the changes that make
/// it, and the later changes to wait for; `None` with no one to tell (validation refuses
/// that).
fn alarm_topic(
    cx: &Context<'_>,
    plan: &mut Plan,
    diags: &mut Diagnostics,
    t: &TrailSection,
) -> Option<(String, Vec<crate::plan::Address>, Vec<crate::plan::Address>)> {
    let account = cx.observed.org.management_account_id.as_str();
    if t.notify.is_empty() {
        let billing = crate::kinds::cross::billing_topic(cx.baseline)?;
        return Some((topic::topic_arn(account, billing.name), vec![], vec![billing.address]));
    }
    let (arn, deps) = topic::plan_topic(
        cx,
        plan,
        diags,
        &topic::TopicDecl {
            within: at("trail.alerts"),
            notify_key: "trail.notify",
            name: ALERT_TOPIC,
            name_span: t.notify[0].span(),
            notify: &t.notify,
            budgets: false,
            keep_policy: false,
        },
        cx.observed.trail.alert_topic.as_ref(),
    );
    Some((arn, deps, vec![]))
}
