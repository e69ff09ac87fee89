//! Executes a plan: a change starts as soon as the changes it depends on are done
//! (a ready queue, bounded in concurrency), a failure stops only the changes that depend on it, and the
//! report says exactly what was done, what failed (with AWS's error) and what was
//! skipped because of it. A re-run plans only what is still missing.

use std::collections::{BTreeMap, VecDeque};

use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use crate::aws::AwsError;
use crate::plan::{Action, AddrMap, Address, Change, Plan, Ref};

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

    /// The lane `change` runs in ([`Executor::reserve`] hands out its slots): ready changes
    /// of one lane start in the order they became ready, and a full lane is not asked again
    /// until one of its changes is done.
    fn lane(&self, _change: &Change) -> &'static str {
        ""
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

/// What became of a change. The JSON report writes it through its own view
/// (`render::json`), not through serde on this type.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Done { id: Option<String> },
    Failed { error: String },
    Skipped { because: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub address: Address,
    pub action: Action,
    pub status: Status,
}

#[derive(Debug, Clone, Default, PartialEq)]
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
pub async fn apply<E: Executor>(plan: Plan, executor: &E, gate: Gate<'_>) -> ApplyReport {
    Box::pin(apply_changes(
        plan.changes.into_iter().map(Arc::new).collect(),
        executor,
        gate,
    ))
    .await
}

/// [`apply`], of changes held only here (and by the call running each): each is let go
/// once it is done, failed or skipped.
async fn apply_changes<E: Executor>(changes: Vec<Arc<Change>>, executor: &E, gate: Gate<'_>) -> ApplyReport {
    let created: Mutex<AddrMap<String>> = Mutex::new(AddrMap::new());
    let resolve = |r: &Ref| match r {
        Ref::Id(id) => Some(id.clone()),
        Ref::Planned(addr) => created
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(addr)
            .cloned(),
    };
    // What the report needs of each change, kept; the changes themselves (their
    // operations and documents) are let go as each is done, failed or skipped, so a long
    // apply holds only what is still to do.
    let heads: Vec<(Address, Action)> = changes.iter().map(|c| (c.address.clone(), c.action)).collect();
    let mut graph = Graph::of(&changes);
    let mut changes: Vec<Option<Arc<Change>>> = changes.into_iter().map(Some).collect();
    let total = changes.len();
    let mut finished: Vec<Option<Status>> = vec![None; total];
    let (mut done, mut not_done) = (0, 0);
    // A saved plan edited by hand may name a dependency it does not hold: what depends on
    // it does not start ([`Plan::finish`] makes sure planned ones hold theirs).
    for (i, missing) in std::mem::take(&mut graph.missing) {
        finished[i] = Some(Status::Skipped {
            because: format!("`{missing}`, which it depends on, is not in the plan"),
        });
        not_done += 1 + skip_dependents(&graph, &heads, &mut finished, &mut changes, i);
        changes[i] = None;
    }
    let lane = |c: &Option<Arc<Change>>| executor.lane(c.as_deref().expect("a change waiting to start is held"));
    // What may start, by lane, in the order it became ready.
    let mut ready: BTreeMap<&str, VecDeque<usize>> = BTreeMap::new();
    for i in graph.ready_at_start() {
        if finished[i].is_none() {
            ready.entry(lane(&changes[i])).or_default().push_back(i);
        }
    }
    let mut running = FuturesUnordered::new();
    let mut next_report = tokio::time::Instant::now() + PROGRESS_EVERY;

    loop {
        // Start what is ready, as long as its lane has a slot.
        for queue in ready.values_mut() {
            while running.len() < APPLY_CONCURRENCY
                && let Some(&i) = queue.front()
            {
                let Some(c) = changes[i].take() else {
                    // Skipped since it became ready.
                    queue.pop_front();
                    continue;
                };
                // Its lane is full: the rest of the lane waits for a change of it to be done.
                let Some(reservation) = executor.reserve(&c) else {
                    changes[i] = Some(c);
                    break;
                };
                queue.pop_front();
                running.push(run(i, c, reservation, executor, &resolve, gate));
            }
        }
        // Wait for the next change to finish, saying where things stand every so often.
        let next = loop {
            tokio::select! {
                next = running.next() => break next,
                () = tokio::time::sleep_until(next_report) => {
                    next_report += PROGRESS_EVERY;
                    let line = progress_line(done, not_done, total, executor.bottleneck().as_deref());
                    tracing::info!("{line}");
                }
            }
        };
        let Some((i, result)) = next else {
            // Nothing runs and nothing is ready: what is left waits on itself. A cycle
            // cannot come out of the planners; report it rather than hang.
            for status in finished.iter_mut().filter(|s| s.is_none()) {
                *status = Some(Status::Skipped {
                    because: "its dependencies form a cycle".into(),
                });
            }
            break;
        };
        let (address, action) = &heads[i];
        match result {
            Ok(id) => {
                if let Some(id) = &id {
                    created
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(address.clone(), id.clone());
                }
                done += 1;
                tracing::info!(
                    done = done + not_done,
                    total,
                    "{} {} {}",
                    action.symbol(),
                    action,
                    address
                );
                finished[i] = Some(Status::Done { id });
                for d in graph.done(i) {
                    ready.entry(lane(&changes[d])).or_default().push_back(d);
                }
            }
            Err(status) => {
                not_done += 1;
                finished[i] = Some(status);
                not_done += skip_dependents(&graph, &heads, &mut finished, &mut changes, i);
            }
        }
    }

    ApplyReport {
        outcomes: heads
            .into_iter()
            .zip(finished)
            .map(|((address, action), status)| Outcome {
                address,
                action,
                status: status.unwrap_or(Status::Skipped {
                    because: "not reached".into(),
                }),
            })
            .collect(),
    }
}

