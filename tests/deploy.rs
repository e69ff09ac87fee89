//! What can be checked offline in deploy/: cfn-lint on the CloudFormation template, every
//! YAML file parses (tests/iam_policy.rs checks the task role's policy),
//! every plinth command line in these files is one plinth accepts, and the Dockerfile's
//! build context holds everything cargo needs (checked without a container runtime).

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python(code: &str, args: &[&Path]) -> String {
    let out = Command::new(support::python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const TEMPLATE: &str = "deploy/cloudformation/plinth-scheduled.yaml";

#[test]
fn cloudformation_template_passes_cfn_lint() {
    let cfn_lint = support::python().with_file_name("cfn-lint");
    let out = Command::new(&cfn_lint)
        .arg(repo().join(TEMPLATE))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cfn_lint.display()));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_yaml_file_parses() {
    let files: Vec<PathBuf> = [
        "deploy/kubernetes/cronjob.yaml",
        "deploy/github/plinth-plan.yml",
        "deploy/github/plinth-apply.yml",
        "deploy/github/plinth-drift.yml",
        ".github/workflows/release.yml",
    ]
    .iter()
    .map(|f| repo().join(f))
    .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let kinds = python(
        "import sys, yaml\nfor f in sys.argv[1:]:\n    docs = [d for d in yaml.safe_load_all(open(f)) if d]\n    print(f.rsplit('/', 1)[1], ','.join(d.get('kind') or ('workflow' if 'jobs' in d else '?') for d in docs))",
        &refs,
    );
    assert!(
        kinds.contains("cronjob.yaml ServiceAccount,ConfigMap,CronJob"),
        "{kinds}"
    );
    assert_eq!(kinds.matches(" workflow").count(), 4, "{kinds}");
}

/// The workflows and the CronJob run the image the release workflow publishes, at this
/// version: copying them is all a user does.
#[test]
fn deployments_use_the_image_the_release_publishes() {
    let read = |f: &str| std::fs::read_to_string(repo().join(f)).unwrap();
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/plinth"),
        "{release}"
    );
    assert!(release.contains("file: deploy/Dockerfile"));
    let image = format!("ghcr.io/plinth-project/plinth:{}", env!("CARGO_PKG_VERSION"));
    for f in [
        "deploy/github/plinth-plan.yml",
        "deploy/github/plinth-apply.yml",
        "deploy/github/plinth-drift.yml",
        "deploy/kubernetes/cronjob.yaml",
    ] {
        assert!(read(f).contains(&image), "{f} does not run {image}");
    }
    // The CronJob names the image by digest too: the release fills in the digest it
    // pushed (tests/supply_chain.rs runs that step), the repository's copy holds a
    // placeholder of the same form.
    let cron = read("deploy/kubernetes/cronjob.yaml");
    let line = cron
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("image: "))
        .unwrap();
    let digest = line
        .strip_prefix(&format!("{image}@sha256:"))
        .unwrap_or_else(|| panic!("the CronJob's image `{line}` is not {image}@sha256:<digest>"));
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line}"
    );
}

/// The plinth command lines written in deploy/, as argument lists.
fn command_lines() -> Vec<Vec<String>> {
    let read = |f: &str| std::fs::read_to_string(repo().join(f)).unwrap();
    let mut lines = Vec::new();
    // Dockerfile CMD and the CronJob's args are JSON-style lists.
    let list = |s: &str| -> Vec<String> { serde_json::from_str::<Vec<String>>(s).unwrap() };
    let docker = read("deploy/Dockerfile");
    lines.push(list(
        docker
            .lines()
            .find(|l| l.starts_with("CMD "))
            .unwrap()
            .trim_start_matches("CMD "),
    ));
    let cron = read("deploy/kubernetes/cronjob.yaml");
    lines.push(list(
        cron.lines()
            .find(|l| l.trim_start().starts_with("args:"))
            .unwrap()
            .trim()
            .trim_start_matches("args: "),
    ));
    let cfn = read(TEMPLATE);
    let command = cfn.lines().find(|l| l.trim_start().starts_with("Command:")).unwrap();
    let command = command
        .trim()
        .trim_start_matches("Command: [")
        .trim_end_matches(']')
        .replace("!Ref Repair", &template_default(&cfn, "Repair"));
    lines.push(command.split(',').map(|s| s.trim().to_owned()).collect());
    // Workflows: what follows the image in `docker run`.
    for wf in [
        "deploy/github/plinth-plan.yml",
        "deploy/github/plinth-apply.yml",
        "deploy/github/plinth-drift.yml",
    ] {
        let text = read(wf);
        for l in text.lines().filter(|l| l.contains("\"$PLINTH_IMAGE\" ")) {
            let args = l.split("\"$PLINTH_IMAGE\" ").nth(1).unwrap();
            let args = args.split(['>', '|']).next().unwrap();
            lines.push(args.split_whitespace().map(str::to_owned).collect());
        }
    }
    // The Dockerfile, the CronJob, the scheduled task; plan and show, apply, reconcile.
    assert_eq!(lines.len(), 7, "{lines:?}");
    lines
}

