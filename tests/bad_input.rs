//! Bad input gets a clear error, pointing at file:line:column, exit 1, and no AWS call.
//!
//! Every file in tests/corpus/bad is loaded and its diagnostics snapshotted; then the
//! `plinth plan` binary runs on it with an endpoint nothing listens on, which proves the
//! error comes before the first AWS call. Errors that need the live organization
//! (unknown targets, the per-target limit counting live policies) run against the emulator
//! and assert zero write calls.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_organizations::types::PolicyType;
use plinth::baseline;
use plinth::plan::PlanOptions;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus went missing: {}", dir.display());
    files
}

#[test]
fn every_corpus_file_fails_with_a_located_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in corpus() {
        let rel = file.strip_prefix(root).unwrap();
        let Err(diags) = baseline::load(rel) else {
            panic!("{} loaded without error", rel.display())
        };
        for d in &diags.0 {
            assert!(d.location().is_some(), "{}: no file:line:column in\n{d}", rel.display());
        }
        let text = diags.to_string();
        assert!(text.starts_with("error: "), "{text}");
        assert!(
            !text.lines().next().unwrap().ends_with('.'),
            "no trailing period: {text}"
        );
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        insta::with_settings!({ snapshot_path => "snapshots/bad_input", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

#[test]
fn the_binary_exits_1_before_any_aws_call() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in corpus() {
        let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
            .current_dir(root)
            .args(["plan", "-f"])
            .arg(file.strip_prefix(root).unwrap())
            // Nothing listens here: an AWS call would fail with a connection error instead.
            .args(["--endpoint-url", "http://127.0.0.1:9"])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", file.display());
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        assert!(stderr.contains("error: "), "{stderr}");
        assert!(
            !stderr.contains("AWS credentials") && !stderr.contains("cannot read the organization"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

const HEAD: &str = "[organization]\nmanagement_account_id = \"123456789012\"\n";

#[tokio::test]
async fn unknown_live_targets_are_errors_with_no_write() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        &format!(
            "{HEAD}\n[scp.deny_leave_organization]\nattach = [\"ou:Workloads/Nope\", \"account:ghost\", \"account:999999999999\"]\n"
        ),
        &[],
    );
    let session = emu.session().await;
    let err = session.plan(&b.load(), PlanOptions::default()).await.unwrap_err();
    assert_eq!(err.len(), 3, "{err}");
    let text = err.to_string();
    assert!(text.contains("unknown target `ou:Workloads/Nope`"), "{text}");
    assert!(text.contains("no account named `ghost`"), "{text}");
    assert!(text.contains("no account `999999999999` in the organization"), "{text}");
    assert!(text.contains("baseline.toml:5:11"), "{text}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn live_policies_count_toward_the_per_target_limit() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    // Security already carries FullAWSAccess and eight of the user's SCPs.
    for i in 0..8 {
        let p = org
            .create_policy()
            .name(format!("theirs-{i}"))
            .description("")
            .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#)
            .r#type(PolicyType::ServiceControlPolicy)
            .send()
            .await
            .unwrap();
        let id = p.policy().unwrap().policy_summary().unwrap().id().unwrap().to_owned();
        org.attach_policy()
            .policy_id(id)
            .target_id(&seeded.security_ou)
            .send()
            .await
            .unwrap();
    }
    let b = TempBaseline::new(
        &format!(
            "{HEAD}\n[scp.deny_leave_organization]\nattach = [\"ou:Security\"]\n\n[scp.region_deny]\nallowed_regions = [\"us-east-1\"]\nattach = [\"ou:Security\"]\n"
        ),
        &[],
    );
    let session = emu.session().await;
    let err = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`ou:Security` would carry 11 SCPs; AWS allows 10"),
        "{err}"
    );
    assert!(err.contains("theirs-0") && err.contains("FullAWSAccess"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
