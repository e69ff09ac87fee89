//! Properties over any input: the baseline loader and the policy handling never panic,
//! whatever bytes they are given (non-ASCII, byte order marks, typographic quotes,
//! truncated files), every error they report points into the file, and normalising a
//! policy twice gives what normalising it once gives.

use plinth::baseline;
use plinth::diag::SourceFile;
use plinth::policy::normalize::{canonical, equivalent};
use plinth::policy::{PolicyKind, parse_document};
use proptest::prelude::*;
use serde_json::Value;

const EXAMPLE: &str = include_str!("../baselines/example.toml");

/// Text that stresses the loader: fragments of a real baseline, cut and spliced, with
/// multi-byte characters, byte order marks and typographic quotes mixed in.
fn baseline_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\u{feff}".to_owned()),
        Just("“".to_owned()),
        Just("”".to_owned()),
        Just("é".to_owned()),
        Just("🚀".to_owned()),
        Just("日本".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("=".to_owned()),
        Just("\n".to_owned()),
        "[a-z_.\\[\\]\" =0-9\n-]{0,12}",
        (0..EXAMPLE.len(), 0..200usize).prop_map(|(start, len)| {
            let start = EXAMPLE.floor_char_boundary(start);
            let end = EXAMPLE.floor_char_boundary((start + len).min(EXAMPLE.len()));
            EXAMPLE[start..end].to_owned()
        }),
    ];
    proptest::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

/// JSON values shaped like policies: statements with the keys AWS uses, lists and
/// strings nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-zA-Z0-9:*/ é“”-]{0,10}".prop_map(Value::String),
        prop_oneof![Just("Allow"), Just("Deny"), Just("s3:*"), Just("*"), Just("2012-10-17")]
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("Version".to_owned()),
            Just("Statement".to_owned()),
            Just("Sid".to_owned()),
            Just("Effect".to_owned()),
            Just("Action".to_owned()),
            Just("NotAction".to_owned()),
            Just("Resource".to_owned()),
            Just("Condition".to_owned()),
            Just("Principal".to_owned()),
            "[A-Za-z]{1,6}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_baseline_loader_never_panics_and_points_into_the_file(text in baseline_text()) {
        let source = SourceFile::new("baseline.toml", text.clone());
        if let Err(diags) = baseline::parse(source) {
            let rendered = diags.to_string();
            prop_assert!(rendered.starts_with("error: "), "{}", rendered);
            for d in &diags.0 {
                if let Some(at) = d.location() {
                    prop_assert!(at.starts_with("baseline.toml:") || at.contains("policies/"), "{}", at);
                }
            }
        }
    }

    #[test]
    fn policy_files_never_panic_whatever_their_bytes(text in baseline_text(), kind in prop_oneof![Just(PolicyKind::Scp), Just(PolicyKind::Identity)]) {
        let source = SourceFile::new("policy.json", text);
        if let Err(d) = parse_document(&source, kind) {
            let rendered = d.to_string();
            prop_assert!(rendered.contains("--> policy.json:"), "{}", rendered);
        }
    }

    #[test]
    fn normalising_twice_is_normalising_once(doc in json_value()) {
        let once = canonical(&doc);
        prop_assert_eq!(canonical(&once), once.clone());
        prop_assert!(equivalent(&doc, &once));
    }

    #[test]
    fn a_json_error_anywhere_in_a_document_gets_a_location(doc in json_value(), cut in 0usize..400) {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let cut = text.floor_char_boundary(cut.min(text.len()));
        let source = SourceFile::new("policy.json", format!("\u{feff}{}“", &text[..cut]));
        if let Err(d) = parse_document(&source, PolicyKind::Scp) {
            prop_assert!(d.location().is_some(), "{}", d);
        }
    }
}
