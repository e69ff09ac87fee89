//! `plinth iam-policy`: the policies deploy/ ships are its output, a baseline's policy
//! scopes every write plinth can name to the resources it names, and the scheduled role
//! cannot take a guardrail away (tests/iam_policy_runs.rs: the same against the emulator).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::support::{self, TempBaseline};
use plinth::iam_policy;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plinth(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// AWS's managed policy that caps the trail's log role at writing log events.
pub(crate) const LOG_ROLE_BOUNDARY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/// Writes plinth may make on `*`: AWS names these resources as it creates them (policy,
/// OU, account and permission-set ids), or the action takes no resource.
const UNSCOPED_WRITES: &[(&str, &str)] = &[
    ("organizations:", "policy, OU and account ids AWS generates; roots"),
    ("sso:", "permission-set and instance ids AWS generates"),
    (
        "account:PutAlternateContact",
        "member accounts by id, in an organization path",
    ),
    ("iam:EnableOrganizationsRootCredentialsManagement", "no resource"),
    ("iam:EnableOrganizationsRootSessions", "no resource"),
];

pub(crate) fn statements(doc: &Value) -> &Vec<Value> {
    doc["Statement"].as_array().unwrap()
}

pub(crate) fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_owned()).collect(),
        _ => panic!("{v}"),
    }
}

/// IAM's wildcards: `*` any run of characters, `?` one.
fn matches(pattern: &str, s: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), s.as_bytes())
}

/// Whether some statement allows `action` on `resource` (conditions left aside).
pub(crate) fn allows(doc: &Value, action: &str, resource: &str) -> bool {
    statements(doc).iter().any(|s| {
        list(&s["Action"]).iter().any(|a| a == action) && list(&s["Resource"]).iter().any(|r| matches(r, resource))
    })
}

/// deploy/iam's files and the `plinth iam-policy` arguments that print them.
const SHIPPED: &[(&str, &[&str])] = &[
    ("plan", &["plan"]),
    ("apply", &["apply"]),
    ("reconcile", &["apply", "--repair", "guardrails"]),
    ("log-archive", &["log-archive"]),
];

#[test]
fn the_shipped_policies_are_what_plinth_iam_policy_prints() {
    for (name, args) in SHIPPED {
        let file = format!("deploy/iam/plinth-{name}.json");
        let committed = std::fs::read_to_string(repo().join(&file)).unwrap();
        let args = [&["iam-policy"], *args, &["--generic"]].concat();
        assert_eq!(
            committed,
            plinth(&args),
            "{file} is not `plinth {}`: run `make iam-policies`",
            args.join(" ")
        );
    }
    // The CloudFormation task role's policy, as CloudFormation reads the template.
    let template = repo().join("deploy/cloudformation/plinth-scheduled.yaml");
    let out = Command::new(support::python())
        .args([
            "-c",
            "import sys, json\nfrom cfnlint.decode import decode\nt, _ = decode(sys.argv[1])\nprint(json.dumps(t['Resources']['TaskRole']['Properties']['Policies'][0]['PolicyDocument']))",
        ])
        .arg(&template)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let in_template: Value = serde_json::from_slice(&out.stdout).unwrap();
    let generated: Value =
        serde_json::from_str(&plinth(&["iam-policy", "apply", "--repair", "guardrails", "--generic"])).unwrap();
    assert_eq!(
        in_template, generated,
        "the task role's policy is not `plinth iam-policy apply --repair guardrails --generic`: run `make iam-policies`"
    );
}

/// The scheduled role (`--repair guardrails`, no `--allow-delete`) can put guardrails back,
/// not take them away, grant access, or touch accounts and root users.
#[test]
fn the_scheduled_role_cannot_take_a_guardrail_away_or_grant_access() {
    let reconcile: Value =
        serde_json::from_str(&plinth(&["iam-policy", "apply", "--repair", "guardrails", "--generic"])).unwrap();
    let (reads, _) = iam_policy::actions();
    let writes: BTreeSet<String> = statements(&reconcile)
        .iter()
        .flat_map(|s| list(&s["Action"]))
        .filter(|a| !reads.contains(a.as_str()))
        .collect();
    for forbidden in [
        "organizations:DetachPolicy",
        "organizations:DeletePolicy",
        "organizations:CreateAccount",
        "organizations:MoveAccount",
        "cloudwatch:DeleteAlarms",
        "account:PutAlternateContact",
        "iam:EnableOrganizationsRootCredentialsManagement",
        "iam:AttachRolePolicy",
        "iam:UpdateSAMLProvider",
    ] {
        assert!(!writes.contains(forbidden), "{forbidden} in the scheduled role");
    }
    assert!(!writes.iter().any(|a| a.starts_with("sso:")), "{writes:?}");
    // Root sessions only to audit.
    for s in statements(&reconcile)
        .iter()
        .filter(|s| list(&s["Action"]) == ["sts:AssumeRoot"])
    {
        assert_eq!(
            s["Condition"]["StringEquals"]["sts:TaskPolicyArn"],
            serde_json::json!(["arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"])
        );
    }
    // With `--allow-delete` it may detach and delete, still nothing else.
    let with_delete: Value = serde_json::from_str(&plinth(&[
        "iam-policy",
        "apply",
        "--repair",
        "guardrails",
        "--allow-delete",
        "--generic",
    ]))
    .unwrap();
    assert!(allows(&with_delete, "organizations:DetachPolicy", "*"));
    assert!(!allows(&with_delete, "organizations:CreateAccount", "*"));
}

