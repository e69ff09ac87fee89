//! `plinth reconcile` as a scheduler runs it: one pass per run (or a loop), repairing only
//! the kinds allowed, one summary record per pass, exit codes that say what happened.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Emulator, TempBaseline, seed};

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

pub(crate) fn command(emu: &Emulator, baseline: &Path, args: &[&str]) -> Command {
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

pub(crate) fn run(emu: &Emulator, baseline: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
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

    // The default, the guardrails: the billing drift.
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

/// Run Python with boto3 against the emulator (the emulator's environment has it).
fn boto(emu: &Emulator, code: &str) -> String {
    let out = Command::new(support::python())
        .arg("-c")
        .arg(format!(
            "import boto3, json, sys\nkw = dict(endpoint_url={:?}, region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{code}",
            emu.endpoint
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn failed_passes_are_published_and_retried_sooner_without_a_busy_loop() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    // A topic whose messages land in a queue the test can read.
    let topic = boto(
        &emu,
        "sns = boto3.client('sns', **kw); sqs = boto3.client('sqs', **kw)\n\
         t = sns.create_topic(Name='ops')['TopicArn']\n\
         q = sqs.create_queue(QueueName='ops')['QueueUrl']\n\
         arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']\n\
         sns.subscribe(TopicArn=t, Protocol='sqs', Endpoint=arn)\n\
         print(t)",
    );
    // Every pass fails: the baseline names another management account.
    let b = TempBaseline::new(&BASELINE.replace("123456789012", "999999999999"), &[]);
    let mut child = command(&emu, &b.path, &["--every", "20s", "--notify-topic", &topic])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first retry comes after about a tenth of the interval (2 s, with jitter), the
    // next after twice that: two or three passes in 7 s, never a busy loop.
    std::thread::sleep(Duration::from_secs(7));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let passes = stderr
        .matches("error: the credentials belong to account 123456789012")
        .count();
    assert!((2..=4).contains(&passes), "{passes} passes in 7 s:\n{stderr}");
    assert!(
        !stderr.contains("next pass in 20s"),
        "a failed pass is retried sooner: {stderr}"
    );

    let messages = boto(
        &emu,
        "sqs = boto3.client('sqs', **kw)\n\
         q = sqs.get_queue_url(QueueName='ops')['QueueUrl']\n\
         got = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get('Messages', [])\n\
         print(json.dumps([json.loads(m['Body']) for m in got]))",
    );
    let messages: Vec<serde_json::Value> = serde_json::from_str(&messages).unwrap();
    assert!(messages.len() >= 2, "{messages:?}");
    assert_eq!(messages[0]["Subject"], "plinth reconcile failed");
    let body: serde_json::Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(body["failed_pass"], true);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("the credentials belong to account"),
        "{body}"
    );
}

#[tokio::test]
async fn a_pass_reads_per_account_only_for_the_kinds_it_repairs() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        &format!(
            "{BASELINE}\n[contacts.security]\nname = \"Security Team\"\ntitle = \"Security\"\nemail = \"security@example.com\"\nphone = \"+1-555-0100\"\n"
        ),
        &[],
    );
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all"]);
    assert_eq!(code, 2, "{record} {stderr}");
    let (code, all, _) = run(&emu, &b.path, &["--repair", "all"]);
    assert_eq!(code, 0, "converged: {all}");

    // A frequent pass that repairs other kinds leaves the contacts (one read per account) alone.
    let (code, scp_only, stderr) = run(&emu, &b.path, &["--repair", "scp,billing"]);
    assert_eq!(code, 0, "{scp_only} {stderr}");
    let (code, contacts, _) = run(&emu, &b.path, &["--repair", "contacts"]);
    assert_eq!(code, 0, "{contacts}");
    let reads = |r: &serde_json::Value| r["reads"].as_u64().unwrap();
    // Two accounts (the management account and `sandbox`), one declared type.
    assert_eq!(reads(&contacts) - reads(&scp_only), 2, "{contacts} {scp_only}");
    assert_eq!(reads(&all), reads(&contacts));
}
