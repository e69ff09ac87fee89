//! The plan: what differs between the baseline and the live organization, and the
//! changes that would make them match.
//!
//! [`compute`] is a pure function of the loaded baseline and the observed state. Each
//! resource kind has a planner module; [`PLANNERS`] is the registry that runs them in
//! order (a later kind may depend on changes an earlier one planned).

pub mod account;
pub mod alarm;
pub mod billing;
pub mod ou;
pub mod scp;
pub mod sso;
pub mod topic;
pub mod trail;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::baseline::Baseline;
use crate::diag::Diagnostics;
use crate::observed::{AlarmSpec, Boundary, MetricFilter, Observed, PermissionSetSpec, PrincipalKind, TrailSettings};
use crate::policy::diff::StatementDiff;

/// What a change does. Each action carries the symbol plans show it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Enable,
    Create,
    Update,
    Attach,
    Detach,
    Delete,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Enable | Action::Create | Action::Attach => "+",
            Action::Update => "~",
            Action::Detach | Action::Delete => "-",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Enable => "enable",
            Action::Create => "create",
            Action::Update => "update",
            Action::Attach => "attach",
            Action::Detach => "detach",
            Action::Delete => "delete",
        }
    }
    pub const ALL: [Action; 6] = [
        Action::Enable,
        Action::Create,
        Action::Update,
        Action::Attach,
        Action::Detach,
        Action::Delete,
    ];
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to a resource: one that exists, or one an earlier change in the same
/// plan creates (named by that change's address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ref {
    Id(String),
    Planned(String),
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum LogsOp {
    CreateLogGroup { name: String },
    PutMetricFilter { filter: Box<MetricFilterSpec> },
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
    /// Creates the role, tagged `managed-by=plinth`.
    CreateRole {
        name: String,
        trust_policy: String,
    },
    UpdateAssumeRolePolicy {
        name: String,
        trust_policy: String,
    },
    PutRolePolicy {
        role: String,
        policy_name: String,
        policy: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum S3Op {
    CreateBucket {
        bucket: String,
    },
    /// Blocks every kind of public access.
    PutPublicAccessBlock {
        bucket: String,
    },
    /// SSE-KMS with the key, or SSE-S3 without one.
    PutBucketEncryption {
        bucket: String,
        kms_key: Option<String>,
    },
    PutBucketPolicy {
        bucket: String,
        policy: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum CloudTrailOp {
    /// Creates the trail, tagged `managed-by=plinth`.
    CreateTrail {
        settings: TrailSettings,
    },
    UpdateTrail {
        settings: TrailSettings,
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
    Subscribe {
        topic_arn: String,
        protocol: String,
        endpoint: String,
    },
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
    CreatePolicy {
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

/// One change in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Stable name of the resource or relation: `scp.region_deny`,
    /// `scp.region_deny -> ou:Workloads/Prod`, `ou:Workloads`.
    pub address: String,
    pub action: Action,
    /// Why: what differs between the baseline and the live state.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<Value>,
    /// For policy updates: the statements that differ.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub statement_diff: Vec<StatementDiff>,
    /// Addresses of changes that must succeed first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<String>,
    pub op: Op,
}

impl Change {
    pub fn new(address: impl Into<String>, action: Action, reason: impl Into<String>, op: Op) -> Change {
        Change {
            address: address.into(),
            action,
            reason: reason.into(),
            before: None,
            after: None,
            statement_diff: Vec::new(),
            depends_on: Vec::new(),
            op,
        }
    }

    pub fn before(mut self, v: Option<Value>) -> Change {
        self.before = v;
        self
    }

    pub fn after(mut self, v: Option<Value>) -> Change {
        self.after = v;
        self
    }

    pub fn depends_on(mut self, deps: Vec<String>) -> Change {
        self.depends_on = deps;
        self
    }

    /// The area of the baseline the change belongs to: `scp`, `ou`.
    pub fn area(&self) -> &str {
        let end = self.address.find(['.', ':', ' ']).unwrap_or(self.address.len());
        &self.address[..end]
    }
}

/// The change that puts a policy document in place when the live one (as AWS returns it)
/// is missing or means something else; `None` when they are equivalent. Create when there
/// is none, update otherwise, with before, after and the statement-level diff; `op` gets
/// the minified document to send.
pub fn policy_document_change(
    address: impl Into<String>,
    live: Option<&str>,
    want: &Value,
    (missing, differs): (&str, &str),
    op: impl FnOnce(String) -> Op,
) -> Option<Change> {
    let live: Option<Value> = live.and_then(|p| serde_json::from_str(p).ok());
    if live
        .as_ref()
        .is_some_and(|l| crate::policy::normalize::equivalent(l, want))
    {
        return None;
    }
    let (action, reason) = match &live {
        None => (Action::Create, missing),
        Some(_) => (Action::Update, differs),
    };
    let mut change = Change::new(address, action, reason, op(crate::policy::minify(want)))
        .before(live.clone())
        .after(Some(want.clone()));
    if let Some(l) = &live {
        change.statement_diff = crate::policy::diff::diff(l, want);
    }
    Some(change)
}

/// A resource plinth owns that the baseline no longer declares. Kept unless the run
/// allows deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Orphan {
    pub address: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    #[serde(default)]
    pub orphans: Vec<Orphan>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Facts worth knowing that need no change, such as subscriptions awaiting confirmation.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of each action, in a fixed order.
    pub fn summary(&self) -> BTreeMap<Action, usize> {
        let mut counts = BTreeMap::new();
        for c in &self.changes {
            *counts.entry(c.action).or_insert(0) += 1;
        }
        counts
    }

    pub fn find(&self, address: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.address == address)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Delete owned resources the baseline no longer declares.
    pub allow_delete: bool,
}

/// What every planner sees.
pub struct Context<'a> {
    pub baseline: &'a Baseline,
    pub observed: &'a Observed,
    pub options: PlanOptions,
}

/// One resource kind's planner: adds its changes, orphans and warnings to the plan,
/// or reports why the baseline cannot be applied to this organization.
pub type Planner = fn(&Context<'_>, &mut Plan) -> Result<(), Diagnostics>;

/// The resource kinds, in the order their changes depend on each other.
pub const PLANNERS: &[(&str, Planner)] = &[
    ("organizational_units", ou::plan),
    ("account", account::plan),
    ("scp", scp::plan),
    ("trail", trail::plan),
    ("billing", billing::plan),
    ("sso", sso::plan),
];

/// Compute the plan. Pure: no AWS call, no I/O.
pub fn compute(baseline: &Baseline, observed: &Observed, options: PlanOptions) -> Result<Plan, Diagnostics> {
    let cx = Context {
        baseline,
        observed,
        options,
    };
    let mut plan = Plan::default();
    let mut diags = Diagnostics::default();
    for (_, planner) in PLANNERS {
        if let Err(d) = planner(&cx, &mut plan) {
            diags.0.extend(d.0);
        }
    }
    diags.into_result(plan)
}

#[cfg(test)]
mod tests;
