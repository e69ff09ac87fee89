//! What targets mean, for every kind that attaches or grants something: the target
//! itself ([`target`], for SCP attachments and per-account alarms), or the accounts
//! `root`, `ou:<path>` and `account:<key>` stand for ([`Placement`], for assignments),
//! counting OUs and accounts this plan creates or moves where they will be, and leaving
//! suspended accounts out.
//!
//! Live names are data, never identity: an OU path is resolved name by name from the root
//! ([`OrgState::ou_at`]), a live account's OU by its parent ids, a declared account by
//! its id or e-mail, never its name. A target that live names make ambiguous is
//! [`Unresolved::Ambiguous`]: [`report`] records it in the plan as blocked, its changes
//! are left out, and the rest of the plan goes ahead.

use std::collections::{BTreeMap, BTreeSet};

mod target;
pub use target::*;

use crate::kinds::{Context, account, organizational_units};
use crate::observed::{OrgState, OuLookup, Resolved};
use crate::plan::impact::{ImpactAccount, UNLISTED_OU};
use crate::plan::{Address, Plan, Ref};
use crate::types::Target;

/// A resource to reference, and the plan changes that must succeed first.
pub type Needs = (Ref, Vec<Address>);

/// Why a target means no resource of the live organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// Nothing is there: the baseline is wrong (an error that stops the plan).
    Unknown(String),
    /// Live names make it mean more than one resource, or a name-only match: the target
    /// is blocked, the rest of the plan goes ahead.
    Ambiguous { ids: Vec<String>, why: String },
}

/// Where each account will be once the plan has run: live OUs, with the baseline's
/// `[[account]]`s (moved or created by this plan) where the baseline puts them.
pub struct Placement<'a> {
    org: &'a OrgState,
    /// OUs an earlier planner creates in this plan.
    planned_ous: BTreeSet<String>,
    accounts: Vec<Placed>,
    /// Position in `accounts` by key, for [`Placement::shown`] (once per assignment).
    by_key: std::collections::HashMap<String, usize>,
    /// What `account:<name>` means for each `[[account]]` name: the key its placed
    /// account has, or why there is none.
    declared: BTreeMap<String, Result<String, Unresolved>>,
}

/// Where an account will be.
enum Where {
    /// In the OU at this baseline path (`""`: the root): a declared account.
    Path(String),
    /// Where it is: the live OU ids from its parent up (empty at the root).
    Live(Vec<String>),
    /// Listed by `ListAccounts` only: the plan did not read where it is.
    Unplaced,
}

/// An account, where it will be, and how to reference it.
pub struct Placed {
    /// Its id, or the address of the change that creates it.
    key: String,
    at: Where,
    needs: Needs,
    /// As the plan's impact shows it.
    shown: ImpactAccount,
    /// Its OU as the impact shows it.
    ou_shown: String,
}

