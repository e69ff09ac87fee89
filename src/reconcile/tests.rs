//! What a pass selects, on plain plans: kinds `--repair` names, writes only `--allow-*`
//! flags permit, and what waits for a change left out.

use super::*;
use crate::observed::RootCredential;
use crate::plan::{Address, Ref};

fn with_op(kind: &'static str, address: &str, action: Action, op: Op, deps: &[&str]) -> Change {
    Change::new(Address::new(kind, address), action, "", op)
        .depends_on(deps.iter().map(|d| d.parse().unwrap()).collect())
}

fn change(kind: &'static str, address: &str, deps: &[&str]) -> Change {
    let op = Op::Organizations(OrganizationsOp::DeletePolicy {
        policy_id: String::new(),
    });
    with_op(kind, address, Action::Create, op, deps)
}

fn plan() -> Plan {
    Plan {
        changes: vec![
            change("organizational_units", "organizational_units.Prod", &[]),
            change("scp", "scp.a", &[]),
            change("scp", "scp.a -> ou:Prod", &["scp.a", "organizational_units.Prod"]),
            change("billing", "billing.topic", &[]),
            change("billing", "billing.alarm.x", &["billing.topic"]),
            change("trail", "trail.root_usage.alarm", &["billing.topic"]),
        ],
        ..Plan::default()
    }
}

/// A change of each class a pass makes only when allowed, what waits for them, and a
/// root access change that needs no flag.
fn guarded() -> Plan {
    let tag = || {
        Op::Organizations(OrganizationsOp::DeletePolicy {
            policy_id: String::new(),
        })
    };
    let create = Op::Organizations(OrganizationsOp::CreateAccount {
        name: "new".into(),
        email: "new@example.com".into(),
    });
    let move_to = |account: Ref| {
        Op::Organizations(OrganizationsOp::MoveAccount {
            account,
            source: Ref::Id("r-1".into()),
            destination: Ref::Id("ou-1".into()),
        })
    };
    let delete_root = Op::RootAccess(RootAccessOp::DeleteRootCredential {
        account: "222222222222".into(),
        credential: RootCredential::Password,
    });
    let enable = Op::RootAccess(RootAccessOp::EnableOrganizationsRootSessions);
    Plan {
        changes: vec![
            with_op("scp", "scp.a (adopt)", Action::Adopt, tag(), &[]),
            with_op("scp", "scp.a", Action::Update, tag(), &["scp.a (adopt)"]),
            with_op("scp", "scp.b", Action::Create, tag(), &[]),
            with_op("account", "account.new", Action::Create, create, &[]),
            with_op(
                "account",
                "account.new -> ou:Prod",
                Action::Update,
                move_to(Ref::Planned("account.new".parse().unwrap())),
                &["account.new"],
            ),
            with_op(
                "scp",
                "scp.b -> account:new",
                Action::Attach,
                tag(),
                &["scp.b", "account.new -> ou:Prod"],
            ),
            with_op(
                "account",
                "account.old -> ou:Prod",
                Action::Update,
                move_to(Ref::Id("333333333333".into())),
                &[],
            ),
            with_op("root_access", "root_access.root_sessions", Action::Enable, enable, &[]),
            with_op(
                "root_access",
                "root_access.sandbox.password",
                Action::Delete,
                delete_root,
                &[],
            ),
        ],
        ..Plan::default()
    }
}

fn chosen(selected: &Plan) -> Vec<&str> {
    selected.changes.iter().map(|c| c.address.as_str()).collect()
}

fn reason<'a>(left: &'a [(Address, String)], address: &str) -> &'a str {
    &left
        .iter()
        .find(|(a, _)| *a == address)
        .unwrap_or_else(|| panic!("{address} not left: {left:?}"))
        .1
}

