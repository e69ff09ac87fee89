//! Saved plans through the binary, as a CI job runs them: `plan --out`, then `apply FILE`
//! applies exactly that plan, or refuses, saying what changed, with no write call.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{Emulator, TempBaseline, seed};

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
    assert_eq!(out.status.code(), Some(3));
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
    assert_eq!(out.status.code(), Some(3));
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
    assert_eq!(out.status.code(), Some(3));
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
        assert_eq!(out.status.code(), Some(3));
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
    let mangled = run(&format!(
        r#"{{"format_version": 1, "plinth_version": "{}", "plan": 3}}"#,
        env!("CARGO_PKG_VERSION")
    ));
    assert!(
        mangled.contains("error: plan file `plan.json` is corrupted"),
        "{mangled}"
    );
}

type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

/// Edit the saved plan's JSON and save it as another file.
fn tamper(b: &TempBaseline, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.dir().join("plan.json")).unwrap()).unwrap();
    edit(&mut plan);
    std::fs::write(b.dir().join(name), serde_json::to_string_pretty(&plan).unwrap()).unwrap();
}

fn change_mut<'a>(plan: &'a mut serde_json::Value, address: &str) -> &'a mut serde_json::Value {
    plan["plan"]["changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change `{address}` in the saved plan"))
}

#[tokio::test]
async fn an_edited_plan_file_is_refused_with_zero_writes() {
    let (emu, b) = setup().await;
    let seeded_security = {
        let org = emu.organizations().await;
        let root = org.list_roots().send().await.unwrap().roots()[0]
            .id()
            .unwrap()
            .to_owned();
        let ous = org
            .list_organizational_units_for_parent()
            .parent_id(root)
            .send()
            .await
            .unwrap();
        ous.organizational_units()
            .iter()
            .find(|o| o.name() == Some("Security"))
            .unwrap()
            .id()
            .unwrap()
            .to_owned()
    };
    let cases: Vec<(&str, Edit)> = vec![
        // Another root's id.
        (
            "ids",
            Box::new(|p| change_mut(p, "scp.policy_type")["op"]["root_id"] = "r-0th3r".into()),
        ),
        // Another target: the attachment moved to an OU the baseline does not name.
        (
            "target",
            Box::new(move |p| {
                change_mut(p, "scp.custom.deny-s3-delete -> ou:Workloads")["op"]["target"] =
                    serde_json::json!({"id": seeded_security});
            }),
        ),
        // A document that allows what the reviewed one denied.
        (
            "document",
            Box::new(|p| {
                change_mut(p, "scp.custom.deny-s3-delete")["op"]["content"] =
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into();
            }),
        ),
        // An op for another service in a region of the attacker's choosing.
        (
            "region",
            Box::new(|p| {
                change_mut(p, "scp.deny_leave_organization")["op"] = serde_json::json!({
                    "service": "sso", "region": "eu-west-3",
                    "instance_arn": "arn:aws:sso:::instance/ssoins-0000000000000000",
                    "call": "DeletePermissionSet",
                    "permission_set": "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-1"
                });
            }),
        ),
        // Dependencies dropped: attachments would race their policies.
        (
            "dependencies",
            Box::new(|p| change_mut(p, "scp.deny_leave_organization -> root")["depends_on"] = serde_json::json!([])),
        ),
        // An extra change the reviewer never saw.
        (
            "extra",
            Box::new(|p| {
                let mut extra = change_mut(p, "scp.policy_type").clone();
                extra["address"] = "scp.orphan.other-team".into();
                extra["action"] = "delete".into();
                extra["op"] =
                    serde_json::json!({"service": "organizations", "call": "DeletePolicy", "policy_id": "p-0th3r"});
                p["plan"]["changes"].as_array_mut().unwrap().push(extra);
            }),
        ),
    ];
    for (name, edit) in cases {
        let file = format!("tampered-{name}.json");
        tamper(&b, &file, edit);
        let out = plinth(
            &emu,
            b.dir(),
            &["apply", &file, "-f", "baseline.toml", "--auto-approve"],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
        assert!(stderr.contains("or the plan file was edited"), "{name}: {stderr}");
        assert!(text(&out.stdout).is_empty(), "{name}: nothing is shown as the plan");
    }
    // Zero writes: the organization is as it was (the same five changes are pending) and
    // plinth did not even create its lock table.
    let out = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["changes"].as_array().unwrap().len(), 5);
    let dynamo = aws_sdk_dynamodb::Client::new(&emu.sdk_config().await);
    assert!(dynamo.list_tables().send().await.unwrap().table_names().is_empty());

    // The untampered plan still applies.
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test]
async fn a_plan_of_another_plinth_version_or_with_deletions_needs_a_fresh_look() {
    let (emu, b) = setup().await;
    tamper(&b, "old.json", |p| p["plinth_version"] = "0.0.1".into());
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "old.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("was made by another version of plinth"), "{stderr}");
    assert!(stderr.contains("it was made by plinth 0.0.1"), "{stderr}");

    // `allow_delete` in the file is not a permission: it only makes the plan differ.
    tamper(&b, "deleting.json", |p| p["allow_delete"] = true.into());
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "deleting.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test]
async fn inline_policy_files_of_permission_sets_are_fingerprinted() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let toml = format!(
        "{BASELINE}\n[sso]\n[[sso.permission_set]]\nname = \"ReadOnly\"\ninline_policy_file = \"policies/inline.json\"\n"
    );
    let inline = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let b = TempBaseline::new(
        &toml,
        &[
            ("policies/deny-s3-delete.json", POLICY),
            ("policies/inline.json", inline),
        ],
    );
    let out = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--out", "plan.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.dir().join("plan.json")).unwrap()).unwrap();
    assert!(saved["baseline_files"]["policies/inline.json"].is_string(), "{saved}");
    std::fs::write(
        b.dir().join("policies/inline.json"),
        inline.replace("GetObject", "PutObject"),
    )
    .unwrap();
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("`policies/inline.json` changed"),
        "{}",
        text(&out.stderr)
    );
}

