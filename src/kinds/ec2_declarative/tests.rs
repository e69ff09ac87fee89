//! The section to document and back, on plain data.

use serde_json::json;

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::common::org_policy;
use crate::policy::{PolicyKind, check_document};

fn parse(section: &str) -> Result<Baseline, String> {
    let text = format!("[organization]\nmanagement_account_id = \"123456789012\"\n\n{section}");
    baseline::parse(SourceFile::new("baseline.toml", text)).map_err(|d| d.to_string())
}

const FULL: &str = r#"[ec2_declarative]
imds = "required_v2"
image_block_public_access = true
snapshot_block_public_access = "block_all_sharing"
serial_console = false
vpc_block_public_access = "block_ingress"
allowed_images = { state = "enabled", providers = ["amazon", "123456789012"] }
exception_message = "See the wiki"
attach = ["root"]
"#;

#[test]
fn every_setting_becomes_its_attribute() {
    let b = parse(FULL).unwrap();
    let doc = document(b.file.ec2_declarative.as_ref().unwrap().get_ref());
    check_document(&doc, PolicyKind::Management(Ec2Declarative::TYPE)).unwrap();
    let a = &doc["ec2_attributes"];
    assert_eq!(a["instance_metadata_defaults"]["http_tokens"]["@@assign"], "required");
    assert_eq!(a["image_block_public_access"]["state"]["@@assign"], "block_new_sharing");
    assert_eq!(a["snapshot_block_public_access"]["state"]["@@assign"], "block_all_sharing");
    assert_eq!(a["serial_console_access"]["status"]["@@assign"], "disabled");
    assert_eq!(a["vpc_block_public_access"]["internet_gateway_block"]["mode"]["@@assign"], "block_ingress");
    assert_eq!(a["exception_message"], json!({"@@assign": "See the wiki"}));
    // Locked at every level: a policy attached below cannot `@@append` a provider.
    let none = json!(["@@none"]);
    assert_eq!(
        a["allowed_images_settings"],
        json!({
            "@@operators_allowed_for_child_policies": none,
            "state": {"@@assign": "enabled", "@@operators_allowed_for_child_policies": none},
            "image_criteria": {"@@operators_allowed_for_child_policies": none, "criteria_1": {
                "@@operators_allowed_for_child_policies": none,
                "allowed_image_providers": {"@@assign": ["amazon", "123456789012"], "@@operators_allowed_for_child_policies": none}
            }}
        })
    );
    // Read back for import: the same document.
    let read = settings_of(&doc, &["root".into()]);
    assert!(crate::policy::management::equivalent(&document(&read.section), &doc));
    let mut t = Toml::default();
    t.table("ec2_declarative");
    read.write(&mut t);
    let again = parse(&t.0).unwrap();
    assert!(crate::policy::management::equivalent(
        &document(again.file.ec2_declarative.as_ref().unwrap().get_ref()),
        &doc
    ));
}

#[test]
fn settings_left_out_are_not_managed_and_none_at_all_is_an_error() {
    let b = parse("[ec2_declarative]\nserial_console = true\nattach = [\"root\"]\n").unwrap();
    let doc = document(b.file.ec2_declarative.as_ref().unwrap().get_ref());
    assert_eq!(doc, json!({"ec2_attributes": {"serial_console_access": {"status": {"@@assign": "enabled"}}}}));
    let e = parse("[ec2_declarative]\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("`[ec2_declarative]` sets nothing") && e.contains("baseline.toml:4:1"), "{e}");
    let e = parse("[ec2_declarative]\nimds = \"v2\"\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("unknown variant `v2`") && e.contains("baseline.toml:5:8"), "{e}");
}

#[test]
fn its_iam_actions_are_every_policy_kinds_and_trusted_access() {
    let iam = Ec2Declarative::IAM;
    for a in org_policy::IAM.plan {
        assert!(iam.plan.contains(a), "{a}");
    }
    for a in org_policy::IAM.apply {
        assert!(iam.apply.contains(a), "{a}");
    }
    assert!(iam.plan.contains(&"organizations:ListAWSServiceAccessForOrganization"));
    assert!(iam.apply.contains(&"organizations:EnableAWSServiceAccess"));
}

#[test]
fn a_live_policy_with_no_setting_plinth_knows_reads_as_none() {
    let read = settings_of(&json!({"ec2_attributes": {"allowed_images_settings": {}}}), &[]);
    assert!(read.section.settings().is_empty());
}

#[test]
fn allowed_images_check_providers_while_parsing_and_read_back_only_what_plinth_writes() {
    let e = parse("[ec2_declarative]\nallowed_images = { state = \"enabled\", providers = [\"amazon\", \"1234\"] }\nattach = [\"root\"]\n")
        .unwrap_err();
    assert!(e.contains("`1234` is not an image provider"), "{e}");
    assert!(e.contains("baseline.toml:5:"), "{e}");
    assert!(e.contains("hint: use `amazon`, `aws_marketplace`, `aws_backup_vault` or a 12-digit AWS account ID"), "{e}");
    let e = parse("[ec2_declarative]\nallowed_images = { state = \"on\", providers = [\"amazon\"] }\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("unknown variant `on`"), "{e}");
    let b = parse("[ec2_declarative]\nallowed_images = { state = \"audit_mode\", providers = [\"aws_backup_vault\"] }\nattach = [\"root\"]\n").unwrap();
    assert_eq!(b.file.ec2_declarative.as_ref().unwrap().get_ref().settings(), ["allowed_images"]);
    // Two sets of criteria, or a criterion plinth does not write: not read back (the plan
    // then shows the live attribute as a difference), the other settings still are.
    let two = json!({"ec2_attributes": {
        "serial_console_access": {"status": {"@@assign": "disabled"}},
        "allowed_images_settings": {"state": {"@@assign": "enabled"}, "image_criteria": {
            "criteria_1": {"allowed_image_providers": {"@@assign": ["amazon"]}},
            "criteria_2": {"allowed_image_providers": {"@@assign": ["123456789012"]}}
        }}
    }});
    let read = settings_of(&two, &[]);
    assert_eq!(read.section.settings(), ["serial_console"]);
    // Image names beside the providers: narrower than providers alone, so not read back.
    let named = json!({"ec2_attributes": {"allowed_images_settings": {"state": {"@@assign": "enabled"}, "image_criteria": {
        "criteria_1": {"allowed_image_providers": {"@@assign": ["123456789012"]}, "image_names": {"@@assign": ["golden-*"]}}
    }}}});
    assert!(settings_of(&named, &[]).section.allowed_images.is_none());
    // AWS's own example, open to child policies: read back with `allow_account_override`.
    let open = json!({"ec2_attributes": {"allowed_images_settings": {"state": {"@@assign": "audit_mode"}, "image_criteria": {
        "criteria_1": {"allowed_image_providers": {"@@assign": ["amazon"]}}
    }}}});
    let read = settings_of(&open, &[]).section.allowed_images.unwrap();
    assert!(read.allow_account_override);
    assert_eq!(super::allowed_images::toml(&read), "{ state = \"audit_mode\", providers = [\"amazon\"], allow_account_override = true }");
    // No provider, or one twice: refused before any call.
    let e = parse("[ec2_declarative]\nallowed_images = { state = \"enabled\", providers = [] }\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("`allowed_images` names no provider"), "{e}");
    let e = parse("[ec2_declarative]\nallowed_images = { state = \"enabled\", providers = [\"amazon\", \"amazon\"] }\nattach = [\"root\"]\n").unwrap_err();
    assert!(e.contains("names the provider `amazon` twice"), "{e}");
}
