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
mod tests {
    #[test]
    fn progress_lines_say_what_is_done_left_and_slow() {
        assert_eq!(
            super::progress_line(120, 0, 3000, Some("CloudWatch.PutMetricAlarm at 3/s")),
            "120 of 3000 changes done, 2880 to go; paced by CloudWatch.PutMetricAlarm at 3/s"
        );
        assert_eq!(
            super::progress_line(10, 2, 20, None),
            "10 of 20 changes done, 2 failed or skipped, 8 to go"
        );
    }

    use std::sync::Mutex;

    use super::*;
    use crate::plan::{Op, OrganizationsOp};

    struct Fake {
        fail: &'static str,
        log: Mutex<Vec<String>>,
    }

    impl Executor for Fake {
        async fn execute(
            &self,
            change: &Change,
            resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
        ) -> Result<Option<String>, AwsError> {
            if let Op::Organizations(OrganizationsOp::AttachPolicy { policy, .. }) = &change.op {
                let id = resolve(policy).expect("created earlier");
                self.log.lock().unwrap().push(format!("attach {id}"));
            } else {
                self.log.lock().unwrap().push(change.address.clone());
            }
            if change.address == self.fail {
                return Err(AwsError {
                    code: Some("ConstraintViolationException".into()),
                    ..AwsError::other("Organizations", "CreatePolicy", "too many policies")
                });
            }
            Ok(matches!(change.action, Action::Create).then(|| format!("id-of-{}", change.address)))
        }
    }

    fn change(address: &str, action: Action, deps: &[&str], op: OrganizationsOp) -> Change {
        Change {
            kind: "test".into(),
            address: address.into(),
            action,
            reason: String::new(),
            before: None,
            after: None,
            statement_diff: vec![],
            depends_on: deps.iter().map(|s| s.to_string()).collect(),
            op: Op::Organizations(op),
        }
    }

    fn plan() -> Plan {
        let create = |name: &str| OrganizationsOp::CreatePolicy {
            name: name.into(),
            description: String::new(),
            content: String::new(),
        };
        let attach = |p: &str| OrganizationsOp::AttachPolicy {
            policy: Ref::Planned(p.into()),
            target: Ref::Id("r-root".into()),
        };
        Plan {
            changes: vec![
                change("scp.a", Action::Create, &[], create("a")),
                change("scp.b", Action::Create, &[], create("b")),
                change("scp.a -> root", Action::Attach, &["scp.a"], attach("scp.a")),
                change("scp.b -> root", Action::Attach, &["scp.b"], attach("scp.b")),
            ],
            ..Plan::default()
        }
    }

    #[tokio::test]
    async fn runs_dependencies_first_and_passes_created_ids() {
        let fake = Fake {
            fail: "",
            log: Mutex::new(vec![]),
        };
        let report = apply(&plan(), &fake, &|| None).await;
        assert!(report.is_success(), "{report:?}");
        let log = fake.log.lock().unwrap().clone();
        let pos = |s: &str| log.iter().position(|l| l == s).unwrap();
        assert!(pos("scp.a") < pos("attach id-of-scp.a"));
        assert!(pos("scp.b") < pos("attach id-of-scp.b"));
        assert_eq!(
            report.outcomes[0].status,
            Status::Done {
                id: Some("id-of-scp.a".into())
            }
        );
    }

    #[tokio::test]
    async fn a_failure_skips_its_dependents_and_nothing_else() {
        let fake = Fake {
            fail: "scp.a",
            log: Mutex::new(vec![]),
        };
        let report = apply(&plan(), &fake, &|| None).await;
        assert_eq!(report.done(), 2);
        assert_eq!(report.failed(), 1);
        assert_eq!(report.skipped(), 1);
        assert!(
            matches!(&report.outcomes[0].status, Status::Failed { error } if error.contains("ConstraintViolationException: too many policies"))
        );
        assert_eq!(
            report.outcomes[2].status,
            Status::Skipped {
                because: "`scp.a` did not succeed".into()
            }
        );
        assert_eq!(report.outcomes[3].status, Status::Done { id: None });
    }

