//! AWS Organizations: reads the organization, OUs, accounts and SCPs into
//! [`OrgState`], and executes [`OrganizationsOp`]s.
//!
//! Reads scale with the baseline, not the organization: the OU tree level by level,
//! each account listed once (see [`structure`]), then tags, content and attachments only for the SCPs and targets
//! the baseline is about, concurrently within [`CONCURRENCY`].

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, PolicyTypeStatus};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{OrgState, Resolved};
use crate::types::Target;

mod create_account;
mod scps;
mod structure;
mod write;

const SERVICE: &str = "Organizations";
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
    /// SCP names the baseline declares (their content is read even if plinth does not own them).
    pub scp_names: Vec<String>,
    /// Targets the baseline attaches SCPs to (their attached SCPs are read, for the 5-per-target limit).
    pub targets: Vec<Target>,
    /// E-mails and names of `[[account]]`s: their parents are read.
    pub accounts: Vec<(String, String)>,
    /// OUs whose accounts are needed, with everything below them: the accounts directly in
    /// each are read (`ListAccountsForParent`).
    pub member_ous: Vec<crate::types::OuPath>,
    /// For `plinth import`: every account with its parent, and every customer managed
    /// SCP with its content and targets.
    pub everything: bool,
}

pub struct Organizations {
    client: Client,
}

impl Organizations {
    pub fn new(client: Client) -> Self {
        Organizations { client }
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
        let scp_enabled = root.policy_types().iter().any(|t| {
            t.r#type() == Some(&PolicyType::ServiceControlPolicy) && t.status() == Some(&PolicyTypeStatus::Enabled)
        });

        // Two chains at once: the structure (OUs, accounts, where the scope needs them),
        // and the SCPs (ownership, content, targets). Each is paced at its own quotas.
        let (structure, scps) = futures::try_join!(self.read_structure(&root_id, scope), self.read_scps(scope))?;
        let structure::Structure {
            ous,
            accounts,
            ou_accounts,
        } = structure;
        let mut state = OrgState {
            organization_id: summary.id.clone(),
            management_account_id: summary.management_account_id.clone(),
            root_id,
            scp_enabled,
            ous,
            accounts,
            scps,
            attached: BTreeMap::new(),
            ou_accounts,
        };

        // SCPs attached to each target of interest, for the 5-per-target limit.
        if state.scp_enabled {
            let mut interesting: BTreeSet<String> = state.scps.iter().flat_map(|p| p.targets.iter().cloned()).collect();
            for t in &scope.targets {
                if let Resolved::Id(id) = state.resolve(t) {
                    interesting.insert(id);
                }
            }
            state.attached = stream::iter(interesting)
                .map(|id| async move { self.policies_for_target(&id).await.map(|p| (id, p)) })
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
        }
        Ok(state)
    }

    /// Whether an AWS service has trusted access to the organization.
    pub async fn has_trusted_access(&self, service_principal: &str) -> Result<bool, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_aws_service_access_for_organization()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListAWSServiceAccessForOrganization")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.enabled_service_principals())
            .any(|p| p.service_principal() == Some(service_principal)))
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
