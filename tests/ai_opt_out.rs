//! AI services opt-out policies end to end: the shared scenario with `[ai_opt_out]`.

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn ai_services_opt_out_policies() {
    scenario(Case {
        kind: "ai_opt_out",
        policy_type: PolicyType::AiservicesOptOutPolicy,
        section: "[ai_opt_out]\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-ai-opt-out",
        address: "ai_opt_out.policy",
        edited: r#"{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}"#,
    })
    .await;
}
