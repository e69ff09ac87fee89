//! S3's operations: the trail's bucket and the log archive's.

use serde::Serialize;

use crate::observed::{LifecycleRule, Retention};
use crate::plan::S3Op;

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum S3View<'a> {
    CreateBucket {
        bucket: &'a str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        object_lock: bool,
    },
    TagBucket {
        bucket: &'a str,
        expected_owner: &'a str,
    },
    PutPublicAccessBlock {
        bucket: &'a str,
        expected_owner: &'a str,
    },
    PutBucketEncryption {
        bucket: &'a str,
        kms_key: Option<&'a str>,
        expected_owner: &'a str,
    },
    PutBucketPolicy {
        bucket: &'a str,
        policy: &'a str,
        expected_owner: &'a str,
    },
    PutBucketVersioning {
        bucket: &'a str,
        expected_owner: &'a str,
    },
    PutObjectLockConfiguration {
        bucket: &'a str,
        retention: RetentionView<'a>,
        expected_owner: &'a str,
    },
    PutLifecycleRule {
        bucket: &'a str,
        rule: LifecycleRuleView<'a>,
        expected_owner: &'a str,
    },
    PutBucketLogging {
        bucket: &'a str,
        logging: LoggingView<'a>,
        expected_owner: &'a str,
    },
}

#[derive(Serialize)]
pub struct RetentionView<'a> {
    mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    years: Option<i32>,
}

impl<'a> From<&'a Retention> for RetentionView<'a> {
    fn from(r: &'a Retention) -> Self {
        RetentionView {
            mode: &r.mode,
            days: r.days,
            years: r.years,
        }
    }
}

#[derive(Serialize)]
pub struct LifecycleRuleView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    transition: Option<TransitionView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    noncurrent_expiration_days: Option<i32>,
    enabled: bool,
    whole_bucket: bool,
}

#[derive(Serialize)]
pub struct TransitionView<'a> {
    days: i32,
    storage_class: &'a str,
}

impl<'a> From<&'a LifecycleRule> for LifecycleRuleView<'a> {
    fn from(r: &'a LifecycleRule) -> Self {
        LifecycleRuleView {
            transition: r.transition.as_ref().map(|t| TransitionView {
                days: t.days,
                storage_class: &t.storage_class,
            }),
            expiration_days: r.expiration_days,
            noncurrent_expiration_days: r.noncurrent_expiration_days,
            enabled: r.enabled,
            whole_bucket: r.whole_bucket,
        }
    }
}

#[derive(Serialize)]
pub struct LoggingView<'a> {
    target_bucket: &'a str,
    target_prefix: &'a str,
}

impl<'a> From<&'a S3Op> for S3View<'a> {
    fn from(op: &'a S3Op) -> Self {
        match op {
            S3Op::CreateBucket { bucket, object_lock } => S3View::CreateBucket {
                bucket,
                object_lock: *object_lock,
            },
            S3Op::TagBucket { bucket, expected_owner } => S3View::TagBucket { bucket, expected_owner },
            S3Op::PutPublicAccessBlock { bucket, expected_owner } => {
                S3View::PutPublicAccessBlock { bucket, expected_owner }
            }
            S3Op::PutBucketEncryption {
                bucket,
                kms_key,
                expected_owner,
            } => S3View::PutBucketEncryption {
                bucket,
                kms_key: kms_key.as_deref(),
                expected_owner,
            },
            S3Op::PutBucketPolicy {
                bucket,
                policy,
                expected_owner,
            } => S3View::PutBucketPolicy {
                bucket,
                policy,
                expected_owner,
            },
            S3Op::PutBucketVersioning { bucket, expected_owner } => {
                S3View::PutBucketVersioning { bucket, expected_owner }
            }
            S3Op::PutObjectLockConfiguration {
                bucket,
                retention,
                expected_owner,
            } => S3View::PutObjectLockConfiguration {
                bucket,
                retention: retention.into(),
                expected_owner,
            },
            S3Op::PutLifecycleRule {
                bucket,
                rule,
                expected_owner,
            } => S3View::PutLifecycleRule {
                bucket,
                rule: rule.into(),
                expected_owner,
            },
            S3Op::PutBucketLogging {
                bucket,
                logging,
                expected_owner,
            } => S3View::PutBucketLogging {
                bucket,
                logging: LoggingView {
                    target_bucket: &logging.target_bucket,
                    target_prefix: &logging.target_prefix,
                },
                expected_owner,
            },
        }
    }
}
