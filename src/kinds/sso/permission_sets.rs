//! Permission sets: created when missing (tagged, with their policies and boundary),
//! corrected one difference at a time and provisioned again, orphans listed and deleted
//! only with `--allow-delete`.

use crate::kinds::common::orphan;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::section::{SsoSection, parse_iso_duration};
use super::*;
use crate::diag::Diagnostics;
use crate::kinds::common::adopt;
use crate::observed::{PermissionSet, PermissionSetDetails, PermissionSetSpec};
use crate::plan::{Action, Address, Change};

/// Plan the declared permission sets; returns the reference each assignment uses (with
/// the changes it waits for) and the names the baseline declares.
pub(super) fn plan_sets<'a>(
    cx: &Context<'_>,
    section: &'a SsoSection,
    op: &dyn Fn(SsoCall) -> Op,
    plan: &mut Plan,
    diags: &mut Diagnostics,
) -> (BTreeMap<&'a str, Needs>, BTreeSet<&'a str>) {
    let sso = &cx.observed.sso;
    let src = &cx.baseline.source;
    // Permission sets, and the reference each assignment will use.
    let mut set_refs: BTreeMap<&str, Needs> = BTreeMap::new();
    for decl in &section.permission_set {
        let decl = decl.get_ref();
        let name = decl.name.get_ref().as_str();
        let want = spec(cx.baseline, decl);
        match sso.permission_sets.iter().find(|p| p.name == name) {
            None => {
                let addr = address(name);
                plan.add(
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
            Some(PermissionSet {
                owned: false,
                managed_by: Some(other),
                ..
            }) => {
                diags.push(adopt::managed_elsewhere(
                    src,
                    decl.name.span(),
                    &format!("permission set `{name}`"),
                    other,
                ));
            }
            Some(live) => {
                let adopted = (!live.owned).then(|| {
                    let change = adopt::change(
                        &address(name),
                        &format!("permission set `{name}`"),
                        op(SsoCall::TagResource {
                            permission_set: live.arn.clone(),
                        }),
                    );
                    let addr = change.address.clone();
                    plan.add(change);
                    addr
                });
                let mut deps = update_permission_set(plan, live, &want, &op, adopted.as_ref());
                deps.extend(adopted);
                set_refs.insert(name, (Ref::Id(live.arn.clone()), deps));
            }
        }
    }

    // Orphans: owned permission sets the baseline no longer declares. One that carries
    // plinth's tag but another tool's sign is never plinth's: a warning, not an orphan.
    let declared: BTreeSet<&str> = section
        .permission_set
        .iter()
        .map(|d| d.get_ref().name.get_ref().as_str())
        .collect();
    for live in sso.permission_sets.iter().filter(|p| !declared.contains(p.name.as_str())) {
        if let Some(other) = live.managed_by.as_ref().filter(|o| o.plinth_tag) {
            plan.warnings
                .push(other.tag_ignored(&format!("permission set `{}`", live.name)));
        }
    }
    for live in sso
        .permission_sets
        .iter()
        .filter(|p| p.owned && !declared.contains(p.name.as_str()))
    {
        let addr = address(&live.name);
        let dropped = orphan::Dropped {
            address: addr.clone(),
            what: &format!("permission set `{}`", live.name),
            kept: None,
            with: Some("and its assignments"),
        };
        if orphan::delete_or_keep(plan, cx.options, dropped) {
            let delete = op(SsoCall::DeletePermissionSet {
                permission_set: live.arn.clone(),
            });
            plan.add(
                Change::new(addr, Action::Delete, format!("{}; its assignments go first", orphan::DELETE_REASON), delete)
                    .before(live.details.as_ref().map(|d| live_json(live, d))),
            );
        }
    }

    (set_refs, declared)
}

/// Corrections to an owned permission set, then provisioning; returns the addresses an
/// assignment of it must wait for.
fn update_permission_set(
    plan: &mut Plan,
    live: &PermissionSet,
    want: &PermissionSetSpec,
    op: &impl Fn(SsoCall) -> Op,
    adopted: Option<&Address>,
) -> Vec<Address> {
    let name = want.name.as_str();
    let addr = address(name);
    let arn = live.arn.clone();
    let details = live.details.clone().unwrap_or_default();
    let mut changed: Vec<Address> = Vec::new();
    // Every correction of an adopted set waits for its tag.
    let mut push = |plan: &mut Plan, mut change: Change| {
        changed.push(change.address.clone());
        change.depends_on.extend(adopted.cloned());
        plan.add(change);
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
                addr.to(p),
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
                addr.to(p),
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
                addr.to(format_args!("customer_managed:{path}{n}")),
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
                addr.to(format_args!("customer_managed:{path}{n}")),
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
    let inline_addr = addr.child("inline_policy");
    match &want.inline_policy {
        Some(policy) => {
            let doc: serde_json::Value = serde_json::from_str(policy).unwrap_or_default();
            if let Some(change) = crate::plan::policy_document_change(
                inline_addr.clone(),
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
                        inline_addr.clone(),
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
    let boundary_addr = addr.child("permissions_boundary");
    match (&details.permissions_boundary, &want.permissions_boundary) {
        (live_b, Some(b)) if live_b.as_ref() != Some(b) => push(
            plan,
            Change::new(
                boundary_addr.clone(),
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
                boundary_addr.clone(),
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
        .depends_on(changed.iter().chain(adopted).cloned().collect());
        plan.add(change);
    }
    changed
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
