//! Live and declared names that read like the parts of a plan address (` -> `, a quote,
//! another OU's `path (id)` label): each change keeps an address of its own, and what
//! waits for a change still finds it.

use super::hostile_tests::{BASELINE, account};
use super::tests::{addresses, baseline, compute_ok, converged, empty_org};
use crate::observed::Ou;
use crate::plan::{Op, OrganizationsOp};

/// An owned policy of plinth's (no longer declared) with `--allow-delete`.
fn orphan(id: &str, name: &str, targets: &[&str]) -> crate::observed::Scp {
    crate::observed::Scp {
        id: id.into(),
        name: name.into(),
        description: String::new(),
        aws_managed: false,
        owned: true,
        managed_by: None,
        content: Some(crate::policy::minify(
            &crate::kinds::scp::generated::deny_leave_organization(),
        )),
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        targets_read: true,
    }
}

#[test]
fn a_policy_named_like_a_relation_never_shares_an_address() {
    // `x -> root` beside `x`: unquoted, the first one's delete would be at the address
    // of the second one's detach from the root, and the kind would be blocked.
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    for p in [
        orphan("p-x", "x", &["r-root"]),
        orphan("p-arrow", "x -> root", &["r-root"]),
    ] {
        o.org.attached.get_mut("r-root").unwrap().push(p.id.clone());
        o.org.scps.push(p);
    }
    let plan = compute_ok(&b, &o, true);
    assert!(plan.blocked.is_empty(), "{:?}", plan.blocked);
    let got = addresses(&plan);
    for want in [
        "- scp.orphan.x -> root",
        "- scp.orphan.x",
        r#"- scp.orphan."x -> root" -> root"#,
        r#"- scp.orphan."x -> root""#,
    ] {
        assert!(got.iter().any(|a| a == want), "{want} not in {got:?}");
    }
}

#[test]
fn an_ou_named_like_another_ous_label_is_labelled_apart() {
    // Two OUs named `Sandbox` read `Sandbox (ou-sa)` and `Sandbox (ou-sb)`; a third named
    // `Sandbox (ou-sa)` must not read like the first, or their detaches would collide.
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    for (id, name) in [("ou-sa", "Sandbox"), ("ou-sb", "Sandbox"), ("ou-sc", "Sandbox (ou-sa)")] {
        o.org.ous.push(Ou {
            id: id.into(),
            name: name.into(),
            parent_id: "r-root".into(),
            path: name.into(),
        });
    }
    assert_eq!(o.org.ou_label("ou-sa"), "Sandbox (ou-sa)");
    assert_eq!(o.org.ou_label("ou-sc"), "Sandbox (ou-sa) (ou-sc)");
    assert_eq!(o.org.ou_label("ou-w"), "Workloads");
    let leave = o
        .org
        .scps
        .iter()
        .find(|p| p.name == "plinth-deny-leave-organization")
        .unwrap()
        .id
        .clone();
    for ou in ["ou-sa", "ou-sc"] {
        o.org
            .attached
            .insert(ou.into(), vec!["p-FullAWSAccess".into(), leave.clone()]);
        o.org
            .scps
            .iter_mut()
            .find(|p| p.id == leave)
            .unwrap()
            .targets
            .push(ou.into());
    }
    let plan = compute_ok(&b, &o, true);
    assert!(plan.blocked.is_empty(), "{:?}", plan.blocked);
    let got = addresses(&plan);
    for want in [
        "- scp.deny_leave_organization -> ou:Sandbox (ou-sa)",
        "- scp.deny_leave_organization -> ou:Sandbox (ou-sa) (ou-sc)",
    ] {
        assert!(got.iter().any(|a| a == want), "{want} not in {got:?}");
    }
}

/// A `"` in a declared account's name (AWS allows it) must not hide the account's move
/// from what waits for it: a policy attached to the account waits for the move into its
/// OU, whatever the name holds.
#[test]
fn an_account_name_with_a_quote_keeps_its_move_first() {
    let b = baseline(
        r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads"

[[account]]
name = 'Data "Lake" ->'
email = "lake@example.com"
ou = "Workloads"

[scp.deny_leave_organization]
attach = ['account:Data "Lake" ->']
"#,
    );
    let mut o = empty_org();
    o.org.scp_enabled = true;
    o.org.ous = Ou::tree("r-root", &[("ou-w", "Workloads")]);
    o.org.accounts.push(account(
        "444444444444",
        "Data \"Lake\" ->",
        "lake@example.com",
        "r-root",
    ));
    let plan = compute_ok(&b, &o, false);
    let moved = plan
        .changes
        .iter()
        .find(|c| matches!(c.op, Op::Organizations(OrganizationsOp::MoveAccount { .. })))
        .expect("the account is moved into its OU");
    let attach = plan
        .changes
        .iter()
        .find(|c| {
            matches!(c.op, Op::Organizations(OrganizationsOp::AttachPolicy { .. }))
                && c.address.as_str().contains("Lake")
        })
        .expect("the policy is attached to the account");
    assert!(
        attach.depends_on.contains(&moved.address),
        "{:?} waits for {:?}",
        attach.depends_on,
        moved.address
    );
}

/// An OU path that holds a marker is quoted like any other name: `Sandbox -> root` is
/// neither a relation to the root nor, with `(adopt)`, an adoption.
#[test]
fn an_ou_path_holding_a_marker_reads_as_one_name() {
    let relation = crate::types::OuPath::parse("Sandbox -> root").unwrap();
    let a = crate::kinds::organizational_units::address(&relation);
    assert_eq!(a.target(), None, "{a}");
    let adopt = crate::types::OuPath::parse("X (adopt)").unwrap();
    assert!(!crate::kinds::organizational_units::address(&adopt).is_adopt());
    let plain = crate::types::OuPath::parse("Workloads/Prod").unwrap();
    assert_eq!(
        crate::kinds::organizational_units::address(&plain),
        "organizational_units.Workloads/Prod"
    );
}
