//! `plinth reconcile` as a scheduler runs it: one pass per run (or a loop), repairing only
//! the kinds allowed, one summary record per pass, exit codes that say what happened.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Emulator, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]

[billing]
notify = ["finance@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000
"#;

fn command(emu: &Emulator, baseline: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.arg("reconcile")
        .args(args)
        .arg("-f")
        .arg(baseline)
        .stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd
}

fn run(emu: &Emulator, baseline: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out: Output = command(emu, baseline, &[args, &["--log-format", "json"]].concat())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let record = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (out.status.code().unwrap(), record, stderr)
}

#[tokio::test]
async fn repairs_only_the_kinds_allowed_and_reports_each_pass() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);

    // Report only: drift found, nothing written.
    let (code, record, _) = run(&emu, &b.path, &["--repair", "none"]);
    assert_eq!(code, 2);
    assert_eq!(record["drift_found"], 6, "{record}");
    assert_eq!(record["repaired"], 0);
    assert_eq!(record["not_repaired"], 6);
    assert_eq!(record["writes"], 0);
    assert!(record["reads"].as_u64().unwrap() > 0);

    // SCPs only: billing drift stays.
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "scp"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(record["repaired"], 3, "{record}");
    assert_eq!(record["not_repaired"], 3);
    // Three repairs, and the lock's own writes: CreateTable (first use), PutItem, DeleteItem.
    assert_eq!(record["writes"], 3 + 3);
    assert!(stderr.contains("drift not repaired"), "{stderr}");

    // Everything else.
    let (code, record, _) = run(&emu, &b.path, &[]);
    assert_eq!(
        (code, record["drift_found"].as_u64(), record["repaired"].as_u64()),
        (2, Some(3), Some(3))
    );

    // Converged: exit 0, zero writes.
    let (code, record, _) = run(&emu, &b.path, &[]);
    assert_eq!(code, 0, "{record}");
    assert_eq!(
        (record["drift_found"].as_u64(), record["writes"].as_u64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn every_duration_runs_pass_after_pass() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let mut child = command(&emu, &b.path, &["--every", "1s", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(first["repaired"], 6, "{first}");
    assert_eq!(
        second["drift_found"], 0,
        "the second pass finds the first one's repairs: {second}"
    );
}

#[tokio::test]
async fn drift_is_published_to_the_notify_topic() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let sns = aws_sdk_sns::Client::new(&emu.sdk_config().await);
    let topic = sns
        .create_topic()
        .name("ops-drift")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let b = TempBaseline::new(BASELINE, &[]);

    let (code, _, stderr) = run(&emu, &b.path, &["--repair", "none", "--notify-topic", &topic]);
    assert_eq!(code, 2, "{stderr}");

    // A topic that does not exist makes the pass fail, which proves the publish happened above.
    let out = command(
        &emu,
        &b.path,
        &[
            "--repair",
            "none",
            "--notify-topic",
            "arn:aws:sns:us-east-1:123456789012:nope",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot publish the drift notification"));
}

#[test]
fn an_unknown_repair_kind_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["reconcile", "--repair", "scp,logs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown kind `logs`"), "{stderr}");
}
