//! Where each declared policy is attached, owned policies the baseline dropped, and the
//! limit on policies per target, which the attachments that remain must respect.

use crate::kinds::common::orphan;
use std::collections::BTreeSet;

use super::Desired;
use super::plan::{Detach, Scope, State, TargetKey};
use crate::diag::Diagnostic;
use crate::kinds::common::placement;
use crate::observed::Scp;
use crate::plan::impact::Effect;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};

impl<'a> Scope<'a> {
    /// The attachments `d` wants (and each target's final set), then the attachments of
    /// its live policy that it does not want, as detaches.
    pub(super) fn attachments(
        &self,
        plan: &mut Plan,
        st: &mut State<'a>,
        d: &Desired,
        policy_ref: &Ref,
        adopt_dep: &[Address],
    ) {
        let live = self.view.policies.iter().find(|p| p.name == d.name);
        let was_on = self.was_on(live);
        let policy_key = match policy_ref {
            Ref::Id(id) => id.clone(),
            Ref::Planned(a) => {
                st.planned_names.insert(a.to_string(), d.name.clone());
                a.to_string()
            }
        };
        let mut wanted: BTreeSet<TargetKey> = BTreeSet::new();
        for t in &d.attach {
            let target = t.get_ref();
            let (key, target_ref, target_dep) = match placement::target(self.cx, plan, target) {
                Ok((r, deps)) => {
                    let key = match &r {
                        Ref::Id(id) => TargetKey::Live(id.clone()),
                        Ref::Planned(addr) => TargetKey::Planned(addr.clone()),
                    };
                    (key, r, deps)
                }
                Err(why) => {
                    placement::report(self.cx, plan, &mut st.diags, target, t.span(), why);
                    continue;
                }
            };
            let org = &self.cx.observed.org;
            if !self.rules.affects_management_account
                && matches!(&key, TargetKey::Live(id) if *id == org.management_account_id)
            {
                plan.warnings.push(format!(
                    "`{}` is attached to `{target}`, the management account, which {}s never restrict; the attachment has no effect there",
                    d.address(),
                    self.rules.noun
                ));
            }
            wanted.insert(key.clone());
            st.attach_spans
                .entry(key.clone())
                .or_insert_with(|| (t.span(), target.to_string()));
            let live_targets: &[String] = live.map_or(&[], |p| p.targets.as_slice());
            let attached = matches!(&key, TargetKey::Live(id) if live_targets.contains(id));
            if !attached && let TargetKey::Live(id) = &key {
                st.gaining.insert(id.clone());
            }
            st.final_set(self, key).insert(policy_key.clone());
            if attached {
                continue;
            }
            let mut depends_on = self.type_dep.clone();
            depends_on.extend(adopt_dep.iter().cloned());
            if let Ref::Planned(a) = policy_ref {
                depends_on.push(a.clone());
            }
            depends_on.extend(target_dep);
            let op = Op::Organizations(OrganizationsOp::AttachPolicy {
                policy: policy_ref.clone(),
                target: target_ref,
            });
            let reason = format!("the baseline attaches `{}` to `{target}`", d.name);
            st.attaches.push(
                Change::new(d.address().to(target), Action::Attach, reason, op)
                    .depends_on(depends_on)
                    .impact(self.reach(&d.name, Effect::Gain, std::slice::from_ref(target), &was_on)),
            );
        }

        if let Some(p) = live {
            self.unwanted(st, d, p, &wanted);
        }
    }

    /// The attachments of `d`'s live policy `p` that it does not want (on no target of
    /// `wanted`), as detaches.
    fn unwanted(&self, st: &mut State<'a>, d: &Desired, p: &Scp, wanted: &BTreeSet<TargetKey>) {
        for target_id in &p.targets {
            let key = TargetKey::Live(target_id.clone());
            if wanted.contains(&key) {
                continue;
            }
            st.final_set(self, key).remove(&p.id);
            st.detaches.push(Detach {
                policy_id: p.id.clone(),
                target_id: target_id.clone(),
                addr: d.address(),
                name: d.name.clone(),
                orphan: false,
            });
        }
    }

