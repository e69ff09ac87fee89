//! `[limits]`: keys from the table, values checked while parsing, the effective figures in
//! every check that uses a limit, and one warning per figure set.

use super::*;
use crate::baseline;
use crate::diag::Diagnostics;
use crate::kinds::tests::converged;
use crate::kinds::{Baseline, compute};
use crate::observed::Scp;
use crate::plan::PlanOptions;

const HEAD: &str = "[organization]\nmanagement_account_id = \"123456789012\"\n";

/// An SCP document of exactly `n` characters, minified as plinth sends it.
fn scp_of(n: usize) -> String {
    let doc = |pad: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"s3:{}","Resource":"*"}}]}}"#,
            "x".repeat(pad)
        )
    };
    let text = doc(n - doc(0).len());
    assert_eq!(text.chars().count(), n);
    text
}

/// Load `HEAD` + `text` from a temporary directory holding `files`.
fn load(text: &str, files: &[(&str, &str)]) -> Result<Baseline, Diagnostics> {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("baseline.toml");
    baseline::parse(SourceFile::new(path, format!("{HEAD}{text}")))
}

fn loaded(text: &str, files: &[(&str, &str)]) -> Baseline {
    load(text, files).unwrap_or_else(|d| panic!("{d}"))
}

fn custom(name: &str, file: &str, target: &str) -> String {
    format!("\n[[scp.custom]]\nname = \"{name}\"\nfile = \"{file}\"\nattach = [\"{target}\"]\n")
}

#[test]
fn every_type_of_the_table_has_its_two_keys() {
    let names: Vec<String> = LimitKey::all().map(LimitKey::name).collect();
    assert_eq!(names.len(), 2 * PolicyType::ALL.len());
    for t in PolicyType::ALL {
        for suffix in ["characters", "per_target"] {
            let name = format!("{}_{suffix}", t.rules().key);
            let key = LimitKey::parse(&name).unwrap_or_else(|| panic!("no key `{name}`"));
            assert_eq!(key.policy_type, t);
            assert_eq!(key.name(), name);
        }
    }
    assert_eq!(LimitKey::parse("scp"), None);
    assert_eq!(LimitKey::parse("scp_characters").map(LimitKey::known), Some(10_240));
    assert_eq!(LimitKey::parse("scp_per_target").map(LimitKey::known), Some(10));
}

#[test]
fn without_limits_plinth_enforces_the_figures_it_knows() {
    let b = loaded("", &[]);
    for t in PolicyType::ALL {
        let chars = b.limits().characters(t);
        assert_eq!((chars.value, chars.set_by), (t.rules().max_size, None));
        assert_eq!(b.limits().per_target(t).value, t.rules().max_per_target);
    }
    assert_eq!(b.limits().characters(PolicyType::Scp).allows(), "AWS allows 10240");
    assert!(b.limits().warnings(&b.source).is_empty());
    assert_eq!(b.limits().describe(), None);
}

#[test]
fn a_figure_set_overrides_only_its_own_and_warns_at_its_line() {
    let b = loaded("\n[limits]\nscp_characters = 12000\nscp_per_target = 12\n", &[]);
    let limits = b.limits();
    assert_eq!(limits.characters(PolicyType::Scp).value, 12_000);
    assert_eq!(limits.per_target(PolicyType::Scp).value, 12);
    assert_eq!(
        limits.characters(PolicyType::Scp).allows(),
        "`scp_characters` in `[limits]` allows 12000"
    );
    assert_eq!(limits.characters(PolicyType::Rcp).value, 5_120);
    assert_eq!(limits.per_target(PolicyType::Rcp).set_by, None);

    let warnings = limits.warnings(&b.source);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let path = b.source.path.display().to_string();
    let chars = &warnings[0];
    assert!(
        chars.starts_with(&format!("`scp_characters = 12000` in `[limits]` ({path}:5:1): ")),
        "{chars}"
    );
    assert!(
        chars.contains("plinth knows 10240 characters for SCPs (AWS What's New of 2026-05-15"),
        "{chars}"
    );
    assert!(chars.contains(PolicyType::Scp.rules().source), "{chars}");
    assert!(
        chars.ends_with("this baseline allows 12000: AWS refuses larger documents unless it has raised the limit"),
        "{chars}"
    );
    let count = &warnings[1];
    assert!(count.contains(&format!("({path}:6:1)")), "{count}");
    assert!(
        count.contains("plinth knows 10 SCPs per root, OU or account ("),
        "{count}"
    );
    assert!(
        count.ends_with("this baseline allows 12: AWS refuses more attachments unless it has raised the limit"),
        "{count}"
    );
    assert_eq!(
        limits.describe().as_deref(),
        Some(
            "Limits this baseline sets: 12000 characters for SCPs (plinth knows 10240), 12 SCPs per root, OU or account (plinth knows 10)."
        )
    );
}

