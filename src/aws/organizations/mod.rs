//! AWS Organizations: reads the organization, OUs, accounts and SCPs into
//! [`OrgState`], and executes [`OrganizationsOp`]s.
//!
//! Reads scale with the baseline, not the organization: the OU tree walked once,
//! each account listed once (see [`structure`]), then tags, content and targets only for
//! the policies the baseline is about, concurrently within [`CONCURRENCY`]. What a target
//! carries besides is read only for the targets a plan's decisions need
//! ([`Organizations::attachments`], `plan::Need`). For `plinth report`, each account's
//! effective management policies ([`effective`]).

use std::collections::BTreeMap;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, PolicyTypeStatus};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{OrgState, PolicySet};
use crate::types::policy_types::PolicyType as OrgPolicyType;

mod create_account;
mod effective;
mod policies;
#[cfg(test)]
mod sdk_types;
mod structure;
mod write;

const SERVICE: &str = crate::aws::Service::Organizations.sdk_name();
/// Organizations allows a few requests per second per account; stay well inside it.
pub const CONCURRENCY: usize = 4;

/// What DescribeOrganization says, before plinth reads anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSummary {
    pub id: String,
    pub management_account_id: String,
    pub all_features: bool,
}

/// What the plan needs read beyond the organization's shape.
#[derive(Debug, Clone, Default)]
pub struct ReadScope {
    /// E-mails and names of `[[account]]`s: their parents are read.
    pub accounts: Vec<(String, String)>,
    /// OUs whose accounts are needed, with everything below them: the accounts directly in
    /// each are read (`ListAccountsForParent`).
    pub member_ous: Vec<crate::types::OuPath>,
    /// Policy types the baseline declares, with the names it uses (their content and
    /// targets are read even if plinth does not own them). SCPs are always read; other
    /// types also when enabled on the root (plinth's orphans may be there).
    pub policies: BTreeMap<OrgPolicyType, TypeScope>,
    /// For `plinth import`: every account with its parent, and every customer managed
    /// policy of every enabled type with its content and targets.
    pub everything: bool,
    /// For `plinth report`: the targets of AWS managed policies too (`FullAWSAccess`,
    /// usually on every root, OU and account: a page per 20 targets).
    pub aws_managed_targets: bool,
}

/// What a plan needs read of one policy type.
#[derive(Debug, Clone, Default)]
pub struct TypeScope {
    /// Policy names the baseline declares.
    pub names: Vec<String>,
}

pub struct Organizations {
    client: Client,
    /// The service principals with trusted access, read once per observation of the
    /// organization (several kinds ask; `forget_trusted_access` starts a new one).
    trusted: tokio::sync::Mutex<Option<std::collections::BTreeSet<String>>>,
}

impl Organizations {
    pub fn new(client: Client) -> Self {
        Organizations {
            client,
            trusted: tokio::sync::Mutex::default(),
        }
    }

    /// Read trusted access again at the next ask: a new reading of the organization
    /// starts, and what this run or another changed since must show.
    pub async fn forget_trusted_access(&self) {
        *self.trusted.lock().await = None;
    }

