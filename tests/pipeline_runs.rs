//! The workflows' scripts of deploy/github/ run for real, as the runner runs them, with
//! stand-ins for `gh` (tests/support/gh_stand_in.py, answering from canned JSON through
//! Debian's `jq`) and `docker` (tests/support/docker_stand_in.py, running this plinth
//! against the emulator): the comment each run updates, the cap, the refusal after merge.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::pipeline::{repo, step, steps, uses, workflow};
use crate::support::{self, Emulator, TempBaseline, live_scp, seed};

/// A directory with stand-ins for `gh` and `docker` first on PATH, and what a step's
/// script gets from the runner.
pub(crate) struct Runner {
    dir: tempfile::TempDir,
}

pub(crate) struct Ran {
    pub(crate) code: Option<i32>,
    pub(crate) outputs: BTreeMap<String, String>,
    pub(crate) stderr: String,
}

impl Runner {
    pub(crate) fn new(gh_answers: Value) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for (name, script) in [("gh", "gh_stand_in.py"), ("docker", "docker_stand_in.py")] {
            let path = bin.join(name);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
                    support::python().display(),
                    repo().join("tests/support").join(script).display()
                ),
            )
            .unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        std::fs::write(dir.path().join("answers.json"), gh_answers.to_string()).unwrap();
        assert!(
            Command::new("jq").arg("--version").output().is_ok(),
            "the stand-in for `gh --jq` needs Debian's `jq` (`make test` installs it)"
        );
        Runner { dir }
    }

    /// Run a step's script as the runner does (`bash -e`), in `cwd`, with `env`.
    pub(crate) fn run(&self, script: &str, cwd: &Path, env: &[(&str, String)]) -> Ran {
        let output = self.dir.path().join("github_output");
        let _ = std::fs::remove_file(&output);
        let mut cmd = Command::new("bash");
        cmd.args(["-e", "-c", script])
            .current_dir(cwd)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    self.dir.path().join("bin").display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_REPOSITORY", "owner/repo")
            .env("GH_STAND_IN_ANSWERS", self.dir.path().join("answers.json"))
            .env("GH_STAND_IN_LOG", self.dir.path().join("gh.log"))
            .env("DOCKER_STAND_IN_LOG", self.dir.path().join("docker.log"))
            .env("PLINTH_BIN", env!("CARGO_BIN_EXE_plinth"))
            .env("PLINTH_IMAGE", "ghcr.io/plinth-project/plinth:test");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let outputs = std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ran {
            code: out.status.code(),
            outputs,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub(crate) fn log(&self, name: &str) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The requests that wrote something through `gh api`.
    pub(crate) fn gh_writes(&self) -> Vec<Value> {
        self.log("gh.log")
            .into_iter()
            .filter(|r| r["method"] != "GET")
            .collect()
    }
}

fn comment(id: u64, login: &str, kind: &str, body: &str) -> Value {
    json!({"id": id, "user": {"login": login, "type": kind}, "body": body})
}

/// The comment to update carries plinth's marker and was written by the workflow's bot;
/// a marked comment by anyone else, even first, is left alone.
#[test]
fn only_the_bots_own_plan_comment_is_updated() {
    let wf = workflow("plinth-plan.yml");
    let script = step(&wf, "comment", "Post or update the plan comment")["run"]
        .as_str()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("comment.md");
    std::fs::write(&body, "<!-- plinth-plan -->\n### plinth plan: 1 to create\n").unwrap();
    let env = [("PR", "7".to_owned()), ("BODY", body.display().to_string())];
    let path = "repos/owner/repo/issues/7/comments";
    let pages = json!({path: [
        [
            comment(1, "mallory", "User", "<!-- plinth-plan -->\n### plinth plan: no changes"),
            comment(2, "github-actions[bot]", "Bot", "build passed"),
        ],
        [
            comment(3, "github-actions", "User", "<!-- plinth-plan -->\nlook-alike login"),
            comment(4, "github-actions[bot]", "Bot", "<!-- plinth-plan -->\n### plinth plan: 2 to create"),
            comment(5, "github-actions[bot]", "Bot", "<!-- plinth-plan -->\nan older duplicate"),
        ],
    ]});
    let runner = Runner::new(pages);
    let ran = runner.run(script, dir.path(), &env);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        runner.gh_writes(),
        [json!({"method": "PATCH", "path": "repos/owner/repo/issues/comments/4",
                "fields": {"body": "<!-- plinth-plan -->\n### plinth plan: 1 to create\n"}})]
    );

    // Only others' marked comments: a new comment, none edited.
    let runner = Runner::new(json!({path: [[
        comment(1, "mallory", "User", "<!-- plinth-plan -->\n### plinth plan: no changes"),
        comment(2, "someone[bot]", "Bot", "<!-- plinth-plan -->\nanother app"),
    ]]}));
    let ran = runner.run(script, dir.path(), &env);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let writes = runner.gh_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0]["method"], "POST");
    assert_eq!(writes[0]["path"], path);
}