    #[tokio::test]
    async fn a_closed_gate_starts_no_further_change() {
        let fake = Fake {
            fail: "",
            log: Mutex::new(vec![]),
        };
        // The gate closes once two changes have started (an interrupt, a lost lock).
        let gate = || (fake.log.lock().unwrap().len() >= 2).then(|| "the apply lock was lost".to_owned());
        let report = apply(&plan(), &fake, &gate).await;
        assert_eq!(report.done(), 2, "{report:?}");
        assert_eq!(fake.log.lock().unwrap().len(), 2);
        assert!(report.outcomes[2..].iter().all(|o| o.status
            == Status::Skipped {
                because: "the apply lock was lost".into()
            }));
    }

    /// Sleeps `slow` for one address, records when each change ends (paused clock).
    struct Timed {
        slow: &'static str,
        ended: Mutex<BTreeMap<String, tokio::time::Instant>>,
    }

    impl Executor for Timed {
        async fn execute(
            &self,
            change: &Change,
            _: &(dyn Fn(&Ref) -> Option<String> + Sync),
        ) -> Result<Option<String>, AwsError> {
            let took = if change.address == self.slow { 900 } else { 1 };
            tokio::time::sleep(std::time::Duration::from_secs(took)).await;
            self.ended
                .lock()
                .unwrap()
                .insert(change.address.clone(), tokio::time::Instant::now());
            Ok(None)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_change_holds_up_only_what_depends_on_it() {
        let op = || OrganizationsOp::EnableAwsServiceAccess {
            service_principal: "x".into(),
        };
        let plan = Plan {
            changes: vec![
                change("account:payments", Action::Create, &[], op()),
                change("scp.a", Action::Create, &[], op()),
                change("scp.a -> root", Action::Attach, &["scp.a"], op()),
                change(
                    "account:payments -> ou:Prod",
                    Action::Update,
                    &["account:payments"],
                    op(),
                ),
            ],
            ..Plan::default()
        };
        let timed = Timed {
            slow: "account:payments",
            ended: Mutex::new(BTreeMap::new()),
        };
        let report = apply(&plan, &timed, &|| None).await;
        assert!(report.is_success(), "{report:?}");
        let ended = timed.ended.lock().unwrap().clone();
        // The attach follows its policy at once, not after the 15-minute account creation.
        assert!(ended["scp.a -> root"] < ended["account:payments"], "{ended:?}");
        assert!(ended["account:payments -> ou:Prod"] > ended["account:payments"]);
    }

    /// Two lanes: "alarms" (changes whose address starts with `billing.`) with one slot,
    /// taking 10 s each; everything else unlimited, taking 1 s.
    struct Lanes {
        alarms: std::sync::Arc<tokio::sync::Semaphore>,
        ended: Mutex<BTreeMap<String, tokio::time::Instant>>,
    }

    impl Executor for Lanes {
        async fn execute(
            &self,
            change: &Change,
            _: &(dyn Fn(&Ref) -> Option<String> + Sync),
        ) -> Result<Option<String>, AwsError> {
            let took = if change.address.starts_with("billing.") { 10 } else { 1 };
            tokio::time::sleep(std::time::Duration::from_secs(took)).await;
            self.ended
                .lock()
                .unwrap()
                .insert(change.address.clone(), tokio::time::Instant::now());
            Ok(None)
        }

        fn reserve(&self, change: &Change) -> Option<Reservation> {
            if change.address.starts_with("billing.") {
                let permit = self.alarms.clone().try_acquire_owned().ok()?;
                Some(Box::new(permit))
            } else {
                Some(Box::new(()))
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_lane_never_holds_up_another_service() {
        let op = || OrganizationsOp::EnableAwsServiceAccess {
            service_principal: "x".into(),
        };
        // Forty alarms first in the plan (more than the apply runs at once), then an SCP.
        let mut changes: Vec<Change> = (0..40)
            .map(|i| change(&format!("billing.alarm.{i}"), Action::Create, &[], op()))
            .collect();
        changes.push(change("scp.a", Action::Create, &[], op()));
        let plan = Plan {
            changes,
            ..Plan::default()
        };
        let lanes = Lanes {
            alarms: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            ended: Mutex::new(BTreeMap::new()),
        };
        let start = tokio::time::Instant::now();
        let report = apply(&plan, &lanes, &|| None).await;
        assert!(report.is_success(), "{report:?}");
        let ended = lanes.ended.lock().unwrap().clone();
        // The SCP is done after a second, not after the alarms' 400 s.
        assert_eq!(ended["scp.a"] - start, std::time::Duration::from_secs(1));
        assert_eq!(ended["billing.alarm.39"] - start, std::time::Duration::from_secs(400));
    }
}
