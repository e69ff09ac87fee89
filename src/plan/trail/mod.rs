//! The organization trail: one multi-region organization trail homed in us-east-1, its
//! S3 bucket (public access blocked, encrypted, with the bucket policy AWS documents for
//! organization trails), management events read and write, logging on, and CloudTrail's
//! trusted access to the organization.
//!
//! An existing trail of the baseline's name is updated in place, never created again (a
//! second CreateTrail would replace it). plinth changes the trail, its bucket, log group
//! and delivery role only if they carry `managed-by=plinth` (it creates them with the
//! tag); an untagged one of the declared name is an error that says how to adopt it.
//! plinth owns only its own statements (by `Sid`) in the bucket policy, only the
//! management-event selection among the event selectors ([`selectors`]), and never
//! weakens encryption: SSE-KMS where the baseline names no key stays, with a warning.

pub mod selectors;

use serde_json::{Value, json};

use super::{
    Action, Change, CloudTrailOp, Context, IamOp, LogsOp, MetricFilterSpec, Op, OrganizationsOp, Plan, S3Op, topic,
};
use crate::diag::SourceFile;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{
    AlarmSpec, Bucket, BucketEncryption, MetricFilter, PublicAccessBlock, TrailSettings, TrailState,
};
use crate::policy;

pub const HOME_REGION: &str = crate::arn::TRAIL_HOME_REGION;
pub use crate::arn::trail_arn;
pub const SERVICE_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
pub const TRUSTED_ACCESS_ADDRESS: &str = "trail.trusted_access";
pub const TRAIL_ADDRESS: &str = "trail";
pub const BUCKET_ADDRESS: &str = "trail.bucket";
pub const BUCKET_POLICY_ADDRESS: &str = "trail.bucket.policy";

/// CloudWatch Logs delivery and the root-usage alarm.
pub const LOGS_ROLE_POLICY_NAME: &str = "plinth-cloudtrail-logs";
pub const ROOT_FILTER_NAME: &str = "plinth-root-usage";
pub const ROOT_METRIC: &str = "RootAccountUsage";
pub const ROOT_NAMESPACE: &str = "plinth/CloudTrail";
pub const ROOT_ALARM: &str = "plinth-trail-root-usage";
/// The root-usage alarm's own topic, when `[trail]` lists `notify`.
pub const ALERT_TOPIC: &str = "plinth-security-alerts";
/// The CIS benchmark's filter for root user activity.
pub const ROOT_USAGE_PATTERN: &str =
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

pub fn log_group_name(trail: &str) -> String {
    format!("/plinth/cloudtrail/{trail}")
}

pub fn log_group_arn(account: &str, group: &str) -> String {
    format!("arn:aws:logs:{HOME_REGION}:{account}:log-group:{group}:*")
}

/// IAM role names are at most 64 characters.
pub fn logs_role_name(trail: &str) -> String {
    format!("plinth-cloudtrail-logs-{trail}").chars().take(64).collect()
}

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

