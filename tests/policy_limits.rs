//! AWS's SCP limits as of 2026-05-15 (10,240 characters, 10 per root, OU or account) end
//! to end against the emulator, whose shim refuses what AWS refuses by the same table;
//! and `[limits]`, which changes what plinth enforces without a new release, while AWS
//! stays the judge of what it accepts.
//!
//! What it takes to reach ten SCPs on an OU: FullAWSAccess is attached to every OU while
//! SCPs are enabled and counts against the ten; plinth never detaches it (AWS manages it),
//! and its planner counts it from what is live. So a baseline reaches ten on a fresh OU
//! with nine SCPs of its own; ten of its own are refused by the plan (after reads, before
//! any write), eleven by the baseline alone (at load, before any call). Where someone
//! detached FullAWSAccess, ten of the baseline's own fit, which is why the load-time check
//! does not count it.

use std::path::Path;

use aws_sdk_organizations::types::PolicyType as ApiPolicyType;
use plinth::apply::Status;
use plinth::baseline;
use plinth::diag::Diagnostics;
use plinth::engine::Session;
use plinth::plan::{Plan, PlanOptions};
use plinth::types::policy_types::PolicyType;

use crate::support::{Emulator, TempBaseline, seed};

const HEAD: &str = "[organization]\nmanagement_account_id = \"123456789012\"\n";

/// An SCP document of exactly `n` characters, minified as plinth sends it.
fn scp_of(n: usize) -> String {
    let doc = |pad: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"s3:{}","Resource":"*"}}]}}"#,
            "x".repeat(pad)
        )
    };
    let text = doc(n - doc(0).len());
    assert_eq!(text.chars().count(), n);
    text
}

/// `count` SCPs of the baseline on `ou:Security`, the first from `first.json`, the others
/// from `small.json`.
fn on_security(limits: &str, count: usize) -> String {
    let mut text = format!("{HEAD}{limits}");
    for i in 0..count {
        let file = if i == 0 { "first.json" } else { "small.json" };
        text.push_str(&format!(
            "\n[[scp.custom]]\nname = \"guard-{i}\"\nfile = \"{file}\"\nattach = [\"ou:Security\"]\n"
        ));
    }
    text
}

fn baseline_of(limits: &str, count: usize, first: &str) -> TempBaseline {
    TempBaseline::new(
        &on_security(limits, count),
        &[("first.json", first), ("small.json", &scp_of(120))],
    )
}

/// What `plinth plan` does: load the file, then plan with the session.
async fn plan_file(session: &Session, path: &Path) -> Result<Plan, Diagnostics> {
    let b = baseline::load(path)?;
    session.plan(&b, PlanOptions::default()).await
}