const BIG_SCPS: usize = 15;

/// A baseline whose plan is far longer than a comment: 15 SCPs of 2 kB each, in four OUs.
fn big_baseline() -> TempBaseline {
    let mut toml = String::from("[organization]\nmanagement_account_id = \"123456789012\"\n");
    // Four SCPs to an OU: with AWS's FullAWSAccess, five is the most a target carries.
    for team in 0..BIG_SCPS.div_ceil(4) {
        toml.push_str(&format!("\n[[organizational_units]]\npath = \"Team{team}\"\n"));
    }
    let mut files = Vec::new();
    for n in 0..BIG_SCPS {
        toml.push_str(&format!(
            "\n[[scp.custom]]\nname = \"big-{n:02}\"\nfile = \"policies/big-{n:02}.json\"\nattach = [\"ou:Team{}\"]\n",
            n / 4
        ));
        let statements: Vec<Value> = (0..20)
            .map(|s| json!({"Sid": format!("Deny{n:02}x{s:02}"), "Effect": "Deny", "Action": [format!("s3:PutObject{s}"), format!("ec2:RunInstances{s}")], "Resource": "*"}))
            .collect();
        files.push((
            format!("policies/big-{n:02}.json"),
            json!({"Version": "2012-10-17", "Statement": statements}).to_string(),
        ));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    TempBaseline::new(&toml, &files)
}

/// The plan step, its artifact and the apply step, run for real against the emulator:
/// the comment is cut to 65,536 characters and names the artifact, which holds the whole
/// plan; after merge, a plan that no longer holds is refused with nothing written, and
/// the pull request is told; a plan that holds is applied though the default branch
/// moved on since the review.
#[tokio::test]
async fn the_reviewed_plan_is_capped_in_the_comment_kept_whole_and_applied_only_if_it_holds() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let b = big_baseline();
    let emu_env: Vec<(&str, String)> = emu.env();

    // The pull request's plan.
    let plan_wf = workflow("plinth-plan.yml");
    let runner = Runner::new(json!({}));
    let artifact = "plinth-plan-7-0123456789abcdef0123456789abcdef01234567";
    let mut env = emu_env.clone();
    env.push(("ARTIFACT", artifact.to_owned()));
    let ran = runner.run(step(&plan_wf, "plan", "plan")["run"].as_str().unwrap(), b.dir(), &env);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "2", "changes");
    let read = |f: &str| std::fs::read_to_string(b.dir().join(f)).unwrap();
    let (full, comment) = (read("plan.md"), read("comment.md"));
    assert!(full.chars().count() > 70_000, "{} characters", full.chars().count());
    assert!(comment.chars().count() <= 65_536 && comment.chars().count() > 50_000);
    assert!(
        comment.starts_with("<!-- plinth-plan -->\n### plinth plan: 1 to enable, 19 to create, 15 to attach\n"),
        "{}",
        &comment[..200]
    );
    assert!(
        comment.ends_with(&format!("The full plan is in `{artifact}`.\n")),
        "{}",
        &comment[comment.len() - 300..]
    );
    assert_eq!(
        full.matches("**create** `scp.custom.big-").count(),
        BIG_SCPS,
        "the whole plan"
    );
    // Both containers ran as the runner's user.
    let me = |flag: &str| String::from_utf8(Command::new("id").arg(flag).output().unwrap().stdout).unwrap();
    let user = format!("{}:{}", me("-u").trim(), me("-g").trim());
    let docker = runner.log("docker.log");
    assert_eq!(docker.len(), 2);
    for call in &docker {
        let args: Vec<&str> = call.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let at = args.iter().position(|a| *a == "--user").unwrap();
        assert_eq!(args[at + 1], user);
    }
    // The artifact holds what the steps wrote, the comment job posts the cut one.
    let upload = steps(&plan_wf, "plan")
        .iter()
        .find(|s| uses(s, "actions/upload-artifact"))
        .unwrap();
    assert_eq!(upload["with"]["path"], "plan.json\nplan.md\ncomment.md\n");
    assert_eq!(upload["with"]["if-no-files-found"], "error");
    assert_eq!(
        step(&plan_wf, "comment", "Post or update the plan comment")["env"]["BODY"],
        "${{ runner.temp }}/plan/comment.md"
    );
    let reviewed = tempfile::tempdir().unwrap();
    std::fs::copy(b.dir().join("plan.json"), reviewed.path().join("plan.json")).unwrap();

    let apply_wf = workflow("plinth-apply.yml");
    let apply = step(&apply_wf, "apply", "apply")["run"].as_str().unwrap();
    let report = step(&apply_wf, "report", "Comment on the pull request")["run"]
        .as_str()
        .unwrap();
    let mut env = emu_env.clone();
    env.push(("REVIEWED", reviewed.path().display().to_string()));

    // Merged, but the default branch changed a policy the review saw: refused.
    let policy = b.dir().join("policies/big-03.json");
    let reviewed_policy = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, reviewed_policy.replace("s3:PutObject1\"", "s3:GetObject1\"")).unwrap();
    let ran = runner.run(apply, b.dir(), &env);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert_eq!(ran.outputs["outcome"], "refused");
    assert!(ran.stderr.contains("`+ scp.custom.big-03` differs"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("the baseline's files are not those the plan was made from: `policies/big-03.json` changed"),
        "{}",
        ran.stderr
    );
    for n in 0..BIG_SCPS {
        assert!(
            live_scp(&org, &format!("big-{n:02}")).await.is_none(),
            "nothing written"
        );
    }
    let last = runner.log("docker.log").pop().unwrap();
    let args: Vec<&str> = last.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(
        &args[args.len() - 6..],
        [
            "apply",
            "/reviewed/plan.json",
            "-f",
            "baseline.toml",
            "--auto-approve",
            "--baseline-may-differ"
        ]
    );
    let ran = runner.run(
        report,
        b.dir(),
        &[
            ("PR", "7".into()),
            ("OUTCOME", "refused".into()),
            ("RUN_URL", "https://github.example/run/1".into()),
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let writes = runner.gh_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0]["path"], "repos/owner/repo/issues/7/comments");
    let body = writes[0]["fields"]["body"].as_str().unwrap();
    assert!(
        body.contains("refused to apply") && body.contains("Nothing was changed"),
        "{body}"
    );
    assert!(body.contains("Plan again in a new pull request") && body.ends_with("Run: https://github.example/run/1"));

    // The policy as reviewed, and another pull request's line merged before this one:
    // the baseline's files are not those planned, the plan made now is the reviewed one.
    std::fs::write(&policy, &reviewed_policy).unwrap();
    let toml = std::fs::read_to_string(&b.path).unwrap();
    b.rewrite(&format!("# merged from another pull request\n{toml}"));
    let ran = runner.run(apply, b.dir(), &env);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.outputs["outcome"], "applied");
    for n in 0..BIG_SCPS {
        let scp = live_scp(&org, &format!("big-{n:02}")).await.expect("applied");
        assert_eq!(scp.targets.len(), 1);
    }
}

