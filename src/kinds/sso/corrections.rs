//! Corrections to a live permission set plinth owns or adopts: one change per difference
//! from the baseline (the settings, each AWS managed policy, each customer managed
//! policy reference, the inline policy compared semantically, the permissions boundary),
//! then provisioning the new version (or an outdated copy) to the accounts that have it.

use serde_json::json;

use super::section::parse_iso_duration;
use super::*;
use crate::observed::{PermissionSet, PermissionSetDetails, PermissionSetSpec};
use crate::plan::{Action, Address, Change};

/// Corrections to an owned permission set, then provisioning; returns the addresses an
/// assignment of it must wait for.
pub(super) fn update_permission_set(
    plan: &mut Plan,
    live: &PermissionSet,
    want: &PermissionSetSpec,
    op: &dyn Fn(SsoCall) -> Op,
    adopted: Option<&Address>,
) -> Vec<Address> {
    let name = want.name.as_str();
    let details = live.details.clone().unwrap_or_default();
    let set = Corrections {
        addr: address(name),
        arn: &live.arn,
        details: &details,
        want,
        op,
    };
    let corrections = set
        .settings(live)
        .into_iter()
        .chain(set.managed_policies())
        .chain(set.customer_managed_policies())
        .chain(set.inline_policy())
        .chain(set.permissions_boundary());
    let mut changed: Vec<Address> = Vec::new();
    for mut change in corrections {
        changed.push(change.address.clone());
        // Every correction of an adopted set waits for its tag.
        change.depends_on.extend(adopted.cloned());
        plan.add(change);
    }
    if let Some(change) = set.provision(&changed, adopted) {
        plan.add(change);
    }
    changed
}

/// One live permission set against the baseline's spec: each method decides one part's
/// changes.
struct Corrections<'a> {
    addr: Address,
    arn: &'a str,
    details: &'a PermissionSetDetails,
    want: &'a PermissionSetSpec,
    op: &'a dyn Fn(SsoCall) -> Op,
}

