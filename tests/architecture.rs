//! The layout ARCHITECTURE.md describes, checked on the source: which top-level module
//! may use which (the data path reads one way, with no import cycle), and that only
//! `src/kinds/` knows a kind by name. Test code is left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use. Lower layers come first; a module
/// uses only modules listed before it.
const LAYERS: &[(&str, &[&str])] = &[
    ("diag", &[]),
    ("arn", &[]),
    ("shutdown", &[]),
    ("types", &[]),
    ("policy", &["diag", "types"]),
    ("observed", &["types"]),
    ("plan", &["diag", "observed", "policy", "types"]),
    ("aws", &["diag", "observed", "plan", "types"]),
    ("kinds", &["arn", "aws", "diag", "observed", "plan", "policy", "types"]),
    ("baseline", &["diag", "kinds", "types"]),
    ("apply", &["aws", "plan"]),
    ("lock", &["aws", "diag", "shutdown"]),
    (
        "engine",
        &["apply", "aws", "baseline", "diag", "kinds", "lock", "plan", "shutdown"],
    ),
    ("iam_policy", &["aws", "kinds", "lock"]),
    ("import", &["aws", "baseline", "diag", "engine", "kinds", "types"]),
    ("saved", &["baseline", "diag", "kinds", "plan"]),
    ("report", &["aws", "diag", "engine", "import", "observed", "types"]),
    ("render", &["apply", "diag", "observed", "plan", "policy", "report"]),
    (
        "reconcile",
        &[
            "apply", "baseline", "diag", "engine", "kinds", "lock", "plan", "shutdown",
        ],
    ),
    // The binary's modules, beside main.rs: the command line, and one file per command
    // under `commands/`.
    ("cli", &[]),
    ("commands", &["cli"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source of every non-test file of the library, by path relative to `src/`.
fn library_sources() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().display().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            // Test code may reach anywhere: drop `tests.rs` files, `tests/` folders of test
            // modules and inline test modules.
            let text = if rel.ends_with("tests.rs") || rel.contains("/tests/") {
                String::new()
            } else {
                text.split("#[cfg(test)]").next().unwrap_or_default().to_owned()
            };
            (rel, text)
        })
        .filter(|(rel, _)| rel != "main.rs" && rel != "lib.rs")
        .collect()
}

fn top_module(rel: &str) -> &str {
    rel.split(['/', '.']).next().unwrap()
}

