//! `[contacts]`: the security, billing and operations alternate contacts of every account
//! of the organization, so that AWS's notices reach the right team rather than whoever
//! opened the account. Set from the management account through the Account Management
//! API (trusted access for `account.amazonaws.com`); accounts this run creates get
//! theirs in the same run. plinth sets the contact types the baseline declares and never
//! deletes one.

mod import;
mod plan;
pub mod section;

use serde::{Deserialize, Serialize};

pub use section::{ContactDecl, ContactsSection};

use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx};
use crate::aws::account::ContactKey;
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{ContactSpec, ContactType, OrgState};
use crate::plan::Plan;
use crate::types::Target;

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
        delete: &[],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }

    fn describe(_: &Baseline, section: &Self::Section, out: &mut Description) {
        if let Some(section) = section {
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

    async fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> Result<ContactsState, Diagnostics> {
        if section.is_none() {
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
    async fn observe_accounts(cx: &ObserveCx<'_>, section: &Self::Section, org: &OrgState, state: &mut ContactsState) -> Result<(), Diagnostics> {
        let Some(section) = section else {
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

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan::plan_contacts(cx, section, plan)
    }

    /// The OUs overrides name: their accounts are read, to know who is where.
    fn scope(_: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        if let Some(section) = section {
            for o in &section.get_ref().overrides {
                for t in o.get_ref().targets.get_ref() {
                    if let Target::Ou(path) = t.get_ref() {
                        scope.member_ous.push(path.clone());
                    }
                }
            }
        }
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        let Some(section) = section else {
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
        import::import(cx)
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

#[cfg(test)]
mod tests;
