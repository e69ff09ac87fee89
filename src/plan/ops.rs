//! The AWS operations a change performs: plain data, one enum per service, executed by
//! the adapter that owns the service (`src/aws/`). A kind's planner builds them; nothing
//! here knows a kind.

use serde::{Deserialize, Serialize};

use super::Address;
use crate::observed::{
    AlarmSpec, Boundary, BudgetNotification, BudgetSpec, BudgetSubscriber, ContactSpec, ContactType, MetricFilter,
    PermissionSetSpec, PrincipalKind, RootCredential, TrailSettings,
};
use crate::types::policy_types::PolicyType;
use crate::types::service::Service;

/// A reference to a resource: one that exists, or one an earlier change in the same
/// plan creates (named by that change's address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ref {
    Id(String),
    Planned(Address),
}

impl Ref {
    /// The live id, or the address of the change that creates it.
    pub fn key(&self) -> &str {
        match self {
            Ref::Id(s) => s,
            Ref::Planned(a) => a.as_str(),
        }
    }
}

/// The AWS operation a change performs: plain data, executed by the adapter that
/// owns the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "service", rename_all = "snake_case")]
pub enum Op {
    Organizations(OrganizationsOp),
    Cloudwatch(CloudWatchOp),
    Sns(SnsOp),
    S3(S3Op),
    Cloudtrail(CloudTrailOp),
    Logs(LogsOp),
    Iam(IamOp),
    Sso(SsoOp),
    Budgets(BudgetsOp),
    Account(AccountOp),
    RootAccess(RootAccessOp),
}

impl Op {
    /// The service the operation goes to (its row of the service table): its apply lane.
    /// Centralized root access runs as IAM (its root sessions call IAM's APIs).
    pub fn service(&self) -> Service {
        match self {
            Op::Organizations(_) => Service::Organizations,
            Op::Cloudwatch(_) => Service::CloudWatch,
            Op::Sns(_) => Service::Sns,
            Op::S3(_) => Service::S3,
            Op::Cloudtrail(_) => Service::CloudTrail,
            Op::Logs(_) => Service::Logs,
            Op::Iam(_) | Op::RootAccess(_) => Service::Iam,
            Op::Sso(_) => Service::Sso,
            Op::Budgets(_) => Service::Budgets,
            Op::Account(_) => Service::Account,
        }
    }
}

