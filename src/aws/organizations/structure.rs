//! Organizations reads of the organization's shape: its OUs, its accounts, and where each
//! account the plan needs sits, with each account listed once.
//!
//! Two ways to list accounts, chosen by what the baseline needs:
//! - **the walk**: `ListAccountsForParent` on the root and on every OU, as the OU tree is
//!   read. It gives every account with its parent, so nothing else is listed and no
//!   `ListParents` is needed;
//! - **the list**: `ListAccounts` (20 a page), then `ListAccountsForParent` only on the OUs
//!   whose accounts the baseline needs, and `ListParents` for declared accounts not found
//!   there.
//!
//! The OUs whose accounts are needed are listed while the tree is read, in either way.
//! When the tree is known, the walk is chosen if those OUs are at least half of all the
//! parents (root and OUs): then listing the rest costs fewer calls than listing every
//! account a second time. A baseline that needs no OU's accounts uses the list, read at
//! the same time as the tree.

use std::collections::{BTreeMap, HashMap, VecDeque};

use futures::FutureExt;
use futures::stream::{self, FuturesUnordered, StreamExt, TryStreamExt};

use super::{CONCURRENCY, Organizations, ReadScope, SERVICE, is_suspended};
use crate::aws::{AwsError, Context};
use crate::observed::{Account, Ou};

/// The organization's shape as plan reads it.
pub(super) struct Structure {
    pub ous: Vec<Ou>,
    pub accounts: Vec<Account>,
    /// Account ids directly in each OU that was listed.
    pub ou_accounts: BTreeMap<String, Vec<String>>,
}

/// Pages of each listing in flight at once while the tree is walked. The pacer keeps the
/// rate (`ListAccountsForParent` at 5 a second); this keeps enough asked for that the rate
/// is reached while each answer takes up to 1.6 s (an OU's pages follow one another), and
/// few enough that none waits long for its turn (8 at 5 a second: 1.6 s).
const WALK_CONCURRENCY: usize = 8;

/// Whether the walk lists fewer accounts pages than the list would: the needed OUs are
/// listed either way, so the walk adds the other parents and the list adds every account.
pub(super) fn walk_is_cheaper(needed_ous: usize, all_ous: usize) -> bool {
    // The root and every OU are the parents; the needed OUs are at least half of them.
    needed_ous > 0 && needed_ous * 2 > all_ous
}

impl Organizations {
    pub(super) async fn read_structure(&self, root_id: &str, scope: &ReadScope) -> Result<Structure, AwsError> {
        let needed = |path: &str| {
            scope.everything
                || scope
                    .member_ous
                    .iter()
                    .any(|p| path == p.as_str() || path.starts_with(&format!("{}/", p.as_str())))
        };
        if scope.member_ous.is_empty() && !scope.everything {
            let ((ous, _), accounts) = futures::try_join!(self.read_ou_tree(root_id, &needed), self.read_accounts())?;
            return self.placed(ous, accounts, BTreeMap::new(), scope).await;
        }
        let (ous, mut listed) = self.read_ou_tree(root_id, &needed).await?;
        if walk_is_cheaper(listed.len(), ous.len()) {
            let rest: Vec<String> = std::iter::once(root_id.to_owned())
                .chain(ous.iter().map(|o| o.id.clone()))
                .filter(|id| !listed.contains_key(id))
                .collect();
            let more: Vec<(String, Vec<Account>)> = stream::iter(rest)
                .map(|id| async move { self.accounts_in(&id).await.map(|a| (id, a)) })
                .buffer_unordered(WALK_CONCURRENCY)
                .try_collect()
                .await?;
            listed.extend(more);
            let accounts = listed.values().flatten().cloned().collect();
            let ou_accounts = ids_by_parent(&listed, root_id);
            return Ok(Structure {
                ous,
                accounts,
                ou_accounts,
            });
        }
        let accounts = self.read_accounts().await?;
        let ou_accounts = ids_by_parent(&listed, root_id);
        self.placed(ous, accounts, ou_accounts, scope).await
    }