#[test]
fn parses_kinds_and_rejects_unknown_ones() {
    assert_eq!("all".parse::<Repair>().unwrap(), Repair::All);
    assert_eq!("none".parse::<Repair>().unwrap(), Repair::None);
    assert!("scp,billing".parse::<Repair>().unwrap().allows(Some(KindId::Billing)));
    let e = "scp,logs".parse::<Repair>().unwrap_err();
    assert!(e.contains("unknown kind `logs`"), "{e}");
    assert!(e.contains("`guardrails`"), "{e}");
}

#[test]
fn the_default_is_the_guardrails_and_nothing_that_grants_moves_or_reads_per_account() {
    let default = Repair::default();
    assert_eq!(default, "guardrails".parse().unwrap());
    assert_eq!(default.to_string(), "guardrails");
    let kinds = default.kinds().unwrap();
    assert_eq!(
        kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
        [
            "ai_opt_out",
            "billing",
            "budget",
            "ec2_declarative",
            "log_archive",
            "management_policy",
            "rcp",
            "s3_policy",
            "scp",
            "tag_policy",
            "trail"
        ]
    );
    // Access, accounts, root users and the reads of every account are for runs that name
    // them (the log archive reads one account's bucket: a guardrail).
    for kind in ["sso", "account", "root_access", "contacts", "organizational_units"] {
        assert!(!default.allows(KindId::from_name(kind)), "{kind}");
    }
    // OUs are repaired with SCPs, as ever.
    assert!(default.allows(kind_of(&change(
        "organizational_units",
        "organizational_units.Prod",
        &[]
    ))));
    let more: Repair = "guardrails,contacts".parse().unwrap();
    assert!(more.allows(Some(KindId::Contacts)) && more.allows(Some(KindId::Trail)));
    // A kind the registry does not know (a saved plan's) is repaired by `all` alone.
    assert!(!more.allows(None) && Repair::All.allows(None));
    assert_eq!(more.to_string(), "guardrails,contacts");
    assert_eq!("scp,trail".parse::<Repair>().unwrap().to_string(), "scp,trail");
}

#[test]
fn selects_allowed_kinds_and_drops_what_waits_on_excluded_changes() {
    let none = Allow::default();
    let (selected, left) = select(&plan(), &"scp,trail".parse().unwrap(), &none);
    assert_eq!(
        chosen(&selected),
        ["organizational_units.Prod", "scp.a", "scp.a -> ou:Prod"]
    );
    assert_eq!(left.len(), 3);
    assert_eq!(
        reason(&left, "trail.root_usage.alarm"),
        "it depends on `billing.topic`, which this pass does not repair"
    );
    assert_eq!(
        reason(&left, "billing.topic"),
        "`--repair scp,trail` excludes `billing`"
    );

    let (selected, left) = select(&plan(), &Repair::None, &none);
    assert!(selected.is_empty());
    assert_eq!(left.len(), 6);
    // A kind repaired with another names both.
    assert_eq!(
        reason(&left, "organizational_units.Prod"),
        "`--repair none` excludes `organizational_units` (repaired with `scp`)"
    );
    let (selected, _) = select(&plan(), &Repair::All, &none);
    assert_eq!(selected.changes.len(), 6);
}

#[test]
fn repair_all_without_allow_flags_holds_back_adoption_accounts_and_root_credentials() {
    let (selected, left) = select(&guarded(), &Repair::All, &Allow::default());
    assert_eq!(chosen(&selected), ["scp.b", "root_access.root_sessions"]);
    let reasons: Vec<(&str, &str)> = left.iter().map(|(a, r)| (a.as_str(), r.as_str())).collect();
    assert_eq!(
        reasons,
        [
            (
                "scp.a (adopt)",
                "adopting a resource plinth does not manage yet needs `--allow-adopt`"
            ),
            (
                "scp.a",
                "it depends on `scp.a (adopt)`, which this pass does not repair"
            ),
            ("account.new", "creating an account needs `--allow-account-changes`"),
            (
                "account.new -> ou:Prod",
                "moving an account to another OU needs `--allow-account-changes`"
            ),
            (
                "scp.b -> account:new",
                "it depends on `account.new -> ou:Prod`, which this pass does not repair"
            ),
            (
                "account.old -> ou:Prod",
                "moving an account to another OU needs `--allow-account-changes`"
            ),
            (
                "root_access.sandbox.password",
                "deleting root credentials needs `--allow-remove-root-credentials`"
            ),
        ]
    );
}

