//! EC2 declarative policies end to end: the shared scenario with `[ec2_declarative]`, trusted access first.

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn ec2_declarative_policies() {
    scenario(Case {
        kind: "ec2_declarative",
        policy_type: PolicyType::DeclarativePolicyEc2,
        section: "[ec2_declarative]\nimds = \"required_v2\"\nimage_block_public_access = true\nsnapshot_block_public_access = \"block_all_sharing\"\nserial_console = false\nallowed_images = { state = \"enabled\", providers = [\"amazon\", \"aws_marketplace\"] }\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-ec2-declarative",
        address: "ec2_declarative.policy",
        edited: r#"{"ec2_attributes":{"serial_console_access":{"status":{"@@assign":"enabled"}}}}"#,
    })
    .await;
}
