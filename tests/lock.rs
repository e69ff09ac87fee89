//! Two applies never interleave: real `plinth` processes against the emulator, with the
//! apply lock held by another process, expired, or contended.

use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::{Emulator, TempBaseline, seed};
use plinth::aws::Aws;
use plinth::aws::dynamodb::LockRecord;
use plinth::lock::{self, LockOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root", "ou:Workloads", "ou:Security"]

[billing]
notify = ["finance@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000
"#;

fn apply(emu: &Emulator, baseline: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(["apply", "--auto-approve", "-f"])
        .arg(baseline)
        .args(extra)
        .stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

async fn organization_id(emu: &Emulator) -> String {
    let org = emu.organizations().await;
    org.describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn two_concurrent_applies_make_each_change_once() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let first = apply(&emu, &b.path, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let second = apply(&emu, &b.path, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b_out) = (first.wait_with_output().unwrap(), second.wait_with_output().unwrap());
    let ((a_out, a_err), (b_stdout, b_err)) = (text(&a), text(&b_out));
    assert_eq!(a.status.code(), Some(0), "{a_out}\n{a_err}");
    assert_eq!(b_out.status.code(), Some(0), "{b_stdout}\n{b_err}");

    // Exactly one copy of each resource, whichever run made it.
    let org = emu.organizations().await;
    let policies = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let ours = policies
        .policies()
        .iter()
        .filter(|p| p.name() == Some("plinth-deny-leave-organization"))
        .count();
    assert_eq!(ours, 1);
    let done = |s: &str| {
        s.lines()
            .filter(|l| l.ends_with(": done") || l.contains("): done"))
            .count()
    };
    assert_eq!(
        done(&a_out) + done(&b_stdout),
        8,
        "each change made once in all:\n{a_out}\n{b_stdout}"
    );
    let session = emu.session().await;
    assert!(session.plan(&b.load(), Default::default()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_held_lock_fails_fast_naming_the_holder_or_is_waited_for() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let held = lock::acquire(&dynamo, &organization_id(&emu).await, LockOptions::default())
        .await
        .unwrap();

    let out = apply(&emu, &b.path, &["--lock-timeout", "0s"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("error: another plinth run is applying changes to this organization"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("held by `{}`", held.holder())), "{stderr}");
    // Nothing was written.
    assert!(
        !emu.session()
            .await
            .plan(&b.load(), Default::default())
            .await
            .unwrap()
            .is_empty()
    );

    // With time to wait, it waits for the release and then applies.
    let waiting = apply(&emu, &b.path, &["--lock-timeout", "60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    held.release().await;
    let out = waiting.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("waiting for the lock"), "{stderr}");
    assert!(stdout.contains("Apply complete: 8 done"), "{stdout}");
}

/// A lock item as another run would have left it.
fn record(holder: &str, lease_secs: u64) -> LockRecord {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    LockRecord {
        holder: holder.into(),
        acquired_at: now - 30,
        expires_at: now + lease_secs as i64,
        rvn: "rvn-of-a-crashed-run".into(),
        lease_secs,
    }
}

async fn plant(emu: &Emulator, r: &LockRecord) -> (plinth::aws::dynamodb::Dynamo, String) {
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    dynamo.ensure_table(lock::TABLE).await.unwrap();
    let lock_id = lock::lock_id(&organization_id(emu).await);
    assert!(dynamo.try_acquire(lock::TABLE, &lock_id, r).await.unwrap().is_none());
    (dynamo, lock_id)
}

#[tokio::test]
async fn a_crashed_holders_lock_is_taken_over_once_its_lease_passes_unrenewed() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    // A run on another host that died: its lease is 3 s, and nobody renews it. Whatever
    // its clock said about expiry does not matter; the waiter counts on its own clock.
    plant(&emu, &record("elsewhere:pid 4242:ab", 3)).await;

    let out = apply(&emu, &b.path, &["--lock-timeout", "0s"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "not before the lease has passed: {stderr}");
    assert!(stderr.contains("plinth force-unlock plinth/"), "{stderr}");

    let started = std::time::Instant::now();
    let out = apply(&emu, &b.path, &["--lock-timeout", "30s"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("took the apply lock over: `elsewhere:pid 4242:ab` did not renew it for 3 s"),
        "{stderr}"
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(stdout.contains("Apply complete: 8 done"), "{stdout}");
}

#[tokio::test]
async fn a_dead_process_on_this_host_is_waited_for_until_its_lease_passes() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    // A scheduled run on this host, in this PID namespace, killed mid-apply: its process
    // is gone, but a PID says nothing certain (another container may have the same one),
    // so its lease (3 s here) decides, as for any other holder.
    let me = lock::holder::me();
    let holder = format!(
        "{}:run {}.0:pid {pid}:pidns {}:boot {}",
        me.host,
        "9".repeat(32),
        me.pidns,
        me.boot
    );
    plant(&emu, &record(&holder, 3)).await;

    let out = apply(&emu, &b.path, &["--lock-timeout", "0s"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "not at once: {stderr}");
    assert!(
        stderr.contains(&format!("it ran on this host as process {pid}, which no longer exists")),
        "{stderr}"
    );
    let started = std::time::Instant::now();
    let out = apply(&emu, &b.path, &["--lock-timeout", "30s"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(
        stderr.contains(&format!(
            "took the apply lock over: `{holder}` did not renew it for 3 s"
        )),
        "{stderr}"
    );
    assert!(stdout.contains("Apply complete: 8 done"), "{stdout}");
}

#[tokio::test]
async fn a_holder_whose_lock_is_taken_over_stops_writing() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let options = LockOptions {
        timeout: Duration::ZERO,
        lease: Duration::from_secs(4),
    };
    let org = organization_id(&emu).await;
    let held = lock::acquire(&dynamo, &org, options).await.unwrap();
    assert_eq!(held.check(), Ok(()));
    // Someone frees it by hand and another run takes it while this one still works.
    let lock_id = lock::lock_id(&org);
    let there = lock::inspect(&dynamo, &lock_id).await.unwrap().unwrap();
    lock::force_unlock(&dynamo, &lock_id, &there).await.unwrap();
    let other = lock::acquire(&dynamo, &org, options).await.unwrap();
    // The holder learns it at its next renewal (every quarter lease) and stops.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        held.check().unwrap_err(),
        "the apply lock was lost (another run took it over)"
    );
    // Releasing a lost lock leaves the new holder's alone.
    held.release().await;
    assert_eq!(
        lock::inspect(&dynamo, &lock_id).await.unwrap().unwrap().holder,
        other.holder()
    );
    other.release().await;
}

#[tokio::test]
async fn force_unlock_shows_the_holder_asks_and_frees_the_lock() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let (dynamo, lock_id) = plant(&emu, &record("elsewhere:pid 4242:ab", 600)).await;
    let run = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
        cmd.arg("force-unlock").args(args).stdin(Stdio::null());
        for (k, v) in emu.env() {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // Without a terminal and without `--force` it asks, cannot, and frees nothing.
    let out = run(&[&lock_id]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("is held by `elsewhere:pid 4242:ab`"), "{stdout}");
    assert!(stdout.contains("plinth cannot tell where it runs"), "{stdout}");
    assert!(stderr.contains("run again with `--force`"), "{stderr}");
    assert!(lock::inspect(&dynamo, &lock_id).await.unwrap().is_some());

    let out = run(&[&lock_id, "--force"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(&format!("Freed the lock `{lock_id}`.")), "{stdout}");
    assert!(lock::inspect(&dynamo, &lock_id).await.unwrap().is_none());

    let out = run(&[&lock_id, "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains(&format!("there is no lock `{lock_id}`")));
}

/// Start an apply that will wait for a lock the test holds, and give it time to plan.
async fn waiting_apply(emu: &Emulator, b: &TempBaseline) -> (std::process::Child, lock::Held) {
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let held = lock::acquire(&dynamo, &organization_id(emu).await, LockOptions::default())
        .await
        .unwrap();
    let child = apply(emu, &b.path, &["--lock-timeout", "60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    (child, held)
}

#[tokio::test]
async fn a_plan_that_changed_while_waiting_is_not_applied() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let (child, held) = waiting_apply(&emu, &b).await;
    // Meanwhile someone enables SCPs by hand: the approved plan is no longer the plan.
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    org.enable_policy_type()
        .root_id(root)
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    held.release().await;
    let out = child.wait_with_output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the organization changed while plinth waited for the apply lock"),
        "{stderr}"
    );
    assert!(stderr.contains("run `plinth apply` again"), "{stderr}");
    // Nothing of the plan was applied.
    assert!(
        support::live_scp(&org, "plinth-deny-leave-organization")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn changes_another_run_made_while_waiting_leave_nothing_to_do() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let (child, held) = waiting_apply(&emu, &b).await;
    // The lock holder makes the very changes the waiting run planned.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), Default::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());
    held.release().await;
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("another run made these changes while plinth waited for the lock"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Apply complete: 0 done, 0 failed, 0 skipped."),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_lock_that_already_names_this_run_is_its_own() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    // The first PutItem went through; its answer was lost and the acquire is retried.
    let me = lock::holder_name();
    let (dynamo, lock_id) = plant(&emu, &record(&me, 600)).await;
    let options = LockOptions {
        timeout: Duration::ZERO,
        ..LockOptions::default()
    };
    let held = lock::acquire_as(&dynamo, &organization_id(&emu).await, options, me.clone())
        .await
        .expect("its own lock, not another run's");
    assert_eq!(held.check(), Ok(()));
    held.release().await;
    assert!(lock::inspect(&dynamo, &lock_id).await.unwrap().is_none());
}
