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
            self.log.lock().unwrap().push(change.address.to_string());
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
    Change::new(address.parse().unwrap(), action, "", Op::Organizations(op))
        .depends_on(deps.iter().map(|s| s.parse().unwrap()).collect())
}

fn plan() -> Plan {
    let create = |name: &str| OrganizationsOp::CreatePolicy {
        policy_type: crate::types::policy_types::PolicyType::Scp,
        name: name.into(),
        description: String::new(),
        content: String::new(),
    };
    let attach = |p: &str| OrganizationsOp::AttachPolicy {
        policy: Ref::Planned(p.parse().unwrap()),
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
    let report = apply(plan(), &fake, &|| None).await;
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
    let report = apply(plan(), &fake, &|| None).await;
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
async fn a_dependency_missing_from_the_plan_is_not_taken_as_done() {
    let fake = Fake {
        fail: "",
        log: Mutex::new(vec![]),
    };
    let mut plan = plan();
    // As a hand-edited saved plan might: `scp.b`'s creation waits for a change it lacks.
    plan.changes[1].depends_on.push("scp.gone".parse().unwrap());
    let report = apply(plan.clone(), &fake, &|| None).await;
    assert_eq!((report.done(), report.skipped()), (2, 2), "{report:?}");
    assert_eq!(
        report.outcomes[1].status,
        Status::Skipped {
            because: "`scp.gone`, which it depends on, is not in the plan".into()
        }
    );
    assert_eq!(
        report.outcomes[3].status,
        Status::Skipped {
            because: "`scp.b` did not succeed".into()
        }
    );
    assert!(!fake.log.lock().unwrap().iter().any(|l| l.contains("scp.b")));
}

#[tokio::test]
async fn a_closed_gate_starts_no_further_change() {
    let fake = Fake {
        fail: "",
        log: Mutex::new(vec![]),
    };
    // The gate closes once two changes have started (an interrupt, a lost lock).
    let gate = || (fake.log.lock().unwrap().len() >= 2).then(|| "the apply lock was lost".to_owned());
    let report = apply(plan(), &fake, &gate).await;
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
            .insert(change.address.to_string(), tokio::time::Instant::now());
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
            change("account.payments", Action::Create, &[], op()),
            change("scp.a", Action::Create, &[], op()),
            change("scp.a -> root", Action::Attach, &["scp.a"], op()),
            change(
                "account.payments -> ou:Prod",
                Action::Update,
                &["account.payments"],
                op(),
            ),
        ],
        ..Plan::default()
    };
    let timed = Timed {
        slow: "account.payments",
        ended: Mutex::new(BTreeMap::new()),
    };
    let report = apply(plan.clone(), &timed, &|| None).await;
    assert!(report.is_success(), "{report:?}");
    let ended = timed.ended.lock().unwrap().clone();
    // The attach follows its policy at once, not after the 15-minute account creation.
    assert!(ended["scp.a -> root"] < ended["account.payments"], "{ended:?}");
    assert!(ended["account.payments -> ou:Prod"] > ended["account.payments"]);
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
        let took = if change.address.kind() == "billing" { 10 } else { 1 };
        tokio::time::sleep(std::time::Duration::from_secs(took)).await;
        self.ended
            .lock()
            .unwrap()
            .insert(change.address.to_string(), tokio::time::Instant::now());
        Ok(None)
    }

    fn lane(&self, change: &Change) -> &'static str {
        if change.address.kind() == "billing" {
            "alarms"
        } else {
            ""
        }
    }

    fn reserve(&self, change: &Change) -> Option<Reservation> {
        if change.address.kind() == "billing" {
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
    let report = apply(plan.clone(), &lanes, &|| None).await;
    assert!(report.is_success(), "{report:?}");
    let ended = lanes.ended.lock().unwrap().clone();
    // The SCP is done after a second, not after the alarms' 400 s.
    assert_eq!(ended["scp.a"] - start, std::time::Duration::from_secs(1));
    assert_eq!(ended["billing.alarm.39"] - start, std::time::Duration::from_secs(400));
}

/// One lane of one slot, counting how often the scheduler asks it for a slot.
struct OneSlot {
    slot: std::sync::Arc<tokio::sync::Semaphore>,
    asked: std::sync::atomic::AtomicUsize,
}

impl Executor for OneSlot {
    async fn execute(
        &self,
        _: &Change,
        _: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        tokio::task::yield_now().await;
        Ok(None)
    }

    fn reserve(&self, _: &Change) -> Option<Reservation> {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let permit = self.slot.clone().try_acquire_owned().ok()?;
        Some(Box::new(permit))
    }
}

#[tokio::test]
async fn finishing_a_change_costs_the_same_however_large_the_plan() {
    // 3,000 changes in a full lane, every tenth depending on the one before: the
    // scheduler asks for a slot about twice per change (once when it starts, at most once
    // when the lane is full), never once per waiting change after each one is done
    // (4.5 million times here).
    let op = || OrganizationsOp::EnableAwsServiceAccess {
        service_principal: "x".into(),
    };
    let changes: Vec<Change> = (0..3000)
        .map(|i| {
            let before = format!("c{}", i - 1);
            let deps: &[&str] = if i % 10 == 0 && i > 0 { &[before.as_str()] } else { &[] };
            change(&format!("c{i}"), Action::Create, deps, op())
        })
        .collect();
    let plan = Plan {
        changes,
        ..Plan::default()
    };
    let one = OneSlot {
        slot: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        asked: 0.into(),
    };
    let report = apply(plan.clone(), &one, &|| None).await;
    assert!(report.is_success(), "{:?}", &report.outcomes[..3]);
    let asked = one.asked.load(std::sync::atomic::Ordering::Relaxed);
    assert!(asked <= 2 * 3000 + 10, "asked for a slot {asked} times");
}

/// Knows the changes only as weak references: what of them the apply still holds.
struct Watcher {
    changes: Vec<(Address, std::sync::Weak<Change>)>,
    seen: Mutex<Vec<(String, Vec<String>)>>,
    fail: &'static str,
}

impl Executor for Watcher {
    async fn execute(
        &self,
        change: &Change,
        _resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        let held_now = || -> Vec<String> {
            self.changes
                .iter()
                .filter(|(_, w)| w.upgrade().is_some())
                .map(|(a, _)| a.to_string())
                .collect()
        };
        // `scp.c` runs beside the others, and looks once what `scp.b`'s failure skipped
        // is let go (or, if it never is, after a while).
        if change.address == "scp.c" {
            for _ in 0..10_000 {
                if !held_now().iter().any(|a| a == "scp.b -> root") && !held_now().iter().any(|a| a == "scp.b") {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        let held = held_now();
        self.seen.lock().unwrap().push((change.address.to_string(), held));
        if change.address == self.fail {
            return Err(AwsError::other("Organizations", "CreatePolicy", "refused"));
        }
        Ok(Some(format!("id-of-{}", change.address)))
    }
}

#[tokio::test]
async fn each_change_is_let_go_once_done_failed_or_skipped() {
    // One after another: `scp.a`, its attach, `scp.b` (which fails), its attach (skipped);
    // `scp.c` on its own.
    let changes: Vec<Arc<Change>> = plan()
        .changes
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let after: Vec<Address> = match i {
                1 => vec!["scp.a -> root".parse().unwrap()],
                _ => c.depends_on.clone(),
            };
            Arc::new(c.depends_on(after))
        })
        .chain(std::iter::once(Arc::new(change(
            "scp.c",
            Action::Create,
            &[],
            OrganizationsOp::CreatePolicy {
                policy_type: crate::types::policy_types::PolicyType::Scp,
                name: "c".into(),
                description: String::new(),
                content: String::new(),
            },
        ))))
        .collect();
    let watcher = Watcher {
        changes: changes.iter().map(|c| (c.address.clone(), Arc::downgrade(c))).collect(),
        seen: Mutex::new(Vec::new()),
        fail: "scp.b",
    };
    let report = apply_changes(changes, &watcher, &|| None).await;
    let seen = watcher.seen.into_inner().unwrap();
    let at = |address: &str| -> Vec<String> {
        seen.iter()
            .find(|(a, _)| a == address)
            .map(|(_, held)| held.clone())
            .unwrap()
    };
    // Each start holds itself and what is still to do, never what is done.
    // (`scp.c` runs all along, until `scp.b` has failed.)
    assert_eq!(
        at("scp.a"),
        ["scp.a", "scp.b", "scp.a -> root", "scp.b -> root", "scp.c"]
    );
    assert_eq!(
        at("scp.a -> root"),
        ["scp.b", "scp.a -> root", "scp.b -> root", "scp.c"]
    );
    assert_eq!(at("scp.b"), ["scp.b", "scp.b -> root", "scp.c"]);
    assert!(!seen.iter().any(|(a, _)| a == "scp.b -> root"), "{seen:?}");
    // While the apply still runs, the failed `scp.b` and the attach it skipped are let go.
    assert_eq!(at("scp.c"), ["scp.c"]);
    // The report still names every change.
    assert_eq!(report.outcomes.len(), 5);
    assert_eq!(report.done(), 3);
    assert_eq!(report.failed(), 1);
    assert_eq!(report.skipped(), 1);
}
