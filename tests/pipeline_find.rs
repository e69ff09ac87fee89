//! The apply workflow's `find` job (deploy/github/plinth-apply.yml), run for real with the
//! stand-in for `gh` answering in the shapes of GitHub's REST API: which plan run of the
//! merged pull request is the reviewed plan, and which runs never are (another pull
//! request's, another base branch's, a fork's, a failed one).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::pipeline::{step, steps, uses, workflow};
use crate::pipeline_runs::{Ran, Runner};

/// The merge commit, and the merged pull request #7's last commit and branch.
const SHA: &str = "1111111111111111111111111111111111111111";
const HEAD: &str = "2222222222222222222222222222222222222222";
const BRANCH: &str = "baseline/more-scps";
const API: &str = "https://api.github.com/repos";

fn repo_ref(full_name: &str) -> Value {
    let name = full_name.split('/').next_back().unwrap();
    json!({"id": 1, "url": format!("{API}/{full_name}"), "name": name})
}

/// A pull request as `GET /repos/{owner}/{repo}/commits/{sha}/pulls` and
/// `GET /repos/{owner}/{repo}/pulls` list it (the fields the step reads, and a few more).
fn pull(number: u64, merge: &str, base: &str, merged: bool, opened: &str, closed: Option<&str>) -> Value {
    json!({
        "number": number, "state": if closed.is_some() { "closed" } else { "open" },
        "merge_commit_sha": merge,
        "head": {"ref": BRANCH, "sha": HEAD, "repo": {"full_name": "owner/repo"}},
        "base": {"ref": base, "sha": "3333333333333333333333333333333333333333", "repo": {"full_name": "owner/repo"}},
        "created_at": opened, "closed_at": closed,
        "merged_at": if merged { json!(closed.unwrap_or("2026-12-01T10:00:00Z")) } else { Value::Null },
    })
}

/// A run of the plan workflow as `GET .../actions/workflows/{file}/runs` lists it: its
/// `pull_requests` are pull-request-minimal objects, its `head_repository` a minimal
/// repository.
fn run(id: u64, branch: &str, head_repo: &str, conclusion: Option<&str>, created: &str, prs: &[(u64, &str)]) -> Value {
    let prs: Vec<Value> = prs
        .iter()
        .map(|(number, base)| {
            json!({"id": 1000 + number, "number": number, "url": format!("{API}/owner/repo/pulls/{number}"),
                   "head": {"ref": branch, "sha": HEAD, "repo": repo_ref(head_repo)},
                   "base": {"ref": base, "sha": "3333333333333333333333333333333333333333", "repo": repo_ref("owner/repo")}})
        })
        .collect();
    json!({
        "id": id, "name": "plinth plan", "event": "pull_request", "path": ".github/workflows/plinth-plan.yml",
        "head_sha": HEAD, "head_branch": branch,
        "head_repository": {"id": 2, "full_name": head_repo, "name": "repo"},
        "repository": {"id": 1, "full_name": "owner/repo", "name": "repo"},
        "status": if conclusion.is_some() { "completed" } else { "in_progress" },
        "conclusion": conclusion, "created_at": created, "pull_requests": prs,
    })
}

/// #7's own run, reviewed: finished and succeeded at noon; after the merge GitHub lists no
/// pull request for it.
fn reviewed() -> Value {
    run(80, BRANCH, "owner/repo", Some("success"), "2026-11-30T12:00:00Z", &[])
}

/// What GitHub answers the find step: the merge commit's pull requests (#7 merged into
/// `main`; #6 into `release`, #5 as another commit, #8 not merged), the plan runs of #7's
/// last commit (newest first), the pull requests ever opened from #7's branch (pages),
/// and #7's events (pages).
fn answers(runs: Vec<Value>, from_branch: Vec<Value>, events: Vec<Value>) -> Value {
    let opened = "2026-11-30T09:00:00Z";
    json!({
        format!("repos/owner/repo/commits/{SHA}/pulls"): [
            pull(6, SHA, "release", true, opened, Some("2026-12-01T10:00:00Z")),
            pull(5, "4444444444444444444444444444444444444444", "main", true, opened, Some("2026-12-01T09:00:00Z")),
            pull(7, SHA, "main", true, opened, Some("2026-12-01T10:00:00Z")),
            pull(8, SHA, "main", false, opened, None),
        ],
        format!("repos/owner/repo/actions/workflows/plinth-plan.yml/runs?event=pull_request&head_sha={HEAD}"):
            {"total_count": runs.len(), "workflow_runs": runs},
        format!("repos/owner/repo/pulls?state=all&head=owner:{BRANCH}"): [from_branch],
        "repos/owner/repo/issues/7/events": [events],
    })
}

fn merged_pr() -> Value {
    pull(
        7,
        SHA,
        "main",
        true,
        "2026-11-30T09:00:00Z",
        Some("2026-12-01T10:00:00Z"),
    )
}

