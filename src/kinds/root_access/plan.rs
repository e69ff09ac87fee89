//! The root access plan: trusted access and the two features, then, from the audit, one
//! `-` change per credential of each member account's root user when
//! `remove_root_credentials` asks, except the accounts `keep_root_credentials` names.

use std::collections::BTreeSet;

use super::{AccountAudit, PRINCIPAL, RootAccess, RootAccessSection, RootAccessState, scp_check};
use crate::diag::Diagnostics;
use crate::kinds::common::placement;
use crate::kinds::{Baseline, Context, Kind};
use crate::observed::{RootAudit, RootCredentials};
use crate::plan::{Action, Address, Change, Op, Plan, Ref, RootAccessOp};
use toml::Spanned;

/// Plan `[root_access]`: trusted access, the features, then the audit's findings (a note,
/// a warning or one `-` change per credential) for each member account.
pub(super) fn plan_root_access(
    cx: &Context<'_>,
    section: &Option<Spanned<RootAccessSection>>,
    plan: &mut Plan,
) -> Result<(), Diagnostics> {
    let Some(section) = section else {
        return Ok(());
    };
    let s = section.get_ref();
    let observed = &cx.observed.root_access;
    let org = &cx.observed.org;
    let mut deps = vec![];
    let wants_features = s.credentials_management || s.root_sessions;
    if wants_features && !observed.trusted_access {
        deps.push(crate::kinds::common::trusted_access::enable(
            plan,
            &Address::kind_root(RootAccess::NAME),
            PRINCIPAL,
            "centralized root access needs it",
        ));
    }
    enable_features(s, observed, &deps, plan);
    plan.notes.push(format!(
        "the management account's root user ({}) is yours to secure: plinth never audits or changes it",
        org.management_account_id
    ));
    if s.root_sessions {
        scp_warnings(cx.baseline, plan);
    }
    let kept = kept_accounts(cx, s, plan)?;
    if !observed.audited {
        if observed.features.root_sessions {
            plan.notes.push("member accounts' root users were not audited in this run: `--repair` names other kinds".into());
        } else if s.root_sessions {
            plan.notes.push(
                "member accounts' root users are audited once root sessions are on: plan again after this apply".into(),
            );
        }
        return Ok(());
    }
    plan.notes.push(format!(
        "audited the root users of {n} member accounts: {n} `sts:AssumeRoot` sessions and {} IAM reads",
        4 * observed.audits.len(),
        n = observed.audits.len()
    ));
    let remove = *s.remove_root_credentials.get_ref();
    for AccountAudit { account, audit } in &observed.audits {
        let name = org
            .accounts
            .iter()
            .find(|a| a.id == *account)
            .map_or_else(|| account.clone(), |a| a.name.clone());
        match audit {
            RootAudit::Refused(why) => plan.warnings.push(format!(
                "account `{name}` ({account}): AWS refused the root session, so its root user's credentials are unknown: {why}"
            )),
            RootAudit::Credentials(creds) => {
                let found = Found {
                    account,
                    name: &name,
                    creds,
                };
                if kept.contains(account) {
                    found.note_kept(plan);
                } else {
                    found.plan_removal(remove, plan);
                }
            }
        }
    }
    Ok(())
}

/// Each feature the section asks for and the organization has off is enabled (after
/// trusted access, `deps`); one on that the section does not ask for is a note, since
/// plinth never turns a feature off.
fn enable_features(s: &RootAccessSection, observed: &RootAccessState, deps: &[Address], plan: &mut Plan) {
    for (wanted, live, key, op, what) in [
        (
            s.credentials_management,
            observed.features.credentials_management,
            "credentials_management",
            RootAccessOp::EnableOrganizationsRootCredentialsManagement,
            "root credentials management",
        ),
        (
            s.root_sessions,
            observed.features.root_sessions,
            "root_sessions",
            RootAccessOp::EnableOrganizationsRootSessions,
            "root sessions (privileged tasks through `sts:AssumeRoot`)",
        ),
    ] {
        if wanted && !live {
            plan.add(
                Change::new(
                    Address::kind_root(RootAccess::NAME).child(key),
                    Action::Enable,
                    format!("IAM's {what} is off for the organization"),
                    Op::RootAccess(op),
                )
                .depends_on(deps.to_vec()),
            );
        }
        if !wanted && live {
            plan.notes.push(format!(
                "IAM's {what} is on though `{key}` is not set; plinth never turns it off"
            ));
        }
    }
}

