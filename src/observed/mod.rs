//! The live state as plain data, in each service's terms: what the adapters read and
//! write, what the kinds' planners compare the baseline with. No SDK types here, so plans
//! are testable without AWS. The organization's structure ([`OrgState`]) is read once
//! and shared by every kind; each kind assembles its own state from these parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod archive;
mod budgets;
mod contacts;
mod org;
mod ownership;
mod root;
mod sso;
pub use archive::*;
pub use budgets::*;
pub use contacts::*;
pub use org::*;
pub use ownership::*;
pub use root::*;
pub use sso::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub spec: AlarmSpec,
    /// Whether it is plinth's (its tag, no sign of another tool); read for alarms with
    /// plinth's prefix the baseline does not declare, and for those it names by `alarm_name`.
    pub owned: Option<bool>,
    /// Another tool that manages it ([`other_manager`]), where its tags were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// What plinth sets on a metric alarm, and reads back to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    pub name: String,
    pub description: String,
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: BTreeMap<String, String>,
    pub statistic: String,
    pub period: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    pub comparison_operator: String,
    pub treat_missing_data: String,
    /// Sorted.
    pub alarm_actions: Vec<String>,
    pub actions_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub arn: String,
    /// plinth's: carries `managed-by=plinth` and no sign of another tool ([`ownership`]).
    pub owned: bool,
    /// Another tool that manages it ([`other_manager`]): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
    /// The topic's access policy document, as SNS returns it.
    pub policy: Option<String>,
    pub subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub protocol: String,
    pub endpoint: String,
    /// Waiting for the recipient to confirm.
    pub pending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroup {
    pub arn: String,
    /// plinth's: tagged `managed-by=plinth`, no sign of another tool ([`ownership`]).
    pub owned: bool,
    /// Another tool that manages it ([`other_manager`]): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub arn: String,
    /// plinth's: tagged `managed-by=plinth`, no sign of another tool ([`ownership`]).
    pub owned: bool,
    /// Another tool that manages it ([`other_manager`]): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
    /// The trust policy, decoded.
    pub trust_policy: String,
    /// plinth's inline policy on the role, decoded, if present.
    pub inline_policy: Option<String>,
    /// The ARN of the role's permissions boundary, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub pattern: String,
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Bucket {
    #[default]
    Missing,
    /// S3 refused it as a bucket of the management account (`ExpectedBucketOwner`):
    /// another account's, whatever its tags and policy say. The refusal, as S3 worded it.
    OtherAccount { error: String },
    Present {
        /// plinth's: tagged `managed-by=plinth`, no sign of another tool ([`ownership`]).
        owned: bool,
        /// Another tool that manages it ([`other_manager`]): never adopted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        managed_by: Option<OtherManager>,
        public_access_block: Option<PublicAccessBlock>,
        encryption: Option<BucketEncryption>,
        policy: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketEncryption {
    /// `AES256` (SSE-S3) or `aws:kms`.
    pub algorithm: String,
    pub kms_key: Option<String>,
}

/// What plinth sets on the trail with CreateTrail or UpdateTrail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailSettings {
    pub name: String,
    pub s3_bucket: String,
    pub is_organization_trail: bool,
    pub is_multi_region_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailInfo {
    pub arn: String,
    pub home_region: String,
    /// plinth's: tagged `managed-by=plinth`, no sign of another tool ([`ownership`]).
    pub owned: bool,
    /// Another tool that manages it ([`other_manager`]): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
    pub settings: TrailSettings,
    pub logging: bool,
    pub selectors: Selectors,
}

/// A trail's event selectors: basic or advanced, as the trail uses them. plinth manages
/// the management-event selection only and keeps every data-event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "selectors", rename_all = "snake_case")]
pub enum Selectors {
    Basic(Vec<EventSelector>),
    Advanced(Vec<AdvancedSelector>),
}

impl Default for Selectors {
    fn default() -> Self {
        Selectors::Basic(Vec::new())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelector {
    pub read_write_type: String,
    pub include_management_events: bool,
    /// Data events: resource type and the ARNs or prefixes it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
    /// Event sources left out of management events (`kms.amazonaws.com`, `rdsdata.amazonaws.com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResource {
    pub r#type: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

/// One condition of an advanced event selector; only the operators it uses are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}
