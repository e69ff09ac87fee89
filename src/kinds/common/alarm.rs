//! CloudWatch alarms, for every planner that keeps one: billing alarms and the trail's
//! root-usage alarm. One way to say how a live alarm differs and to put the wanted one in
//! place (`PutMetricAlarm` creates or replaces it whole).

use crate::observed::AlarmSpec;
use crate::plan::{Action, Address, Change, CloudWatchOp, Op, Ref};

/// Field by field, how a live alarm differs from the desired one.
pub fn differences(live: &AlarmSpec, want: &AlarmSpec) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |name: &str, live: String, want: String| {
        if live != want {
            out.push(format!("{name} is {live}, baseline says {want}"));
        }
    };
    field(
        "threshold",
        format!("{} USD", live.threshold),
        format!("{} USD", want.threshold),
    );
    field("period", format!("{} s", live.period), format!("{} s", want.period));
    field("statistic", live.statistic.clone(), want.statistic.clone());
    field(
        "evaluation periods",
        live.evaluation_periods.to_string(),
        want.evaluation_periods.to_string(),
    );
    field(
        "comparison",
        live.comparison_operator.clone(),
        want.comparison_operator.clone(),
    );
    field(
        "missing data",
        live.treat_missing_data.clone(),
        want.treat_missing_data.clone(),
    );
    field(
        "metric",
        format!("{}/{}", live.namespace, live.metric_name),
        format!("{}/{}", want.namespace, want.metric_name),
    );
    field(
        "dimensions",
        format!("{:?}", live.dimensions),
        format!("{:?}", want.dimensions),
    );
    field(
        "actions",
        format!("{:?}", live.alarm_actions),
        format!("{:?}", want.alarm_actions),
    );
    field(
        "description",
        format!("`{}`", live.description),
        format!("`{}`", want.description),
    );
    if live.actions_enabled != want.actions_enabled {
        out.push("actions are disabled".into());
    }
    out
}

/// The change that puts `want` in place: a create (with `missing` as its reason, the
/// account an earlier change creates, and the changes it waits for) when there is no live
/// alarm, an update naming each difference (waiting for `update_deps`) when the live one
/// differs, `None` when it matches.
pub fn change(
    address: Address,
    live: Option<&AlarmSpec>,
    want: AlarmSpec,
    missing: &str,
    (linked_account, create_deps): (Option<Ref>, Vec<Address>),
    update_deps: Vec<Address>,
) -> Option<Change> {
    let after = Some(crate::plan::value(&want));
    let Some(live) = live else {
        let op = Op::Cloudwatch(CloudWatchOp::PutMetricAlarm {
            alarm: Box::new(want),
            linked_account,
        });
        return Some(
            Change::new(address, Action::Create, missing, op)
                .after(after)
                .depends_on(create_deps),
        );
    };
    let differences = differences(live, &want);
    if differences.is_empty() {
        return None;
    }
    let op = Op::Cloudwatch(CloudWatchOp::PutMetricAlarm {
        alarm: Box::new(want),
        linked_account: None,
    });
    Some(
        Change::new(address, Action::Update, differences.join("; "), op)
            .before(Some(crate::plan::value(live)))
            .after(after)
            .depends_on(update_deps),
    )
}
