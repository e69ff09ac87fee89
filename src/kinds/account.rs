//! Accounts as code: each `[[account]]` exists (created when missing) and sits in its OU
//! (moved when elsewhere). plinth never closes or removes an account.
//!
//! A live account matches a declared one by e-mail (unique in AWS), else by name.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Baseline, Context, IamActions, ImportCx, Imported, Kind};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{Account, OrgState};
use crate::kinds::common::impact;
use crate::plan::impact::ImpactAccount;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};
use crate::types::{AccountName, Email, OuPath};

pub struct Accounts;

/// `[[account]]`: one member account.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDecl {
    #[schemars(with = "AccountName")]
    pub name: Spanned<AccountName>,
    #[schemars(with = "Email")]
    pub email: Spanned<Email>,
    /// The OU the account belongs in (declared in `organizational_units` or live).
    #[schemars(with = "OuPath")]
    pub ou: Spanned<OuPath>,
}

impl Kind for Accounts {
    const NAME: &'static str = "account";
    type Section = Vec<Spanned<AccountDecl>>;
    type Schema = Vec<AccountDecl>;
    type State = ();
    const IAM: IamActions = IamActions {
        plan: &[],
        apply: &[
            "organizations:CreateAccount",
            "organizations:DescribeCreateAccountStatus",
            // A CreateAccount whose answer was lost: find the request, check its e-mail.
            "organizations:ListCreateAccountStatus",
            "organizations:DescribeAccount",
            "organizations:MoveAccount",
            "organizations:TagResource",
        ],
    };

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        validate(baseline, diags);
    }

    /// Declared accounts are looked up by e-mail and name.
    fn scope(baseline: &Baseline, scope: &mut ReadScope) {
        for a in &baseline.file.account {
            let a = a.get_ref();
            scope
                .accounts
                .push((a.email.get_ref().to_string(), a.name.get_ref().to_string()));
        }
    }

    /// Every active member account in an OU, by name; the management account, accounts
    /// directly under the root and suspended ones are left out, with the reason.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let org = cx.org;
        let mut out = Imported::default();
        let mut accounts: Vec<&Account> = org.accounts.iter().collect();
        accounts.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        for a in accounts {
            let ou = a.parent_id.as_deref().and_then(|p| org.ous.iter().find(|o| o.id == p));
            let why = if a.id == org.management_account_id {
                Some("the management account: plinth runs from it and never moves it")
            } else if a.suspended {
                Some("suspended or closing")
            } else if ou.is_none() {
                Some("directly under the root; `[[account]]` places accounts in OUs")
            } else {
                None
            };
            match (why, ou) {
                (None, Some(ou)) => {
                    out.toml
                        .array_table(Self::NAME)
                        .string("name", &a.name)
                        .string("email", &a.email)
                        .string("ou", &ou.path);
                }
                (why, _) => out.skipped.push(format!(
                    "account `{}` ({}): {}",
                    a.name,
                    a.id,
                    why.unwrap_or("not in an OU")
                )),
            }
        }
        async { Ok(out) }
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_accounts(cx, plan)
    }
}

/// The address of the change that creates the declared account `name`.
pub fn address(name: &str) -> String {
    at(name).to_string()
}

fn at(name: &str) -> Address {
    Address::new(Accounts::NAME, format!("{}.{name}", Accounts::NAME))
}

fn move_address(name: &str, ou: &impl std::fmt::Display) -> Address {
    Address::new(Accounts::NAME, format!("{} -> ou:{ou}", at(name)))
}

fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let mut account_names = HashMap::new();
    let mut account_emails = HashMap::new();
    for acct in &baseline.file.account {
        let a = acct.get_ref();
        if let Some(first) = account_names.insert(a.name.get_ref().clone(), a.name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("account `{}` is declared twice", a.name.get_ref()))
                    .at(src, a.name.span())
                    .hint(format!("it is first declared on line {line}")),
            );
        }
        let email = a.email.get_ref().as_str().to_ascii_lowercase();
        if let Some(first) = account_emails.insert(email, a.email.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("e-mail `{}` is used by two accounts", a.email.get_ref()))
                    .at(src, a.email.span())
                    .hint(format!(
                        "it is first used on line {line}; every AWS account needs its own e-mail address"
                    )),
            );
        }
    }
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
    let moved = format!("{} -> ", at(name));
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

fn plan_accounts(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let org = &cx.observed.org;
    let src = &cx.baseline.source;
    let mut diags = Diagnostics::default();
    for decl in &cx.baseline.file.account {
        let a = decl.get_ref();
        let name = a.name.get_ref().as_str();
        let email = a.email.get_ref().as_str();
        let ou = a.ou.get_ref();
        let ou_address = super::organizational_units::address(ou);
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
                    at(name),
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
                    .depends_on(deps)
                    .impact(Some(impact::moved(
                        org,
                        ImpactAccount {
                            id: None,
                            name: name.to_owned(),
                        },
                        None,
                        ou,
                    ))),
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
                        .depends_on(ou_dep)
                        .impact(Some(impact::moved(
                            org,
                            ImpactAccount {
                                id: Some(live.id.clone()),
                                name: live.name.clone(),
                            },
                            here.and_then(|p| org.ous.iter().find(|o| o.id == p))
                                .and_then(|o| OuPath::parse(&o.path).ok())
                                .as_ref(),
                            ou,
                        ))),
                    );
                }
            }
        }
    }
    diags.into_result(())
}
