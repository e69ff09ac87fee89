//! The baseline's JSON Schema: generated from the section types the loader reads, kept in
//! `baselines/baseline.schema.json` (where the example baseline's `#:schema` directive
//! points editors), accepting every baseline the loader accepts and rejecting the bad
//! values and keys the loader rejects while parsing.

use std::path::{Path, PathBuf};

use plinth::baseline;

const SCHEMA_FILE: &str = "baselines/baseline.schema.json";

/// Corpus cases only the loader can catch: checks across values or files, which a JSON
/// Schema cannot express. Every other corpus case must fail the schema too, and these
/// must pass it (so this list stays exact).
const LOADER_ONLY: &[(&str, &str)] = &[
    ("account-declared-twice", "a duplicate across `[[account]]` entries"),
    ("account-email-used-twice", "a duplicate across `[[account]]` entries"),
    (
        "account-name-like-an-id",
        "a negative pattern needs a look-ahead editors' regex engines lack",
    ),
    (
        "billing-duplicate-alarm-name",
        "a duplicate across `[[billing.alarm]]` entries",
    ),
    ("billing-duplicate-email", "a duplicate within a list, case-insensitive"),
    (
        "log-archive-expires-while-locked",
        "comparisons across fields (expiration against retention and transition)",
    ),
    (
        "log-archive-live-name",
        "whether the name is an `[[account]]`'s is a look across sections",
    ),
    ("log-archive-without-trail", "a section that needs another section"),
    (
        "billing-reserved-alarm-name",
        "the `plinth-` prefix needs a look-ahead editors' regex engines lack",
    ),
    ("budget-alert-without-recipients", "one key needs another"),
    (
        "tag-policy-reserved-name",
        "the names plinth reserves need a look-ahead editors' regex engines lack",
    ),
    ("budget-amount-and-auto-adjust", "two keys exclude each other"),
    ("budget-billing-topic-without-billing", "one section needs another"),
    ("cloudtrail-protection-without-trail", "one section needs another"),
    ("contacts-override-root", "one target value refused in one list"),
    ("contacts-override-sets-nothing", "at least one of several keys"),
    ("root-access-remove-without-sessions", "one key needs another"),
    ("duplicate-ou", "a duplicate across `[[organizational_units]]` entries"),
    ("ec2-declarative-sets-nothing", "at least one of several keys"),
    ("duplicate-scp-name", "a duplicate across `[[scp.custom]]` entries"),
    ("duplicate-target", "a duplicate within a list"),
    (
        "empty-allowed-regions",
        "kept as an explained error rather than `minItems`",
    ),
    ("invalid-policy-json", "the policy file's content"),
    ("missing-policy-file", "the policy file's existence"),
    ("oversized-policy", "the policy file's size"),
    ("policy-not-an-scp", "the policy file's content"),
    ("policy-smart-quotes", "the policy file's content"),
    ("policy-with-bom-and-error", "the policy file's content"),
    ("rcp-custom-allows", "the policy file's content"),
    ("rcp-too-many-on-one-target", "a count across sections"),
    (
        "reserved-policy-name",
        "the `plinth-` prefix needs a look-ahead editors' regex engines lack",
    ),
    ("sso-boundary-in-two-forms", "exactly one of two forms"),
    (
        "sso-duplicate-permission-set",
        "a duplicate across `[[sso.permission_set]]` entries",
    ),
    ("sso-inline-policy-invalid-json", "the policy file's content"),
    ("sso-inline-policy-non-ascii-error", "the policy file's content"),
    ("sso-inline-policy-too-large", "the policy file's size"),
    ("sso-session-duration-too-long", "the duration's value, not its shape"),
    ("sso-too-many-managed-policies", "a count across two lists"),
    ("sso-unknown-permission-set", "a reference to another entry"),
    ("tag-policy-not-a-tag-policy", "the policy file's content"),
    ("management-policy-wrong-top-key", "the policy file's content"),
    ("tag-policy-oversized", "the policy file's size"),
    ("too-many-scps-on-a-target", "a count across sections"),
    ("trail-duplicate-email", "a duplicate within a list, case-insensitive"),
    ("trail-notify-without-alarm", "one key needs another"),
    ("trail-root-alarm-without-logs", "one key needs another"),
    ("trail-root-alarm-without-topic", "one key needs another section"),
];

