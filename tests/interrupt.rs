//! Interrupts and crashes. The first SIGINT or SIGTERM during an apply starts no new
//! change, lets those in flight finish, reports, releases the lock and exits 130 or 143;
//! a second aborts at once; `reconcile --every` stops between passes. A run killed
//! outright (SIGKILL) at any point leaves nothing a rerun cannot finish: every rerun
//! converges, with nothing made twice.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Emulator, TempBaseline};

fn plinth(emu: &Emulator, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Read the child's standard error until a line contains `marker`; the rest is kept.
fn wait_for(child: &mut Child, marker: &str) -> std::sync::mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    let (rest_tx, rest_rx) = std::sync::mpsc::channel();
    let wanted = marker.to_owned();
    std::thread::spawn(move || {
        let mut all = String::new();
        let mut told = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            if !told && line.contains(&wanted) {
                told = true;
                let _ = seen_tx.send(());
            }
        }
        let _ = rest_tx.send(all);
    });
    seen_rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("`{marker}` never appeared"));
    rest_rx
}

fn example(emu: &Emulator) -> TempBaseline {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(support::python())
        .arg(repo.join("tests/support/demo_org.py"))
        .args([&emu.endpoint, "seed"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    support::example_baseline()
}

async fn lock_is_free(emu: &Emulator) -> bool {
    let org = emu.organizations().await;
    let id = org.describe_organization().send().await.unwrap();
    let dynamo = plinth::aws::Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let lock_id = plinth::lock::lock_id(id.organization().unwrap().id().unwrap());
    plinth::lock::inspect(&dynamo, &lock_id).await.unwrap().is_none()
}

/// Apply again without faults: it must converge, and the plan after it must be empty.
/// A lock the killed run left is freed first, as whoever killed it would: plinth itself
/// waits out a lock's lease unless it is its own process's.
async fn rerun_converges(emu: &Emulator, b: &TempBaseline) {
    let org = emu.organizations().await;
    let id = org.describe_organization().send().await.unwrap();
    let dynamo = plinth::aws::Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let lock_id = plinth::lock::lock_id(id.organization().unwrap().id().unwrap());
    if let Some(left) = plinth::lock::inspect(&dynamo, &lock_id).await.unwrap() {
        plinth::lock::force_unlock(&dynamo, &lock_id, &left).await.unwrap();
    }
    let out = plinth(
        emu,
        b.dir(),
        &["apply", "-f", "baseline.toml", "--auto-approve", "--lock-timeout", "0s"],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = plinth(emu, b.dir(), &["plan", "-f", "baseline.toml", "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    support::assert_one_of_each(emu).await;
}

#[tokio::test]
async fn the_first_sigterm_finishes_what_is_in_flight_reports_and_releases_the_lock() {
    let emu = Emulator::start();
    let b = example(&emu);
    // Slow every call down so that the apply is surely under way when the signal comes.
    emu.faults(r#"{"delay": 0.15}"#);
    let mut child = plinth(&emu, b.dir(), &["apply", "-f", "baseline.toml", "--auto-approve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first change is done, others are under way.
    let rest = wait_for(&mut child, "done=1 ");
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    let stderr = rest.recv().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(143), "{stdout}\n{stderr}");
    assert!(stderr.contains("SIGTERM: no new change starts"), "{stderr}");
    assert!(stderr.contains("released the apply lock"), "{stderr}");
    assert!(
        stdout.contains("skipped, plinth was interrupted (SIGTERM) before it started"),
        "{stdout}"
    );
    assert!(stdout.contains(": done"), "what was in flight finished: {stdout}");
    assert!(stdout.contains("Apply incomplete:"), "{stdout}");
    assert!(lock_is_free(&emu).await);
    emu.faults("{}");
    rerun_converges(&emu, &b).await;
}

#[tokio::test]
async fn a_second_sigint_aborts_at_once() {
    let emu = Emulator::start();
    let b = example(&emu);
    emu.faults(r#"{"delay": 0.3}"#);
    let mut child = plinth(&emu, b.dir(), &["apply", "-f", "baseline.toml", "--auto-approve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rest = wait_for(&mut child, "took the apply lock");
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(100));
    let second = Instant::now();
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert!(second.elapsed() < Duration::from_secs(2), "{:?}", second.elapsed());
    let stderr = rest.recv().unwrap();
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("SIGINT again: aborting at once"), "{stderr}");
    // The lock it left stays until its lease passes: the rerun frees it by hand first.
    assert!(!lock_is_free(&emu).await);
    emu.faults("{}");
    rerun_converges(&emu, &b).await;
}

#[tokio::test]
async fn reconcile_every_stops_between_passes_on_the_first_signal() {
    let emu = Emulator::start();
    support::seed(&emu.organizations().await).await;
    let b = TempBaseline::new("[organization]\nmanagement_account_id = \"123456789012\"\n", &[]);
    let mut child = plinth(&emu, b.dir(), &["reconcile", "-f", "baseline.toml", "--every", "1h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rest = wait_for(&mut child, "next pass in");
    let sent = Instant::now();
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(143), "{}", rest.recv().unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains("reconcile: 0 drifted"));
}

#[test]
fn every_zero_is_rejected() {
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["reconcile", "--every", "0s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("must be longer than zero"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One run killed outright `after` into its apply, then a rerun.
async fn killed_then_rerun(after: Duration) {
    let emu = Emulator::start();
    let b = example(&emu);
    emu.faults(r#"{"delay": 0.05}"#);
    let mut child = plinth(&emu, b.dir(), &["apply", "-f", "baseline.toml", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(after).await;
    let _ = child.kill();
    let _ = child.wait();
    emu.faults("{}");
    rerun_converges(&emu, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_apply_killed_at_any_of_20_points_is_finished_by_the_next_run() {
    // How long a whole apply takes here, so the kill points spread across all of it.
    let emu = Emulator::start();
    let b = example(&emu);
    emu.faults(r#"{"delay": 0.05}"#);
    let started = Instant::now();
    let out = plinth(&emu, b.dir(), &["apply", "-f", "baseline.toml", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let whole = started.elapsed();
    drop(emu);
    // From before the lock is taken to the last changes, two runs at a time.
    let points: Vec<Duration> = (0..20).map(|k| whole.mul_f64((f64::from(k) + 0.5) / 20.0)).collect();
    for pair in points.chunks(2) {
        let runs: Vec<_> = pair
            .iter()
            .map(|&after| tokio::spawn(killed_then_rerun(after)))
            .collect();
        for r in runs {
            r.await.unwrap();
        }
    }
}

#[tokio::test]
async fn an_interrupt_while_waiting_for_the_lock_stops_waiting() {
    let emu = Emulator::start();
    support::seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[scp.deny_leave_organization]\nattach = [\"root\"]\n",
        &[],
    );
    let org = emu.organizations().await;
    let id = org.describe_organization().send().await.unwrap();
    let dynamo = plinth::aws::Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let held = plinth::lock::acquire(
        &dynamo,
        id.organization().unwrap().id().unwrap(),
        plinth::lock::LockOptions::default(),
    )
    .await
    .unwrap();
    let mut child = plinth(
        &emu,
        b.dir(),
        &[
            "apply",
            "-f",
            "baseline.toml",
            "--auto-approve",
            "--lock-timeout",
            "60s",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let rest = wait_for(&mut child, "waiting for the lock");
    let sent = Instant::now();
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let stderr = rest.recv().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(5), "{:?}", sent.elapsed());
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("error: interrupted while waiting for the apply lock; nothing was changed"),
        "{stderr}"
    );
    held.release().await;
}