/// The statements AWS documents for an organization trail's bucket: CloudTrail may read
/// the bucket ACL and write log files for the management account and the organization,
/// each only for this trail.
pub fn bucket_statements(bucket: &str, trail_arn: &str, account: &str, organization_id: &str) -> Vec<Value> {
    let write = |sid: &str, prefix: &str| {
        json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": { "Service": SERVICE_PRINCIPAL },
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{prefix}/*"),
            "Condition": { "StringEquals": { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn } }
        })
    };
    vec![
        json!({
            "Sid": "PlinthCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": SERVICE_PRINCIPAL },
            "Action": "s3:GetBucketAcl",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": { "StringEquals": { "aws:SourceArn": trail_arn } }
        }),
        write("PlinthCloudTrailWrite", account),
        write("PlinthCloudTrailOrganizationWrite", organization_id),
    ]
}

/// The trail settings the baseline implies; `logs` is the log group and role ARNs.
pub fn desired_settings(
    name: &str,
    bucket: &str,
    kms_key: Option<&str>,
    logs: Option<(String, String)>,
) -> TrailSettings {
    let (group, role) = logs.unzip();
    TrailSettings {
        name: name.to_owned(),
        s3_bucket: bucket.to_owned(),
        is_organization_trail: true,
        is_multi_region_trail: true,
        include_global_service_events: true,
        log_file_validation: true,
        kms_key_id: kms_key.map(str::to_owned),
        cloud_watch_logs_log_group_arn: group,
        cloud_watch_logs_role_arn: role,
    }
}

/// An existing resource of the declared name that plinth did not create: plinth leaves
/// it alone and says how to hand it over.
fn not_owned(src: &SourceFile, span: std::ops::Range<usize>, what: &str, adopt: &str) -> Diagnostic {
    Diagnostic::error(format!("{what} exists without plinth's tag `managed-by=plinth`"))
        .at(src, span)
        .cause("plinth changes only what it created, so that it never rewrites another tool's resource")
        .hint(format!(
            "to let plinth manage it, tag it `managed-by=plinth` ({adopt}); or name another in the baseline"
        ))
}

fn settings_differences(live: &TrailSettings, want: &TrailSettings) -> Vec<String> {
    let mut out = Vec::new();
    let flag = |out: &mut Vec<String>, on: bool, want: bool, what: &str| {
        if on != want {
            out.push(format!("{what} is {}", if on { "on" } else { "off" }));
        }
    };
    flag(
        &mut out,
        live.is_organization_trail,
        want.is_organization_trail,
        "organization trail",
    );
    flag(
        &mut out,
        live.is_multi_region_trail,
        want.is_multi_region_trail,
        "multi-region",
    );
    flag(
        &mut out,
        live.include_global_service_events,
        want.include_global_service_events,
        "global service events",
    );
    flag(
        &mut out,
        live.log_file_validation,
        want.log_file_validation,
        "log file validation",
    );
    if live.s3_bucket != want.s3_bucket {
        out.push(format!(
            "logs go to bucket `{}`, baseline says `{}`",
            live.s3_bucket, want.s3_bucket
        ));
    }
    if live.cloud_watch_logs_log_group_arn != want.cloud_watch_logs_log_group_arn
        || live.cloud_watch_logs_role_arn != want.cloud_watch_logs_role_arn
    {
        out.push(match &want.cloud_watch_logs_log_group_arn {
            Some(g) => format!("CloudWatch Logs delivery is not to `{g}` with plinth's role"),
            None => "CloudWatch Logs delivery is on, the baseline has it off".to_owned(),
        });
    }
    if live.kms_key_id != want.kms_key_id {
        out.push(format!(
            "KMS key is {}, baseline says {}",
            live.kms_key_id.as_deref().map_or("none".into(), |k| format!("`{k}`")),
            want.kms_key_id.as_deref().map_or("none".into(), |k| format!("`{k}`"))
        ));
    }
    out
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = &cx.baseline.file.trail else {
        return Ok(());
    };
    let t = section.get_ref();
    let observed = &cx.observed.trail;
    let org = &cx.observed.org;
    let account = org.management_account_id.as_str();
    let src = &cx.baseline.source;
    let name = t.name.get_ref().as_str();
    let bucket = t.bucket.get_ref().as_str();
    let kms = t.kms_key_arn.as_ref().map(|k| k.get_ref().as_str());
    let arn = trail_arn(account, name);
    let ours = bucket_statements(bucket, &arn, account, &org.organization_id);
    // Changes the trail itself must wait for.
    let mut trail_deps = Vec::new();

    if !observed.trusted_access {
        plan.changes.push(Change::new(
            TRUSTED_ACCESS_ADDRESS,
            Action::Enable,
            format!("`{SERVICE_PRINCIPAL}` has no trusted access to the organization; an organization trail needs it"),
            Op::Organizations(OrganizationsOp::EnableAwsServiceAccess {
                service_principal: SERVICE_PRINCIPAL.into(),
            }),
        ));
        trail_deps.push(TRUSTED_ACCESS_ADDRESS.to_owned());
    }

    // The bucket.
    let want_encryption = BucketEncryption {
        algorithm: if kms.is_some() {
            "aws:kms".into()
        } else {
            "AES256".into()
        },
        kms_key: kms.map(str::to_owned),
    };
    let (pab, encryption, live_policy, bucket_deps) = match &observed.bucket {
        Bucket::Unreadable { error } => {
            let statements = serde_json::to_string_pretty(&json!({ "Version": "2012-10-17", "Statement": ours }))
                .unwrap_or_default();
            return Err(Diagnostic::error(format!("plinth cannot read bucket `{bucket}`; it seems to belong to another account"))
                .at(src, t.bucket.span())
                .cause(error.clone())
                .hint(format!(
                    "this is a prerequisite plinth cannot fix: in the account that owns the bucket, add these statements to its bucket policy (and let this account read the policy), or choose a bucket name of your own:\n{statements}"
                ))
                .into());
        }
        Bucket::Missing => {
            plan.changes.push(Change::new(
                BUCKET_ADDRESS,
                Action::Create,
                format!("no bucket `{bucket}`"),
                Op::S3(S3Op::CreateBucket { bucket: bucket.into() }),
            ));
            (None, None, None, vec![BUCKET_ADDRESS.to_owned()])
        }
        Bucket::Present { owned: false, .. } => {
            return Err(not_owned(
                src,
                t.bucket.span(),
                &format!("bucket `{bucket}`"),
                &format!("`aws s3api put-bucket-tagging --bucket {bucket} --tagging 'TagSet=[{{Key=managed-by,Value=plinth}}]'`, which replaces the bucket's tag set: list its tags first"),
            )
            .into());
        }
        Bucket::Present {
            owned: true,
            public_access_block,
            encryption,
            policy,
        } => (public_access_block.clone(), encryption.clone(), policy.clone(), vec![]),
    };
    if pab.as_ref() != Some(&PublicAccessBlock::ALL) {
        let reason = match &pab {
            None => "the bucket has no public access block".to_owned(),
            Some(_) => "the bucket's public access block does not block everything".to_owned(),
        };
        plan.changes.push(
            Change::new(
                format!("{BUCKET_ADDRESS}.public_access_block"),
                if pab.is_none() { Action::Create } else { Action::Update },
                reason,
                Op::S3(S3Op::PutPublicAccessBlock { bucket: bucket.into() }),
            )
            .before(pab.as_ref().and_then(|p| serde_json::to_value(p).ok()))
            .after(serde_json::to_value(PublicAccessBlock::ALL).ok())
            .depends_on(bucket_deps.clone()),
        );
    }
    let stronger_kept = kms.is_none() && encryption.as_ref().is_some_and(|e| e.algorithm.starts_with("aws:kms"));
    if stronger_kept {
        plan.warnings.push(format!(
            "bucket `{bucket}` uses SSE-KMS{}; the baseline names no `kms_key_arn`, and plinth never weakens encryption to SSE-S3: name the key in `[trail]` to manage it",
            encryption
                .as_ref()
                .and_then(|e| e.kms_key.as_deref())
                .map_or(String::new(), |k| format!(" with `{k}`"))
        ));
    } else if encryption.as_ref() != Some(&want_encryption) {
        plan.changes.push(
            Change::new(
                format!("{BUCKET_ADDRESS}.encryption"),
                if encryption.is_none() {
                    Action::Create
                } else {
                    Action::Update
                },
                match (&encryption, kms) {
                    (None, _) => "the bucket has no default encryption".to_owned(),
                    (Some(_), Some(k)) => format!("default encryption is not SSE-KMS with `{k}`"),
                    (Some(_), None) => "default encryption is not SSE-S3".to_owned(),
                },
                Op::S3(S3Op::PutBucketEncryption {
                    bucket: bucket.into(),
                    kms_key: kms.map(str::to_owned),
                }),
            )
            .before(encryption.as_ref().and_then(|e| serde_json::to_value(e).ok()))
            .after(serde_json::to_value(&want_encryption).ok())
            .depends_on(bucket_deps.clone()),
        );
    }
    let want_policy = policy::merge_statements(live_policy.as_deref(), &ours);
    if let Some(change) = super::policy_document_change(
        BUCKET_POLICY_ADDRESS,
        live_policy.as_deref(),
        &want_policy,
        (
            "the bucket has no policy letting CloudTrail write",
            "plinth's statements in the bucket policy are missing or differ",
        ),
        |policy| {
            Op::S3(S3Op::PutBucketPolicy {
                bucket: bucket.into(),
                policy,
            })
        },
    ) {
        plan.changes.push(change.depends_on(bucket_deps.clone()));
        trail_deps.push(BUCKET_POLICY_ADDRESS.to_owned());
    }
    trail_deps.extend(bucket_deps);

    // CloudWatch Logs delivery: the log group and the role CloudTrail writes with.
    let logs = if t.cloudwatch_logs() {
        let span = t.cloudwatch_logs.as_ref().map_or(t.name.span(), |c| c.span());
        check_log_delivery_owned(observed, name).map_err(|(what, adopt)| not_owned(src, span, &what, &adopt))?;
        Some(plan_log_delivery(plan, observed, account, name, &arn, &mut trail_deps))
    } else {
        None
    };

    // The trail.
    let want = desired_settings(name, bucket, kms, logs);
    let mut selector_deps = vec![];
    let (logging, selectors) = match &observed.trail {
        Some(info) if info.home_region != HOME_REGION => {
            return Err(Diagnostic::error(format!(
                "trail `{name}` exists with its home in `{}`; the organization trail must live in `{HOME_REGION}`",
                info.home_region
            ))
            .at(src, t.name.span())
            .hint("plinth does not move trails: delete that trail, or give the baseline's trail another name")
            .into());
        }
        Some(info) if !info.owned => {
            return Err(not_owned(
                src,
                t.name.span(),
                &format!("trail `{name}`"),
                &format!("`aws cloudtrail add-tags --region {HOME_REGION} --resource-id {} --tags-list Key=managed-by,Value=plinth`", info.arn),
            )
            .into());
        }
        None => {
            plan.changes.push(
                Change::new(
                    TRAIL_ADDRESS,
                    Action::Create,
                    format!("no trail `{name}` in {HOME_REGION}"),
                    Op::Cloudtrail(CloudTrailOp::CreateTrail { settings: want.clone() }),
                )
                .after(serde_json::to_value(&want).ok())
                .depends_on(trail_deps),
            );
            selector_deps.push(TRAIL_ADDRESS.to_owned());
            (false, crate::observed::Selectors::default())
        }
        Some(info) => {
            let differences = settings_differences(&info.settings, &want);
            if !differences.is_empty() {
                plan.changes.push(
                    Change::new(
                        TRAIL_ADDRESS,
                        Action::Update,
                        differences.join("; "),
                        Op::Cloudtrail(CloudTrailOp::UpdateTrail { settings: want.clone() }),
                    )
                    .before(serde_json::to_value(&info.settings).ok())
                    .after(serde_json::to_value(&want).ok())
                    .depends_on(trail_deps),
                );
                selector_deps.push(TRAIL_ADDRESS.to_owned());
            }
            (info.logging, info.selectors.clone())
        }
    };
    if let Some((want_selectors, why)) = selectors::repair(&selectors) {
        plan.changes.push(
            Change::new(
                format!("{TRAIL_ADDRESS}.event_selectors"),
                Action::Update,
                why,
                Op::Cloudtrail(CloudTrailOp::PutEventSelectors {
                    trail: name.into(),
                    selectors: want_selectors.clone(),
                }),
            )
            .before(Some(serde_json::to_value(&selectors).unwrap_or_default()))
            .after(serde_json::to_value(&want_selectors).ok())
            .depends_on(selector_deps.clone()),
        );
    }
    if !logging {
        plan.changes.push(
            Change::new(
                format!("{TRAIL_ADDRESS}.logging"),
                Action::Enable,
                if observed.trail.is_some() {
                    "logging is stopped"
                } else {
                    "a new trail starts with logging off"
                },
                Op::Cloudtrail(CloudTrailOp::StartLogging { trail: name.into() }),
            )
            .depends_on(selector_deps),
        );
    }

    if t.root_usage_alarm() {
        let mut diags = Diagnostics::default();
        plan_root_usage(cx, plan, &mut diags, name);
        return diags.into_result(());
    }
    Ok(())
}

/// The log group and the role, where they exist, must be plinth's: what and how to adopt otherwise.
fn check_log_delivery_owned(observed: &TrailState, trail: &str) -> Result<(), (String, String)> {
    let group = log_group_name(trail);
    if let Some(g) = observed.log_group.as_ref().filter(|g| !g.owned) {
        return Err((
            format!("log group `{group}`"),
            format!(
                "`aws logs tag-resource --region {HOME_REGION} --resource-arn {} --tags managed-by=plinth`",
                g.arn.trim_end_matches(":*")
            ),
        ));
    }
    let role = logs_role_name(trail);
    if observed.logs_role.as_ref().is_some_and(|r| !r.owned) {
        return Err((
            format!("IAM role `{role}`"),
            format!("`aws iam tag-role --role-name {role} --tags Key=managed-by,Value=plinth`"),
        ));
    }
    Ok(())
}

/// Log group, role and role policy; returns the log group and role ARNs for the trail
/// and adds the changes the trail must wait for to `trail_deps`.
fn plan_log_delivery(
    plan: &mut Plan,
    observed: &TrailState,
    account: &str,
    trail: &str,
    trail_arn: &str,
    trail_deps: &mut Vec<String>,
) -> (String, String) {
    let group = log_group_name(trail);
    let role = logs_role_name(trail);
    if observed.log_group.is_none() {
        plan.changes.push(Change::new(
            "trail.log_group",
            Action::Create,
            format!("no log group `{group}` in {HOME_REGION}"),
            Op::Logs(LogsOp::CreateLogGroup { name: group.clone() }),
        ));
        trail_deps.push("trail.log_group".into());
    }
    let trust = logs_trust_policy(trail_arn);
    let mut role_deps = vec![];
    match &observed.logs_role {
        None => {
            plan.changes.push(
                Change::new(
                    "trail.logs_role",
                    Action::Create,
                    format!("no IAM role `{role}` for CloudTrail to write to CloudWatch Logs with"),
                    Op::Iam(IamOp::CreateRole {
                        name: role.clone(),
                        trust_policy: policy::minify(&trust),
                    }),
                )
                .after(Some(trust.clone())),
            );
            role_deps.push("trail.logs_role".to_owned());
            trail_deps.push("trail.logs_role".into());
        }
        Some(r) => {
            let reason = "the role's trust policy is not CloudTrail's for this trail";
            let change = super::policy_document_change(
                "trail.logs_role",
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
                plan.changes.push(change);
                trail_deps.push("trail.logs_role".into());
            }
        }
    }
    let inline = logs_role_policy(account, &group);
    let live_inline = observed.logs_role.as_ref().and_then(|r| r.inline_policy.as_deref());
    let reason = format!("the role's `{LOGS_ROLE_POLICY_NAME}` policy is missing or differs");
    let change = super::policy_document_change(
        "trail.logs_role.policy",
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
        plan.changes.push(change.depends_on(role_deps));
        trail_deps.push("trail.logs_role.policy".into());
    }
    (
        log_group_arn(account, &group),
        format!("arn:aws:iam::{account}:role/{role}"),
    )
}

/// The CIS root-usage metric filter, its alarm, and the topic the alarm notifies.
fn plan_root_usage(cx: &Context<'_>, plan: &mut Plan, diags: &mut Diagnostics, trail: &str) {
    let observed = &cx.observed.trail;
    let account = cx.observed.org.management_account_id.as_str();
    let t = cx
        .baseline
        .file
        .trail
        .as_ref()
        .expect("planned only with [trail]")
        .get_ref();
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
        plan.changes.push(
            Change::new(
                "trail.root_usage.metric_filter",
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
                    .and_then(|f| serde_json::to_value(f).ok()),
            )
            .after(serde_json::to_value(&want_filter).ok())
            .depends_on(group_dep),
        );
    }

    // The topic: its own, with `notify`, or the billing topic.
    let (topic_arn, topic_deps) = if t.notify.is_empty() {
        let billing = cx
            .baseline
            .file
            .billing
            .as_ref()
            .expect("validated: notify or [billing]")
            .get_ref();
        (
            topic::topic_arn(account, billing.topic_name.get_ref().as_str()),
            vec![super::billing::TOPIC_ADDRESS.to_owned()],
        )
    } else {
        topic::plan_topic(
            cx,
            plan,
            diags,
            &topic::TopicDecl {
                address: "trail.alerts.topic",
                notify_key: "trail.notify",
                name: ALERT_TOPIC,
                name_span: t.notify[0].span(),
                notify: &t.notify,
            },
            observed.alert_topic.as_ref(),
        )
    };
    let want = root_usage_alarm(&topic_arn);
    let missing = format!("no alarm `{ROOT_ALARM}` in CloudWatch ({HOME_REGION})");
    let live = observed.root_usage_alarm.as_ref();
    let deps = topic_deps.clone();
    if let Some(change) = super::alarm::change(
        "trail.root_usage.alarm".into(),
        live,
        want,
        &missing,
        (None, deps),
        topic_deps,
    ) {
        plan.changes.push(change);
    }
}

#[cfg(test)]
mod tests;
