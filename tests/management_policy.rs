//! `[[management_policy]]` end to end, the shared scenario of every policy kind: with a
//! backup policy (a type moto models), and with a Security Hub policy (a type moto lacks,
//! added by the emulator shim with AWS's rules).

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn backup_policies() {
    scenario(Case {
        kind: "management_policy",
        policy_type: PolicyType::BackupPolicy,
        section: "[[management_policy]]\ntype = \"backup\"\nname = \"nightly\"\nfile = \"policies/backup.json\"\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "nightly",
        address: "management_policy.backup.nightly",
        edited: r#"{"plans":{"nightly":{"regions":{"@@assign":["us-east-1"]},"rules":{"daily":{"schedule_expression":{"@@assign":"cron(0 9 ? * * *)"},"target_backup_vault_name":{"@@assign":"Default"}}},"selections":{"tags":{"tagged":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/backup"},"tag_key":{"@@assign":"backup"},"tag_value":{"@@assign":["daily"]}}}}}}}"#,
    })
    .await;
}

#[tokio::test]
async fn security_hub_policies() {
    scenario(Case {
        kind: "management_policy",
        policy_type: PolicyType::SecurityhubPolicy,
        section: "[[management_policy]]\ntype = \"securityhub\"\nname = \"everywhere\"\nfile = \"policies/securityhub.json\"\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "everywhere",
        address: "management_policy.securityhub.everywhere",
        edited: r#"{"securityhub":{"enable_in_regions":{"@@append":["us-east-1"]},"disable_in_regions":{"@@append":[]}}}"#,
    })
    .await;
}

/// A backup policy made by hand (the type enabled, the policy created and attached with
/// direct SDK calls) imports as a `[[management_policy]]` with its file; the imported
/// baseline plans only to adopt it, and once adopted plans empty.
#[tokio::test]
async fn a_hand_made_backup_policy_imports_and_is_only_adopted() {
    use crate::support::{Emulator, import_into, policies::BACKUP, seed};
    use plinth::plan::{Action, PlanOptions};

    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::BackupPolicy)
        .send()
        .await
        .unwrap();
    let made = org
        .create_policy()
        .name("org-backups")
        .description("Nightly backups of tagged resources")
        .r#type(PolicyType::BackupPolicy)
        .content(BACKUP)
        .send()
        .await
        .unwrap();
    let id = made
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    org.attach_policy()
        .policy_id(&id)
        .target_id(&seeded.workloads_ou)
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let report = import_into(&emu.session().await, dir.path()).await;
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    let entry = "[[management_policy]]\ntype = \"backup\"\nname = \"org-backups\"\nfile = \"policies/backup/org-backups.json\"\ndescription = \"Nightly backups of tagged resources\"\nattach = [\"ou:Workloads\"]";
    assert!(text.contains(entry), "{text}");

    let imported = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let session = emu.session().await;
    let plan = session.plan(&imported, PlanOptions::default()).await.unwrap();
    let lines: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect();
    assert_eq!(lines, ["= management_policy.backup.org-backups (adopt)"], "{text}");
    assert!(plan.changes.iter().all(|c| c.action == Action::Adopt));
    assert!(session.apply(&plan).await.is_success());
    let calls = session.aws.counter.snapshot();
    let writes = calls.write_calls();
    assert_eq!(writes, ["Organizations.TagResource"], "{writes:?}");

    let session = emu.session().await;
    let again = session.plan(&imported, PlanOptions::default()).await.unwrap();
    assert!(again.is_empty(), "{:?}", again.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
