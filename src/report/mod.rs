//! `plinth report`: who can reach which account, with which permission set, under which
//! guardrails, read from the live organization (the reads of a plan and of `plinth
//! import`, and each account's effective management policies; no writes). [`Report`] is plain data built by [`build`] from what was read,
//! so it is testable without AWS; [`read`] does the reading; the renderers
//! (`src/render/report/`) take only the report.

mod build;
mod read;

use serde::Serialize;

pub use build::{build, effective_types};
pub use read::read;

/// The JSON form's version; within it, fields are only added.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub organization_id: String,
    pub management_account_id: String,
    /// The root, its OUs and accounts, each with the policies in force there.
    pub root: OuNode,
    /// Every policy read, by id.
    pub policies: Vec<PolicyInfo>,
    /// The management policy types enabled on the root (`tag policy`, …): each account
    /// shows its effective policy of each.
    pub effective_policy_types: Vec<String>,
    pub trails: Vec<TrailStatus>,
    pub billing_alarms: Vec<AlarmStatus>,
    /// IAM Identity Center's permission sets, with their session and policies.
    pub permission_sets: Vec<SetInfo>,
    /// Who has which permission set in which account, by principal then account.
    pub access: Vec<Grant>,
    /// What the report could not say, and why.
    pub notes: Vec<String>,
}

/// The root or an OU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OuNode {
    pub id: String,
    /// `Workloads/Prod`; empty for the root.
    pub path: String,
    pub name: String,
    /// Policies attached here and above: what every account below is under.
    pub policies: Vec<InForce>,
    pub accounts: Vec<AccountInfo>,
    pub children: Vec<OuNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub management: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
    /// Policies in force: attached to the account, its OUs or the root.
    pub policies: Vec<InForce>,
    /// Its effective policy of each management policy type enabled on the root, in the
    /// order of [`Report::effective_policy_types`].
    pub effective_policies: Vec<Effective>,
}

/// An account's effective policy of one management policy type: the policies of the type
/// on the root, its OUs and the account merged by AWS's inheritance rules, as AWS
/// computes it (`DescribeEffectivePolicy`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effective {
    /// `tag policy`, `AI services opt-out policy`: as in [`PolicyInfo::policy_type`].
    pub policy_type: String,
    /// The type as the Organizations API names it: `TAG_POLICY`.
    pub api: String,
    /// The effective document; `None` (`null`) when no policy of the type reaches the account.
    pub document: Option<serde_json::Value>,
}

/// A policy in force at a place, and where it is attached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InForce {
    pub policy_id: String,
    /// `root`, `ou:Workloads`, or `account` for one attached to the account itself.
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub name: String,
    /// `SCP`, `RCP`, `tag policy`, …
    pub policy_type: String,
    /// Carries plinth's tag.
    pub owned: bool,
    pub aws_managed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// SCPs and RCPs never restrict the management account.
    pub restricts_management_account: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrailStatus {
    pub name: String,
    pub home_region: String,
    pub organization: bool,
    pub multi_region: bool,
    pub logging: bool,
    pub log_file_validation: bool,
    pub bucket: String,
    pub owned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmStatus {
    pub name: String,
    /// The account its `LinkedAccount` dimension names; none for the whole bill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub threshold_usd: f64,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
    pub actions_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetInfo {
    pub name: String,
    /// ISO 8601, `PT8H`.
    pub session_duration: String,
    pub managed_policies: Vec<String>,
    /// `path/name`.
    pub customer_managed_policies: Vec<String>,
    pub inline_policy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    pub owned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grant {
    /// `group` or `user`.
    pub principal_kind: String,
    /// Display name of the group, user name of the user (the id when not found).
    pub principal: String,
    pub account_id: String,
    pub permission_set: String,
}
