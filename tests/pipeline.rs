//! The pull-request pipeline of deploy/github/ and the trust policies of deploy/iam/: who
//! gets which role from which trigger, with which permissions. The workflows' scripts
//! are run in tests/pipeline_runs.rs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::support;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A workflow file as JSON (PyYAML reads `on:` as `true`: it is put back as `on`).
pub(crate) fn workflow(name: &str) -> Value {
    let out = Command::new(support::python())
        .args([
            "-c",
            "import sys, yaml, json\nw = yaml.safe_load(open(sys.argv[1]))\nw['on'] = w.pop(True)\nprint(json.dumps(w))",
        ])
        .arg(repo().join("deploy/github").join(name))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) fn steps<'a>(wf: &'a Value, job: &str) -> &'a Vec<Value> {
    wf["jobs"][job]["steps"].as_array().unwrap()
}

pub(crate) fn step<'a>(wf: &'a Value, job: &str, name: &str) -> &'a Value {
    steps(wf, job)
        .iter()
        .find(|s| s["name"] == name || s["id"] == name)
        .unwrap_or_else(|| panic!("no step `{name}` in job `{job}`"))
}

pub(crate) fn uses(s: &Value, action: &str) -> bool {
    s["uses"].as_str().is_some_and(|u| u.starts_with(&format!("{action}@")))
}

fn trust(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("deploy/iam").join(name)).unwrap()).unwrap()
}

