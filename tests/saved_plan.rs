//! Saved plans through the binary, as a CI job runs them: `plan --out`, then `apply FILE`
//! applies exactly that plan, or refuses, saying what changed, with no write call.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{Emulator, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]

[[scp.custom]]
name = "deny-s3-delete"
file = "policies/deny-s3-delete.json"
attach = ["ou:Workloads"]
"#;
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;

fn plinth(emu: &Emulator, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd.output().expect("run plinth")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn setup() -> (Emulator, TempBaseline) {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[("policies/deny-s3-delete.json", POLICY)]);
    let out = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--out", "plan.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (emu, b)
}

#[tokio::test]
async fn the_reviewed_plan_is_the_plan_applied() {
    let (emu, b) = setup().await;
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.dir().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert_eq!(saved["plan"]["changes"].as_array().unwrap().len(), 5);

    // `./baseline.toml` names the same file as `baseline.toml`.
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "./baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Apply complete: 5 done, 0 failed, 0 skipped."),
        "{}",
        text(&out.stdout)
    );
    let out = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0));

    // Applying the same saved plan again is refused: the organization is no longer what it was made from.
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: the organization changed since this plan was made"),
        "{stderr}"
    );
    assert!(stderr.contains("no longer `+ scp.deny_leave_organization`"), "{stderr}");
}

#[tokio::test]
async fn a_changed_baseline_is_refused_naming_the_file() {
    let (emu, b) = setup().await;
    std::fs::write(
        b.dir().join("policies/deny-s3-delete.json"),
        POLICY.replace("DeleteBucket", "DeleteObject"),
    )
    .unwrap();
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: the baseline is not the one this plan was made from"),
        "{stderr}"
    );
    assert!(stderr.contains("`policies/deny-s3-delete.json` changed"), "{stderr}");
    // Nothing was written.
    let out = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("+ scp.policy_type"));
}

#[tokio::test]
async fn a_changed_organization_is_refused_saying_what_differs() {
    let (emu, b) = setup().await;
    // Someone enables SCPs by hand in between.
    let org = emu.organizations().await;
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
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the organization changed since this plan was made"),
        "{stderr}"
    );
    assert!(stderr.contains("no longer `+ scp.policy_type`"), "{stderr}");
}

#[test]
fn corrupted_truncated_or_foreign_plan_files_are_refused_before_any_call() {
    let b = TempBaseline::new(BASELINE, &[("policies/deny-s3-delete.json", POLICY)]);
    let run = |content: &str| {
        std::fs::write(b.dir().join("plan.json"), content).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
            .current_dir(b.dir())
            .args(["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"])
            // Nothing listens here: an AWS call would fail differently.
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "x")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        text(&out.stderr)
    };
    let truncated = run(r#"{"format_version": 1, "plinth_version": "0.1.0", "baseline_files": {"#);
    assert!(
        truncated.contains("error: plan file `plan.json` is corrupted or truncated"),
        "{truncated}"
    );
    assert!(truncated.contains("--> plan.json:1:"), "{truncated}");
    let foreign = run(r#"{"format_version": 7}"#);
    assert!(foreign.contains("is not a plinth saved plan of format 1"), "{foreign}");
    let mangled = run(r#"{"format_version": 1, "plan": 3}"#);
    assert!(
        mangled.contains("error: plan file `plan.json` is corrupted"),
        "{mangled}"
    );
}
