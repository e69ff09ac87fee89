//! `[sso]`: IAM Identity Center permission sets and account assignments.
//!
//! Permission sets plinth owns (tagged `managed-by=plinth`) are created, corrected one
//! difference at a time (settings, each managed or customer managed policy, the inline
//! policy compared semantically, the boundary) and then provisioned again to every
//! account that has them. A same-named set plinth does not own is an error; an owned set
//! the baseline dropped is an orphan, deleted (assignments first) only with `--allow-delete`.
//!
//! Assignments: the baseline's groups and users get each permission set in every account
//! its targets expand to (an OU means every account in it and below, the way the plan
//! leaves the organization: accounts it creates or moves count where they will be).
//! Assignments of plinth's permission sets to those principals that the baseline does not
//! imply are removed; assignments of other permission sets are never touched.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use toml::Spanned;

use super::{Action, Change, Context, Op, Orphan, Plan, Ref, SsoCall, SsoOp};
use crate::baseline::sso::{PermissionSetDecl, PrincipalName, parse_iso_duration};
use crate::baseline::{Baseline, Target};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{
    Assignment, Boundary, OrgState, PermissionSet, PermissionSetDetails, PermissionSetSpec, PrincipalKind, Resolved,
};

/// A grant: (permission set name, principal kind, principal name, account key).
type Grant = (String, PrincipalKind, String, String);
/// A resource to reference, and the plan changes that must succeed first.
type Needs = (Ref, Vec<String>);

pub fn address(name: &str) -> String {
    format!("sso.permission_set:{name}")
}

fn provision_address(name: &str) -> String {
    format!("{}.provision", address(name))
}

/// `account` is a live account id, or the address of the change that creates the account
/// (`account:<name>`).
fn assignment_address(set: &str, kind: PrincipalKind, principal: &str, account: &str) -> String {
    let account = if account.starts_with("account:") {
        account.to_owned()
    } else {
        format!("account:{account}")
    };
    format!("sso.assignment:{set} {}:{principal} -> {account}", kind.as_str())
}

