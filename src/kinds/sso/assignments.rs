//! Assignments: each group and user gets its permission set in every account its targets
//! expand to; assignments of plinth's sets to those principals that the baseline does not
//! imply are removed; other permission sets' assignments are never touched.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::section::{PrincipalName, SsoSection};
use super::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::common::impact;
use crate::kinds::common::placement::{self, Needs, Placement, Unresolved};
use crate::plan::impact::Effect;
use crate::observed::{Assignment, PermissionSet, PrincipalKind};
use crate::plan::{Action, Address, Change};

pub(super) fn plan_assignments(
    cx: &Context<'_>,
    section: &SsoSection,
    op: &dyn Fn(SsoCall) -> Op,
    set_refs: &BTreeMap<&str, Needs>,
    declared: &BTreeSet<&str>,
    plan: &mut Plan,
    mut diags: Diagnostics,
) -> Result<(), Diagnostics> {
    let sso = &cx.observed.sso;
    // Principals: every name must be in the identity store.
    let mut principals: BTreeMap<(PrincipalKind, &str), &str> = BTreeMap::new();
    for a in &section.assignment {
        let a = a.get_ref();
        for (kind, names, known) in [
            (PrincipalKind::Group, &a.groups, &sso.groups),
            (PrincipalKind::User, &a.users, &sso.users),
        ] {
            for n in names {
                match known.get(n.get_ref().as_str()) {
                    Some(id) => {
                        principals.insert((kind, n.get_ref().as_str()), id.as_str());
                    }
                    None => diags.push(unknown_principal(cx, kind, n)),
                }
            }
        }
    }

    // Wanted assignments: (set name, principal, account) -> the refs to create it with.
    let placement = Placement::new(cx, plan);
    let mut wanted: BTreeMap<Grant, Needs> = BTreeMap::new();
    // Assignments in accounts a blocked target could mean: never removed while it is.
    let mut kept: BTreeSet<Grant> = BTreeSet::new();
    for a in &section.assignment {
        let a = a.get_ref();
        let set = a.permission_set.get_ref().as_str();
        let mut accounts: BTreeMap<String, Needs> = BTreeMap::new();
        let mut unsure: BTreeSet<String> = BTreeSet::new();
        for t in a.targets.get_ref() {
            match placement.expand(t.get_ref()) {
                Ok(found) => accounts.extend(found),
                Err(why) => {
                    if let Unresolved::Ambiguous { ids, .. } = &why {
                        unsure.extend(placement.under(ids));
                    }
                    placement::report(cx, plan, &mut diags, t.get_ref(), t.span(), why);
                }
            }
        }
        for (kind, names) in [(PrincipalKind::Group, &a.groups), (PrincipalKind::User, &a.users)] {
            for n in names {
                let name = n.get_ref().as_str();
                if !principals.contains_key(&(kind, name)) {
                    continue;
                }
                for account in &unsure {
                    kept.insert((set.to_owned(), kind, name.to_owned(), account.clone()));
                }
                for (key, (account, deps)) in &accounts {
                    wanted.insert(
                        (set.to_owned(), kind, name.to_owned(), key.clone()),
                        (account.clone(), deps.clone()),
                    );
                }
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    // Live assignments of plinth's declared permission sets, to the baseline's principals.
    let by_arn: BTreeMap<&str, &PermissionSet> = sso.permission_sets.iter().map(|p| (p.arn.as_str(), p)).collect();
    let names_by_id: BTreeMap<(PrincipalKind, &str), &str> = principals
        .iter()
        .map(|((kind, name), id)| ((*kind, *id), *name))
        .collect();
    let mut live: BTreeSet<Grant> = BTreeSet::new();
    for Assignment {
        account_id,
        permission_set_arn,
        principal_kind,
        principal_id,
    } in &sso.assignments
    {
        let Some(set) = by_arn.get(permission_set_arn.as_str()) else {
            continue;
        };
        // A declared set is plinth's, or adopted in this plan (another tool's is an error).
        if !declared.contains(set.name.as_str()) {
            continue;
        }
        let Some(name) = names_by_id.get(&(*principal_kind, principal_id.as_str())) else {
            continue;
        };
        live.insert((
            set.name.clone(),
            *principal_kind,
            (*name).to_owned(),
            account_id.clone(),
        ));
    }

    for (key, (account, account_deps)) in &wanted {
        if live.contains(key) {
            continue;
        }
        let (set, kind, name, account_key) = key;
        let Some((set_ref, set_deps)) = set_refs.get(set.as_str()) else {
            continue;
        };
        let mut deps = set_deps.clone();
        deps.extend(account_deps.iter().cloned());
        plan.add(
            Change::new(
                assignment_address(set, *kind, name, account_key),
                Action::Create,
                format!("the baseline gives {} `{name}` `{set}` in this account", kind.as_str()),
                op(SsoCall::CreateAccountAssignment {
                    permission_set: set_ref.clone(),
                    account: account.clone(),
                    principal_kind: *kind,
                    principal_id: principals[&(*kind, name.as_str())].to_owned(),
                }),
            )
            .depends_on(deps)
            .impact(granted(&placement, set, *kind, name, account_key, Effect::Gain)),
        );
    }
    for key in live.difference(&wanted.keys().cloned().collect()) {
        let (set, kind, name, account) = key;
        if kept.contains(key) {
            plan.warnings.push(format!(
                "kept {} `{name}`'s `{set}` in account {account}: a target of the baseline that live names make ambiguous could mean that account (see the errors)",
                kind.as_str()
            ));
            continue;
        }
        let arn = sso
            .permission_sets
            .iter()
            .find(|p| p.name == *set)
            .map(|p| p.arn.clone())
            .unwrap_or_default();
        // An adopted set's assignments change only once it carries the tag.
        let adopt = address(set).adopt();
        let set_deps: Vec<Address> = plan
            .changes
            .iter()
            .filter(|c| c.address == adopt)
            .map(|c| c.address.clone())
            .collect();
        plan.add(
            Change::new(
                assignment_address(set, *kind, name, account),
                Action::Delete,
                format!(
                    "{} `{name}` has plinth's `{set}` in account {account}, which the baseline does not give it",
                    kind.as_str()
                ),
                op(SsoCall::DeleteAccountAssignment {
                    permission_set: arn,
                    account: account.clone(),
                    principal_kind: *kind,
                    principal_id: principals[&(*kind, name.as_str())].to_owned(),
                }),
            )
            .depends_on(set_deps)
            .impact(granted(&placement, set, *kind, name, account, Effect::Lose)),
        );
    }
    Ok(())
}

/// A permission set provisioned again changes what it allows in every account it is
/// assigned in: those plan reads (the baseline's groups' and users' assignments).
pub(super) fn provisioned_impact(cx: &Context<'_>, plan: &mut Plan) {
    let placement = Placement::new(cx, plan);
    let sso = &cx.observed.sso;
    for c in plan.changes.iter_mut().filter(|c| c.kind == Sso::NAME) {
        let Op::Sso(SsoOp {
            call: SsoCall::ProvisionPermissionSet { permission_set },
            ..
        }) = &c.op
        else {
            continue;
        };
        let Some(set) = sso.permission_sets.iter().find(|p| p.arn == *permission_set) else {
            continue;
        };
        let accounts = sso
            .assignments
            .iter()
            .filter(|a| a.permission_set_arn == *permission_set)
            .filter_map(|a| placement.shown(&a.account_id))
            .collect();
        c.impact = impact::access(format!("permission set `{}`", set.name), Effect::Change, accounts);
    }
}

/// What an assignment change gives or takes: the set for the principal, in one account.
fn granted(
    placement: &Placement<'_>,
    set: &str,
    kind: PrincipalKind,
    principal: &str,
    account: &str,
    effect: Effect,
) -> Option<crate::plan::impact::Impact> {
    let what = impact::grant(set, kind.as_str(), principal);
    impact::access(what, effect, placement.shown(account).into_iter().collect())
}

fn unknown_principal(cx: &Context<'_>, kind: PrincipalKind, name: &Spanned<PrincipalName>) -> Diagnostic {
    let (what, hint) = match kind {
        PrincipalKind::Group => (
            "group",
            "groups are named by display name, as your identity provider syncs them (SCIM, ssosync); \
             `aws identitystore list-groups` shows what is there",
        ),
        PrincipalKind::User => (
            "user",
            "users are named by user name; `aws identitystore list-users` shows what is there",
        ),
    };
    Diagnostic::error(format!("{what} `{}` is not in the identity store", name.get_ref()))
        .at(&cx.baseline.source, name.span())
        .hint(hint)
}
