//! `[contacts]`'s plan: who gets which contact (the section's, then the overrides, the
//! most specific target winning) and the change that sets each one that differs.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::{ContactDecl, Contacts, ContactsSection, ContactsState, LiveContact, PRINCIPAL, differences};
use super::section::ContactOverride;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::common::placement::{self, Needs, Placement, Unresolved};
use crate::kinds::{Context, Kind};
use crate::observed::{ContactSpec, ContactType};
use crate::plan::{AccountOp, Action, Address, Change, Op, Plan, Ref};
use crate::types::Target;

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

/// Plan `[contacts]`: trusted access when it is off, then for every account each declared
/// contact type that differs from the one it should get.
pub(super) fn plan_contacts(
    cx: &Context<'_>,
    section: &Option<toml::Spanned<super::ContactsSection>>,
    plan: &mut Plan,
) -> Result<(), Diagnostics> {
    let Some(section) = section else {
        return Ok(());
    };
    let section = section.get_ref();
    let observed = &cx.observed.contacts;
    if !observed.accounts_read {
        plan.notes.push("alternate contacts were not read in this run: `--repair` names other kinds".into());
        return Ok(());
    }
    let mut diags = Diagnostics::default();
    let mut deps = vec![];
    if !observed.trusted_access {
        deps.push(crate::kinds::common::trusted_access::enable(
            plan,
            &Address::kind_root(Contacts::NAME),
            PRINCIPAL,
            "setting member accounts' contacts needs it",
        ));
    }

    // Who gets which contact: the section's for every account, then the overrides, the
    // most specific target winning.
    let placement = Placement::new(cx, plan);
    let everyone = placement.expand(&Target::Root).unwrap_or_default();
    let mut assigned = Assigned::defaults(section, &everyone);
    for o in &section.overrides {
        for target in o.get_ref().targets.get_ref() {
            assigned.add_override(cx, plan, &placement, &mut diags, o.get_ref(), target);
        }
    }

    for (key, types) in &assigned.wanted {
        let Some(needs) = everyone.get(key) else {
            continue;
        };
        if assigned.untouched.contains(key) {
            continue;
        }
        plan_account(cx, plan, key, needs, types, &deps);
    }
    diags.into_result(())
}

/// Who gets which contact, as the section and its overrides say.
struct Assigned {
    /// By account key, each contact type's winning declaration.
    wanted: BTreeMap<String, BTreeMap<ContactType, Wanted>>,
    /// The accounts an override that live names make ambiguous could mean: none of them
    /// gets the default instead of it, so none gets a change.
    untouched: BTreeSet<String>,
}

impl Assigned {
    /// The section's own contacts, for every account of the organization (`everyone`).
    fn defaults(section: &ContactsSection, everyone: &BTreeMap<String, Needs>) -> Self {
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
        Assigned {
            wanted,
            untouched: BTreeSet::new(),
        }
    }

    /// One target of an override: its contacts for every account the target expands to.
    /// A target that means nothing is an error; an ambiguous one is reported and leaves
    /// the accounts it could mean untouched.
    fn add_override(
        &mut self,
        cx: &Context<'_>,
        plan: &mut Plan,
        placement: &Placement<'_>,
        diags: &mut Diagnostics,
        o: &ContactOverride,
        target: &Spanned<Target>,
    ) {
        let accounts = match placement.expand(target.get_ref()) {
            Ok(accounts) => accounts,
            Err(Unresolved::Unknown(why)) => {
                diags.push(
                    Diagnostic::error(format!("unknown target `{}` in `[[contacts.override]]`", target.get_ref()))
                        .at(&cx.baseline.source, target.span())
                        .cause(why)
                        .hint("name an OU by its path or an account by its 12-digit id or exact name"),
                );
                return;
            }
            Err(Unresolved::Ambiguous { ids, why }) => {
                // Which accounts the override means is unknown: none of those it
                // could mean gets the default instead of it.
                self.untouched.extend(placement.under(&ids));
                let why = Unresolved::Ambiguous { ids, why };
                placement::report(cx, plan, diags, target.get_ref(), target.span(), why);
                return;
            }
        };
        let rank = rank(target.get_ref());
        for key in accounts.keys() {
            for (t, decl) in o.declared() {
                self.offer(cx, diags, key, t, decl, rank);
            }
        }
    }

    /// One declaration for one account at a target's rank: it wins over a less specific
    /// one; two as specific as each other that differ are an error.
    fn offer(
        &mut self,
        cx: &Context<'_>,
        diags: &mut Diagnostics,
        key: &str,
        t: ContactType,
        decl: &Spanned<ContactDecl>,
        rank: usize,
    ) {
        let src = &cx.baseline.source;
        let spec = decl.get_ref().spec();
        let types = self.wanted.entry(key.to_owned()).or_default();
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

/// The changes of one account (`key`, created or found as `needs` says): one per contact
/// type whose live contact is not the one it gets, after trusted access (`deps`) unless
/// the account is the management account.
fn plan_account(
    cx: &Context<'_>,
    plan: &mut Plan,
    key: &str,
    (reference, account_deps): &Needs,
    types: &BTreeMap<ContactType, Wanted>,
    deps: &[Address],
) {
    let management = cx.observed.org.management_account_id.as_str();
    let name = name_of(cx, key);
    // A live account by its id (account names need not be unique, and a live name
    // steers nothing), one this plan creates by its declared name.
    let target = match cx.observed.org.accounts.iter().any(|a| a.id == *key) {
        true => key,
        false => name.as_str(),
    };
    for (t, w) in types {
        let want = w.spec.clone();
        let address = Address::kind_root(Contacts::NAME)
            .child(t)
            .to(format_args!("account:{target}"));
        let (account, mut change_deps) = match reference {
            Ref::Id(id) if id == management => (None, vec![]),
            r => (Some(r.clone()), deps.to_vec()),
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
            Ref::Id(id) => match live_change(&cx.observed.contacts, id, *t, &want, address, op) {
                Some(change) => change,
                None => continue,
            },
        };
        plan.add(
            change
                .after(Some(shown(&want)))
                .depends_on(change_deps),
        );
    }
}

/// The change that sets contact type `t` of live account `id` to `want`: a create when it
/// has none or it cannot be read, an update listing the differences, `None` when it is
/// already the baseline's.
fn live_change(
    observed: &ContactsState,
    id: &str,
    t: ContactType,
    want: &ContactSpec,
    address: Address,
    op: Op,
) -> Option<Change> {
    Some(match observed.contacts.iter().find(|l| l.account == *id && l.contact_type == t) {
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
            let differences = differences(live, want);
            if differences.is_empty() {
                return None;
            }
            Change::new(address, Action::Update, differences.join("; "), op).before(Some(shown(live)))
        }
    })
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
    crate::kinds::cross::account_created_at(cx.baseline, key)
        .unwrap_or(key)
        .to_owned()
}