/// The permission set the baseline declares, in AWS's terms.
pub fn spec(baseline: &Baseline, decl: &PermissionSetDecl) -> PermissionSetSpec {
    let name = decl.name.get_ref().as_str();
    let mut managed: Vec<String> = decl.managed_policies.iter().map(|p| p.get_ref().to_string()).collect();
    managed.sort();
    let mut customer: Vec<(String, String)> = decl
        .customer_managed_policies
        .iter()
        .map(|c| (c.get_ref().name.to_string(), c.get_ref().path.to_string()))
        .collect();
    customer.sort();
    PermissionSetSpec {
        name: name.to_owned(),
        description: decl.description.as_ref().map(|d| d.get_ref().to_string()),
        session_duration: decl.session_duration().to_string(),
        relay_state: decl.relay_state.as_ref().map(|r| r.get_ref().to_string()),
        managed_policies: managed,
        customer_managed_policies: customer,
        inline_policy: baseline
            .inline_policies
            .get(name)
            .map(|p| crate::policy::minify(&p.document)),
        permissions_boundary: decl.permissions_boundary.as_ref().map(|b| {
            let b = b.get_ref();
            match (&b.managed_policy_arn, &b.name) {
                (Some(arn), _) => Boundary::ManagedPolicy {
                    arn: arn.get_ref().to_string(),
                },
                (None, name) => Boundary::CustomerManagedPolicy {
                    name: name.as_ref().map(|n| n.get_ref().to_string()).unwrap_or_default(),
                    path: b
                        .path
                        .as_ref()
                        .map_or_else(|| "/".to_owned(), |p| p.get_ref().to_string()),
                },
            }
        }),
    }
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = &cx.baseline.file.sso else {
        return Ok(());
    };
    let sso = &cx.observed.sso;
    let src = &cx.baseline.source;
    let Some(instance) = &sso.instance else {
        return Err(Diagnostic::error(format!(
            "IAM Identity Center is not enabled in `{}`",
            cx.baseline.home_region()
        ))
        .at(src, section.span())
        .cause("the baseline's `[sso]` section needs the organization's Identity Center instance")
        .hint(
            "enable IAM Identity Center (console: IAM Identity Center → Enable, with AWS Organizations) in the \
             baseline's `home_region`, or set `organization.home_region` to the region it is enabled in",
        )
        .into());
    };
    let section = section.get_ref();
    let op = |call: SsoCall| {
        Op::Sso(SsoOp {
            region: cx.baseline.home_region().to_string(),
            instance_arn: instance.arn.clone(),
            call,
        })
    };
    let mut diags = Diagnostics::default();

    // Permission sets, and the reference each assignment will use.
    let mut set_refs: BTreeMap<&str, Needs> = BTreeMap::new();
    for decl in &section.permission_set {
        let decl = decl.get_ref();
        let name = decl.name.get_ref().as_str();
        let want = spec(cx.baseline, decl);
        match sso.permission_sets.iter().find(|p| p.name == name) {
            None => {
                let addr = address(name);
                plan.changes.push(
                    Change::new(
                        addr.clone(),
                        Action::Create,
                        format!("no permission set `{name}` in IAM Identity Center"),
                        op(SsoCall::CreatePermissionSet {
                            spec: Box::new(want.clone()),
                        }),
                    )
                    .after(Some(spec_json(&want))),
                );
                set_refs.insert(name, (Ref::Planned(addr.clone()), vec![addr]));
            }
            Some(live) if !live.owned => {
                diags.push(
                    Diagnostic::error(format!("permission set `{name}` exists, but plinth does not own it"))
                        .at(src, decl.name.span())
                        .cause(format!("{} has no `managed-by=plinth` tag", live.arn))
                        .hint(
                            "plinth never changes a permission set it did not create: rename the one in the baseline, \
                         or, to hand the existing one to plinth, tag it `managed-by=plinth` \
                         (`aws sso-admin tag-resource`)",
                        ),
                );
            }
            Some(live) => {
                let deps = update_permission_set(plan, live, &want, &op);
                set_refs.insert(name, (Ref::Id(live.arn.clone()), deps));
            }
        }
    }

    // Orphans: owned permission sets the baseline no longer declares.
    let declared: BTreeSet<&str> = section
        .permission_set
        .iter()
        .map(|d| d.get_ref().name.get_ref().as_str())
        .collect();
    for live in sso
        .permission_sets
        .iter()
        .filter(|p| p.owned && !declared.contains(p.name.as_str()))
    {
        let addr = address(&live.name);
        if cx.options.allow_delete {
            plan.changes.push(
                Change::new(
                    addr,
                    Action::Delete,
                    format!(
                        "plinth created `{}` and the baseline no longer declares it; its assignments go first",
                        live.name
                    ),
                    op(SsoCall::DeletePermissionSet {
                        permission_set: live.arn.clone(),
                    }),
                )
                .before(live.details.as_ref().map(|d| live_json(live, d))),
            );
        } else {
            plan.orphans.push(Orphan {
                address: addr,
                reason: format!(
                    "plinth created permission set `{}` and the baseline no longer declares it; \
                     run with `--allow-delete` to delete it and its assignments",
                    live.name
                ),
            });
        }
    }

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
    for a in &section.assignment {
        let a = a.get_ref();
        let set = a.permission_set.get_ref().as_str();
        let mut accounts: BTreeMap<String, Needs> = BTreeMap::new();
        for t in a.targets.get_ref() {
            match placement.expand(t.get_ref()) {
                Ok(found) => accounts.extend(found),
                Err(why) => diags.push(super::scp::unknown_target(cx, t.get_ref(), t.span(), &why)),
            }
        }
        for (kind, names) in [(PrincipalKind::Group, &a.groups), (PrincipalKind::User, &a.users)] {
            for n in names {
                let name = n.get_ref().as_str();
                if !principals.contains_key(&(kind, name)) {
                    continue;
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
        if !set.owned || !declared.contains(set.name.as_str()) {
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
        plan.changes.push(
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
            .depends_on(deps),
        );
    }
    for key in live.difference(&wanted.keys().cloned().collect()) {
        let (set, kind, name, account) = key;
        let arn = sso
            .permission_sets
            .iter()
            .find(|p| p.name == *set)
            .map(|p| p.arn.clone())
            .unwrap_or_default();
        plan.changes.push(Change::new(
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
        ));
    }
    Ok(())
}

/// Corrections to an owned permission set, then provisioning; returns the addresses an
/// assignment of it must wait for.
fn update_permission_set(
    plan: &mut Plan,
    live: &PermissionSet,
    want: &PermissionSetSpec,
    op: &impl Fn(SsoCall) -> Op,
) -> Vec<String> {
    let name = want.name.as_str();
    let addr = address(name);
    let arn = live.arn.clone();
    let details = live.details.clone().unwrap_or_default();
    let mut changed: Vec<String> = Vec::new();
    let mut push = |plan: &mut Plan, change: Change| {
        changed.push(change.address.clone());
        plan.changes.push(change);
    };

    // Description, session duration, relay state: one update.
    let mut differences = Vec::new();
    if live.description != want.description {
        differences.push("description");
    }
    let live_seconds = live.session_duration.as_deref().and_then(parse_iso_duration);
    if live_seconds != parse_iso_duration(&want.session_duration) {
        differences.push("session duration");
    }
    if live.relay_state != want.relay_state {
        differences.push("relay state");
    }
    if !differences.is_empty() {
        push(
            plan,
            Change::new(
                addr.clone(),
                Action::Update,
                format!(
                    "{} differ{} from the baseline",
                    join(&differences),
                    if differences.len() == 1 { "s" } else { "" }
                ),
                op(SsoCall::UpdatePermissionSet {
                    permission_set: arn.clone(),
                    description: want.description.clone(),
                    session_duration: want.session_duration.clone(),
                    relay_state: want.relay_state.clone(),
                }),
            )
            .before(Some(settings_json(
                live.description.as_deref(),
                live.session_duration.as_deref(),
                live.relay_state.as_deref(),
            )))
            .after(Some(settings_json(
                want.description.as_deref(),
                Some(&want.session_duration),
                want.relay_state.as_deref(),
            ))),
        );
    }

    // AWS managed policies.
    for p in want
        .managed_policies
        .iter()
        .filter(|p| !details.managed_policies.contains(p))
    {
        push(
            plan,
            Change::new(
                format!("{addr} -> {p}"),
                Action::Attach,
                "the baseline attaches this AWS managed policy",
                op(SsoCall::AttachManagedPolicy {
                    permission_set: arn.clone(),
                    policy_arn: p.clone(),
                }),
            ),
        );
    }
    for p in details
        .managed_policies
        .iter()
        .filter(|p| !want.managed_policies.contains(p))
    {
        push(
            plan,
            Change::new(
                format!("{addr} -> {p}"),
                Action::Detach,
                "attached, but not in the baseline",
                op(SsoCall::DetachManagedPolicy {
                    permission_set: arn.clone(),
                    policy_arn: p.clone(),
                }),
            ),
        );
    }

    // Customer managed policy references.
    for (n, path) in want
        .customer_managed_policies
        .iter()
        .filter(|c| !details.customer_managed_policies.contains(c))
    {
        push(
            plan,
            Change::new(
                format!("{addr} -> customer_managed:{path}{n}"),
                Action::Attach,
                "the baseline references this customer managed policy",
                op(SsoCall::AttachCustomerManagedPolicy {
                    permission_set: arn.clone(),
                    name: n.clone(),
                    path: path.clone(),
                }),
            ),
        );
    }
    for (n, path) in details
        .customer_managed_policies
        .iter()
        .filter(|c| !want.customer_managed_policies.contains(c))
    {
        push(
            plan,
            Change::new(
                format!("{addr} -> customer_managed:{path}{n}"),
                Action::Detach,
                "referenced, but not in the baseline",
                op(SsoCall::DetachCustomerManagedPolicy {
                    permission_set: arn.clone(),
                    name: n.clone(),
                    path: path.clone(),
                }),
            ),
        );
    }

    // Inline policy, compared semantically.
    let inline_addr = format!("{addr}.inline_policy");
    match &want.inline_policy {
        Some(policy) => {
            let doc: serde_json::Value = serde_json::from_str(policy).unwrap_or_default();
            if let Some(change) = super::policy_document_change(
                inline_addr,
                details.inline_policy.as_deref(),
                &doc,
                (
                    "the permission set has no inline policy",
                    "the inline policy differs from the baseline's file",
                ),
                |policy| {
                    op(SsoCall::PutInlinePolicy {
                        permission_set: arn.clone(),
                        policy,
                    })
                },
            ) {
                push(plan, change);
            }
        }
        None => {
            if let Some(live_policy) = &details.inline_policy {
                push(
                    plan,
                    Change::new(
                        inline_addr,
                        Action::Delete,
                        "the permission set has an inline policy the baseline does not declare",
                        op(SsoCall::DeleteInlinePolicy {
                            permission_set: arn.clone(),
                        }),
                    )
                    .before(serde_json::from_str(live_policy).ok()),
                );
            }
        }
    }

    // Permissions boundary.
    let boundary_addr = format!("{addr}.permissions_boundary");
    match (&details.permissions_boundary, &want.permissions_boundary) {
        (live_b, Some(b)) if live_b.as_ref() != Some(b) => push(
            plan,
            Change::new(
                boundary_addr,
                if live_b.is_some() {
                    Action::Update
                } else {
                    Action::Create
                },
                if live_b.is_some() {
                    "the permissions boundary differs from the baseline"
                } else {
                    "the permission set has no permissions boundary"
                },
                op(SsoCall::PutPermissionsBoundary {
                    permission_set: arn.clone(),
                    boundary: b.clone(),
                }),
            )
            .before(live_b.as_ref().map(|b| json!(b)))
            .after(Some(json!(b))),
        ),
        (Some(live_b), None) => push(
            plan,
            Change::new(
                boundary_addr,
                Action::Delete,
                "the permission set has a permissions boundary the baseline does not declare",
                op(SsoCall::DeletePermissionsBoundary {
                    permission_set: arn.clone(),
                }),
            )
            .before(Some(json!(live_b))),
        ),
        _ => {}
    }

    // Provision the new version wherever the permission set is, or an outdated copy.
    if !changed.is_empty() || !details.stale_accounts.is_empty() {
        let reason = if changed.is_empty() {
            format!(
                "{} account{} ha{} an outdated copy ({})",
                details.stale_accounts.len(),
                if details.stale_accounts.len() == 1 { "" } else { "s" },
                if details.stale_accounts.len() == 1 { "s" } else { "ve" },
                abbreviate(&details.stale_accounts)
            )
        } else {
            "the permission set changes: every account that has it gets the new version".to_owned()
        };
        let change = Change::new(
            provision_address(name),
            Action::Update,
            reason,
            op(SsoCall::ProvisionPermissionSet {
                permission_set: arn.clone(),
            }),
        )
        .depends_on(changed.clone());
        plan.changes.push(change);
    }
    changed
}

/// Where each account will be once the plan has run: live OUs, with the baseline's
/// `[[account]]`s (moved or created by this plan) where the baseline puts them.
struct Placement<'a> {
    org: &'a OrgState,
    /// OUs an earlier planner creates in this plan.
    planned_ous: BTreeSet<String>,
    accounts: Vec<Placed>,
}

/// An account, where it will be, and how to reference it.
struct Placed {
    /// Its id, or the address of the change that creates it.
    key: String,
    /// OU path, `""` at the root.
    ou: String,
    needs: Needs,
}

impl<'a> Placement<'a> {
    fn new(cx: &'a Context<'_>, plan: &Plan) -> Self {
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
            match super::account::live(org, d) {
                Some(l) => {
                    declared_ids.insert(l.id.clone());
                    let deps = super::account::moves(plan, name);
                    accounts.push(Placed {
                        key: l.id.clone(),
                        ou,
                        needs: (Ref::Id(l.id.clone()), deps),
                    });
                }
                None => {
                    if let Some((addr, deps)) = super::account::planned(plan, name) {
                        accounts.push(Placed {
                            key: addr.clone(),
                            ou,
                            needs: (Ref::Planned(addr), deps),
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
            let path = parent.get(a.id.as_str()).copied().unwrap_or_default().to_owned();
            accounts.push(Placed {
                key: a.id.clone(),
                ou: path,
                needs: (Ref::Id(a.id.clone()), vec![]),
            });
        }
        let planned_ous = cx
            .baseline
            .file
            .organizational_units
            .iter()
            .flat_map(|o| o.path.get_ref().with_ancestors())
            .filter(|p| plan.find(&super::ou::address(p)).is_some())
            .map(|p| p.to_string())
            .collect();
        Placement {
            org,
            planned_ous,
            accounts,
        }
    }

    /// The accounts a target means: key -> (ref, dependencies).
    fn expand(&self, target: &Target) -> Result<BTreeMap<String, Needs>, String> {
        let pick = |keep: &dyn Fn(&Placed) -> bool| {
            self.accounts
                .iter()
                .filter(|a| keep(a))
                .map(|a| (a.key.clone(), a.needs.clone()))
                .collect::<BTreeMap<_, _>>()
        };
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
                    let planned = super::account::address(key);
                    let found = pick(&|a| a.key == planned);
                    if found.is_empty() { Err(why) } else { Ok(found) }
                }
            },
        }
    }
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

fn settings_json(description: Option<&str>, session: Option<&str>, relay: Option<&str>) -> serde_json::Value {
    json!({
        "description": description,
        "session_duration": session,
        "relay_state": relay,
    })
}

fn spec_json(spec: &PermissionSetSpec) -> serde_json::Value {
    let mut v = json!(spec);
    if let Some(p) = &spec.inline_policy {
        v["inline_policy"] = serde_json::from_str(p).unwrap_or_default();
    }
    v
}

fn live_json(live: &PermissionSet, d: &PermissionSetDetails) -> serde_json::Value {
    json!({
        "name": live.name,
        "description": live.description,
        "session_duration": live.session_duration,
        "managed_policies": d.managed_policies,
        "customer_managed_policies": d.customer_managed_policies,
    })
}

fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn abbreviate(ids: &[String]) -> String {
    if ids.len() <= 3 {
        ids.join(", ")
    } else {
        format!("{}, and {} more", ids[..3].join(", "), ids.len() - 3)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::baseline;
    use crate::diag::SourceFile;
    use crate::observed::{Account, Observed, Ou, PermissionSetDetails, SsoInstance, SsoState};
    use crate::plan::{PlanOptions, compute};

    const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-1";

    fn baseline(sso: &str) -> Baseline {
        let text = format!(
            "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[organizational_units]]\npath = \"Workloads/Prod\"\n\n[[account]]\nname = \"payments\"\nemail = \"payments@example.com\"\nou = \"Workloads/Prod\"\n{sso}"
        );
        baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
    }

    fn account(id: &str, name: &str) -> Account {
        Account {
            id: id.into(),
            name: name.into(),
            email: format!("{name}@example.com"),
            parent_id: None,
            suspended: false,
        }
    }

    /// Workloads (with dev-1) and Workloads/Prod (empty, payments not created yet), an
    /// account at the root; groups `devs` and `ops`.
    fn observed() -> Observed {
        let mut o = Observed::default();
        o.org.root_id = "r-root".into();
        o.org.management_account_id = "123456789012".into();
        o.org.ous = vec![Ou {
            id: "ou-work".into(),
            path: "Workloads".into(),
        }];
        o.org.accounts = vec![account("123456789012", "management"), account("111111111111", "dev-1")];
        o.org.ou_accounts = BTreeMap::from([("ou-work".to_owned(), vec!["111111111111".to_owned()])]);
        o.sso = SsoState {
            instance: Some(SsoInstance {
                arn: INSTANCE.into(),
                identity_store_id: "d-1".into(),
            }),
            groups: BTreeMap::from([("devs".into(), "g-devs".into()), ("ops".into(), "g-ops".into())]),
            ..SsoState::default()
        };
        o
    }

    fn owned(name: &str, session: &str, details: PermissionSetDetails) -> PermissionSet {
        PermissionSet {
            arn: format!("{INSTANCE}/ps-{name}"),
            name: name.into(),
            description: None,
            session_duration: Some(session.into()),
            relay_state: None,
            owned: true,
            details: Some(details),
        }
    }

    fn addresses(plan: &Plan) -> Vec<String> {
        plan.changes
            .iter()
            .map(|c| format!("{} {}", c.action.symbol(), c.address))
            .collect()
    }

    const DEV: &str = r#"
[[sso.permission_set]]
name = "Dev"
session_duration = "PT1H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]

[[sso.assignment]]
permission_set = "Dev"
groups = ["devs"]
targets = ["ou:Workloads"]
"#;

    #[test]
    fn suspended_accounts_get_no_assignments_from_ou_targets() {
        let mut o = observed();
        o.org.accounts.push(Account {
            suspended: true,
            ..account("333333333333", "closed")
        });
        o.org
            .ou_accounts
            .get_mut("ou-work")
            .unwrap()
            .push("333333333333".to_owned());
        let plan = compute(&baseline(DEV), &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
        let lines = addresses(&plan);
        assert!(
            lines.contains(&"+ sso.assignment:Dev group:devs -> account:111111111111".to_owned()),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("333333333333")), "{lines:?}");
    }

    #[test]
    fn an_ou_target_covers_every_account_below_it_including_ones_this_plan_creates() {
        let b = baseline(DEV);
        let plan = compute(&b, &observed(), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
        let lines = addresses(&plan);
        assert!(lines.contains(&"+ sso.permission_set:Dev".to_owned()), "{lines:?}");
        assert!(
            lines.contains(&"+ sso.assignment:Dev group:devs -> account:111111111111".to_owned()),
            "{lines:?}"
        );
        // payments is created by this plan and moved into Workloads/Prod, below Workloads.
        let new = plan
            .find("sso.assignment:Dev group:devs -> account:payments")
            .unwrap_or_else(|| panic!("{lines:?}"));
        assert_eq!(
            new.depends_on,
            [
                "sso.permission_set:Dev",
                "account:payments",
                "account:payments -> ou:Workloads/Prod"
            ]
        );
        let Op::Sso(SsoOp {
            call:
                SsoCall::CreateAccountAssignment {
                    permission_set,
                    account,
                    ..
                },
            ..
        }) = &new.op
        else {
            panic!("{:?}", new.op)
        };
        assert_eq!(*permission_set, Ref::Planned("sso.permission_set:Dev".into()));
        assert_eq!(*account, Ref::Planned("account:payments".into()));
        // The management account is at the root, not in Workloads.
        assert!(!lines.iter().any(|l| l.ends_with("account:123456789012")), "{lines:?}");
    }

    #[test]
    fn equivalent_durations_and_policies_are_not_drift() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ops.json"),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:*"], "Resource": "*"}]}"#,
        )
        .unwrap();
        let text = baseline(DEV).source.text.to_string()
            + "\n[[sso.permission_set]]\nname = \"Ops\"\nsession_duration = \"PT2H\"\ninline_policy_file = \"ops.json\"\n";
        let b =
            baseline::parse(SourceFile::new(dir.path().join("baseline.toml"), text)).unwrap_or_else(|d| panic!("{d}"));
        let mut o = observed();
        o.sso.permission_sets = vec![
            owned(
                "Dev",
                "PT60M",
                PermissionSetDetails {
                    managed_policies: vec!["arn:aws:iam::aws:policy/PowerUserAccess".into()],
                    ..Default::default()
                },
            ),
            owned(
                "Ops",
                "PT7200S",
                PermissionSetDetails {
                    inline_policy: Some(
                        r#"{"Statement":{"Resource":"*","Action":"s3:*","Effect":"Deny"},"Version":"2012-10-17"}"#
                            .into(),
                    ),
                    ..Default::default()
                },
            ),
        ];
        o.sso.assignments = vec![Assignment {
            account_id: "111111111111".into(),
            permission_set_arn: format!("{INSTANCE}/ps-Dev"),
            principal_kind: PrincipalKind::Group,
            principal_id: "g-devs".into(),
        }];
        let plan = compute(&b, &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
        let sso: Vec<String> = addresses(&plan).into_iter().filter(|l| l.contains("sso.")).collect();
        // Only the account this plan creates still needs its assignment.
        assert_eq!(sso, ["+ sso.assignment:Dev group:devs -> account:payments"]);
    }

    #[test]
    fn unowned_sets_and_their_assignments_are_left_alone_and_orphans_wait_for_allow_delete() {
        let b = baseline(DEV);
        let mut o = observed();
        let mut theirs = owned("Billing", "PT1H", PermissionSetDetails::default());
        theirs.owned = false;
        let old = owned("Old", "PT1H", PermissionSetDetails::default());
        o.sso.permission_sets = vec![theirs, old];
        o.sso.assignments = vec![Assignment {
            account_id: "123456789012".into(),
            permission_set_arn: format!("{INSTANCE}/ps-Billing"),
            principal_kind: PrincipalKind::Group,
            principal_id: "g-devs".into(),
        }];
        let plan = compute(&b, &o, PlanOptions::default()).unwrap();
        assert!(
            !addresses(&plan).iter().any(|l| l.contains("Billing")),
            "{:?}",
            addresses(&plan)
        );
        assert_eq!(plan.orphans.len(), 1);
        assert_eq!(plan.orphans[0].address, "sso.permission_set:Old");
        let plan = compute(&b, &o, PlanOptions { allow_delete: true }).unwrap();
        assert!(addresses(&plan).contains(&"- sso.permission_set:Old".to_owned()));
    }

    #[test]
    fn a_missing_instance_or_unknown_target_is_an_error_at_the_baseline() {
        let b = baseline(DEV);
        let mut o = observed();
        o.sso.instance = None;
        let e = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
        assert!(e.contains("IAM Identity Center is not enabled in `us-east-1`"), "{e}");
        assert!(e.contains("baseline.toml:"), "{e}");

        let b = baseline(&DEV.replace("ou:Workloads", "ou:Nowhere"));
        let e = compute(&b, &observed(), PlanOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown target `ou:Nowhere`"), "{e}");
    }

    #[test]
    fn changes_to_an_owned_set_are_provisioned_after_them() {
        let b = baseline(DEV);
        let mut o = observed();
        o.sso.permission_sets = vec![owned(
            "Dev",
            "PT4H",
            PermissionSetDetails {
                managed_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
                ..Default::default()
            },
        )];
        let plan = compute(&b, &o, PlanOptions::default()).unwrap();
        let provision = plan.find("sso.permission_set:Dev.provision").expect("provisioned");
        assert_eq!(
            provision.depends_on,
            [
                "sso.permission_set:Dev",
                "sso.permission_set:Dev -> arn:aws:iam::aws:policy/PowerUserAccess",
                "sso.permission_set:Dev -> arn:aws:iam::aws:policy/ReadOnlyAccess",
            ]
        );
        // New assignments wait for the set's changes, so they get the new version.
        let assign = plan
            .find("sso.assignment:Dev group:devs -> account:111111111111")
            .unwrap();
        assert_eq!(assign.depends_on, provision.depends_on);
    }

    #[test]
    fn sso_changes_survive_a_saved_plan() {
        let b = baseline(DEV);
        let plan = compute(&b, &observed(), PlanOptions::default()).unwrap();
        let json = serde_json::to_string(&plan).unwrap();
        assert!(json.contains(r#""service":"sso","region":"us-east-1""#), "{json}");
        assert!(json.contains(r#""call":"CreateAccountAssignment""#), "{json}");
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan);
    }
}
