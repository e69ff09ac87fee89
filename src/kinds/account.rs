//! Accounts as code: each `[[account]]` exists (created when missing) and sits in its OU
//! (moved when elsewhere). plinth never closes or removes an account.
//!
//! A live account matches a declared one by id (when the declaration gives it) or by
//! e-mail (unique in AWS), never by name: a member account can rename itself, so a name
//! squatted before an account is created would otherwise turn the create into a move of
//! someone else's account. A live account that has only the declared name is an error,
//! reported in the plan (the declaration is blocked), never a match.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Baseline, Context, IamActions, ImportCx, Imported, Kind};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{Account, OrgState, OuLookup};
use crate::kinds::common::impact;
use crate::kinds::common::placement::{self, Unresolved};
use crate::plan::impact::ImpactAccount;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};
use crate::types::{AccountId, AccountName, Email, OuPath, Target};

pub struct Accounts;

/// `[[account]]`: one member account.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDecl {
    #[schemars(with = "AccountName")]
    pub name: Spanned<AccountName>,
    /// The account's id, once it exists: it is then matched by id alone (the e-mail can
    /// change). Without it, the live account with this e-mail.
    #[serde(default)]
    #[schemars(with = "Option<AccountId>")]
    pub id: Option<Spanned<AccountId>>,
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
        delete: &[],
    };
    fn declared(section: &Self::Section) -> bool {
        !section.is_empty()
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        validate(baseline, section, diags);
    }

    /// Declared accounts are looked up by e-mail and name.
    fn scope(_: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        for a in section {
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
            } else if a.name.len() == 12 && a.name.bytes().all(|b| b.is_ascii_digit()) {
                Some("its name is 12 digits, which a baseline reads as an account id; rename it")
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

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_accounts(cx, section, plan)
    }
}

/// The address of the change that creates the declared account `name`.
pub fn address(name: &str) -> Address {
    Address::kind_root(Accounts::NAME).child(name)
}

fn move_address(name: &str, ou: &impl std::fmt::Display) -> Address {
    address(name).to(format_args!("ou:{ou}"))
}

fn validate(baseline: &Baseline, section: &[Spanned<AccountDecl>], diags: &mut Diagnostics) {
    let src = &baseline.source;
    let mut account_names = HashMap::new();
    let mut account_emails = HashMap::new();
    for acct in section {
        let a = acct.get_ref();
        if let Some(first) = account_names.insert(a.name.get_ref().clone(), a.name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("account `{}` is declared twice", a.name.get_ref()))
                    .at(src, a.name.span())
                    .hint(format!("it is first declared on line {line}")),
            );
        }
        // `account:<12 digits>` means the account of that id, everywhere: a name that reads
        // like one would make a target mean two accounts.
        let name = a.name.get_ref().as_str();
        if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) {
            diags.push(
                Diagnostic::error(format!("account name `{name}` reads like an account id"))
                    .at(src, a.name.span())
                    .cause(format!("`account:{name}` in a target means the account whose id is {name}"))
                    .hint("give the account a name that is not 12 digits"),
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
pub fn planned(plan: &Plan, name: &str) -> Option<(Address, Vec<Address>)> {
    let addr = address(name);
    plan.find(&addr)?;
    let mut deps = vec![addr.clone()];
    deps.extend(moves(plan, name));
    Some((addr, deps))
}

/// The changes of this plan that move the declared account `name` into its OU: by their
/// op, never by reading the address's text alone.
pub fn moves(plan: &Plan, name: &str) -> Vec<Address> {
    let account = address(name);
    plan.changes
        .iter()
        .filter(|c| matches!(c.op, Op::Organizations(OrganizationsOp::MoveAccount { .. })))
        .filter(|c| c.address.source() == account.as_str())
        .map(|c| c.address.clone())
        .collect()
}

/// What a declaration finds in the live organization.
#[derive(Debug)]
pub enum Match<'a> {
    /// The account with its id (when it gives one), else its e-mail.
    Live(&'a Account),
    /// No account has its id or e-mail, and none its name: to be created.
    Missing,
    /// No account has its id or e-mail, but these have its name: never a match.
    NameOnly(Vec<&'a Account>),
}

/// The live account a declaration means, by id or e-mail: [`lookup`].
pub fn live<'a>(org: &'a OrgState, decl: &AccountDecl) -> Option<&'a Account> {
    match lookup(org, decl) {
        Match::Live(a) => Some(a),
        Match::Missing | Match::NameOnly(_) => None,
    }
}

/// What a declaration means in the live organization: matched by id (when it has one)
/// or e-mail, never by name.
pub fn lookup<'a>(org: &'a OrgState, decl: &AccountDecl) -> Match<'a> {
    let email = decl.email.get_ref().as_str();
    let found = match &decl.id {
        Some(id) => org.accounts.iter().find(|l| l.id == id.get_ref().as_str()),
        None => org.accounts.iter().find(|l| l.email.eq_ignore_ascii_case(email)),
    };
    if let Some(a) = found {
        return Match::Live(a);
    }
    let name = decl.name.get_ref().as_str();
    let named: Vec<&Account> = org.accounts.iter().filter(|l| l.name == name).collect();
    match named.is_empty() {
        true => Match::Missing,
        false => Match::NameOnly(named),
    }
}