#[test]
fn each_allow_flag_releases_its_own_changes_only() {
    let all = Repair::All;
    let adopt = Allow {
        adopt: true,
        ..Allow::default()
    };
    let (selected, _) = select(&guarded(), &all, &adopt);
    assert_eq!(
        chosen(&selected),
        ["scp.a (adopt)", "scp.a", "scp.b", "root_access.root_sessions"]
    );

    let accounts = Allow {
        account_changes: true,
        ..Allow::default()
    };
    let (selected, _) = select(&guarded(), &all, &accounts);
    assert_eq!(
        chosen(&selected),
        [
            "scp.b",
            "account.new",
            "account.new -> ou:Prod",
            "scp.b -> account:new",
            "account.old -> ou:Prod",
            "root_access.root_sessions"
        ]
    );

    let root = Allow {
        remove_root_credentials: true,
        ..Allow::default()
    };
    let (selected, _) = select(&guarded(), &all, &root);
    assert_eq!(
        chosen(&selected),
        ["scp.b", "root_access.root_sessions", "root_access.sandbox.password"]
    );

    // `--allow-delete` plans deletions; it lets no other class through.
    let delete = Allow {
        delete: true,
        ..Allow::default()
    };
    assert!(delete.plan_options().allow_delete);
    assert!(!Allow::default().plan_options().allow_delete);
    let (selected, _) = select(&guarded(), &all, &delete);
    assert_eq!(chosen(&selected), ["scp.b", "root_access.root_sessions"]);

    let everything = Allow {
        adopt: true,
        delete: true,
        account_changes: true,
        remove_root_credentials: true,
    };
    let (selected, left) = select(&guarded(), &all, &everything);
    assert_eq!(selected.changes.len(), guarded().changes.len(), "{left:?}");
}

#[test]
fn an_allow_flag_does_not_widen_repair() {
    let everything = Allow {
        adopt: true,
        delete: true,
        account_changes: true,
        remove_root_credentials: true,
    };
    // `--repair root_access` without the flag: the features, not the credentials.
    let (selected, left) = select(&guarded(), &"root_access".parse().unwrap(), &Allow::default());
    assert_eq!(chosen(&selected), ["root_access.root_sessions"]);
    assert_eq!(
        reason(&left, "root_access.sandbox.password"),
        "deleting root credentials needs `--allow-remove-root-credentials`"
    );
    assert_eq!(
        reason(&left, "account.old -> ou:Prod"),
        "`--repair root_access` excludes `account`"
    );
    // Every flag, but only the guardrails: nothing of `account` or `root_access`.
    let (selected, _) = select(&guarded(), &Repair::default(), &everything);
    assert_eq!(chosen(&selected), ["scp.a (adopt)", "scp.a", "scp.b"]);
}

#[test]
fn the_summary_lists_each_change_left_with_its_reason() {
    let s = Summary {
        drift_found: 2,
        repaired: 1,
        not_repaired: 1,
        not_repaired_changes: vec![
            "root_access.sandbox.password: deleting root credentials needs `--allow-remove-root-credentials`".into(),
        ],
        ..Summary::default()
    };
    assert_eq!(
        s.to_string(),
        "reconcile: 2 drifted, 1 repaired, 0 failed, 0 skipped, 1 not repaired, 0 orphaned, 0 blocked; 0 reads, 0 writes\n  \
         not repaired: root_access.sandbox.password: deleting root credentials needs `--allow-remove-root-credentials`"
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["not_repaired_changes"][0], s.not_repaired_changes[0].as_str());
}

