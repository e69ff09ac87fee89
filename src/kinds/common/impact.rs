//! The blast radius of the changes kinds make ([`crate::plan::impact`]): the accounts a
//! policy reaches through its targets, or a permission set through its assignments,
//! found by the placement service, so accounts this plan creates or moves count where
//! they will be.

use std::collections::BTreeSet;

use super::placement::Placement;
use crate::observed::{OrgState, OuLookup};
use crate::plan::impact::{Effect, Impact, ImpactAccount, Subject};
use crate::plan::{Need, Plan};
use crate::types::policy_types::PolicyType;
use crate::types::{OuPath, Target};

/// The baseline target a live root, OU or account id stands for.
pub fn target_of(org: &OrgState, id: &str) -> Option<Target> {
    if id == org.root_id {
        return Some(Target::Root);
    }
    if org.ous.iter().any(|o| o.id == id) {
        return org.plain_path(id).map(Target::Ou);
    }
    org.accounts
        .iter()
        .any(|a| a.id == id)
        .then(|| Target::Account(id.to_owned()))
}

/// What a policy of this type and name does to the accounts under `targets` (each
/// account once), leaving out those its attachments `elsewhere` cover anyway (an attach
/// where it was already inherited, a detach where it still is) and the management
/// account where the type never restricts it, and saying so. `None` when the targets
/// reach no account.
pub fn policy(
    org: &OrgState,
    placement: &Placement<'_>,
    policy_type: PolicyType,
    name: &str,
    effect: Effect,
    (targets, elsewhere): (&[Target], &[Target]),
) -> Option<Impact> {
    let rules = policy_type.rules();
    let mut accounts: BTreeSet<(ImpactAccount, String)> = BTreeSet::new();
    for t in targets {
        accounts.extend(placement.reach(t).unwrap_or_default());
    }
    if accounts.is_empty() {
        return None;
    }
    let mut said = Vec::new();
    let covered: BTreeSet<ImpactAccount> = elsewhere
        .iter()
        .filter(|t| !targets.contains(t))
        .flat_map(|t| placement.reach(t).unwrap_or_default())
        .map(|(a, _)| a)
        .collect();
    let before = accounts.len();
    accounts.retain(|(a, _)| !covered.contains(a));
    let kept = before - accounts.len();
    if kept > 0 {
        let one = kept == 1;
        let n = format!("{kept} account{}", if one { "" } else { "s" });
        said.push(match effect {
            Effect::Lose => format!("{n} keep{} it through another attachment", if one { "s" } else { "" }),
            _ => format!(
                "{n} already ha{} it through another attachment",
                if one { "s" } else { "ve" }
            ),
        });
    }
    if !rules.affects_management_account {
        let before = accounts.len();
        accounts.retain(|(a, _)| a.id.as_deref() != Some(org.management_account_id.as_str()));
        if accounts.len() < before {
            said.push(format!(
                "the management account {} is not affected: {}s never restrict it",
                org.management_account_id, rules.noun
            ));
        }
    }
    let not_affected = (!said.is_empty()).then(|| said.join("; "));
    Some(build(
        Subject::Policy,
        format!("{} `{name}`", rules.noun),
        effect,
        accounts,
        not_affected,
    ))
}

/// What an assignment or a permission set change does: `what` in these accounts.
pub fn access(what: String, effect: Effect, accounts: BTreeSet<(ImpactAccount, String)>) -> Option<Impact> {
    (!accounts.is_empty()).then(|| build(Subject::Access, what, effect, accounts, None))
}

/// How a principal's access reads: `PowerUser` for group `developers`.
pub fn grant(set: &str, principal_kind: &str, principal: &str) -> String {
    format!("`{set}` for {principal_kind} `{principal}`")
}

