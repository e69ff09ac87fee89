//! The supply chain of what users copy and of plinth's own release: every workflow file
//! passes zizmor (a GitHub Actions security auditor) with nothing of medium or high
//! severity, every `uses:` is pinned by full commit SHA, base images by digest, and the
//! release workflow gives each job only what it needs, pushes no `latest`, overwrites
//! nothing and publishes the image's digest.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const RELEASE: &str = ".github/workflows/release.yml";

/// Every workflow file: the examples users copy (deploy/github/) and the project's own
/// (.github/workflows/), found by listing the directories, so a new file is checked too.
pub(crate) fn workflow_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["deploy/github", ".github/workflows"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 4,
        "expected the three examples and the release: {files:?}"
    );
    files
}

/// The YAML documents of a file, as JSON (PyYAML from the tests' venv, as tests/deploy.rs
/// reads YAML). Note that YAML 1.1 reads a workflow's `on:` key as `true`.
pub(crate) fn yaml(path: &Path) -> Vec<Value> {
    let out = Command::new(support::python())
        .args([
            "-c",
            "import sys, yaml, json\nprint(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap_or(path).display().to_string()
}

/// Every value of a `uses` key anywhere in the document (steps and reusable workflows).
fn uses_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("uses", Value::String(s)) => out.push(s.clone()),
                    _ => uses_values(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| uses_values(v, out)),
        _ => {}
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `owner/repo[/path]@<40 hex>`, a local action (`./...`), or a container action by digest.
fn pinned(uses: &str) -> bool {
    if uses.starts_with("./") {
        return true;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return image.rsplit_once("@sha256:").is_some_and(|(_, d)| is_hex(d, 64));
    }
    let Some((action, sha)) = uses.rsplit_once('@') else {
        return false;
    };
    let parts: Vec<&str> = action.split('/').collect();
    let name_ok = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    };
    parts.len() >= 2 && parts.iter().all(name_ok) && is_hex(sha, 40)
}

#[test]
fn the_pin_rule_accepts_a_full_sha_and_nothing_looser() {
    let sha = "3d3c42e5aac5ba805825da76410c181273ba90b1";
    assert!(pinned(&format!("actions/checkout@{sha}")));
    assert!(pinned(&format!("github/codeql-action/init@{sha}")));
    assert!(pinned("./.github/actions/local"));
    assert!(pinned(&format!("docker://alpine:3@sha256:{}", "a".repeat(64))));
    for loose in [
        "actions/checkout@v4",
        "actions/checkout@v4.2.2",
        "actions/checkout@main",
        "actions/checkout",
        "actions/checkout@3d3c42e",
        "actions/checkout@3D3C42E5AAC5BA805825DA76410C181273BA90B1",
        "checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        "docker://alpine:3",
    ] {
        assert!(!pinned(loose), "{loose} passed as pinned");
    }
}

/// Every `uses:` of every workflow file names a full commit SHA, with the release it is in
/// a comment on the same line (`# vX.Y.Z`) so a reviewer can read what it is.
#[test]
fn every_uses_is_pinned_to_a_full_commit_sha() {
    let mut loose = Vec::new();
    for file in workflow_files() {
        let mut uses = Vec::new();
        for doc in yaml(&file) {
            uses_values(&doc, &mut uses);
        }
        assert!(!uses.is_empty(), "{}: no `uses:` found", relative(&file));
        for u in uses.iter().filter(|u| !pinned(u)) {
            loose.push(format!("{}: {u}", relative(&file)));
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text
            .lines()
            .filter(|l| l.trim_start().trim_start_matches("- ").starts_with("uses:"))
        {
            let comment = line.split_once(" # ").map(|(_, c)| c.trim());
            let versioned = comment
                .and_then(|c| c.strip_prefix('v'))
                .is_some_and(|v| v.split('.').count() == 3 && v.split('.').all(|n| n.parse::<u32>().is_ok()));
            if !line.contains("uses: ./") && !versioned {
                loose.push(format!(
                    "{}: `{}` has no `# vX.Y.Z` comment",
                    relative(&file),
                    line.trim()
                ));
            }
        }
    }
    assert!(loose.is_empty(), "not pinned by full commit SHA:\n{}", loose.join("\n"));
}

/// zizmor over every workflow file, offline: no finding of medium or high severity.
#[test]
fn zizmor_finds_nothing_of_medium_or_high_severity_in_any_workflow() {
    let zizmor = support::python().with_file_name("zizmor");
    assert!(
        zizmor.exists(),
        "zizmor is missing at {}: run `make venv` (tests/support/requirements.txt pins it)",
        zizmor.display()
    );
    let mut inputs = workflow_files();
    inputs.push(repo().join(".github/dependabot.yml"));
    let out = Command::new(&zizmor)
        .args([
            "--offline",
            "--min-severity",
            "medium",
            "--no-progress",
            "--color",
            "never",
        ])
        .args(inputs.iter().map(|p| relative(p)))
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", zizmor.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "zizmor found problems:\n{report}");
    assert!(report.contains("No findings to report"), "{report}");
    for file in &inputs {
        assert!(
            report.contains(&format!("completed {}", relative(file))),
            "zizmor did not audit {}:\n{report}",
            relative(file)
        );
    }
}

/// Every `FROM` of the Dockerfile names its image by tag and digest (an earlier stage
/// excepted), so a build gets the same bases whatever the registry's tags now say.
#[test]
fn the_dockerfile_pins_every_base_image_by_digest() {
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    let mut stages: Vec<String> = Vec::new();
    let mut bases = 0;
    for line in dockerfile.lines().filter(|l| l.starts_with("FROM ")) {
        let words: Vec<&str> = line.split_whitespace().filter(|w| !w.starts_with("--")).collect();
        let image = words[1];
        if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case("AS")) {
            stages.push(words[i + 1].to_owned());
        }
        if stages.iter().any(|s| s == image) {
            continue;
        }
        let (name, digest) = image
            .split_once("@sha256:")
            .unwrap_or_else(|| panic!("`{line}`: the base image has no digest"));
        assert!(is_hex(digest, 64), "`{line}`: the digest is not 64 hex digits");
        assert!(
            name.rsplit_once(':')
                .is_some_and(|(_, tag)| !tag.is_empty() && tag != "latest"),
            "`{line}`: name the tag the digest was read from (not `latest`), for a reviewer"
        );
        bases += 1;
    }
    assert_eq!(bases, 2, "the build stage and the runtime stage");
    assert!(
        dockerfile.contains("docker buildx imagetools inspect"),
        "say how to refresh a digest"
    );
}

fn release() -> Value {
    yaml(&repo().join(RELEASE)).remove(0)
}

/// The release gives the workflow no permission and each job the least it needs.
#[test]
fn the_release_grants_each_job_only_what_it_needs() {
    let wf = release();
    assert_eq!(wf["permissions"], json!({}), "no workflow-wide permission");
    let jobs: BTreeMap<String, Value> = wf["jobs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, job)| (name.clone(), job["permissions"].clone()))
        .collect();
    let read = json!({"contents": "read"});
    let expected = BTreeMap::from([
        ("check".to_owned(), read.clone()),
        ("binaries".to_owned(), read.clone()),
        ("image".to_owned(), json!({"contents": "read", "packages": "write"})),
        ("publish".to_owned(), json!({"contents": "write"})),
    ]);
    assert_eq!(jobs, expected);
}

/// What each step of the release runs and with what it checks out.
fn release_steps() -> Vec<(String, Value)> {
    let wf = release();
    wf["jobs"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(job, j)| {
            j["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (job.clone(), s.clone()))
        })
        .collect()
}

#[test]
fn the_release_checks_out_without_credentials_and_expands_nothing_in_shell() {
    let steps = release_steps();
    let checkouts: Vec<&Value> = steps
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")))
        .collect();
    assert_eq!(checkouts.len(), 4, "one per job");
    for c in checkouts {
        assert_eq!(c["with"]["persist-credentials"], json!(false), "{c}");
    }
    // Values reach scripts through `env:`, never through `${{ }}` pasted into the shell.
    for (job, step) in &steps {
        if let Some(run) = step["run"].as_str() {
            assert!(!run.contains("${{"), "{job}: a `run:` expands an expression:\n{run}");
        }
    }
}

#[test]
fn the_release_pushes_no_latest_tag_and_overwrites_nothing() {
    let text = std::fs::read_to_string(repo().join(RELEASE)).unwrap();
    assert!(!text.contains("--clobber"), "release assets are never replaced");
    let steps = release_steps();
    let build = steps
        .iter()
        .map(|(_, s)| s)
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .unwrap();
    let tags = build["with"]["tags"].as_str().unwrap();
    assert_eq!(
        tags.trim(),
        "${{ steps.image.outputs.name }}:${{ needs.check.outputs.version }}",
        "one tag, the version"
    );
    assert!(!text.contains(":latest"), "no `latest` tag");
    // A version already published stops the run: the release is checked before the tests,
    // the image before it is pushed, and `gh release create` refuses an existing release.
    let runs: Vec<&str> = steps.iter().filter_map(|(_, s)| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("gh release view \"$GITHUB_REF_NAME\"")));
    assert!(
        runs.iter()
            .any(|r| r.contains("docker buildx imagetools inspect \"$name:$VERSION\""))
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("gh release create \"$GITHUB_REF_NAME\" --verify-tag"))
    );
    assert!(!runs.iter().any(|r| r.contains("gh release upload")));
}

/// The publish step's script, run as the release runs it: the notes name the image by
/// digest and the attached CronJob runs exactly that digest; a missing digest fails it.
#[test]
fn the_release_publishes_the_image_digest_and_a_cronjob_pinned_to_it() {
    let script = release_steps()
        .into_iter()
        .find(|(_, s)| s["name"] == "Release notes and the CronJob, naming the image by digest")
        .and_then(|(_, s)| s["run"].as_str().map(str::to_owned))
        .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let run = |digest: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("deploy/kubernetes")).unwrap();
        std::fs::copy(
            repo().join("deploy/kubernetes/cronjob.yaml"),
            dir.path().join("deploy/kubernetes/cronjob.yaml"),
        )
        .unwrap();
        let out = Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(dir.path())
            .env("VERSION", version)
            .env("IMAGE", "ghcr.io/plinth-project/plinth")
            .env("DIGEST", digest)
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
            .output()
            .unwrap();
        (out, dir)
    };
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let (out, dir) = run(&digest);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let pinned = format!("ghcr.io/plinth-project/plinth:{version}@{digest}");
    let notes = std::fs::read_to_string(dir.path().join("release-notes.md")).unwrap();
    assert!(notes.contains(&pinned), "{notes}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains(&pinned), "{summary}");
    let asset = dir.path().join(format!("dist/plinth-{version}-cronjob.yaml"));
    let docs = yaml(&asset);
    let cronjob = docs.iter().find(|d| d["kind"] == "CronJob").unwrap();
    let containers = &cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0]["image"], json!(pinned));
    // Apart from the image, the attached file is the repository's.
    let original = std::fs::read_to_string(repo().join("deploy/kubernetes/cronjob.yaml")).unwrap();
    let attached = std::fs::read_to_string(&asset).unwrap();
    let differing: Vec<(&str, &str)> = original.lines().zip(attached.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(differing.len(), 1, "{differing:?}");
    assert_eq!(original.lines().count(), attached.lines().count());

    for bad in ["", "sha256:abc", "latest"] {
        let (out, _dir) = run(bad);
        assert!(!out.status.success(), "digest `{bad}` was accepted");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("::error::the image job gave no digest"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
