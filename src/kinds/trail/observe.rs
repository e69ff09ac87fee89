//! What `[trail]` reads: trusted access, the bucket and the trail; with CloudWatch Logs
//! delivery, the log group and role; with monitoring alarms, their metric filters (one
//! walk), alarms (one call, by the checks' names) and topic.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::cis::{self, CHECKS};
use super::{ALERT_TOPIC, LOGS_ROLE_POLICY_NAME, SERVICE_PRINCIPAL, TrailSection};
use crate::aws::AwsError;
use crate::diag::Diagnostics;
use crate::kinds::ObserveCx;
use crate::kinds::common::topic::topic_arn;
use crate::observed::{AlarmSpec, Bucket, LogGroup, MetricFilter, Role, Topic, TrailInfo};

/// The organization trail, its bucket and CloudTrail's trusted access; read only when the
/// baseline has `[trail]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailState {
    /// `cloudtrail.amazonaws.com` has trusted access to the organization.
    pub trusted_access: bool,
    /// The bucket in the management account; not read with `[log_archive]`, whose
    /// bucket it is then.
    pub bucket: Bucket,
    pub trail: Option<TrailInfo>,
    /// The log group, read when the baseline asks for CloudWatch Logs delivery.
    pub log_group: Option<LogGroup>,
    /// The role CloudTrail writes to the log group with.
    pub logs_role: Option<Role>,
    /// The monitoring checks' metric filters on the log group, by name (only names of
    /// the checks' table: `plinth-<check>`).
    pub metric_filters: BTreeMap<String, MetricFilter>,
    /// The monitoring checks' alarms, by name (`plinth-trail-<check>`): those the baseline
    /// selects, and others of the table that carry plinth's tag.
    pub alarms: BTreeMap<String, AlarmSpec>,
    /// The monitoring alarms' own topic, when `[trail]` has `notify`.
    pub alert_topic: Option<Topic>,
}

/// The trail, its bucket and trusted access, when the baseline has `[trail]`.
pub(super) async fn observe(
    cx: &ObserveCx<'_>,
    section: &Option<toml::Spanned<super::TrailSection>>,
) -> Result<TrailState, Diagnostics> {
    let Some(section) = section else {
        return Ok(TrailState::default());
    };
    let t = section.get_ref();
    let c = cx.clients;
    // The bucket must be the management account's (the preflight checked the caller is it).
    let owner = cx.baseline.management_account_id().as_str();
    // With `[log_archive]`, the bucket is that kind's, read in its account.
    let archived = crate::kinds::cross::has_log_archive(cx.baseline);
    let (trusted_access, bucket, trail) = futures::try_join!(
        c.organizations.has_trusted_access(SERVICE_PRINCIPAL),
        async {
            match archived {
                true => Ok(Bucket::Missing),
                false => c.s3.read_bucket(t.bucket.get_ref().as_str(), owner).await,
            }
        },
        c.cloudtrail.read_trail(t.name.get_ref().as_str())
    )
    .map_err(|e| c.failure("cannot read the organization trail", e))?;
    let mut state = TrailState {
        trusted_access,
        bucket,
        trail,
        ..TrailState::default()
    };
    if t.cloudwatch_logs() {
        observe_logs(cx, t, &mut state)
            .await
            .map_err(|e| c.failure("cannot read the trail's CloudWatch Logs delivery", e))?;
    }
    Ok(state)
}

/// Log group, role, and (with monitoring alarms) their metric filters, alarms and topic.
async fn observe_logs(cx: &ObserveCx<'_>, t: &TrailSection, state: &mut TrailState) -> Result<(), AwsError> {
    let c = cx.clients;
    let name = t.name.get_ref().as_str();
    let group = super::log_group_name(name);
    let role = super::logs_role_name(name);
    let (log_group, logs_role) = futures::try_join!(
        c.logs.read_log_group(&group),
        c.iam.read_role(&role, LOGS_ROLE_POLICY_NAME)
    )?;
    state.log_group = log_group;
    state.logs_role = logs_role;
    if t.monitors() {
        let topic_arn = topic_arn(cx.account, ALERT_TOPIC);
        let declared: Vec<String> = t.checks().iter().map(|c| c.alarm_name()).collect();
        let names = cis::alarm_names();
        let (filters, alarms, topic) = futures::try_join!(
            async {
                match state.log_group {
                    Some(_) => c.logs.read_metric_filters(&group, cis::FILTER_PREFIX).await,
                    None => Ok(BTreeMap::new()),
                }
            },
            c.cloudwatch.read_alarms_among(&names, &declared),
            async {
                if t.notify.is_empty() {
                    Ok(None)
                } else {
                    c.sns.read_topic(&topic_arn).await
                }
            }
        )?;
        // The table's names only: another filter whose name starts the same way is not
        // one of plinth's checks (the alarms are read by the table's names).
        state.metric_filters = filters
            .into_iter()
            .filter(|(name, _)| CHECKS.iter().any(|c| c.filter_name() == *name))
            .collect();
        state.alarms = alarms
            .into_iter()
            .filter(|a| CHECKS.iter().any(|c| c.alarm_name() == a.spec.name))
            .filter(|a| declared.contains(&a.spec.name) || a.owned == Some(true))
            .map(|a| (a.spec.name.clone(), a.spec))
            .collect();
        state.alert_topic = topic;
    }
    Ok(())
}