async fn scps_on(org: &aws_sdk_organizations::Client, target: &str) -> Vec<String> {
    org.list_policies_for_target()
        .target_id(target)
        .filter(ApiPolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap()
        .policies()
        .iter()
        .map(|p| p.name().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_emulators_limits_follow_plinths_table() {
    let shim =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/emulator.py")).unwrap();
    let table = shim
        .split("POLICY_LIMITS = {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("emulator.py has POLICY_LIMITS");
    for t in PolicyType::ALL {
        let rules = t.rules();
        let row = format!("\"{}\": ({}, {}),", rules.api, rules.max_size, rules.max_per_target);
        assert!(
            table.contains(&row),
            "emulator.py's POLICY_LIMITS lacks `{row}`:\n{table}"
        );
    }
}

#[tokio::test]
async fn an_scp_of_10240_characters_and_ten_scps_on_an_ou_apply() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    // FullAWSAccess and nine of the baseline's: ten, one of them 10,240 characters.
    let b = baseline_of("", 9, &scp_of(10_240));
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let on = scps_on(&org, &seeded.security_ou).await;
    assert_eq!(on.len(), 10, "{on:?}");
    assert!(on.iter().any(|n| n == "FullAWSAccess"), "{on:?}");
    let live = crate::support::live_scp(&org, "guard-0").await.unwrap();
    assert_eq!(live.content.chars().count(), 10_240);

    // Converged: a second plan is empty and writes nothing.
    let session = emu.session().await;
    let again = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(again.is_empty(), "{:#?}", again.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn one_character_or_one_scp_more_is_refused_before_any_call() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;

    // 10,241 characters: refused at load, no call at all.
    let b = baseline_of("", 1, &scp_of(10_241));
    let session = emu.session().await;
    let err = plan_file(&session, &b.path).await.unwrap_err().to_string();
    assert!(
        err.contains("error: SCP `guard-0` is 10241 characters minified; AWS allows 10240"),
        "{err}"
    );
    assert_eq!(session.aws.counter.snapshot().total(), 0);

    // Eleven SCPs of the baseline's on one OU: refused at load, no call at all.
    let b = baseline_of("", 11, &scp_of(120));
    let session = emu.session().await;
    let err = plan_file(&session, &b.path).await.unwrap_err().to_string();
    assert!(
        err.contains("error: `ou:Security` would carry more than 10 SCPs"),
        "{err}"
    );
    assert!(
        err.contains("hint: AWS allows 10 SCPs per root, OU or account, `FullAWSAccess` included where it is attached"),
        "{err}"
    );
    assert_eq!(session.aws.counter.snapshot().total(), 0);

    // Ten of the baseline's beside the live FullAWSAccess: the plan reads what is live,
    // and refuses the eleventh before any write.
    let b = baseline_of("", 10, &scp_of(120));
    let session = emu.session().await;
    let err = plan_file(&session, &b.path).await.unwrap_err().to_string();
    assert!(
        err.contains("error: `ou:Security` would carry 11 SCPs; AWS allows 10"),
        "{err}"
    );
    assert!(err.contains("it would carry: FullAWSAccess, guard-0,"), "{err}");
    let calls = session.aws.counter.snapshot();
    assert!(calls.reads() > 0);
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    assert_eq!(scps_on(&org, &seeded.security_ou).await, ["FullAWSAccess"]);
}

#[tokio::test]
async fn limits_raised_in_the_baseline_let_plinth_send_what_only_aws_then_judges() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;

    // Raised past what AWS allows: one character more, and room for FullAWSAccess and
    // eleven of the baseline's. plinth plans, and warns.
    let limits = "\n[limits]\nscp_characters = 10241\nscp_per_target = 12\n";
    let b = baseline_of(limits, 11, &scp_of(10_241));
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    let path = b.path.display();
    assert!(
        plan.warnings[0].starts_with(&format!("`scp_characters = 10241` in `[limits]` ({path}:5:1): plinth knows 10240 characters for SCPs (AWS What's New of 2026-05-15")),
        "{}",
        plan.warnings[0]
    );
    assert!(
        plan.warnings[0]
            .ends_with("this baseline allows 10241: AWS refuses larger documents unless it has raised the limit"),
        "{}",
        plan.warnings[0]
    );
    assert!(
        plan.warnings[1]
            .ends_with("this baseline allows 12: AWS refuses more attachments unless it has raised the limit"),
        "{}",
        plan.warnings[1]
    );
    let text = plinth::render::text::plan(&plan);
    assert!(
        text.contains("warning: `scp_characters = 10241` in `[limits]`"),
        "{text}"
    );

    // AWS (the emulator, by the same figures) refuses the document, and one of the ten
    // others once FullAWSAccess and nine are attached.
    let report = session.apply(&plan).await;
    let errors: Vec<&str> = report
        .outcomes
        .iter()
        .filter_map(|o| match &o.status {
            Status::Failed { error } => Some(error.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        errors.iter().any(
            |e| e.starts_with("Organizations.CreatePolicy: ConstraintViolationException")
                && e.contains("POLICY_CONTENT_LIMIT_EXCEEDED")
        ),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")),
        "{errors:#?}"
    );
    // Everything AWS accepts is in place: FullAWSAccess and nine of the baseline's.
    assert_eq!(scps_on(&org, &seeded.security_ou).await.len(), 10);
}

#[test]
fn validate_shows_the_limits_a_baseline_sets_with_their_warnings() {
    let b = TempBaseline::new(
        &format!(
            "{HEAD}\n[limits]\nscp_characters = 12000\nscp_per_target = 12\n\n[scp.deny_leave_organization]\nattach = [\"root\"]\n"
        ),
        &[],
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["validate", "-f"])
        .arg(&b.path)
        // An AWS call would fail here: validate makes none.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let path = b.path.display();
    assert!(
        lines[0].starts_with(&format!(
            "warning: `scp_characters = 12000` in `[limits]` ({path}:5:1): plinth knows 10240 characters for SCPs ("
        )),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "warning: `scp_per_target = 12` in `[limits]` ({path}:6:1): plinth knows 10 SCPs per root, OU or account ("
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nLimits this baseline sets: 12000 characters for SCPs (plinth knows 10240), 12 SCPs per root, OU or account (plinth knows 10).\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(`plinth-deny-leave-organization`, 150 of 12000 characters)"),
        "{stdout}"
    );
}
