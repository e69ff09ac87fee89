//! Executes a plan: a change starts as soon as the changes it depends on are done
//! (a ready queue, bounded in concurrency), a failure stops only the changes that depend on it, and the
//! report says exactly what was done, what failed (with AWS's error) and what was
//! skipped because of it. A re-run plans only what is still missing.

use std::collections::{BTreeMap, BTreeSet};

use std::sync::{Mutex, PoisonError};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use crate::aws::AwsError;
use crate::plan::{Action, Change, Plan, Ref};

/// Runs one change against AWS. The real one dispatches to the service adapters;
/// tests use fakes.
pub trait Executor {
    /// Execute `change`; `resolve` maps references to ids, including ids of resources
    /// created earlier in this run. Returns the id of a created resource.
    fn execute(
        &self,
        change: &Change,
        resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> impl Future<Output = Result<Option<String>, AwsError>>;

    /// What sets the pace right now, for progress lines: `CloudWatch.PutMetricAlarm at 3/s`.
    fn bottleneck(&self) -> Option<String> {
        None
    }

    /// A slot for `change` in its service's lane, if one is free now (held while the
    /// change runs); `None` when the lane is full. The ready queue starts only changes
    /// that get a slot, so a full lane (1,000 alarms at 3 a second) never holds up
    /// changes of another service.
    fn reserve(&self, _change: &Change) -> Option<Reservation> {
        Some(Box::new(()))
    }
}

/// What [`Executor::reserve`] hands out: dropped when the change is done.
pub type Reservation = Box<dyn std::any::Any + Send>;

/// How often a long apply says where it stands.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// A progress line: what is done, what failed, what is left, and what sets the pace.
pub fn progress_line(done: usize, failed: usize, total: usize, bottleneck: Option<&str>) -> String {
    let mut line = format!("{done} of {total} changes done");
    if failed > 0 {
        line.push_str(&format!(", {failed} failed or skipped"));
    }
    line.push_str(&format!(", {} to go", total - done - failed));
    if let Some(b) = bottleneck {
        line.push_str(&format!("; paced by {b}"));
    }
    line
}

/// How many independent changes run at once, at most, whatever their lanes. Each lane
/// bounds itself below this ([`Executor::reserve`]): the engine runs at most 20 IAM
/// Identity Center changes and 4 of the other services at a time.
pub const APPLY_CONCURRENCY: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Done {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    Failed {
        error: String,
    },
    Skipped {
        because: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub address: String,
    pub action: Action,
    #[serde(flatten)]
    pub status: Status,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<Outcome>,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(&o.status)).count()
    }
    pub fn done(&self) -> usize {
        self.count(|s| matches!(s, Status::Done { .. }))
    }
    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, Status::Failed { .. }))
    }
    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped { .. }))
    }
    pub fn is_success(&self) -> bool {
        self.failed() == 0 && self.skipped() == 0
    }
}

/// Why no further change may start (an interrupt, a lost lock); `None` while they may.
pub type Gate<'a> = &'a (dyn Fn() -> Option<String> + Sync);

/// Apply every change of `plan`, reporting progress through `tracing`. A change starts
/// as soon as every change it depends on is done (a ready queue, not waves: a slow
/// `CreateAccount` holds up only what depends on it), each in a free slot of its service's
/// lane, at most [`APPLY_CONCURRENCY`] at once. `gate` is asked before each change starts: once it gives a reason, no further
/// change starts, the ones in flight finish, and the rest are reported skipped with that
/// reason.
pub async fn apply<E: Executor>(plan: &Plan, executor: &E, gate: Gate<'_>) -> ApplyReport {
    let created: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let resolve = |r: &Ref| match r {
        Ref::Id(id) => Some(id.clone()),
        Ref::Planned(addr) => created
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(addr)
            .cloned(),
    };
    let in_plan: BTreeSet<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    let total = plan.changes.len();
    let mut finished: BTreeMap<String, Status> = BTreeMap::new();
    let mut waiting: Vec<&Change> = plan.changes.iter().collect();
    let mut running = FuturesUnordered::new();
    let mut next_report = tokio::time::Instant::now() + PROGRESS_EVERY;

    loop {
        // Skip what waits on a failure (repeat: a skip can block others), start what is ready.
        loop {
            let before = waiting.len();
            waiting.retain(|c| {
                let blocker = c.depends_on.iter().find(|d| {
                    matches!(
                        finished.get(d.as_str()),
                        Some(Status::Failed { .. } | Status::Skipped { .. })
                    )
                });
                match blocker {
                    Some(b) => {
                        let because = format!("`{b}` did not succeed");
                        finished.insert(c.address.clone(), Status::Skipped { because });
                        false
                    }
                    None => true,
                }
            });
            if waiting.len() == before {
                break;
            }
        }
        let mut i = 0;
        while i < waiting.len() && running.len() < APPLY_CONCURRENCY {
            let c = waiting[i];
            let ready = c.depends_on.iter().all(|d| {
                matches!(finished.get(d.as_str()), Some(Status::Done { .. })) || !in_plan.contains(d.as_str())
            });
            if !ready {
                i += 1;
                continue;
            }
            // Its lane is full: leave it for when a change of that lane is done.
            let Some(reservation) = executor.reserve(c) else {
                i += 1;
                continue;
            };
            waiting.remove(i);
            let resolve = &resolve;
            running.push(async move {
                let _slot = reservation;
                if let Some(because) = gate() {
                    return (c, Err(Status::Skipped { because }));
                }
                let result = executor.execute(c, resolve).await;
                (
                    c,
                    result.map_err(|e: AwsError| {
                        tracing::error!(address = %c.address, error = %e, "change failed");
                        Status::Failed { error: e.to_string() }
                    }),
                )
            });
        }
        // Wait for the next change to finish, saying where things stand every so often.
        let next = loop {
            tokio::select! {
                next = running.next() => break next,
                () = tokio::time::sleep_until(next_report) => {
                    next_report += PROGRESS_EVERY;
                    let done = finished.values().filter(|s| matches!(s, Status::Done { .. })).count();
                    let line = progress_line(done, finished.len() - done, total, executor.bottleneck().as_deref());
                    tracing::info!("{line}");
                }
            }
        };
        let Some((c, result)) = next else {
            // Nothing runs and nothing is ready: what is left waits on itself. A cycle
            // cannot come out of the planners; report it rather than hang.
            for c in waiting.drain(..) {
                finished.insert(
                    c.address.clone(),
                    Status::Skipped {
                        because: "its dependencies form a cycle".into(),
                    },
                );
            }
            break;
        };
        let status = match result {
            Ok(id) => {
                if let Some(id) = &id {
                    created
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(c.address.clone(), id.clone());
                }
                tracing::info!(
                    done = finished.len() + 1,
                    total,
                    "{} {} {}",
                    c.action.symbol(),
                    c.action,
                    c.address
                );
                Status::Done { id }
            }
            Err(status) => status,
        };
        finished.insert(c.address.clone(), status);
    }

    ApplyReport {
        outcomes: plan
            .changes
            .iter()
            .map(|c| Outcome {
                address: c.address.clone(),
                action: c.action,
                status: finished.remove(&c.address).unwrap_or(Status::Skipped {
                    because: "not reached".into(),
                }),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
