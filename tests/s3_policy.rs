//! `[s3_policy]` end to end: the shared scenario of every policy kind, with S3 Block
//! Public Access set by the organization (a policy type moto lacks, added by the emulator
//! shim with AWS's rules).

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn s3_policies() {
    scenario(Case {
        kind: "s3_policy",
        policy_type: PolicyType::S3Policy,
        section: "[s3_policy]\nblock_public_access = \"all\"\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-s3-block-public-access",
        address: "s3_policy.policy",
        edited: r#"{"s3_attributes":{"public_access_block_configuration":{"@@assign":"none"}}}"#,
    })
    .await;
}

/// Live names anyone allowed to make policies can choose break nothing: an S3 policy
/// under a `plinth-` name that is not plinth's, and a backup policy whose name a baseline
/// cannot carry, are left out of the imported baseline with the reason; import succeeds.
#[tokio::test]
async fn live_names_a_baseline_cannot_carry_are_left_out_of_import() {
    use crate::support::{Emulator, import_into, policies::BACKUP, seed};

    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    for (name, policy_type, content) in [
        (
            "plinth-lookalike",
            PolicyType::S3Policy,
            r#"{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}"#,
        ),
        ("nightly/backups", PolicyType::BackupPolicy, BACKUP),
    ] {
        org.enable_policy_type()
            .root_id(&seeded.root_id)
            .policy_type(policy_type.clone())
            .send()
            .await
            .unwrap();
        let made = org
            .create_policy()
            .name(name)
            .description("made by hand")
            .r#type(policy_type)
            .content(content)
            .send()
            .await
            .unwrap();
        let id = made
            .policy()
            .and_then(|p| p.policy_summary())
            .and_then(|s| s.id())
            .unwrap();
        org.attach_policy()
            .policy_id(id)
            .target_id(&seeded.root_id)
            .send()
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let report = import_into(&emu.session().await, dir.path()).await;
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    assert!(
        !text.contains("[s3_policy]") && !text.contains("[[management_policy]]"),
        "{text}"
    );
    let skipped = report.skipped.join("\n");
    assert!(skipped.contains("S3 policy `plinth-lookalike`"), "{skipped}");
    assert!(
        skipped.contains("backup policy `nightly/backups`") && skipped.contains("a baseline's policy names cannot"),
        "{skipped}"
    );
}