/// What the audit found on one member account's root user.
struct Found<'a> {
    /// The account's id.
    account: &'a str,
    /// Its live name (its id when the organization read does not have it).
    name: &'a str,
    creds: &'a RootCredentials,
}

impl Found<'_> {
    /// The credentials as plans list them.
    fn listed(&self) -> Vec<String> {
        self.creds.each().iter().map(|c| c.describe()).collect()
    }

    /// An account `keep_root_credentials` names: reported, never removed, so the audit
    /// still says what the root user has.
    fn note_kept(&self, plan: &mut Plan) {
        let (account, name) = (self.account, self.name);
        let list = self.listed();
        plan.notes.push(match list.is_empty() {
            true => format!(
                "account `{name}` ({account}) is in `keep_root_credentials`, but its root user has no credentials"
            ),
            false => format!(
                "keeps the root credentials of `{name}` ({account}): `keep_root_credentials`; the root user has {}",
                list.join(", ")
            ),
        });
    }

    /// Any other account: nothing when the root user has no credentials, a note when
    /// `remove_root_credentials` is off, else one `-` change per credential.
    fn plan_removal(&self, remove: bool, plan: &mut Plan) {
        let (account, name) = (self.account, self.name);
        let list = self.listed();
        if list.is_empty() {
            return;
        }
        if !remove {
            plan.notes.push(format!(
                "account `{name}` ({account}): the root user has {}; set `remove_root_credentials` to delete them",
                list.join(", ")
            ));
            return;
        }
        for credential in self.creds.each() {
            plan.add(
                Change::new(
                    // By the account's id: account names need not be unique.
                    Address::kind_root(RootAccess::NAME)
                        .child(account)
                        .child(credential.label()),
                    Action::Delete,
                    format!(
                        "the root user of account {account} has {}; `remove_root_credentials` deletes it",
                        credential.describe()
                    ),
                    Op::RootAccess(RootAccessOp::DeleteRootCredential {
                        account: account.to_owned(),
                        credential: credential.clone(),
                    }),
                )
                .before(Some(crate::plan::value(&credential))),
            );
        }
    }
}

/// The live ids of the accounts `keep_root_credentials` names. An account this plan
/// creates has no root credentials to keep yet; one that is neither live nor planned is
/// an error at its line, as every unknown target is. A name live names make ambiguous
/// keeps every account it could mean (and is blocked in the plan).
fn kept_accounts(cx: &Context<'_>, s: &RootAccessSection, plan: &mut Plan) -> Result<BTreeSet<String>, Diagnostics> {
    let mut kept = BTreeSet::new();
    let mut diags = Diagnostics::default();
    for t in &s.keep_root_credentials {
        match placement::target(cx, plan, t.get_ref()) {
            Ok((Ref::Id(id), _)) => {
                kept.insert(id);
            }
            Ok((Ref::Planned(_), _)) => {}
            Err(why) => {
                if let placement::Unresolved::Ambiguous { ids, .. } = &why {
                    kept.extend(ids.iter().cloned());
                }
                placement::report(cx, plan, &mut diags, t.get_ref(), t.span(), why);
            }
        }
    }
    diags.into_result(kept)
}

/// Warn when the baseline's own SCPs would make root sessions fail.
fn scp_warnings(baseline: &Baseline, plan: &mut Plan) {
    let scps = crate::kinds::cross::declared_scps(baseline);
    for scp in scps.iter().filter(|s| !s.attach.is_empty()) {
        let blocked = scp_check::blocked_actions(&scp.document);
        if blocked.is_empty() {
            continue;
        }
        plan.warnings.push(format!(
            "SCP `{}` denies {} without a condition: root sessions in the accounts it reaches cannot audit or delete root credentials; \
             except the root user (`\"Condition\": {{\"ArnNotLike\": {{\"aws:PrincipalArn\": \"arn:aws:iam::*:root\"}}}}`)",
            scp.name,
            blocked.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        ));
    }
}

