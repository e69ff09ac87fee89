//! `plinth import` for `[sso]`: every permission set with its policies, boundary and
//! inline policy (as a file), and every assignment, principals by group display name or
//! user name, accounts folded into `root` or `ou:` targets where every account there has
//! the grant.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostics;
use crate::kinds::import::{ImportCx, Imported, file_name};
use crate::observed::{Boundary, OrgState, PrincipalKind, SsoState};

pub(super) async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let c = cx.clients;
    let state = c
        .sso(cx.home_region.as_str())
        .read_all()
        .await
        .map_err(|e| c.failure("cannot read IAM Identity Center", e))?;
    let mut out = Imported::default();
    if state.instance.is_none() {
        return Ok(out);
    }
    let names = permission_sets(cx, &state, &mut out);
    assignments(cx, &state, &names, &mut out);
    Ok(out)
}

/// `[[sso.permission_set]]`s; returns the names of the imported ones by ARN.
fn permission_sets(cx: &ImportCx<'_>, state: &SsoState, out: &mut Imported) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for set in &state.permission_sets {
        if let Some(other) = &set.managed_by {
            if !cx.include_others {
                out.skipped
                    .push(format!("permission set `{}`: managed by {other}", set.name));
                continue;
            }
            out.warnings.push(format!(
                "permission set `{}` is managed by {other}; imported because of `--include-managed-by-others`",
                set.name
            ));
        }
        names.insert(set.arn.clone(), set.name.clone());
        let details = set.details.clone().unwrap_or_default();
        let t = &mut out.toml;
        t.array_table("sso.permission_set").string("name", &set.name);
        if let Some(d) = &set.description {
            t.string("description", d);
        }
        if let Some(d) = set.session_duration.as_deref().filter(|d| *d != "PT1H") {
            t.string("session_duration", d);
        }
        if !details.managed_policies.is_empty() {
            let mut arns = details.managed_policies.clone();
            arns.sort();
            t.strings("managed_policies", &arns);
        }
        if !details.customer_managed_policies.is_empty() {
            let mut refs = details.customer_managed_policies.clone();
            refs.sort();
            let tables: Vec<Vec<(&str, &str)>> = refs
                .iter()
                .map(|(name, path)| vec![("name", name.as_str()), ("path", path.as_str())])
                .collect();
            t.inline_tables("customer_managed_policies", &tables);
        }
        if let Some(inline) = &details.inline_policy {
            let file = format!(
                "policies/{}",
                file_name(&format!("sso-{}", set.name), "json", &mut taken)
            );
            let mut text = serde_json::from_str::<serde_json::Value>(inline)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_else(|_| inline.clone());
            text.push('\n');
            out.files.push((file.clone(), text));
            t.string("inline_policy_file", &file);
        }
        match &details.permissions_boundary {
            Some(Boundary::ManagedPolicy { arn }) => {
                t.inline("permissions_boundary", &[("managed_policy_arn", arn)]);
            }
            Some(Boundary::CustomerManagedPolicy { name, path }) => {
                t.inline("permissions_boundary", &[("name", name), ("path", path)]);
            }
            None => {}
        }
        if let Some(r) = &set.relay_state {
            t.string("relay_state", r);
        }
    }
    names
}

/// `[[sso.assignment]]`s: one per permission set and set of targets, with every group
/// and user that has exactly that.
fn assignments(cx: &ImportCx<'_>, state: &SsoState, set_names: &BTreeMap<String, String>, out: &mut Imported) {
    let group_names: BTreeMap<&str, &str> = state.groups.iter().map(|(n, id)| (id.as_str(), n.as_str())).collect();
    let user_names: BTreeMap<&str, &str> = state.users.iter().map(|(n, id)| (id.as_str(), n.as_str())).collect();
    // (set, kind, principal name) -> accounts.
    let mut grants: BTreeMap<(&str, PrincipalKind, &str), BTreeSet<&str>> = BTreeMap::new();
    for a in &state.assignments {
        let Some(set) = set_names.get(&a.permission_set_arn) else {
            continue;
        };
        let names = match a.principal_kind {
            PrincipalKind::Group => &group_names,
            PrincipalKind::User => &user_names,
        };
        let Some(name) = names.get(a.principal_id.as_str()) else {
            continue;
        };
        grants
            .entry((set.as_str(), a.principal_kind, name))
            .or_default()
            .insert(a.account_id.as_str());
    }
    // (set, targets) -> groups, users.
    let mut folded: BTreeMap<(&str, Vec<String>), Principals<'_>> = BTreeMap::new();
    for ((set, kind, name), accounts) in &grants {
        let targets: Vec<String> = fold(cx.org, accounts)
            .into_iter()
            .filter_map(|t| match t {
                Folded::Root => Some("root".to_owned()),
                Folded::Ou(path) => Some(format!("ou:{path}")),
                Folded::Account(id) => cx.target_of(id),
            })
            .collect();
        let entry = folded.entry((set, targets)).or_default();
        match kind {
            PrincipalKind::Group => entry.0.push(name),
            PrincipalKind::User => entry.1.push(name),
        }
    }
    for ((set, targets), (groups, users)) in folded {
        let t = &mut out.toml;
        t.array_table("sso.assignment").string("permission_set", set);
        if !groups.is_empty() {
            t.strings("groups", &groups);
        }
        if !users.is_empty() {
            t.strings("users", &users);
        }
        t.strings("targets", &targets);
    }
}

