//! The log archive's changes, each acting in its account: the trail's bucket with
//! versioning, Object Lock, lifecycle, access logging and CloudTrail's statements; the
//! access logs bucket with S3 logging's statement.

use serde_json::{Value, json};

use super::observe::Account;
use super::section::LogArchiveSection;
use super::{BLOCKED, BUCKET_ADDRESS, LOGS_BUCKET_ADDRESS, LogArchive};
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::common::bucket::{self, Target};
use crate::kinds::{Context, Kind, cross};
use crate::observed::{ArchiveSettings, Bucket, BucketLogging, LIFECYCLE_RULE_ID, LifecycleRule, Retention, Transition};
use crate::plan::{Action, Address, Change, Op, Plan, S3Op};

fn at(name: &str) -> Address {
    Address::new(LogArchive::NAME, name)
}

pub(super) fn plan(cx: &Context<'_>, section: &Option<toml::Spanned<LogArchiveSection>>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(s) = section else {
        return Ok(());
    };
    let a = s.get_ref();
    let Some((trail, bucket)) = cross::trail_name_and_bucket(cx.baseline) else {
        return Ok(());
    };
    let state = &cx.observed.log_archive;
    let Some(id) = account(cx, a, plan, &state.account)? else {
        return Ok(());
    };
    let src = &cx.baseline.source;
    let kms = cross::trail_kms_key(cx.baseline);
    if let Some((key, span)) = &kms
        && key.split(':').nth(4) != Some(id)
    {
        return Err(Diagnostic::error("the trail's KMS key is not in the log archive account")
            .at(src, span.clone())
            .cause(format!("the log archive is account {id}; the key belongs to another"))
            .hint("create the key in the log archive account, with a key policy letting CloudTrail use it for this trail (README, \"The log archive\")")
            .into());
    }
    let logs = a.access_logs_bucket.as_ref().map(|b| b.get_ref().as_str());
    let logs_deps = match (logs, &state.logs_bucket) {
        (Some(name), Some(live)) => plan_logs_bucket(cx, plan, name, bucket, id, live, s.span())?,
        _ => Vec::new(),
    };
    let target = Target {
        address: at(BUCKET_ADDRESS),
        bucket,
        owner: id,
        account: Some(id),
        object_lock: a.object_lock.is_some(),
        span: s.span(),
    };
    if let Bucket::OtherAccount { error } = &state.bucket {
        return Err(other_account(cx, bucket, id, error, s.span()).into());
    }
    let (live, deps) = bucket::existence(plan, &target, &state.bucket, src)?;
    bucket::public_access_block(plan, &target, &deps, live.public_access_block);
    bucket::encryption(plan, &target, &deps, kms.as_ref().map(|(k, _)| *k), live.encryption);
    let management = cx.observed.org.management_account_id.as_str();
    let mut ours = cross::trail_bucket_statements(
        bucket,
        &crate::arn::trail_arn(management, trail),
        management,
        &cx.observed.org.organization_id,
    );
    ours.push(deny_insecure_transport(bucket));
    bucket::policy(plan, &target, &deps, (live.policy, &ours), "the bucket has no policy letting CloudTrail write");
    let created = matches!(state.bucket, Bucket::Missing);
    let versioning = plan_versioning(plan, &target, &deps, &state.settings, created);
    let mut lock_deps = deps.clone();
    lock_deps.extend(versioning);
    plan_object_lock(plan, &target, &lock_deps, a, &state.settings);
    plan_lifecycle(plan, &target, &deps, a, &state.settings);
    if let Some(name) = logs {
        let mut deps = deps.clone();
        deps.extend(logs_deps);
        plan_logging(plan, &target, &deps, name, state.settings.logging.as_ref());
    }
    Ok(())
}

