//! Root access plans on plain data.

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Observed, compute};
use crate::observed::{Account, RootCredentials};
use crate::plan::{Action, Op, PlanOptions, RootAccessOp};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[root_access]
credentials_management = true
root_sessions = true
remove_root_credentials = true
"#;

fn b(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn observed(audits: Vec<(&str, RootAudit)>) -> Observed {
    let account = |id: &str, name: &str| Account {
        id: id.into(),
        name: name.into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    };
    Observed {
        org: OrgState {
            management_account_id: "123456789012".into(),
            root_id: "r-1".into(),
            accounts: vec![account("123456789012", "management"), account("222222222222", "sandbox")],
            ..OrgState::default()
        },
        root_access: RootAccessState {
            trusted_access: true,
            features: RootFeatures {
                credentials_management: true,
                root_sessions: true,
            },
            audited: true,
            audits: audits
                .into_iter()
                .map(|(account, audit)| AccountAudit {
                    account: account.into(),
                    audit,
                })
                .collect(),
        },
        ..Observed::default()
    }
}

fn plan_of(base: &str, o: &Observed) -> Plan {
    let mut plan = compute(&b(base), o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    plan.changes.retain(|c| c.kind == RootAccess::NAME);
    plan
}

#[test]
fn from_nothing_trusted_access_comes_before_both_features() {
    let mut o = observed(vec![]);
    o.root_access = RootAccessState::default();
    let plan = plan_of(BASELINE, &o);
    let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["root_access.trusted_access", "root_access.credentials_management", "root_access.root_sessions"]
    );
    assert_eq!(plan.changes[2].depends_on, ["root_access.trusted_access"]);
    assert!(plan.notes.iter().any(|n| n.contains("plan again after this apply")));
}

#[test]
fn each_credential_is_one_delete_and_a_clean_account_none() {
    let creds = RootCredentials {
        password: true,
        access_keys: vec!["AKIA1".into()],
        signing_certificates: vec![],
        mfa_devices: vec!["arn:aws:iam::222222222222:mfa/root".into()],
    };
    let plan = plan_of(BASELINE, &observed(vec![("222222222222", RootAudit::Credentials(creds))]));
    let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "root_access.222222222222.password",
            "root_access.222222222222.access_key.AKIA1",
            "root_access.222222222222.mfa_device.arn:aws:iam::222222222222:mfa/root"
        ]
    );
    assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
    assert!(matches!(
        &plan.changes[1].op,
        Op::RootAccess(RootAccessOp::DeleteRootCredential { account, credential: crate::observed::RootCredential::AccessKey(k) })
            if account == "222222222222" && k == "AKIA1"
    ));
    let clean = plan_of(BASELINE, &observed(vec![("222222222222", RootAudit::Credentials(RootCredentials::default()))]));
    assert!(clean.changes.is_empty());
}

#[test]
fn without_remove_credentials_are_listed_not_deleted() {
    let base = BASELINE.replace("remove_root_credentials = true\n", "");
    let creds = RootCredentials {
        access_keys: vec!["AKIA1".into()],
        ..RootCredentials::default()
    };
    let plan = plan_of(&base, &observed(vec![("222222222222", RootAudit::Credentials(creds))]));
    assert!(plan.changes.is_empty());
    assert!(plan.notes.iter().any(|n| n
        == "account `sandbox` (222222222222): the root user has access key `AKIA1`; set `remove_root_credentials` to delete them"));
}

#[test]
fn a_refused_session_is_a_warning_and_changes_nothing() {
    let plan = plan_of(BASELINE, &observed(vec![("222222222222", RootAudit::Refused("AccessDenied: an SCP".into()))]));
    assert!(plan.changes.is_empty());
    assert!(plan.warnings.iter().any(|w| w.starts_with("account `sandbox` (222222222222): AWS refused the root session")));
}

#[test]
fn features_on_but_not_asked_for_are_noted_never_disabled() {
    let base = "[organization]\nmanagement_account_id = \"123456789012\"\n\n[root_access]\n";
    let plan = plan_of(base, &observed(vec![]));
    assert!(plan.changes.is_empty());
    assert!(plan.notes.iter().any(|n| n.contains("plinth never turns it off")));
}

