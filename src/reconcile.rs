//! Scheduled drift reconciliation: one pass plans, repairs the kinds of resource the run
//! allows, and reports one summary record. The error policy is explicit: a pass that
//! fails is reported and, in a loop, the next pass runs on schedule.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::apply::Status;
use crate::baseline::Baseline;
use crate::diag::Diagnostics;
use crate::engine::Session;
use crate::lock::LockOptions;
use crate::plan::{Change, Plan, PlanOptions};

/// The kind whose `--repair` value repairs a change: its own, or the one the registry
/// says repairs it (OUs exist to carry SCPs, so `scp` repairs them).
pub fn kind_of(change: &Change) -> &str {
    crate::kinds::repaired_with(&change.kind).unwrap_or(&change.kind)
}

/// Which kinds a run may repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    All,
    None,
    Kinds(BTreeSet<String>),
}

impl Repair {
    /// The kinds a pass repairs, when it names them (`None`: every kind is read whole).
    pub fn kinds(&self) -> Option<BTreeSet<String>> {
        match self {
            Repair::Kinds(k) => Some(k.clone()),
            Repair::All | Repair::None => None,
        }
    }

    pub fn allows(&self, kind: &str) -> bool {
        match self {
            Repair::All => true,
            Repair::None => false,
            Repair::Kinds(k) => k.contains(kind),
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
            if !crate::kinds::NAMES.contains(&k) {
                return Err(format!(
                    "unknown kind `{k}`; `--repair` takes `all`, `none`, or a list of {}",
                    crate::kinds::NAMES.join(", ")
                ));
            }
            kinds.insert(k.to_owned());
        }
        Ok(Repair::Kinds(kinds))
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::All => f.write_str("all"),
            Repair::None => f.write_str("none"),
            Repair::Kinds(k) => f.write_str(&k.iter().cloned().collect::<Vec<_>>().join(",")),
        }
    }
}

/// The changes a run may make: those of allowed kinds whose dependencies it may make too.
/// The rest come back with the reason they are left.
pub fn select(plan: &Plan, repair: &Repair) -> (Plan, Vec<(String, String)>) {
    let mut chosen: BTreeSet<&str> = plan
        .changes
        .iter()
        .filter(|c| repair.allows(kind_of(c)))
        .map(|c| c.address.as_str())
        .collect();
    // Drop changes that wait for one the run may not make, until nothing changes.
    loop {
        let blocked: Vec<&str> = plan
            .changes
            .iter()
            .filter(|c| chosen.contains(c.address.as_str()))
            .filter(|c| {
                c.depends_on
                    .iter()
                    .any(|d| plan.find(d).is_some() && !chosen.contains(d.as_str()))
            })
            .map(|c| c.address.as_str())
            .collect();
        if blocked.is_empty() {
            break;
        }
        for b in blocked {
            chosen.remove(b);
        }
    }
    let mut left = Vec::new();
    let mut selected = Plan {
        orphans: plan.orphans.clone(),
        blocked: plan.blocked.clone(),
        warnings: plan.warnings.clone(),
        notes: plan.notes.clone(),
        changes: Vec::new(),
    };
    for c in &plan.changes {
        if chosen.contains(c.address.as_str()) {
            selected.changes.push(c.clone());
        } else if repair.allows(kind_of(c)) {
            left.push((
                c.address.clone(),
                "it depends on a change `--repair` excludes".to_owned(),
            ));
        } else {
            left.push((
                c.address.clone(),
                format!("`--repair {repair}` excludes `{}`", kind_of(c)),
            ));
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
    /// Each blocked target, where the baseline names it, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Summary {
    /// 0: no drift; 2: drift found (and every allowed repair succeeded); 1: a repair failed.
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
        )
    }
}

/// One pass: plan, repair what `repair` allows, summarise.
pub async fn pass(
    session: &Session,
    baseline: &Baseline,
    repair: &Repair,
    lock: LockOptions,
) -> Result<Summary, Diagnostics> {
    let (observed, plan) = session.observe_and_plan(baseline, PlanOptions::default()).await?;
    let (selected, left) = select(&plan, repair);
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
        let repairs = session.apply_locked(baseline, PlanOptions::default(), organization_id, lock, |_, fresh| {
            Ok(select(&fresh, repair).0)
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
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Address, Op, OrganizationsOp};

    fn change(kind: &'static str, address: &str, deps: &[&str]) -> Change {
        Change::new(
            Address::new(kind, address),
            Action::Create,
            "",
            Op::Organizations(OrganizationsOp::DeletePolicy {
                policy_id: String::new(),
            }),
        )
        .depends_on(deps.iter().map(|d| d.to_string()).collect())
    }

    fn plan() -> Plan {
        Plan {
            changes: vec![
                change("organizational_units", "organizational_units.Prod", &[]),
                change("scp", "scp.a", &[]),
                change("scp", "scp.a -> ou:Prod", &["scp.a", "organizational_units.Prod"]),
                change("billing", "billing.topic", &[]),
                change("billing", "billing.alarm.x", &["billing.topic"]),
                change("trail", "trail.root_usage.alarm", &["billing.topic"]),
            ],
            ..Plan::default()
        }
    }

    #[test]
    fn parses_kinds_and_rejects_unknown_ones() {
        assert_eq!("all".parse::<Repair>().unwrap(), Repair::All);
        assert_eq!("none".parse::<Repair>().unwrap(), Repair::None);
        assert!("scp,billing".parse::<Repair>().unwrap().allows("billing"));
        let e = "scp,logs".parse::<Repair>().unwrap_err();
        assert!(e.contains("unknown kind `logs`"), "{e}");
    }

    #[test]
    fn selects_allowed_kinds_and_drops_what_waits_on_excluded_changes() {
        let (selected, left) = select(&plan(), &"scp,trail".parse().unwrap());
        let chosen: Vec<&str> = selected.changes.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(chosen, ["organizational_units.Prod", "scp.a", "scp.a -> ou:Prod"]);
        assert_eq!(left.len(), 3);
        let trail = left.iter().find(|(a, _)| a == "trail.root_usage.alarm").unwrap();
        assert_eq!(trail.1, "it depends on a change `--repair` excludes");
        let billing = left.iter().find(|(a, _)| a == "billing.topic").unwrap();
        assert_eq!(billing.1, "`--repair scp,trail` excludes `billing`");

        let (selected, left) = select(&plan(), &Repair::None);
        assert!(selected.is_empty());
        assert_eq!(left.len(), 6);
        let (selected, _) = select(&plan(), &Repair::All);
        assert_eq!(selected.changes.len(), 6);
    }

    #[test]
    fn exit_codes() {
        let mut s = Summary::default();
        assert_eq!(s.exit_code(), 0);
        s.drift_found = 2;
        s.repaired = 2;
        assert_eq!(s.exit_code(), 2);
        s.failed = 1;
        assert_eq!(s.exit_code(), 1);
        let blocked = Summary {
            blocked: 1,
            ..Summary::default()
        };
        assert_eq!(
            blocked.exit_code(),
            1,
            "a blocked target is an error, whatever was repaired"
        );
    }
}
