//! The log archive's buckets beyond what every plinth bucket has ([`super::Bucket`]):
//! versioning, S3 Object Lock, plinth's lifecycle rule and server access logging.

use serde::{Deserialize, Serialize};

/// The lifecycle rule plinth owns among a bucket's rules (by its `ID`, [`LIFECYCLE_RULE_ID`]).
pub const LIFECYCLE_RULE_ID: &str = "plinth-log-archive";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveSettings {
    /// Versioning is `Enabled` (not `Suspended`, not never set).
    pub versioning: bool,
    /// S3 Object Lock, when it is enabled on the bucket (it cannot be turned off).
    pub object_lock: Option<ObjectLock>,
    /// plinth's lifecycle rule, when the bucket has one of its `ID`.
    pub lifecycle: Option<LifecycleRule>,
    /// How many other lifecycle rules the bucket has (kept as they are).
    pub other_lifecycle_rules: usize,
    /// Server access logging, when it is on.
    pub logging: Option<BucketLogging>,
}

/// S3 Object Lock on a bucket: its default retention, if it has one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    pub retention: Option<Retention>,
}

/// A default retention: `GOVERNANCE` or `COMPLIANCE`, for a number of days (or years,
/// which plinth reads but never writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<i32>,
}

/// plinth's lifecycle rule: the whole bucket, enabled; objects move to a storage class
/// after some days and expire after more; noncurrent versions expire some days after
/// they stop being current.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<Transition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_days: Option<i32>,
    /// Noncurrent versions (a versioned bucket's overwritten or deleted objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration_days: Option<i32>,
    /// Read as the rule has it: a rule plinth did not write may differ in more than this.
    pub enabled: bool,
    /// The rule applies to the whole bucket (no prefix, no tag filter).
    pub whole_bucket: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub days: i32,
    pub storage_class: String,
}

/// Where a bucket's server access logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketLogging {
    pub target_bucket: String,
    pub target_prefix: String,
}
