//! IAM Identity Center: the instance, permission sets, principals and assignments.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// IAM Identity Center, as far as the baseline's `[sso]` section needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SsoState {
    /// The organization's Identity Center instance; `None` when it has none, or when the
    /// baseline has no `[sso]` section and plinth did not look.
    pub instance: Option<SsoInstance>,
    pub permission_sets: Vec<PermissionSet>,
    /// Group display names the baseline uses, with their ids; a missing name is unknown.
    pub groups: BTreeMap<String, String>,
    /// User names the baseline uses, with their ids.
    pub users: BTreeMap<String, String>,
    /// Every assignment of the principals above (of any permission set).
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SsoInstance {
    pub arn: String,
    pub identity_store_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionSet {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub session_duration: Option<String>,
    pub relay_state: Option<String>,
    /// plinth's: carries `managed-by=plinth` and no sign of another tool (`ownership`).
    pub owned: bool,
    /// Another tool that manages it (`other_manager`): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<super::OtherManager>,
    /// Policies and provisioning, read for owned permission sets and those the baseline names.
    pub details: Option<PermissionSetDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PermissionSetDetails {
    pub managed_policies: Vec<String>,
    /// `(name, path)`.
    pub customer_managed_policies: Vec<(String, String)>,
    pub inline_policy: Option<String>,
    pub permissions_boundary: Option<Boundary>,
    /// Accounts whose provisioned copy is older than the permission set.
    pub stale_accounts: Vec<String>,
}

/// A permission set as the baseline wants it, in AWS's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionSetSpec {
    pub name: String,
    pub description: Option<String>,
    pub session_duration: String,
    pub relay_state: Option<String>,
    pub managed_policies: Vec<String>,
    /// `(name, path)`.
    pub customer_managed_policies: Vec<(String, String)>,
    /// Minified.
    pub inline_policy: Option<String>,
    pub permissions_boundary: Option<Boundary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    ManagedPolicy { arn: String },
    CustomerManagedPolicy { name: String, path: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Group,
    User,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Group => "group",
            PrincipalKind::User => "user",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Assignment {
    pub account_id: String,
    pub permission_set_arn: String,
    pub principal_kind: PrincipalKind,
    pub principal_id: String,
}