#[test]
fn with_a_baseline_no_write_plinth_can_name_is_left_on_every_resource() {
    let b = TempBaseline::new(
        crate::least_privilege::BASELINE,
        &[
            ("policies/deny.json", crate::least_privilege::DENY),
            ("policies/inline.json", crate::least_privilege::INLINE),
        ],
    );
    let path = b.dir().join("baseline.toml").display().to_string();
    let apply: Value = serde_json::from_str(&plinth(&["iam-policy", "apply", "-f", &path])).unwrap();
    let (plan_actions, _) = iam_policy::actions();
    let on_any: BTreeSet<String> = statements(&apply)
        .iter()
        .filter(|s| list(&s["Resource"]) == ["*"] && s["Condition"].is_null())
        .flat_map(|s| list(&s["Action"]))
        .filter(|a| !plan_actions.contains(a.as_str()))
        .collect();
    for action in &on_any {
        assert!(
            UNSCOPED_WRITES.iter().any(|(prefix, _)| action.starts_with(prefix)),
            "{action} is allowed on `*` though plinth knows what it writes"
        );
    }
    // The baseline's own names, exactly, in its management account.
    for (action, resource) in [
        ("s3:PutBucketPolicy", "arn:aws:s3:::example-org-cloudtrail-logs"),
        (
            "cloudtrail:UpdateTrail",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
        ),
        (
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/plinth-cloudtrail-logs-org-trail",
        ),
        (
            "sns:SetTopicAttributes",
            "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts",
        ),
    ] {
        assert!(allows(&apply, action, resource), "{action} on {resource}");
    }
    for (action, resource) in [
        ("s3:PutBucketPolicy", "arn:aws:s3:::someone-elses-bucket"),
        (
            "cloudtrail:UpdateTrail",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/other",
        ),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/Admin"),
        ("iam:CreateRole", "arn:aws:iam::123456789012:role/Admin"),
        (
            "iam:PutRolePolicy",
            "arn:aws:iam::210987654321:role/plinth-cloudtrail-logs-org-trail",
        ),
        (
            "sns:SetTopicAttributes",
            "arn:aws:sns:us-east-1:123456789012:security-hub",
        ),
        (
            "cloudwatch:DeleteAlarms",
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:prod-cpu",
        ),
        (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        ),
    ] {
        assert!(!allows(&apply, action, resource), "{action} on {resource}");
    }
    // The log role is created, and given a policy, only with the boundary that caps it.
    let bounded = statements(&apply)
        .iter()
        .find(|s| {
            list(&s["Action"]).contains(&"iam:CreateRole".to_owned())
                && s["Resource"]
                    .as_str()
                    .is_some_and(|r| r.contains("plinth-cloudtrail-logs"))
        })
        .unwrap();
    assert_eq!(
        list(&bounded["Action"]),
        ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"]
    );
    assert_eq!(
        bounded["Condition"]["StringEquals"]["iam:PermissionsBoundary"],
        serde_json::json!([LOG_ROLE_BOUNDARY])
    );
    let pass = statements(&apply)
        .iter()
        .find(|s| list(&s["Action"]) == ["iam:PassRole"])
        .unwrap();
    assert_eq!(
        pass["Condition"]["StringEquals"]["iam:PassedToService"],
        serde_json::json!(["cloudtrail.amazonaws.com"])
    );
    // The read-only policy writes nothing.
    let plan: Value = serde_json::from_str(&plinth(&["iam-policy", "plan", "-f", &path])).unwrap();
    let (reads, _) = iam_policy::actions();
    for s in statements(&plan) {
        for a in list(&s["Action"]) {
            assert!(reads.contains(a.as_str()), "{a} in the plan policy");
        }
    }
}

#[test]
fn without_a_baseline_file_it_says_how_to_get_the_generic_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["iam-policy", "apply"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("baseline.toml") && stderr.contains("`--generic`"),
        "{stderr}"
    );
}