/// A parameter's `Default:` in the CloudFormation template.
fn template_default(template: &str, parameter: &str) -> String {
    template
        .lines()
        .skip_while(|l| *l != format!("  {parameter}:"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .find_map(|l| l.trim().strip_prefix("Default: "))
        .unwrap_or_else(|| panic!("parameter `{parameter}` has no default"))
        .to_owned()
}

/// The shipped schedules run unattended: they repair the guardrails (the Dockerfile's
/// command by default) or nothing, and name no `--allow-*` flag, so none of them adopts,
/// deletes, creates or moves an account, or deletes root credentials.
#[test]
fn the_shipped_schedules_repair_guardrails_only_and_allow_nothing_more() {
    let reconciles: Vec<Vec<String>> = command_lines()
        .into_iter()
        .filter(|args| args.first().is_some_and(|c| c == "reconcile"))
        .collect();
    // The Dockerfile's command, the CronJob, the scheduled task and the drift workflow.
    assert_eq!(reconciles.len(), 4, "{reconciles:?}");
    let mut repairs = BTreeSet::new();
    for args in &reconciles {
        assert!(args.iter().all(|a| !a.starts_with("--allow")), "{args:?}");
        let repair = match args.iter().position(|a| a == "--repair") {
            Some(i) => args[i + 1].as_str(),
            None => "guardrails (the default)",
        };
        repairs.insert(repair.to_owned());
    }
    assert_eq!(
        repairs,
        BTreeSet::from([
            "guardrails".to_owned(),
            "guardrails (the default)".to_owned(),
            "none".to_owned()
        ])
    );
    // The default `--repair` is the guardrails, as `reconcile --help` says.
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["reconcile", "--help"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("[default: guardrails]"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_command_line_is_one_plinth_accepts() {
    for args in command_lines() {
        // With a baseline that does not exist, an accepted command line fails reading it;
        // a rejected one fails parsing the arguments first.
        let args: Vec<String> = args
            .into_iter()
            .map(|a| {
                if a.ends_with("baseline.toml") {
                    "/nonexistent/baseline.toml".into()
                } else if a == "\"$max\"" {
                    // The plan workflow's comment budget, a number its script computes.
                    "65536".into()
                } else {
                    a
                }
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_plinth")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot read baseline `/nonexistent/baseline.toml`")
                || stderr.contains("cannot read plan file"),
            "{args:?}: {stderr}"
        );
    }
}

/// What the Dockerfile's build stage copies, applied to an empty directory as `docker
/// build` would; cargo then resolves the manifest and every target it declares, so a
/// file the manifest needs and the image lacks fails here as it would in the build.
#[test]
fn the_dockerfile_build_context_has_everything_cargo_needs() {
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    let build_stage: Vec<&str> = dockerfile
        .lines()
        .skip_while(|l| !l.starts_with("FROM "))
        .skip(1)
        .take_while(|l| !l.starts_with("FROM "))
        .collect();
    let context = tempfile::tempdir().unwrap();
    let mut copied = 0;
    for line in build_stage.iter().filter(|l| l.starts_with("COPY ")) {
        let words: Vec<&str> = line
            .split_whitespace()
            .skip(1)
            .filter(|w| !w.starts_with("--"))
            .collect();
        let (dest, sources) = words.split_last().expect("COPY has a destination");
        for source in sources {
            let from = repo().join(source);
            let to = if dest.ends_with('/') || *dest == "." {
                context.path().join(dest).join(Path::new(source).file_name().unwrap())
            } else {
                context.path().join(dest)
            };
            copy_tree(&from, &to);
            copied += 1;
        }
    }
    assert!(
        copied >= 3,
        "the build stage copies the manifest, the lock file and the sources"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["fetch", "--locked", "--manifest-path"])
        .arg(context.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo refuses the image's build context:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("COPY {}: {e}", from.display()));
    }
}

/// The pull-request workflow's plan step, run with a stand-in for `docker`: a plan with
/// blocked targets (plinth exits 1 after printing it) is still kept and posted, and the
/// workflow fails at its end; plinth failing without a plan stops the job at once. The
/// artifact is uploaded before the comment job, which needs the plan job, starts.
#[test]
fn the_plan_workflow_posts_a_plan_with_blocked_targets_and_then_fails() {
    let wf = repo().join("deploy/github/plinth-plan.yml");
    let jobs = python(
        "import sys, yaml, json\nw = yaml.safe_load(open(sys.argv[1]))\nprint(json.dumps(w['jobs']))",
        &[&wf],
    );
    let jobs: serde_json::Value = serde_json::from_str(&jobs).unwrap();
    let steps = jobs["plan"]["steps"].as_array().unwrap();
    let position = |pred: &dyn Fn(&serde_json::Value) -> bool| steps.iter().position(pred).unwrap();
    let plan = position(&|s| s["name"] == "plinth plan");
    let upload = position(&|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/upload-artifact"))
    });
    assert!(plan < upload && upload == steps.len() - 1, "{steps:?}");
    assert_eq!(
        jobs["plan"]["outputs"]["exitcode"],
        "${{ steps.plan.outputs.exitcode }}"
    );
    // The comment job starts once the plan job (its upload included) has succeeded.
    assert_eq!(jobs["comment"]["needs"], "plan");
    assert!(jobs["comment"].get("if").is_none(), "{}", jobs["comment"]);
    let comment_steps = jobs["comment"]["steps"].as_array().unwrap();
    let names: Vec<&str> = comment_steps
        .iter()
        .map(|s| s["name"].as_str().or(s["uses"].as_str()).unwrap())
        .collect();
    assert!(names[0].starts_with("actions/download-artifact@"), "{names:?}");
    assert_eq!(
        names[1..],
        ["Post or update the plan comment", "Fail when targets are blocked"]
    );
    assert_eq!(comment_steps[0]["with"]["name"], steps[upload]["with"]["name"]);
    assert_eq!(comment_steps[2]["if"], "needs.plan.outputs.exitcode == '1'");

    let script = steps[plan]["run"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |docker_prints: &str| {
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let docker = bin.join("docker");
        // `plan` prints and exits 1; `show` (no AWS call) succeeds.
        std::fs::write(
            &docker,
            format!("#!/bin/sh\ncase \"$*\" in *' show '*) exit 0 ;; esac\nprintf '{docker_prints}'\nexit 1\n"),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let output = dir.path().join("github_output");
        let _ = std::fs::remove_file(&output);
        let status = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(dir.path())
            .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
            .env("GITHUB_OUTPUT", &output)
            .env("PLINTH_IMAGE", "plinth:test")
            .env("ARTIFACT", "plinth-plan-abc")
            .status()
            .unwrap();
        (status.code(), std::fs::read_to_string(&output).unwrap_or_default())
    };
    let (code, output) = run("<!-- plinth-plan -->\\n### plinth plan: errors; 1 to attach\\n");
    assert_eq!(
        (code, output.trim()),
        (Some(0), "exitcode=1"),
        "a plan with errors goes on to be posted"
    );
    let (code, _) = run("");
    assert_eq!(code, Some(1), "no plan: the job stops");
}
