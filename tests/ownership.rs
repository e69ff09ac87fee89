//! Ownership on the emulator: another tool's SCP that someone tagged `managed-by=plinth`
//! stays untouched by `plinth apply --allow-delete --auto-approve`, existing and attached;
//! plinth's own orphan beside it goes.

use std::process::{Command, Output, Stdio};

use aws_sdk_organizations::types::{PolicyType, Tag};

use crate::support::{Emulator, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]
"#;

const DOCUMENT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}"#;

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

fn plinth(emu: &Emulator, b: &TempBaseline, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(args).arg("-f").arg(&b.path).stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    cmd.output().expect("run plinth")
}

/// An SCP as another tool (or plinth, with only its tag) would leave it, attached to `target`.
async fn policy(org: &aws_sdk_organizations::Client, name: &str, tags: Vec<Tag>, target: &str) -> String {
    let id = org
        .create_policy()
        .name(name)
        .description("made elsewhere")
        .content(DOCUMENT)
        .r#type(PolicyType::ServiceControlPolicy)
        .set_tags(Some(tags))
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    org.attach_policy()
        .policy_id(&id)
        .target_id(target)
        .send()
        .await
        .unwrap();
    id
}

/// The targets of policy `id`, or `None` once it is gone.
async fn targets(org: &aws_sdk_organizations::Client, id: &str) -> Option<Vec<String>> {
    let out = org.list_targets_for_policy().policy_id(id).send().await.ok()?;
    Some(
        out.targets()
            .iter()
            .filter_map(|t| t.target_id().map(str::to_owned))
            .collect(),
    )
}

#[tokio::test]
async fn another_tools_scp_tagged_managed_by_plinth_survives_apply_with_allow_delete() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let ou = seeded.workloads_ou.as_str();
    let plinth_tag = || tag("managed-by", "plinth");
    // A Control Tower guardrail and a CloudFormation stack's SCP, both also tagged as
    // plinth's; and plinth's own SCP the baseline no longer declares.
    let guardrail = policy(&org, "aws-guardrails-XYZ", vec![plinth_tag()], ou).await;
    let stack = policy(
        &org,
        "stack-guardrail",
        vec![tag("aws:cloudformation:stack-name", "guardrails"), plinth_tag()],
        ou,
    )
    .await;
    let orphan = policy(&org, "plinth-old", vec![plinth_tag()], ou).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let out = plinth(&emu, &b, &["apply", "--allow-delete", "--auto-approve"]);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{shown}");
    for (name, by) in [
        (
            "aws-guardrails-XYZ",
            "AWS Control Tower (its name starts with `aws-guardrails-`)",
        ),
        (
            "stack-guardrail",
            "CloudFormation stack `guardrails` (tag `aws:cloudformation:stack-name`)",
        ),
    ] {
        assert!(
            shown.contains(&format!("SCP `{name}` (")) && shown.contains(&format!("but {by} manages it")),
            "{name}: {shown}"
        );
    }

    // What the emulator holds: both still exist, still on the OU; plinth's orphan is gone.
    for id in [&guardrail, &stack] {
        assert_eq!(targets(&org, id).await, Some(vec![ou.to_owned()]), "{id}");
        let content = org.describe_policy().policy_id(id).send().await.unwrap();
        assert_eq!(content.policy().unwrap().content(), Some(DOCUMENT));
    }
    assert_eq!(targets(&org, &orphan).await, None, "plinth's own orphan is deleted");

    // Converged: the next plan, deletions allowed, has nothing to do.
    let out = plinth(&emu, &b, &["plan", "--allow-delete", "--detailed-exitcode"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
