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
//! weakens what the baseline does not name: the bucket's SSE-KMS, the trail's SSE-KMS
//! key and CloudWatch Logs delivery stay, with a note ([`settings`]).

mod archive;
mod bucket;
pub mod cis;
mod iam;
mod import;
mod logs;
mod observe;
mod monitoring;
pub mod section;
pub mod selectors;
mod settings;

use logs::{check_log_delivery_not_elsewhere, plan_log_delivery};
use monitoring::plan_monitoring;
pub use monitoring::check_alarm;
pub use settings::desired_settings;
use settings::settings_differences;

use serde_json::{Value, json};

pub use observe::TrailState;
pub use section::TrailSection;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::kinds::common::adopt;
use crate::kinds::{Baseline, Context, IamActions, Kind, ObserveCx, Scope};
use crate::observed::{Selectors, TrailInfo, TrailSettings};
use crate::plan::{Action, Address, Change, CloudTrailOp, Op, Plan};
use crate::policy;

pub struct Trail;

impl Kind for Trail {
    const NAME: &'static str = "trail";
    const GUARDRAIL: bool = true;
    type Section = Option<toml::Spanned<TrailSection>>;
    type Schema = TrailSection;
    type State = TrailState;
    const IAM: IamActions = IamActions {
        plan: &[
            "organizations:ListAWSServiceAccessForOrganization",
            "s3:GetBucketTagging",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "cloudtrail:GetTrail",
            // `plinth import`: the trails whose home is us-east-1.
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:ListTags",
            "logs:DescribeLogGroups",
            "logs:DescribeMetricFilters",
            "logs:ListTagsForResource",
            "iam:GetRole",
            "iam:GetRolePolicy",
            // The root-usage alarm and its topic.
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
            "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:ListTagsForResource",
        ],
        // The writes are in `SCOPES`, each limited to its resources.
        apply: &["organizations:EnableAWSServiceAccess"],
        delete: &[],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }

    const SCOPES: &'static [Scope] = iam::SCOPES;

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        section::validate(baseline, section, diags);
    }

    fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> impl std::future::Future<Output = Result<TrailState, Diagnostics>> {
        observe::observe(cx, section)
    }

    /// The organization trail homed in us-east-1, with what of it is plinth's.
    fn import(
        cx: &crate::kinds::ImportCx<'_>,
    ) -> impl std::future::Future<Output = Result<crate::kinds::Imported, Diagnostics>> {
        import::import(cx)
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_trail(cx, section, plan)
    }
}

/// An address of this kind, from its full name: `trail`, `trail.bucket.policy`.
fn at(name: impl Into<String>) -> Address {
    Address::new(Trail::NAME, name)
}

pub const HOME_REGION: &str = crate::arn::TRAIL_HOME_REGION;
pub use crate::arn::trail_arn;
pub const SERVICE_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
pub const TRUSTED_ACCESS_ADDRESS: &str = "trail.trusted_access";
pub const TRAIL_ADDRESS: &str = "trail";
pub const BUCKET_ADDRESS: &str = "trail.bucket";
pub const BUCKET_POLICY_ADDRESS: &str = "trail.bucket.policy";

/// CloudWatch Logs delivery and the root-usage alarm.
pub const LOGS_ROLE_POLICY_NAME: &str = "plinth-cloudtrail-logs";
/// The log role's permissions boundary: AWS's managed policy that allows creating log
/// groups and streams and putting log events, nothing else. plinth's own policy may
/// create and change a `plinth-cloudtrail-logs-*` role only with this boundary, so whoever
/// holds plinth's role cannot make one that does more.
pub const LOGS_ROLE_BOUNDARY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
pub const ROOT_METRIC: &str = "RootAccountUsage";
pub const ROOT_NAMESPACE: &str = "plinth/CloudTrail";
/// The monitoring alarms' own topic, when `[trail]` lists `notify`.
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

/// The trail and everything it writes through, in the order they wait for each other:
/// CloudTrail's trusted access, the bucket, CloudWatch Logs delivery, the trail itself,
/// its event selectors and logging, then the root-usage alarm.
fn plan_trail(cx: &Context<'_>, section: &Option<toml::Spanned<TrailSection>>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = section else {
        return Ok(());
    };
    let t = section.get_ref();
    let observed = &cx.observed.trail;
    let org = &cx.observed.org;
    let account = org.management_account_id.as_str();
    let src = &cx.baseline.source;
    let name = t.name.get_ref().as_str();
    let bucket = t.bucket.get_ref().as_str();
    let arn = trail_arn(account, name);
    let ours = bucket_statements(bucket, &arn, account, &org.organization_id);
    // Changes the trail itself must wait for.
    let mut trail_deps = Vec::new();

    if !observed.trusted_access {
        trail_deps.push(crate::kinds::common::trusted_access::enable(
            plan,
            &at(TRAIL_ADDRESS),
            SERVICE_PRINCIPAL,
            "an organization trail needs it",
        ));
    }

    match crate::kinds::cross::archive_bucket(cx, plan) {
        None => {
            let owner = cx.baseline.management_account_id().as_str();
            bucket::plan_bucket(plan, t, observed, src, &ours, owner, &mut trail_deps)?;
        }
        Some(archive) => archive::wait_for_archive(plan, t, observed, src, archive, &mut trail_deps)?,
    }

    // CloudWatch Logs delivery: the log group and the role CloudTrail writes with.
    let logs = if t.cloudwatch_logs() {
        let span = t.cloudwatch_logs.as_ref().map_or(t.name.span(), |c| c.span());
        check_log_delivery_not_elsewhere(observed, name)
            .map_err(|(what, other)| adopt::managed_elsewhere(src, span, &what, &other))?;
        Some(plan_log_delivery(plan, observed, account, name, &arn, &mut trail_deps))
    } else {
        None
    };

    // The trail: what the baseline does not name, the live trail keeps.
    let live = observed.trail.as_ref().map(|i| &i.settings);
    let want = settings::desired(t, (live, account), logs, (&mut plan.notes, &mut plan.warnings));
    check_trail_is_ours(t, observed, src)?;
    let planned = match &observed.trail {
        None => plan_create(plan, name, &want, trail_deps),
        Some(info) => plan_update(plan, name, info, &want, trail_deps),
    };
    plan_event_selectors(plan, name, &planned);
    plan_logging(plan, name, observed, planned);

    if t.monitors() {
        let mut diags = Diagnostics::default();
        plan_monitoring(cx, plan, &mut diags, t);
        return diags.into_result(());
    }
    Ok(())
}