#[test]
fn a_lower_or_equal_figure_warns_for_what_it_means() {
    let b = loaded(
        "\n[limits]\nrcp_characters = 4000\ntag_per_target = 3\nscp_per_target = 10\n",
        &[],
    );
    let warnings = b.limits().warnings(&b.source);
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    // In table order: SCP, RCP, tag policy.
    assert!(
        warnings[0].ends_with("the figure plinth knows already; the line can go"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].ends_with("this baseline allows 4000: plinth refuses documents AWS would accept"),
        "{}",
        warnings[1]
    );
    assert!(
        warnings[1].contains("plinth knows 5120 characters for RCPs ("),
        "{}",
        warnings[1]
    );
    assert!(
        warnings[2].ends_with("this baseline allows 3: plinth refuses attachments AWS would accept"),
        "{}",
        warnings[2]
    );
}

#[test]
fn an_unknown_key_is_an_error_at_its_position_listing_the_valid_ones() {
    let err = load("\n[limits]\nscp_chars = 12000\n", &[]).unwrap_err();
    assert_eq!(err.len(), 1);
    let d = &err.0[0];
    assert!(d.location().unwrap().ends_with("baseline.toml:5:1"), "{d}");
    assert_eq!(d.message, "unknown key `scp_chars` in `[limits]`");
    let hint = d.hint.as_deref().unwrap();
    assert!(hint.contains("`<type>_characters` and `<type>_per_target`"), "{hint}");
    for t in crate::types::policy_types::PolicyType::ALL {
        assert!(hint.contains(&format!("`{}`", t.rules().key)), "{hint}");
    }
}

#[test]
fn values_are_positive_integers_checked_while_parsing() {
    for (value, col, says) in [
        ("0", 18, "`scp_per_target` must be a positive integer, not `0`"),
        ("-5", 18, "`scp_per_target` must be a positive integer, not `-5`"),
        ("\"12\"", 18, "expected a positive integer for `scp_per_target`"),
        ("1.5", 18, "expected a positive integer for `scp_per_target`"),
    ] {
        let err = load(&format!("\n[limits]\nscp_per_target = {value}\n"), &[]).unwrap_err();
        let d = &err.0[0];
        assert!(
            d.location().unwrap().ends_with(&format!("baseline.toml:5:{col}")),
            "{d}"
        );
        assert!(d.message.contains(says), "{value}: {d}");
    }
    let err = load("\n[limits]\nscp_per_target = 0\n", &[]).unwrap_err();
    assert_eq!(
        err.0[0].hint.as_deref(),
        Some("leave it out for what plinth knows: 10 SCPs per root, OU or account")
    );
}

