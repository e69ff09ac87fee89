//! Contact plans on plain data.

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Observed, compute};
use crate::observed::Account;
use crate::plan::{AccountOp, Op, PlanOptions, Ref};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[contacts.security]
name = "Security Team"
title = "Security"
email = "security@example.com"
phone = "+1-555-0100"
"#;

fn b(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn org() -> OrgState {
    let account = |id: &str, name: &str, suspended| Account {
        id: id.into(),
        name: name.into(),
        email: String::new(),
        parent_id: None,
        suspended,
    };
    OrgState {
        management_account_id: "123456789012".into(),
        root_id: "r-1".into(),
        accounts: vec![
            account("123456789012", "management", false),
            account("222222222222", "sandbox", false),
            account("333333333333", "closing", true),
        ],
        ..OrgState::default()
    }
}

fn spec() -> ContactSpec {
    ContactSpec {
        name: "Security Team".into(),
        title: "Security".into(),
        email: "security@example.com".into(),
        phone: "+1-555-0100".into(),
    }
}

fn observed(trusted_access: bool, contacts: Vec<(&str, Option<ContactSpec>)>) -> Observed {
    Observed {
        org: org(),
        contacts: ContactsState {
            trusted_access,
            accounts_read: true,
            contacts: contacts
                .into_iter()
                .map(|(account, contact)| LiveContact {
                    account: account.into(),
                    contact_type: ContactType::Security,
                    contact,
                })
                .collect(),
        },
        ..Observed::default()
    }
}

fn lines(base: &crate::baseline::Baseline, observed: &Observed) -> Vec<String> {
    let plan = compute(base, observed, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    plan.changes
        .iter()
        .filter(|c| c.kind == Contacts::NAME)
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect()
}

#[test]
fn what_is_read_skips_suspended_accounts_and_members_without_trusted_access() {
    let section = b(BASELINE).file.contacts.unwrap().into_inner();
    assert_eq!(
        keys(&org(), &section, true),
        [(None, ContactType::Security), (Some("222222222222".into()), ContactType::Security)]
    );
    assert_eq!(keys(&org(), &section, false), [(None, ContactType::Security)]);
}

#[test]
fn converged_is_empty() {
    let o = observed(true, vec![("123456789012", Some(spec())), ("222222222222", Some(spec()))]);
    assert!(lines(&b(BASELINE), &o).is_empty());
}

#[test]
fn two_accounts_of_one_name_each_get_their_own_change() {
    // AWS lets accounts share a name: each change is keyed by the account's id, so the
    // plan is made and sets both.
    let mut o = observed(true, vec![("123456789012", Some(spec()))]);
    o.org.accounts.push(Account {
        id: "555555555555".into(),
        name: "sandbox".into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    });
    let plan = compute(&b(BASELINE), &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "contacts.security -> account:222222222222",
            "contacts.security -> account:555555555555"
        ]
    );
}

#[test]
fn trusted_access_comes_first_and_unread_members_are_set() {
    let o = observed(false, vec![("123456789012", None)]);
    let plan = compute(&b(BASELINE), &o, PlanOptions::default()).unwrap();
    let c: Vec<_> = plan.changes.iter().filter(|c| c.kind == Contacts::NAME).collect();
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].address, "contacts.trusted_access");
    assert_eq!(c[1].address, "contacts.security -> account:123456789012");
    assert!(c[1].depends_on.is_empty(), "the management account needs no trusted access");
    assert!(matches!(&c[1].op, Op::Account(AccountOp::PutAlternateContact { account: None, .. })));
    assert_eq!(c[2].address, "contacts.security -> account:222222222222");
    assert_eq!(c[2].depends_on, ["contacts.trusted_access"]);
}

#[test]
fn each_field_that_differs_is_named_and_email_case_is_not_drift() {
    let mut other = spec();
    other.title = "Sec".into();
    other.email = "SECURITY@example.com".into();
    let o = observed(true, vec![("123456789012", Some(spec())), ("222222222222", Some(other))]);
    assert_eq!(
        lines(&b(BASELINE), &o),
        ["~ contacts.security -> account:222222222222: title is `Sec`, baseline says `Security`"]
    );
    let plan = compute(&b(BASELINE), &o, PlanOptions::default()).unwrap();
    let change = plan.changes.iter().find(|c| c.kind == Contacts::NAME).unwrap();
    assert_eq!(change.before.as_ref().unwrap()["person"], "Security Team", "shown, unlike a resource's name");
    assert_eq!(change.after.as_ref().unwrap()["title"], "Security");
}

