//! CloudWatch Logs (us-east-1): the trail's log group and the monitoring metric filters.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use super::{AwsError, Context};
use crate::observed::{LogGroup, MetricFilter, OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, ownership};
use crate::plan::LogsOp;

const SERVICE: &str = super::Service::Logs.sdk_name();

pub struct Logs {
    client: Client,
}

impl Logs {
    pub fn new(client: Client) -> Self {
        Logs { client }
    }

    /// The log group with exactly this name, and whether plinth owns it, or `None`.
    pub async fn read_log_group(&self, name: &str) -> Result<Option<LogGroup>, AwsError> {
        let out = self
            .client
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .ctx(SERVICE, "DescribeLogGroups")?;
        let Some(arn) = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
            .map(|g| g.arn().unwrap_or_default().to_owned())
        else {
            return Ok(None);
        };
        // Tags are on the group's ARN without the `:*` that DescribeLogGroups appends.
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn.trim_end_matches(":*"))
            .send()
            .await
            .ctx(SERVICE, "ListTagsForResource")?;
        let Ownership { owned, managed_by } = ownership(
            name,
            tags.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        Ok(Some(LogGroup { arn, owned, managed_by }))
    }

    /// The metric filter with exactly this name on the log group, or `None`.
    pub async fn read_metric_filter(
        &self,
        log_group: &str,
        filter_name: &str,
    ) -> Result<Option<MetricFilter>, AwsError> {
        Ok(self
            .read_metric_filters(log_group, filter_name)
            .await?
            .remove(filter_name))
    }

    /// The metric filters on the log group whose names start with `prefix`, by name, in
    /// one walk of `DescribeMetricFilters`; none when the group does not exist.
    pub async fn read_metric_filters(
        &self,
        log_group: &str,
        prefix: &str,
    ) -> Result<std::collections::BTreeMap<String, MetricFilter>, AwsError> {
        let pages: Result<Vec<_>, _> = self
            .client
            .describe_metric_filters()
            .log_group_name(log_group)
            .filter_name_prefix(prefix)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "DescribeMetricFilters");
        let pages = match pages {
            Ok(pages) => pages,
            Err(e) if e.is_not_found() => return Ok(Default::default()),
            Err(e) => return Err(e),
        };
        Ok(pages
            .iter()
            .flat_map(|p| p.metric_filters())
            .filter_map(|f| {
                let name = f.filter_name()?.to_owned();
                let t = f.metric_transformations().first();
                let filter = MetricFilter {
                    pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                    metric_name: t.map(|t| t.metric_name().to_owned()).unwrap_or_default(),
                    metric_namespace: t.map(|t| t.metric_namespace().to_owned()).unwrap_or_default(),
                    metric_value: t.map(|t| t.metric_value().to_owned()).unwrap_or_default(),
                };
                Some((name, filter))
            })
            .collect())
    }

    pub async fn execute(&self, op: &LogsOp) -> Result<Option<String>, AwsError> {
        match op {
            LogsOp::TagResource { arn } => {
                self.client
                    .tag_resource()
                    .resource_arn(arn)
                    .tags(OWNER_TAG_KEY, OWNER_TAG_VALUE)
                    .send()
                    .await
                    .ctx(SERVICE, "TagResource")?;
            }
            LogsOp::CreateLogGroup { name } => {
                let created = self
                    .client
                    .create_log_group()
                    .log_group_name(name)
                    .tags(OWNER_TAG_KEY, OWNER_TAG_VALUE)
                    .send()
                    .await
                    .ctx(SERVICE, "CreateLogGroup");
                match created {
                    // A retry of a create whose answer was lost: the group is there, tagged.
                    Err(e) if e.is_already_exists() => match self.read_log_group(name).await? {
                        Some(g) if g.owned => {}
                        _ => return Err(e),
                    },
                    other => {
                        other?;
                    }
                }
            }
            LogsOp::PutMetricFilter { filter } => {
                let f = &filter.filter;
                let transformation = MetricTransformation::builder()
                    .metric_name(&f.metric_name)
                    .metric_namespace(&f.metric_namespace)
                    .metric_value(&f.metric_value)
                    .build()
                    .expect("name, namespace and value are set");
                self.client
                    .put_metric_filter()
                    .log_group_name(&filter.log_group)
                    .filter_name(&filter.filter_name)
                    .filter_pattern(&f.pattern)
                    .metric_transformations(transformation)
                    .send()
                    .await
                    .ctx(SERVICE, "PutMetricFilter")?;
            }
        }
        Ok(None)
    }
}
