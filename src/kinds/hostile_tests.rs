//! Live names are data, never identity: plans of organizations where someone inside has
//! named an OU like a nested path, or an account like a declared one.

use super::tests::{addresses, baseline, compute_ok, converged, empty_org};
use crate::observed::{Account, Ou};
use crate::plan::{Action, Op, OrganizationsOp, Ref};

pub(super) const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[scp.region_deny]
allowed_regions = ["us-east-1", "eu-west-1"]
attach = ["root"]

[scp.deny_leave_organization]
attach = ["ou:Workloads/Prod"]
"#;

pub(super) fn account(id: &str, name: &str, email: &str, parent: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: email.into(),
        parent_id: Some(parent.into()),
        suspended: false,
    }
}

/// A root-level OU named `Workloads/Prod`: its names join to the real OU's path.
fn decoy() -> Ou {
    Ou {
        id: "ou-decoy".into(),
        name: "Workloads/Prod".into(),
        parent_id: "r-root".into(),
        path: "Workloads/Prod".into(),
    }
}

#[test]
fn an_ou_path_is_resolved_name_by_name_from_the_root() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    // The decoy listed first: a search by joined names would find it first.
    o.org.ous.insert(0, decoy());
    let path = crate::types::OuPath::parse("Workloads").unwrap();
    assert!(matches!(o.org.ou_at(&path), crate::observed::OuLookup::Found(ou) if ou.id == "ou-w"));
    let prod = crate::types::OuPath::parse("Workloads/Prod").unwrap();
    let crate::observed::OuLookup::Ambiguous { ids, why } = o.org.ou_at(&prod) else {
        panic!("a decoy must make the path ambiguous")
    };
    assert_eq!(ids, ["ou-p", "ou-decoy"]);
    assert!(why.contains("ou-p") && why.contains("ou-decoy"), "{why}");
    // Without the decoy, the real OU.
    o.org.ous.remove(0);
    assert!(matches!(o.org.ou_at(&prod), crate::observed::OuLookup::Found(ou) if ou.id == "ou-p"));
}

#[test]
fn a_decoy_ou_blocks_its_path_and_the_rest_is_still_repaired() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    o.org.ous.insert(0, decoy());
    // Drift elsewhere: the region deny was detached from the root.
    let region = o
        .org
        .scps
        .iter()
        .find(|p| p.name == "plinth-region-deny")
        .unwrap()
        .id
        .clone();
    o.org.attached.get_mut("r-root").unwrap().retain(|p| *p != region);
    for p in &mut o.org.scps {
        p.targets.retain(|t| !(p.id == region && t == "r-root"));
    }
    let plan = compute_ok(&b, &o, true);
    // The decoy gets nothing, the real OU keeps its SCP: no change names either.
    assert_eq!(addresses(&plan), ["+ scp.region_deny -> root"], "{:?}", plan.blocked);
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:?}", plan.blocked)
    };
    assert_eq!(blocked.target, "ou:Workloads/Prod");
    assert_eq!(blocked.ids, ["ou-p", "ou-decoy"]);
    assert_eq!(blocked.at, "baseline.toml:13:11");
    assert!(
        blocked.error.contains("ou-decoy (named `Workloads/Prod`)"),
        "{}",
        blocked.error
    );
}

#[test]
fn nothing_is_detached_from_an_ou_a_blocked_target_could_mean() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    o.org.ous.insert(0, decoy());
    // Even with the policy attached to the decoy by someone else, nothing moves.
    let leave = o
        .org
        .scps
        .iter()
        .find(|p| p.name == "plinth-deny-leave-organization")
        .unwrap()
        .id
        .clone();
    o.org
        .attached
        .insert("ou-decoy".into(), vec!["p-FullAWSAccess".into(), leave.clone()]);
    o.org
        .scps
        .iter_mut()
        .find(|p| p.id == leave)
        .unwrap()
        .targets
        .push("ou-decoy".into());
    let plan = compute_ok(&b, &o, true);
    assert!(plan.changes.is_empty(), "{:?}", addresses(&plan));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("kept `plinth-deny-leave-organization` on `ou:Workloads/Prod (ou-decoy)`")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn a_name_with_a_slash_alone_is_ambiguous_too() {
    // No real `Workloads/Prod`: the decoy alone must not be taken for it, nor the path
    // created beside it.
    let b = baseline(BASELINE);
    let mut o = empty_org();
    o.org.ous = Ou::tree("r-root", &[("ou-w", "Workloads")]);
    o.org.ous.push(decoy());
    let plan = compute_ok(&b, &o, false);
    assert!(
        !addresses(&plan).iter().any(|a| a.contains("Workloads/Prod")),
        "{:?}",
        addresses(&plan)
    );
    assert_eq!(plan.blocked[0].ids, ["ou-decoy"]);
}

const ACCOUNTS: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads"

[[account]]
name = "payments"
email = "payments@example.com"
ou = "Workloads"

[scp.deny_leave_organization]
attach = ["account:payments", "root"]
"#;