#[test]
fn an_account_created_in_the_run_gets_its_contacts_after_it_exists() {
    let text = format!("{BASELINE}\n[[account]]\nname = \"payments\"\nemail = \"p@example.com\"\nou = \"Workloads\"\n");
    let mut o = observed(true, vec![("123456789012", Some(spec())), ("222222222222", Some(spec()))]);
    o.org.ous.extend(crate::observed::Ou::tree("r-1", &[("ou-1", "Workloads")]));
    let plan = compute(&b(&text), &o, PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let c = plan
        .changes
        .iter()
        .find(|c| c.address == "contacts.security -> account:payments")
        .expect("a contact for the new account");
    assert!(matches!(
        &c.op,
        Op::Account(AccountOp::PutAlternateContact {
            account: Some(Ref::Planned(_)),
            ..
        })
    ));
    assert!(c.depends_on.iter().any(|d| d == "account.payments"), "{:?}", c.depends_on);
}

#[test]
fn values_are_checked_while_parsing() {
    for (bad, expect) in [
        ("phone = \"call me\"", "`call me` is not a phone number"),
        ("phone = \"+1-555-0100-0100-0100-0100-0\"", "is not a phone number"),
        ("email = \"security\"", "`security` is not an e-mail address"),
        ("name = \"\"", "`` is not a contact name"),
    ] {
        let key = bad.split(' ').next().unwrap();
        let text: String = BASELINE
            .lines()
            .map(|l| if l.starts_with(&format!("{key} =")) { bad.to_owned() } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n");
        let err = baseline::parse(SourceFile::new("baseline.toml", text.as_str())).unwrap_err().to_string();
        assert!(err.contains(expect), "{bad}: {err}");
        assert!(err.contains("baseline.toml:"), "{err}");
    }
}

#[test]
fn contacts_not_read_in_this_run_plan_nothing_and_say_so() {
    let mut o = observed(false, vec![]);
    o.contacts.accounts_read = false;
    let plan = compute(&b(BASELINE), &o, PlanOptions::default()).unwrap();
    assert!(plan.changes.iter().all(|c| c.kind != Contacts::NAME));
    assert!(plan.notes.iter().any(|n| n.contains("alternate contacts were not read in this run")));
}

/// `sandbox` in `Workloads/Dev`, `prod` in `Workloads`: with the OUs' accounts read.
fn nested() -> Observed {
    let mut o = observed(true, vec![]);
    o.org.ous = crate::observed::Ou::tree("r-1", &[("ou-w", "Workloads"), ("ou-d", "Workloads/Dev")]);
    o.org.accounts.push(Account {
        id: "444444444444".into(),
        name: "prod".into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    });
    o.org.ou_accounts.insert("ou-w".into(), vec!["444444444444".into()]);
    o.org.ou_accounts.insert("ou-d".into(), vec!["222222222222".into()]);
    o
}

fn contact(name: &str) -> String {
    format!("{{ name = \"{name}\", title = \"Security\", email = \"{}@example.com\", phone = \"+1-555-0100\" }}", name.to_lowercase())
}

fn wanted_names(base: &str) -> Vec<(String, String)> {
    let plan = compute(&b(base), &nested(), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    plan.changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::Account(AccountOp::PutAlternateContact { contact, .. }) => Some((c.address.to_string(), contact.name.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_most_specific_override_wins() {
    let base = format!(
        "{BASELINE}\n[[contacts.override]]\ntargets = [\"ou:Workloads\"]\nsecurity = {}\n\n[[contacts.override]]\ntargets = [\"ou:Workloads/Dev\"]\nsecurity = {}\n",
        contact("Workloads"),
        contact("Dev")
    );
    assert_eq!(
        wanted_names(&base),
        [
            ("contacts.security -> account:123456789012".to_owned(), "Security Team".to_owned()),
            ("contacts.security -> account:222222222222".to_owned(), "Dev".to_owned()),
            ("contacts.security -> account:444444444444".to_owned(), "Workloads".to_owned()),
        ]
    );
    let by_account = format!(
        "{base}\n[[contacts.override]]\ntargets = [\"account:sandbox\"]\nsecurity = {}\n",
        contact("Sandbox")
    );
    assert!(wanted_names(&by_account).contains(&("contacts.security -> account:222222222222".to_owned(), "Sandbox".to_owned())));
}

#[test]
fn overrides_as_specific_as_each_other_that_disagree_are_an_error() {
    let base = format!(
        "{BASELINE}\n[[contacts.override]]\ntargets = [\"ou:Workloads\"]\nsecurity = {}\n\n[[contacts.override]]\ntargets = [\"ou:Workloads\"]\nsecurity = {}\n",
        contact("One"),
        contact("Two")
    );
    let err = compute(&b(&base), &nested(), PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("account `prod` gets two different security contacts from overrides as specific as each other"), "{err}");
    assert!(err.contains("the other is on line"), "{err}");
    let unknown = format!("{BASELINE}\n[[contacts.override]]\ntargets = [\"ou:Nowhere\"]\nsecurity = {}\n", contact("X"));
    let err = compute(&b(&unknown), &nested(), PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("unknown target `ou:Nowhere` in `[[contacts.override]]`"), "{err}");
}

#[test]
fn an_override_needs_targets_and_a_contact_and_never_names_root() {
    for (body, expect) in [
        ("targets = [\"ou:Workloads\"]", "`[[contacts.override]]` sets no contact"),
        ("targets = []\nsecurity = CONTACT", "`[[contacts.override]]` has no targets"),
        ("targets = [\"root\"]\nsecurity = CONTACT", "`root` in `[[contacts.override]]`"),
    ] {
        let text = format!("{BASELINE}\n[[contacts.override]]\n{}\n", body.replace("CONTACT", &contact("X")));
        let err = baseline::parse(SourceFile::new("baseline.toml", text.as_str())).unwrap_err().to_string();
        assert!(err.contains(expect), "{body}: {err}");
    }
}
