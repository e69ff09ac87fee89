//! `[contacts]`: the security, billing and operations alternate contacts of every account
//! of the organization, so that AWS's notices reach the right team rather than whoever
//! opened the account. Set from the management account through the Account Management
//! API (trusted access for `account.amazonaws.com`); accounts this run creates get
//! theirs in the same run. plinth sets the contact types the baseline declares and never
//! deletes one.

pub mod section;

use serde::{Deserialize, Serialize};

pub use section::{ContactDecl, ContactsSection};

use std::collections::BTreeMap;

use super::common::placement::Placement;
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx, account};
use crate::aws::account::ContactKey;
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::types::Target;
use crate::observed::{ContactSpec, ContactType, OrgState};
use crate::plan::{AccountOp, Action, Address, Change, Op, OrganizationsOp, Plan, Ref};

pub struct Contacts;

/// The service principal the Account Management API needs trusted access for.
pub const PRINCIPAL: &str = "account.amazonaws.com";

/// What `[contacts]` reads: trusted access, and each account's declared contact types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactsState {
    pub trusted_access: bool,
    /// Whether the accounts' contacts were read (a `reconcile --repair` of other kinds
    /// skips them).
    pub accounts_read: bool,
    /// One entry per account (by id) and declared type that was read; `contact` is `None`
    /// where the account has none of that type.
    pub contacts: Vec<LiveContact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveContact {
    pub account: String,
    pub contact_type: ContactType,
    pub contact: Option<ContactSpec>,
}

impl Kind for Contacts {
    const NAME: &'static str = "contacts";
    type Section = Option<toml::Spanned<ContactsSection>>;
    type Schema = ContactsSection;
    type State = ContactsState;
    const IAM: IamActions = IamActions {
        plan: &[
            "organizations:ListAWSServiceAccessForOrganization",
            "account:GetAlternateContact",
        ],
        apply: &["organizations:EnableAWSServiceAccess", "account:PutAlternateContact"],
    };

    fn describe(baseline: &Baseline, out: &mut Description) {
        if let Some(section) = &baseline.file.contacts {
            for (t, c) in section.get_ref().declared() {
                let c = c.get_ref();
                out.text.push_str(&format!(
                    "contact {t}: {} ({}), {}, {} for every account\n",
                    c.name.get_ref(),
                    c.title.get_ref(),
                    c.email.get_ref(),
                    c.phone.get_ref()
                ));
            }
        }
    }

    async fn observe(cx: &ObserveCx<'_>) -> Result<ContactsState, Diagnostics> {
        if cx.baseline.file.contacts.is_none() {
            return Ok(ContactsState::default());
        }
        let trusted_access = cx
            .clients
            .organizations
            .has_trusted_access(PRINCIPAL)
            .await
            .map_err(|e| cx.clients.failure("cannot read trusted access for the Account Management API", e))?;
        Ok(ContactsState {
            trusted_access,
            ..ContactsState::default()
        })
    }

    /// Every active account's declared contact types, concurrently within the Account
    /// API's 10 reads a second. Without trusted access only the management account's
    /// can be read (AWS refuses the others).
    async fn observe_accounts(cx: &ObserveCx<'_>, org: &OrgState, state: &mut ContactsState) -> Result<(), Diagnostics> {
        let Some(section) = &cx.baseline.file.contacts else {
            return Ok(());
        };
        let keys = keys(org, section.get_ref(), state.trusted_access);
        let read = cx
            .clients
            .account
            .read_contacts(keys)
            .await
            .map_err(|e| cx.clients.failure("cannot read the accounts' alternate contacts", e))?;
        let management = org.management_account_id.as_str();
        state.accounts_read = true;
        state.contacts = read
            .into_iter()
            .map(|((account, contact_type), contact)| LiveContact {
                account: account.unwrap_or_else(|| management.to_owned()),
                contact_type,
                contact,
            })
            .collect();
        state.contacts.sort_by(|a, b| (&a.account, a.contact_type).cmp(&(&b.account, b.contact_type)));
        Ok(())
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_contacts(cx, plan)
    }

