//! What a plan takes away, in order: detaches after every attach to the same target, so a
//! target is never left bare, then deletes after their policy's detaches.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{Detach, Scope, State, TargetKey};
use crate::kinds::common::impact;
use crate::observed::Scp;
use crate::plan::impact::Effect;
use crate::plan::{Action, Address, Change, Need, Op, OrganizationsOp, Plan, Ref};
use crate::types::Target;

impl Scope<'_> {
    /// Add the attaches, then the detaches that may go, then the deletes whose policy is
    /// detached everywhere.
    pub(super) fn detach_and_delete(&self, plan: &mut Plan, st: State<'_>) {
        let State {
            final_sets,
            unknown,
            attaches,
            detaches,
            adopting,
            kept_on,
            deletes,
            ..
        } = st;
        // Each orphan's detaches, which its delete waits on.
        let mut orphan_detaches: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
        // Orphans that stay attached somewhere, so cannot be deleted.
        let mut blocked_deletes: BTreeSet<Address> = BTreeSet::new();
        let mut detach_changes = Vec::new();
        for detach in detaches {
            let key = TargetKey::Live(detach.target_id.clone());
            let known = !unknown.contains(&detach.target_id);
            let verdict = self.verdict(plan, &detach, final_sets.get(&key), known);
            if !matches!(verdict, Verdict::Detach) {
                match verdict {
                    Verdict::Keep(why) => plan.warnings.push(why),
                    // Decided once the target's attachments are read: no detach nor delete till then.
                    Verdict::Read(need) => plan.need(need),
                    Verdict::Detach => {}
                }
                if detach.orphan {
                    blocked_deletes.insert(detach.addr);
                }
                continue;
            }
            let depends_on: Vec<Address> = attaches
                .iter()
                .filter(|a| matches!(&a.op, Op::Organizations(OrganizationsOp::AttachPolicy { target: Ref::Id(t), .. }) if *t == detach.target_id))
                .map(|a| a.address.clone())
                .chain(adopting.get(&detach.policy_id).cloned())
                .collect();
            let change = self.detach(detach, depends_on, &kept_on, &mut orphan_detaches);
            detach_changes.push(change);
        }
        for change in attaches.into_iter().chain(detach_changes) {
            plan.add(change);
        }

        add_deletes(plan, deletes, &blocked_deletes, orphan_detaches);
    }

    /// Whether `detach` may happen. Kept, with the warning that says so, when its target
    /// may be one that live names make ambiguous, or when it would be left without a
    /// policy of a type that denies everything then (`final_set`: what the target keeps,
    /// all of it when `known`). When nothing known stays there but the target's
    /// attachments were not read, that read decides.
    fn verdict(&self, plan: &Plan, detach: &Detach, final_set: Option<&BTreeSet<String>>, known: bool) -> Verdict {
        let Detach { target_id, name, .. } = detach;
        let shown = self.cx.observed.org.describe_target(target_id);
        let noun = self.rules.noun;
        if plan.is_blocked(target_id) {
            return Verdict::Keep(format!(
                "kept `{name}` on `{shown}`: a target of the baseline that live names make ambiguous could mean it (see the errors); nothing is detached there until that is fixed"
            ));
        }
        if self.rules.keeps_one && final_set.is_some_and(BTreeSet::is_empty) {
            if !known {
                return Verdict::Read(self.need(target_id));
            }
            return Verdict::Keep(format!(
                "kept `{name}` on `{shown}`: it is the only {noun} there, and a target without {noun}s would deny everything; attach another {noun} (such as {}) first",
                self.rules.aws_default.unwrap_or("AWS's default")
            ));
        }
        Verdict::Detach
    }

    /// The change that detaches `detach`, after `depends_on`; an orphan's is recorded in
    /// `orphan_detaches` for its delete to wait on.
    fn detach(
        &self,
        detach: Detach,
        depends_on: Vec<Address>,
        kept_on: &BTreeMap<String, Vec<Target>>,
        orphan_detaches: &mut BTreeMap<Address, Vec<Address>>,
    ) -> Change {
        let Detach {
            policy_id,
            target_id,
            addr,
            name,
            orphan,
        } = detach;
        let org = &self.cx.observed.org;
        let shown = org.describe_target(&target_id);
        let change_addr = addr.to(&shown);
        if orphan {
            orphan_detaches.entry(addr).or_default().push(change_addr.clone());
        }
        let reason = if orphan {
            format!("`{name}` is being deleted and must be detached first")
        } else {
            format!("attached to `{shown}`, but the baseline does not attach `{name}` there")
        };
        let impact = impact::target_of(org, &target_id).and_then(|t| {
            let kept = if orphan { None } else { kept_on.get(&name) };
            self.reach(&name, Effect::Lose, &[t], kept.map(Vec::as_slice).unwrap_or_default())
        });
        let op = Op::Organizations(OrganizationsOp::DetachPolicy { policy_id, target_id });
        Change::new(change_addr, Action::Detach, reason, op)
            .depends_on(depends_on)
            .impact(impact)
    }
}

/// What becomes of one detach.
enum Verdict {
    Detach,
    /// Kept, with the warning that says why.
    Keep(String),
    /// Not known until this is read (`plan::Need`).
    Read(Need),
}

/// Delete each orphan that no blocked detach keeps attached, after its detaches.
fn add_deletes(
    plan: &mut Plan,
    deletes: Vec<(Address, &Scp)>,
    blocked: &BTreeSet<Address>,
    mut orphan_detaches: BTreeMap<Address, Vec<Address>>,
) {
    for (addr, p) in deletes {
        if blocked.contains(&addr) {
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
}
