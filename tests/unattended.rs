//! What `plinth reconcile` never does unattended: whatever `--repair` says, a pass deletes
//! no root credentials, adopts nothing, and creates or moves no account unless the run
//! names the write with its `--allow-*` flag; each change held back is in the summary
//! record with the flag it needs. With the flag, `keep_root_credentials` still keeps the
//! break-glass account's root credentials. Checked on what the emulator ends up holding.

use aws_sdk_organizations::types::PolicyType;
use serde_json::{Value, json};

use crate::reconcile::run;
use crate::support::{Emulator, TempBaseline, create_account_in, live_scp, seed};

const ROOT_ACCESS: &str = r#"
[organization]
management_account_id = "123456789012"

[root_access]
credentials_management = true
root_sessions = true
remove_root_credentials = true
keep_root_credentials = ["account:break-glass"]
"#;

/// The changes the record says were not repaired, with why.
fn left(record: &Value) -> Vec<&str> {
    record["not_repaired_changes"]
        .as_array()
        .unwrap_or_else(|| panic!("{record}"))
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn root_credentials_are_removed_only_with_their_flag_and_never_the_kept_accounts() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let sandbox = seeded.sandbox_account.clone();
    let glass = create_account_in(&org, "break-glass", &seeded.root_id, &seeded.security_ou).await;
    let glass_root = json!({"password": true, "access_keys": [], "signing_certificates": [], "mfa_devices": [format!("arn:aws:iam::{glass}:mfa/root")]});
    emu.root_credentials(&json!({
        "credentials": {
            sandbox.clone(): {"password": true, "access_keys": ["AKIASANDBOXROOT01"]},
            glass.clone(): glass_root.clone(),
        },
    }));
    let b = TempBaseline::new(ROOT_ACCESS, &[]);

    // The guardrails, the default, leave root access alone.
    let (code, record, stderr) = run(&emu, &b.path, &[]);
    assert_eq!(code, 2, "{record} {stderr}");
    assert_eq!(
        (record["repaired"].as_u64(), record["writes"].as_u64()),
        (Some(0), Some(0)),
        "{record}"
    );
    assert!(
        left(&record).contains(&"root_access.trusted_access: `--repair guardrails` excludes `root_access`"),
        "{record}"
    );

    // `--repair all` turns the features on: no flag is needed for them.
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(record["repaired"], 3, "{record}");

    // The default pass skips the audit, so it sees no root credentials: one `AssumeRoot`
    // and four IAM reads per member account (sandbox, break-glass) are left to the passes
    // that name `root_access`.
    let (code, guardrails, _) = run(&emu, &b.path, &[]);
    assert_eq!(code, 0, "{guardrails}");
    let (_, all, _) = run(&emu, &b.path, &["--repair", "all"]);
    let reads = |r: &Value| r["reads"].as_u64().unwrap();
    assert_eq!(reads(&all) - reads(&guardrails), 2 * 5, "{guardrails} {all}");

    // Now the audit finds the credentials: deleting them needs the flag, so nothing goes.
    for repair in ["all", "root_access"] {
        let (code, record, stderr) = run(&emu, &b.path, &["--repair", repair]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            (
                record["drift_found"].as_u64(),
                record["repaired"].as_u64(),
                record["writes"].as_u64()
            ),
            (Some(2), Some(0), Some(0)),
            "{record}"
        );
        assert_eq!(
            left(&record),
            [
                format!(
                    "root_access.{sandbox}.password: deleting root credentials needs `--allow-remove-root-credentials`"
                ),
                format!(
                    "root_access.{sandbox}.access_key.AKIASANDBOXROOT01: deleting root credentials needs `--allow-remove-root-credentials`"
                ),
            ]
        );
        let stored = emu.root_credentials(&json!({}));
        assert_eq!(stored["credentials"][&sandbox]["password"], true);
        assert_eq!(
            stored["credentials"][&sandbox]["access_keys"],
            json!(["AKIASANDBOXROOT01"])
        );
    }

    // The text record says the same, one line per change.
    let out = crate::reconcile::command(&emu, &b.path, &["--repair", "all"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "\n  not repaired: root_access.{sandbox}.password: deleting root credentials needs `--allow-remove-root-credentials`"
        )),
        "{text}"
    );

    // The plan says the kept account keeps its credentials.
    let plan = emu.session().await.plan(&b.load(), Default::default()).await.unwrap();
    assert!(
        plan.notes.iter().any(|n| n.starts_with(&format!(
            "keeps the root credentials of `break-glass` ({glass}): `keep_root_credentials`; the root user has a console password, MFA device"
        ))),
        "{:#?}",
        plan.notes
    );

    // With the flag: the sandbox's go, the break-glass account's stay.
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all", "--allow-remove-root-credentials"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        (record["repaired"].as_u64(), record["not_repaired"].as_u64()),
        (Some(2), Some(0)),
        "{record}"
    );
    let stored = emu.root_credentials(&json!({}));
    assert_eq!(
        stored["credentials"][&sandbox],
        json!({"password": false, "access_keys": [], "signing_certificates": [], "mfa_devices": []})
    );
    assert_eq!(stored["credentials"][&glass], glass_root);

    // Converged: the kept credentials are no drift.
    let (code, record, _) = run(&emu, &b.path, &["--repair", "all", "--allow-remove-root-credentials"]);
    assert_eq!(code, 0, "{record}");
    assert_eq!(record["writes"], 0);

    // A kept account the organization does not have stops the pass before any write.
    b.rewrite(&ROOT_ACCESS.replace("account:break-glass", "account:brake-glass"));
    let out = crate::reconcile::command(&emu, &b.path, &["--repair", "all", "--allow-remove-root-credentials"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: unknown target `account:brake-glass`"),
        "{stderr}"
    );
    assert!(stderr.contains("baseline.toml:9:26"), "{stderr}");
    assert_eq!(emu.root_credentials(&json!({}))["credentials"][&glass], glass_root);
}