#[test]
fn exit_codes() {
    let mut s = Summary::default();
    assert_eq!(s.exit_code(), 0);
    s.drift_found = 2;
    s.repaired = 2;
    assert_eq!(s.exit_code(), 2);
    s.failed = 1;
    assert_eq!(s.exit_code(), 1);
    let blocked = Summary {
        blocked: 1,
        ..Summary::default()
    };
    assert_eq!(
        blocked.exit_code(),
        1,
        "a blocked target is an error, whatever was repaired"
    );
}

#[test]
fn a_detach_waits_for_allow_delete_unattended() {
    // An OU renamed out of its path: the plan attaches to a new OU and detaches from the
    // renamed one that holds the accounts. Unattended, the detach is held back.
    let detach = Op::Organizations(OrganizationsOp::DetachPolicy {
        policy_id: "p-1".into(),
        target_id: "ou-old".into(),
    });
    let plan = Plan {
        changes: vec![
            change("scp", "scp.a -> ou:Prod", &[]),
            with_op("scp", "scp.a -> ou:Prod-old", Action::Detach, detach, &[]),
        ],
        ..Plan::default()
    };
    let (selected, left) = select(&plan, &Repair::All, &Allow::default());
    assert_eq!(chosen(&selected), ["scp.a -> ou:Prod"]);
    assert_eq!(
        left,
        [(
            "scp.a -> ou:Prod-old".parse().unwrap(),
            "detaching a policy takes a control away from its target; it needs `--allow-delete`".to_owned()
        )]
    );
    let delete = Allow {
        delete: true,
        ..Allow::default()
    };
    assert_eq!(select(&plan, &Repair::All, &delete).0.changes.len(), 2);
}

#[test]
fn the_text_record_shows_live_names_and_aws_words_as_characters() {
    let s = Summary {
        failed: 1,
        failures: vec!["scp.a -> ou:Prod\u{1b}[2J: AccessDenied".into()],
        not_repaired_changes: vec!["scp.b -> ou:x\u{202e}y: needs `--allow-delete`".into()],
        ..Summary::default()
    };
    let shown = s.to_string();
    assert!(
        shown.contains(r"failed: scp.a -> ou:Prod\u{1b}[2J: AccessDenied"),
        "{shown}"
    );
    assert!(shown.contains(r"not repaired: scp.b -> ou:x\u{202e}y"), "{shown}");
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'), "{shown:?}");
}

#[test]
fn selection_follows_a_chain_of_20_000_changes_in_one_pass_over_it() {
    // Each `scp` change waits on the one before; the first waits on a `billing` change
    // the pass excludes, so all 20,000 are left, each naming the one it waits on. The
    // fixed-point loop this replaced rescanned the plan per link (200 million pairs: it
    // had not finished after 200 s in a debug build; the level-by-level walk takes 0.15 s).
    let mut changes = vec![change("billing", "billing.topic", &[])];
    changes.extend((0..20_000).map(|i| {
        let before = if i == 0 {
            "billing.topic".to_owned()
        } else {
            format!("scp.c{}", i - 1)
        };
        change("scp", &format!("scp.c{i}"), &[before.as_str()])
    }));
    let plan = Plan {
        changes,
        ..Plan::default()
    };
    let (selected, left) = select(&plan, &"scp".parse().unwrap(), &Allow::default());
    assert!(selected.is_empty());
    assert_eq!(left.len(), 20_001);
    assert_eq!(
        reason(&left[..3], "scp.c1"),
        "it depends on `scp.c0`, which this pass does not repair"
    );
    assert_eq!(
        left.last().map(|(a, r)| (a.as_str(), r.as_str())),
        Some((
            "scp.c19999",
            "it depends on `scp.c19998`, which this pass does not repair"
        ))
    );
}