impl<'a> Placement<'a> {
    pub fn new(cx: &'a Context<'_>, plan: &Plan) -> Self {
        let org = &cx.observed.org;
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        for (ou, accounts) in &org.ou_accounts {
            for a in accounts {
                parent.insert(a.as_str(), ou.as_str());
            }
        }
        let mut accounts: Vec<Placed> = Vec::new();
        let mut declared_ids = BTreeSet::new();
        for decl in &cx.baseline.file.account {
            let d = decl.get_ref();
            let name = d.name.get_ref().as_str();
            let ou = d.ou.get_ref().to_string();
            match account::live(org, d) {
                Some(l) => {
                    declared_ids.insert(l.id.clone());
                    let deps = account::moves(plan, name);
                    accounts.push(Placed {
                        key: l.id.clone(),
                        ou_shown: ou.clone(),
                        at: Where::Path(ou),
                        needs: (Ref::Id(l.id.clone()), deps),
                        shown: ImpactAccount {
                            id: Some(l.id.clone()),
                            name: l.name.clone(),
                        },
                    });
                }
                None => {
                    if let Some((addr, deps)) = account::planned(plan, name) {
                        accounts.push(Placed {
                            key: addr.to_string(),
                            ou_shown: ou.clone(),
                            at: Where::Path(ou),
                            needs: (Ref::Planned(addr), deps),
                            shown: ImpactAccount {
                                id: None,
                                name: name.to_owned(),
                            },
                        });
                    }
                }
            }
        }
        // Suspended accounts get no assignments from `root` or OU targets.
        for a in org
            .accounts
            .iter()
            .filter(|a| !declared_ids.contains(&a.id) && !a.suspended)
        {
            // Where the plan read it: a listed OU, the root, or (listed by `ListAccounts`
            // only) somewhere not read, which no OU target can mean.
            let at = match parent.get(a.id.as_str()).copied().or(a.parent_id.as_deref()) {
                Some(p) if p == org.root_id => Where::Live(Vec::new()),
                Some(p) if org.ous.iter().any(|o| o.id == p) => {
                    Where::Live(org.ancestors(p).into_iter().map(str::to_owned).collect())
                }
                _ => Where::Unplaced,
            };
            let ou_shown = match &at {
                Where::Live(chain) => chain.first().map_or_else(|| "root".to_owned(), |p| org.ou_label(p)),
                Where::Path(_) | Where::Unplaced => UNLISTED_OU.to_owned(),
            };
            accounts.push(Placed {
                key: a.id.clone(),
                at,
                ou_shown,
                needs: (Ref::Id(a.id.clone()), vec![]),
                shown: ImpactAccount {
                    id: Some(a.id.clone()),
                    name: a.name.clone(),
                },
            });
        }
        for a in &mut accounts {
            if let Where::Path(p) = &a.at
                && p.is_empty()
            {
                "root".clone_into(&mut a.ou_shown);
            }
        }
        let planned_ous = cx
            .baseline
            .file
            .organizational_units
            .iter()
            .flat_map(|o| o.path.get_ref().with_ancestors())
            .filter(|p| plan.find(organizational_units::address(p)).is_some())
            .map(|p| p.to_string())
            .collect();
        let by_key = accounts.iter().enumerate().map(|(i, a)| (a.key.clone(), i)).collect();
        let declared = cx
            .baseline
            .file
            .account
            .iter()
            .filter_map(|d| {
                let name = d.get_ref().name.get_ref().to_string();
                let found = declared_account(cx, plan, &name)?.map(|(r, _)| r.key().to_owned());
                Some((name, found))
            })
            .collect();
        Placement {
            org,
            planned_ous,
            accounts,
            by_key,
            declared,
        }
    }

    /// The accounts a target means: key -> (ref, dependencies).
    pub fn expand(&self, target: &Target) -> Result<BTreeMap<String, Needs>, Unresolved> {
        Ok(self
            .select(target)?
            .into_iter()
            .map(|a| (a.key.clone(), a.needs.clone()))
            .collect())
    }

    /// The accounts a target reaches once the plan has run, as the impact shows them,
    /// each with its OU (`root` at the root, [`UNLISTED_OU`] where the plan did not read
    /// it); sorted.
    pub fn reach(&self, target: &Target) -> Result<Vec<(ImpactAccount, String)>, Unresolved> {
        let mut found: Vec<(ImpactAccount, String)> = self
            .select(target)?
            .into_iter()
            .map(|a| (a.shown.clone(), a.ou_shown.clone()))
            .collect();
        found.sort();
        Ok(found)
    }

