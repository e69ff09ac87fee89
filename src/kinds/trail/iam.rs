//! The resources the trail's writes are limited to: the baseline's bucket and trail, and
//! the log group, role, alarm and topic plinth names after the trail.

use crate::kinds::iam::{Condition, Names, Phase, Scope};

use super::cis::ALARM_PREFIX;
use super::{ALERT_TOPIC, HOME_REGION, LOGS_ROLE_BOUNDARY, SERVICE_PRINCIPAL, log_group_name, logs_role_name};

/// The trail's name, or `*` without a baseline.
fn trail(n: &Names<'_>) -> Option<String> {
    let t = n.baseline?.trail.as_ref()?;
    Some(t.get_ref().name.get_ref().as_str().to_owned())
}

/// With a baseline, whether its `[trail]` asks for this part; without, every part.
fn wants(n: &Names<'_>, part: fn(&super::TrailSection) -> bool) -> bool {
    match n.baseline {
        None => true,
        Some(b) => b.trail.as_ref().is_some_and(|t| part(t.get_ref())),
    }
}

/// Delivery to CloudWatch Logs: the log group and role plinth makes only when the
/// baseline turns it on (it keeps a live one it does not set).
fn delivers(t: &super::TrailSection) -> bool {
    t.cloudwatch_logs()
}

fn bucket(n: &Names<'_>) -> Vec<String> {
    let name = match n.baseline {
        Some(b) => b.trail.as_ref().map(|t| t.get_ref().bucket.get_ref().as_str().to_owned()),
        None => Some("*".to_owned()),
    };
    name.map(|b| format!("arn:aws:s3:::{b}")).into_iter().collect()
}

fn trail_arn(n: &Names<'_>) -> Vec<String> {
    let name = if n.baseline.is_some() { trail(n) } else { Some("*".into()) };
    name.map(|t| n.arn("cloudtrail", HOME_REGION, &format!("trail/{t}")))
        .into_iter()
        .collect()
}

fn log_group(n: &Names<'_>) -> Vec<String> {
    if !wants(n, delivers) {
        return Vec::new();
    }
    let group = if n.baseline.is_some() {
        trail(n).map(|t| log_group_name(&t))
    } else {
        Some(log_group_name("*"))
    };
    // CreateLogGroup names the group; PutMetricFilter and TagResource its `:*` form.
    group
        .map(|g| {
            let arn = n.arn("logs", HOME_REGION, &format!("log-group:{g}"));
            vec![arn.clone(), format!("{arn}:*")]
        })
        .unwrap_or_default()
}

fn role(n: &Names<'_>) -> Vec<String> {
    if !wants(n, delivers) {
        return Vec::new();
    }
    let name = if n.baseline.is_some() {
        trail(n).map(|t| logs_role_name(&t))
    } else {
        Some(logs_role_name("*"))
    };
    name.map(|r| format!("arn:aws:iam::{}:role/{r}", n.account)).into_iter().collect()
}

/// The monitoring alarms: with a baseline, those its `[trail]` selects (all of them as
/// `plinth-trail-*`); without, every `plinth-trail-*` name the checks use.
fn alarm(n: &Names<'_>) -> Vec<String> {
    let names: Vec<String> = match n.baseline {
        None => vec![format!("{ALARM_PREFIX}*")],
        Some(b) => {
            let checks: Vec<_> = b.trail.iter().flat_map(|t| t.get_ref().checks()).collect();
            // The whole set: one pattern, not 15 ARNs in a policy with a size limit.
            if checks.len() == super::cis::CHECKS.len() {
                vec![format!("{ALARM_PREFIX}*")]
            } else {
                checks.iter().map(|c| c.alarm_name()).collect()
            }
        }
    };
    names
        .iter()
        .map(|name| n.arn("cloudwatch", HOME_REGION, &format!("alarm:{name}")))
        .collect()
}

/// The monitoring alarms' own topic, when `[trail]` lists `notify`.
fn topic(n: &Names<'_>) -> Vec<String> {
    if !wants(n, |t| !t.notify.is_empty()) {
        return Vec::new();
    }
    vec![n.arn("sns", HOME_REGION, ALERT_TOPIC)]
}

pub(super) const SCOPES: &[Scope] = &[
    Scope {
        sid: "PlinthTrailBucket",
        phase: Phase::Apply,
        actions: &[
            "s3:CreateBucket",
            "s3:TagResource",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketPolicy",
            "s3:PutBucketTagging",
        ],
        resources: bucket,
        condition: None,
    },
    Scope {
        sid: "PlinthTrail",
        phase: Phase::Apply,
        actions: &[
            "cloudtrail:CreateTrail",
            "cloudtrail:AddTags",
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StartLogging",
        ],
        resources: trail_arn,
        condition: None,
    },
    Scope {
        sid: "PlinthTrailLogGroup",
        phase: Phase::Apply,
        actions: &["logs:CreateLogGroup", "logs:TagResource", "logs:PutMetricFilter"],
        resources: log_group,
        condition: None,
    },
    // Creating the role, and giving it a policy, only with the boundary that caps it at
    // writing log events: a holder of plinth's role cannot make a `plinth-cloudtrail-logs-*`
    // role that does more, whatever trust and policies it gives it.
    Scope {
        sid: "PlinthTrailLogsRoleBounded",
        phase: Phase::Apply,
        actions: &[
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:PutRolePermissionsBoundary",
        ],
        resources: role,
        condition: Some(Condition {
            operator: "StringEquals",
            key: "iam:PermissionsBoundary",
            values: &[LOGS_ROLE_BOUNDARY],
        }),
    },
    Scope {
        sid: "PlinthTrailLogsRole",
        phase: Phase::Apply,
        actions: &["iam:TagRole", "iam:UpdateAssumeRolePolicy"],
        resources: role,
        condition: None,
    },
    Scope {
        sid: "PlinthTrailPassLogsRole",
        phase: Phase::Apply,
        actions: &["iam:PassRole"],
        resources: role,
        condition: Some(Condition {
            operator: "StringEquals",
            key: "iam:PassedToService",
            values: &[SERVICE_PRINCIPAL],
        }),
    },
    Scope {
        sid: "PlinthTrailAlarms",
        phase: Phase::Apply,
        actions: &["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"],
        resources: alarm,
        condition: None,
    },
    Scope {
        sid: "PlinthTrailAlertTopic",
        phase: Phase::Apply,
        actions: &[
            "sns:CreateTopic",
            "sns:TagResource",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
        ],
        resources: topic,
        condition: None,
    },
];
