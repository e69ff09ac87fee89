//! What a target itself is ([`target`]), and how an unresolved one is reported
//! ([`report`]): an unknown target stops the plan, an ambiguous one is blocked in it.

use super::Unresolved;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::{Context, account, organizational_units};
use crate::observed::Resolved;
use crate::plan::{Address, Blocked, Plan, Ref};
use crate::types::Target;

/// A target itself: its live id, or the change of this plan that creates it (an OU, or
/// an account, which must also be in its OU before anything is attached to it), with
/// the changes to wait for. `Err` says why there is none, or why live names leave it
/// ambiguous. An `account:<name>` declared in `[[account]]` means that declaration's
/// account (matched by id or e-mail), whatever live accounts are named.
pub fn target(cx: &Context<'_>, plan: &Plan, target: &Target) -> Result<(Ref, Vec<Address>), Unresolved> {
    if let Target::Account(name) = target
        && let Some(found) = declared_account(cx, plan, name)
    {
        return found;
    }
    match cx.observed.org.resolve(target) {
        Resolved::Id(id) => Ok((Ref::Id(id), vec![])),
        Resolved::Ambiguous { ids, why } => Err(Unresolved::Ambiguous { ids, why }),
        Resolved::Unknown(why) => {
            let planned = match target {
                Target::Ou(path) => {
                    let addr = organizational_units::address(path);
                    plan.find(&addr).map(|_| (addr.clone(), vec![addr]))
                }
                Target::Account(_) | Target::Root => None,
            };
            match planned {
                Some((addr, deps)) => Ok((Ref::Planned(addr), deps)),
                None => Err(Unresolved::Unknown(why)),
            }
        }
    }
}

/// The account an `[[account]]` of this name is: live (by id or e-mail), or created by
/// this plan; `None` when no `[[account]]` has the name.
pub(super) fn declared_account(
    cx: &Context<'_>,
    plan: &Plan,
    name: &str,
) -> Option<Result<(Ref, Vec<Address>), Unresolved>> {
    let decl = cx
        .baseline
        .file
        .account
        .iter()
        .find(|d| d.get_ref().name.get_ref().as_str() == name)?;
    let decl = decl.get_ref();
    let org = &cx.observed.org;
    Some(match account::lookup(org, decl) {
        account::Match::Live(a) => Ok((Ref::Id(a.id.clone()), account::moves(plan, name))),
        account::Match::NameOnly(others) => Err(Unresolved::Ambiguous {
            ids: others.iter().map(|a| a.id.clone()).collect(),
            why: account::name_only(decl, &others),
        }),
        account::Match::Missing => match account::planned(plan, name) {
            Some((addr, deps)) => Ok((Ref::Planned(addr), deps)),
            None => Err(Unresolved::Unknown(format!(
                "the `[[account]]` named `{name}` is not in the organization and this plan does not create it"
            ))),
        },
    })
}

/// Report a target that does not resolve: an unknown one is the baseline's mistake, an
/// error that stops the plan (`diags`); an ambiguous one is the live names' doing, so the
/// target is recorded in the plan as blocked and the rest of the plan goes ahead.
pub fn report(
    cx: &Context<'_>,
    plan: &mut Plan,
    diags: &mut Diagnostics,
    target: &Target,
    span: std::ops::Range<usize>,
    why: Unresolved,
) {
    match why {
        Unresolved::Unknown(why) => diags.push(unknown_target(cx, target, span, &why)),
        Unresolved::Ambiguous { ids, why } => {
            let (line, col) = cx.baseline.source.line_col(span.start);
            plan.block(Blocked {
                target: target.to_string(),
                at: format!("{}:{line}:{col}", cx.baseline.source.path.display()),
                error: why,
                ids,
                hint: None,
            });
        }
    }
}

/// The error for a target that is neither live nor created by this plan.
pub fn unknown_target(cx: &Context<'_>, target: &Target, span: std::ops::Range<usize>, why: &str) -> Diagnostic {
    let d = Diagnostic::error(format!("unknown target `{target}`"))
        .at(&cx.baseline.source, span)
        .cause(why.to_owned());
    match target {
        Target::Ou(path) => match closest_ou(cx, path.as_str()) {
            Some(near) => d.hint(format!(
                "did you mean `ou:{near}`? Otherwise declare it as `[[organizational_units]] path = \"{path}\"` to have plinth create it"
            )),
            None => d.hint(format!(
                "declare it as `[[organizational_units]] path = \"{path}\"` to have plinth create it, or fix the path (paths start below the root)"
            )),
        },
        Target::Account(_) => d.hint("name an account of this organization by its 12-digit id or its exact name"),
        Target::Root => d,
    }
}

