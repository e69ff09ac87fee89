//! `[root_access]` end to end against the emulator (its centralized-root-access shim):
//! trusted access and both features enabled; member accounts' root users audited in
//! `AssumeRoot` sessions; their credentials deleted only with `remove_root_credentials`;
//! an account where `AssumeRoot` is denied reported while the others go on; a converged
//! run writes nothing; a scheduled pass that repairs other kinds skips the audit.

use std::collections::BTreeSet;

use crate::support::{Emulator, TempBaseline, create_account_in, seed};
use plinth::plan::{Action, PlanOptions};
use serde_json::json;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[root_access]
credentials_management = true
root_sessions = true
"#;

fn lines(plan: &plinth::plan::Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.kind == "root_access")
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect()
}

#[tokio::test]
async fn features_are_enabled_then_root_users_audited_and_their_credentials_removed_on_request() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let payments = create_account_in(&org, "payments", &seeded.root_id, &seeded.workloads_ou).await;
    let locked = create_account_in(&org, "locked", &seeded.root_id, &seeded.workloads_ou).await;
    let sandbox = seeded.sandbox_account.clone();
    emu.root_credentials(&json!({
        "credentials": {
            sandbox.clone(): {"password": true, "access_keys": ["AKIASANDBOXROOT01"], "mfa_devices": [format!("arn:aws:iam::{sandbox}:mfa/root-account-mfa-device")]},
            payments.clone(): {"signing_certificates": ["CERTPAYMENTS01"]},
            locked.clone(): {"password": true},
        },
        "deny_assume_root": [locked.clone()],
    }));
    let b = TempBaseline::new(BASELINE, &[]);

    // First run: trusted access, then both features; nothing audited yet.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert_eq!(
        lines(&plan),
        [
            "+ root_access.trusted_access: `iam.amazonaws.com` has no trusted access to the organization; centralized root access needs it",
            "+ root_access.credentials_management: IAM's root credentials management is off for the organization",
            "+ root_access.root_sessions: IAM's root sessions (privileged tasks through `sts:AssumeRoot`) is off for the organization",
        ]
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("audited once root sessions are on"))
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("the management account's root user (123456789012) is yours to secure"))
    );
    assert!(session.apply(&plan).await.is_success());

    // Second run: every member audited; credentials listed, kept, the denied account reported.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    assert_eq!(
        calls.get("STS.AssumeRoot"),
        3,
        "one session per member account: sandbox, payments, locked"
    );
    assert_eq!(calls.get("IAM.ListAccessKeys"), 2, "the denied account is not read");
    assert!(
        plan.notes.iter().any(|n| n.contains(&format!(
            "account `sandbox` ({sandbox}): the root user has a console password, access key `AKIASANDBOXROOT01`, MFA device"
        ))),
        "{:#?}",
        plan.notes
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.starts_with(&format!("account `locked` ({locked}): AWS refused the root session"))),
        "{:#?}",
        plan.warnings
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("audited the root users of 3 member accounts"))
    );

    // Removal on request: one `-` change per credential, applied; the denied account untouched.
    b.rewrite(&format!("{BASELINE}remove_root_credentials = true\n"));
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let mut deletes = lines(&plan);
    deletes.sort();
    // Sorted: the accounts' ids are the emulator's, in no fixed order.
    let mut want = vec![
        format!(
            "- root_access.{payments}.signing_certificate.CERTPAYMENTS01: the root user of account {payments} has signing certificate `CERTPAYMENTS01`; `remove_root_credentials` deletes it"
        ),
        format!(
            "- root_access.{sandbox}.access_key.AKIASANDBOXROOT01: the root user of account {sandbox} has access key `AKIASANDBOXROOT01`; `remove_root_credentials` deletes it"
        ),
        format!(
            "- root_access.{sandbox}.mfa_device.arn:aws:iam::{sandbox}:mfa/root-account-mfa-device: the root user of account {sandbox} has MFA device `arn:aws:iam::{sandbox}:mfa/root-account-mfa-device`; `remove_root_credentials` deletes it"
        ),
        format!(
            "- root_access.{sandbox}.password: the root user of account {sandbox} has a console password; `remove_root_credentials` deletes it"
        ),
    ];
    want.sort();
    assert_eq!(deletes, want);
    assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let stored = emu.root_credentials(&json!({}));
    assert_eq!(
        stored["credentials"][&sandbox],
        json!({"password": false, "access_keys": [], "signing_certificates": [], "mfa_devices": []})
    );
    assert_eq!(stored["credentials"][&payments]["signing_certificates"], json!([]));
    assert_eq!(
        stored["credentials"][&locked]["password"],
        json!(true),
        "AssumeRoot is denied there"
    );

    // Converged: audits again, deletes nothing, writes nothing.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    // A scheduled pass that repairs other kinds skips the audit, and says so.
    let session = emu
        .session()
        .await
        .with_account_reads(Some(BTreeSet::from([plinth::kinds::KindId::Scps])));
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert_eq!(session.aws.counter.snapshot().get("STS.AssumeRoot"), 0);
    assert!(plan.notes.iter().any(|n| n.contains("were not audited in this run")));
}

#[tokio::test]
async fn the_emulator_refuses_what_aws_refuses() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let conf = emu.sdk_config().await;
    let iam = aws_sdk_iam::Client::new(&conf);
    let sts = aws_sdk_sts::Client::new(&conf);
    let code = |e: &dyn aws_sdk_iam::error::ProvideErrorMetadata| e.code().map(str::to_owned);
    let err = iam.list_organizations_features().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ServiceAccessNotEnabledException"));
    let audit = aws_sdk_sts::types::PolicyDescriptorType::builder()
        .arn("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
        .build();
    let assume = |account: &str| {
        sts.assume_root()
            .target_principal(account)
            .task_policy_arn(audit.clone())
            .duration_seconds(900)
            .send()
    };
    let err = assume(&seeded.sandbox_account).await.unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied"),
        "root sessions are off"
    );
    org.enable_aws_service_access()
        .service_principal("iam.amazonaws.com")
        .send()
        .await
        .unwrap();
    iam.enable_organizations_root_sessions().send().await.unwrap();
    let out = assume(&seeded.sandbox_account).await.unwrap();
    let c = out.credentials().unwrap();
    // The audit task only reads.
    let root_conf = aws_sdk_iam::config::Builder::from(&conf)
        .credentials_provider(aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "test",
        ))
        .build();
    let root = aws_sdk_iam::Client::from_conf(root_conf);
    assert!(root.list_access_keys().send().await.is_ok());
    let err = root.delete_login_profile().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("AccessDenied"));
    let err = assume("123456789012").await.unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied"),
        "not the management account"
    );
}

#[tokio::test]
async fn trusted_access_is_read_once_per_plan_however_many_kinds_ask() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        &format!(
            "{BASELINE}\n[contacts.security]\nname = \"Security Team\"\ntitle = \"Security\"\nemail = \"security@example.com\"\nphone = \"+1-555-0100\"\n"
        ),
        &[],
    );
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert_eq!(
        session
            .aws
            .counter
            .snapshot()
            .get("Organizations.ListAWSServiceAccessForOrganization"),
        1
    );
    assert!(session.apply(&plan).await.is_success());
    // The same session plans again: trusted access enabled by its apply is read afresh.
    session.aws.counter.reset();
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.address.as_str().ends_with("trusted_access")),
        "{:#?}",
        plan.changes
    );
    assert_eq!(
        session
            .aws
            .counter
            .snapshot()
            .get("Organizations.ListAWSServiceAccessForOrganization"),
        1
    );
}
