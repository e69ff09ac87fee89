//! CloudWatch Logs delivery: the log group and the role CloudTrail writes with, both
//! plinth's only if tagged (adopted when they exist untagged).

use serde_json::{Value, json};

use super::*;
use crate::plan::{Action, Address, Change, IamOp, LogsOp, Op};

fn logs_trust_policy(trail_arn: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PlinthCloudTrailAssume",
            "Effect": "Allow",
            "Principal": { "Service": SERVICE_PRINCIPAL },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "aws:SourceArn": trail_arn } }
        }]
    })
}

fn logs_role_policy(account: &str, group: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PlinthCloudTrailLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:aws:logs:{HOME_REGION}:{account}:log-group:{group}:log-stream:*")
        }]
    })
}

/// The log group and the role, where they exist, must not be another tool's: what and
/// which tool otherwise.
pub(super) fn check_log_delivery_not_elsewhere(
    observed: &TrailState,
    trail: &str,
) -> Result<(), (String, crate::observed::OtherManager)> {
    if let Some(other) = observed.log_group.as_ref().and_then(|g| g.managed_by.as_ref()) {
        return Err((format!("log group `{}`", log_group_name(trail)), other.clone()));
    }
    if let Some(other) = observed.logs_role.as_ref().and_then(|r| r.managed_by.as_ref()) {
        return Err((format!("IAM role `{}`", logs_role_name(trail)), other.clone()));
    }
    Ok(())
}

/// Log group, role and role policy; returns the log group and role ARNs for the trail
/// and adds the changes the trail must wait for to `trail_deps`.
pub(super) fn plan_log_delivery(
    plan: &mut Plan,
    observed: &TrailState,
    account: &str,
    trail: &str,
    trail_arn: &str,
    trail_deps: &mut Vec<Address>,
) -> (String, String) {
    let group = log_group_name(trail);
    let role = logs_role_name(trail);
    match &observed.log_group {
        None => {
            plan.add(Change::new(
                at("trail.log_group"),
                Action::Create,
                format!("no log group `{group}` in {HOME_REGION}"),
                Op::Logs(LogsOp::CreateLogGroup { name: group.clone() }),
            ));
            trail_deps.push(at("trail.log_group"));
        }
        Some(g) if !g.owned => {
            let change = adopt::change(
                &at("trail.log_group"),
                &format!("log group `{group}`"),
                Op::Logs(LogsOp::TagResource {
                    arn: g.arn.trim_end_matches(":*").to_owned(),
                }),
            );
            trail_deps.push(change.address.clone());
            plan.add(change);
        }
        Some(_) => {}
    }
    let trust = logs_trust_policy(trail_arn);
    let mut role_deps = vec![];
    match &observed.logs_role {
        None => {
            plan.add(
                Change::new(
                    at("trail.logs_role"),
                    Action::Create,
                    format!("no IAM role `{role}` for CloudTrail to write to CloudWatch Logs with"),
                    Op::Iam(IamOp::CreateRole {
                        name: role.clone(),
                        trust_policy: policy::minify(&trust),
                        permissions_boundary: Some(LOGS_ROLE_BOUNDARY.to_owned()),
                    }),
                )
                .after(Some(trust.clone())),
            );
            role_deps.push(at("trail.logs_role"));
            trail_deps.push(at("trail.logs_role"));
        }
        Some(r) => {
            if !r.owned {
                let change = adopt::change(
                    &at("trail.logs_role"),
                    &format!("IAM role `{role}`"),
                    Op::Iam(IamOp::TagRole { name: role.clone() }),
                );
                role_deps.push(change.address.clone());
                trail_deps.push(change.address.clone());
                plan.add(change);
            }
            if r.permissions_boundary.as_deref() != Some(LOGS_ROLE_BOUNDARY) {
                let why = match &r.permissions_boundary {
                    None => "the role has no permissions boundary".to_owned(),
                    Some(other) => format!("the role's permissions boundary is `{other}`"),
                };
                plan.add(
                    Change::new(
                        at("trail.logs_role.boundary"),
                        Action::Update,
                        format!("{why}, not `{LOGS_ROLE_BOUNDARY}`: whatever its policies say, the role can only write log events"),
                        Op::Iam(IamOp::PutRolePermissionsBoundary {
                            name: role.clone(),
                            boundary: LOGS_ROLE_BOUNDARY.to_owned(),
                        }),
                    )
                    .before(r.permissions_boundary.as_ref().map(|b| json!(b)))
                    .after(Some(json!(LOGS_ROLE_BOUNDARY)))
                    .depends_on(role_deps.clone()),
                );
                // plinth's role policy on the role is only allowed once it is bounded.
                role_deps.push(at("trail.logs_role.boundary"));
            }
            let reason = "the role's trust policy is not CloudTrail's for this trail";
            let change = crate::plan::policy_document_change(
                at("trail.logs_role"),
                Some(&r.trust_policy),
                &trust,
                (reason, reason),
                |doc| {
                    Op::Iam(IamOp::UpdateAssumeRolePolicy {
                        name: role.clone(),
                        trust_policy: doc,
                    })
                },
            );
            if let Some(change) = change {
                plan.add(change.depends_on(role_deps.clone()));
                trail_deps.push(at("trail.logs_role"));
            }
        }
    }
    let inline = logs_role_policy(account, &group);
    let live_inline = observed.logs_role.as_ref().and_then(|r| r.inline_policy.as_deref());
    let reason = format!("the role's `{LOGS_ROLE_POLICY_NAME}` policy is missing or differs");
    let change = crate::plan::policy_document_change(
        at("trail.logs_role.policy"),
        live_inline,
        &inline,
        (&reason, &reason),
        |policy| {
            Op::Iam(IamOp::PutRolePolicy {
                role: role.clone(),
                policy_name: LOGS_ROLE_POLICY_NAME.into(),
                policy,
            })
        },
    );
    if let Some(change) = change {
        plan.add(change.depends_on(role_deps));
        trail_deps.push(at("trail.logs_role.policy"));
    }
    (
        log_group_arn(account, &group),
        format!("arn:aws:iam::{account}:role/{role}"),
    )
}
