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
//!
//! What a live target carries besides the policies whose targets plinth read is known
//! only where the engine read it for a [`crate::plan::Need`]: the planner records one
//! where a decision needs it (an attach adding a policy to the target, for the limit; a
//! detach where the type keeps one, when nothing known stays there) and decides nothing
//! else from a target it does not know.
//!
//! [`plan()`] runs the steps in order, each reading a [`Scope`] and adding to a [`State`]:
//! each declared policy's document (`document.rs`) and attachments, then orphans and
//! the per-target limit (`attach.rs`), then detaches and deletes (`detach.rs`).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::Desired;
use crate::diag::Diagnostics;
use crate::kinds::Context;
use crate::kinds::common::{impact, placement};
use crate::observed::{PolicyView, Scp};
use crate::plan::impact::{Effect, Impact};
use crate::plan::{Address, Change, Need, Plan};
use crate::types::Target;
use crate::types::policy_types::{PolicyType, TypeRules};

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
pub(super) enum TargetKey {
    Live(String),
    Planned(Address),
}

/// Add the changes that make the organization's policies of one type match `desired`.
pub fn plan(cx: &Context<'_>, plan: &mut Plan, setup: Setup, desired: &[Desired]) -> Result<(), Diagnostics> {
    let policy_type = setup.policy_type;
    let rules = policy_type.rules();
    let org = &cx.observed.org;
    let view = org.policies_of(policy_type);
    warn_claimed(plan, rules.noun, view.policies, desired);
    if desired.is_empty() && !view.policies.iter().any(|p| p.owned) {
        return Ok(());
    }
    let placement = placement::Placement::new(cx, plan);
    // The type is enabled when something will be attached: a declared policy attached
    // nowhere (as `plinth import` writes one) needs no change to the root.
    let type_dep = if !view.enabled && desired.iter().any(|d| !d.attach.is_empty()) {
        super::enable::enable(plan, setup, &org.root_id)
    } else {
        vec![]
    };
    // AWS's own policy of the type (FullAWSAccess, RCPFullAWSAccess), on every target once enabled.
    let default_id: Option<String> = rules.aws_default.map(|name| {
        view.policies
            .iter()
            .find(|p| p.aws_managed && p.name == name)
            .map_or_else(|| format!("p-{name}"), |p| p.id.clone())
    });
    let scope = Scope {
        cx,
        setup,
        rules,
        view,
        placement,
        default_id,
        type_dep,
    };
    let mut state = State::default();
    for d in desired {
        if let Some((policy_ref, adopt_dep)) = scope.document(plan, &mut state, d) {
            scope.attachments(plan, &mut state, d, &policy_ref, &adopt_dep);
        }
    }
    scope.orphans(plan, &mut state, desired);
    scope.check_limits(plan, &mut state);
    if !state.diags.is_empty() {
        return Err(state.diags);
    }
    scope.detach_and_delete(plan, state);
    Ok(())
}

/// What every step of planning one type reads: the type, what is live, where targets are.
pub(super) struct Scope<'a> {
    pub(super) cx: &'a Context<'a>,
    pub(super) setup: Setup,
    pub(super) rules: &'static TypeRules,
    pub(super) view: PolicyView<'a>,
    placement: placement::Placement<'a>,
    /// AWS's own policy of the type, on every target once the type is enabled.
    default_id: Option<String>,
    /// The changes that enable the type, which every attach waits on.
    pub(super) type_dep: Vec<Address>,
}

/// What the steps gather for the ones after them.
#[derive(Default)]
pub(super) struct State<'a> {
    pub(super) diags: Diagnostics,
    /// Where each declared policy ends up attached, for what its detaches really take away.
    pub(super) kept_on: BTreeMap<String, Vec<Target>>,
    /// The policy ids each target will carry once the plan is applied, starting from what is live.
    pub(super) final_sets: BTreeMap<TargetKey, BTreeSet<String>>,
    /// Live targets whose attachments were not read: their final set holds only what the
    /// policies' own targets show, a part of what they will carry.
    pub(super) unknown: BTreeSet<String>,
    /// Live targets this plan attaches a policy to.
    pub(super) gaining: BTreeSet<String>,
    /// The names of the policies this plan creates, by their key in `final_sets`.
    pub(super) planned_names: BTreeMap<String, String>,
    /// Where each attachment comes from in the baseline, to point errors at it.
    pub(super) attach_spans: BTreeMap<TargetKey, (Range<usize>, String)>,
    pub(super) attaches: Vec<Change>,
    pub(super) detaches: Vec<Detach>,
    /// Policies this plan adopts, by id: their other changes wait for the tag.
    pub(super) adopting: BTreeMap<String, Address>,
    /// Owned policies the baseline dropped, deleted with `--allow-delete`.
    pub(super) deletes: Vec<(Address, &'a Scp)>,
}

/// An attachment to take away: of a declared policy the baseline does not want there,
/// or of an orphan being deleted.
pub(super) struct Detach {
    pub(super) policy_id: String,
    pub(super) target_id: String,
    /// The policy's address.
    pub(super) addr: Address,
    pub(super) name: String,
    pub(super) orphan: bool,
}

impl Scope<'_> {
    /// Accounts `targets` reach that no attachment in `elsewhere` already (or still) covers.
    pub(super) fn reach(&self, name: &str, effect: Effect, targets: &[Target], elsewhere: &[Target]) -> Option<Impact> {
        let org = &self.cx.observed.org;
        impact::policy(
            org,
            &self.placement,
            self.setup.policy_type,
            name,
            effect,
            (targets, elsewhere),
        )
    }

    /// What a target carries before this plan, and whether that is all of it: what is
    /// live, or, when the type is being enabled or the target created, AWS's default
    /// policy. A live target whose attachments were not read carries at least the
    /// policies whose targets name it; the rest is not known.
    fn initial_set(&self, key: &TargetKey) -> (BTreeSet<String>, bool) {
        let fresh = || -> BTreeSet<String> { self.default_id.iter().cloned().collect() };
        match key {
            // Enabling the policy type attaches AWS's default policy.
            TargetKey::Live(_) if !self.view.enabled => (fresh(), true),
            TargetKey::Live(id) => {
                if let Some(ids) = self.view.attached.get(id) {
                    (ids.iter().cloned().collect(), true)
                } else {
                    let named = self.view.policies.iter().filter(|p| p.targets.contains(id));
                    (named.map(|p| p.id.clone()).collect(), false)
                }
            }
            // Creating an OU attaches it too.
            TargetKey::Planned(_) => (fresh(), true),
        }
    }

    /// What a decision about live target `id` waits for: its attachments of this type.
    pub(super) fn need(&self, id: &str) -> Need {
        Need::Attachments {
            policy_type: self.setup.policy_type,
            target_id: id.to_owned(),
        }
    }
}

impl State<'_> {
    /// The policies `key` will carry, starting from what it carries before this plan
    /// (a live target whose attachments were not read is `unknown`).
    pub(super) fn final_set(&mut self, scope: &Scope<'_>, key: TargetKey) -> &mut BTreeSet<String> {
        match self.final_sets.entry(key) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let (set, known) = scope.initial_set(e.key());
                if !known && let TargetKey::Live(id) = e.key() {
                    self.unknown.insert(id.clone());
                }
                e.insert(set)
            }
        }
    }
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