/// A pull request planned before another one was merged: the default branch's baseline
/// is not the one planned, but the plan made now is the reviewed plan change for change.
/// Refused by default, before any AWS call; applied with `--baseline-may-differ`, since
/// what is applied is exactly what was reviewed.
#[tokio::test]
async fn a_plan_made_before_other_merges_applies_with_baseline_may_differ_when_it_still_holds() {
    let (emu, b) = setup().await;
    // The other pull request declares an OU that exists: no change of its own.
    b.rewrite(&format!("{BASELINE}\n[[organizational_units]]\npath = \"Workloads\"\n"));
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "plan.json", "-f", "baseline.toml", "--auto-approve"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("error: the baseline is not the one this plan was made from"),
        "{}",
        text(&out.stderr)
    );
    let out = plinth(
        &emu,
        b.dir(),
        &[
            "apply",
            "plan.json",
            "-f",
            "baseline.toml",
            "--auto-approve",
            "--baseline-may-differ",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Apply complete: 5 done, 0 failed, 0 skipped."));
    let org = emu.organizations().await;
    let scp = crate::support::live_scp(&org, "deny-s3-delete").await.expect("created");
    assert_eq!(scp.targets.len(), 1);
}

/// With `--baseline-may-differ`, a baseline that changes the plan is refused all the
/// same, naming what differs and the files that changed, with nothing written.
#[tokio::test]
async fn a_moved_baseline_that_changes_the_plan_is_refused_with_baseline_may_differ() {
    let (emu, b) = setup().await;
    std::fs::write(
        b.dir().join("policies/deny-s3-delete.json"),
        POLICY.replace("DeleteBucket", "DeleteObject"),
    )
    .unwrap();
    let out = plinth(
        &emu,
        b.dir(),
        &[
            "apply",
            "plan.json",
            "-f",
            "baseline.toml",
            "--auto-approve",
            "--baseline-may-differ",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: the baseline and perhaps the organization changed since this plan was made"),
        "{stderr}"
    );
    assert!(stderr.contains("`+ scp.custom.deny-s3-delete` differs"), "{stderr}");
    assert!(
        stderr.contains(
            "the baseline's files are not those the plan was made from: `policies/deny-s3-delete.json` changed"
        ),
        "{stderr}"
    );
    let org = emu.organizations().await;
    assert!(crate::support::live_scp(&org, "deny-s3-delete").await.is_none());
    // The flag asks for a plan file.
    let out = plinth(
        &emu,
        b.dir(),
        &["apply", "--baseline-may-differ", "-f", "baseline.toml"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("PLAN_FILE"), "{}", text(&out.stderr));
}

/// `plinth show` prints a saved plan as `plinth plan` printed it, reading no baseline and
/// calling no AWS endpoint; `--max-chars` is for Markdown, and no less than 2,000 (the
/// cut itself: tests/pipeline.rs and `render::markdown::budget`).
#[tokio::test]
async fn a_saved_plan_is_shown_again_without_aws() {
    let (emu, b) = setup().await;
    let planned = plinth(&emu, b.dir(), &["plan", "-f", "baseline.toml", "--format", "markdown"]);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(b.dir().join("plan.json"), elsewhere.path().join("plan.json")).unwrap();
    let show = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_plinth"))
            .current_dir(elsewhere.path())
            .arg("show")
            .args(args)
            // Nothing listens here: an AWS call would fail.
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .output()
            .unwrap()
    };
    let out = show(&["plan.json", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&planned.stdout));
    let out = show(&[
        "plan.json",
        "--format",
        "markdown",
        "--max-chars",
        "2000",
        "--full-plan",
        "plan.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        text(&planned.stdout),
        "a plan that fits is shown whole"
    );
    let out = show(&["plan.json", "--max-chars", "2000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: `--max-chars` is for `--format markdown` only"));
    let out = show(&["plan.json", "--format", "markdown", "--max-chars", "1999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("at least 2000 characters"),
        "{}",
        text(&out.stderr)
    );
}