fn find(answers: Value) -> Ran {
    let wf = workflow("plinth-apply.yml");
    let script = step(&wf, "find", "find")["run"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let env = [("GITHUB_SHA", SHA.to_owned()), ("DEFAULT_BRANCH", "main".to_owned())];
    Runner::new(answers).run(&script, dir.path(), &env)
}

fn found(run: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("pr".into(), "7".into()),
        ("head".into(), HEAD.into()),
        ("run".into(), run.into()),
        ("outcome".into(), "found".into()),
    ])
}

/// A branch pusher pushes #7's last commit to branches of theirs and opens pull requests
/// from them against a base whose plan workflow they wrote: those runs succeed, are newer
/// and upload a plan under #7's name. None is taken, nor a fork's run, nor a run GitHub
/// lists for another pull request or base: the reviewed run of #7 is.
#[test]
fn only_a_run_of_this_pull_request_against_the_default_branch_is_the_reviewed_plan() {
    let forged = |id: u64, branch: &str, head_repo: &str, prs: &[(u64, &str)]| {
        run(id, branch, head_repo, Some("success"), "2026-11-30T13:00:00Z", prs)
    };
    let runs = vec![
        run(96, BRANCH, "owner/repo", None, "2026-11-30T14:00:00Z", &[]),
        // #9, from another branch holding the same commit, against `attacker`.
        forged(95, "attacker/copy", "owner/repo", &[(9, "attacker")]),
        // ... once #9 is closed, GitHub lists no pull request for its run.
        forged(94, "attacker/copy", "owner/repo", &[]),
        // A fork's branch of the same name.
        forged(93, BRANCH, "mallory/repo", &[]),
        // Listed with another pull request, or with #7 against another base.
        forged(92, BRANCH, "owner/repo", &[(9, "attacker")]),
        forged(91, BRANCH, "owner/repo", &[(7, "attacker")]),
        reviewed(),
        run(70, BRANCH, "owner/repo", Some("success"), "2026-11-30T10:00:00Z", &[]),
    ];
    // An older pull request from the branch, closed before the run; #7's base changed
    // before it.
    let old = pull(
        4,
        "5555555555555555555555555555555555555555",
        "main",
        false,
        "2026-11-01T09:00:00Z",
        Some("2026-11-02T09:00:00Z"),
    );
    let events = vec![
        json!({"id": 1, "event": "labeled", "created_at": "2026-11-30T13:30:00Z"}),
        json!({"id": 2, "event": "base_ref_changed", "created_at": "2026-11-30T11:00:00Z"}),
    ];
    let ran = find(answers(runs.clone(), vec![old.clone(), merged_pr()], events.clone()));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.outputs, found("80"));

    // While #7 is open, GitHub lists it with its base for the run: taken too.
    let mut open = runs.clone();
    open[6] = run(
        80,
        BRANCH,
        "owner/repo",
        Some("success"),
        "2026-11-30T12:00:00Z",
        &[(7, "main")],
    );
    let ran = find(answers(open, vec![merged_pr()], vec![]));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.outputs, found("80"));

    // The artifact downloaded is the one of that run, named for this pull request and
    // commit; the plan workflow uploads it under that name.
    let wf = workflow("plinth-apply.yml");
    let download = steps(&wf, "apply")
        .iter()
        .find(|s| uses(s, "actions/download-artifact"))
        .unwrap();
    assert_eq!(
        download["with"],
        json!({"name": "plinth-plan-${{ needs.find.outputs.pr }}-${{ needs.find.outputs.head }}",
               "run-id": "${{ needs.find.outputs.run }}",
               "github-token": "${{ github.token }}", "path": "${{ runner.temp }}/reviewed"})
    );
    let plan = workflow("plinth-plan.yml");
    let name = "plinth-plan-${{ github.event.pull_request.number }}-${{ github.event.pull_request.head.sha }}";
    let upload = steps(&plan, "plan")
        .iter()
        .find(|s| uses(s, "actions/upload-artifact"))
        .unwrap();
    assert_eq!(upload["with"]["name"], name);
    assert_eq!(step(&plan, "plan", "plan")["env"]["ARTIFACT"], name);
    assert_eq!(steps(&plan, "comment")[0]["with"]["name"], name);
}