    /// Owned policies the baseline no longer declares: kept as orphans, or, with
    /// `--allow-delete`, detached everywhere and deleted.
    pub(super) fn orphans(&self, plan: &mut Plan, st: &mut State<'a>, desired: &[Desired]) {
        let desired_names: BTreeSet<&str> = desired.iter().map(|d| d.name.as_str()).collect();
        let view = self.view;
        for p in view
            .policies
            .iter()
            .filter(|p| p.owned && !desired_names.contains(p.name.as_str()))
        {
            let addr = self.setup.base().child("orphan").child(&p.name);
            let n = p.targets.len();
            let dropped = orphan::Dropped {
                address: addr.clone(),
                what: &format!("{} `{}` ({})", self.rules.noun, p.name, p.id),
                kept: Some(format!("attached to {n} target{}", if n == 1 { "" } else { "s" })),
                with: None,
            };
            if !orphan::delete_or_keep(plan, self.cx.options, dropped) {
                continue;
            }
            for target_id in &p.targets {
                st.final_set(self, TargetKey::Live(target_id.clone())).remove(&p.id);
                st.detaches.push(Detach {
                    policy_id: p.id.clone(),
                    target_id: target_id.clone(),
                    addr: addr.clone(),
                    name: p.name.clone(),
                    orphan: true,
                });
            }
            st.deletes.push((addr, p));
        }
    }

    /// At most so many policies of the type per target, counting what is live and not
    /// plinth's (AWS's default policy too, where it is attached): the limit plinth knows,
    /// or the baseline's `[limits]`. Only targets the baseline attaches to are checked,
    /// and those whose attachments were read; a live one this plan attaches a policy to
    /// and whose attachments were not read is a need (`plan::Need`), checked once read,
    /// unless the count cannot reach the limit (`within_limit_unread`). The count is the
    /// peak: a target's detaches wait for its attaches, so what leaves it is still there
    /// while what comes is attached.
    pub(super) fn check_limits(&self, plan: &mut Plan, st: &mut State<'a>) {
        let baseline = self.cx.baseline;
        let limit = baseline.limits().per_target(self.setup.policy_type);
        let max = limit.value;
        for id in st.gaining.intersection(&st.unknown) {
            if !self.within_limit_unread(st, id, max) {
                plan.need(self.need(id));
            }
        }
        let mut diags = Vec::new();
        for (key, set) in &st.final_sets {
            let known = !matches!(key, TargetKey::Live(id) if st.unknown.contains(id));
            let leaving = leaving(st, key);
            if known
                && set.len() + leaving.len() > max
                && let Some((span, shown)) = st.attach_spans.get(key)
            {
                let name = |key: &String| match self.view.by_id(key) {
                    Some(p) => p.name.clone(),
                    None => st.planned_names.get(key).cloned().unwrap_or_else(|| key.clone()),
                };
                let names: Vec<String> = set.iter().map(name).collect();
                let error = if set.len() > max {
                    Diagnostic::error(format!(
                        "`{shown}` would carry {} {}; {}",
                        set.len(),
                        self.rules.nouns(),
                        limit.allows()
                    ))
                    .cause(format!("after this plan it would carry: {}", names.join(", ")))
                    .hint("policies plinth does not manage count too; merge policies, or attach some to a parent OU instead")
                } else {
                    let gone: Vec<String> = leaving.iter().map(name).collect();
                    Diagnostic::error(format!(
                        "`{shown}` would carry {} {} at once; {}",
                        set.len() + leaving.len(),
                        self.rules.nouns(),
                        limit.allows()
                    ))
                    .cause(format!(
                        "plinth attaches before it detaches, so a target is never left without a policy: {} stay until {} {} attached",
                        gone.join(", "),
                        names.join(", "),
                        if names.len() == 1 { "is" } else { "are" }
                    ))
                    .hint(format!(
                        "make room first: take {} off this target in one run and attach the new ones in the next, or detach a policy plinth does not manage",
                        gone.join(", ")
                    ))
                };
                diags.push(error.at(&baseline.source, span.clone()));
            }
        }
        for d in diags {
            st.diags.push(d);
        }
    }

    /// Whether live target `id`, whose attachments were not read, stays within `max`
    /// whatever they are: it carries at most what the policies with read targets show
    /// (its final set) and every policy of the type whose targets were not read (AWS's
    /// default policy among them). Within the limit so, no read can change the decision.
    fn within_limit_unread(&self, st: &State<'a>, id: &str, max: usize) -> bool {
        let key = TargetKey::Live(id.to_owned());
        let shown = st.final_sets.get(&key).map_or(0, BTreeSet::len) + leaving(st, &key).len();
        let unread = self.view.policies.iter().filter(|p| !p.targets_read).count();
        shown + unread <= max
    }
}

/// The policies this plan detaches from `key`: still there while its attaches run.
fn leaving(st: &State<'_>, key: &TargetKey) -> BTreeSet<String> {
    let TargetKey::Live(id) = key else {
        return BTreeSet::new();
    };
    st.detaches
        .iter()
        .filter(|d| d.target_id == *id)
        .map(|d| d.policy_id.clone())
        .collect()
}
