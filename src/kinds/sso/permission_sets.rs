//! Permission sets: created when missing (tagged, with their policies and boundary),
//! corrected one difference at a time and provisioned again (`corrections`), orphans
//! listed and deleted only with `--allow-delete`.

use crate::kinds::common::orphan;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::corrections;
use super::section::SsoSection;
use super::*;
use crate::diag::Diagnostics;
use crate::kinds::common::adopt;
use crate::observed::{PermissionSet, PermissionSetDetails, PermissionSetSpec};
use crate::plan::{Action, Change};

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
                let mut deps = corrections::update_permission_set(plan, live, &want, op, adopted.as_ref());
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