/// The run of the same commit cannot be told apart from another pull request's: another
/// pull request from the same branch was open when it was made, or #7's base branch
/// changed after it (it ran the old base's workflow). Nothing is applied.
#[test]
fn a_plan_run_another_pull_request_or_base_may_have_made_is_not_applied() {
    let other = |opened: &str, closed: Option<&str>| pull(9, SHA, "attacker", false, opened, closed);
    for (label, from_branch, events) in [
        (
            "#9 open, against another base",
            vec![merged_pr(), other("2026-11-30T11:00:00Z", None)],
            vec![],
        ),
        (
            "#9 closed after the run",
            vec![other("2026-11-30T11:00:00Z", Some("2026-11-30T12:30:00Z")), merged_pr()],
            vec![],
        ),
        (
            "#7 retargeted after the run",
            vec![merged_pr()],
            vec![json!({"id": 2, "event": "base_ref_changed", "created_at": "2026-11-30T12:10:00Z"})],
        ),
    ] {
        let ran = find(answers(vec![reviewed()], from_branch, events));
        assert_eq!(ran.code, Some(1), "{label}: {}", ran.stderr);
        assert_eq!(
            ran.outputs.get("outcome").map(String::as_str),
            Some("unclear"),
            "{label}"
        );
        assert!(!ran.outputs.contains_key("run"), "{label}");
        assert!(
            ran.stderr.contains("pull request #7: ")
                && (ran
                    .stderr
                    .contains("pull request #9, from the same branch, was open when plan run 80 was made")
                    || ran
                        .stderr
                        .contains("its base branch changed at 2026-11-30T12:10:00Z, after plan run 80")),
            "{label}: {}",
            ran.stderr
        );
    }
    // #9 opened after the run: #7's run is taken.
    let ran = find(answers(
        vec![reviewed()],
        vec![merged_pr(), other("2026-11-30T12:05:00Z", None)],
        vec![],
    ));
    assert_eq!(ran.outputs, found("80"), "{}", ran.stderr);
}

/// The reviewed plan is the newest finished run's, and only if the whole run succeeded:
/// a run whose comment job failed (nobody saw its plan) or whose plan had blocked
/// targets is not applied, and no older run stands in for it.
#[test]
fn a_failed_plan_run_is_not_applied() {
    for conclusion in ["failure", "cancelled"] {
        let newest = run(
            85,
            BRANCH,
            "owner/repo",
            Some(conclusion),
            "2026-11-30T12:30:00Z",
            &[(7, "main")],
        );
        let ran = find(answers(vec![newest, reviewed()], vec![merged_pr()], vec![]));
        assert_eq!(ran.code, Some(1), "{}", ran.stderr);
        assert_eq!(ran.outputs.get("outcome").map(String::as_str), Some("no-plan"));
        assert!(!ran.outputs.contains_key("run"));
        assert!(
            ran.stderr.contains(&format!(
                "the last plan run of its last commit {HEAD} did not succeed ({conclusion}): run 85"
            )),
            "{}",
            ran.stderr
        );
    }
}

/// After merge, no reviewed plan (the plan workflow never ran, or still runs, on the pull
/// request's last commit): the find job fails, so the apply job (which needs it) never
/// starts, nor is its approval asked for; the pull request is told what to do.
#[test]
fn a_merge_without_a_reviewed_plan_applies_nothing_and_says_so() {
    let going = run(90, BRANCH, "owner/repo", None, "2026-11-30T12:00:00Z", &[(7, "main")]);
    let ran = find(answers(vec![going], vec![merged_pr()], vec![]));
    assert_eq!(ran.code, Some(1));
    assert_eq!(ran.outputs.get("outcome").map(String::as_str), Some("no-plan"));
    assert_eq!(ran.outputs.get("pr").map(String::as_str), Some("7"));
    assert!(!ran.outputs.contains_key("run"));
    assert!(
        ran.stderr
            .contains(&format!("no plan run of this pull request for its last commit {HEAD}")),
        "{}",
        ran.stderr
    );

    // The pull request is told, with what to do: for no plan, and for a run that may be
    // another pull request's.
    let wf = workflow("plinth-apply.yml");
    let report = step(&wf, "report", "Comment on the pull request");
    for (outcome, says) in [
        ("no-plan", "no reviewed plan was found for its last commit"),
        (
            "unclear",
            "cannot be told apart from a run of the same commit for another pull request or another base branch",
        ),
    ] {
        let runner = Runner::new(json!({}));
        let dir = tempfile::tempdir().unwrap();
        let ran = runner.run(
            report["run"].as_str().unwrap(),
            dir.path(),
            &[("PR", "7".into()), ("OUTCOME", outcome.into()), ("RUN_URL", "u".into())],
        );
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        let writes = runner.gh_writes();
        assert_eq!(writes.len(), 1);
        let body = writes[0]["fields"]["body"].as_str().unwrap();
        assert!(
            body.contains(says)
                && body.contains("Nothing was changed")
                && body.contains("Plan again in a new pull request"),
            "{body}"
        );
    }

    // GitHub's API failing: the step fails as such, not as "no reviewed plan".
    let ran = find(json!({}));
    assert_eq!(ran.code, Some(1));
    assert!(ran.stderr.contains("HTTP 404"), "{}", ran.stderr);
    assert!(ran.outputs.is_empty());

    // A commit pushed straight to the branch: no pull request, nothing to tell.
    let ran = find(json!({format!("repos/owner/repo/commits/{SHA}/pulls"): []}));
    assert_eq!(ran.code, Some(1));
    assert!(
        ran.stderr.contains("was not merged from a pull request"),
        "{}",
        ran.stderr
    );
    assert!(ran.outputs.is_empty());
}