    /// The OUs overrides name: their accounts are read, to know who is where.
    fn scope(baseline: &Baseline, scope: &mut ReadScope) {
        if let Some(section) = &baseline.file.contacts {
            for o in &section.get_ref().overrides {
                for t in o.get_ref().targets.get_ref() {
                    if let Target::Ou(path) = t.get_ref() {
                        scope.member_ous.push(path.clone());
                    }
                }
            }
        }
    }

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        let Some(section) = &baseline.file.contacts else {
            return;
        };
        for o in &section.get_ref().overrides {
            let ov = o.get_ref();
            if ov.declared().is_empty() {
                diags.push(
                    Diagnostic::error("`[[contacts.override]]` sets no contact")
                        .at(&baseline.source, o.span())
                        .hint("set `security`, `billing` or `operations`, like `security = { name = \"…\", title = \"…\", email = \"…\", phone = \"…\" }`"),
                );
            }
            if ov.targets.get_ref().is_empty() {
                diags.push(
                    Diagnostic::error("`[[contacts.override]]` has no targets")
                        .at(&baseline.source, ov.targets.span())
                        .hint("list `ou:<path>` or `account:<id or name>` targets"),
                );
            }
            for t in ov.targets.get_ref() {
                if *t.get_ref() == Target::Root {
                    diags.push(
                        Diagnostic::error("`root` in `[[contacts.override]]`")
                            .at(&baseline.source, t.span())
                            .hint("the contacts every account gets are the section's own: `[contacts.security]`, …"),
                    );
                }
            }
        }
    }

    /// The management account's contacts, as the organization's (`[contacts]` declares one
    /// set for every account); accounts that differ are listed.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        import(cx)
    }
}

/// What to read: each active account and declared type (`None` for the management account).
fn keys(org: &OrgState, section: &ContactsSection, trusted_access: bool) -> Vec<ContactKey> {
    let management = org.management_account_id.as_str();
    let mut keys = Vec::new();
    for a in org.accounts.iter().filter(|a| !a.suspended) {
        let account = (a.id != management).then(|| a.id.clone());
        if account.is_some() && !trusted_access {
            continue;
        }
        for t in section.types() {
            keys.push((account.clone(), t));
        }
    }
    keys
}

fn at(name: String) -> Address {
    Address::new(Contacts::NAME, name)
}

/// How a live contact differs from the wanted one, field by field.
pub fn differences(live: &ContactSpec, want: &ContactSpec) -> Vec<String> {
    let mut out = Vec::new();
    for (field, l, w) in [
        ("name", &live.name, &want.name),
        ("title", &live.title, &want.title),
        ("e-mail", &live.email, &want.email),
        ("phone", &live.phone, &want.phone),
    ] {
        let same = if field == "e-mail" { l.eq_ignore_ascii_case(w) } else { l == w };
        if !same {
            out.push(format!("{field} is `{l}`, baseline says `{w}`"));
        }
    }
    out
}

/// How specific a target is: an account over any OU, a deeper OU over its parent, and
/// the section's own contacts (every account) least.
fn rank(target: &Target) -> usize {
    match target {
        Target::Root => 0,
        Target::Ou(path) => path.segments().count(),
        Target::Account(_) => usize::MAX,
    }
}

/// A contact an account gets, and from where: the target's rank and the declaration.
struct Wanted {
    rank: usize,
    spec: ContactSpec,
    span: std::ops::Range<usize>,
}

