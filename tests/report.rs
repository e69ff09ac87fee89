//! `plinth report`: the report built from plain data (tree, policies in force, access),
//! its Markdown and JSON forms as snapshots, and end to end on the demo organization:
//! the command reads without writing, and the HTML page, opened in headless Chromium,
//! renders the tree and the matrix, and its filter narrows the matrix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Emulator, example_baseline, seed_demo};
use plinth::observed::{
    Account, Assignment, OrgState, PermissionSet, PermissionSetDetails, PrincipalKind, Scp, SsoInstance, SsoState,
};
use plinth::plan::PlanOptions;
use plinth::report::Report;

fn account(id: &str, name: &str, parent: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: format!("{name}@example.com"),
        parent_id: Some(parent.into()),
        suspended: false,
    }
}

fn scp(id: &str, name: &str, owned: bool, targets: &[&str]) -> Scp {
    Scp {
        id: id.into(),
        name: name.into(),
        description: String::new(),
        aws_managed: !owned && name == "FullAWSAccess",
        owned,
        managed_by: None,
        content: None,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        targets_read: true,
    }
}

/// Root (management, tools), Workloads (dev-1), Workloads/Prod (prod-1); FullAWSAccess
/// everywhere, plinth's region deny on the root, a hand-made SCP on prod-1; developers
/// have PowerUser in dev-1 and prod-1, auditors ReadOnly in prod-1.
fn fixture() -> Report {
    let (org, sso) = org_and_sso();
    plinth::report::build(&org, &sso, &[], &[], &[])
}