/// The log archive's account id, once read; `None` (with a note) when this run did not
/// read it. A refused session, an ambiguous or not yet created account blocks the kind.
fn account<'a>(
    cx: &Context<'_>,
    a: &LogArchiveSection,
    plan: &Plan,
    account: &'a Account,
) -> Result<Option<&'a str>, Diagnostics> {
    let src = &cx.baseline.source;
    let key = a.account.get_ref().as_str();
    let span = a.account.span();
    match account {
        Account::Read { id } => Ok(Some(id)),
        Account::NotRead => Ok(None),
        Account::Missing { why } => match cross::account_creation(plan, key) {
            Some(_) => Err(Diagnostic::error(format!("the log archive account `{key}` does not exist yet"))
                .at(src, span)
                .cause("this plan creates it; its bucket can be made once it exists")
                .hint("apply, then run plinth again: the next plan makes the bucket and moves the trail")
                .blocking(BLOCKED)
                .into()),
            None => Err(Diagnostic::error(format!("no log archive account `{}`", crate::diag::printable(key)))
                .at(src, span)
                .cause(why.clone())
                .hint("write the log archive account's 12-digit id, or the name of an `[[account]]` of the baseline")
                .into()),
        },
        Account::Ambiguous { why, .. } => Err(Diagnostic::error(format!(
            "the log archive account `{}` cannot be told apart",
            crate::diag::printable(key)
        ))
        .at(src, span)
        .cause(why.clone())
        .hint("give the `[[account]]` its `id`")
        .blocking(BLOCKED)
        .into()),
        Account::Refused { id, role_arn, error } => Err(Diagnostic::error(format!(
            "cannot act in the log archive account {id}"
        ))
        .at(src, span)
        .cause(format!("AWS refused `sts:AssumeRole` on `{role_arn}`: {error}"))
        .hint(
            "the role may be missing in that account (create it, or name your landing zone's in `[organization] member_role`), \
             or an SCP may deny `sts:AssumeRole` to plinth's role; only the log archive's changes are held back",
        )
        .blocking(BLOCKED)
        .into()),
    }
}