fn plan_contacts(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = &cx.baseline.file.contacts else {
        return Ok(());
    };
    let section = section.get_ref();
    let observed = &cx.observed.contacts;
    if !observed.accounts_read {
        plan.notes.push("alternate contacts were not read in this run: `--repair` names other kinds".into());
        return Ok(());
    }
    let src = &cx.baseline.source;
    let org = &cx.observed.org;
    let management = org.management_account_id.as_str();
    let mut diags = Diagnostics::default();
    let mut deps = vec![];
    if !observed.trusted_access {
        let address = format!("{}.trusted_access", Contacts::NAME);
        plan.changes.push(Change::new(
            at(address.clone()),
            Action::Enable,
            format!("`{PRINCIPAL}` has no trusted access to the organization; setting member accounts' contacts needs it"),
            Op::Organizations(OrganizationsOp::EnableAwsServiceAccess {
                service_principal: PRINCIPAL.to_owned(),
            }),
        ));
        deps.push(address);
    }

    // Who gets which contact: the section's for every account, then the overrides, the
    // most specific target winning.
    let placement = Placement::new(cx, plan);
    let everyone = placement.expand(&Target::Root).unwrap_or_default();
    let mut wanted: BTreeMap<String, BTreeMap<ContactType, Wanted>> = BTreeMap::new();
    for key in everyone.keys() {
        for (t, decl) in section.declared() {
            let w = Wanted {
                rank: 0,
                spec: decl.get_ref().spec(),
                span: decl.span(),
            };
            wanted.entry(key.clone()).or_default().insert(t, w);
        }
    }
    for o in &section.overrides {
        for target in o.get_ref().targets.get_ref() {
            let accounts = match placement.expand(target.get_ref()) {
                Ok(accounts) => accounts,
                Err(why) => {
                    diags.push(
                        Diagnostic::error(format!("unknown target `{}` in `[[contacts.override]]`", target.get_ref()))
                            .at(src, target.span())
                            .cause(why)
                            .hint("name an OU by its path or an account by its 12-digit id or exact name"),
                    );
                    continue;
                }
            };
            let rank = rank(target.get_ref());
            for key in accounts.keys() {
                for (t, decl) in o.get_ref().declared() {
                    let spec = decl.get_ref().spec();
                    let types = wanted.entry(key.clone()).or_default();
                    match types.get(&t) {
                        Some(w) if w.rank == rank && w.spec != spec => {
                            let (line, _) = src.line_col(w.span.start);
                            diags.push(
                                Diagnostic::error(format!(
                                    "account `{}` gets two different {t} contacts from overrides as specific as each other",
                                    name_of(cx, key)
                                ))
                                .at(src, decl.span())
                                .hint(format!(
                                    "the other is on line {line}; target the account itself, or a deeper OU, to say which wins"
                                )),
                            );
                        }
                        Some(w) if w.rank >= rank => {}
                        _ => {
                            types.insert(
                                t,
                                Wanted {
                                    rank,
                                    spec,
                                    span: decl.span(),
                                },
                            );
                        }
                    }
                }
            }
        }
    }

    for (key, types) in &wanted {
        let Some((reference, account_deps)) = everyone.get(key) else {
            continue;
        };
        let name = name_of(cx, key);
        for (t, w) in types {
            let want = w.spec.clone();
            let address = at(format!("{}.{t} -> account:{name}", Contacts::NAME));
            let (account, mut change_deps) = match reference {
                Ref::Id(id) if id == management => (None, vec![]),
                r => (Some(r.clone()), deps.clone()),
            };
            change_deps.extend(account_deps.iter().cloned());
            let op = Op::Account(AccountOp::PutAlternateContact {
                account,
                contact_type: *t,
                contact: want.clone(),
            });
            let change = match reference {
                Ref::Planned(_) => Change::new(
                    address,
                    Action::Create,
                    format!("account `{name}` is created in this run and gets the {t} contact"),
                    op,
                ),
                Ref::Id(id) => match observed.contacts.iter().find(|l| l.account == *id && l.contact_type == *t) {
                    // Not read: trusted access is off, so AWS refuses to show it.
                    None => Change::new(
                        address,
                        Action::Create,
                        format!("the {t} contact cannot be read until `{PRINCIPAL}` has trusted access; plinth sets it"),
                        op,
                    ),
                    Some(LiveContact { contact: None, .. }) => {
                        Change::new(address, Action::Create, format!("account {id} has no {t} contact"), op)
                    }
                    Some(LiveContact {
                        contact: Some(live), ..
                    }) => {
                        let differences = differences(live, &want);
                        if differences.is_empty() {
                            continue;
                        }
                        Change::new(address, Action::Update, differences.join("; "), op)
                            .before(Some(shown(live)))
                    }
                },
            };
            plan.changes.push(
                change
                    .after(Some(shown(&want)))
                    .depends_on(change_deps),
            );
        }
    }
    diags.into_result(())
}

