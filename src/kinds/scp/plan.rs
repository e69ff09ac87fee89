//! Service control policies: the SCP policy type, each declared policy's content and
//! description, where it is attached, and owned policies the baseline dropped.
//!
//! Rules: plinth changes only SCPs tagged `managed-by=plinth`; a same-named SCP without
//! the tag is adopted (tagged, then corrected like an owned one), unless AWS or another
//! tool manages it (an error); no target ends up with more than 5 SCPs; the last SCP of a
//! target is never detached; orphans are deleted only with `--allow-delete`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Kind, Scps};
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Context;
use crate::kinds::common::{adopt, placement};
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Orphan, Plan, Ref};
use crate::policy::{self, MAX_SCPS_PER_TARGET, normalize};

pub const POLICY_TYPE_ADDRESS: &str = "scp.policy_type";
const FULL_AWS_ACCESS: &str = "FullAWSAccess";

/// A target as the plan knows it: live, or created earlier in this plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TargetKey {
    Live(String),
    Planned(String),
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let baseline = cx.baseline;
    let org = &cx.observed.org;
    let src = &baseline.source;
    let (desired, warnings) = super::desired::desired_scps(baseline);
    plan.warnings.extend(warnings);
    if desired.is_empty() && !org.scps.iter().any(|p| p.owned) {
        return Ok(());
    }
    let mut diags = Diagnostics::default();

    let mut type_dep = vec![];
    if !org.scp_enabled && !desired.is_empty() {
        plan.changes.push(Change {
            kind: Scps::NAME.to_owned(),
            address: POLICY_TYPE_ADDRESS.into(),
            action: Action::Enable,
            reason: "the SERVICE_CONTROL_POLICY type is not enabled on the root".into(),
            before: None,
            after: None,
            statement_diff: vec![],
            depends_on: vec![],
            op: Op::Organizations(OrganizationsOp::EnablePolicyType {
                root_id: org.root_id.clone(),
                policy_type: "SERVICE_CONTROL_POLICY".into(),
            }),
        });
        type_dep.push(POLICY_TYPE_ADDRESS.to_owned());
    }

    // The SCP ids each target will carry once the plan is applied, starting from what is live.
    let mut final_sets: BTreeMap<TargetKey, BTreeSet<String>> = BTreeMap::new();
    let full_access_id = org
        .scps
        .iter()
        .find(|p| p.aws_managed && p.name == FULL_AWS_ACCESS)
        .map_or_else(|| "p-FullAWSAccess".to_owned(), |p| p.id.clone());
    let live_set = |id: &str| -> BTreeSet<String> {
        match org.attached.get(id) {
            Some(ids) if org.scp_enabled => ids.iter().cloned().collect(),
            // Enabling the policy type, or creating an OU, attaches FullAWSAccess.
            _ => BTreeSet::from([full_access_id.clone()]),
        }
    };
    // Where each attachment comes from in the baseline, to point errors at it.
    let mut attach_spans: BTreeMap<TargetKey, (std::ops::Range<usize>, String)> = BTreeMap::new();
    let mut attaches = Vec::new();
    let mut detaches = Vec::new();
    // Policies this plan adopts, by id: their other changes wait for the tag.
    let mut adopting: BTreeMap<String, String> = BTreeMap::new();

    for d in &desired {
        let addr = d.address();
        let live = org.scps.iter().find(|p| p.name == d.name);
        let mut adopt_dep = vec![];
        let policy_ref = match live {
            Some(p) if !p.owned && (p.aws_managed || p.managed_by.is_some()) => {
                let other = p.managed_by.as_deref().unwrap_or("AWS (an AWS managed policy)");
                let what = format!("an SCP named `{}` ({})", d.name, p.id);
                diags.push(adopt::managed_elsewhere(src, d.span.clone(), &what, other));
                continue;
            }
            Some(p) => {
                if !p.owned {
                    let change = adopt::change(
                        &Address::new(Scps::NAME, addr.clone()),
                        &format!("SCP `{}` ({})", d.name, p.id),
                        Op::Organizations(OrganizationsOp::TagResource {
                            resource_id: p.id.clone(),
                        }),
                    );
                    adopt_dep.push(change.address.clone());
                    adopting.insert(p.id.clone(), change.address.clone());
                    plan.changes.push(change);
                }
                let live_doc: Option<Value> = p.content.as_deref().and_then(|c| serde_json::from_str(c).ok());
                let content_differs = match &live_doc {
                    Some(doc) => !normalize::equivalent(doc, &d.document),
                    None => true,
                };
                let description_differs = p.description != d.description;
                if content_differs || description_differs {
                    let mut reasons = Vec::new();
                    let statement_diff = match &live_doc {
                        Some(doc) if content_differs => policy::diff::diff(doc, &d.document),
                        _ => vec![],
                    };
                    if content_differs {
                        reasons.push(match &live_doc {
                            Some(_) => format!(
                                "content differs from the baseline ({} statement{} changed)",
                                statement_diff.len(),
                                if statement_diff.len() == 1 { "" } else { "s" }
                            ),
                            None => "live content is not valid JSON".to_owned(),
                        });
                    }
                    if description_differs {
                        reasons.push(format!(
                            "description is `{}`, baseline says `{}`",
                            p.description, d.description
                        ));
                    }
                    plan.changes.push(Change {
                        kind: Scps::NAME.to_owned(),
                        address: addr.clone(),
                        action: Action::Update,
                        reason: reasons.join("; "),
                        before: live_doc.clone().or_else(|| p.content.clone().map(Value::String)),
                        after: Some(d.document.clone()),
                        statement_diff,
                        depends_on: adopt_dep.clone(),
                        op: Op::Organizations(OrganizationsOp::UpdatePolicy {
                            policy_id: p.id.clone(),
                            description: d.description.clone(),
                            content: d.content.clone(),
                        }),
                    });
                }
                Ref::Id(p.id.clone())
            }
            None => {
                plan.changes.push(Change {
                    kind: Scps::NAME.to_owned(),
                    address: addr.clone(),
                    action: Action::Create,
                    reason: format!("no SCP named `{}` in the organization", d.name),
                    before: None,
                    after: Some(d.document.clone()),
                    statement_diff: vec![],
                    depends_on: vec![],
                    op: Op::Organizations(OrganizationsOp::CreatePolicy {
                        name: d.name.clone(),
                        description: d.description.clone(),
                        content: d.content.clone(),
                    }),
                });
                Ref::Planned(addr.clone())
            }
        };
        let policy_key = match &policy_ref {
            Ref::Id(id) => id.clone(),
            Ref::Planned(a) => a.clone(),
        };

        // Attachments the baseline wants.
        let mut wanted: BTreeSet<TargetKey> = BTreeSet::new();
        for t in &d.attach {
            let target = t.get_ref();
            let (key, target_ref, target_dep) = match placement::target(cx, plan, target).map(|(r, deps)| {
                let key = match &r {
                    Ref::Id(id) => TargetKey::Live(id.clone()),
                    Ref::Planned(addr) => TargetKey::Planned(addr.clone()),
                };
                (key, r, deps)
            }) {
                Ok(r) => r,
                Err(why) => {
                    diags.push(placement::unknown_target(cx, target, t.span(), &why));
                    continue;
                }
            };
            if matches!(&key, TargetKey::Live(id) if *id == org.management_account_id) {
                plan.warnings.push(format!(
                    "`{addr}` is attached to `{target}`, the management account, which SCPs never restrict; the attachment has no effect there"
                ));
            }
            wanted.insert(key.clone());
            attach_spans
                .entry(key.clone())
                .or_insert_with(|| (t.span(), target.to_string()));
            let live_targets: &[String] = live.map(|p| p.targets.as_slice()).unwrap_or(&[]);
            let attached = matches!(&key, TargetKey::Live(id) if live_targets.contains(id));
            final_sets
                .entry(key.clone())
                .or_insert_with(|| match &key {
                    TargetKey::Live(id) => live_set(id),
                    TargetKey::Planned(_) => BTreeSet::from([full_access_id.clone()]),
                })
                .insert(policy_key.clone());
            if attached {
                continue;
            }
            let mut depends_on = type_dep.clone();
            depends_on.extend(adopt_dep.iter().cloned());
            if let Ref::Planned(a) = &policy_ref {
                depends_on.push(a.clone());
            }
            depends_on.extend(target_dep);
            attaches.push(Change {
                kind: Scps::NAME.to_owned(),
                address: format!("{addr} -> {target}"),
                action: Action::Attach,
                reason: format!("the baseline attaches `{}` to `{target}`", d.name),
                before: None,
                after: None,
                statement_diff: vec![],
                depends_on,
                op: Op::Organizations(OrganizationsOp::AttachPolicy {
                    policy: policy_ref.clone(),
                    target: target_ref,
                }),
            });
        }

        // Attachments of an owned policy the baseline does not want.
        if let Some(p) = live {
            for target_id in &p.targets {
                if wanted.contains(&TargetKey::Live(target_id.clone())) {
                    continue;
                }
                let key = TargetKey::Live(target_id.clone());
                final_sets
                    .entry(key)
                    .or_insert_with(|| live_set(target_id))
                    .remove(&p.id);
                detaches.push((p.id.clone(), target_id.clone(), addr.clone(), d.name.clone(), false));
            }
        }
    }

    // Owned SCPs the baseline no longer declares.
    let desired_names: BTreeSet<&str> = desired.iter().map(|d| d.name.as_str()).collect();
    let mut deletes = Vec::new();
    for p in org
        .scps
        .iter()
        .filter(|p| p.owned && !desired_names.contains(p.name.as_str()))
    {
        let addr = format!("scp.orphan.{}", p.name);
        if !cx.options.allow_delete {
            plan.orphans.push(Orphan {
                address: addr,
                reason: format!(
                    "SCP `{}` ({}) is managed by plinth but no longer in the baseline; kept, attached to {} target{}; run with `--allow-delete` to delete it",
                    p.name,
                    p.id,
                    p.targets.len(),
                    if p.targets.len() == 1 { "" } else { "s" }
                ),
            });
            continue;
        }
        for target_id in &p.targets {
            final_sets
                .entry(TargetKey::Live(target_id.clone()))
                .or_insert_with(|| live_set(target_id))
                .remove(&p.id);
            detaches.push((p.id.clone(), target_id.clone(), addr.clone(), p.name.clone(), true));
        }
        deletes.push((addr, p));
    }

    // At most 5 SCPs per target, counting what is live and not plinth's.
    for (key, set) in &final_sets {
        if set.len() > MAX_SCPS_PER_TARGET
            && let Some((span, shown)) = attach_spans.get(key)
        {
            let names: Vec<String> = set
                .iter()
                .map(|id| {
                    org.scp_by_id(id)
                        .map_or_else(|| id.trim_start_matches("scp.").to_owned(), |p| p.name.clone())
                })
                .collect();
            diags.push(
                Diagnostic::error(format!(
                    "`{shown}` would carry {} SCPs; AWS allows {MAX_SCPS_PER_TARGET}",
                    set.len()
                ))
                .at(src, span.clone())
                .cause(format!("after this plan it would carry: {}", names.join(", ")))
                .hint(
                    "policies plinth does not manage count too; merge policies, or attach some to a parent OU instead",
                ),
            );
        }
    }

    if !diags.is_empty() {
        return Err(diags);
    }

    // Detaches go after every attach to the same target, so a target is never left bare.
    let mut orphan_detaches: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Orphans that stay attached somewhere, so cannot be deleted.
    let mut blocked_deletes: BTreeSet<String> = BTreeSet::new();
    let mut detach_changes = Vec::new();
    for (policy_id, target_id, addr, name, orphan) in detaches {
        let key = TargetKey::Live(target_id.clone());
        let shown = org.describe_target(&target_id);
        let change_addr = format!("{addr} -> {shown}");
        if final_sets.get(&key).is_some_and(BTreeSet::is_empty) {
            plan.warnings.push(format!(
                "kept `{name}` on `{shown}`: it is the only SCP there, and a target without SCPs would deny everything; attach another SCP (such as FullAWSAccess) first"
            ));
            if orphan {
                blocked_deletes.insert(addr);
            }
            continue;
        }
        let depends_on: Vec<String> = attaches
            .iter()
            .filter(|a| matches!(&a.op, Op::Organizations(OrganizationsOp::AttachPolicy { target: Ref::Id(t), .. }) if *t == target_id))
            .map(|a| a.address.clone())
            .chain(adopting.get(&policy_id).cloned())
            .collect();
        if orphan {
            orphan_detaches
                .entry(addr.clone())
                .or_default()
                .push(change_addr.clone());
        }
        detach_changes.push(Change {
            kind: Scps::NAME.to_owned(),
            address: change_addr,
            action: Action::Detach,
            reason: if orphan {
                format!("`{name}` is being deleted and must be detached first")
            } else {
                format!("attached to `{shown}`, but the baseline does not attach `{name}` there")
            },
            before: None,
            after: None,
            statement_diff: vec![],
            depends_on,
            op: Op::Organizations(OrganizationsOp::DetachPolicy { policy_id, target_id }),
        });
    }
    plan.changes.extend(attaches);
    plan.changes.extend(detach_changes);

    for (addr, p) in deletes {
        if blocked_deletes.contains(&addr) {
            continue;
        }
        let depends_on = orphan_detaches.remove(&addr).unwrap_or_default();
        plan.changes.push(Change {
            kind: Scps::NAME.to_owned(),
            address: addr,
            action: Action::Delete,
            reason: "managed by plinth, no longer in the baseline, and `--allow-delete` was given".into(),
            before: p.content.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            after: None,
            statement_diff: vec![],
            depends_on,
            op: Op::Organizations(OrganizationsOp::DeletePolicy {
                policy_id: p.id.clone(),
            }),
        });
    }
    Ok(())
}
