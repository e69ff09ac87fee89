//! What targets mean, for every kind that attaches or grants something: the target
//! itself ([`target`], for SCP attachments and per-account alarms), or the accounts
//! `root`, `ou:<path>` and `account:<key>` stand for ([`Placement`], for assignments),
//! counting OUs and accounts this plan creates or moves where they will be, and leaving
//! suspended accounts out.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostic;
use crate::kinds::{Context, account, organizational_units};
use crate::observed::{OrgState, Resolved};
use crate::plan::impact::{ImpactAccount, UNLISTED_OU};
use crate::plan::{Plan, Ref};
use crate::types::Target;

/// A resource to reference, and the plan changes that must succeed first.
pub type Needs = (Ref, Vec<String>);

/// Where each account will be once the plan has run: live OUs, with the baseline's
/// `[[account]]`s (moved or created by this plan) where the baseline puts them.
pub struct Placement<'a> {
    org: &'a OrgState,
    /// OUs an earlier planner creates in this plan.
    planned_ous: BTreeSet<String>,
    accounts: Vec<Placed>,
    /// Position in `accounts` by key, for [`Placement::shown`] (once per assignment).
    by_key: std::collections::HashMap<String, usize>,
}

/// An account, where it will be, and how to reference it.
pub struct Placed {
    /// Its id, or the address of the change that creates it.
    key: String,
    /// OU path, `""` at the root (or where the plan did not read it).
    ou: String,
    /// Whether the plan read where it is.
    placed: bool,
    needs: Needs,
    /// As the plan's impact shows it.
    shown: ImpactAccount,
}