/// The top-level modules a source text names as `crate::<module>`.
fn uses(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(at, m)| {
            text[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut violations = Vec::new();
    for (rel, text) in library_sources() {
        let module = top_module(&rel);
        let Some(may) = allowed.get(module) else {
            violations.push(format!("src/{rel}: module `{module}` is not in the layer table"));
            continue;
        };
        for used in uses(&text) {
            if used != module && !may.contains(&used.as_str()) {
                violations.push(format!("src/{rel} uses `crate::{used}`"));
            }
        }
    }
    assert!(violations.is_empty(), "layering broken:\n{}", violations.join("\n"));
}

#[test]
fn the_layer_table_has_no_cycle() {
    // Each module may use only modules listed before it: that order is a topological one.
    let mut seen = BTreeSet::new();
    for (module, may) in LAYERS {
        for m in *may {
            assert!(seen.contains(m), "`{module}` uses `{m}`, which is not below it");
        }
        seen.insert(*module);
    }
}

/// Modules of `src/kinds/` that are not kinds (`limits`: the `[limits]` section;
/// `organization`: the `[organization]` section).
const NOT_KINDS: &[&str] = &[
    "mod",
    "common",
    "cross",
    "files",
    "hostile_tests",
    "iam",
    "id",
    "import",
    "limits",
    "organization",
    "tests",
];

/// Every kind's module name, read from the registry's directory.
fn kind_modules() -> Vec<String> {
    let kinds_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kinds");
    std::fs::read_dir(&kinds_dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().path().file_stem()?.to_str()?.to_owned();
            (!NOT_KINDS.contains(&name.as_str())).then_some(name)
        })
        .collect()
}

/// Whether `text` holds `pattern` followed by something that ends a name (so `file.scp`
/// is not found in `file.scps`).
fn names(text: &str, pattern: &str) -> bool {
    let ends_in_a_name = pattern.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(pattern).any(|(at, _)| {
        !ends_in_a_name
            || !text[at + pattern.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Shared services that read a kind, each listed in ARCHITECTURE.md: placement resolves
/// `account:` and `ou:` targets to accounts and OUs this plan creates or moves.
const ALLOWED_READS: &[(&str, &str)] = &[
    ("kinds/common/placement/mod.rs", "file.account"),
    ("kinds/common/placement/mod.rs", "file.organizational_units"),
    ("kinds/common/placement/target.rs", "file.account"),
    ("kinds/common/placement/target.rs", "file.organizational_units"),
    ("kinds/common/placement/mod.rs", "kinds::{account}"),
    ("kinds/common/placement/mod.rs", "kinds::{organizational_units}"),
    ("kinds/common/placement/target.rs", "kinds::{account}"),
    ("kinds/common/placement/target.rs", "kinds::{organizational_units}"),
];

/// Whether a `kinds::{…}` or `super::{…}` group of `text` names the module `kind`.
fn imports_in_a_group(text: &str, kind: &str) -> bool {
    ["kinds::{", "super::{"].iter().any(|open| {
        text.match_indices(open).any(|(at, m)| {
            let rest = &text[at + m.len()..];
            let group = &rest[..rest.find('}').unwrap_or(rest.len())];
            group.split([',', ' ', '\n']).any(|item| item.trim() == kind)
        })
    })
}

/// A kind reads another kind's section, state or planner only through the named
/// functions of `src/kinds/cross.rs`, which ARCHITECTURE.md lists; a kind's registry
/// metadata (`REPAIRED_WITH: Some(super::scp::Scps::NAME)`) is a name, not a read.
#[test]
fn a_kind_reads_another_only_through_the_cross_kind_accessors() {
    let kinds = kind_modules();
    let mut violations = Vec::new();
    for (rel, text) in library_sources() {
        // The registry and the accessors themselves name kinds; a kind's own folder may
        // name itself; the shared modules beside the kinds (`common/`, `import.rs`,
        // `iam.rs`) name none, so adding a kind touches its folder and its registry line.
        let Some(own) = rel
            .strip_prefix("kinds/")
            .filter(|r| !["mod.rs", "cross.rs"].contains(r))
            .map(top_module)
        else {
            continue;
        };
        // Lines as rustfmt breaks them joined again (`cx.baseline\n    .file\n    .account`).
        let text: String =
            text.lines()
                .filter(|l| !l.contains("::NAME"))
                .map(str::trim)
                .fold(String::new(), |mut all, line| {
                    if !line.starts_with('.') {
                        all.push('\n');
                    }
                    all.push_str(line);
                    all
                });
        for other in kinds.iter().filter(|k| *k != own) {
            for pattern in [
                format!("file.{other}"),
                format!("observed.{other}"),
                format!("super::{other}"),
                format!("kinds::{other}"),
            ] {
                if names(&text, &pattern) && !ALLOWED_READS.contains(&(rel.as_str(), pattern.as_str())) {
                    violations.push(format!("src/{rel} names `{pattern}`"));
                }
            }
            // And in a group: `use crate::kinds::{Context, account};`.
            let pattern = format!("kinds::{{{other}}}");
            if imports_in_a_group(&text, other) && !ALLOWED_READS.contains(&(rel.as_str(), pattern.as_str())) {
                violations.push(format!("src/{rel} names `{pattern}`"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "a kind is read outside its folder and src/kinds/cross.rs:\n{}",
        violations.join("\n")
    );
}

#[test]
fn only_the_kinds_know_a_kind_by_name() {
    // Every kind's module name, read from the registry's directory.
    let kinds_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kinds");
    let kinds: Vec<String> = std::fs::read_dir(&kinds_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_owned();
            // Modules beside the kinds that are not kinds (`limits`: the `[limits]` section).
            (!NOT_KINDS.contains(&name.as_str())).then_some(name)
        })
        .collect();
    assert!(kinds.contains(&"scp".to_owned()) && kinds.contains(&"sso".to_owned()));
    let mut violations = Vec::new();
    for (rel, text) in library_sources() {
        if rel.starts_with("kinds/") {
            continue;
        }
        for kind in &kinds {
            for pattern in [
                format!("kinds::{kind}"),
                format!("file.{kind}"),
                format!("observed.{kind}"),
            ] {
                if text.contains(&pattern) {
                    violations.push(format!("src/{rel} names `{pattern}`"));
                }
            }
        }
    }
    // main.rs is outside the library but must not name a kind either.
    let main = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    for kind in &kinds {
        for pattern in [
            format!("kinds::{kind}"),
            format!("file.{kind}"),
            format!("baseline.{kind}()"),
        ] {
            if main.contains(&pattern) {
                violations.push(format!("src/main.rs names `{pattern}`"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "a kind is named outside src/kinds:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_uses_scanner_finds_module_names() {
    let found = uses("use crate::plan::{Change};\nlet x = crate::kinds::compute(a);\n// crate::");
    assert_eq!(found, BTreeSet::from(["kinds".to_owned(), "plan".to_owned()]));
}

/// Cargo builds only `tests/integration.rs` (`autotests = false`): a test file without its
/// `mod` line there would never run, and nothing would say so.
#[test]
fn every_test_file_is_a_module_of_the_test_binary() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let root = std::fs::read_to_string(tests.join("integration.rs")).unwrap();
    let declared: BTreeSet<&str> = root
        .lines()
        .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(&tests)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|stem| stem != "integration")
        .collect();
    let missing: Vec<&String> = files.iter().filter(|f| !declared.contains(f.as_str())).collect();
    assert!(
        missing.is_empty(),
        "test files not in tests/integration.rs: {missing:?}"
    );
    assert!(declared.contains("support") && declared.contains("architecture"));
}