/// An IAM Identity Center operation, on the organization's instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SsoOp {
    /// The instance's region.
    pub region: String,
    pub instance_arn: String,
    #[serde(flatten)]
    pub call: SsoCall,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum SsoCall {
    /// Creates the permission set, tagged `managed-by=plinth`, with its policies and
    /// boundary; returns its ARN.
    CreatePermissionSet {
        spec: Box<PermissionSetSpec>,
    },
    UpdatePermissionSet {
        permission_set: String,
        description: Option<String>,
        session_duration: String,
        relay_state: Option<String>,
    },
    AttachManagedPolicy {
        permission_set: String,
        policy_arn: String,
    },
    DetachManagedPolicy {
        permission_set: String,
        policy_arn: String,
    },
    AttachCustomerManagedPolicy {
        permission_set: String,
        name: String,
        path: String,
    },
    DetachCustomerManagedPolicy {
        permission_set: String,
        name: String,
        path: String,
    },
    PutInlinePolicy {
        permission_set: String,
        policy: String,
    },
    DeleteInlinePolicy {
        permission_set: String,
    },
    PutPermissionsBoundary {
        permission_set: String,
        boundary: Boundary,
    },
    DeletePermissionsBoundary {
        permission_set: String,
    },
    /// Provisions the latest version to every account that has it, and waits.
    ProvisionPermissionSet {
        permission_set: String,
    },
    /// Creates the assignment and waits for AWS to finish.
    CreateAccountAssignment {
        permission_set: Ref,
        account: Ref,
        principal_kind: PrincipalKind,
        principal_id: String,
    },
    /// Deletes the assignment and waits for AWS to finish.
    DeleteAccountAssignment {
        permission_set: String,
        account: String,
        principal_kind: PrincipalKind,
        principal_id: String,
    },
    /// Deletes every assignment of the permission set, then the set.
    DeletePermissionSet {
        permission_set: String,
    },
    /// Adds plinth's ownership tag to a permission set, adopting it.
    TagResource {
        permission_set: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum LogsOp {
    CreateLogGroup {
        name: String,
    },
    /// Adds plinth's ownership tag to a log group (its ARN without `:*`), adopting it.
    TagResource {
        arn: String,
    },
    PutMetricFilter {
        filter: Box<MetricFilterSpec>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFilterSpec {
    pub log_group: String,
    pub filter_name: String,
    pub filter: MetricFilter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum IamOp {
    /// Creates the role, tagged `managed-by=plinth`, with this permissions boundary.
    CreateRole {
        name: String,
        trust_policy: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        permissions_boundary: Option<String>,
    },
    /// Sets the role's permissions boundary (the most its policies can ever allow).
    PutRolePermissionsBoundary {
        name: String,
        boundary: String,
    },
    UpdateAssumeRolePolicy {
        name: String,
        trust_policy: String,
    },
    /// Adds plinth's ownership tag to a role, adopting it.
    TagRole {
        name: String,
    },
    PutRolePolicy {
        role: String,
        policy_name: String,
        policy: String,
    },
}

/// The trail's bucket, and the log archive's. Every call but `CreateBucket` names the
/// account the bucket must belong to (`expected_owner`, sent as `ExpectedBucketOwner`):
/// S3 refuses it on a bucket of any other account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum S3Op {
    CreateBucket {
        bucket: String,
        /// With S3 Object Lock enabled (and so versioning).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        object_lock: bool,
    },
    /// Adds plinth's ownership tag to the bucket's tags (S3 replaces the whole set, so
    /// the adapter reads it first and keeps every other tag), adopting it.
    TagBucket {
        bucket: String,
        expected_owner: String,
    },
    /// Blocks every kind of public access.
    PutPublicAccessBlock {
        bucket: String,
        expected_owner: String,
    },
    /// SSE-KMS with the key, or SSE-S3 without one.
    PutBucketEncryption {
        bucket: String,
        kms_key: Option<String>,
        expected_owner: String,
    },
    PutBucketPolicy {
        bucket: String,
        policy: String,
        expected_owner: String,
    },
    PutBucketVersioning {
        bucket: String,
        expected_owner: String,
    },
    /// Object Lock on, with this default retention.
    PutObjectLockConfiguration {
        bucket: String,
        retention: crate::observed::Retention,
        expected_owner: String,
    },
    /// plinth's lifecycle rule in place of the live one of its `ID`; the bucket's other
    /// rules are kept (the adapter reads them first: S3 replaces the whole set).
    PutLifecycleRule {
        bucket: String,
        rule: crate::observed::LifecycleRule,
        expected_owner: String,
    },
    /// Server access logging to a bucket of the same account.
    PutBucketLogging {
        bucket: String,
        logging: crate::observed::BucketLogging,
        expected_owner: String,
    },
}

pub(crate) fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum CloudTrailOp {
    /// Creates the trail, tagged `managed-by=plinth`.
    CreateTrail {
        settings: TrailSettings,
    },
    /// Updates the trail's settings; CloudWatch Logs delivery only when `logs` (otherwise
    /// the call leaves it as it is and passes no role, so plinth needs `iam:PassRole` only
    /// for its own log role).
    UpdateTrail {
        settings: TrailSettings,
        #[serde(default = "crate::plan::ops::yes")]
        logs: bool,
    },
    /// Puts the whole list of event selectors: the live ones with management events
    /// completed (CloudTrail replaces the list whole).
    PutEventSelectors {
        trail: String,
        selectors: crate::observed::Selectors,
    },
    StartLogging {
        trail: String,
    },
    /// Adds plinth's ownership tag to a trail, adopting it.
    AddTags {
        trail_arn: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum CloudWatchOp {
    /// Creates or replaces the alarm, tagged `managed-by=plinth`. `linked_account` names an
    /// account created earlier in the same run, for the `LinkedAccount` dimension.
    PutMetricAlarm {
        alarm: Box<AlarmSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        linked_account: Option<Ref>,
    },
    DeleteAlarm {
        name: String,
    },
    /// Adds plinth's ownership tag to an alarm, adopting it.
    TagResource {
        alarm_arn: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum SnsOp {
    /// Creates the topic, tagged `managed-by=plinth`, with its access policy.
    CreateTopic {
        name: String,
        policy: String,
    },
    SetTopicPolicy {
        topic_arn: String,
        policy: String,
    },
    /// Adds plinth's ownership tag to a topic, adopting it.
    TagResource {
        topic_arn: String,
    },
    Subscribe {
        topic_arn: String,
        protocol: String,
        endpoint: String,
    },
}

fn scp_type() -> PolicyType {
    PolicyType::Scp
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum OrganizationsOp {
    EnablePolicyType {
        root_id: String,
        policy_type: String,
    },
    CreateOrganizationalUnit {
        parent: Ref,
        name: String,
    },
    /// Creates an organization policy, tagged `managed-by=plinth`.
    CreatePolicy {
        /// Saved plans from before policy types other than SCPs say none: an SCP.
        #[serde(default = "scp_type")]
        policy_type: PolicyType,
        name: String,
        description: String,
        content: String,
    },
    UpdatePolicy {
        policy_id: String,
        description: String,
        content: String,
    },
    AttachPolicy {
        policy: Ref,
        target: Ref,
    },
    DetachPolicy {
        policy_id: String,
        target_id: String,
    },
    DeletePolicy {
        policy_id: String,
    },
    /// Adds plinth's ownership tag to a policy (or any taggable resource), adopting it.
    TagResource {
        resource_id: String,
    },
    /// Trusted access for an AWS service principal, such as `cloudtrail.amazonaws.com`.
    EnableAwsServiceAccess {
        service_principal: String,
    },
    /// Creates a member account and waits for AWS to finish; returns its id.
    CreateAccount {
        name: String,
        email: String,
    },
    MoveAccount {
        account: Ref,
        source: Ref,
        destination: Ref,
    },
}

/// An AWS Budgets operation, on a budget of the management account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetsOp {
    /// The account that pays: the management account.
    pub account_id: String,
    #[serde(flatten)]
    pub call: BudgetsCall,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum BudgetsCall {
    /// Creates the budget with its notifications and subscribers, tagged
    /// `managed-by=plinth`. `linked_account` names an account created earlier in the same
    /// run, for the `LinkedAccount` filter.
    CreateBudget {
        spec: Box<BudgetSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        linked_account: Option<Ref>,
    },
    /// Replaces the limit, filter and auto-adjustment (notifications are separate).
    UpdateBudget {
        spec: Box<BudgetSpec>,
    },
    CreateNotification {
        budget: String,
        notification: BudgetNotification,
    },
    DeleteNotification {
        budget: String,
        notification: BudgetNotification,
    },
    CreateSubscriber {
        budget: String,
        notification: BudgetNotification,
        subscriber: BudgetSubscriber,
    },
    DeleteSubscriber {
        budget: String,
        notification: BudgetNotification,
        subscriber: BudgetSubscriber,
    },
    /// Adds plinth's ownership tag to a budget, adopting it.
    TagResource {
        budget_arn: String,
    },
    DeleteBudget {
        budget: String,
    },
}

/// An Account Management operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum AccountOp {
    /// Sets one alternate contact of a member account (`account`), or of the management
    /// account (`None`: AWS takes no `AccountId` for the caller's own account).
    PutAlternateContact {
        account: Option<Ref>,
        contact_type: ContactType,
        contact: ContactSpec,
    },
}

/// IAM's centralized root access, from the management account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum RootAccessOp {
    EnableOrganizationsRootCredentialsManagement,
    EnableOrganizationsRootSessions,
    /// Deletes one credential of a member account's root user, in an `sts:AssumeRoot`
    /// session with AWS's `IAMDeleteRootUserCredentials` task policy.
    DeleteRootCredential {
        account: String,
        credential: RootCredential,
    },
}