/// What [`fixture`] is built from.
pub(crate) fn org_and_sso() -> (OrgState, SsoState) {
    let org = OrgState {
        organization_id: "o-example".into(),
        management_account_id: "123456789012".into(),
        root_id: "r-root".into(),
        scp_enabled: true,
        ous: plinth::observed::Ou::tree("r-root", &[("ou-work", "Workloads"), ("ou-prod", "Workloads/Prod")]),
        accounts: vec![
            account("123456789012", "management", "r-root"),
            account("333333333333", "tools", "r-root"),
            account("111111111111", "dev-1", "ou-work"),
            account("222222222222", "prod-1", "ou-prod"),
        ],
        scps: vec![
            scp(
                "p-FullAWSAccess",
                "FullAWSAccess",
                false,
                &[
                    "r-root",
                    "ou-work",
                    "ou-prod",
                    "123456789012",
                    "333333333333",
                    "111111111111",
                    "222222222222",
                ],
            ),
            scp("p-region", "plinth-region-deny", true, &["r-root"]),
            scp("p-hand", "deny-deletes", false, &["222222222222"]),
        ],
        ..OrgState::default()
    };
    let set = |name: &str, session: &str, policy: &str| PermissionSet {
        arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{name}"),
        name: name.into(),
        description: None,
        session_duration: Some(session.into()),
        relay_state: None,
        owned: true,
        managed_by: None,
        details: Some(PermissionSetDetails {
            managed_policies: vec![policy.into()],
            ..Default::default()
        }),
    };
    let grant = |account: &str, set: &str, group: &str| Assignment {
        account_id: account.into(),
        permission_set_arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{set}"),
        principal_kind: PrincipalKind::Group,
        principal_id: group.into(),
    };
    let sso = SsoState {
        instance: Some(SsoInstance {
            arn: "arn:aws:sso:::instance/ssoins-1".into(),
            identity_store_id: "d-1".into(),
        }),
        permission_sets: vec![
            set("PowerUser", "PT8H", "arn:aws:iam::aws:policy/PowerUserAccess"),
            set("ReadOnly", "PT1H", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ],
        groups: BTreeMap::from([
            ("developers".into(), "g-dev".into()),
            ("auditors".into(), "g-aud".into()),
        ]),
        assignments: vec![
            grant("111111111111", "PowerUser", "g-dev"),
            grant("222222222222", "PowerUser", "g-dev"),
            grant("222222222222", "ReadOnly", "g-aud"),
        ],
        ..SsoState::default()
    };
    (org, sso)
}

#[test]
fn the_tree_carries_each_accounts_policies_in_force_and_the_access_names_principals() {
    let r = fixture();
    assert_eq!(
        r.root.accounts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["management", "tools"]
    );
    assert!(r.root.accounts[0].management);
    let work = &r.root.children[0];
    assert_eq!(
        (work.path.as_str(), work.children[0].path.as_str()),
        ("Workloads", "Workloads/Prod")
    );
    let prod = &work.children[0].accounts[0];
    assert_eq!(prod.name, "prod-1");
    let via: Vec<(&str, &str)> = prod
        .policies
        .iter()
        .map(|f| (f.policy_id.as_str(), f.via.as_str()))
        .collect();
    // Inherited from the root and both OUs, then attached to the account itself.
    assert!(via.contains(&("p-region", "root")), "{via:?}");
    assert!(via.contains(&("p-FullAWSAccess", "ou:Workloads/Prod")), "{via:?}");
    assert!(via.contains(&("p-hand", "account")), "{via:?}");
    assert!(!r.root.accounts[1].policies.iter().any(|f| f.policy_id == "p-hand"));
    let grants: Vec<(&str, &str, &str)> = r
        .access
        .iter()
        .map(|g| (g.principal.as_str(), g.account_id.as_str(), g.permission_set.as_str()))
        .collect();
    assert_eq!(
        grants,
        [
            ("auditors", "222222222222", "ReadOnly"),
            ("developers", "111111111111", "PowerUser"),
            ("developers", "222222222222", "PowerUser"),
        ]
    );
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn markdown() {
    insta::assert_snapshot!(plinth::render::report::markdown::report(&fixture()));
}

#[test]
fn json() {
    let out = plinth::render::report::json(&fixture());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format_version"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn the_html_page_is_self_contained_and_escapes_what_it_shows() {
    let mut r = fixture();
    r.root.accounts[1].name = "<script>alert(1)</script>".into();
    let html = plinth::render::report::html::report(&r);
    assert!(!html.contains("<script>alert(1)"), "account names are escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Nothing fetched when opened: no external script, style, image or font.
    for needle in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(html.len() < 40_000, "{} bytes for four accounts", html.len());
}

/// `chromium --headless` with the flags this machine needs (no network, fresh profile).
pub(crate) fn chromium(profile: &Path) -> Command {
    let bin = std::env::var("PLINTH_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&bin).exists(),
        "no browser at `{bin}`: `make test` installs Debian's `chromium` (or set PLINTH_CHROMIUM)"
    );
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The page's DOM once its script has run, opened at `url`.
pub(crate) fn dom(profile: &Path, url: &str) -> String {
    let out = chromium(profile).arg("--dump-dom").arg(url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn matrix_rows(dom: &str) -> (usize, usize) {
    let rows: Vec<&str> = dom.split("<tr data-principal=").skip(1).collect();
    let hidden = rows
        .iter()
        .filter(|r| r.split('>').next().unwrap_or("").contains(" hidden"))
        .count();
    (rows.len(), rows.len() - hidden)
}

#[tokio::test]
async fn the_demo_organizations_report_reads_without_writing_and_its_page_filters_in_a_browser() {
    let emu = Emulator::start();
    seed_demo(&emu);
    let b = example_baseline();
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(session.apply(&plan).await.is_success());

    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&out_dir).unwrap();
    let run = |format: &str, file: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
            .args(["report", "--format", format, "-o"])
            .arg(file)
            .envs(emu.env())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("writes=0"), "a report makes no write call: {stderr}");
    };
    let (json_file, html_file) = (out_dir.join("report.json"), out_dir.join("report.html"));
    run("json", &json_file);
    run("html", &html_file);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    let policies = report["policies"].as_array().unwrap();
    assert!(
        policies
            .iter()
            .any(|p| p["name"] == "plinth-region-deny" && p["owned"] == true)
    );
    let access = report["access"].as_array().unwrap();
    assert!(!access.is_empty());
    assert!(!report["trails"].as_array().unwrap().is_empty());

    // In a real browser: the tree and the matrix render, and a filter narrows the matrix.
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", html_file.display());
    let page = dom(profile.path(), &url);
    let ous = page.matches("<details class=\"ou\"").count();
    let accounts = page.matches("<li class=\"account\"").count();
    assert!(ous >= 4 && accounts >= 4, "{ous} OUs, {accounts} accounts in the tree");
    let (rows, shown) = matrix_rows(&page);
    assert!(rows > 1 && shown == rows, "{shown} of {rows} rows shown unfiltered");
    assert!(page.contains(&format!("{rows} of {rows} rows")), "the script ran");

    let first = &access[0];
    let principal = format!(
        "{}:{}",
        first["principal_kind"].as_str().unwrap(),
        first["principal"].as_str().unwrap()
    );
    let mut theirs: Vec<&str> = access
        .iter()
        .filter(|g| {
            format!(
                "{}:{}",
                g["principal_kind"].as_str().unwrap(),
                g["principal"].as_str().unwrap()
            ) == principal
        })
        .map(|g| g["account_id"].as_str().unwrap())
        .collect();
    theirs.dedup();
    let filtered = dom(profile.path(), &format!("{url}#principal={principal}"));
    let (_, shown) = matrix_rows(&filtered);
    assert_eq!(shown, theirs.len(), "the filter by `{principal}` shows its rows only");
    assert!(shown < rows, "the filter narrows the matrix");
    assert!(filtered.contains(&format!("{shown} of {rows} rows")));

    // A screenshot, kept as the test's artifact.
    let shot = out_dir.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let out = chromium(profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1600")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
    eprintln!("screenshot: {}", shot.display());
}

/// 1,000 accounts in 20 OUs, 40 groups, three permission sets per account: the page a
/// large organization gets stays a few megabytes, folds its tree, and filters in a browser.
#[test]
fn a_thousand_account_report_stays_small_folded_and_filters_in_a_browser() {
    let mut org = OrgState {
        organization_id: "o-large".into(),
        management_account_id: "100000000000".into(),
        root_id: "r-root".into(),
        scp_enabled: true,
        ..OrgState::default()
    };
    let mut sso = SsoState {
        instance: Some(SsoInstance {
            arn: "arn:aws:sso:::instance/ssoins-1".into(),
            identity_store_id: "d-1".into(),
        }),
        ..SsoState::default()
    };
    for o in 0..20 {
        org.ous.extend(plinth::observed::Ou::tree(
            "r-root",
            &[(format!("ou-{o:03}").as_str(), format!("Team{o:03}").as_str())],
        ));
    }
    for s in 0..30 {
        sso.permission_sets.push(PermissionSet {
            arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{s:02}"),
            name: format!("Set{s:02}"),
            description: None,
            session_duration: Some("PT4H".into()),
            relay_state: None,
            owned: true,
            managed_by: None,
            details: None,
        });
    }
    for g in 0..40 {
        sso.groups.insert(format!("group-{g:02}"), format!("g-{g:02}"));
    }
    for a in 0..1000 {
        let id = format!("{:012}", 200_000_000_000u64 + a);
        org.accounts
            .push(account(&id, &format!("account-{a:04}"), &format!("ou-{:03}", a % 20)));
        for k in 0..3 {
            sso.assignments.push(Assignment {
                account_id: id.clone(),
                permission_set_arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{:02}", (a + k) % 30),
                principal_kind: PrincipalKind::Group,
                principal_id: format!("g-{:02}", (a * 3 + k) % 40),
            });
        }
    }
    org.scps.push(scp("p-region", "plinth-region-deny", true, &["r-root"]));
    let report = plinth::report::build(&org, &sso, &[], &[], &[]);
    assert_eq!(report.access.len(), 3000);
    let html = plinth::render::report::html::report(&report);
    assert!(html.len() < 3_000_000, "{} bytes", html.len());
    // Folded: only the root is open.
    assert_eq!(html.matches("<details class=\"ou\" open").count(), 1);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("large.html");
    std::fs::write(&file, &html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", file.display());
    let (rows, shown) = matrix_rows(&dom(profile.path(), &url));
    assert_eq!((rows, shown), (3000, 3000));
    // One OU: its 50 accounts' rows, each account's three grants in one or more rows.
    let page = dom(profile.path(), &format!("{url}#ou=Team007&principal=group:group-22"));
    let (_, shown) = matrix_rows(&page);
    let want = report
        .access
        .iter()
        .filter(|g| g.principal == "group-22")
        .filter(|g| {
            let n: u64 = g.account_id.parse::<u64>().unwrap() - 200_000_000_000;
            n % 20 == 7
        })
        .map(|g| g.account_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(want > 0);
    assert_eq!(shown, want, "OU and group filters together");
}

#[test]
fn markdown_table_cells_keep_their_columns_whatever_the_names() {
    let mut r = fixture();
    // prod-1 holds the grants; a name with a pipe and a backtick.
    r.root.children[0].children[0].accounts[0].name = "prod|`1`".into();
    let md = plinth::render::report::markdown::report(&r);
    let row = md
        .lines()
        .find(|l| l.starts_with("| group `auditors`"))
        .expect("the auditors' row");
    // The name whole, in a code span no backtick of its own can close.
    assert!(row.contains("`` prod\\|`1` ``"), "{row}");
    assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
}