/// The `sub` claims a trust policy admits, after checking the rest of it exactly: one
/// statement allowing `sts:AssumeRoleWithWebIdentity` to GitHub's OIDC provider, on
/// `StringEquals` of `aud` (`sts.amazonaws.com`) and `sub` only.
fn admitted_subs(policy: &Value) -> Vec<String> {
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{policy}");
    let s = &statements[0];
    assert_eq!(s["Effect"], "Allow");
    assert_eq!(s["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        s["Principal"],
        json!({"Federated": "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com"})
    );
    let condition = s["Condition"].as_object().unwrap();
    assert_eq!(
        condition.keys().collect::<Vec<_>>(),
        ["StringEquals"],
        "no StringLike, no other test"
    );
    let equals = condition["StringEquals"].as_object().unwrap();
    assert_eq!(
        equals.keys().collect::<Vec<_>>(),
        [
            "token.actions.githubusercontent.com:aud",
            "token.actions.githubusercontent.com:sub"
        ]
    );
    assert_eq!(equals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
    let subs: Vec<String> = match &equals["token.actions.githubusercontent.com:sub"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
        other => panic!("sub: {other}"),
    };
    for sub in &subs {
        assert!(sub.starts_with("repo:OWNER/REPO:"), "{sub}");
        assert!(!sub.contains(['*', '?']), "a wildcard in `{sub}`");
    }
    subs
}

#[test]
fn the_trust_policies_pin_the_claims() {
    assert_eq!(
        admitted_subs(&trust("trust-plan.json")),
        ["repo:OWNER/REPO:pull_request", "repo:OWNER/REPO:ref:refs/heads/main"]
    );
    let apply = admitted_subs(&trust("trust-apply.json"));
    assert_eq!(apply, ["repo:OWNER/REPO:environment:organization"]);
    assert!(
        apply
            .iter()
            .all(|s| !s.contains("pull_request") && !s.contains(":ref:"))
    );
}

/// The `sub` claim a job's OIDC token carries: its environment's, else its trigger's
/// (a pull request, or a branch: the default branch for pushes and schedules).
fn subs_of(wf: &Value, job: &str) -> Vec<String> {
    if let Some(env) = wf["jobs"][job]["environment"].as_str() {
        return vec![format!("repo:OWNER/REPO:environment:{env}")];
    }
    wf["on"]
        .as_object()
        .unwrap()
        .keys()
        .map(|event| match event.as_str() {
            "pull_request" => "repo:OWNER/REPO:pull_request".to_owned(),
            "push" | "schedule" | "workflow_dispatch" => "repo:OWNER/REPO:ref:refs/heads/main".to_owned(),
            other => panic!("a trigger this test does not know: {other}"),
        })
        .collect()
}

/// Every job that assumes a role: the role's variable, and the trust policy that admits
/// the job's token, which must be the policy of that role.
#[test]
fn each_job_assumes_the_role_whose_trust_policy_admits_its_token() {
    let roles = BTreeMap::from([
        ("${{ vars.PLINTH_PLAN_ROLE_ARN }}", "trust-plan.json"),
        ("${{ vars.PLINTH_APPLY_ROLE_ARN }}", "trust-apply.json"),
    ]);
    let mut assumed = Vec::new();
    for file in ["plinth-plan.yml", "plinth-apply.yml", "plinth-drift.yml"] {
        let wf = workflow(file);
        for (job, def) in wf["jobs"].as_object().unwrap() {
            let creds: Vec<&Value> = def["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| uses(s, "aws-actions/configure-aws-credentials"))
                .collect();
            let oidc = def["permissions"]["id-token"] == "write";
            assert_eq!(
                oidc,
                !creds.is_empty(),
                "{file} {job}: an OIDC token only where a role is assumed"
            );
            for c in creds {
                let role = c["with"]["role-to-assume"].as_str().unwrap();
                let policy = roles[role];
                let admitted = admitted_subs(&trust(policy));
                for sub in subs_of(&wf, job) {
                    assert!(admitted.contains(&sub), "{file} {job}: {policy} does not admit {sub}");
                    // ... and no other role's policy does.
                    for (other_role, other) in &roles {
                        if *other != policy {
                            assert!(
                                !admitted_subs(&trust(other)).contains(&sub),
                                "{file} {job}: {sub} could also assume {other_role}"
                            );
                        }
                    }
                }
                assumed.push(format!("{file} {job} {policy}"));
            }
        }
    }
    assert_eq!(
        assumed,
        [
            "plinth-plan.yml plan trust-plan.json",
            "plinth-apply.yml apply trust-apply.json",
            "plinth-drift.yml drift trust-plan.json"
        ]
    );
}

#[test]
fn pull_requests_never_reach_the_apply_role() {
    let plan = workflow("plinth-plan.yml");
    assert_eq!(
        plan["on"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["pull_request"]
    );
    assert_eq!(
        plan["on"]["pull_request"]["paths"],
        json!(["baseline.toml", "policies/**"])
    );
    let apply = workflow("plinth-apply.yml");
    assert_eq!(
        apply["on"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["push", "workflow_dispatch"],
        "apply never runs on pull_request, pull_request_target or workflow_run"
    );
    assert_eq!(apply["on"]["push"]["branches"], json!(["main"]));
    assert_eq!(apply["on"]["push"]["paths"], json!(["baseline.toml", "policies/**"]));
    assert_eq!(
        apply["jobs"]["find"]["if"],
        "github.ref_name == github.event.repository.default_branch"
    );
    assert_eq!(apply["jobs"]["apply"]["environment"], "organization");
    assert_eq!(
        apply["jobs"]["apply"]["needs"], "find",
        "no reviewed plan found: nothing to approve or apply"
    );
    for file in ["plinth-plan.yml", "plinth-drift.yml"] {
        let text = std::fs::read_to_string(repo().join("deploy/github").join(file)).unwrap();
        assert!(!text.contains("APPLY_ROLE") && !text.contains("environment:"), "{file}");
    }
}

/// Least privilege per job, none at the top; no job holds both AWS credentials and a
/// token that writes to GitHub.
#[test]
fn every_job_has_the_least_permissions() {
    let expect = [
        (
            "plinth-plan.yml",
            "plan",
            json!({"id-token": "write", "contents": "read"}),
        ),
        ("plinth-plan.yml", "comment", json!({"pull-requests": "write"})),
        (
            "plinth-apply.yml",
            "find",
            json!({"contents": "read", "pull-requests": "read", "issues": "read", "actions": "read"}),
        ),
        (
            "plinth-apply.yml",
            "apply",
            json!({"id-token": "write", "contents": "read", "actions": "read"}),
        ),
        ("plinth-apply.yml", "report", json!({"pull-requests": "write"})),
        (
            "plinth-drift.yml",
            "drift",
            json!({"id-token": "write", "contents": "read"}),
        ),
    ];
    let mut seen = Vec::new();
    for file in ["plinth-plan.yml", "plinth-apply.yml", "plinth-drift.yml"] {
        let wf = workflow(file);
        assert_eq!(wf["permissions"], json!({}), "{file}");
        for job in wf["jobs"].as_object().unwrap().keys() {
            seen.push((file, job.clone()));
        }
    }
    assert_eq!(
        seen,
        expect.iter().map(|(f, j, _)| (*f, (*j).to_owned())).collect::<Vec<_>>()
    );
    for (file, job, permissions) in expect {
        assert_eq!(workflow(file)["jobs"][job]["permissions"], permissions, "{file} {job}");
    }
}

/// Checkouts keep no token on disk, containers run as the runner's user (the image's uid
/// 10001 could not write plan.json in the runner's checkout), and no `run:` expands an
/// expression: values reach scripts through `env:`.
#[test]
fn checkouts_keep_no_credentials_and_scripts_expand_no_expression() {
    for file in ["plinth-plan.yml", "plinth-apply.yml", "plinth-drift.yml"] {
        let wf = workflow(file);
        let mut docker_runs = 0;
        for (job, def) in wf["jobs"].as_object().unwrap() {
            for s in def["steps"].as_array().unwrap() {
                if uses(s, "actions/checkout") {
                    assert_eq!(s["with"]["persist-credentials"], false, "{file} {job}");
                }
                if let Some(run) = s["run"].as_str() {
                    assert!(!run.contains("${{"), "{file} {job}: an expression in a script:\n{run}");
                    for line in run.lines().filter(|l| l.contains("docker run")) {
                        assert!(line.contains(r#"--user "$(id -u):$(id -g)""#), "{file}: {line}");
                        docker_runs += 1;
                    }
                }
            }
        }
        assert!(docker_runs > 0, "{file}");
    }
}

/// One apply at a time, on the apply job: GitHub cancels an apply still waiting when a
/// third merge's is queued. Had the whole workflow run waited (workflow-level
/// concurrency), none of its jobs would run once cancelled; a cancelled apply job leaves
/// `report`, which then tells the pull request that nothing was applied by this run.
#[test]
fn a_superseded_apply_tells_its_pull_request() {
    let wf = workflow("plinth-apply.yml");
    assert!(wf.get("concurrency").is_none(), "{}", wf["concurrency"]);
    assert_eq!(
        wf["jobs"]["apply"]["concurrency"],
        json!({"group": "plinth-apply", "cancel-in-progress": false})
    );
    let report = &wf["jobs"]["report"];
    assert_eq!(report["needs"], json!(["find", "apply"]));
    assert_eq!(
        report["if"],
        "(failure() || cancelled() || needs.apply.result == 'cancelled') && needs.find.outputs.pr != ''"
    );
    let comment = step(&wf, "report", "Comment on the pull request");
    assert_eq!(
        comment["env"]["OUTCOME"],
        "${{ needs.apply.outputs.outcome || (needs.apply.result == 'cancelled' && 'cancelled') || needs.find.outputs.outcome }}"
    );
    let runner = crate::pipeline_runs::Runner::new(json!({}));
    let dir = tempfile::tempdir().unwrap();
    let ran = runner.run(
        comment["run"].as_str().unwrap(),
        dir.path(),
        &[
            ("PR", "7".into()),
            ("OUTCOME", "cancelled".into()),
            ("RUN_URL", "u".into()),
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let writes = runner.gh_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0]["path"], "repos/owner/repo/issues/7/comments");
    let body = writes[0]["fields"]["body"].as_str().unwrap();
    assert!(
        body.contains("its apply was cancelled, or superseded by a later merge's apply while it waited")
            && body.contains("Nothing was applied by this run")
            && body.contains("Plan again in a new pull request"),
        "{body}"
    );
}