    /// The keys of the accounts at or below any of these live ids (OUs or accounts): what
    /// a blocked target could mean, where nothing may be taken away while it is blocked.
    /// A declared account counts by where it is now (its live parent chain), and by
    /// where the baseline puts it when that path could mean one of the ids.
    pub fn under(&self, ids: &[String]) -> BTreeSet<String> {
        let blocked_paths: Vec<&str> = ids
            .iter()
            .filter_map(|id| self.org.ous.iter().find(|o| o.id == *id))
            .map(|o| o.path.as_str())
            .collect();
        self.accounts
            .iter()
            .filter(|a| {
                ids.contains(&a.key)
                    || match &a.at {
                        Where::Live(chain) => chain.iter().any(|c| ids.contains(c)),
                        Where::Path(p) => {
                            blocked_paths.iter().any(|b| p == b || p.starts_with(&format!("{b}/")))
                                || self.live_chain(&a.key).iter().any(|c| ids.iter().any(|i| i == c))
                        }
                        Where::Unplaced => false,
                    }
            })
            .map(|a| a.key.clone())
            .collect()
    }

    /// The live OU ids above an account, from its live parent up.
    fn live_chain(&self, key: &str) -> Vec<&str> {
        let parent = self
            .org
            .ou_accounts
            .iter()
            .find(|(_, accounts)| accounts.iter().any(|a| a == key))
            .map(|(ou, _)| ou.as_str())
            .or_else(|| self.org.accounts.iter().find(|a| a.id == key)?.parent_id.as_deref());
        parent.map(|p| self.org.ancestors(p)).unwrap_or_default()
    }

    /// An account by its key (id, or the address of the change that creates it), as the
    /// impact shows it, with its OU; a suspended account by its live parent.
    pub fn shown(&self, key: &str) -> Option<(ImpactAccount, String)> {
        if let Some(a) = self.by_key.get(key).map(|&i| &self.accounts[i]) {
            return Some((a.shown.clone(), a.ou_shown.clone()));
        }
        let a = self.org.accounts.iter().find(|a| a.id == key)?;
        let ou = match a.parent_id.as_deref() {
            Some(p) if p == self.org.root_id => "root".to_owned(),
            Some(p) => self.org.ou_label(p),
            None => UNLISTED_OU.to_owned(),
        };
        Some((
            ImpactAccount {
                id: Some(a.id.clone()),
                name: a.name.clone(),
            },
            ou,
        ))
    }

    fn select(&self, target: &Target) -> Result<Vec<&Placed>, Unresolved> {
        let pick = |keep: &dyn Fn(&Placed) -> bool| self.accounts.iter().filter(|a| keep(a)).collect::<Vec<_>>();
        match target {
            Target::Root => Ok(pick(&|_| true)),
            Target::Ou(path) => {
                let p = path.as_str();
                let live = match self.org.ou_at(path) {
                    OuLookup::Found(ou) => Some(ou.id.as_str()),
                    OuLookup::Missing => None,
                    OuLookup::Ambiguous { ids, why } => return Err(Unresolved::Ambiguous { ids, why }),
                };
                let below = format!("{p}/");
                let declared_here = |a: &Placed| matches!(&a.at, Where::Path(x) if x == p || x.starts_with(&below));
                let known = live.is_some() || self.planned_ous.contains(p) || self.accounts.iter().any(declared_here);
                if !known {
                    return Err(Unresolved::Unknown(format!(
                        "no OU at path `{path}` in the organization"
                    )));
                }
                Ok(pick(&|a| match &a.at {
                    Where::Path(_) => declared_here(a),
                    Where::Live(chain) => live.is_some_and(|id| chain.iter().any(|c| c == id)),
                    Where::Unplaced => false,
                }))
            }
            Target::Account(key) => match self.declared.get(key.as_str()) {
                Some(Ok(found)) => Ok(pick(&|a| a.key == *found)),
                Some(Err(e)) => Err(e.clone()),
                None => match self.org.resolve(target) {
                    Resolved::Id(id) => Ok(pick(&|a| a.key == id)),
                    Resolved::Unknown(why) => Err(Unresolved::Unknown(why)),
                    Resolved::Ambiguous { ids, why } => Err(Unresolved::Ambiguous { ids, why }),
                },
            },
        }
    }
}
