//! `plinth report`'s effective management policies: which types are asked for (management
//! types enabled on the root, never SCPs or RCPs), each account's documents carried as
//! plain data and shown by every renderer (snapshots), and end to end on the emulator: a
//! tag policy on the root and another on an OU, an AI services opt-out policy on the OU,
//! each account's effective policies merged, `none` where no policy of a type reaches,
//! one `DescribeEffectivePolicy` per account and enabled management type.

use std::collections::BTreeMap;

use aws_sdk_organizations::types::PolicyType as SdkPolicyType;
use plinth::observed::{EffectivePolicy, PolicySet};
use plinth::report::Report;
use plinth::types::policy_types::PolicyType;
use serde_json::json;

use crate::support::{Emulator, create_account_in, seed};

fn enabled(on: bool) -> PolicySet {
    PolicySet {
        enabled: on,
        policies: vec![],
        attached: BTreeMap::new(),
    }
}

fn effective(account: &str, policy_type: PolicyType, content: Option<&str>) -> EffectivePolicy {
    EffectivePolicy {
        account_id: account.into(),
        policy_type,
        content: content.map(str::to_owned),
    }
}

const TAGS: &str = r#"{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Development","Support"]}}}"#;
const OPT_OUT: &str = r#"{"services":{"default":{"opt_out_policy":"optOut"}}}"#;

/// `report::fixture`'s organization with tag and AI services opt-out policies enabled on
/// the root (and RCPs, which have no effective policy; EC2 declarative policies read but
/// disabled): prod-1 under both, dev-1 under the tag policy only, tools under neither,
/// the management account's answer not JSON.
fn with_effective() -> Report {
    let (mut org, sso) = crate::report::org_and_sso();
    org.policy_sets = BTreeMap::from([
        (PolicyType::Rcp, enabled(true)),
        (PolicyType::AiOptOut, enabled(true)),
        (PolicyType::Tag, enabled(true)),
        (PolicyType::Ec2Declarative, enabled(false)),
    ]);
    assert_eq!(
        plinth::report::effective_types(&org),
        [PolicyType::AiOptOut, PolicyType::Tag]
    );
    let read = [
        effective("222222222222", PolicyType::AiOptOut, Some(OPT_OUT)),
        effective("222222222222", PolicyType::Tag, Some(TAGS)),
        effective("111111111111", PolicyType::AiOptOut, None),
        effective("111111111111", PolicyType::Tag, Some(TAGS)),
        effective("333333333333", PolicyType::AiOptOut, None),
        effective("333333333333", PolicyType::Tag, None),
        effective("123456789012", PolicyType::AiOptOut, Some("not json")),
        // A type not enabled is never shown, whatever was handed in.
        effective("123456789012", PolicyType::Ec2Declarative, Some("{}")),
    ];
    plinth::report::build(&org, &sso, &[], &[], &read)
}

#[test]
fn only_management_types_enabled_on_the_root_are_asked_for() {
    let (mut org, _) = crate::report::org_and_sso();
    assert!(org.scp_enabled);
    assert!(plinth::report::effective_types(&org).is_empty(), "SCPs have none");
    org.policy_sets.insert(PolicyType::Rcp, enabled(true));
    org.policy_sets.insert(PolicyType::Tag, enabled(false));
    assert!(plinth::report::effective_types(&org).is_empty());
    org.policy_sets.insert(PolicyType::Tag, enabled(true));
    assert_eq!(plinth::report::effective_types(&org), [PolicyType::Tag]);
}

#[test]
fn each_account_carries_its_effective_documents_and_none_where_nothing_reaches() {
    let r = with_effective();
    assert_eq!(r.effective_policy_types, ["AI services opt-out policy", "tag policy"]);
    let by_name = |name: &str| {
        let mut all = vec![&r.root];
        let mut found = None;
        while let Some(n) = all.pop() {
            found = found.or_else(|| n.accounts.iter().find(|a| a.name == name));
            all.extend(&n.children);
        }
        found
            .unwrap_or_else(|| panic!("no account {name}"))
            .effective_policies
            .clone()
    };
    let prod = by_name("prod-1");
    let shown: Vec<(&str, &str, Option<serde_json::Value>)> = prod
        .iter()
        .map(|e| (e.policy_type.as_str(), e.api.as_str(), e.document.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "AI services opt-out policy",
                "AISERVICES_OPT_OUT_POLICY",
                Some(json!({"services": {"default": {"opt_out_policy": "optOut"}}}))
            ),
            (
                "tag policy",
                "TAG_POLICY",
                Some(
                    json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Development", "Support"]}}})
                )
            ),
        ]
    );
    let dev = by_name("dev-1");
    assert_eq!(dev[0].document, None, "no AI opt-out policy reaches dev-1");
    assert!(dev[1].document.is_some());
    assert!(by_name("tools").iter().all(|e| e.document.is_none()));
    let management = by_name("management");
    assert_eq!(management.len(), 1, "only what was read, and no disabled type");
    assert_eq!(management[0].document, Some(json!("not json")), "kept as AWS gave it");
}

#[test]
fn markdown() {
    let md = plinth::render::report::markdown::report(&with_effective());
    let section = md
        .split("## Effective management policies")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    insta::assert_snapshot!(section);
}

#[test]
fn json() {
    let out = plinth::render::report::json(&with_effective());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format_version"], 1, "fields only added");
    let prod = &v["root"]["children"][0]["children"][0]["accounts"][0];
    assert_eq!(prod["name"], "prod-1");
    let shown = json!({
        "effective_policy_types": v["effective_policy_types"],
        "prod-1": prod["effective_policies"],
        "tools": v["root"]["accounts"][1]["effective_policies"],
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&shown).unwrap());
}

