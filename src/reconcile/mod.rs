//! Scheduled drift reconciliation: one pass plans, repairs the kinds of resource the run
//! names (the guardrails by default) with only the writes it allows, and reports one
//! summary record. Adopting, deleting, creating or moving an account and deleting root
//! credentials need their own `--allow-*` flag whatever `--repair` says ([`Allow`]). The
//! error policy is explicit: a pass that fails is reported and, in a loop, the next pass
//! runs on schedule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::apply::Status;
use crate::baseline::Baseline;
use crate::diag::Diagnostics;
use crate::engine::Session;
use crate::kinds::KindId;
use crate::lock::LockOptions;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, PlanOptions, RootAccessOp};

/// The kind whose `--repair` value repairs a change: its own, or the one the registry
/// says repairs it (OUs exist to carry SCPs, so `scp` repairs them).
/// `None` for a kind the registry does not know (a saved plan's, say): no `--repair`
/// value names it.
pub fn kind_of(change: &Change) -> Option<KindId> {
    KindId::from_name(&change.kind).map(KindId::repaired_with)
}

/// Which kinds a run may repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    All,
    None,
    Kinds(BTreeSet<KindId>),
}

/// `guardrails`: the kinds whose repair only puts a control back (the registry's
/// [`crate::kinds::Kind::GUARDRAIL`]).
fn guardrail_kinds() -> BTreeSet<KindId> {
    KindId::guardrails()
}

impl Default for Repair {
    /// The guardrails: what an unattended pass repairs unless told otherwise.
    fn default() -> Repair {
        Repair::Kinds(guardrail_kinds())
    }
}

impl Repair {
    /// The kinds a pass repairs, when it names them (`None`: every kind is read whole).
    pub fn kinds(&self) -> Option<BTreeSet<KindId>> {
        match self {
            Repair::Kinds(k) => Some(k.clone()),
            Repair::All | Repair::None => None,
        }
    }

    pub fn allows(&self, kind: Option<KindId>) -> bool {
        match (self, kind) {
            (Repair::All, _) => true,
            (Repair::None, _) | (Repair::Kinds(_), None) => false,
            (Repair::Kinds(k), Some(kind)) => k.contains(&kind),
        }
    }
}

impl FromStr for Repair {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => return Ok(Repair::All),
            "none" => return Ok(Repair::None),
            _ => {}
        }
        let mut kinds = BTreeSet::new();
        for k in s.split(',').map(str::trim) {
            if k == "guardrails" {
                kinds.extend(guardrail_kinds());
                continue;
            }
            let Some(kind) = KindId::from_name(k) else {
                return Err(format!(
                    "unknown kind `{k}`; `--repair` takes `all`, `none`, `guardrails`, or a list of {}",
                    crate::kinds::NAMES.join(", ")
                ));
            };
            kinds.insert(kind);
        }
        Ok(Repair::Kinds(kinds))
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::All => f.write_str("all"),
            Repair::None => f.write_str("none"),
            Repair::Kinds(k) => {
                // Spelled as it can be typed: `guardrails` for the guardrails, then the rest.
                let guardrails = guardrail_kinds();
                let mut words = Vec::new();
                let rest: Vec<&KindId> = if !guardrails.is_empty() && guardrails.is_subset(k) {
                    words.push("guardrails".to_owned());
                    k.difference(&guardrails).collect()
                } else {
                    k.iter().collect()
                };
                words.extend(rest.into_iter().map(ToString::to_string));
                f.write_str(&words.join(","))
            }
        }
    }
}

/// The writes a pass makes only when its run names each, whatever `--repair` says: they
/// take over, remove or move what people may rely on, or delete a way into an account,
/// so nobody's schedule makes them unless someone chose it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allow {
    /// `--allow-adopt`: take over resources that exist under a declared name without
    /// plinth's tag (`adopt` changes), and what waits for them.
    pub adopt: bool,
    /// `--allow-delete`: delete resources plinth manages that left the baseline.
    pub delete: bool,
    /// `--allow-account-changes`: create declared accounts, move accounts between OUs.
    pub account_changes: bool,
    /// `--allow-remove-root-credentials`: delete member accounts' root credentials.
    pub remove_root_credentials: bool,
}