/// TLS only, for everyone: what AWS Security Hub's S3.5 checks.
fn deny_insecure_transport(bucket: &str) -> Value {
    json!({
        "Sid": "PlinthDenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    })
}

/// Versioning on, unless the bucket is made with Object Lock (which turns it on); the
/// change Object Lock must wait for, if planned.
fn plan_versioning(
    plan: &mut Plan,
    target: &Target<'_>,
    deps: &[Address],
    live: &ArchiveSettings,
    created: bool,
) -> Option<Address> {
    if live.versioning || (created && target.object_lock) {
        return None;
    }
    let address = target.part("versioning");
    plan.add(
        target.placed(
            Change::new(
                address.clone(),
                Action::Enable,
                if created {
                    "a new bucket is not versioned"
                } else {
                    "versioning is not enabled: an overwritten or deleted log file would be gone"
                },
                Op::S3(S3Op::PutBucketVersioning {
                    bucket: target.bucket.into(),
                    expected_owner: target.owner.into(),
                }),
            )
            .depends_on(deps.to_vec()),
        ),
    );
    Some(address)
}

fn plan_object_lock(plan: &mut Plan, target: &Target<'_>, deps: &[Address], a: &LogArchiveSection, live: &ArchiveSettings) {
    let Some(lock) = &a.object_lock else {
        if live.object_lock.is_some() {
            plan.notes.push(format!(
                "bucket `{}` keeps S3 Object Lock and its default retention: S3 cannot turn it off, and the baseline no longer sets it",
                target.bucket
            ));
        }
        return;
    };
    let lock = lock.get_ref();
    let want = Retention {
        mode: lock.mode.get_ref().as_str().to_owned(),
        days: Some(i32::try_from(*lock.days.get_ref()).unwrap_or(i32::MAX)),
        years: None,
    };
    let current = live.object_lock.as_ref().and_then(|l| l.retention.as_ref());
    if current == Some(&want) {
        return;
    }
    let reason = match (&live.object_lock, current) {
        (None, _) => "S3 Object Lock is off".to_owned(),
        (Some(_), None) => "S3 Object Lock has no default retention".to_owned(),
        (Some(_), Some(r)) => format!(
            "the default retention is {} for {}",
            r.mode,
            r.days.map_or_else(|| format!("{} years", r.years.unwrap_or(0)), |d| format!("{d} days"))
        ),
    };
    plan.add(
        target.placed(
            Change::new(
                target.part("object_lock"),
                if live.object_lock.is_none() { Action::Enable } else { Action::Update },
                reason,
                Op::S3(S3Op::PutObjectLockConfiguration {
                    bucket: target.bucket.into(),
                    retention: want.clone(),
                    expected_owner: target.owner.into(),
                }),
            )
            .before(current.map(crate::plan::value))
            .after(Some(crate::plan::value(&want)))
            .depends_on(deps.to_vec()),
        ),
    );
}

fn plan_lifecycle(plan: &mut Plan, target: &Target<'_>, deps: &[Address], a: &LogArchiveSection, live: &ArchiveSettings) {
    let Some(l) = &a.lifecycle else {
        if live.lifecycle.is_some() {
            plan.warnings.push(format!(
                "bucket `{}` keeps lifecycle rule `{LIFECYCLE_RULE_ID}`: the baseline no longer sets `lifecycle`, and plinth does not delete it on a guess (delete the rule by hand if it should go)",
                target.bucket
            ));
        }
        return;
    };
    let l = l.get_ref();
    let days = |d: &toml::Spanned<u32>| i32::try_from(*d.get_ref()).unwrap_or(i32::MAX);
    let expiration = l.expiration_days.as_ref().map(days);
    let want = LifecycleRule {
        transition: l.transition_days.as_ref().map(|t| Transition {
            days: days(t),
            storage_class: l.storage_class().as_str().to_owned(),
        }),
        expiration_days: expiration,
        noncurrent_expiration_days: expiration,
        enabled: true,
        whole_bucket: true,
    };
    if live.lifecycle.as_ref() == Some(&want) {
        return;
    }
    plan.add(
        target.placed(
            Change::new(
                target.part("lifecycle"),
                if live.lifecycle.is_none() { Action::Create } else { Action::Update },
                match &live.lifecycle {
                    None => format!("the bucket has no lifecycle rule `{LIFECYCLE_RULE_ID}`"),
                    Some(_) => format!("lifecycle rule `{LIFECYCLE_RULE_ID}` differs"),
                },
                Op::S3(S3Op::PutLifecycleRule {
                    bucket: target.bucket.into(),
                    rule: want.clone(),
                    expected_owner: target.owner.into(),
                }),
            )
            .before(live.lifecycle.as_ref().map(crate::plan::value))
            .after(Some(crate::plan::value(&want)))
            .depends_on(deps.to_vec()),
        ),
    );
}

fn plan_logging(plan: &mut Plan, target: &Target<'_>, deps: &[Address], logs: &str, live: Option<&BucketLogging>) {
    let want = BucketLogging {
        target_bucket: logs.to_owned(),
        target_prefix: format!("{}/", target.bucket),
    };
    if live == Some(&want) {
        return;
    }
    plan.add(
        target.placed(
            Change::new(
                target.part("logging"),
                if live.is_none() { Action::Enable } else { Action::Update },
                match live {
                    None => "server access logging is off".to_owned(),
                    Some(_) => format!("server access logs do not go to `{logs}` under `{}`", want.target_prefix),
                },
                Op::S3(S3Op::PutBucketLogging {
                    bucket: target.bucket.into(),
                    logging: want.clone(),
                    expected_owner: target.owner.into(),
                }),
            )
            .before(live.map(crate::plan::value))
            .after(Some(crate::plan::value(&want)))
            .depends_on(deps.to_vec()),
        ),
    );
}

/// The access logs bucket: created, public access blocked, SSE-S3 (server access logs
/// cannot be written with SSE-KMS), and S3 logging's statement for the trail's bucket.
/// Returns the changes the trail bucket's logging waits for.
fn plan_logs_bucket(
    cx: &Context<'_>,
    plan: &mut Plan,
    logs: &str,
    source: &str,
    id: &str,
    live: &Bucket,
    span: std::ops::Range<usize>,
) -> Result<Vec<Address>, Diagnostics> {
    if let Bucket::OtherAccount { error } = live {
        return Err(other_account(cx, logs, id, error, span).into());
    }
    let target = Target {
        address: at(LOGS_BUCKET_ADDRESS),
        bucket: logs,
        owner: id,
        account: Some(id),
        object_lock: false,
        span,
    };
    let (parts, mut deps) = bucket::existence(plan, &target, live, &cx.baseline.source)?;
    bucket::public_access_block(plan, &target, &deps, parts.public_access_block);
    bucket::encryption(plan, &target, &deps, None, parts.encryption);
    let ours = [
        json!({
            "Sid": "PlinthS3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": { "Service": "logging.s3.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{logs}/*"),
            "Condition": {
                "ArnLike": { "aws:SourceArn": format!("arn:aws:s3:::{source}") },
                "StringEquals": { "aws:SourceAccount": id }
            }
        }),
        deny_insecure_transport(logs),
    ];
    if bucket::policy(plan, &target, &deps, (parts.policy, &ours), "the bucket has no policy letting S3 deliver access logs") {
        deps.push(target.part("policy"));
    }
    Ok(deps)
}

/// A bucket of the baseline's name that is not the log archive account's: S3 names are
/// global. Blocks the log archive (and so the trail's move), nothing else.
fn other_account(cx: &Context<'_>, bucket: &str, id: &str, error: &str, span: std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::error(format!("bucket `{bucket}` belongs to another account than the log archive"))
        .at(&cx.baseline.source, span)
        .cause(format!("S3 refuses it as a bucket of account {id} (`ExpectedBucketOwner`): {error}"))
        .hint(
            "S3 bucket names are global: if the management account holds it (the trail's bucket before the log archive), \
             give `[trail] bucket` a new name; plinth makes it in the log archive account, moves the trail there and keeps the old bucket",
        )
        .blocking(BLOCKED)
}