#[test]
fn html_folds_each_document_and_says_none_plainly() {
    let mut r = with_effective();
    let hostile = "</code></pre><script>alert(1)</script>\u{202e}";
    r.root.children[0].accounts[0].effective_policies[1].document = Some(json!({ "tags": { "x": hostile } }));
    let html = plinth::render::report::html::report(&r);
    // prod-1's two, dev-1's tag policy and the management account's: four folded documents.
    assert_eq!(html.matches("<details><summary>effective ").count(), 4, "{html}");
    assert!(html.contains("<span class=\"muted\">no AI services opt-out policy</span>"));
    assert!(html.contains("<span class=\"muted\">no tag policy</span>"));
    assert!(
        html.contains("&quot;tag_value&quot;: [\n"),
        "pretty JSON, one value a line"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\u202e"));
    assert!(html.contains("Each account shows its effective AI services opt-out policy, tag policy"));
}

/// Root: tag policy `root-tags` (its tag key closed to the levels below); Workloads: tag
/// policy `workload-tags` (renames the key, which is ignored; appends one value and
/// removes another; assigns `enforced_for`) and AI opt-out policy `opt-out`. dev-1
/// (Workloads) is under both merged; tools (root) under the root's tag policy and no AI
/// opt-out policy.
#[tokio::test]
async fn the_report_shows_each_accounts_effective_policies_merged_by_aws() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let dev = create_account_in(&org, "dev-1", &seeded.root_id, &seeded.workloads_ou).await;
    // Left at the root, where a new account starts.
    let tools = org
        .create_account()
        .account_name("tools")
        .email("tools@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap()
        .to_owned();
    for t in [SdkPolicyType::TagPolicy, SdkPolicyType::AiservicesOptOutPolicy] {
        org.enable_policy_type()
            .root_id(&seeded.root_id)
            .policy_type(t)
            .send()
            .await
            .unwrap();
    }
    let attach = |name: &'static str, t: SdkPolicyType, content: serde_json::Value, target: String| {
        let org = org.clone();
        async move {
            let id = org
                .create_policy()
                .name(name)
                .description("")
                .r#type(t)
                .content(content.to_string())
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
                .policy_id(id)
                .target_id(target)
                .send()
                .await
                .unwrap();
        }
    };
    attach(
        "root-tags",
        SdkPolicyType::TagPolicy,
        json!({"tags": {"costcenter": {
            "tag_key": {"@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "CostCenter"},
            "tag_value": {"@@assign": ["Development", "Support"]}
        }}}),
        seeded.root_id.clone(),
    )
    .await;
    attach(
        "workload-tags",
        SdkPolicyType::TagPolicy,
        json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "COSTCENTER"},
            "tag_value": {"@@append": ["Sandbox"], "@@remove": ["Support"]},
            "enforced_for": {"@@assign": ["ec2:instance"]}
        }}}),
        seeded.workloads_ou.clone(),
    )
    .await;
    attach(
        "opt-out",
        SdkPolicyType::AiservicesOptOutPolicy,
        json!({"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}),
        seeded.workloads_ou.clone(),
    )
    .await;

    let s = emu.session().await;
    let report = plinth::report::read(&s, &plinth::types::Region::us_east_1())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let counts = s.aws.counter.snapshot();
    let accounts = plinth::render::report::account_count(&report);
    assert_eq!(accounts, 4, "management, sandbox, dev-1, tools");
    assert_eq!(
        counts.get("Organizations.DescribeEffectivePolicy"),
        accounts as u64 * 2,
        "one call per account and enabled management type: {:?}",
        counts.calls
    );
    assert_eq!(counts.writes(), 0, "{:?}", counts.write_calls());

    let v: serde_json::Value = serde_json::from_str(&plinth::render::report::json(&report)).unwrap();
    assert_eq!(
        v["effective_policy_types"],
        json!(["AI services opt-out policy", "tag policy"])
    );
    let mut by_id = BTreeMap::new();
    let mut nodes = vec![&v["root"]];
    while let Some(n) = nodes.pop() {
        for a in n["accounts"].as_array().unwrap() {
            by_id.insert(a["id"].as_str().unwrap().to_owned(), a["effective_policies"].clone());
        }
        nodes.extend(n["children"].as_array().unwrap());
    }
    let root_tags = json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Development", "Support"]}}});
    assert_eq!(
        by_id[&dev],
        json!([
            {"policy_type": "AI services opt-out policy", "api": "AISERVICES_OPT_OUT_POLICY",
             "document": {"services": {"default": {"opt_out_policy": "optOut"}}}},
            {"policy_type": "tag policy", "api": "TAG_POLICY",
             "document": {"tags": {"costcenter": {
                 "tag_key": "CostCenter",
                 "tag_value": ["Development", "Sandbox"],
                 "enforced_for": ["ec2:instance"]
             }}}},
        ])
    );
    assert_eq!(
        by_id[&tools],
        json!([
            {"policy_type": "AI services opt-out policy", "api": "AISERVICES_OPT_OUT_POLICY", "document": null},
            {"policy_type": "tag policy", "api": "TAG_POLICY", "document": root_tags},
        ])
    );
    assert_eq!(
        by_id["123456789012"][1]["document"], root_tags,
        "the management account too"
    );

    let md = plinth::render::report::markdown::report(&report);
    assert!(
        md.contains("  - AI services opt-out policy: none (no policy of the type reaches the account)"),
        "{md}"
    );
    assert!(
        md.lines().any(|l| l.starts_with("    ") && l.trim() == "\"Sandbox\""),
        "the document in the list item's code block: {md}"
    );
}