/// Blocked targets fail the plan run, and the apply after merge takes only a run that
/// succeeded: the comment says the plan will not be applied, and still fits GitHub's
/// 65,536 characters however long the plan (a `docker` that answers `show` with all the
/// characters it is allowed).
#[test]
fn a_plan_with_blocked_targets_says_in_its_comment_that_it_will_not_be_applied() {
    let wf = workflow("plinth-plan.yml");
    let script = step(&wf, "plan", "plan")["run"].as_str().unwrap();
    for (code, blocked) in [(1, true), (2, false)] {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let docker = bin.join("docker");
        std::fs::write(
            &docker,
            format!(
                "#!/bin/bash\nfor a; do [ \"$prev\" = --max-chars ] && max=$a; prev=$a; done\n\
                 case \"$*\" in *' show '*) printf '<!-- plinth-plan -->\\n'; head -c $((max - 21)) /dev/zero | tr '\\0' x; exit 0 ;; esac\n\
                 printf '<!-- plinth-plan -->\\n### plinth plan: errors; 1 to attach\\n'\nexit {code}\n"
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let output = dir.path().join("github_output");
        let out = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(dir.path())
            .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
            .env("GITHUB_OUTPUT", &output)
            .env("PLINTH_IMAGE", "plinth:test")
            .env("ARTIFACT", "plinth-plan-7-abc")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let comment = std::fs::read_to_string(dir.path().join("comment.md")).unwrap();
        let note = "**This run fails: targets are blocked (above), so this plan will not be applied if this pull request is merged.**";
        assert_eq!(comment.contains(note), blocked, "{}", &comment[comment.len() - 400..]);
        if blocked {
            assert!(comment.trim_end().ends_with("then push again to plan anew."));
            assert!(comment.chars().count() <= 65_536, "{}", comment.chars().count());
            assert!(comment.chars().count() > 65_000);
        } else {
            assert_eq!(comment.chars().count(), 65_536);
        }
    }
}
