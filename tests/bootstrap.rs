//! `plinth bootstrap` on a fresh management account (no organization yet): creates the
//! organization, lists what only the console can do, applies; a second run changes nothing.

use std::process::{Command, Output, Stdio};

use crate::support::{Emulator, TempBaseline};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.deny_leave_organization]
attach = ["root"]

[billing]
notify = ["finance@example.com"]

[[billing.alarm]]
name = "org-monthly"
threshold_usd = 1000
"#;

fn bootstrap(emu: &Emulator, b: &TempBaseline, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(["bootstrap", "-f"])
        .arg(&b.path)
        .args(extra)
        .stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test]
async fn bootstrap_creates_the_organization_then_applies_and_is_idempotent() {
    let emu = Emulator::start();
    let b = TempBaseline::new(BASELINE, &[]);

    let out = bootstrap(&emu, &b, &["--auto-approve"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("plinth will create one with all features, with account 123456789012"),
        "{stdout}"
    );
    assert!(stdout.contains(": created now."), "{stdout}");
    assert!(
        stdout.contains("[ ] IAM Identity Center") && stdout.contains("[ ] Billing alerts"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Apply complete: 8 done, 0 failed, 0 skipped."),
        "{stdout}"
    );

    let org = emu.organizations().await;
    let described = org.describe_organization().send().await.unwrap();
    assert_eq!(described.organization().unwrap().feature_set().unwrap().as_str(), "ALL");

    // Again: the organization exists, the plan is empty, nothing is written.
    let out = bootstrap(&emu, &b, &["--auto-approve"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(": exists."), "{stdout}");
    assert!(
        stdout.contains("No changes. The organization matches the baseline."),
        "{stdout}"
    );
    assert!(stderr.contains("writes=0"), "{stderr}");
}

#[tokio::test]
async fn creating_the_organization_needs_approval() {
    let emu = Emulator::start();
    let b = TempBaseline::new(BASELINE, &[]);
    let out = bootstrap(&emu, &b, &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("refusing to apply without confirmation: standard input is not a terminal"),
        "{stderr}"
    );
    let org = emu.organizations().await;
    assert!(
        org.describe_organization().send().await.is_err(),
        "no organization was created"
    );
}