/// Group names and user names.
type Principals<'a> = (Vec<&'a str>, Vec<&'a str>);

#[derive(Debug, PartialEq, Eq)]
enum Folded<'a> {
    Root,
    Ou(&'a str),
    Account(&'a str),
}

/// The fewest targets that mean exactly `granted`: `root` when every active account has
/// it, else each outermost OU all of whose active accounts (at any depth, at least one)
/// have it, and the rest account by account. Suspended accounts, which `root` and OU
/// targets leave out, are named one by one.
fn fold<'a>(org: &'a OrgState, granted: &BTreeSet<&'a str>) -> Vec<Folded<'a>> {
    let path_of = |a: &crate::observed::Account| -> Option<&'a str> {
        let parent = a.parent_id.as_deref()?;
        org.ous.iter().find(|o| o.id == parent).map(|o| o.path.as_str())
    };
    let active: Vec<(&'a str, Option<&'a str>)> = org
        .accounts
        .iter()
        .filter(|a| !a.suspended)
        .map(|a| (a.id.as_str(), path_of(a)))
        .collect();
    if !active.is_empty() && active.iter().all(|(id, _)| granted.contains(id)) {
        let mut out = vec![Folded::Root];
        out.extend(
            granted
                .iter()
                .filter(|id| !active.iter().any(|(a, _)| a == *id))
                .map(|id| Folded::Account(id)),
        );
        return out;
    }
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut ous: Vec<&str> = org.ous.iter().map(|o| o.path.as_str()).collect();
    ous.sort_by_key(|p| (p.matches('/').count(), *p));
    for path in ous {
        let below = format!("{path}/");
        let inside: Vec<&str> = active
            .iter()
            .filter(|(_, p)| p.is_some_and(|p| p == path || p.starts_with(&below)))
            .map(|(id, _)| *id)
            .collect();
        if !inside.is_empty() && inside.iter().all(|id| granted.contains(id) && !covered.contains(id)) {
            covered.extend(inside);
            out.push(Folded::Ou(path));
        }
    }
    out.extend(
        granted
            .iter()
            .filter(|id| !covered.contains(*id))
            .map(|id| Folded::Account(id)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observed::{Account};

    fn org() -> OrgState {
        let account = |id: &str, parent: &str, suspended: bool| Account {
            id: id.into(),
            name: format!("n{id}"),
            email: String::new(),
            parent_id: Some(parent.into()),
            suspended,
        };
        OrgState {
            root_id: "r-1".into(),
            ous: crate::observed::Ou::tree("r-1", &[("ou-w", "Workloads"), ("ou-p", "Workloads/Prod"), ("ou-s", "Sandbox")]),
            accounts: vec![
                account("1", "r-1", false),
                account("2", "ou-w", false),
                account("3", "ou-p", false),
                account("4", "ou-p", false),
                account("5", "ou-s", false),
                account("6", "ou-s", true),
            ],
            ..OrgState::default()
        }
    }

    #[test]
    fn accounts_fold_into_the_outermost_ous_that_have_them_all() {
        let org = org();
        let set = |ids: &[&'static str]| ids.iter().copied().collect::<BTreeSet<&str>>();
        // Every active account: root.
        assert_eq!(fold(&org, &set(&["1", "2", "3", "4", "5"])), [Folded::Root]);
        // Workloads and everything below it, plus one more.
        assert_eq!(
            fold(&org, &set(&["2", "3", "4", "1"])),
            [Folded::Ou("Workloads"), Folded::Account("1")]
        );
        // Prod only: the nested OU.
        assert_eq!(fold(&org, &set(&["3", "4"])), [Folded::Ou("Workloads/Prod")]);
        // The suspended account does not count for its OU, and is named by itself.
        assert_eq!(
            fold(&org, &set(&["5", "6"])),
            [Folded::Ou("Sandbox"), Folded::Account("6")]
        );
        // Part of an OU: account by account.
        assert_eq!(fold(&org, &set(&["3"])), [Folded::Account("3")]);
    }
}