/// For `plinth validate`, which reads nothing live: each `ou:` target of the baseline that
/// no `[[organizational_units]]` declares but that is close to one that does (a likely
/// typo, which only `plan` would report, as an unknown OU), as a warning.
pub fn near_misses(baseline: &crate::kinds::Baseline) -> Vec<String> {
    let declared: Vec<String> = baseline
        .file
        .organizational_units
        .iter()
        .map(|o| o.path.get_ref().to_string())
        .collect();
    let Ok(tree) = toml::from_str::<toml::Value>(&baseline.source.text) else {
        return Vec::new();
    };
    let mut targets = std::collections::BTreeSet::new();
    collect_ou_targets(&tree, &mut targets);
    targets
        .into_iter()
        .filter(|t| !declared.iter().any(|d| d == t))
        .filter_map(|t| {
            let lower = t.to_lowercase();
            let near = declared
                .iter()
                .filter(|d| d.chars().count().abs_diff(t.chars().count()) <= 2)
                .map(|d| (strsim::damerau_levenshtein(&d.to_lowercase(), &lower), d))
                .filter(|(n, _)| *n <= 2)
                .min()?
                .1;
            Some(format!(
                "`ou:{t}` is not declared in `[[organizational_units]]`: did you mean `ou:{near}`? (plan accepts it only if the OU exists)"
            ))
        })
        .collect()
}

/// Every string of `value` that is an `ou:` target, its path.
fn collect_ou_targets(value: &toml::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        toml::Value::String(s) => {
            if let Some(path) = s.strip_prefix("ou:") {
                out.insert(path.to_owned());
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_ou_targets(v, out)),
        toml::Value::Table(table) => table.values().for_each(|v| collect_ou_targets(v, out)),
        _ => {}
    }
}

/// The OU path most like `path` (a typo's fix), among those the baseline declares and the
/// live ones a path names alone, if one is close: at most two edits, or a different case.
fn closest_ou(cx: &Context<'_>, path: &str) -> Option<String> {
    let org = &cx.observed.org;
    let declared = cx
        .baseline
        .file
        .organizational_units
        .iter()
        .map(|o| o.path.get_ref().to_string());
    let live = org
        .ous
        .iter()
        .filter_map(|o| org.plain_path(&o.id))
        .map(|p| p.to_string());
    let lower = path.to_lowercase();
    // Only paths of about the same length are compared: two edits change it by two at
    // most, and the distance costs the product of the lengths.
    declared
        .chain(live)
        .filter(|p| p != path && p.chars().count().abs_diff(path.chars().count()) <= 2)
        .map(|p| (strsim::damerau_levenshtein(&p.to_lowercase(), &lower), p))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, p)| p)
}

/// A linked account: its live id, or the reference to the account this plan creates and
/// the changes to wait for.
pub type Linked = (Option<String>, Option<Ref>, Vec<Address>);

/// The account a per-account resource filters on (a billing alarm's or a budget's
/// `LinkedAccount`), if it names one, by id or name: its live id; or, for an account this
/// plan creates, no id yet but the reference the apply resolves and the changes to wait
/// for. `Err` is a diagnostic pointing at the name: the account is not in the
/// organization. `Ok(None)`: live names make it ambiguous; it is blocked in the plan, and
/// the resource is left as it is.
pub fn linked_account(
    cx: &Context<'_>,
    plan: &mut Plan,
    account: Option<&toml::Spanned<String>>,
    what: &str,
) -> Result<Option<Linked>, Diagnostic> {
    let Some(account) = account else {
        return Ok(Some((None, None, vec![])));
    };
    let t = Target::Account(account.get_ref().clone());
    match target(cx, plan, &t) {
        Ok((Ref::Id(id), _)) => Ok(Some((Some(id), None, vec![]))),
        Ok((planned @ Ref::Planned(_), deps)) => Ok(Some((None, Some(planned), deps))),
        Err(Unresolved::Unknown(why)) => Err(Diagnostic::error(format!(
            "unknown account `{}` in {what}",
            account.get_ref()
        ))
        .at(&cx.baseline.source, account.span())
        .cause(why)
        .hint("name an account of this organization by its 12-digit id or its exact name")),
        Err(ambiguous) => {
            let mut none = Diagnostics::default();
            report(cx, plan, &mut none, &t, account.span(), ambiguous);
            Ok(None)
        }
    }
}
