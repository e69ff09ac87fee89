//! RCP section values and generated documents, on plain data.

use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::common::org_policy::{Desired, kind};

fn desired(b: &crate::kinds::Baseline, organization_id: Option<&str>) -> Vec<Desired> {
    kind::desired::<super::Rcps>(b, organization_id, &mut vec![])
}

fn parse(section: &str) -> Result<crate::kinds::Baseline, String> {
    let text = format!("[organization]\nmanagement_account_id = \"123456789012\"\n\n{section}");
    baseline::parse(SourceFile::new("baseline.toml", text)).map_err(|d| d.to_string())
}

#[test]
fn the_org_only_rcp_names_the_organization_and_the_trusted_accounts() {
    let b = parse("[rcp.org_only]\nservices = [\"s3\", \"kms\"]\ntrusted_accounts = [\"999999999999\"]\nattach = [\"root\"]\n").unwrap();
    let d = desired(&b, Some("o-abc123"));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].name, "plinth-rcp-org-only");
    assert_eq!(d[0].address(), "rcp.org_only");
    let cond = &d[0].document["Statement"][0]["Condition"]["StringNotEqualsIfExists"];
    assert_eq!(cond["aws:PrincipalOrgID"], "o-abc123");
    assert_eq!(cond["aws:PrincipalAccount"], serde_json::json!(["999999999999"]));
    assert_eq!(d[0].document["Statement"][0]["Action"], serde_json::json!(["kms:*", "s3:*"]));
    // Without an organization (validate), the placeholder is as long as the longest id.
    let offline = desired(&b, None);
    assert!(offline[0].content.len() >= d[0].content.len() + 32 - 8);
}

#[test]
fn bad_values_are_located_errors() {
    let e = parse("[rcp.enforce_tls]\nservices = [\"ec2\"]\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("unknown variant `ec2`") && e.contains("baseline.toml:5:"), "{e}");
    let e = parse("[rcp.enforce_tls]\nservices = []\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("`services` is empty") && e.contains("baseline.toml:5:12"), "{e}");
    let e = parse("[rcp.org_only]\ntrusted_accounts = [\"12345\"]\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("not an AWS account id") && e.contains("baseline.toml:5:"), "{e}");
    let e = parse("[rcp.enforce_tls]\nattach = [\"root\"]\nprincipal = \"*\"\n").unwrap_err();
    assert!(e.contains("unknown field `principal`"), "{e}");
}

#[test]
fn six_rcps_on_one_target_are_rejected_counting_rcp_full_aws_access() {
    let mut text = String::from("[rcp.enforce_tls]\nattach = [\"root\"]\n[rcp.org_only]\nattach = [\"root\"]\n");
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        let f = dir.path().join(format!("r{i}.json"));
        std::fs::write(
            &f,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        )
        .unwrap();
        text.push_str(&format!("[[rcp.custom]]\nname = \"r{i}\"\nfile = \"r{i}.json\"\nattach = [\"root\"]\n"));
    }
    let full = format!("[organization]\nmanagement_account_id = \"123456789012\"\n{text}");
    let e = baseline::parse(SourceFile::new(dir.path().join("b.toml"), full)).unwrap_err().to_string();
    assert!(e.contains("`root` would carry more than 5 RCPs"), "{e}");
    assert!(e.contains("`RCPFullAWSAccess` included"), "{e}");
}

#[test]
fn a_custom_rcp_that_allows_or_names_no_service_is_rejected_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let text = "[organization]\nmanagement_account_id = \"123456789012\"\n[[rcp.custom]]\nname = \"bad\"\nfile = \"bad.json\"\nattach = [\"root\"]\n";
    let e = baseline::parse(SourceFile::new(dir.path().join("b.toml"), text)).unwrap_err().to_string();
    assert!(e.contains("is not a valid RCP") && e.contains("service prefixes"), "{e}");
}
