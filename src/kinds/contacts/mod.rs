//! `[contacts]`: the security, billing and operations alternate contacts of every account
//! of the organization, so that AWS's notices reach the right team rather than whoever
//! opened the account. Set from the management account through the Account Management
//! API (trusted access for `account.amazonaws.com`); accounts this run creates get
//! theirs in the same run. plinth sets the contact types the baseline declares and never
//! deletes one.

pub mod section;

use serde::{Deserialize, Serialize};

pub use section::{ContactDecl, ContactsSection};

use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx, account};
use crate::aws::account::ContactKey;
use crate::diag::Diagnostics;
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
        plan_contacts(cx, plan);
        Ok(())
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
        for (t, _) in section.declared() {
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

fn plan_contacts(cx: &Context<'_>, plan: &mut Plan) {
    let Some(section) = &cx.baseline.file.contacts else {
        return;
    };
    let observed = &cx.observed.contacts;
    if !observed.accounts_read {
        plan.notes.push("alternate contacts were not read in this run: `--repair` names other kinds".into());
        return;
    }
    let org = &cx.observed.org;
    let management = org.management_account_id.as_str();
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
    let declared = section.get_ref().declared();
    for a in org.accounts.iter().filter(|a| !a.suspended) {
        let is_management = a.id == management;
        for (t, decl) in &declared {
            let want = decl.get_ref().spec();
            let address = at(format!("{}.{t} -> account:{}", Contacts::NAME, a.name));
            let (account, change_deps) = match is_management {
                true => (None, vec![]),
                false => (Some(Ref::Id(a.id.clone())), deps.clone()),
            };
            let op = Op::Account(AccountOp::PutAlternateContact {
                account,
                contact_type: *t,
                contact: want.clone(),
            });
            let live = observed
                .contacts
                .iter()
                .find(|l| l.account == a.id && l.contact_type == *t);
            let change = match live {
                // Not read: trusted access is off, so AWS refuses to show it.
                None => Change::new(
                    address,
                    Action::Create,
                    format!("the {t} contact cannot be read until `{PRINCIPAL}` has trusted access; plinth sets it"),
                    op,
                ),
                Some(LiveContact { contact: None, .. }) => Change::new(
                    address,
                    Action::Create,
                    format!("account {} has no {t} contact", a.id),
                    op,
                ),
                Some(LiveContact {
                    contact: Some(live), ..
                }) => {
                    let differences = differences(live, &want);
                    if differences.is_empty() {
                        continue;
                    }
                    Change::new(address, Action::Update, differences.join("; "), op)
                        .before(serde_json::to_value(live).ok())
                }
            };
            plan.changes.push(
                change
                    .after(serde_json::to_value(&want).ok())
                    .depends_on(change_deps),
            );
        }
    }
    // Accounts this run creates: their contacts in the same run, once they exist.
    for decl in &cx.baseline.file.account {
        let name = decl.get_ref().name.get_ref().as_str();
        let Some((created, mut account_deps)) = account::planned(plan, name) else {
            continue;
        };
        account_deps.extend(deps.iter().cloned());
        for (t, c) in &declared {
            let want = c.get_ref().spec();
            plan.changes.push(
                Change::new(
                    at(format!("{}.{t} -> account:{name}", Contacts::NAME)),
                    Action::Create,
                    format!("account `{name}` is created in this run and gets the {t} contact"),
                    Op::Account(AccountOp::PutAlternateContact {
                        account: Some(Ref::Planned(created.clone())),
                        contact_type: *t,
                        contact: want.clone(),
                    }),
                )
                .after(serde_json::to_value(&want).ok())
                .depends_on(account_deps.clone()),
            );
        }
    }
}

async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let mut out = Imported::default();
    let management = cx.org.management_account_id.as_str();
    let mut found = Vec::new();
    for t in ContactType::ALL {
        let contact = cx
            .clients
            .account
            .read_contact(None, t)
            .await
            .map_err(|e| cx.clients.failure("cannot read the management account's alternate contacts", e))?;
        if let Some(c) = contact {
            found.push((t, c));
        }
    }
    for (t, c) in &found {
        out.toml
            .table(&format!("{}.{t}", Contacts::NAME))
            .string("name", &c.name)
            .string("title", &c.title)
            .string("email", &c.email)
            .string("phone", &c.phone);
    }
    if !found.is_empty() {
        out.warnings.push(format!(
            "`[contacts]` is the management account's ({management}); the plan sets them on every account"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