/// The live trail of the baseline's name is one plinth may change: homed in
/// [`HOME_REGION`] (plinth does not move trails) and managed by no other tool.
fn check_trail_is_ours(t: &TrailSection, observed: &TrailState, src: &SourceFile) -> Result<(), Diagnostics> {
    let name = t.name.get_ref().as_str();
    match &observed.trail {
        Some(info) if info.home_region != HOME_REGION => Err(Diagnostic::error(format!(
            "trail `{name}` exists with its home in `{}`; the organization trail must live in `{HOME_REGION}`",
            info.home_region
        ))
        .at(src, t.name.span())
        .hint("plinth does not move trails: delete that trail, or give the baseline's trail another name")
        .into()),
        Some(TrailInfo {
            owned: false,
            managed_by: Some(other),
            ..
        }) => Err(adopt::managed_elsewhere(src, t.name.span(), &format!("trail `{name}`"), other).into()),
        _ => Ok(()),
    }
}

/// What the trail's event selectors and logging are planned against: the live trail's
/// (a new trail's: logging off, default selectors), and the trail's changes they wait for.
struct Planned {
    logging: bool,
    selectors: Selectors,
    deps: Vec<Address>,
}

/// No trail of the baseline's name: it is created with the wanted settings, once what it
/// writes through (`trail_deps`) is in place.
fn plan_create(plan: &mut Plan, name: &str, want: &TrailSettings, trail_deps: Vec<Address>) -> Planned {
    plan.add(
        Change::new(
            at(TRAIL_ADDRESS),
            Action::Create,
            format!("no trail `{name}` in {HOME_REGION}"),
            Op::Cloudtrail(CloudTrailOp::CreateTrail { settings: want.clone() }),
        )
        .after(Some(crate::plan::value(want)))
        .depends_on(trail_deps),
    );
    Planned {
        logging: false,
        selectors: Selectors::default(),
        deps: vec![at(TRAIL_ADDRESS)],
    }
}

/// The live trail: adopted when it lacks plinth's tag, updated in place (never created
/// again) where its settings differ from the wanted ones.
fn plan_update(
    plan: &mut Plan,
    name: &str,
    info: &TrailInfo,
    want: &TrailSettings,
    mut trail_deps: Vec<Address>,
) -> Planned {
    let mut deps = vec![];
    if !info.owned {
        let change = adopt::change(
            &at(TRAIL_ADDRESS),
            &format!("trail `{name}`"),
            Op::Cloudtrail(CloudTrailOp::AddTags {
                trail_arn: info.arn.clone(),
            }),
        );
        trail_deps.push(change.address.clone());
        deps.push(change.address.clone());
        plan.add(change);
    }
    let differences = settings_differences(&info.settings, want);
    if !differences.is_empty() {
        plan.add(
            Change::new(
                at(TRAIL_ADDRESS),
                Action::Update,
                differences.join("; "),
                Op::Cloudtrail(CloudTrailOp::UpdateTrail {
                    settings: want.clone(),
                    logs: info.settings.cloud_watch_logs_log_group_arn != want.cloud_watch_logs_log_group_arn
                        || info.settings.cloud_watch_logs_role_arn != want.cloud_watch_logs_role_arn,
                }),
            )
            .before(Some(crate::plan::value(&info.settings)))
            .after(Some(crate::plan::value(want)))
            .depends_on(trail_deps),
        );
        deps.push(at(TRAIL_ADDRESS));
    }
    Planned {
        logging: info.logging,
        selectors: info.selectors.clone(),
        deps,
    }
}

/// The event selectors: plinth's management-event selection put back among the live
/// ones ([`selectors::repair`]), when it is missing or differs.
fn plan_event_selectors(plan: &mut Plan, name: &str, planned: &Planned) {
    let Some((want_selectors, why)) = selectors::repair(&planned.selectors) else {
        return;
    };
    plan.add(
        Change::new(
            at(format!("{TRAIL_ADDRESS}.event_selectors")),
            Action::Update,
            why,
            Op::Cloudtrail(CloudTrailOp::PutEventSelectors {
                trail: name.into(),
                selectors: want_selectors.clone(),
            }),
        )
        .before(Some(crate::plan::value(&planned.selectors)))
        .after(Some(crate::plan::value(&want_selectors)))
        .depends_on(planned.deps.clone()),
    );
}

/// Logging: started when the live trail's is stopped, and for a new trail.
fn plan_logging(plan: &mut Plan, name: &str, observed: &TrailState, planned: Planned) {
    if planned.logging {
        return;
    }
    plan.add(
        Change::new(
            at(format!("{TRAIL_ADDRESS}.logging")),
            Action::Enable,
            if observed.trail.is_some() {
                "logging is stopped"
            } else {
                "a new trail starts with logging off"
            },
            Op::Cloudtrail(CloudTrailOp::StartLogging { trail: name.into() }),
        )
        .depends_on(planned.deps),
    );
}

#[cfg(test)]
mod tests;
