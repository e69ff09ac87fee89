//! Resource control policies end to end: the shared scenario with `[rcp.enforce_tls]`.

use crate::support;

use crate::support::policies::{Case, scenario};
use aws_sdk_organizations::types::PolicyType;

#[tokio::test]
async fn resource_control_policies() {
    scenario(Case {
        kind: "rcp",
        policy_type: PolicyType::ResourceControlPolicy,
        section: "[rcp.enforce_tls]\nattach = [\"root\", \"ou:Workloads\", \"account:sandbox\"]\n",
        name: "plinth-rcp-enforce-tls",
        address: "rcp.enforce_tls",
        edited: r#"{"Version":"2012-10-17","Statement":[{"Sid":"EnforceSecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#,
    })
    .await;
}

/// `org_only` names the live organization's id, and an RCP on the management account
/// alone is said to do nothing there.
#[tokio::test]
async fn org_only_names_the_live_organization_and_the_management_account_is_called_out() {
    let emu = support::Emulator::start();
    let org = emu.organizations().await;
    support::seed(&org).await;
    let organization_id = org
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let b = support::TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[rcp.org_only]\ntrusted_accounts = [\"999999999999\"]\nattach = [\"ou:Workloads\", \"account:123456789012\"]\n",
        &[],
    );
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), plinth::plan::PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("`account:123456789012`, the management account, which RCPs never restrict")),
        "{:?}",
        plan.warnings
    );
    assert!(session.apply(&plan).await.is_success());
    let live = support::live_policy(&org, PolicyType::ResourceControlPolicy, "plinth-rcp-org-only")
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&live.content).unwrap();
    let condition = &doc["Statement"][0]["Condition"]["StringNotEqualsIfExists"];
    assert_eq!(condition["aws:PrincipalOrgID"], organization_id.as_str());
    assert_eq!(condition["aws:PrincipalAccount"], serde_json::json!(["999999999999"]));
    let session = emu.session().await;
    let again = session
        .plan(&b.load(), plinth::plan::PlanOptions::default())
        .await
        .unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