    /// The organization, or `None` when the account is in none.
    pub async fn describe_organization(&self) -> Result<Option<OrgSummary>, AwsError> {
        match self
            .client
            .describe_organization()
            .send()
            .await
            .ctx(SERVICE, "DescribeOrganization")
        {
            Ok(out) => {
                let org = out.organization();
                Ok(Some(OrgSummary {
                    id: org.and_then(|o| o.id()).unwrap_or_default().to_owned(),
                    management_account_id: org.and_then(|o| o.master_account_id()).unwrap_or_default().to_owned(),
                    all_features: org.and_then(|o| o.feature_set()) == Some(&OrganizationFeatureSet::All),
                }))
            }
            Err(e) if e.is("AWSOrganizationsNotInUseException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create an organization with all features, this account its management account.
    pub async fn create_organization(&self) -> Result<OrgSummary, AwsError> {
        let out = self
            .client
            .create_organization()
            .feature_set(OrganizationFeatureSet::All)
            .send()
            .await
            .ctx(SERVICE, "CreateOrganization")?;
        let org = out.organization();
        Ok(OrgSummary {
            id: org.and_then(|o| o.id()).unwrap_or_default().to_owned(),
            management_account_id: org.and_then(|o| o.master_account_id()).unwrap_or_default().to_owned(),
            all_features: true,
        })
    }

    /// Read the live state the plan compares with.
    pub async fn read(&self, summary: &OrgSummary, scope: &ReadScope) -> Result<OrgState, AwsError> {
        let roots: Vec<_> = self
            .client
            .list_roots()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListRoots")?;
        let root = roots
            .iter()
            .flat_map(|p| p.roots())
            .next()
            .ok_or_else(|| AwsError::other(SERVICE, "ListRoots", "the organization has no root"))?;
        let root_id = root.id().unwrap_or_default().to_owned();
        let enabled = |t: OrgPolicyType| {
            root.policy_types().iter().any(|p| {
                p.r#type() == Some(&PolicyType::from(t.api())) && p.status() == Some(&PolicyTypeStatus::Enabled)
            })
        };
        let scp_enabled = enabled(OrgPolicyType::Scp);
        // Other types: those declared, and those enabled (plinth's orphans can only be
        // attached where the type is enabled).
        let other_types: Vec<(OrgPolicyType, bool)> = OrgPolicyType::ALL
            .into_iter()
            .filter(|t| *t != OrgPolicyType::Scp && (scope.policies.contains_key(t) || enabled(*t)))
            .map(|t| (t, enabled(t)))
            .collect();
        let no_names = TypeScope::default();
        let others = stream::iter(other_types.iter().copied())
            .map(|(t, on)| {
                let wanted = scope.policies.get(&t).unwrap_or(&no_names);
                async move {
                    let policies = self.read_policies(t, &wanted.names, scope).await?;
                    Ok::<_, AwsError>((
                        t,
                        PolicySet {
                            enabled: on,
                            policies,
                            attached: BTreeMap::new(),
                        },
                    ))
                }
            })
            .buffer_unordered(2)
            .try_collect::<BTreeMap<OrgPolicyType, PolicySet>>();

        // Three chains at once: the structure (OUs, accounts, where the scope needs them),
        // the SCPs and the other policy types (ownership, content, targets). Each is paced
        // at its own quotas.
        let scp_scope = scope.policies.get(&OrgPolicyType::Scp).unwrap_or(&no_names);
        let (structure, scps, policy_sets) = futures::try_join!(
            self.read_structure(&root_id, scope),
            self.read_policies(OrgPolicyType::Scp, &scp_scope.names, scope),
            others
        )?;
        let structure::Structure {
            ous,
            accounts,
            ou_accounts,
        } = structure;
        // No target's attachments: the policies' own targets decide whether anything
        // changes; what a target carries besides is read for the plan's needs.
        Ok(OrgState {
            organization_id: summary.id.clone(),
            management_account_id: summary.management_account_id.clone(),
            root_id,
            scp_enabled,
            ous,
            accounts,
            scps,
            attached: BTreeMap::new(),
            ou_accounts,
            policy_sets,
        })
    }

    /// The policies of each type attached directly to each target asked
    /// (`ListPoliciesForTarget`, a call per target and type, concurrently within
    /// [`CONCURRENCY`] and paced as every call): what a plan's decisions need
    /// (`plan::Need::Attachments`) and the organization read leaves out.
    pub async fn attachments(
        &self,
        wanted: &[(OrgPolicyType, String)],
    ) -> Result<Vec<(OrgPolicyType, String, Vec<String>)>, AwsError> {
        stream::iter(wanted)
            .map(|(t, id)| async move { self.policies_for_target(id, *t).await.map(|p| (*t, id.clone(), p)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// Whether an AWS service has trusted access to the organization. The list is read
    /// once (`ListAWSServiceAccessForOrganization`) and shared by every kind that asks,
    /// until `forget_trusted_access`; enabling trusted access through this adapter
    /// forgets it too.
    pub async fn has_trusted_access(&self, service_principal: &str) -> Result<bool, AwsError> {
        let mut trusted = self.trusted.lock().await;
        if trusted.is_none() {
            let pages: Vec<_> = self
                .client
                .list_aws_service_access_for_organization()
                .into_paginator()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "ListAWSServiceAccessForOrganization")?;
            *trusted = Some(
                pages
                    .iter()
                    .flat_map(|p| p.enabled_service_principals())
                    .filter_map(|p| p.service_principal().map(str::to_owned))
                    .collect(),
            );
        }
        Ok(trusted.as_ref().is_some_and(|t| t.contains(service_principal)))
    }
}

/// A suspended or closing account, by its state (or the older status field).
fn is_suspended(a: &aws_sdk_organizations::types::Account) -> bool {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    match a.state() {
        Some(s) => !matches!(s, AccountState::Active | AccountState::PendingActivation),
        None => matches!(
            a.status(),
            Some(AccountStatus::Suspended | AccountStatus::PendingClosure)
        ),
    }
}
