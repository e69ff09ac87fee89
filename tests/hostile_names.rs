//! Live names steer nothing: an OU named like a nested path, an account renamed to a
//! declared name, two accounts of one name. Each test asserts what the emulator ends up
//! holding, not only what plinth says.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Emulator, TempBaseline, seed};
use plinth::plan::PlanOptions;

fn plinth(emu: &Emulator, baseline: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(args).arg("-f").arg(baseline).stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Names of the policies attached directly to a target.
async fn attached(org: &aws_sdk_organizations::Client, target: &str) -> Vec<String> {
    let out = org
        .list_policies_for_target()
        .target_id(target)
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = out
        .policies()
        .iter()
        .filter_map(|p| p.name().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// An account at the root, with a name and an e-mail of the test's choosing.
async fn create_account(org: &aws_sdk_organizations::Client, name: &str, email: &str) -> String {
    org.create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .unwrap()
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap()
        .to_owned()
}

async fn create_ou(org: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    org.create_organizational_unit()
        .parent_id(parent)
        .name(name)
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

const DECOY: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.deny_leave_organization]
attach = ["ou:Workloads/Prod"]

[scp.region_deny]
allowed_regions = ["us-east-1", "eu-west-1"]
attach = ["root"]
"#;

#[tokio::test]
async fn a_decoy_ou_named_like_a_nested_path_captures_nothing_and_the_rest_is_repaired() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let prod = create_ou(&org, &seeded.workloads_ou, "Prod").await;
    let b = TempBaseline::new(DECOY, &[]);
    let (code, _, stderr) = plinth(&emu, &b.path, &["reconcile", "--repair", "scp", "--log-format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        attached(&org, &prod)
            .await
            .contains(&"plinth-deny-leave-organization".to_owned())
    );

    // Someone who may create OUs makes one at the root named like the real path, and
    // drift happens elsewhere: the region deny is detached from the root.
    let decoy = create_ou(&org, &seeded.root_id, "Workloads/Prod").await;
    let protect = crate::support::live_scp(&org, "plinth-region-deny").await.unwrap();
    org.detach_policy()
        .policy_id(&protect.id)
        .target_id(&seeded.root_id)
        .send()
        .await
        .unwrap();

    let (code, stdout, stderr) = plinth(&emu, &b.path, &["reconcile", "--repair", "scp", "--log-format", "json"]);
    let record: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(code, 1, "a blocked target is an error: {record}\n{stderr}");
    assert_eq!(
        (record["blocked"].as_u64(), record["repaired"].as_u64()),
        (Some(1), Some(1)),
        "{record}"
    );
    let errors = record["errors"].to_string();
    assert!(
        errors.contains(&prod) && errors.contains(&decoy),
        "both ids named: {errors}"
    );

    // AWS holds: the real OU keeps its SCP, the decoy got none, the root is repaired.
    assert!(
        attached(&org, &prod)
            .await
            .contains(&"plinth-deny-leave-organization".to_owned())
    );
    assert!(
        !attached(&org, &decoy).await.iter().any(|n| n.starts_with("plinth-")),
        "{:?}",
        attached(&org, &decoy).await
    );
    assert!(
        attached(&org, &seeded.root_id)
            .await
            .contains(&"plinth-region-deny".to_owned())
    );

    // `plan` says so at the baseline's line and column, and exits 1.
    let (code, stdout, _) = plinth(&emu, &b.path, &["plan"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("error: `ou:Workloads/Prod` is left out of this plan: live names make it ambiguous"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("{}:9:11", b.path.display())), "{stdout}");
}

const ACCOUNT: &str = r#"
[organization]
management_account_id = "123456789012"

[[account]]
name = "payments"
email = "payments@example.com"
ou = "Security"

[scp.deny_leave_organization]
attach = ["account:payments", "root"]
"#;

#[tokio::test]
async fn an_account_renamed_to_a_declared_name_is_neither_moved_nor_given_its_policies() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    // A member account that named itself like the declared one (its own e-mail).
    let squatter = create_account(&org, "payments", "squatter@example.com").await;
    org.move_account()
        .account_id(&squatter)
        .source_parent_id(&seeded.root_id)
        .destination_parent_id(&seeded.workloads_ou)
        .send()
        .await
        .unwrap();
    let before = org.list_accounts().send().await.unwrap().accounts().len();
    let b = TempBaseline::new(ACCOUNT, &[]);
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    // Blocked where it is declared and where it is targeted, both e-mails named.
    let at: Vec<&str> = plan
        .blocked
        .iter()
        .map(|b| b.at.rsplit("baseline.toml:").next().unwrap())
        .collect();
    assert_eq!(at, ["7:9", "11:11"], "{:?}", plan.blocked);
    for b in &plan.blocked {
        assert!(
            b.error.contains("`payments@example.com`") && b.error.contains("squatter@example.com"),
            "both e-mails named: {}",
            b.error
        );
    }
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");

    // AWS holds: the squatter is where it was, carries nothing of the baseline, and no
    // account was created in its stead; the root got its policy.
    let parents = org.list_parents().child_id(&squatter).send().await.unwrap();
    assert_eq!(parents.parents()[0].id(), Some(seeded.workloads_ou.as_str()));
    assert!(
        attached(&org, &squatter)
            .await
            .iter()
            .all(|n| !n.starts_with("plinth-"))
    );
    assert_eq!(org.list_accounts().send().await.unwrap().accounts().len(), before);
    assert!(
        attached(&org, &seeded.root_id)
            .await
            .contains(&"plinth-deny-leave-organization".to_owned())
    );
}

#[tokio::test]
async fn two_accounts_of_one_name_skip_that_target_and_the_rest_is_applied() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    // A second `sandbox` (seed made the first).
    let twin = create_account(&org, "sandbox", "twin@example.com").await;
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[scp.deny_leave_organization]\nattach = [\"account:sandbox\", \"root\"]\n",
        &[],
    );
    let (code, stdout, stderr) = plinth(&emu, &b.path, &["apply", "--auto-approve"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("error: `account:sandbox` is left out of this plan"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&seeded.sandbox_account) && stdout.contains(&twin),
        "{stdout}"
    );
    // Neither account got the policy directly; the root did.
    for id in [&seeded.sandbox_account, &twin] {
        assert!(attached(&org, id).await.iter().all(|n| !n.starts_with("plinth-")));
    }
    assert!(
        attached(&org, &seeded.root_id)
            .await
            .contains(&"plinth-deny-leave-organization".to_owned())
    );
}
