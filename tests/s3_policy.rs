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
