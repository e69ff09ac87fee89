//! The container writes its plan file into a runner's checkout. A checkout belongs to the
//! runner's user, mode 0755, and the image's own user (deploy/Dockerfile's `USER`) is
//! another uid: it cannot write there, so the workflows run the image as the runner's
//! user, `docker run --user "$(id -u):$(id -g)"`. Proven with the built plinth, run under
//! each uid (setpriv, util-linux) against the emulator: the only way to see what the
//! kernel allows. This needs root (to own a directory as another uid and to switch uid):
//! the tests say so and fail when not root, as CI is.

use crate::supply_chain::yaml;
use crate::support::{Emulator, seed};

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// How the workflows (deploy/github/*.yml) run the image: as the runner's user.
pub(crate) const WORKFLOW_USER_FLAG: &str = r#"--user "$(id -u):$(id -g)""#;

/// The user of a hosted runner, who owns its checkout (GitHub's is uid 1001).
const RUNNER: (u32, u32) = (1001, 1001);

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_root(what: &str) {
    let out = Command::new("id").arg("-u").output().expect("run `id -u`");
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        uid == "0",
        "{what} needs root (running as uid {uid}): it makes a directory owned by another uid \
         and runs plinth under other uids with `setpriv` (util-linux). Run the tests as \
         root, as CI does (e.g. `sudo --preserve-env env \"PATH=$PATH\" cargo test --test \
         integration container_user`)"
    );
}

/// The image's user from the Dockerfile's last `USER` line, which must name uid and gid
/// as numbers (`USER 10001:10001`): a name or a missing gid would depend on the image's
/// /etc/passwd, which the Kubernetes manifests cannot see.
pub(crate) fn dockerfile_user() -> (u32, u32) {
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    let user = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("USER "))
        .next_back()
        .expect("the Dockerfile sets a USER")
        .trim();
    let (uid, gid) = user
        .split_once(':')
        .unwrap_or_else(|| panic!("`USER {user}`: name the group too, as `uid:gid`"));
    let number = |s: &str| {
        s.parse::<u32>()
            .unwrap_or_else(|_| panic!("`USER {user}`: uid and gid are numbers"))
    };
    (number(uid), number(gid))
}

/// Run a command as `uid:gid` with no supplementary group, as `docker run --user` does.
fn as_user(uid: u32, gid: u32, dir: &Path, program: &str, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid",
        &uid.to_string(),
        "--regid",
        &gid.to_string(),
        "--clear-groups",
        "--",
    ])
    .arg(program)
    .args(args)
    .current_dir(dir)
    .stdin(Stdio::null())
    // A uid with no /etc/passwd entry gets HOME=/ in a container.
    .env("HOME", "/");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run setpriv (util-linux)")
}

/// What `--user "$(id -u):$(id -g)"` becomes in the shell of a runner whose user is `uid:gid`.
fn workflow_user_as(uid: u32, gid: u32) -> (u32, u32) {
    let script = format!("printf '%s\\n' {}", WORKFLOW_USER_FLAG.trim_start_matches("--user "));
    let out = as_user(uid, gid, Path::new("/"), "sh", &["-c", &script], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (u, g) = text.split_once(':').unwrap();
    (u.parse().unwrap(), g.parse().unwrap())
}

#[tokio::test]
async fn the_image_user_cannot_write_a_runner_checkout_and_the_workflows_user_can() {
    require_root("this test");
    let image_user = dockerfile_user();
    assert_ne!(image_user.0, 0, "the image does not run as root");
    assert_ne!(image_user.0, RUNNER.0);

    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let env: Vec<(&str, String)> = emu.env();

    // The runner's checkout: its user's, mode 0755, inside a directory anyone may enter.
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let checkout = root.path().join("checkout");
    std::fs::create_dir(&checkout).unwrap();
    std::fs::write(checkout.join("baseline.toml"), BASELINE).unwrap();
    for path in [checkout.join("baseline.toml"), checkout.clone()] {
        std::os::unix::fs::chown(&path, Some(RUNNER.0), Some(RUNNER.1)).unwrap();
    }
    std::fs::set_permissions(&checkout, std::fs::Permissions::from_mode(0o755)).unwrap();

    let plinth = env!("CARGO_BIN_EXE_plinth");
    let plan = ["plan", "-f", "baseline.toml", "--out", "plan.json"];

    // The image's user reads the baseline but cannot write the plan.
    let (uid, gid) = image_user;
    let out = as_user(uid, gid, &checkout, plinth, &plan, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cannot write the plan to `plan.json`"),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert!(!checkout.join("plan.json").exists());

    // The user the workflows pass, evaluated as the runner's shell does, writes it.
    let (uid, gid) = workflow_user_as(RUNNER.0, RUNNER.1);
    assert_eq!((uid, gid), RUNNER);
    let out = as_user(uid, gid, &checkout, plinth, &plan, &env);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let file = checkout.join("plan.json");
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), RUNNER, "the runner owns the plan it uploads");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert!(!saved["plan"]["changes"].as_array().unwrap().is_empty(), "{saved}");
}

