//! The CIS root-usage metric filter on the trail's log group, and its alarm on the billing
//! topic or its own.

use super::*;
use crate::kinds::common::{alarm, topic};
use crate::observed::{AlarmSpec, MetricFilter};
use crate::plan::{Action, Change, LogsOp, MetricFilterSpec, Op};

/// The alarm on the root-usage metric.
pub fn root_usage_alarm(topic_arn: &str) -> AlarmSpec {
    AlarmSpec {
        name: ROOT_ALARM.into(),
        description: "Managed by plinth: a root user was used (CIS benchmark root-usage check)".into(),
        namespace: ROOT_NAMESPACE.into(),
        metric_name: ROOT_METRIC.into(),
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

/// The CIS root-usage metric filter, its alarm, and the topic the alarm notifies.
pub(super) fn plan_root_usage(cx: &Context<'_>, plan: &mut Plan, diags: &mut Diagnostics, t: &TrailSection) {
    let observed = &cx.observed.trail;
    let account = cx.observed.org.management_account_id.as_str();
    let trail = t.name.get_ref().as_str();
    let group = log_group_name(trail);
    let want_filter = MetricFilter {
        pattern: ROOT_USAGE_PATTERN.into(),
        metric_name: ROOT_METRIC.into(),
        metric_namespace: ROOT_NAMESPACE.into(),
        metric_value: "1".into(),
    };
    if observed.root_usage_filter.as_ref() != Some(&want_filter) {
        let group_dep = plan
            .find("trail.log_group")
            .map(|c| c.address.clone())
            .into_iter()
            .collect();
        plan.add(
            Change::new(
                at("trail.root_usage.metric_filter"),
                if observed.root_usage_filter.is_none() {
                    Action::Create
                } else {
                    Action::Update
                },
                match &observed.root_usage_filter {
                    None => format!("no `{ROOT_FILTER_NAME}` metric filter on `{group}`"),
                    Some(_) => format!("the `{ROOT_FILTER_NAME}` metric filter differs from the CIS root-usage filter"),
                },
                Op::Logs(LogsOp::PutMetricFilter {
                    filter: Box::new(MetricFilterSpec {
                        log_group: group,
                        filter_name: ROOT_FILTER_NAME.into(),
                        filter: want_filter.clone(),
                    }),
                }),
            )
            .before(
                observed
                    .root_usage_filter
                    .as_ref()
                    .map(crate::plan::value),
            )
            .after(Some(crate::plan::value(&want_filter)))
            .depends_on(group_dep),
        );
    }

    // The topic: its own, with `notify`, or the billing topic.
    // The billing topic is planned by a kind later in the registry: waited for if planned.
    let (topic_arn, topic_deps, later) = if t.notify.is_empty() {
        // Validation requires `notify` or `[billing]`; without either there is no one to tell.
        let Some(billing) = crate::kinds::cross::billing_topic(cx.baseline) else {
            return;
        };
        (topic::topic_arn(account, billing.name), vec![], vec![billing.address])
    } else {
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
            observed.alert_topic.as_ref(),
        );
        (arn, deps, vec![])
    };
    let want = root_usage_alarm(&topic_arn);
    let missing = format!("no alarm `{ROOT_ALARM}` in CloudWatch ({HOME_REGION})");
    let live = observed.root_usage_alarm.as_ref();
    let deps = topic_deps.clone();
    if let Some(change) = alarm::change(
        at("trail.root_usage.alarm"),
        live,
        want,
        &missing,
        (None, deps),
        topic_deps,
    ) {
        plan.add(change.depends_on_if_planned(later));
    }
}