/// A contact as plans show it (`person`, since a plan's `name` is the resource's).
fn shown(c: &ContactSpec) -> serde_json::Value {
    serde_json::json!({"person": c.name, "title": c.title, "email": c.email, "phone": c.phone})
}

/// An account's name for addresses: its live name, or the `[[account]]` this plan creates.
fn name_of(cx: &Context<'_>, key: &str) -> String {
    if let Some(a) = cx.observed.org.accounts.iter().find(|a| a.id == key) {
        return a.name.clone();
    }
    cx.baseline
        .file
        .account
        .iter()
        .map(|d| d.get_ref().name.get_ref().as_str())
        .find(|name| account::address(name) == key)
        .unwrap_or(key)
        .to_owned()
}

/// The management account's contacts as the section's; every other account whose
/// contacts differ gets an `account:` override (with trusted access: AWS shows members'
/// contacts only then).
async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let mut out = Imported::default();
    let c = cx.clients;
    let fail = |e| c.failure("cannot read the accounts' alternate contacts", e);
    let org = cx.org;
    let management = org.management_account_id.as_str();
    let trusted = c.organizations.has_trusted_access(PRINCIPAL).await.map_err(fail)?;
    let mut keys: Vec<ContactKey> = ContactType::ALL.into_iter().map(|t| (None, t)).collect();
    if trusted {
        for a in org.accounts.iter().filter(|a| !a.suspended && a.id != management) {
            keys.extend(ContactType::ALL.into_iter().map(|t| (Some(a.id.clone()), t)));
        }
    } else {
        out.warnings.push(format!(
            "`{PRINCIPAL}` has no trusted access, so member accounts' contacts cannot be read: `[contacts]` is the management account's"
        ));
    }
    let read = c.account.read_contacts(keys).await.map_err(fail)?;
    let of = |account: Option<&str>, t: ContactType| {
        read.iter()
            .find(|((a, rt), _)| a.as_deref() == account && *rt == t)
            .and_then(|(_, contact)| contact.clone())
    };
    let inline = |c: &ContactSpec| {
        vec![
            ("name", c.name.clone()),
            ("title", c.title.clone()),
            ("email", c.email.clone()),
            ("phone", c.phone.clone()),
        ]
    };
    for t in ContactType::ALL {
        if let Some(c) = of(None, t) {
            out.toml
                .table(&format!("{}.{t}", Contacts::NAME))
                .string("name", &c.name)
                .string("title", &c.title)
                .string("email", &c.email)
                .string("phone", &c.phone);
        }
    }
    let mut members: Vec<_> = org.accounts.iter().filter(|a| !a.suspended && a.id != management).collect();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    for a in members.iter().filter(|_| trusted) {
        let mut differs = Vec::new();
        for t in ContactType::ALL {
            match (of(Some(&a.id), t), of(None, t)) {
                (Some(mine), Some(org_wide)) if differences(&mine, &org_wide).is_empty() => {}
                (Some(mine), _) => differs.push((t, mine)),
                (None, Some(_)) => out.warnings.push(format!(
                    "account `{}` has no {t} contact; the imported baseline gives it the management account's",
                    a.name
                )),
                (None, None) => {}
            }
        }
        if differs.is_empty() {
            continue;
        }
        let target = cx.target_of(&a.id).unwrap_or_else(|| format!("account:{}", a.id));
        out.toml
            .array_table(&format!("{}.override", Contacts::NAME))
            .strings("targets", &[target]);
        for (t, c) in &differs {
            let pairs = inline(c);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            out.toml.inline(t.as_str(), &pairs);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
