//! Two applies never interleave: real `plinth` processes against the emulator, with the
//! apply lock held by another process, expired, or contended.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use plinth::aws::Aws;
use plinth::lock::{self, LockOptions};
use support::{Emulator, TempBaseline, seed};

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
    assert!(
        stderr.contains(&format!(
            "held by `{}",
            lock::holder_name().split(":pid").next().unwrap()
        )),
        "{stderr}"
    );
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

#[tokio::test]
async fn a_crashed_holders_lock_expires() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    dynamo.ensure_table(lock::TABLE).await.unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    // A run that died ten minutes ago, its lock expired a minute ago.
    let lock_id = format!("plinth/{}", organization_id(&emu).await);
    assert!(
        dynamo
            .try_acquire(lock::TABLE, &lock_id, "crashed:pid 1", now - 600, now - 60)
            .await
            .unwrap()
            .is_none()
    );

    let out = apply(&emu, &b.path, &["--lock-timeout", "0s"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Apply complete: 8 done"), "{stdout}");
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
