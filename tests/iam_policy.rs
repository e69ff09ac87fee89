//! `plinth iam-policy`: the policies deploy/ ships are its output, a baseline's policy
//! scopes every write plinth can name to the resources it names, and what plinth really
//! writes in the emulator lies inside those scopes.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::support::{self, Emulator, TempBaseline, seed};
use plinth::engine::Session;
use plinth::iam_policy;
use plinth::kinds::Phase;
use plinth::lock::LockOptions;
use plinth::plan::PlanOptions;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plinth(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// AWS's managed policy that caps the trail's log role at writing log events.
const LOG_ROLE_BOUNDARY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

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

fn statements(doc: &Value) -> &Vec<Value> {
    doc["Statement"].as_array().unwrap()
}

fn list(v: &Value) -> Vec<String> {
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
fn allows(doc: &Value, action: &str, resource: &str) -> bool {
    statements(doc).iter().any(|s| {
        list(&s["Action"]).iter().any(|a| a == action) && list(&s["Resource"]).iter().any(|r| matches(r, resource))
    })
}

/// deploy/iam's files and the `plinth iam-policy` arguments that print them.
const SHIPPED: &[(&str, &[&str])] = &[
    ("plan", &["plan"]),
    ("apply", &["apply"]),
    ("reconcile", &["apply", "--repair", "guardrails"]),
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

/// A scheduled guardrail pass, from scratch and after drift, calls nothing the scheduled
/// role's policy (for its baseline) does not allow.
#[tokio::test]
async fn a_guardrail_pass_calls_only_what_the_scheduled_role_allows() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ic = support::IdentityCenter::of(&emu).await;
    ic.create_group("developers").await;
    ic.create_user("alice").await;
    let b = TempBaseline::new(
        crate::least_privilege::BASELINE,
        &[
            ("policies/deny.json", crate::least_privilege::DENY),
            ("policies/inline.json", crate::least_privilege::INLINE),
        ],
    );
    let baseline = b.load();
    let repair = plinth::reconcile::Repair::default();
    let kinds = repair.kinds().unwrap();
    let doc = iam_policy::document(
        Phase::Apply,
        &iam_policy::names(Some(&baseline.file), None),
        &iam_policy::Writes {
            kinds: Some(&kinds),
            delete: false,
        },
    );
    let allowed: BTreeSet<String> = statements(&doc).iter().flat_map(|s| list(&s["Action"])).collect();
    let mut called = BTreeSet::new();
    for round in 0..2 {
        let s = Session::new(plinth::aws::Aws::from_sdk(emu.sdk_config().await));
        let summary = plinth::reconcile::pass(
            &s,
            &baseline,
            &repair,
            &plinth::reconcile::Allow::default(),
            LockOptions::default(),
        )
        .await
        .unwrap_or_else(|d| panic!("{d}"));
        assert!(summary.errors.is_empty(), "{summary}");
        for call in s.aws.counter.snapshot().calls.keys() {
            called.insert(plinth::aws::counter::iam_action(call).unwrap());
        }
        if round == 0 {
            // Drift: an SCP's document edited out of band.
            let live = support::live_scp(&org, "deny-s3-delete").await.unwrap();
            org.update_policy()
                .policy_id(&live.id)
                .content(crate::least_privilege::DENY.replace("DeleteBucket", "DeleteObject"))
                .send()
                .await
                .unwrap();
        }
    }
    let outside: Vec<&String> = called.difference(&allowed).collect();
    assert!(
        outside.is_empty(),
        "a guardrail pass called {outside:?}, which its role does not allow"
    );
    // It did write: the trail, the SCPs, the alarms, the lock.
    for write in [
        "cloudtrail:CreateTrail",
        "organizations:CreatePolicy",
        "organizations:UpdatePolicy",
        "cloudwatch:PutMetricAlarm",
        "dynamodb:PutItem",
    ] {
        assert!(called.contains(write), "{write} not called: {called:?}");
    }
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
        serde_json::json!([plinth::kinds::trail::LOGS_ROLE_BOUNDARY])
    );
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

/// After a first apply of the least-privilege scenario's baseline, everything plinth
/// wrote (read back from the emulator by its ARN) is inside the statement that allows the
/// write: the names plinth gives its resources and the policy's scopes agree.
#[tokio::test]
async fn what_plinth_writes_lies_inside_the_scopes_of_its_policy() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ic = support::IdentityCenter::of(&emu).await;
    ic.create_group("developers").await;
    ic.create_user("alice").await;
    let b = TempBaseline::new(
        crate::least_privilege::BASELINE,
        &[
            ("policies/deny.json", crate::least_privilege::DENY),
            ("policies/inline.json", crate::least_privilege::INLINE),
        ],
    );
    let baseline = b.load();
    let s = Session::new(plinth::aws::Aws::from_sdk(emu.sdk_config().await));
    let (observed, _) = s.observe_and_plan(&baseline, PlanOptions::default()).await.unwrap();
    let report = s
        .apply_locked(
            &baseline,
            PlanOptions::default(),
            &observed.org.organization_id,
            LockOptions::default(),
            |_, fresh| Ok(fresh),
        )
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(report.is_success(), "{report:#?}");
    let doc = iam_policy::document(
        Phase::Apply,
        &iam_policy::names(Some(&baseline.file), None),
        &iam_policy::Writes::ALL,
    );

    let conf = emu.sdk_config().await;
    let mut written: Vec<(&str, String)> = Vec::new();
    let iam = aws_sdk_iam::Client::new(&conf);
    for role in iam.list_roles().send().await.unwrap().roles() {
        if role.role_name().starts_with("plinth-") {
            // Created with the boundary the policy's condition requires.
            let live = iam.get_role().role_name(role.role_name()).send().await.unwrap();
            let boundary = live
                .role()
                .and_then(|r| r.permissions_boundary())
                .and_then(|b| b.permissions_boundary_arn());
            assert_eq!(boundary, Some(LOG_ROLE_BOUNDARY));
            for action in ["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"] {
                written.push((action, role.arn().to_owned()));
            }
        }
    }
    written.push(("s3:PutBucketPolicy", "arn:aws:s3:::example-org-cloudtrail-logs".into()));
    let trails = aws_sdk_cloudtrail::Client::new(&conf)
        .describe_trails()
        .send()
        .await
        .unwrap();
    for t in trails.trail_list() {
        written.push(("cloudtrail:UpdateTrail", t.trail_arn().unwrap().to_owned()));
    }
    let groups = aws_sdk_cloudwatchlogs::Client::new(&conf)
        .describe_log_groups()
        .send()
        .await
        .unwrap();
    for g in groups.log_groups() {
        written.push(("logs:PutMetricFilter", g.arn().unwrap().to_owned()));
    }
    let alarms = aws_sdk_cloudwatch::Client::new(&conf)
        .describe_alarms()
        .send()
        .await
        .unwrap();
    for a in alarms.metric_alarms() {
        written.push(("cloudwatch:PutMetricAlarm", a.alarm_arn().unwrap().to_owned()));
    }
    for t in aws_sdk_sns::Client::new(&conf)
        .list_topics()
        .send()
        .await
        .unwrap()
        .topics()
    {
        written.push(("sns:SetTopicAttributes", t.topic_arn().unwrap().to_owned()));
    }
    let budgets = aws_sdk_budgets::Client::new(&conf)
        .describe_budgets()
        .account_id("123456789012")
        .send()
        .await
        .unwrap();
    for budget in budgets.budgets() {
        let arn = format!("arn:aws:budgets::123456789012:budget/{}", budget.budget_name());
        written.push(("budgets:ModifyBudget", arn));
    }
    let tables = aws_sdk_dynamodb::Client::new(&conf).list_tables().send().await.unwrap();
    for t in tables.table_names() {
        written.push((
            "dynamodb:PutItem",
            format!("arn:aws:dynamodb:us-east-1:123456789012:table/{t}"),
        ));
    }
    // Every kind of resource the scenario makes is here.
    let services: BTreeSet<&str> = written.iter().map(|(a, _)| a.split(':').next().unwrap()).collect();
    assert_eq!(
        services,
        [
            "budgets",
            "cloudtrail",
            "cloudwatch",
            "dynamodb",
            "iam",
            "logs",
            "s3",
            "sns"
        ]
        .into(),
        "{written:#?}"
    );
    for (action, arn) in &written {
        assert!(
            allows(&doc, action, arn),
            "{action} on {arn} is outside the policy:\n{doc:#}"
        );
    }
}
