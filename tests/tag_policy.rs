//! Tag policies end to end: the shared scenario with a `[[tag_policy]]` and its file.

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn tag_policies() {
    scenario(Case {
        kind: "tag_policy",
        policy_type: PolicyType::TagPolicy,
        section: "[[tag_policy]]\nname = \"cost-center\"\nfile = \"policies/tags.json\"\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "cost-center",
        address: "tag_policy.cost-center",
        edited: r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100"]}}}}"#,
    })
    .await;
}
