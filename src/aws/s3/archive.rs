//! The log archive's bucket settings: versioning, S3 Object Lock, plinth's lifecycle rule
//! and server access logging; four reads, each as a bucket of the expected owner.

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLoggingStatus, BucketVersioningStatus, DefaultRetention, ExpirationStatus,
    LifecycleExpiration, LifecycleRule as SdkRule, LifecycleRuleFilter, LoggingEnabled, NoncurrentVersionExpiration,
    ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode, ObjectLockRule, Transition as SdkTransition,
    TransitionStorageClass, VersioningConfiguration,
};

use super::{S3, SERVICE};
use crate::aws::{AwsError, Context};
use crate::observed::{
    ArchiveSettings, BucketLogging, LIFECYCLE_RULE_ID, LifecycleRule, ObjectLock, Retention, Transition,
};

impl S3 {
    /// Versioning, Object Lock, plinth's lifecycle rule and access logging of a bucket of
    /// account `owner` (read after [`S3::read_bucket`] found it present).
    pub async fn read_archive_settings(&self, bucket: &str, owner: &str) -> Result<ArchiveSettings, AwsError> {
        let c = &self.client;
        let (versioning, lock, lifecycle, logging) = futures::join!(
            async {
                c.get_bucket_versioning()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketVersioning")
            },
            async {
                c.get_object_lock_configuration()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetObjectLockConfiguration")
            },
            async {
                c.get_bucket_lifecycle_configuration()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketLifecycleConfiguration")
            },
            async {
                c.get_bucket_logging()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketLogging")
            }
        );
        let object_lock = match lock {
            Ok(out) => out
                .object_lock_configuration()
                .filter(|c| c.object_lock_enabled() == Some(&ObjectLockEnabled::Enabled))
                .map(|c| ObjectLock {
                    retention: c.rule().and_then(ObjectLockRule::default_retention).and_then(|r| {
                        Some(Retention {
                            mode: r.mode()?.as_str().to_owned(),
                            // Some answers carry the unused one as 0.
                            days: r.days().filter(|d| *d != 0),
                            years: r.years().filter(|y| *y != 0),
                        })
                    }),
                }),
            Err(e) if e.is("ObjectLockConfigurationNotFoundError") => None,
            Err(e) => return Err(e),
        };
        let rules = match lifecycle {
            Ok(out) => out.rules().to_vec(),
            Err(e) if e.is("NoSuchLifecycleConfiguration") => vec![],
            Err(e) => return Err(e),
        };
        let ours = rules.iter().find(|r| r.id() == Some(LIFECYCLE_RULE_ID)).map(rule_of);
        Ok(ArchiveSettings {
            versioning: versioning?.status() == Some(&BucketVersioningStatus::Enabled),
            object_lock,
            lifecycle: ours,
            other_lifecycle_rules: rules.iter().filter(|r| r.id() != Some(LIFECYCLE_RULE_ID)).count(),
            logging: logging?.logging_enabled().map(|l| BucketLogging {
                target_bucket: l.target_bucket().to_owned(),
                target_prefix: l.target_prefix().to_owned(),
            }),
        })
    }

    pub(super) async fn put_versioning(&self, bucket: &str, owner: &str) -> Result<(), AwsError> {
        self.client
            .put_bucket_versioning()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .ctx(SERVICE, "PutBucketVersioning")
            .map(drop)
    }

    /// Object Lock on (AWS allows turning it on for a versioned bucket, never off), with
    /// the default retention.
    pub(super) async fn put_object_lock(
        &self,
        bucket: &str,
        retention: &Retention,
        owner: &str,
    ) -> Result<(), AwsError> {
        let default = DefaultRetention::builder()
            .mode(ObjectLockRetentionMode::from(retention.mode.as_str()))
            .set_days(retention.days)
            .set_years(retention.years)
            .build();
        let config = ObjectLockConfiguration::builder()
            .object_lock_enabled(ObjectLockEnabled::Enabled)
            .rule(ObjectLockRule::builder().default_retention(default).build())
            .build();
        self.client
            .put_object_lock_configuration()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .object_lock_configuration(config)
            .send()
            .await
            .ctx(SERVICE, "PutObjectLockConfiguration")
            .map(drop)
    }

    /// plinth's lifecycle rule put in place of the live one of its `ID`; every other
    /// rule is kept (`PutBucketLifecycleConfiguration` replaces the whole set).
    pub(super) async fn put_lifecycle_rule(
        &self,
        bucket: &str,
        rule: &LifecycleRule,
        owner: &str,
    ) -> Result<(), AwsError> {
        let op = "PutBucketLifecycleConfiguration";
        let mut rules: Vec<SdkRule> = match self
            .client
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .ctx(SERVICE, "GetBucketLifecycleConfiguration")
        {
            Ok(out) => out
                .rules()
                .iter()
                .filter(|r| r.id() != Some(LIFECYCLE_RULE_ID))
                .cloned()
                .collect(),
            Err(e) if e.is("NoSuchLifecycleConfiguration") => vec![],
            Err(e) => return Err(e),
        };
        let ours = SdkRule::builder()
            .id(LIFECYCLE_RULE_ID)
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build())
            .set_transitions(rule.transition.as_ref().map(|t| {
                vec![
                    SdkTransition::builder()
                        .days(t.days)
                        .storage_class(TransitionStorageClass::from(t.storage_class.as_str()))
                        .build(),
                ]
            }))
            .set_expiration(
                rule.expiration_days
                    .map(|d| LifecycleExpiration::builder().days(d).build()),
            )
            .set_noncurrent_version_expiration(
                rule.noncurrent_expiration_days
                    .map(|d| NoncurrentVersionExpiration::builder().noncurrent_days(d).build()),
            )
            .build()
            .map_err(|e| AwsError::other(SERVICE, op, e.to_string()))?;
        rules.push(ours);
        let config = BucketLifecycleConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .map_err(|e| AwsError::other(SERVICE, op, e.to_string()))?;
        self.client
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .lifecycle_configuration(config)
            .send()
            .await
            .ctx(SERVICE, op)
            .map(drop)
    }

    pub(super) async fn put_logging(&self, bucket: &str, to: &BucketLogging, owner: &str) -> Result<(), AwsError> {
        let enabled = LoggingEnabled::builder()
            .target_bucket(&to.target_bucket)
            .target_prefix(&to.target_prefix)
            .build()
            .map_err(|e| AwsError::other(SERVICE, "PutBucketLogging", e.to_string()))?;
        self.client
            .put_bucket_logging()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .bucket_logging_status(BucketLoggingStatus::builder().logging_enabled(enabled).build())
            .send()
            .await
            .ctx(SERVICE, "PutBucketLogging")
            .map(drop)
    }
}

/// A live lifecycle rule as plinth compares it.
fn rule_of(r: &SdkRule) -> LifecycleRule {
    let whole_bucket = r.filter().is_none_or(|f| {
        f.prefix().unwrap_or_default().is_empty()
            && f.tag().is_none()
            && f.and().is_none()
            && f.object_size_greater_than().is_none()
            && f.object_size_less_than().is_none()
    });
    LifecycleRule {
        transition: match r.transitions() {
            [t] => t.days().zip(t.storage_class()).map(|(days, class)| Transition {
                days,
                storage_class: class.as_str().to_owned(),
            }),
            _ => None,
        },
        expiration_days: r.expiration().and_then(LifecycleExpiration::days),
        noncurrent_expiration_days: r
            .noncurrent_version_expiration()
            .and_then(NoncurrentVersionExpiration::noncurrent_days),
        enabled: r.status() == &ExpirationStatus::Enabled,
        whole_bucket,
    }
}
