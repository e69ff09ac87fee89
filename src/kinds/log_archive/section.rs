//! `[log_archive]`: the section and the checks it needs before any AWS call.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Baseline;
use crate::types::BucketName;

/// `[log_archive]`: the trail's bucket in a member account that almost nobody can touch,
/// with versioning, optional S3 Object Lock, lifecycle and server access logging.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogArchiveSection {
    /// The log archive account: its 12-digit id, or the `name` of an `[[account]]` of this
    /// baseline (matched by its id or e-mail, never by a live name).
    #[schemars(with = "String")]
    pub account: Spanned<String>,
    /// S3 Object Lock on the trail's bucket, with a default retention for every log file.
    /// It cannot be turned off once on.
    #[serde(default)]
    #[schemars(with = "Option<ObjectLockSection>")]
    pub object_lock: Option<Spanned<ObjectLockSection>>,
    /// The trail bucket's lifecycle: plinth's one rule (`plinth-log-archive`), other rules kept.
    #[serde(default)]
    #[schemars(with = "Option<LifecycleSection>")]
    pub lifecycle: Option<Spanned<LifecycleSection>>,
    /// Server access logging of the trail's bucket, to this second bucket in the same
    /// account (created when missing).
    #[serde(default)]
    #[schemars(with = "Option<BucketName>")]
    pub access_logs_bucket: Option<Spanned<BucketName>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockMode {
    /// Users with `s3:BypassGovernanceRetention` can still delete a locked version.
    Governance,
    /// Nobody, the root user included, can delete a locked version before it expires.
    Compliance,
}

impl LockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLockSection {
    #[schemars(with = "LockMode")]
    pub mode: Spanned<LockMode>,
    /// Default retention of each log file, in days (1 to 36,500).
    #[schemars(with = "u32")]
    pub days: Spanned<u32>,
}

/// The storage classes a lifecycle rule may move objects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    StandardIa,
    OnezoneIa,
    IntelligentTiering,
    GlacierIr,
    Glacier,
    DeepArchive,
}

impl StorageClass {
    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSection {
    /// Days after which log files move to `storage_class`.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub transition_days: Option<Spanned<u32>>,
    /// Where they move; `GLACIER_IR` unless this says otherwise.
    #[serde(default)]
    #[schemars(with = "Option<StorageClass>")]
    pub storage_class: Option<Spanned<StorageClass>>,
    /// Days after which log files expire (and noncurrent versions as many days after they
    /// stop being current).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub expiration_days: Option<Spanned<u32>>,
}

impl LifecycleSection {
    pub fn storage_class(&self) -> StorageClass {
        self.storage_class.as_ref().map_or(StorageClass::GlacierIr, |c| *c.get_ref())
    }
}

/// The longest retention S3 Object Lock takes, in days (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;

pub(super) fn validate(baseline: &Baseline, section: &Option<Spanned<LogArchiveSection>>, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let Some(s) = section else {
        return;
    };
    let a = s.get_ref();
    let Some((_, trail_bucket)) = crate::kinds::cross::trail_name_and_bucket(baseline) else {
        diags.push(
            Diagnostic::error("`[log_archive]` holds the organization trail's bucket, but the baseline has no `[trail]`")
                .at(src, s.span())
                .hint("add a `[trail]` section with the trail's `name` and `bucket`"),
        );
        return;
    };
    let key = a.account.get_ref();
    let is_id = key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit());
    if key == baseline.management_account_id().as_str() {
        diags.push(
            Diagnostic::error("the log archive must be a member account, not the management account")
                .at(src, a.account.span())
                .hint("name a dedicated log archive account; without `[log_archive]`, the trail's bucket is in the management account"),
        );
    } else if !is_id && !crate::kinds::cross::declares_account(baseline, key) {
        diags.push(
            Diagnostic::error(format!(
                "`{}` is neither an account id nor the name of an `[[account]]` of the baseline",
                crate::diag::printable(key)
            ))
            .at(src, a.account.span())
            .cause("a live account name can be changed by anyone who may rename accounts, so plinth does not go by it")
            .hint("write the log archive account's 12-digit id, or declare it as an `[[account]]` (matched by its id or e-mail)"),
        );
    }
    if let Some(lock) = &a.object_lock {
        let days = lock.get_ref().days.clone();
        if !(1..=MAX_RETENTION_DAYS).contains(days.get_ref()) {
            diags.push(
                Diagnostic::error(format!("Object Lock retention of {} days is out of range", days.get_ref()))
                    .at(src, days.span())
                    .hint(format!("use 1 to {MAX_RETENTION_DAYS} days")),
            );
        }
    }
    if let Some(l) = &a.lifecycle {
        validate_lifecycle(baseline, l, a.object_lock.as_ref(), diags);
    }
    if let Some(logs) = &a.access_logs_bucket
        && logs.get_ref().as_str() == trail_bucket
    {
        diags.push(
            Diagnostic::error("the access logs bucket is the trail's bucket")
                .at(src, logs.span())
                .hint("S3 would log its own log deliveries without end: name a second bucket"),
        );
    }
}

fn validate_lifecycle(
    baseline: &Baseline,
    l: &Spanned<LifecycleSection>,
    lock: Option<&Spanned<ObjectLockSection>>,
    diags: &mut Diagnostics,
) {
    let src = &baseline.source;
    let life = l.get_ref();
    if life.transition_days.is_none() && life.expiration_days.is_none() {
        diags.push(
            Diagnostic::error("`lifecycle` sets nothing")
                .at(src, l.span())
                .hint("give `transition_days`, `expiration_days` or both, or remove `lifecycle`"),
        );
    }
    if let Some(class) = &life.storage_class
        && life.transition_days.is_none()
    {
        diags.push(
            Diagnostic::error("`storage_class` without `transition_days`")
                .at(src, class.span())
                .hint("add `transition_days`: when log files move there"),
        );
    }
    for days in life.transition_days.iter().chain(&life.expiration_days) {
        if *days.get_ref() == 0 {
            diags.push(
                Diagnostic::error("a lifecycle rule counts at least 1 day")
                    .at(src, days.span())
                    .hint("use 1 or more"),
            );
        }
    }
    if let Some(t) = &life.transition_days {
        let class = life.storage_class();
        if matches!(class, StorageClass::StandardIa | StorageClass::OnezoneIa) && *t.get_ref() < 30 {
            diags.push(
                Diagnostic::error(format!("S3 moves objects to `{}` after 30 days at the earliest", class.as_str()))
                    .at(src, t.span())
                    .hint("use 30 or more, or another storage class"),
            );
        }
        if let Some(e) = &life.expiration_days
            && e.get_ref() <= t.get_ref()
        {
            diags.push(
                Diagnostic::error("log files would expire before they move")
                    .at(src, e.span())
                    .cause(format!("`expiration_days` is {}, `transition_days` {}", e.get_ref(), t.get_ref()))
                    .hint("make `expiration_days` greater than `transition_days`, or drop the transition"),
            );
        }
    }
    if let (Some(e), Some(lock)) = (&life.expiration_days, lock)
        && e.get_ref() < lock.get_ref().days.get_ref()
    {
        diags.push(
            Diagnostic::error("log files would expire while Object Lock still keeps them")
                .at(src, e.span())
                .cause(format!(
                    "`expiration_days` is {}, the Object Lock retention {} days: S3 cannot delete a locked version",
                    e.get_ref(),
                    lock.get_ref().days.get_ref()
                ))
                .hint("make `expiration_days` at least the retention's days"),
        );
    }
}
