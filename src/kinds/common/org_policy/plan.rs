//! Planning one policy type: trusted access and the type enabled on the root when
//! needed, each declared policy's content and description, where it is attached, and
//! owned policies the baseline dropped.
//!
//! Rules: plinth changes only policies tagged `managed-by=plinth` and bearing no sign of
//! another tool (`observed::ownership`: such a policy is never owned, whatever its tags,
//! and one left out of the baseline is a warning, never an orphan); a same-named policy
//! without the tag is adopted (tagged, then corrected like an owned one), unless AWS or
//! another tool manages it (an error); no target ends up with more policies of the type
//! than AWS allows (its default policy counted); attachments go before detachments; the
//! last SCP or RCP of a target is never detached; orphans are deleted only with
//! `--allow-delete`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Desired;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Context;
use crate::kinds::common::{adopt, impact, placement};
use crate::observed::OtherManager;
use crate::plan::impact::Effect;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Orphan, Plan, Ref};
use crate::policy;
use crate::types::Target;
use crate::types::policy_types::{PolicyType, Syntax};

/// What a kind tells the engine beyond its documents.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// The kind's registry name: the first part of every address.
    pub kind: &'static str,
    pub policy_type: PolicyType,
    /// Where the type's own addresses go below the kind: `None` for a kind of one type
    /// (`scp.policy_type`), the type's key for a kind of several
    /// (`management_policy.backup.policy_type`).
    pub group: Option<&'static str>,
    /// Whether the type's service principal has trusted access (read by the kind when
    /// the type needs it; `None` when it does not).
    pub trusted_access: Option<bool>,
}

impl Setup {
    /// The start of the type's own addresses (`scp`, `management_policy.backup`).
    pub fn base(&self) -> Address {
        let kind = Address::kind_root(self.kind);
        match self.group {
            Some(group) => kind.child(group),
            None => kind,
        }
    }
}

/// A target as the plan knows it: live, or created earlier in this plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TargetKey {
    Live(String),
    Planned(Address),
}