#[test]
fn an_account_renamed_to_a_declared_name_is_never_moved_nor_targeted() {
    let b = baseline(ACCOUNTS);
    let mut o = empty_org();
    o.org.ous = Ou::tree("r-root", &[("ou-w", "Workloads")]);
    // A member renamed itself `payments` before the declared account exists.
    o.org
        .accounts
        .push(account("333333333333", "payments", "squatter@example.com", "r-root"));
    let plan = compute_ok(&b, &o, false);
    let moved_or_attached = plan.changes.iter().any(|c| match &c.op {
        Op::Organizations(OrganizationsOp::MoveAccount { account, .. }) => *account == Ref::Id("333333333333".into()),
        Op::Organizations(OrganizationsOp::AttachPolicy { target, .. }) => *target == Ref::Id("333333333333".into()),
        _ => false,
    });
    assert!(!moved_or_attached, "{:?}", addresses(&plan));
    // Not created either while the name is squatted; the rest goes ahead.
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| c.action == Action::Create && c.address == "account.payments")
    );
    assert!(
        addresses(&plan).contains(&"+ scp.deny_leave_organization -> root".to_owned()),
        "{:?}",
        addresses(&plan)
    );
    let errors: Vec<&str> = plan.blocked.iter().map(|b| b.error.as_str()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("payments@example.com") && e.contains("squatter@example.com")),
        "both e-mails named: {errors:?}"
    );
    assert!(
        plan.blocked.iter().all(|b| b.ids == ["333333333333"]),
        "{:?}",
        plan.blocked
    );
}

#[test]
fn a_declared_account_is_found_by_e_mail_whatever_its_name() {
    let b = baseline(ACCOUNTS);
    let mut o = empty_org();
    o.org.ous = Ou::tree("r-root", &[("ou-w", "Workloads")]);
    o.org
        .accounts
        .push(account("444444444444", "renamed", "payments@example.com", "ou-w"));
    o.org
        .accounts
        .push(account("333333333333", "payments", "squatter@example.com", "r-root"));
    let plan = compute_ok(&b, &o, false);
    assert!(plan.blocked.is_empty(), "{:?}", plan.blocked);
    let attach = plan
        .changes
        .iter()
        .find(|c| c.address == "scp.deny_leave_organization -> account:payments")
        .expect("attached to the declared account");
    assert!(
        matches!(&attach.op, Op::Organizations(OrganizationsOp::AttachPolicy { target: Ref::Id(t), .. }) if t == "444444444444")
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("plinth does not rename accounts"))
    );
}

#[test]
fn an_account_declared_by_id_is_matched_by_id_alone() {
    let b = baseline(&ACCOUNTS.replace("name = \"payments\"\n", "name = \"payments\"\nid = \"444444444444\"\n"));
    let mut o = empty_org();
    o.org.ous = Ou::tree("r-root", &[("ou-w", "Workloads")]);
    o.org
        .accounts
        .push(account("444444444444", "payments", "new-address@example.com", "r-root"));
    let plan = compute_ok(&b, &o, false);
    let moved = plan
        .changes
        .iter()
        .find(|c| c.address == "account.payments -> ou:Workloads")
        .unwrap();
    assert!(
        matches!(&moved.op, Op::Organizations(OrganizationsOp::MoveAccount { account: Ref::Id(a), .. }) if a == "444444444444")
    );
}

#[test]
fn a_duplicated_name_in_a_target_skips_that_target_only() {
    let b = baseline(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[scp.deny_leave_organization]\nattach = [\"account:sandbox\", \"root\"]\n",
    );
    let mut o = empty_org();
    o.org
        .accounts
        .push(account("333333333333", "sandbox", "other@example.com", "r-root"));
    let plan = compute_ok(&b, &o, false);
    assert!(
        addresses(&plan).contains(&"+ scp.deny_leave_organization -> root".to_owned()),
        "{:?}",
        addresses(&plan)
    );
    assert!(
        !addresses(&plan).iter().any(|a| a.contains("account:")),
        "{:?}",
        addresses(&plan)
    );
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:?}", plan.blocked)
    };
    assert_eq!(blocked.target, "account:sandbox");
    assert_eq!(blocked.ids, ["222222222222", "333333333333"]);
    assert_eq!(blocked.at, "baseline.toml:5:11");
}

#[test]
fn a_forgeable_tag_on_a_declared_policy_blocks_its_kind_not_the_whole_plan() {
    // Someone who may tag adds `ManagedBy=x` to plinth's own SCP: another tool's sign
    // wins (nothing of it is written), and only the SCP kind is left out.
    let b = baseline(BASELINE);
    let mut o = empty_org();
    o.org.scps.push(crate::observed::Scp {
        id: "p-leave".into(),
        name: "plinth-deny-leave-organization".into(),
        description: String::new(),
        aws_managed: false,
        owned: false,
        managed_by: Some(crate::observed::OtherManager {
            tool: "a tool tagging `ManagedBy`".into(),
            sign: "tag `ManagedBy` = `x`".into(),
            plinth_tag: true,
        }),
        content: None,
        targets: vec![],
        targets_read: true,
    });
    let plan = compute_ok(&b, &o, true);
    assert!(plan.changes.iter().all(|c| c.kind != "scp"), "{:?}", addresses(&plan));
    assert!(
        addresses(&plan).contains(&"+ organizational_units.Workloads".to_owned()),
        "{:?}",
        addresses(&plan)
    );
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:?}", plan.blocked)
    };
    assert!(blocked.target.contains("plinth-deny-leave-organization"), "{blocked:?}");
    assert!(blocked.error.contains("does not make it plinth's"), "{}", blocked.error);
    assert!(blocked.at.starts_with("baseline.toml:"), "{}", blocked.at);
}

#[test]
fn a_child_of_a_path_with_a_look_alike_is_created_under_the_real_parent() {
    let b = baseline(&BASELINE.replace("path = \"Workloads/Prod\"", "path = \"Workloads/Prod/Team\""));
    let mut o = converged(&baseline(BASELINE));
    o.org.ous.insert(0, decoy());
    let plan = compute_ok(&b, &o, false);
    let team = plan
        .changes
        .iter()
        .find(|c| c.address == "organizational_units.Workloads/Prod/Team")
        .expect("created");
    assert!(
        matches!(&team.op, Op::Organizations(OrganizationsOp::CreateOrganizationalUnit { parent: Ref::Id(p), .. }) if p == "ou-p"),
        "{:?}",
        team.op
    );
}
