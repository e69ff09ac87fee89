//! Accounts as code: each `[[account]]` exists (created when missing) and sits in its OU
//! (moved when elsewhere). plinth never closes or removes an account.
//!
//! A live account matches a declared one by e-mail (unique in AWS), else by name.

use super::{Action, Change, Context, Op, OrganizationsOp, Plan, Ref};
use crate::baseline::AccountDecl;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{Account, OrgState};

pub fn address(name: &str) -> String {
    format!("account:{name}")
}

fn move_address(name: &str, ou: &impl std::fmt::Display) -> String {
    format!("{} -> ou:{ou}", address(name))
}

/// An account this plan creates: its address, and the changes that must succeed before
/// it can carry the rest of the baseline (its creation, and its move into its OU).
pub fn planned(plan: &Plan, name: &str) -> Option<(String, Vec<String>)> {
    let addr = address(name);
    plan.find(&addr)?;
    let mut deps = vec![addr.clone()];
    deps.extend(moves(plan, name));
    Some((addr, deps))
}

/// The changes of this plan that move the declared account `name` into its OU.
pub fn moves(plan: &Plan, name: &str) -> Vec<String> {
    let moved = format!("{} -> ", address(name));
    plan.changes
        .iter()
        .filter(|c| c.address.starts_with(&moved))
        .map(|c| c.address.clone())
        .collect()
}

/// The live account a declaration means: by e-mail, else by name. `None` also when two
/// or more live accounts share the name: [`plan`] reports that, and never guesses.
pub fn live<'a>(org: &'a OrgState, decl: &AccountDecl) -> Option<&'a Account> {
    match matches(org, decl).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Every live account the declaration could mean: the one with its e-mail, else all of its name.
fn matches<'a>(org: &'a OrgState, decl: &AccountDecl) -> Vec<&'a Account> {
    let email = decl.email.get_ref().as_str();
    let name = decl.name.get_ref().as_str();
    if let Some(a) = org.accounts.iter().find(|l| l.email.eq_ignore_ascii_case(email)) {
        return vec![a];
    }
    org.accounts.iter().filter(|l| l.name == name).collect()
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let org = &cx.observed.org;
    let src = &cx.baseline.source;
    let mut diags = Diagnostics::default();
    for decl in &cx.baseline.file.account {
        let a = decl.get_ref();
        let name = a.name.get_ref().as_str();
        let email = a.email.get_ref().as_str();
        let ou = a.ou.get_ref();
        let ou_address = super::ou::address(ou);
        let (destination, ou_dep) = match org.ou_by_path(ou.as_str()) {
            Some(live) => (Ref::Id(live.id.clone()), vec![]),
            None if plan.find(&ou_address).is_some() => (Ref::Planned(ou_address.clone()), vec![ou_address.clone()]),
            None => {
                diags.push(
                    Diagnostic::error(format!(
                        "account `{name}` belongs in OU `{ou}`, which is not in the organization"
                    ))
                    .at(src, a.ou.span())
                    .hint(format!("declare it: `[[organizational_units]] path = \"{ou}\"`")),
                );
                continue;
            }
        };
        let found = matches(org, a);
        if found.len() > 1 {
            diags.push(
                Diagnostic::error(format!(
                    "{} live accounts are named `{name}` and none has the e-mail `{email}`",
                    found.len()
                ))
                .at(src, a.name.span())
                .cause(
                    found
                        .iter()
                        .map(|l| format!("{} ({})", l.id, l.email))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .hint(
                    "plinth never guesses which account to move: give the declaration the e-mail of the one you mean",
                ),
            );
            continue;
        }
        match found.first().copied() {
            None => {
                let addr = address(name);
                plan.changes.push(Change::new(
                    addr.clone(),
                    Action::Create,
                    format!("no account `{name}` ({email}) in the organization"),
                    Op::Organizations(OrganizationsOp::CreateAccount {
                        name: name.to_owned(),
                        email: email.to_owned(),
                    }),
                ));
                let mut deps = vec![addr.clone()];
                deps.extend(ou_dep);
                plan.changes.push(
                    Change::new(
                        move_address(name, ou),
                        Action::Update,
                        format!("a new account starts at the root; the baseline puts it in `{ou}`"),
                        Op::Organizations(OrganizationsOp::MoveAccount {
                            account: Ref::Planned(addr),
                            source: Ref::Id(org.root_id.clone()),
                            destination,
                        }),
                    )
                    .depends_on(deps),
                );
            }
            Some(live) => {
                if live.name != name {
                    plan.warnings.push(format!(
                        "account {} has e-mail `{email}` and is named `{}`, not `{name}`; plinth does not rename accounts",
                        live.id, live.name
                    ));
                }
                let here = live.parent_id.as_deref();
                let wanted = match &destination {
                    Ref::Id(id) => Some(id.as_str()),
                    Ref::Planned(_) => None,
                };
                if here.is_some() && here != wanted {
                    let shown = here.map(|p| org.describe_target(p)).unwrap_or_default();
                    plan.changes.push(
                        Change::new(
                            move_address(name, ou),
                            Action::Update,
                            format!("account {} is in `{shown}`; the baseline puts it in `{ou}`", live.id),
                            Op::Organizations(OrganizationsOp::MoveAccount {
                                account: Ref::Id(live.id.clone()),
                                source: Ref::Id(here.unwrap_or_default().to_owned()),
                                destination,
                            }),
                        )
                        .depends_on(ou_dep),
                    );
                }
            }
        }
    }
    diags.into_result(())
}