/// Change `i`, in its lane's slot, unless the gate has closed; its id, or what became of it.
async fn run<E: Executor>(
    i: usize,
    c: Arc<Change>,
    slot: Reservation,
    executor: &E,
    resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    gate: Gate<'_>,
) -> (usize, Result<Option<String>, Status>) {
    let _slot = slot;
    if let Some(because) = gate() {
        return (i, Err(Status::Skipped { because }));
    }
    let result = executor.execute(&c, resolve).await;
    (
        i,
        result.map_err(|e: AwsError| {
            // What the SDK's error adds (why credentials failed) included.
            let error = e.causes().join(": ");
            tracing::error!(address = %c.address, error = %error, "change failed");
            Status::Failed { error }
        }),
    )
}

/// What waits on change `i`, which did not succeed, will not start: skipped, and what
/// waits on those. Returns how many.
fn skip_dependents(
    graph: &Graph,
    heads: &[(Address, Action)],
    finished: &mut [Option<Status>],
    changes: &mut [Option<Arc<Change>>],
    i: usize,
) -> usize {
    let mut skipped = 0;
    let mut blocked = vec![i];
    while let Some(j) = blocked.pop() {
        for &d in &graph.dependents[j] {
            if finished[d].is_none() {
                let because = format!("`{}` did not succeed", heads[j].0);
                finished[d] = Some(Status::Skipped { because });
                changes[d] = None;
                skipped += 1;
                blocked.push(d);
            }
        }
    }
    skipped
}

/// The plan's dependencies, by index: each change's count of dependencies not yet done
/// (a dependency outside the plan is one of `missing`, never done) and what depends on each. Finishing a
/// change touches only its dependents, so a 20,000-change apply does no work per change
/// that grows with the plan (scanning every waiting change after each one kept the
/// executor from polling its calls for tens of milliseconds, and evenly paced requests
/// left in bursts).
struct Graph {
    waiting_on: Vec<usize>,
    dependents: Vec<Vec<usize>>,
    /// Changes with a dependency outside the plan, and the first such dependency.
    missing: Vec<(usize, Address)>,
}

impl Graph {
    fn of(changes: &[Arc<Change>]) -> Graph {
        let index: AddrMap<usize> = changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.address.clone(), i))
            .collect();
        let mut graph = Graph {
            waiting_on: vec![0; changes.len()],
            dependents: vec![Vec::new(); changes.len()],
            missing: Vec::new(),
        };
        for (i, c) in changes.iter().enumerate() {
            for d in &c.depends_on {
                graph.waiting_on[i] += 1;
                match index.get(d) {
                    Some(&j) => graph.dependents[j].push(i),
                    None if graph.missing.last().is_some_and(|(m, _)| *m == i) => {}
                    None => graph.missing.push((i, d.clone())),
                }
            }
        }
        graph
    }

    fn ready_at_start(&self) -> Vec<usize> {
        (0..self.waiting_on.len())
            .filter(|&i| self.waiting_on[i] == 0)
            .collect()
    }

    /// `i` is done: the changes that were waiting only on it.
    fn done(&mut self, i: usize) -> Vec<usize> {
        let mut now_ready = Vec::new();
        for &d in &self.dependents[i] {
            self.waiting_on[d] -= 1;
            if self.waiting_on[d] == 0 {
                now_ready.push(d);
            }
        }
        now_ready
    }
}

#[cfg(test)]
mod tests;
