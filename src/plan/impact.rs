//! What a change means for the organization's accounts (its blast radius): which accounts
//! a policy reaches, which accounts a principal gains or loses a permission set in, what
//! an account gains and loses when it is created or moved. Kinds compute it while they
//! plan (they know their resources' meaning); [`link_accounts`] adds to each account's
//! change what other changes of the same plan give or take there; [`summary`] groups
//! it, largest first, for renderers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Action, Plan};

/// The OU of an account the plan did not place: listed by `ListAccounts` only, because no
/// target of the baseline needs its OU's accounts (a change at the root reaches it).
pub const UNLISTED_OU: &str = "(not listed)";

/// What reaches the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// An organization policy (SCP, RCP, tag, AI opt-out, EC2 declarative).
    Policy,
    /// A permission set given to a group or user (IAM Identity Center).
    Access,
    /// An account created or moved: what it gains and loses.
    Account,
}

/// What happens to the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The policy starts to apply, the principal gets the permission set.
    Gain,
    /// The policy stops applying, the principal loses the permission set.
    Lose,
    /// What the policy or permission set says changes where it already applies.
    Change,
    /// The account moves, or is created, in the OU `ous` names.
    Move,
}

impl Effect {
    pub fn verb(self) -> &'static str {
        match self {
            Effect::Gain => "gain",
            Effect::Lose => "lose",
            Effect::Change => "see a change to",
            Effect::Move => "move",
        }
    }
}

/// An account a change reaches: its name, and its id (none yet for one the plan
/// creates). Sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImpactAccount {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl std::fmt::Display for ImpactAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) if *id != self.name => write!(f, "{} ({id})", self.name),
            Some(id) => f.write_str(id),
            None => write!(f, "{} (new)", self.name),
        }
    }
}

/// The blast radius of one change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub subject: Subject,
    /// What the accounts gain, lose or see changed, as a reviewer names it: `SCP
    /// region-deny`, `PowerUser for group developers`, or the account moved.
    pub what: String,
    pub effect: Effect,
    /// The accounts reached, sorted; suspended accounts left out.
    pub accounts: Vec<ImpactAccount>,
    /// The OUs those accounts are in (`root` for the root itself; [`UNLISTED_OU`] for
    /// accounts in OUs the plan did not list), sorted.
    pub ous: Vec<String>,
    /// Accounts the change would reach but that are not affected, and why: the
    /// management account, which SCPs and RCPs never restrict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_affected: Option<String>,
    /// For an account's change: the policies and access it gains (`SCP region-deny`,
    /// `PowerUser for group developers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gains: Vec<String>,
    /// For an account's change: the policies and access it loses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loses: Vec<String>,
}

/// Add to each account's change (created or moved) what other changes of the plan give
/// or take in that account: the assignments that follow it into its OU, and the
/// policies attached or detached where it will be.
pub fn link_accounts(plan: &mut Plan) {
    let mut by_account: BTreeMap<ImpactAccount, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for c in &plan.changes {
        let Some(i) = &c.impact else { continue };
        if i.subject == Subject::Account || !matches!(i.effect, Effect::Gain | Effect::Lose) {
            continue;
        }
        for a in &i.accounts {
            let entry = by_account.entry(a.clone()).or_default();
            match i.effect {
                Effect::Gain => entry.0.insert(i.what.clone()),
                _ => entry.1.insert(i.what.clone()),
            };
        }
    }
    for c in &mut plan.changes {
        let Some(i) = &mut c.impact else { continue };
        if i.subject != Subject::Account {
            continue;
        }
        let Some(account) = i.accounts.first() else { continue };
        // A new account is known by name only; a live one by id.
        let found = by_account.iter().find(|(k, _)| match (&k.id, &account.id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => k.name == account.name,
            _ => false,
        });
        if let Some((_, (gains, loses))) = found {
            i.gains.retain(|g| !loses.contains(g));
            for g in gains {
                if !i.gains.contains(g) {
                    i.gains.push(g.clone());
                }
            }
            for l in loses {
                if !i.loses.contains(l) {
                    i.loses.push(l.clone());
                }
            }
        }
    }
}

/// One line of the impact summary: the changes with the same subject and effect on the
/// same thing, their accounts and OUs together.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub subject: Subject,
    pub what: &'a str,
    pub effect: Effect,
    pub accounts: BTreeSet<&'a ImpactAccount>,
    pub ous: BTreeSet<&'a str>,
    pub not_affected: Option<&'a str>,
    /// For an account: what it gains and loses.
    pub gains: &'a [String],
    pub loses: &'a [String],
    /// The addresses of the changes, in plan order.
    pub changes: Vec<&'a str>,
}

/// One change's impact as a line of its own.
pub fn line(change: &super::Change) -> Option<Line<'_>> {
    let i = change.impact.as_ref()?;
    Some(Line {
        subject: i.subject,
        what: &i.what,
        effect: i.effect,
        accounts: i.accounts.iter().collect(),
        ous: i.ous.iter().map(String::as_str).collect(),
        not_affected: i.not_affected.as_deref(),
        gains: &i.gains,
        loses: &i.loses,
        changes: vec![change.address.as_str()],
    })
}

/// The plan's impact, grouped by what and effect, largest first (most accounts, then
/// losses before gains before changes, then by name): what a reviewer reads first.
pub fn summary(plan: &Plan) -> Vec<Line<'_>> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut index: BTreeMap<(Subject, &str, Effect), usize> = BTreeMap::new();
    for c in &plan.changes {
        let Some(one) = line(c) else { continue };
        let key = (one.subject, one.what, one.effect);
        // An account's own change stays one line per account.
        match index.get(&key) {
            Some(&at) if one.subject != Subject::Account => {
                let l = &mut lines[at];
                l.accounts.extend(one.accounts);
                l.ous.extend(one.ous);
                l.not_affected = l.not_affected.or(one.not_affected);
                l.changes.extend(one.changes);
            }
            _ => {
                index.insert(key, lines.len());
                lines.push(one);
            }
        }
    }
    let rank = |e: Effect| match e {
        Effect::Lose => 0,
        Effect::Gain => 1,
        Effect::Change => 2,
        Effect::Move => 3,
    };
    lines.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then(rank(a.effect).cmp(&rank(b.effect)))
            .then(a.what.cmp(b.what))
    });
    lines
}

/// The effect a change of this action has on what it reaches.
pub fn effect_of(action: Action) -> Effect {
    match action {
        Action::Attach | Action::Create | Action::Enable => Effect::Gain,
        Action::Detach | Action::Delete => Effect::Lose,
        Action::Update | Action::Adopt => Effect::Change,
    }
}