impl Allow {
    /// Why the run may not make `change` without a flag it lacks; `None` when it may. The
    /// change's action and AWS operation decide, not its kind: any change that creates or
    /// moves an account, or deletes a root credential, needs the flag.
    pub fn withholds(&self, change: &Change) -> Option<&'static str> {
        if change.action == Action::Adopt && !self.adopt {
            return Some("adopting a resource plinth does not manage yet needs `--allow-adopt`");
        }
        match &change.op {
            Op::Organizations(OrganizationsOp::CreateAccount { .. }) if !self.account_changes => {
                Some("creating an account needs `--allow-account-changes`")
            }
            Op::Organizations(OrganizationsOp::MoveAccount { .. }) if !self.account_changes => {
                Some("moving an account to another OU needs `--allow-account-changes`")
            }
            Op::RootAccess(RootAccessOp::DeleteRootCredential { .. }) if !self.remove_root_credentials => {
                Some("deleting root credentials needs `--allow-remove-root-credentials`")
            }
            // A detach takes a control away from the accounts below its target (an OU
            // renamed out of its path would otherwise lose its SCPs unattended).
            Op::Organizations(OrganizationsOp::DetachPolicy { .. }) if !self.delete => {
                Some("detaching a policy takes a control away from its target; it needs `--allow-delete`")
            }
            _ => None,
        }
    }

    /// The planner's options: deletions are planned only with `--allow-delete`; without
    /// it, what left the baseline is kept and counted among the orphans.
    pub fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            allow_delete: self.delete,
        }
    }
}

/// The changes a run may make: those of kinds `--repair` names that need no `--allow-*`
/// flag the run lacks, and whose dependencies it may make too. The rest come back, in
/// plan order, with the reason each is left.
pub fn select(plan: &Plan, repair: &Repair, allow: &Allow) -> (Plan, Vec<(Address, String)>) {
    let mut why: BTreeMap<&str, String> = BTreeMap::new();
    for c in &plan.changes {
        if !repair.allows(kind_of(c)) {
            // A kind repaired with another says so: OUs go with `scp`.
            let with = match kind_of(c) {
                Some(k) if k.name() != c.kind => format!(" (repaired with `{k}`)"),
                _ => String::new(),
            };
            why.insert(
                c.address.as_str(),
                format!("`--repair {repair}` excludes `{}`{with}", c.kind),
            );
        } else if let Some(flag) = allow.withholds(c) {
            why.insert(c.address.as_str(), flag.to_owned());
        }
    }
    // Then changes that wait for one the run may not make, level by level: each level's
    // changes are the dependents of the one before, so every change and dependency edge
    // is looked at a bounded number of times, however long the plan.
    let index = plan.index();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); plan.changes.len()];
    for (i, c) in plan.changes.iter().enumerate() {
        for d in &c.depends_on {
            if let Some(&j) = index.get(d) {
                dependents[j].push(i);
            }
        }
    }
    let mut queued = vec![false; plan.changes.len()];
    let mut level: Vec<usize> = (0..plan.changes.len())
        .filter(|&i| why.contains_key(plan.changes[i].address.as_str()))
        .collect();
    while !level.is_empty() {
        let mut next = Vec::new();
        for &j in &level {
            for &i in &dependents[j] {
                if !queued[i] && !why.contains_key(plan.changes[i].address.as_str()) {
                    queued[i] = true;
                    next.push(i);
                }
            }
        }
        // Each names the first of its dependencies held back by an earlier level.
        let found: Vec<(usize, &str)> = next
            .iter()
            .filter_map(|&i| {
                let c = &plan.changes[i];
                let d = c.depends_on.iter().find(|d| why.contains_key(d.as_str()))?;
                Some((i, d.as_str()))
            })
            .collect();
        for &(i, d) in &found {
            why.insert(
                plan.changes[i].address.as_str(),
                format!("it depends on `{d}`, which this pass does not repair"),
            );
        }
        level = found.into_iter().map(|(i, _)| i).collect();
    }
    let mut left = Vec::new();
    let mut selected = Plan {
        orphans: plan.orphans.clone(),
        blocked: plan.blocked.clone(),
        warnings: plan.warnings.clone(),
        notes: plan.notes.clone(),
        changes: Vec::new(),
        needs: plan.needs.clone(),
    };
    for c in &plan.changes {
        match why.get(c.address.as_str()) {
            None => selected.changes.push(c.clone()),
            Some(reason) => left.push((c.address.clone(), reason.clone())),
        }
    }
    (selected, left)
}

