//! `plinth import` for `[contacts]`.

use super::{Contacts, PRINCIPAL, differences};
use crate::aws::account::ContactKey;
use crate::diag::Diagnostics;
use crate::kinds::Kind;
use crate::kinds::import::{ImportCx, Imported};
use crate::observed::{ContactSpec, ContactType};

/// The management account's contacts as the section's; every other account whose
/// contacts differ gets an `account:` override (with trusted access: AWS shows members'
/// contacts only then).
pub(super) async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
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