#[test]
fn document_sizes_are_checked_against_the_effective_limit() {
    // 7,000 characters: refused before 2026-05, accepted now.
    let seven = scp_of(7_000);
    loaded(&custom("big", "big.json", "root"), &[("big.json", &seven)]);
    let at_limit = scp_of(10_240);
    loaded(&custom("big", "big.json", "root"), &[("big.json", &at_limit)]);
    let over = scp_of(10_241);
    let err = load(&custom("big", "big.json", "root"), &[("big.json", &over)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("SCP `big` is 10241 characters minified; AWS allows 10240"),
        "{err}"
    );
    // A baseline that raises the limit accepts it; one that lowers it refuses less.
    let raised = format!(
        "\n[limits]\nscp_characters = 12000\n{}",
        custom("big", "big.json", "root")
    );
    loaded(&raised, &[("big.json", &over)]);
    let lowered = format!(
        "\n[limits]\nscp_characters = 5000\n{}",
        custom("big", "big.json", "root")
    );
    let err = load(&lowered, &[("big.json", &seven)]).unwrap_err().to_string();
    assert!(
        err.contains("SCP `big` is 7000 characters minified; `scp_characters` in `[limits]` allows 5000"),
        "{err}"
    );
    assert!(!err.contains("AWS allows"), "{err}");
}

#[test]
fn the_per_target_count_of_the_baseline_alone_uses_the_effective_limit() {
    let small = scp_of(100);
    let many = |n: usize| -> String { (0..n).map(|i| custom(&format!("p{i}"), "p.json", "root")).collect() };
    loaded(&many(10), &[("p.json", &small)]);
    let err = load(&many(11), &[("p.json", &small)]).unwrap_err().to_string();
    assert!(err.contains("`root` would carry more than 10 SCPs"), "{err}");
    assert!(
        err.contains("hint: AWS allows 10 SCPs per root, OU or account, `FullAWSAccess` included where it is attached"),
        "{err}"
    );
    let raised = format!("\n[limits]\nscp_per_target = 12\n{}", many(12));
    loaded(&raised, &[("p.json", &small)]);
    let lowered = format!("\n[limits]\nscp_per_target = 3\n{}", many(4));
    let err = load(&lowered, &[("p.json", &small)]).unwrap_err().to_string();
    assert!(err.contains("`root` would carry more than 3 SCPs"), "{err}");
    assert!(
        err.contains("hint: `scp_per_target` in `[limits]` allows 3 SCPs per root, OU or account"),
        "{err}"
    );
}

#[test]
fn the_planner_counts_live_policies_against_the_effective_limit() {
    // The root carries FullAWSAccess and plinth's nine: ten, AWS's limit.
    let small = scp_of(100);
    let nine: String = (0..9).map(|i| custom(&format!("p{i}"), "p.json", "root")).collect();
    let b = loaded(&nine, &[("p.json", &small)]);
    let mut o = converged(&b);
    assert_eq!(o.org.attached["r-root"].len(), 10);
    assert!(compute(&b, &o, PlanOptions::default()).is_ok());
    // One SCP of someone else's makes eleven.
    o.org.scps.push(Scp {
        id: "p-theirs".into(),
        name: "theirs".into(),
        description: String::new(),
        aws_managed: false,
        owned: false,
        managed_by: None,
        content: None,
        targets: vec!["r-root".into()],
        targets_read: true,
    });
    o.org.attached.get_mut("r-root").unwrap().push("p-theirs".into());
    let err = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("`root` would carry 11 SCPs; AWS allows 10"), "{err}");
    assert!(err.contains("FullAWSAccess") && err.contains("theirs"), "{err}");
    // The same organization under a baseline that allows twelve plans, with the warning.
    let raised = loaded(
        &format!("\n[limits]\nscp_per_target = 12\n{nine}"),
        &[("p.json", &small)],
    );
    let plan = compute(&raised, &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(
        plan.warnings[0].starts_with("`scp_per_target = 12` in `[limits]`"),
        "{:?}",
        plan.warnings
    );
    // Under a lower one it is refused, and the message says whose figure it is.
    let lowered = loaded(
        &format!("\n[limits]\nscp_per_target = 10\n{nine}"),
        &[("p.json", &small)],
    );
    let err = compute(&lowered, &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("`root` would carry 11 SCPs; `scp_per_target` in `[limits]` allows 10"),
        "{err}"
    );
}

#[test]
fn validate_shows_the_limit_it_checks_against_and_the_warnings() {
    let small = scp_of(100);
    let text = format!("\n[limits]\nscp_characters = 12000\n{}", custom("p", "p.json", "root"));
    let b = loaded(&text, &[("p.json", &small)]);
    let d = crate::kinds::describe(&b);
    assert!(d.text.contains("(`p`, 100 of 12000 characters)"), "{}", d.text);
    assert!(
        d.text
            .starts_with("Limits this baseline sets: 12000 characters for SCPs (plinth knows 10240).\n"),
        "{}",
        d.text
    );
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(
        d.warnings[0].starts_with("`scp_characters = 12000` in `[limits]`"),
        "{:?}",
        d.warnings
    );
}
