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

/// Each principal the baseline names that the identity store has: (kind, name) -> id.
type Principals<'a> = BTreeMap<(PrincipalKind, &'a str), &'a str>;

/// Plan the assignments: every principal must be in the identity store and every target
/// must mean accounts (else the errors, with those of `diags`); then a create for each
/// grant the baseline implies that is not live, and a delete for each live grant of a
/// declared set to the baseline's principals that it does not imply.
pub(super) fn plan_assignments(
    cx: &Context<'_>,
    section: &SsoSection,
    op: &dyn Fn(SsoCall) -> Op,
    set_refs: &BTreeMap<&str, Needs>,
    declared: &BTreeSet<&str>,
    plan: &mut Plan,
    mut diags: Diagnostics,
) -> Result<(), Diagnostics> {
    let principals = principal_ids(cx, section, &mut diags);
    let placement = Placement::new(cx, plan);
    let grants = Grants::wanted(cx, section, &placement, &principals, plan, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let live = live_grants(cx, declared, &principals);
    let changes = GrantChanges {
        placement: &placement,
        op,
        principals: &principals,
    };
    changes.add_creates(plan, &grants, &live, set_refs);
    changes.add_deletes(cx, plan, &grants, &live);
    Ok(())
}

/// The identity-store id of each group and user the assignments name; one the store does
/// not have is an error in `diags`.
fn principal_ids<'a>(cx: &'a Context<'_>, section: &'a SsoSection, diags: &mut Diagnostics) -> Principals<'a> {
    let sso = &cx.observed.sso;
    let mut principals: Principals<'a> = BTreeMap::new();
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
    principals
}

/// The grants the baseline implies.
struct Grants {
    /// (set name, principal, account) -> the refs to create it with.
    wanted: BTreeMap<Grant, Needs>,
    /// Grants in accounts a blocked (ambiguous) target could mean: never removed while it is.
    kept: BTreeSet<Grant>,
}

impl Grants {
    /// Each assignment's principals (those the identity store has) get its set in every
    /// account its targets expand to; a target that does not resolve is reported in
    /// `diags`, and an ambiguous one keeps the grants in every account it could mean.
    fn wanted(
        cx: &Context<'_>,
        section: &SsoSection,
        placement: &Placement<'_>,
        principals: &Principals<'_>,
        plan: &mut Plan,
        diags: &mut Diagnostics,
    ) -> Self {
        let mut grants = Grants {
            wanted: BTreeMap::new(),
            kept: BTreeSet::new(),
        };
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
                        placement::report(cx, plan, diags, t.get_ref(), t.span(), why);
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
                        grants.kept.insert((set.to_owned(), kind, name.to_owned(), account.clone()));
                    }
                    for (key, (account, deps)) in &accounts {
                        grants.wanted.insert(
                            (set.to_owned(), kind, name.to_owned(), key.clone()),
                            (account.clone(), deps.clone()),
                        );
                    }
                }
            }
        }
        grants
    }
}

/// The live assignments of plinth's declared permission sets (plinth's, or adopted in
/// this plan; another tool's is an error) to the baseline's principals.
fn live_grants(cx: &Context<'_>, declared: &BTreeSet<&str>, principals: &Principals<'_>) -> BTreeSet<Grant> {
    let sso = &cx.observed.sso;
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
    live
}

/// What the assignment changes are built with.
struct GrantChanges<'a> {
    placement: &'a Placement<'a>,
    op: &'a dyn Fn(SsoCall) -> Op,
    principals: &'a Principals<'a>,
}

impl GrantChanges<'_> {
    /// A create for each wanted grant that is not live, after its set's changes and its
    /// account's creation (`set_refs`, the grant's needs).
    fn add_creates(&self, plan: &mut Plan, grants: &Grants, live: &BTreeSet<Grant>, set_refs: &BTreeMap<&str, Needs>) {
        for (key, (account, account_deps)) in &grants.wanted {
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
                    (self.op)(SsoCall::CreateAccountAssignment {
                        permission_set: set_ref.clone(),
                        account: account.clone(),
                        principal_kind: *kind,
                        principal_id: self.principals[&(*kind, name.as_str())].to_owned(),
                    }),
                )
                .depends_on(deps)
                .impact(granted(self.placement, set, *kind, name, account_key, Effect::Gain)),
            );
        }
    }

    /// A delete for each live grant the baseline does not imply, after the set's adoption
    /// if this plan adopts it; one an ambiguous target could mean is kept, with a warning.
    fn add_deletes(&self, cx: &Context<'_>, plan: &mut Plan, grants: &Grants, live: &BTreeSet<Grant>) {
        let sso = &cx.observed.sso;
        for key in live.difference(&grants.wanted.keys().cloned().collect()) {
            let (set, kind, name, account) = key;
            if grants.kept.contains(key) {
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
                    (self.op)(SsoCall::DeleteAccountAssignment {
                        permission_set: arn,
                        account: account.clone(),
                        principal_kind: *kind,
                        principal_id: self.principals[&(*kind, name.as_str())].to_owned(),
                    }),
                )
                .depends_on(set_deps)
                .impact(granted(self.placement, set, *kind, name, account, Effect::Lose)),
            );
        }
    }
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