/// Add the changes that make the organization's policies of one type match `desired`.
pub fn plan(cx: &Context<'_>, plan: &mut Plan, setup: Setup, desired: &[Desired]) -> Result<(), Diagnostics> {
    let policy_type = setup.policy_type;
    let rules = policy_type.rules();
    let noun = rules.noun;
    let baseline = cx.baseline;
    let org = &cx.observed.org;
    let view = org.policies_of(policy_type);
    let src = &baseline.source;
    warn_claimed(plan, noun, view.policies, desired);
    if desired.is_empty() && !view.policies.iter().any(|p| p.owned) {
        return Ok(());
    }
    let mut diags = Diagnostics::default();
    let placement = placement::Placement::new(cx, plan);
    // Accounts `targets` reach that no attachment in `elsewhere` already (or still) covers.
    let reach = |name: &str, effect, targets: &[Target], elsewhere: &[Target]| {
        impact::policy(org, &placement, policy_type, name, effect, (targets, elsewhere))
    };
    // Where each declared policy ends up attached, for what its detaches really take away.
    let mut kept_on: BTreeMap<String, Vec<Target>> = BTreeMap::new();

    // The type is enabled when something will be attached: a declared policy attached
    // nowhere (as `plinth import` writes one) needs no change to the root.
    let type_dep = if !view.enabled && desired.iter().any(|d| !d.attach.is_empty()) {
        super::enable::enable(plan, setup, &org.root_id)
    } else {
        vec![]
    };

    // The policy ids each target will carry once the plan is applied, starting from what is live.
    let mut final_sets: BTreeMap<TargetKey, BTreeSet<String>> = BTreeMap::new();
    // AWS's own policy of the type (FullAWSAccess, RCPFullAWSAccess), on every target once enabled.
    let default_id: Option<String> = rules.aws_default.map(|name| {
        view.policies
            .iter()
            .find(|p| p.aws_managed && p.name == name)
            .map_or_else(|| format!("p-{name}"), |p| p.id.clone())
    });
    let fresh = || -> BTreeSet<String> { default_id.iter().cloned().collect() };
    let live_set = |id: &str| -> BTreeSet<String> {
        match view.attached.get(id) {
            Some(ids) if view.enabled => ids.iter().cloned().collect(),
            // Enabling the policy type, or creating an OU, attaches AWS's default policy.
            _ => fresh(),
        }
    };
    // Where each attachment comes from in the baseline, to point errors at it.
    let mut attach_spans: BTreeMap<TargetKey, (std::ops::Range<usize>, String)> = BTreeMap::new();
    let mut attaches = Vec::new();
    let mut detaches = Vec::new();
    // Policies this plan adopts, by id: their other changes wait for the tag.
    let mut adopting: BTreeMap<String, Address> = BTreeMap::new();

    for d in desired {
        let addr = d.address();
        let targets: Vec<Target> = d.attach.iter().map(|t| t.get_ref().clone()).collect();
        kept_on.insert(d.name.clone(), targets.clone());
        let live = view.policies.iter().find(|p| p.name == d.name);
        let was_on: Vec<Target> = live
            .iter()
            .flat_map(|p| &p.targets)
            .filter_map(|id| impact::target_of(org, id))
            .collect();
        let mut adopt_dep = vec![];
        let policy_ref = match live {
            Some(p) if !p.owned && (p.aws_managed || p.managed_by.is_some()) => {
                let aws = OtherManager {
                    tool: "AWS".into(),
                    sign: "an AWS managed policy".into(),
                    plinth_tag: false,
                };
                let other = p.managed_by.as_ref().unwrap_or(&aws);
                let what = format!("{} named `{}` ({})", rules.a_noun, d.name, p.id);
                diags.push(adopt::managed_elsewhere(src, d.span.clone(), &what, other));
                continue;
            }
            Some(p) => {
                if !p.owned {
                    let change = adopt::change(
                        &addr,
                        &format!("{noun} `{}` ({})", d.name, p.id),
                        Op::Organizations(OrganizationsOp::TagResource {
                            resource_id: p.id.clone(),
                        }),
                    );
                    adopt_dep.push(change.address.clone());
                    adopting.insert(p.id.clone(), change.address.clone());
                    plan.add(change);
                }
                let live_doc: Option<Value> = p.content.as_deref().and_then(|c| serde_json::from_str(c).ok());
                let content_differs = match &live_doc {
                    Some(doc) => !policy::equivalent(rules.syntax, doc, &d.document),
                    None => true,
                };
                let description_differs = p.description != d.description;
                if content_differs || description_differs {
                    let mut reasons = Vec::new();
                    let statement_diff = match &live_doc {
                        Some(doc) if content_differs => policy::diff(rules.syntax, doc, &d.document),
                        _ => vec![],
                    };
                    if content_differs {
                        reasons.push(match &live_doc {
                            Some(_) => format!(
                                "content differs from the baseline ({} {}{} changed)",
                                statement_diff.len(),
                                match rules.syntax {
                                    Syntax::Iam => "statement",
                                    Syntax::Management { .. } => "attribute",
                                },
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
                    let op = Op::Organizations(OrganizationsOp::UpdatePolicy {
                        policy_id: p.id.clone(),
                        description: d.description.clone(),
                        content: d.content.clone(),
                    });
                    let mut update = Change::new(addr.clone(), Action::Update, reasons.join("; "), op)
                        .before(live_doc.clone().or_else(|| p.content.clone().map(Value::String)))
                        .after(Some(d.document.clone()))
                        .depends_on(adopt_dep.clone())
                        // A new description changes nothing an account can do.
                        .impact(
                            content_differs
                                .then(|| reach(&d.name, Effect::Change, &targets, &[]))
                                .flatten(),
                        );
                    update.statement_diff = statement_diff;
                    plan.add(update);
                }
                Ref::Id(p.id.clone())
            }
            None => {
                let op = Op::Organizations(OrganizationsOp::CreatePolicy {
                    policy_type,
                    name: d.name.clone(),
                    description: d.description.clone(),
                    content: d.content.clone(),
                });
                let reason = format!("no {noun} named `{}` in the organization", d.name);
                plan.add(Change::new(addr.clone(), Action::Create, reason, op).after(Some(d.document.clone())));
                Ref::Planned(addr.clone())
            }
        };
        let policy_key = match &policy_ref {
            Ref::Id(id) => id.clone(),
            Ref::Planned(a) => a.to_string(),
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
                    placement::report(cx, plan, &mut diags, target, t.span(), why);
                    continue;
                }
            };
            if !rules.affects_management_account
                && matches!(&key, TargetKey::Live(id) if *id == org.management_account_id)
            {
                plan.warnings.push(format!(
                    "`{addr}` is attached to `{target}`, the management account, which {noun}s never restrict; the attachment has no effect there"
                ));
            }
            wanted.insert(key.clone());
            attach_spans
                .entry(key.clone())
                .or_insert_with(|| (t.span(), target.to_string()));
            let live_targets: &[String] = live.map_or(&[], |p| p.targets.as_slice());
            let attached = matches!(&key, TargetKey::Live(id) if live_targets.contains(id));
            final_sets
                .entry(key.clone())
                .or_insert_with(|| match &key {
                    TargetKey::Live(id) => live_set(id),
                    TargetKey::Planned(_) => fresh(),
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
            let op = Op::Organizations(OrganizationsOp::AttachPolicy {
                policy: policy_ref.clone(),
                target: target_ref,
            });
            let reason = format!("the baseline attaches `{}` to `{target}`", d.name);
            attaches.push(
                Change::new(addr.to(target), Action::Attach, reason, op)
                    .depends_on(depends_on)
                    .impact(reach(&d.name, Effect::Gain, std::slice::from_ref(target), &was_on)),
            );
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

    // Owned policies the baseline no longer declares.
    let desired_names: BTreeSet<&str> = desired.iter().map(|d| d.name.as_str()).collect();
    let mut deletes = Vec::new();
    for p in view
        .policies
        .iter()
        .filter(|p| p.owned && !desired_names.contains(p.name.as_str()))
    {
        let addr = setup.base().child("orphan").child(&p.name);
        if !cx.options.allow_delete {
            plan.orphans.push(Orphan {
                address: addr,
                reason: format!(
                    "{noun} `{}` ({}) is managed by plinth but no longer in the baseline; kept, attached to {} target{}; run with `--allow-delete` to delete it",
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

    // At most so many policies of the type per target, counting what is live and not
    // plinth's (AWS's default policy too, where it is attached): the limit plinth knows,
    // or the baseline's `[limits]`.
    let limit = baseline.limits().per_target(policy_type);
    let max = limit.value;
    for (key, set) in &final_sets {
        if set.len() > max
            && let Some((span, shown)) = attach_spans.get(key)
        {
            let prefix = format!("{}.", setup.base().as_str());
            let names: Vec<String> = set
                .iter()
                .map(|id| {
                    view.by_id(id)
                        .map_or_else(|| id.trim_start_matches(prefix.as_str()).to_owned(), |p| p.name.clone())
                })
                .collect();
            diags.push(
                Diagnostic::error(format!(
                    "`{shown}` would carry {} {}; {}",
                    set.len(),
                    rules.nouns(),
                    limit.allows()
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
    let mut orphan_detaches: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    // Orphans that stay attached somewhere, so cannot be deleted.
    let mut blocked_deletes: BTreeSet<Address> = BTreeSet::new();
    let mut detach_changes = Vec::new();
    for (policy_id, target_id, addr, name, orphan) in detaches {
        let key = TargetKey::Live(target_id.clone());
        let shown = org.describe_target(&target_id);
        let change_addr = addr.to(&shown);
        if plan.is_blocked(&target_id) {
            plan.warnings.push(format!(
                "kept `{name}` on `{shown}`: a target of the baseline that live names make ambiguous could mean it (see the errors); nothing is detached there until that is fixed"
            ));
            if orphan {
                blocked_deletes.insert(addr);
            }
            continue;
        }
        if rules.keeps_one && final_sets.get(&key).is_some_and(BTreeSet::is_empty) {
            plan.warnings.push(format!(
                "kept `{name}` on `{shown}`: it is the only {noun} there, and a target without {noun}s would deny everything; attach another {noun} (such as {}) first",
                rules.aws_default.unwrap_or("AWS's default")
            ));
            if orphan {
                blocked_deletes.insert(addr);
            }
            continue;
        }
        let depends_on: Vec<Address> = attaches
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
        let reason = if orphan {
            format!("`{name}` is being deleted and must be detached first")
        } else {
            format!("attached to `{shown}`, but the baseline does not attach `{name}` there")
        };
        let impact = impact::target_of(org, &target_id).and_then(|t| {
            let kept = if orphan { None } else { kept_on.get(&name) };
            reach(&name, Effect::Lose, &[t], kept.map(Vec::as_slice).unwrap_or_default())
        });
        let op = Op::Organizations(OrganizationsOp::DetachPolicy { policy_id, target_id });
        detach_changes.push(
            Change::new(change_addr, Action::Detach, reason, op)
                .depends_on(depends_on)
                .impact(impact),
        );
    }
    for change in attaches.into_iter().chain(detach_changes) {
        plan.add(change);
    }

    for (addr, p) in deletes {
        if blocked_deletes.contains(&addr) {
            continue;
        }
        let depends_on = orphan_detaches.remove(&addr).unwrap_or_default();
        let op = Op::Organizations(OrganizationsOp::DeletePolicy {
            policy_id: p.id.clone(),
        });
        let reason = "managed by plinth, no longer in the baseline, and `--allow-delete` was given";
        plan.add(
            Change::new(addr, Action::Delete, reason, op)
                .before(p.content.as_deref().and_then(|c| serde_json::from_str(c).ok()))
                .depends_on(depends_on),
        );
    }
    Ok(())
}

/// Policies the baseline does not declare that carry plinth's tag but another tool's sign:
/// never plinth's (so neither orphans nor deleted), and said so, since someone put the tag there.
fn warn_claimed(plan: &mut Plan, noun: &str, policies: &[crate::observed::Scp], desired: &[Desired]) {
    for p in policies {
        if let Some(other) = p.managed_by.as_ref().filter(|o| o.plinth_tag)
            && !desired.iter().any(|d| d.name == p.name)
        {
            plan.warnings
                .push(other.tag_ignored(&format!("{noun} `{}` ({})", p.name, p.id)));
        }
    }
}
