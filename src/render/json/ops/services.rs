//! The operations of the trail, the billing alarms and their topics: CloudWatch, SNS,
//! CloudTrail, CloudWatch Logs and IAM (S3's are in `s3.rs`).

use serde::Serialize;

use super::RefView;
use crate::plan::{CloudTrailOp, CloudWatchOp, IamOp, LogsOp, MetricFilterSpec, SnsOp};
use crate::render::json::specs::{AlarmView, MetricFilterView, SelectorsView, TrailSettingsView};

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum CloudWatchView<'a> {
    PutMetricAlarm {
        alarm: AlarmView<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        linked_account: Option<RefView<'a>>,
    },
    DeleteAlarm {
        name: &'a str,
    },
    TagResource {
        alarm_arn: &'a str,
    },
}

impl<'a> From<&'a CloudWatchOp> for CloudWatchView<'a> {
    fn from(op: &'a CloudWatchOp) -> Self {
        match op {
            CloudWatchOp::PutMetricAlarm { alarm, linked_account } => CloudWatchView::PutMetricAlarm {
                alarm: alarm.as_ref().into(),
                linked_account: linked_account.as_ref().map(Into::into),
            },
            CloudWatchOp::DeleteAlarm { name } => CloudWatchView::DeleteAlarm { name },
            CloudWatchOp::TagResource { alarm_arn } => CloudWatchView::TagResource { alarm_arn },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum SnsView<'a> {
    CreateTopic {
        name: &'a str,
        policy: &'a str,
    },
    SetTopicPolicy {
        topic_arn: &'a str,
        policy: &'a str,
    },
    TagResource {
        topic_arn: &'a str,
    },
    Subscribe {
        topic_arn: &'a str,
        protocol: &'a str,
        endpoint: &'a str,
    },
}

impl<'a> From<&'a SnsOp> for SnsView<'a> {
    fn from(op: &'a SnsOp) -> Self {
        match op {
            SnsOp::CreateTopic { name, policy } => SnsView::CreateTopic { name, policy },
            SnsOp::SetTopicPolicy { topic_arn, policy } => SnsView::SetTopicPolicy { topic_arn, policy },
            SnsOp::TagResource { topic_arn } => SnsView::TagResource { topic_arn },
            SnsOp::Subscribe {
                topic_arn,
                protocol,
                endpoint,
            } => SnsView::Subscribe {
                topic_arn,
                protocol,
                endpoint,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum CloudTrailView<'a> {
    CreateTrail {
        settings: TrailSettingsView<'a>,
    },
    UpdateTrail {
        settings: TrailSettingsView<'a>,
        logs: bool,
    },
    PutEventSelectors {
        trail: &'a str,
        selectors: SelectorsView<'a>,
    },
    StartLogging {
        trail: &'a str,
    },
    AddTags {
        trail_arn: &'a str,
    },
}

impl<'a> From<&'a CloudTrailOp> for CloudTrailView<'a> {
    fn from(op: &'a CloudTrailOp) -> Self {
        match op {
            CloudTrailOp::CreateTrail { settings } => CloudTrailView::CreateTrail {
                settings: settings.into(),
            },
            CloudTrailOp::UpdateTrail { settings, logs } => CloudTrailView::UpdateTrail {
                settings: settings.into(),
                logs: *logs,
            },
            CloudTrailOp::PutEventSelectors { trail, selectors } => CloudTrailView::PutEventSelectors {
                trail,
                selectors: selectors.into(),
            },
            CloudTrailOp::StartLogging { trail } => CloudTrailView::StartLogging { trail },
            CloudTrailOp::AddTags { trail_arn } => CloudTrailView::AddTags { trail_arn },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum LogsView<'a> {
    CreateLogGroup { name: &'a str },
    TagResource { arn: &'a str },
    PutMetricFilter { filter: MetricFilterSpecView<'a> },
}

#[derive(Serialize)]
pub struct MetricFilterSpecView<'a> {
    log_group: &'a str,
    filter_name: &'a str,
    filter: MetricFilterView<'a>,
}

impl<'a> From<&'a LogsOp> for LogsView<'a> {
    fn from(op: &'a LogsOp) -> Self {
        match op {
            LogsOp::CreateLogGroup { name } => LogsView::CreateLogGroup { name },
            LogsOp::TagResource { arn } => LogsView::TagResource { arn },
            LogsOp::PutMetricFilter { filter } => {
                let MetricFilterSpec {
                    log_group,
                    filter_name,
                    filter,
                } = filter.as_ref();
                LogsView::PutMetricFilter {
                    filter: MetricFilterSpecView {
                        log_group,
                        filter_name,
                        filter: filter.into(),
                    },
                }
            }
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum IamView<'a> {
    CreateRole {
        name: &'a str,
        trust_policy: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        permissions_boundary: Option<&'a str>,
    },
    PutRolePermissionsBoundary {
        name: &'a str,
        boundary: &'a str,
    },
    UpdateAssumeRolePolicy {
        name: &'a str,
        trust_policy: &'a str,
    },
    TagRole {
        name: &'a str,
    },
    PutRolePolicy {
        role: &'a str,
        policy_name: &'a str,
        policy: &'a str,
    },
}

impl<'a> From<&'a IamOp> for IamView<'a> {
    fn from(op: &'a IamOp) -> Self {
        match op {
            IamOp::CreateRole {
                name,
                trust_policy,
                permissions_boundary,
            } => IamView::CreateRole {
                name,
                trust_policy,
                permissions_boundary: permissions_boundary.as_deref(),
            },
            IamOp::PutRolePermissionsBoundary { name, boundary } => {
                IamView::PutRolePermissionsBoundary { name, boundary }
            }
            IamOp::UpdateAssumeRolePolicy { name, trust_policy } => {
                IamView::UpdateAssumeRolePolicy { name, trust_policy }
            }
            IamOp::TagRole { name } => IamView::TagRole { name },
            IamOp::PutRolePolicy {
                role,
                policy_name,
                policy,
            } => IamView::PutRolePolicy {
                role,
                policy_name,
                policy,
            },
        }
    }
}
