//! Files the baseline names stay inside it: a policy `file` outside the baseline's
//! directory (an absolute path, `..`, a link out) is refused before it is read, unless
//! `[organization] policy_roots` names its directory; an error about a file that is not a
//! policy shows no more of it than the offending line.

use std::path::Path;

const SCP: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}"#;

fn baseline(dir: &Path, file: &str, roots: &str) -> String {
    let text = format!(
        "[organization]\nmanagement_account_id = \"123456789012\"\n{roots}\n[[scp.custom]]\nname = \"mine\"\nfile = \"{file}\"\nattach = [\"root\"]\n"
    );
    let path = dir.join("baseline.toml");
    std::fs::write(&path, text).unwrap();
    match plinth::baseline::load(&path) {
        Ok(_) => String::new(),
        Err(d) => d.to_string(),
    }
}

/// A baseline directory inside a scratch directory, with a secret file beside it.
fn world() -> (tempfile::TempDir, std::path::PathBuf) {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("baseline");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(top.path().join("secret.json"), "{\"token\": \"hunter2-outside\"}").unwrap();
    (top, dir)
}

#[test]
fn an_absolute_path_outside_the_baseline_is_refused_unread() {
    let (top, dir) = world();
    let secret = top.path().join("secret.json");
    let err = baseline(&dir, &secret.display().to_string(), "");
    assert!(err.contains("is outside the baseline's directory"), "{err}");
    assert!(err.contains("baseline.toml:6:8"), "{err}");
    assert!(err.contains("policy_roots"), "the hint names the way out: {err}");
    assert!(!err.contains("hunter2"), "nothing of the file shown: {err}");
}

#[test]
fn dot_dot_and_links_out_are_refused() {
    let (_top, dir) = world();
    let err = baseline(&dir, "../secret.json", "");
    assert!(err.contains("is outside the baseline's directory"), "{err}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("../secret.json"), dir.join("inside.json")).unwrap();
        let err = baseline(&dir, "inside.json", "");
        assert!(err.contains("is outside the baseline's directory"), "a link out: {err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}

#[test]
fn a_directory_named_in_policy_roots_may_hold_policy_files() {
    let (top, dir) = world();
    // The baseline's repository holds both.
    std::fs::create_dir(top.path().join(".git")).unwrap();
    std::fs::create_dir(top.path().join("shared")).unwrap();
    std::fs::write(top.path().join("shared/deny.json"), SCP).unwrap();
    let refused = baseline(&dir, "../shared/deny.json", "");
    assert!(refused.contains("outside"), "{refused}");
    let err = baseline(&dir, "../shared/deny.json", "policy_roots = [\"../shared\"]");
    assert!(err.is_empty(), "{err}");
    // Other files stay out of reach all the same.
    let err = baseline(&dir, "../secret.json", "policy_roots = [\"../shared\"]");
    assert!(err.contains("outside"), "{err}");
    let err = baseline(&dir, "deny.json", "policy_roots = [\"../nowhere\"]");
    assert!(err.contains("cannot find policy root `../nowhere`"), "{err}");
}

#[test]
fn a_file_that_is_not_a_policy_shows_only_its_offending_line() {
    let (_top, dir) = world();
    std::fs::write(
        dir.join("notes.json"),
        "not json at all\nAWS_SECRET_ACCESS_KEY=line-two-secret\n",
    )
    .unwrap();
    let err = baseline(&dir, "notes.json", "");
    assert!(err.contains("is not valid JSON"), "{err}");
    assert!(err.contains("not json at all"), "the offending line is shown: {err}");
    assert!(!err.contains("line-two-secret"), "nothing past it: {err}");
}

#[test]
fn a_line_that_does_not_read_as_text_is_never_shown() {
    let (_top, dir) = world();
    // An environment dump: one line, NUL between the variables.
    std::fs::write(
        dir.join("env.json"),
        "PATH=/bin\0AWS_SECRET_ACCESS_KEY=nul-separated-secret\0",
    )
    .unwrap();
    let err = baseline(&dir, "env.json", "");
    assert!(err.contains("is not valid JSON"), "{err}");
    assert!(err.contains("at line 1, column 1 (not shown"), "{err}");
    assert!(!err.contains("nul-separated-secret"), "{err}");
}

#[test]
fn a_policy_root_is_relative_and_inside_the_baseline_s_repository() {
    let (top, dir) = world();
    let err = baseline(&dir, "x.json", "policy_roots = [\"/proc/self\"]");
    assert!(err.contains("policy root `/proc/self` is an absolute path"), "{err}");
    // No repository: nothing above the baseline's directory.
    let up = "../".repeat(dir.components().count());
    for root in [format!("{up}proc/self"), "../..".to_owned(), "..".to_owned()] {
        let err = baseline(&dir, "x.json", &format!("policy_roots = [\"{root}\"]"));
        assert!(
            err.contains("is outside the repository that holds the baseline"),
            "{root}: {err}"
        );
    }
    // In a repository (a `.git` above the baseline), a root anywhere inside it is fine,
    // and one above it is not.
    std::fs::create_dir(top.path().join(".git")).unwrap();
    std::fs::create_dir(top.path().join("shared")).unwrap();
    std::fs::write(top.path().join("shared/deny.json"), SCP).unwrap();
    let err = baseline(&dir, "../shared/deny.json", "policy_roots = [\"../shared\"]");
    assert!(err.is_empty(), "{err}");
    let err = baseline(&dir, "x.json", "policy_roots = [\"../..\"]");
    assert!(
        err.contains("is outside the repository that holds the baseline"),
        "{err}"
    );
}