#[test]
fn the_baselines_own_scps_that_would_block_root_sessions_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deny.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let path = dir.path().join("baseline.toml");
    std::fs::write(
        &path,
        format!("{BASELINE}\n[[scp.custom]]\nname = \"deny-iam\"\nfile = \"deny.json\"\nattach = [\"root\"]\n"),
    )
    .unwrap();
    let base = baseline::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let plan = compute(&base, &observed(vec![]), PlanOptions::default()).unwrap();
    assert!(
        plan.warnings.iter().any(|w| w.starts_with("SCP `deny-iam` denies `iam:GetLoginProfile`")),
        "{:#?}",
        plan.warnings
    );
    // plinth's own generated SCPs leave root sessions alone.
    let generated = format!(
        "{BASELINE}\n[scp.region_deny]\nallowed_regions = [\"us-east-1\"]\nattach = [\"root\"]\n\n[scp.deny_leave_organization]\nattach = [\"root\"]\n"
    );
    let plan = compute(&b(&generated), &observed(vec![]), PlanOptions::default()).unwrap();
    assert!(plan.warnings.iter().all(|w| !w.starts_with("SCP ")), "{:#?}", plan.warnings);
}

#[test]
fn removing_credentials_needs_root_sessions() {
    let text = BASELINE.replace("root_sessions = true", "root_sessions = false");
    let err = baseline::parse(SourceFile::new("baseline.toml", text.as_str())).unwrap_err().to_string();
    assert!(err.contains("`remove_root_credentials` needs `root_sessions`"), "{err}");
    assert!(err.contains("baseline.toml:8:"), "{err}");
}

fn with_break_glass(mut o: Observed) -> Observed {
    o.org.accounts.push(Account {
        id: "333333333333".into(),
        name: "break-glass".into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    });
    o
}

fn password_and_mfa(account: &str) -> RootAudit {
    RootAudit::Credentials(RootCredentials {
        password: true,
        mfa_devices: vec![format!("arn:aws:iam::{account}:mfa/root")],
        ..RootCredentials::default()
    })
}

#[test]
fn kept_accounts_are_audited_and_listed_never_planned_for_removal() {
    for kept in ["account:break-glass", "account:333333333333"] {
        let base = format!("{BASELINE}keep_root_credentials = [\"{kept}\"]\n");
        let o = with_break_glass(observed(vec![
            ("222222222222", password_and_mfa("222222222222")),
            ("333333333333", password_and_mfa("333333333333")),
        ]));
        let plan = plan_of(&base, &o);
        let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(
            addresses,
            ["root_access.222222222222.password", "root_access.222222222222.mfa_device.arn:aws:iam::222222222222:mfa/root"],
            "{kept}"
        );
        assert!(
            plan.changes.iter().all(|c| !matches!(
                &c.op,
                Op::RootAccess(RootAccessOp::DeleteRootCredential { account, .. }) if account == "333333333333"
            )),
            "{kept}"
        );
        assert!(
            plan.notes.iter().any(|n| n
                == "keeps the root credentials of `break-glass` (333333333333): `keep_root_credentials`; the root user has \
                    a console password, MFA device `arn:aws:iam::333333333333:mfa/root`"),
            "{kept}: {:#?}",
            plan.notes
        );
    }
}

#[test]
fn a_kept_account_without_root_credentials_is_noted() {
    let base = format!("{BASELINE}keep_root_credentials = [\"account:break-glass\"]\n");
    let o = with_break_glass(observed(vec![(
        "333333333333",
        RootAudit::Credentials(RootCredentials::default()),
    )]));
    let plan = plan_of(&base, &o);
    assert!(plan.changes.is_empty());
    assert!(plan.notes.iter().any(|n| n
        == "account `break-glass` (333333333333) is in `keep_root_credentials`, but its root user has no credentials"));
}