impl Corrections<'_> {
    /// Description, session duration (compared as durations) and relay state: one update
    /// when any differs, its reason naming each that does.
    fn settings(&self, live: &PermissionSet) -> Option<Change> {
        let want = self.want;
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
        if differences.is_empty() {
            return None;
        }
        Some(
            Change::new(
                self.addr.clone(),
                Action::Update,
                format!(
                    "{} differ{} from the baseline",
                    join(&differences),
                    if differences.len() == 1 { "s" } else { "" }
                ),
                (self.op)(SsoCall::UpdatePermissionSet {
                    permission_set: self.arn.to_owned(),
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
        )
    }

    /// AWS managed policies: an attach for each the baseline lists that is not attached,
    /// then a detach for each attached one it does not list.
    fn managed_policies(&self) -> Vec<Change> {
        let (want, live) = (&self.want.managed_policies, &self.details.managed_policies);
        let attach = want.iter().filter(|p| !live.contains(p)).map(|p| {
            Change::new(
                self.addr.to(p),
                Action::Attach,
                "the baseline attaches this AWS managed policy",
                (self.op)(SsoCall::AttachManagedPolicy {
                    permission_set: self.arn.to_owned(),
                    policy_arn: p.clone(),
                }),
            )
        });
        let detach = live.iter().filter(|p| !want.contains(p)).map(|p| {
            Change::new(
                self.addr.to(p),
                Action::Detach,
                "attached, but not in the baseline",
                (self.op)(SsoCall::DetachManagedPolicy {
                    permission_set: self.arn.to_owned(),
                    policy_arn: p.clone(),
                }),
            )
        });
        attach.chain(detach).collect()
    }

    /// Customer managed policy references: an attach for each the baseline lists that is
    /// not referenced, then a detach for each referenced one it does not list.
    fn customer_managed_policies(&self) -> Vec<Change> {
        let (want, live) = (
            &self.want.customer_managed_policies,
            &self.details.customer_managed_policies,
        );
        let attach = want.iter().filter(|c| !live.contains(c)).map(|(n, path)| {
            Change::new(
                self.addr.to(format_args!("customer_managed:{path}{n}")),
                Action::Attach,
                "the baseline references this customer managed policy",
                (self.op)(SsoCall::AttachCustomerManagedPolicy {
                    permission_set: self.arn.to_owned(),
                    name: n.clone(),
                    path: path.clone(),
                }),
            )
        });
        let detach = live.iter().filter(|c| !want.contains(c)).map(|(n, path)| {
            Change::new(
                self.addr.to(format_args!("customer_managed:{path}{n}")),
                Action::Detach,
                "referenced, but not in the baseline",
                (self.op)(SsoCall::DetachCustomerManagedPolicy {
                    permission_set: self.arn.to_owned(),
                    name: n.clone(),
                    path: path.clone(),
                }),
            )
        });
        attach.chain(detach).collect()
    }

    /// The inline policy, compared semantically: put when the baseline's differs or the
    /// set has none, deleted when the baseline declares none.
    fn inline_policy(&self) -> Option<Change> {
        let inline_addr = self.addr.child("inline_policy");
        match &self.want.inline_policy {
            Some(policy) => {
                let doc: serde_json::Value = serde_json::from_str(policy).unwrap_or_default();
                crate::plan::policy_document_change(
                    inline_addr,
                    self.details.inline_policy.as_deref(),
                    &doc,
                    (
                        "the permission set has no inline policy",
                        "the inline policy differs from the baseline's file",
                    ),
                    |policy| {
                        (self.op)(SsoCall::PutInlinePolicy {
                            permission_set: self.arn.to_owned(),
                            policy,
                        })
                    },
                )
            }
            None => self.details.inline_policy.as_ref().map(|live_policy| {
                Change::new(
                    inline_addr,
                    Action::Delete,
                    "the permission set has an inline policy the baseline does not declare",
                    (self.op)(SsoCall::DeleteInlinePolicy {
                        permission_set: self.arn.to_owned(),
                    }),
                )
                .before(serde_json::from_str(live_policy).ok())
            }),
        }
    }

    /// The permissions boundary: put (a create, or an update of a different one) when the
    /// baseline declares one the set does not have, deleted when it declares none.
    fn permissions_boundary(&self) -> Option<Change> {
        let boundary_addr = self.addr.child("permissions_boundary");
        match (&self.details.permissions_boundary, &self.want.permissions_boundary) {
            (live_b, Some(b)) if live_b.as_ref() != Some(b) => Some(
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
                    (self.op)(SsoCall::PutPermissionsBoundary {
                        permission_set: self.arn.to_owned(),
                        boundary: b.clone(),
                    }),
                )
                .before(live_b.as_ref().map(|b| json!(b)))
                .after(Some(json!(b))),
            ),
            (Some(live_b), None) => Some(
                Change::new(
                    boundary_addr,
                    Action::Delete,
                    "the permission set has a permissions boundary the baseline does not declare",
                    (self.op)(SsoCall::DeletePermissionsBoundary {
                        permission_set: self.arn.to_owned(),
                    }),
                )
                .before(Some(json!(live_b))),
            ),
            _ => None,
        }
    }

    /// Provisioning the new version wherever the permission set is, after the corrections
    /// (`changed`) and the adoption; or, with no correction, provisioning it again to the
    /// accounts that have an outdated copy. `None` when neither is needed.
    fn provision(&self, changed: &[Address], adopted: Option<&Address>) -> Option<Change> {
        let stale = &self.details.stale_accounts;
        if changed.is_empty() && stale.is_empty() {
            return None;
        }
        let reason = if changed.is_empty() {
            format!(
                "{} account{} ha{} an outdated copy ({})",
                stale.len(),
                if stale.len() == 1 { "" } else { "s" },
                if stale.len() == 1 { "s" } else { "ve" },
                abbreviate(stale)
            )
        } else {
            "the permission set changes: every account that has it gets the new version".to_owned()
        };
        Some(
            Change::new(
                provision_address(&self.want.name),
                Action::Update,
                reason,
                (self.op)(SsoCall::ProvisionPermissionSet {
                    permission_set: self.arn.to_owned(),
                }),
            )
            .depends_on(changed.iter().chain(adopted).cloned().collect()),
        )
    }
}

fn settings_json(description: Option<&str>, session: Option<&str>, relay: Option<&str>) -> serde_json::Value {
    json!({
        "description": description,
        "session_duration": session,
        "relay_state": relay,
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