const ADOPT_AND_MOVE: &str = r#"
[organization]
management_account_id = "123456789012"

[[scp.custom]]
name = "deny-vpc-deletion"
file = "deny-vpc-deletion.json"
attach = ["root"]

[[account]]
name = "sandbox"
email = "sandbox@example.com"
ou = "Security"

[[account]]
name = "ledger"
email = "ledger@example.com"
ou = "Security"
"#;

const DENY_VPC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoVpcDeletion","Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}"#;

#[tokio::test]
async fn a_pass_adopts_creates_or_moves_nothing_without_its_flag() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    // Someone made the baseline's SCP by hand: it matches, without plinth's tag.
    org.create_policy()
        .name("deny-vpc-deletion")
        .description("")
        .content(DENY_VPC)
        .r#type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let b = TempBaseline::new(ADOPT_AND_MOVE, &[("deny-vpc-deletion.json", DENY_VPC)]);
    let parent = |id: String| {
        let org = org.clone();
        async move {
            let parents = org.list_parents().child_id(id).send().await.unwrap();
            parents.parents()[0].id().unwrap().to_owned()
        }
    };
    let accounts = || async {
        let list = org.list_accounts().send().await.unwrap();
        list.accounts()
            .iter()
            .map(|a| a.name().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all"]);
    assert_eq!(code, 2, "{stderr}");
    let reasons = left(&record);
    for expected in [
        "scp.custom.deny-vpc-deletion (adopt): adopting a resource plinth does not manage yet needs `--allow-adopt`",
        "account.ledger: creating an account needs `--allow-account-changes`",
        "account.sandbox -> ou:Security: moving an account to another OU needs `--allow-account-changes`",
    ] {
        assert!(reasons.contains(&expected), "{expected} not in {reasons:#?}");
    }
    // What waits for a held-back change is held back too, naming it.
    assert!(
        reasons
            .iter()
            .any(|r| r
                .ends_with("it depends on `scp.custom.deny-vpc-deletion (adopt)`, which this pass does not repair")),
        "{reasons:#?}"
    );
    assert_eq!(record["repaired"], 0, "{record}");
    assert_eq!(record["writes"], 0, "{record}");
    assert!(!live_scp(&org, "deny-vpc-deletion").await.unwrap().owned);
    assert_eq!(parent(seeded.sandbox_account.clone()).await, seeded.workloads_ou);
    assert!(!accounts().await.contains(&"ledger".to_owned()));

    // Adoption allowed: the SCP is taken over and attached; the accounts stay as they are.
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all", "--allow-adopt"]);
    assert_eq!(code, 2, "{stderr}");
    let scp = live_scp(&org, "deny-vpc-deletion").await.unwrap();
    assert!(scp.owned && scp.targets.contains(&seeded.root_id), "{record}");
    assert_eq!(parent(seeded.sandbox_account.clone()).await, seeded.workloads_ou);
    assert!(!accounts().await.contains(&"ledger".to_owned()));
    assert_eq!(record["not_repaired"], 3, "{record}");

    // Account changes allowed: the sandbox moves, the ledger account is created and placed.
    let (code, record, stderr) = run(&emu, &b.path, &["--repair", "all", "--allow-account-changes"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(record["not_repaired"], 0, "{record}");
    assert_eq!(parent(seeded.sandbox_account.clone()).await, seeded.security_ou);
    assert!(accounts().await.contains(&"ledger".to_owned()));

    let (code, record, _) = run(&emu, &b.path, &["--repair", "all"]);
    assert_eq!(code, 0, "converged: {record}");
}
