//! The `plinth` binary as users run it: exit codes, confirmation, output formats, help.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{Emulator, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.deny_leave_organization]
attach = ["root", "ou:Workloads/Prod"]
"#;

fn plinth(emu: &Emulator, baseline: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(args).arg("-f").arg(baseline).stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd.output().expect("run plinth")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn detailed_exitcode_says_whether_there_are_changes() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let out = plinth(&emu, &b.path, &["plan", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("+ scp.deny_leave_organization -> ou:Workloads/Prod"));

    // Without the flag, changes are still success.
    assert_eq!(plinth(&emu, &b.path, &["plan"]).status.code(), Some(0));

    let out = plinth(&emu, &b.path, &["apply", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Apply complete: 5 done, 0 failed, 0 skipped."),
        "{}",
        text(&out.stdout)
    );

    let out = plinth(&emu, &b.path, &["plan", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "No changes. The organization matches the baseline.\n"
    );
}

#[tokio::test]
async fn apply_refuses_without_a_terminal_or_auto_approve() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let out = plinth(&emu, &b.path, &["apply"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: refusing to apply without confirmation: standard input is not a terminal"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: review what it would do, then run again with `--auto-approve`"),
        "{stderr}"
    );
    // Nothing was written: the plan still has every change.
    assert_eq!(
        plinth(&emu, &b.path, &["plan", "--detailed-exitcode"]).status.code(),
        Some(2)
    );
}

#[tokio::test]
async fn machine_formats() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let out = plinth(&emu, &b.path, &["plan", "--format", "json", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["summary"]["attach"], 2);
    // Logs on stderr are JSON lines too.
    for line in text(&out.stderr).lines() {
        let _: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }

    let out = plinth(&emu, &b.path, &["plan", "--format", "markdown"]);
    let md = text(&out.stdout);
    assert!(
        md.starts_with("<!-- plinth-plan -->\n### plinth plan: 1 to enable, 2 to create, 2 to attach"),
        "{md}"
    );

    // apply prints two JSON documents: the plan, then the report.
    let out = plinth(&emu, &b.path, &["apply", "--auto-approve", "--format", "json"]);
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("JSON documents");
    assert_eq!(docs.len(), 2, "{}", text(&out.stdout));
    assert_eq!(docs[0]["changes_pending"], true);
    assert_eq!(docs[1]["success"], true);
    assert_eq!(docs[1]["done"], 5);
    assert_eq!(docs[1]["outcomes"][0]["status"], "done");
}

#[test]
fn missing_baseline_says_how_to_point_at_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["validate", "-f", "/nonexistent/baseline.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read baseline `/nonexistent/baseline.toml`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: pass the baseline with `-f FILE`"), "{stderr}");
}

#[test]
fn validate_renders_every_generated_policy_offline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .current_dir(root)
        .args(["validate", "-f", "baselines/example.toml"])
        // An AWS call would fail here: validate must make none.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Baseline `baselines/example.toml` is valid."),
        "{stdout}"
    );
    for name in [
        "plinth-region-deny",
        "plinth-deny-leave-organization",
        "deny-iam-users",
        "plinth-rcp-enforce-tls",
        "plinth-rcp-org-only",
        "plinth-ai-opt-out",
        "cost-center",
        "plinth-ec2-declarative",
    ] {
        assert!(
            stdout.contains(&format!("(`{name}`, ")),
            "{name} missing from\n{stdout}"
        );
    }
    // The organization's id is not known offline: a placeholder stands for it, and says so.
    assert!(
        stdout.contains("`o-exampleorgid0000000000000000000` stands for the organization's id"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"aws:PrincipalOrgID\": \"o-exampleorgid0000000000000000000\""),
        "{stdout}"
    );
}

#[test]
fn help_teaches() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
            .args(args)
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        text(&out.stdout)
    };
    insta::assert_snapshot!("help", help(&["--help"]));
    insta::assert_snapshot!("plan_help", help(&["plan", "--help"]));
    insta::assert_snapshot!("apply_help", help(&["apply", "--help"]));
    insta::assert_snapshot!("reconcile_help", help(&["reconcile", "--help"]));
    insta::assert_snapshot!("iam_policy_help", help(&["iam-policy", "--help"]));
    // `reconcile --repair` names every kind of the registry, and the guardrails as they are.
    let reconcile = help(&["reconcile", "--help"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for kind in plinth::kinds::NAMES {
        assert!(reconcile.contains(kind), "`reconcile --help` does not name `{kind}`");
    }
    let guardrails = plinth::kinds::KindId::ALL
        .iter()
        .filter(|k| k.guardrail())
        .map(|k| {
            if k.name() == "scp" {
                "scp with organizational_units"
            } else {
                k.name()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        reconcile.contains(&format!("`guardrails` (the default: {guardrails})")),
        "`reconcile --help` lists other guardrails than {guardrails}: {reconcile}"
    );
}

#[test]
fn missing_credentials_are_reported_as_such() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .current_dir(root)
        .args([
            "plan",
            "-f",
            "baselines/example.toml",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: no AWS credentials found"), "{stderr}");
    assert!(
        stderr.contains("hint: plinth uses the standard AWS credential chain"),
        "{stderr}"
    );
    assert!(!stderr.contains("DispatchFailure"), "no SDK debug dump: {stderr}");
}

/// `plinth schema` with its standard output already closed by the reader (`| head` that
/// stopped reading): plinth ends quietly and successfully.
#[test]
fn a_reader_gone_ends_plinth_quietly() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .arg("schema")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run plinth");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

/// Standard output that cannot be written to (a full device) is an error, exit 1.
#[test]
fn an_unwritable_standard_output_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .arg("schema")
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run plinth");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "error: cannot write to standard output\n  Caused by: No space left on device (os error 28)\n"
    );
}