/// Each `docker run` command of the workflow files in `dir` that does not pass
/// [`WORKFLOW_USER_FLAG`], as `file: command`. Commands continued with `\` are joined.
fn docker_runs_without_the_user_flag(dir: &Path) -> (usize, Vec<String>) {
    let mut runs = 0;
    let mut missing = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    for file in files {
        for doc in yaml(&file) {
            for job in doc["jobs"].as_object().into_iter().flat_map(|j| j.values()) {
                for step in job["steps"].as_array().into_iter().flatten() {
                    let Some(script) = step["run"].as_str() else { continue };
                    let joined = script.replace("\\\n", " ");
                    for line in joined.lines() {
                        let Some(i) = line.find("docker run") else { continue };
                        runs += 1;
                        let command = &line[i..];
                        if !command
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .contains(WORKFLOW_USER_FLAG)
                        {
                            let name = file.file_name().unwrap().to_string_lossy();
                            missing.push(format!("{name}: {}", command.trim()));
                        }
                    }
                }
            }
        }
    }
    (runs, missing)
}

/// The workflows users copy run plinth's image as the runner's user.
#[test]
fn every_docker_run_in_the_workflows_passes_the_runners_user() {
    let (runs, missing) = docker_runs_without_the_user_flag(&repo().join("deploy/github"));
    assert!(
        runs >= 3,
        "plan, apply and drift each run the image: found {runs} `docker run`"
    );
    assert!(
        missing.is_empty(),
        "without `{WORKFLOW_USER_FLAG}` the image's user cannot write into the checkout:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_docker_run_check_finds_a_run_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let workflow = |body: &str| {
        format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo start\n{body}"
        )
    };
    std::fs::write(
        dir.path().join("with.yml"),
        workflow(
            "          docker run --rm --user \"$(id -u):$(id -g)\" -v \"$PWD:/baseline\" \\\n            \"$PLINTH_IMAGE\" plan\n",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("without.yml"),
        workflow("          docker run --rm -v \"$PWD:/baseline\" \\\n            \"$PLINTH_IMAGE\" plan\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("continued.yml"),
        workflow("          docker run --rm \\\n            --user \"$(id -u):$(id -g)\" \\\n            \"$PLINTH_IMAGE\" plan\n"),
    )
    .unwrap();
    let (runs, missing) = docker_runs_without_the_user_flag(dir.path());
    assert_eq!(runs, 3);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].starts_with("without.yml: docker run --rm -v"), "{missing:?}");
}

/// The scheduled ECS task runs as the image's user, whatever `USER` an image built FROM
/// plinth left behind, with every capability dropped and a read-only root.
#[test]
fn the_scheduled_task_runs_as_the_image_user_with_no_capability() {
    let template = repo().join("deploy/cloudformation/plinth-scheduled.yaml");
    let out = Command::new(crate::support::python())
        .args([
            "-c",
            "import sys, json\nfrom cfnlint.decode import decode\nt, _ = decode(sys.argv[1])\nprint(json.dumps(t['Resources']['TaskDefinition']['Properties']['ContainerDefinitions']))",
        ])
        .arg(&template)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let containers: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (uid, gid) = dockerfile_user();
    assert_eq!(containers.as_array().unwrap().len(), 1);
    let plinth = &containers[0];
    assert_eq!(plinth["User"], serde_json::json!(format!("{uid}:{gid}")));
    assert_eq!(
        plinth["LinuxParameters"]["Capabilities"]["Drop"],
        serde_json::json!(["ALL"])
    );
    assert_eq!(plinth["ReadonlyRootFilesystem"], serde_json::json!(true));
}