/// Corpus cases that are not TOML at all: no document to check.
const NOT_TOML: &[&str] = &["malformed-toml"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SCHEMA_FILE)).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid JSON Schema")
}

/// A TOML document as the JSON value an editor's schema check sees.
fn as_json(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let value: toml::Value = toml::from_str(text).ok()?;
    Some(serde_json::to_value(value).unwrap())
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/corpus/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_schema_file_is_what_plinth_schema_prints() {
    let generated = serde_json::to_string_pretty(&plinth::kinds::schema()).unwrap() + "\n";
    let committed = std::fs::read_to_string(root().join(SCHEMA_FILE)).unwrap();
    assert!(
        generated == committed,
        "{SCHEMA_FILE} is stale: run `cargo run -- schema > {SCHEMA_FILE}`"
    );
}

#[test]
fn the_example_baseline_points_at_the_schema_and_passes_it() {
    let path = root().join("baselines/example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().next(), Some("#:schema ./baseline.schema.json"));
    baseline::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let doc = as_json(&path).unwrap();
    let errors: Vec<String> = validator().iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_and_the_loader_agree_on_every_corpus_case() {
    let validator = validator();
    let mut disagreements = Vec::new();
    for path in corpus() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        assert!(baseline::load(&path).is_err(), "{name}: the loader accepts it");
        let Some(doc) = as_json(&path) else {
            assert!(NOT_TOML.contains(&name.as_str()), "{name} is not TOML");
            continue;
        };
        let schema_rejects = !validator.is_valid(&doc);
        let loader_only = LOADER_ONLY.iter().any(|(n, _)| *n == name);
        if schema_rejects == loader_only {
            disagreements.push(if loader_only {
                format!("{name}: listed as loader-only, but the schema rejects it")
            } else {
                format!("{name}: the loader rejects it, the schema accepts it")
            });
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn the_schema_lists_every_section_and_rejects_unknown_keys() {
    let schema = plinth::kinds::schema();
    let properties = schema["properties"].as_object().unwrap();
    let mut sections: Vec<&str> = properties.keys().map(String::as_str).collect();
    sections.sort_unstable();
    let mut expected: Vec<&str> = plinth::kinds::NAMES.to_vec();
    expected.extend(["organization", "limits"]);
    expected.sort_unstable();
    assert_eq!(sections, expected);
    assert_eq!(schema["additionalProperties"], false);
    for (name, def) in schema["$defs"].as_object().unwrap() {
        if def["type"] == "object" {
            assert_eq!(def["additionalProperties"], false, "{name} accepts unknown keys");
        }
    }
}

#[test]
fn the_schema_takes_limits_of_every_policy_type_and_nothing_else() {
    let validator = validator();
    let doc = |limits: serde_json::Value| serde_json::json!({"organization": {"management_account_id": "123456789012"}, "limits": limits});
    let mut every = serde_json::Map::new();
    for t in plinth::types::policy_types::PolicyType::ALL {
        let key = t.rules().key;
        every.insert(format!("{key}_characters"), 12_000.into());
        every.insert(format!("{key}_per_target"), 12.into());
    }
    let every = doc(every.into());
    assert!(
        validator.is_valid(&every),
        "{:?}",
        validator.iter_errors(&every).map(|e| e.to_string()).collect::<Vec<_>>()
    );
    assert!(!validator.is_valid(&doc(serde_json::json!({"scp_size": 12000}))));
    assert!(!validator.is_valid(&doc(serde_json::json!({"scp_per_target": 0}))));
    assert!(!validator.is_valid(&doc(serde_json::json!({"scp_per_target": 1.5}))));
}
