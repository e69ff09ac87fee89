//! AWS Organizations: reads the organization, OUs, accounts and SCPs into
//! [`OrgState`], and executes [`OrganizationsOp`]s.
//!
//! Reads scale with the baseline, not the organization: the OU tree level by level,
//! accounts in pages, then tags, content and attachments only for the SCPs and targets
//! the baseline is about, concurrently within [`CONCURRENCY`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, PolicyTypeStatus};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{Account, OrgState, Ou, Resolved};
use crate::types::Target;

mod create_account;
mod scps;
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
        let (ous, accounts, ou_accounts) = structure;
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
            let mut interesting: BTreeSet<String> = state
                .scps
                .iter()
                .filter(|p| p.owned)
                .flat_map(|p| p.targets.iter().cloned())
                .collect();
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

    /// OUs, accounts, the accounts of the OUs the scope needs (and everything below them),
    /// and the parents of the accounts the baseline declares.
    async fn read_structure(
        &self,
        root_id: &str,
        scope: &ReadScope,
    ) -> Result<(Vec<Ou>, Vec<Account>, BTreeMap<String, Vec<String>>), AwsError> {
        let (ous, mut accounts) = futures::try_join!(self.read_ou_tree(root_id), self.read_accounts())?;
        let wanted_ous: Vec<String> = ous
            .iter()
            .filter(|o| {
                scope
                    .member_ous
                    .iter()
                    .any(|p| o.path == p.as_str() || o.path.starts_with(&format!("{p}/")))
            })
            .map(|o| o.id.clone())
            .collect();
        let ou_accounts: BTreeMap<String, Vec<String>> = stream::iter(wanted_ous)
            .map(|id| async move { self.accounts_in(&id).await.map(|a| (id, a)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;

        // Parents of the accounts the baseline declares, unless the OU reads above found them.
        let mut parents: HashMap<String, String> = ou_accounts
            .iter()
            .flat_map(|(ou, accounts)| accounts.iter().map(move |a| (a.clone(), ou.clone())))
            .collect();
        let declared: Vec<String> = accounts
            .iter()
            .filter(|a| !parents.contains_key(&a.id))
            .filter(|a| {
                scope
                    .accounts
                    .iter()
                    .any(|(email, name)| a.email.eq_ignore_ascii_case(email) || a.name == *name)
            })
            .map(|a| a.id.clone())
            .collect();
        let listed: HashMap<String, String> = stream::iter(declared)
            .map(|id| async move {
                let out = self
                    .client
                    .list_parents()
                    .child_id(&id)
                    .send()
                    .await
                    .ctx(SERVICE, "ListParents")?;
                Ok::<_, AwsError>(out.parents().first().and_then(|p| p.id()).map(|p| (id, p.to_owned())))
            })
            .buffer_unordered(CONCURRENCY)
            .try_filter_map(|found| async move { Ok(found) })
            .try_collect()
            .await?;
        parents.extend(listed);
        for a in &mut accounts {
            a.parent_id = parents.get(&a.id).cloned();
        }
        Ok((ous, accounts, ou_accounts))
    }

    async fn read_ou_tree(&self, root_id: &str) -> Result<Vec<Ou>, AwsError> {
        let mut all = Vec::new();
        let mut level: Vec<(String, String)> = vec![(root_id.to_owned(), String::new())];
        while !level.is_empty() {
            let children: Vec<Vec<Ou>> = stream::iter(level)
                .map(|(parent_id, parent_path)| async move {
                    let pages: Vec<_> = self
                        .client
                        .list_organizational_units_for_parent()
                        .parent_id(&parent_id)
                        .into_paginator()
                        .send()
                        .try_collect()
                        .await
                        .ctx(SERVICE, "ListOrganizationalUnitsForParent")?;
                    Ok::<_, AwsError>(
                        pages
                            .iter()
                            .flat_map(|p| p.organizational_units())
                            .map(|ou| {
                                let name = ou.name().unwrap_or_default();
                                Ou {
                                    id: ou.id().unwrap_or_default().to_owned(),
                                    path: if parent_path.is_empty() {
                                        name.to_owned()
                                    } else {
                                        format!("{parent_path}/{name}")
                                    },
                                }
                            })
                            .collect(),
                    )
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
            let next: Vec<Ou> = children.into_iter().flatten().collect();
            level = next.iter().map(|o| (o.id.clone(), o.path.clone())).collect();
            all.extend(next);
        }
        all.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(all)
    }

    async fn accounts_in(&self, parent_id: &str) -> Result<Vec<String>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_accounts_for_parent()
            .parent_id(parent_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListAccountsForParent")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.accounts())
            .filter_map(|a| a.id().map(str::to_owned))
            .collect())
    }

    async fn read_accounts(&self) -> Result<Vec<Account>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_accounts()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListAccounts")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.accounts())
            .map(|a| Account {
                id: a.id().unwrap_or_default().to_owned(),
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                parent_id: None,
                suspended: is_suspended(a),
            })
            .collect())
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
