//! CloudWatch (us-east-1): plinth's billing alarms and the billing metric.
//!
//! Reads are one `DescribeAlarms` by name prefix, 100 alarms a page, however many
//! alarms there are; tags are read only for prefixed alarms the baseline does not
//! declare (orphan candidates), to confirm plinth owns them before offering to delete.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, ComparisonOperator, Dimension, MetricAlarm, Statistic, Tag};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{Alarm, AlarmSpec, OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, ownership};
use crate::plan::{CloudWatchOp, Ref};

const SERVICE: &str = super::Service::CloudWatch.sdk_name();
pub const CONCURRENCY: usize = 4;

pub struct CloudWatch {
    client: Client,
}

impl CloudWatch {
    pub fn new(client: Client) -> Self {
        CloudWatch { client }
    }

    /// Alarms named with `prefix`; owner tags read for those not in `declared`.
    pub async fn read_alarms(&self, prefix: &str, declared: &[String]) -> Result<Vec<Alarm>, AwsError> {
        let pages: Vec<_> = self
            .client
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .alarm_types(AlarmType::MetricAlarm)
            .max_records(100)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "DescribeAlarms")?;
        let found: Vec<(Option<String>, AlarmSpec)> = pages
            .iter()
            .flat_map(|p| p.metric_alarms())
            .map(|a| (a.alarm_arn().map(str::to_owned), spec_of(a)))
            .collect();
        stream::iter(found)
            .map(|(arn, spec)| async move {
                let (owned, managed_by) = match (&arn, declared.contains(&spec.name)) {
                    (Some(arn), false) => {
                        let o = self.ownership(arn, &spec.name).await?;
                        (Some(o.owned), o.managed_by)
                    }
                    _ => (None, None),
                };
                Ok::<_, AwsError>(Alarm {
                    spec,
                    owned,
                    managed_by,
                    arn,
                })
            })
            .buffered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// Alarms by exact name (those a baseline names by `alarm_name`), each with its owner
    /// tag read.
    pub async fn read_alarms_named(&self, names: &[String]) -> Result<Vec<Alarm>, AwsError> {
        self.read_alarms_among(names, &[]).await
    }