/// The error for a declaration that only a name matches.
pub fn name_only(decl: &AccountDecl, others: &[&Account]) -> String {
    let by = match &decl.id {
        Some(id) => format!("the id `{}`", id.get_ref()),
        None => format!("the e-mail `{}`", decl.email.get_ref()),
    };
    format!(
        "no live account has {by}, but {} named `{}`: {}; plinth never matches an account by its name, which its own administrators can change",
        if others.len() == 1 { "one is" } else { "these are" },
        decl.name.get_ref(),
        others
            .iter()
            .map(|a| format!("{} (`{}`)", a.id, a.email))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn plan_accounts(cx: &Context<'_>, section: &[Spanned<AccountDecl>], plan: &mut Plan) -> Result<(), Diagnostics> {
    let org = &cx.observed.org;
    let src = &cx.baseline.source;
    let mut diags = Diagnostics::default();
    for decl in section {
        let a = decl.get_ref();
        let name = a.name.get_ref().as_str();
        let email = a.email.get_ref().as_str();
        let ou = a.ou.get_ref();
        let ou_address = super::cross::ou_address(ou);
        let found = match lookup(org, a) {
            Match::NameOnly(others) => {
                let at = a.id.as_ref().map_or(a.email.span(), Spanned::span);
                let ids = others.iter().map(|o| o.id.clone()).collect();
                let why = Unresolved::Ambiguous { ids, why: name_only(a, &others) };
                placement::report(cx, plan, &mut diags, &Target::Account(name.to_owned()), at, why);
                continue;
            }
            Match::Missing if a.id.is_some() => {
                let id = a.id.as_ref().map(|i| i.get_ref().to_string()).unwrap_or_default();
                diags.push(
                    Diagnostic::error(format!("account `{name}` has the id `{id}`, which is not in the organization"))
                        .at(src, a.id.as_ref().map_or(a.name.span(), Spanned::span))
                        .hint("give `id` only for an account that exists; without it, plinth creates the account"),
                );
                continue;
            }
            Match::Live(l) => Some(l),
            Match::Missing => None,
        };
        let (destination, ou_dep) = match org.ou_at(ou) {
            OuLookup::Found(live) => (Ref::Id(live.id.clone()), vec![]),
            OuLookup::Ambiguous { ids, why } => {
                let why = Unresolved::Ambiguous { ids, why };
                placement::report(cx, plan, &mut diags, &Target::Ou(ou.clone()), a.ou.span(), why);
                continue;
            }
            OuLookup::Missing if plan.find(&ou_address).is_some() => {
                (Ref::Planned(ou_address.clone()), vec![ou_address.clone()])
            }
            OuLookup::Missing => {
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
        match found {
            None => plan_create(cx, plan, a, destination, ou_dep),
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
                    let who = ImpactAccount {
                        id: Some(live.id.clone()),
                        name: live.name.clone(),
                    };
                    let impact = impact::moved(org, plan, who, here, ou);
                    plan.add(
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
                        .impact(Some(impact)),
                    );
                }
            }
        }
    }
    diags.into_result(())
}

/// A new account, and its move from the root into its OU.
fn plan_create(cx: &Context<'_>, plan: &mut Plan, a: &AccountDecl, destination: Ref, ou_dep: Vec<Address>) {
    let org = &cx.observed.org;
    let (name, email, ou) = (a.name.get_ref().as_str(), a.email.get_ref().as_str(), a.ou.get_ref());
    let addr = address(name);
    plan.add(Change::new(
        address(name),
        Action::Create,
        format!("no account `{name}` ({email}) in the organization"),
        Op::Organizations(OrganizationsOp::CreateAccount {
            name: name.to_owned(),
            email: email.to_owned(),
        }),
    ));
    let mut deps = vec![addr.clone()];
    deps.extend(ou_dep);
    let who = ImpactAccount {
        id: None,
        name: name.to_owned(),
    };
    let impact = impact::moved(org, plan, who, None, ou);
    plan.add(
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
        .impact(Some(impact)),
    );
}