    /// The list's accounts, each with its parent where the OUs listed found it or the
    /// baseline declares it (`ListParents`).
    async fn placed(
        &self,
        ous: Vec<Ou>,
        mut accounts: Vec<Account>,
        ou_accounts: BTreeMap<String, Vec<String>>,
        scope: &ReadScope,
    ) -> Result<Structure, AwsError> {
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
        let found: HashMap<String, String> = stream::iter(declared)
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
        parents.extend(found);
        for a in &mut accounts {
            a.parent_id = parents.get(&a.id).cloned();
        }
        Ok(Structure {
            ous,
            accounts,
            ou_accounts,
        })
    }

    /// The OU tree and the accounts of the OUs `needed` says, in one pipeline: an OU's
    /// children and its accounts are asked for as soon as the OU is known, up to
    /// [`WALK_CONCURRENCY`] of each operation at once (two operations, two quotas).
    async fn read_ou_tree(
        &self,
        root_id: &str,
        needed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<(Vec<Ou>, BTreeMap<String, Vec<Account>>), AwsError> {
        enum Listed {
            Children(Vec<Ou>),
            Accounts(String, Vec<Account>),
        }
        let mut parents: VecDeque<(String, String)> = VecDeque::from([(root_id.to_owned(), String::new())]);
        let mut wanted: VecDeque<String> = VecDeque::new();
        let mut running = FuturesUnordered::new();
        let (mut listing_children, mut listing_accounts) = (0, 0);
        let (mut all, mut listed) = (Vec::new(), BTreeMap::new());
        loop {
            while listing_children < WALK_CONCURRENCY
                && let Some((id, path)) = parents.pop_front()
            {
                listing_children += 1;
                running.push(async move { self.child_ous(&id, &path).await.map(Listed::Children) }.boxed());
            }
            while listing_accounts < WALK_CONCURRENCY
                && let Some(id) = wanted.pop_front()
            {
                listing_accounts += 1;
                running.push(async move { self.accounts_in(&id).await.map(|a| Listed::Accounts(id, a)) }.boxed());
            }
            let Some(done) = running.next().await else {
                break;
            };
            match done? {
                Listed::Children(ous) => {
                    listing_children -= 1;
                    for ou in &ous {
                        parents.push_back((ou.id.clone(), ou.path.clone()));
                        if needed(&ou.path) {
                            wanted.push_back(ou.id.clone());
                        }
                    }
                    all.extend(ous);
                }
                Listed::Accounts(id, accounts) => {
                    listing_accounts -= 1;
                    listed.insert(id, accounts);
                }
            }
        }
        all.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((all, listed))
    }

    async fn child_ous(&self, parent_id: &str, parent_path: &str) -> Result<Vec<Ou>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_organizational_units_for_parent()
            .parent_id(parent_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListOrganizationalUnitsForParent")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.organizational_units())
            .map(|ou| {
                let name = ou.name().unwrap_or_default();
                Ou {
                    id: ou.id().unwrap_or_default().to_owned(),
                    name: name.to_owned(),
                    parent_id: parent_id.to_owned(),
                    path: if parent_path.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{parent_path}/{name}")
                    },
                }
            })
            .collect())
    }

    /// The accounts directly in a root or OU, each with that parent.
    async fn accounts_in(&self, parent_id: &str) -> Result<Vec<Account>, AwsError> {
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
            .map(|a| account(a, Some(parent_id)))
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
            .map(|a| account(a, None))
            .collect())
    }
}

fn account(a: &aws_sdk_organizations::types::Account, parent: Option<&str>) -> Account {
    Account {
        id: a.id().unwrap_or_default().to_owned(),
        name: a.name().unwrap_or_default().to_owned(),
        email: a.email().unwrap_or_default().to_owned(),
        parent_id: parent.map(str::to_owned),
        suspended: is_suspended(a),
    }
}

/// Account ids by OU (the root left out: `ou_accounts` is about OUs), each list in the
/// order AWS gave it.
fn ids_by_parent(listed: &BTreeMap<String, Vec<Account>>, root_id: &str) -> BTreeMap<String, Vec<String>> {
    listed
        .iter()
        .filter(|(parent, _)| parent.as_str() != root_id)
        .map(|(parent, accounts)| (parent.clone(), accounts.iter().map(|a| a.id.clone()).collect()))
        .collect()
}

#[cfg(test)]
#[path = "structure_tests.rs"]
mod tests;