/// The record each pass ends with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub drift_found: usize,
    pub repaired: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_repaired: usize,
    pub orphans: usize,
    /// Targets left out because live names make them ambiguous: errors.
    pub blocked: usize,
    pub reads: u64,
    pub writes: u64,
    pub drift: Vec<String>,
    pub failures: Vec<String>,
    /// Each change left, and why: `address: reason`.
    pub not_repaired_changes: Vec<String>,
    /// Each blocked target, where the baseline names it, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Summary {
    /// 0: no drift; 2: drift found (and every allowed repair succeeded); 1: a repair
    /// failed, or a target was blocked.
    pub fn exit_code(&self) -> u8 {
        if self.failed > 0 || self.skipped > 0 || self.blocked > 0 {
            1
        } else if self.drift_found > 0 {
            2
        } else {
            0
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "reconcile: {} drifted, {} repaired, {} failed, {} skipped, {} not repaired, {} orphaned, {} blocked; {} reads, {} writes",
            self.drift_found,
            self.repaired,
            self.failed,
            self.skipped,
            self.not_repaired,
            self.orphans,
            self.blocked,
            self.reads,
            self.writes
        )?;
        // Addresses and failures carry live names and AWS's words: shown as characters.
        for left in &self.not_repaired_changes {
            write!(f, "\n  not repaired: {}", crate::diag::printable(left))?;
        }
        for failure in &self.failures {
            write!(f, "\n  failed: {}", crate::diag::printable(failure))?;
        }
        for e in &self.errors {
            write!(f, "\n  error: {e}")?;
        }
        Ok(())
    }
}

/// One pass: plan, repair what `repair` names and `allow` permits, summarise.
pub async fn pass(
    session: &Session,
    baseline: &Baseline,
    repair: &Repair,
    allow: &Allow,
    lock: LockOptions,
) -> Result<Summary, Diagnostics> {
    let (observed, plan) = session.observe_and_plan(baseline, allow.plan_options()).await?;
    let (selected, left) = select(&plan, repair, allow);
    for (address, why) in &left {
        tracing::warn!(%address, "drift not repaired: {why}");
    }
    let errors: Vec<String> = plan.blocked.iter().map(ToString::to_string).collect();
    for e in &errors {
        tracing::error!("left out of this pass: {e}");
    }
    // Repairs run under the apply lock, planned again once it is held.
    let report = if selected.is_empty() {
        None
    } else {
        let organization_id = &observed.org.organization_id;
        let repairs = session.apply_locked(baseline, allow.plan_options(), organization_id, lock, |_, fresh| {
            Ok(select(&fresh, repair, allow).0)
        });
        Some(repairs.await?)
    };
    let calls = session.aws.counter.snapshot();
    let failures = report
        .iter()
        .flat_map(|r| &r.outcomes)
        .filter_map(|o| match &o.status {
            Status::Failed { error } => Some(format!("{}: {error}", o.address)),
            _ => None,
        })
        .collect();
    Ok(Summary {
        drift_found: plan.changes.len(),
        repaired: report.as_ref().map_or(0, |r| r.done()),
        failed: report.as_ref().map_or(0, |r| r.failed()),
        skipped: report.as_ref().map_or(0, |r| r.skipped()),
        not_repaired: left.len(),
        orphans: plan.orphans.len(),
        blocked: plan.blocked.len(),
        reads: calls.reads(),
        writes: calls.writes(),
        drift: plan
            .changes
            .iter()
            .map(|c| format!("{} {}", c.action.symbol(), c.address))
            .collect(),
        failures,
        not_repaired_changes: left.iter().map(|(address, why)| format!("{address}: {why}")).collect(),
        errors,
    })
}

#[cfg(test)]
mod tests;