fn build(
    subject: Subject,
    what: String,
    effect: Effect,
    accounts: BTreeSet<(ImpactAccount, String)>,
    not_affected: Option<String>,
) -> Impact {
    let ous: BTreeSet<String> = accounts.iter().map(|(_, ou)| ou.clone()).collect();
    Impact {
        subject,
        what,
        effect,
        accounts: accounts.into_iter().map(|(a, _)| a).collect(),
        ous: ous.into_iter().collect(),
        not_affected,
        gains: Vec::new(),
        loses: Vec::new(),
    }
}

/// The policies of every type in force on an account in `ou` (a path, or `None` at the
/// root) as plan reads them: those attached to the root and to the OU and its ancestors,
/// among the attachments plinth reads (the targets of its own policies and of those the
/// baseline names, and what a target carries where the plan read it for a `plan::Need`).
pub fn in_force(org: &OrgState, ou: Option<&OuPath>) -> BTreeSet<String> {
    let mut chain: Vec<&str> = vec![org.root_id.as_str()];
    for p in ou.map(OuPath::with_ancestors).unwrap_or_default() {
        if let OuLookup::Found(live) = org.ou_at(&p) {
            chain.push(live.id.as_str());
        }
    }
    in_force_on(org, &chain)
}

/// Each enabled policy type's attachments to `ids` that the observed state lacks, as needs.
fn need_attachments<'a>(org: &OrgState, plan: &mut Plan, ids: impl Iterator<Item = &'a &'a str> + Clone) {
    for policy_type in PolicyType::ALL {
        let view = org.policies_of(policy_type);
        if !view.enabled {
            continue;
        }
        for id in ids.clone().filter(|id| !view.attached.contains_key(**id)) {
            plan.need(Need::Attachments {
                policy_type,
                target_id: (*id).to_owned(),
            });
        }
    }
}

/// The policies of every type attached to one of the live ids of `chain`.
fn in_force_on(org: &OrgState, chain: &[&str]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for policy_type in PolicyType::ALL {
        let view = org.policies_of(policy_type);
        let noun = policy_type.rules().noun;
        for p in view.policies {
            let attached = p.targets.iter().any(|t| chain.contains(&t.as_str()))
                || chain
                    .iter()
                    .any(|id| view.attached.get(*id).is_some_and(|ids| ids.contains(&p.id)));
            if attached {
                found.insert(format!("{noun} `{}`", p.name));
            }
        }
    }
    found
}

/// What an account gains and loses by moving from the live parent `from` (an OU or the
/// root's id; `None`: the root, where a new account starts) to the OU `to`. What the OUs
/// it leaves and enters carry beyond the policies read is a need of the plan
/// ([`crate::plan::Need`]): read, then planned again, so the lists are whole.
pub fn moved(org: &OrgState, plan: &mut Plan, account: ImpactAccount, from: Option<&str>, to: &OuPath) -> Impact {
    let mut chain: Vec<&str> = vec![org.root_id.as_str()];
    chain.extend(from.map(|p| org.ancestors(p)).unwrap_or_default());
    let mut entered: Vec<&str> = Vec::new();
    for p in to.with_ancestors() {
        if let OuLookup::Found(live) = org.ou_at(&p) {
            entered.push(live.id.as_str());
        }
    }
    // The root is on both sides: what it carries is neither gained nor lost.
    need_attachments(org, plan, chain.iter().chain(&entered).filter(|id| **id != org.root_id));
    let (before, after) = (in_force_on(org, &chain), in_force(org, Some(to)));
    Impact {
        subject: Subject::Account,
        // The name quoted: a live name, which renderers show as code, never as prose.
        what: match &account.id {
            Some(id) if *id != account.name => format!("account `{}` ({id})", account.name),
            Some(id) => format!("account {id}"),
            None => format!("account `{}` (new)", account.name),
        },
        effect: Effect::Move,
        accounts: vec![account],
        ous: vec![to.to_string()],
        not_affected: None,
        gains: after.difference(&before).cloned().collect(),
        loses: before.difference(&after).cloned().collect(),
    }
}