impl<'a> Placement<'a> {
    pub fn new(cx: &'a Context<'_>, plan: &Plan) -> Self {
        let org = &cx.observed.org;
        let ou_path: BTreeMap<&str, &str> = org.ous.iter().map(|o| (o.id.as_str(), o.path.as_str())).collect();
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        for (ou, accounts) in &org.ou_accounts {
            for a in accounts {
                if let Some(path) = ou_path.get(ou.as_str()) {
                    parent.insert(a.as_str(), path);
                }
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
                        placed: true,
                        ou,
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
                            key: addr.clone(),
                            placed: true,
                            ou,
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
            let path = parent.get(a.id.as_str()).copied().map(str::to_owned).or_else(|| {
                let p = a.parent_id.as_deref()?;
                if p == org.root_id {
                    return Some(String::new());
                }
                org.ous.iter().find(|o| o.id == p).map(|o| o.path.clone())
            });
            accounts.push(Placed {
                key: a.id.clone(),
                placed: path.is_some(),
                ou: path.unwrap_or_default(),
                needs: (Ref::Id(a.id.clone()), vec![]),
                shown: ImpactAccount {
                    id: Some(a.id.clone()),
                    name: a.name.clone(),
                },
            });
        }
        let planned_ous = cx
            .baseline
            .file
            .organizational_units
            .iter()
            .flat_map(|o| o.path.get_ref().with_ancestors())
            .filter(|p| plan.find(&organizational_units::address(p)).is_some())
            .map(|p| p.to_string())
            .collect();
        let by_key = accounts.iter().enumerate().map(|(i, a)| (a.key.clone(), i)).collect();
        Placement {
            org,
            planned_ous,
            accounts,
            by_key,
        }
    }

    /// The accounts a target means: key -> (ref, dependencies).
    pub fn expand(&self, target: &Target) -> Result<BTreeMap<String, Needs>, String> {
        Ok(self
            .select(target)?
            .into_iter()
            .map(|a| (a.key.clone(), a.needs.clone()))
            .collect())
    }

    /// The accounts a target reaches once the plan has run, as the impact shows them,
    /// each with its OU (`root` at the root, [`UNLISTED_OU`] where the plan did not read
    /// it); sorted.
    pub fn reach(&self, target: &Target) -> Result<Vec<(ImpactAccount, String)>, String> {
        let mut found: Vec<(ImpactAccount, String)> = self
            .select(target)?
            .into_iter()
            .map(|a| (a.shown.clone(), a.ou_shown()))
            .collect();
        found.sort();
        Ok(found)
    }

    /// An account by its key (id, or the address of the change that creates it), as the
    /// impact shows it, with its OU; a suspended account by its live parent.
    pub fn shown(&self, key: &str) -> Option<(ImpactAccount, String)> {
        if let Some(a) = self.by_key.get(key).map(|&i| &self.accounts[i]) {
            return Some((a.shown.clone(), a.ou_shown()));
        }
        let a = self.org.accounts.iter().find(|a| a.id == key)?;
        let ou = match a.parent_id.as_deref() {
            Some(p) if p == self.org.root_id => "root".to_owned(),
            Some(p) => self
                .org
                .ous
                .iter()
                .find(|o| o.id == p)
                .map_or_else(|| p.to_owned(), |o| o.path.clone()),
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

    fn select(&self, target: &Target) -> Result<Vec<&Placed>, String> {
        let pick = |keep: &dyn Fn(&Placed) -> bool| self.accounts.iter().filter(|a| keep(a)).collect::<Vec<_>>();
        match target {
            Target::Root => Ok(pick(&|_| true)),
            Target::Ou(path) => {
                let p = path.as_str();
                let known = self.org.ou_by_path(p).is_some()
                    || self.planned_ous.contains(p)
                    || self.accounts.iter().any(|a| a.ou == p);
                if !known {
                    return Err(format!("no OU at path `{path}` in the organization"));
                }
                let below = format!("{p}/");
                Ok(pick(&|a| a.ou == p || a.ou.starts_with(&below)))
            }
            Target::Account(key) => match self.org.resolve(target) {
                Resolved::Id(id) => Ok(pick(&|a| a.key == id)),
                Resolved::Unknown(why) => {
                    let planned = account::address(key);
                    let found = pick(&|a| a.key == planned);
                    if found.is_empty() { Err(why) } else { Ok(found) }
                }
            },
        }
    }
}

impl Placed {
    /// Its OU as the impact shows it: the path, `root`, or [`UNLISTED_OU`].
    fn ou_shown(&self) -> String {
        match (self.placed, self.ou.as_str()) {
            (false, _) => UNLISTED_OU.to_owned(),
            (true, "") => "root".to_owned(),
            (true, path) => path.to_owned(),
        }
    }
}

/// A target itself: its live id, or the change of this plan that creates it (an OU, or
/// an account, which must also be in its OU before anything is attached to it), with
/// the changes to wait for. `Err` says why it is unknown.
pub fn target(cx: &Context<'_>, plan: &Plan, target: &Target) -> Result<(Ref, Vec<String>), String> {
    match cx.observed.org.resolve(target) {
        Resolved::Id(id) => Ok((Ref::Id(id), vec![])),
        Resolved::Unknown(why) => {
            let planned = match target {
                Target::Ou(path) => {
                    let addr = organizational_units::address(path);
                    plan.find(&addr).map(|_| (addr.clone(), vec![addr]))
                }
                Target::Account(name) => account::planned(plan, name),
                Target::Root => None,
            };
            match planned {
                Some((addr, deps)) => Ok((Ref::Planned(addr), deps)),
                None => Err(why),
            }
        }
    }
}

/// The error for a target that is neither live nor created by this plan.
pub fn unknown_target(cx: &Context<'_>, target: &Target, span: std::ops::Range<usize>, why: &str) -> Diagnostic {
    let d = Diagnostic::error(format!("unknown target `{target}`"))
        .at(&cx.baseline.source, span)
        .cause(why.to_owned());
    match target {
        Target::Ou(path) => d.hint(format!(
            "declare it as `[[organizational_units]] path = \"{path}\"` to have plinth create it, or fix the path (paths start below the root)"
        )),
        Target::Account(_) => d.hint("name an account of this organization by its 12-digit id or its exact name"),
        Target::Root => d,
    }
}

/// A linked account: its live id, or the reference to the account this plan creates and
/// the changes to wait for.
pub type Linked = (Option<String>, Option<Ref>, Vec<String>);

/// The account a per-account resource filters on (a billing alarm's or a budget's
/// `LinkedAccount`), if it names one, by id or name: its live id; or, for an account this
/// plan creates, no id yet but the reference the apply resolves and the changes to wait
/// for. `Err` is a diagnostic pointing at the name: the account is not in the organization.
pub fn linked_account(
    cx: &Context<'_>,
    plan: &Plan,
    account: Option<&toml::Spanned<String>>,
    what: &str,
) -> Result<Linked, Diagnostic> {
    let Some(account) = account else {
        return Ok((None, None, vec![]));
    };
    match target(cx, plan, &Target::Account(account.get_ref().clone())) {
        Ok((Ref::Id(id), _)) => Ok((Some(id), None, vec![])),
        Ok((planned @ Ref::Planned(_), deps)) => Ok((None, Some(planned), deps)),
        Err(why) => Err(
            Diagnostic::error(format!("unknown account `{}` in {what}", account.get_ref()))
                .at(&cx.baseline.source, account.span())
                .cause(why)
                .hint("name an account of this organization by its 12-digit id or its exact name"),
        ),
    }
}