    /// The alarms of these exact names (100 a call), with the owner tag of each that
    /// `declared` does not name (the baseline's own are plinth's by name).
    pub async fn read_alarms_among(&self, names: &[String], declared: &[String]) -> Result<Vec<Alarm>, AwsError> {
        let mut found = Vec::new();
        for chunk in names.chunks(100) {
            let out = self
                .client
                .describe_alarms()
                .set_alarm_names(Some(chunk.to_vec()))
                .alarm_types(AlarmType::MetricAlarm)
                .max_records(100)
                .send()
                .await
                .ctx(SERVICE, "DescribeAlarms")?;
            found.extend(
                out.metric_alarms()
                    .iter()
                    .map(|a| (a.alarm_arn().map(str::to_owned), spec_of(a))),
            );
        }
        stream::iter(found)
            .map(|(arn, spec)| async move {
                let (owned, managed_by) = match (&arn, declared.contains(&spec.name)) {
                    (Some(arn), false) => {
                        let o = self.ownership(arn, &spec.name).await?;
                        (Some(o.owned), o.managed_by)
                    }
                    _ => (None, None),
                };
                Ok::<_, AwsError>(Alarm {
                    spec,
                    owned,
                    managed_by,
                    arn,
                })
            })
            .buffered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// Every metric alarm on `AWS/Billing` `EstimatedCharges`, whatever its name, with its
    /// state (`OK`, `ALARM`, `INSUFFICIENT_DATA`), for `plinth import` and `plinth report`.
    pub async fn billing_alarms(&self) -> Result<Vec<(Alarm, String)>, AwsError> {
        let pages: Vec<_> = self
            .client
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .max_records(100)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "DescribeAlarms")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.metric_alarms())
            .filter(|a| a.namespace() == Some("AWS/Billing") && a.metric_name() == Some("EstimatedCharges"))
            .map(|a| {
                let alarm = Alarm {
                    spec: spec_of(a),
                    owned: None,
                    managed_by: None,
                    arn: a.alarm_arn().map(str::to_owned),
                };
                (
                    alarm,
                    a.state_value().map_or("INSUFFICIENT_DATA", |s| s.as_str()).to_owned(),
                )
            })
            .collect())
    }

    /// Whose the alarm `name` (of this ARN) is, by its tags.
    async fn ownership(&self, arn: &str, name: &str) -> Result<Ownership, AwsError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .ctx(SERVICE, "ListTagsForResource")?;
        Ok(ownership(
            name,
            out.tags()
                .iter()
                .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default()))),
        ))
    }

    /// Whether any `AWS/Billing` `EstimatedCharges` metric exists (one page is enough).
    pub async fn billing_metrics_visible(&self) -> Result<bool, AwsError> {
        let out = self
            .client
            .list_metrics()
            .namespace("AWS/Billing")
            .metric_name("EstimatedCharges")
            .send()
            .await
            .ctx(SERVICE, "ListMetrics")?;
        Ok(!out.metrics().is_empty())
    }

    pub async fn execute(
        &self,
        op: &CloudWatchOp,
        resolve: &dyn Fn(&Ref) -> Option<String>,
    ) -> Result<Option<String>, AwsError> {
        match op {
            CloudWatchOp::PutMetricAlarm { alarm, linked_account } => {
                let mut alarm = alarm.clone();
                if let Some(r) = linked_account {
                    let id = resolve(r).ok_or_else(|| {
                        AwsError::other(
                            SERVICE,
                            "PutMetricAlarm",
                            format!("{r:?} was not created earlier in this run"),
                        )
                    })?;
                    alarm.dimensions.insert("LinkedAccount".into(), id);
                }
                let mut req = self
                    .client
                    .put_metric_alarm()
                    .alarm_name(&alarm.name)
                    .alarm_description(&alarm.description)
                    .namespace(&alarm.namespace)
                    .metric_name(&alarm.metric_name)
                    .statistic(Statistic::from(alarm.statistic.as_str()))
                    .period(alarm.period)
                    .evaluation_periods(alarm.evaluation_periods)
                    .threshold(alarm.threshold)
                    .comparison_operator(ComparisonOperator::from(alarm.comparison_operator.as_str()))
                    .treat_missing_data(&alarm.treat_missing_data)
                    .actions_enabled(alarm.actions_enabled)
                    .tags(Tag::builder().key(OWNER_TAG_KEY).value(OWNER_TAG_VALUE).build());
                for (name, value) in &alarm.dimensions {
                    req = req.dimensions(Dimension::builder().name(name).value(value).build());
                }
                for action in &alarm.alarm_actions {
                    req = req.alarm_actions(action);
                }
                req.send().await.ctx(SERVICE, "PutMetricAlarm")?;
                Ok(None)
            }
            CloudWatchOp::TagResource { alarm_arn } => {
                self.client
                    .tag_resource()
                    .resource_arn(alarm_arn)
                    .tags(Tag::builder().key(OWNER_TAG_KEY).value(OWNER_TAG_VALUE).build())
                    .send()
                    .await
                    .ctx(SERVICE, "TagResource")?;
                Ok(None)
            }
            CloudWatchOp::DeleteAlarm { name } => {
                self.client
                    .delete_alarms()
                    .alarm_names(name)
                    .send()
                    .await
                    .ctx(SERVICE, "DeleteAlarms")?;
                Ok(None)
            }
        }
    }
}

fn spec_of(a: &MetricAlarm) -> AlarmSpec {
    let mut actions: Vec<String> = a.alarm_actions().to_vec();
    actions.sort();
    AlarmSpec {
        name: a.alarm_name().unwrap_or_default().to_owned(),
        description: a.alarm_description().unwrap_or_default().to_owned(),
        namespace: a.namespace().unwrap_or_default().to_owned(),
        metric_name: a.metric_name().unwrap_or_default().to_owned(),
        dimensions: a
            .dimensions()
            .iter()
            .map(|d| {
                (
                    d.name().unwrap_or_default().to_owned(),
                    d.value().unwrap_or_default().to_owned(),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        statistic: a.statistic().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        period: a.period().unwrap_or_default(),
        evaluation_periods: a.evaluation_periods().unwrap_or_default(),
        threshold: a.threshold().unwrap_or_default(),
        comparison_operator: a
            .comparison_operator()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        treat_missing_data: a.treat_missing_data().unwrap_or("missing").to_owned(),
        alarm_actions: actions,
        actions_enabled: a.actions_enabled().unwrap_or(true),
    }
}
