//! What each kind of the example baseline reads in a converged plan, against what
//! README.md's cost section states for it ("Reads of each kind"): on the demo's
//! organization, the example's sections of one kind are applied after the sections it
//! stands on, and the converged plan's reads with them are compared with the converged
//! plan's reads without them. One test per kind, so a kind that reads more (or less) than
//! README says fails by name.

use std::collections::BTreeMap;

use crate::support::{Emulator, TempBaseline, example_policy_files, seed_demo};
use plinth::plan::PlanOptions;

/// The example's kinds, each with the sections it stands on besides `[organization]` and
/// the OUs: the SCPs protect the `[trail]`'s trail and bucket, whose root-usage alarm
/// notifies `[billing]`'s topic, as one of the budgets does.
const KINDS: &[(&str, &[&str])] = &[
    ("organizational_units", &[]),
    ("scp", &["trail", "billing"]),
    ("trail", &["billing"]),
    ("billing", &[]),
    ("budget", &["billing"]),
    ("contacts", &[]),
    ("root_access", &[]),
    ("sso", &[]),
    ("rcp", &[]),
    ("ai_opt_out", &[]),
    ("tag_policy", &[]),
    ("ec2_declarative", &[]),
    ("s3_policy", &[]),
    ("management_policy", &[]),
];

fn example() -> toml::Table {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/example.toml");
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

/// The example's sections named, as a baseline.
fn sections(example: &toml::Table, names: &[&str]) -> String {
    let picked: toml::Table = example
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    toml::to_string(&picked).unwrap()
}

/// Apply the baseline, then plan again: that plan must be empty; its reads by operation.
async fn converged(emu: &Emulator, b: &TempBaseline) -> BTreeMap<String, u64> {
    let plan = emu
        .session()
        .await
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = emu.session().await.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let session = emu.session().await;
    let again = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(again.is_empty(), "{:#?}", again.changes);
    let counts = session.aws.counter.snapshot();
    assert_eq!(counts.writes(), 0, "{:?}", counts.write_calls());
    counts
        .calls
        .into_iter()
        .filter(|(call, _)| plinth::aws::counter::is_read(call.rsplit_once('.').unwrap().1))
        .collect()
}

/// README's figure for each kind: the rows of the table under "Reads of each kind".
fn readme_figures() -> BTreeMap<String, i64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(path).unwrap();
    let Some(start) = text.find("#### Reads of each kind") else {
        return BTreeMap::new();
    };
    let section = &text[start..];
    let end = section[1..].find("\n#").map_or(section.len(), |i| i + 1);
    section[..end]
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let kind = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((kind.to_owned(), cells.get(2)?.parse().ok()?))
        })
        .collect()
}

/// What every plan reads, whatever the baseline declares: `[organization]` alone.
#[tokio::test]
async fn organization() {
    let emu = Emulator::start();
    seed_demo(&emu);
    let b = TempBaseline::new(&sections(&example(), &["organization"]), &[]);
    let reads = converged(&emu, &b).await;
    let total: u64 = reads.values().sum();
    let stated = readme_figures().get("organization").copied();
    assert_eq!(
        Some(i64::try_from(total).unwrap()),
        stated,
        "`[organization]` alone: a converged plan reads {total} ({reads:?}); README states {stated:?}"
    );
}

async fn check(kind: &str) {
    let (_, deps) = KINDS.iter().find(|(k, _)| *k == kind).unwrap();
    let example = example();
    let mut base: Vec<&str> = vec!["organization"];
    if kind != "organizational_units" {
        base.push("organizational_units");
    }
    base.extend(deps.iter());
    let mut with = base.clone();
    with.push(kind);

    let emu = Emulator::start();
    seed_demo(&emu);
    let files = example_policy_files();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let b = TempBaseline::new(&sections(&example, &base), &files);
    let without = converged(&emu, &b).await;
    b.rewrite(&sections(&example, &with));
    let with = converged(&emu, &b).await;

    let mut difference: BTreeMap<&str, i64> = BTreeMap::new();
    for (call, n) in &with {
        *difference.entry(call).or_default() += i64::try_from(*n).unwrap();
    }
    for (call, n) in &without {
        *difference.entry(call).or_default() -= i64::try_from(*n).unwrap();
    }
    difference.retain(|_, n| *n != 0);
    let total: i64 = difference.values().sum();
    let stated = readme_figures().get(kind).copied();
    assert_eq!(
        Some(total),
        stated,
        "`{kind}`: a converged plan reads {total} more with it ({difference:?}); README states {stated:?}"
    );
}

macro_rules! kinds {
    ($($kind:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $kind() {
                check(stringify!($kind)).await;
            }
        )*
    };
}

kinds!(
    organizational_units,
    scp,
    trail,
    billing,
    budget,
    contacts,
    root_access,
    sso,
    rcp,
    ai_opt_out,
    tag_policy,
    ec2_declarative,
    s3_policy,
    management_policy,
);

/// Every kind of the example has a test here and a row in README, and no row names a
/// kind the example lacks (beside `organization`, what every plan reads).
#[test]
fn every_kind_of_the_example_has_a_test_and_a_readme_row() {
    let in_example: Vec<String> = example()
        .keys()
        .filter(|k| !["organization", "limits"].contains(&k.as_str()))
        .cloned()
        .collect();
    let mut tested: Vec<String> = KINDS.iter().map(|(k, _)| (*k).to_owned()).collect();
    let mut in_example_sorted = in_example.clone();
    in_example_sorted.sort();
    tested.sort();
    assert_eq!(tested, in_example_sorted);
    let rows: Vec<String> = readme_figures().into_keys().filter(|k| k != "organization").collect();
    assert_eq!(rows, tested);
}