#[test]
fn without_remove_a_kept_account_is_noted_as_kept() {
    let base = BASELINE.replace("remove_root_credentials = true\n", "keep_root_credentials = [\"account:break-glass\"]\n");
    let o = with_break_glass(observed(vec![("333333333333", password_and_mfa("333333333333"))]));
    let plan = plan_of(&base, &o);
    assert!(plan.changes.is_empty());
    assert!(plan.notes.iter().any(|n| n.starts_with("keeps the root credentials of `break-glass`")));
    assert!(plan.notes.iter().all(|n| !n.contains("set `remove_root_credentials`")));
    let described = crate::kinds::describe(&b(&base));
    assert!(
        described.warnings.iter().any(|w| w.starts_with("`keep_root_credentials` changes nothing")),
        "{:?}",
        described.warnings
    );
}

#[test]
fn a_kept_account_that_is_not_in_the_organization_is_an_error_at_its_line() {
    let base = format!("{BASELINE}keep_root_credentials = [\"account:break-glass\", \"account:brake-glass\"]\n");
    let o = with_break_glass(observed(vec![]));
    let err = compute(&b(&base), &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("unknown target `account:brake-glass`"), "{err}");
    assert!(err.contains("no account named `brake-glass` in the organization"), "{err}");
    assert!(err.contains("baseline.toml:9:"), "{err}");
    assert!(!err.contains("`account:break-glass`"), "{err}");
}

#[test]
fn an_account_this_plan_creates_may_be_kept() {
    let base = format!(
        "{BASELINE}keep_root_credentials = [\"account:vault\"]\n\n[[organizational_units]]\npath = \"Security\"\n\n\
         [[account]]\nname = \"vault\"\nemail = \"vault@example.com\"\nou = \"Security\"\n"
    );
    let plan = compute(&b(&base), &observed(vec![]), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.find("account.vault").is_some());
}

#[test]
fn ous_and_the_root_are_refused_in_keep_root_credentials() {
    let text = format!("{BASELINE}keep_root_credentials = [\"account:break-glass\", \"ou:Security\", \"root\"]\n");
    let err = baseline::parse(SourceFile::new("baseline.toml", text.as_str())).unwrap_err().to_string();
    assert!(
        err.contains("`ou:Security` in `keep_root_credentials`, which takes accounts only"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:9:49"), "{err}");
    assert!(err.contains("an OU's accounts change whenever one is moved"), "{err}");
    assert!(err.contains("`root` in `keep_root_credentials`"), "{err}");
    assert!(err.contains("leave out `remove_root_credentials`"), "{err}");
}

#[test]
fn a_kept_name_two_accounts_answer_keeps_both_and_is_blocked() {
    // Someone renamed the sandbox account `break-glass`: which one the baseline means is
    // unknown, so neither loses its root credentials.
    let base = format!("{BASELINE}keep_root_credentials = [\"account:break-glass\"]\n");
    let mut o = with_break_glass(observed(vec![
        ("222222222222", password_and_mfa("222222222222")),
        ("333333333333", password_and_mfa("333333333333")),
    ]));
    o.org.accounts.iter_mut().find(|a| a.id == "222222222222").unwrap().name = "break-glass".into();
    let plan = plan_of(&base, &o);
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| matches!(&c.op, Op::RootAccess(RootAccessOp::DeleteRootCredential { .. }))),
        "{:?}",
        plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
    );
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:?}", plan.blocked)
    };
    assert_eq!(blocked.target, "account:break-glass");
    assert_eq!(blocked.ids, ["222222222222", "333333333333"]);
}

#[test]
fn two_accounts_of_one_name_each_get_their_own_changes() {
    // AWS lets accounts share a name: the changes are keyed by the account's id.
    let mut o = observed(vec![
        ("222222222222", password_and_mfa("222222222222")),
        ("444444444444", password_and_mfa("444444444444")),
    ]);
    o.org.accounts.push(Account {
        id: "444444444444".into(),
        name: "sandbox".into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    });
    let plan = plan_of(BASELINE, &o);
    let passwords: Vec<&str> = plan
        .changes
        .iter()
        .map(|c| c.address.as_str())
        .filter(|a| a.ends_with(".password"))
        .collect();
    assert_eq!(passwords, ["root_access.222222222222.password", "root_access.444444444444.password"]);
}
