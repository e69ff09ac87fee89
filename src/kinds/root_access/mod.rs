//! `[root_access]`: IAM's centralized root access for member accounts. plinth gives
//! `iam.amazonaws.com` trusted access, turns on root credentials management (accounts
//! without root credentials) and root sessions (privileged tasks through short
//! `sts:AssumeRoot` sessions), then audits every member account's root user in such a
//! session and, with `remove_root_credentials`, deletes what it finds: one `-` change per
//! credential, applied only on approval like every change. The management account's own
//! root user is never touched.

mod scp_check;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{OrgState, RootAudit, RootFeatures};
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, RootAccessOp};

pub struct RootAccess;

/// The service principal IAM's centralized root access needs trusted access for.
pub const PRINCIPAL: &str = "iam.amazonaws.com";

/// `[root_access]`: centralized root access for member accounts.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootAccessSection {
    /// Member accounts are created without root credentials; their root users can be
    /// audited and their credentials deleted centrally.
    #[serde(default)]
    pub credentials_management: bool,
    /// Privileged tasks in member accounts through short `sts:AssumeRoot` sessions, instead
    /// of signing in as root. plinth's audit uses them.
    #[serde(default)]
    pub root_sessions: bool,
    /// Delete every member account's root user password, access keys, signing certificates
    /// and MFA devices (needs `root_sessions`).
    #[schemars(with = "bool")]
    #[serde(default = "off")]
    pub remove_root_credentials: Spanned<bool>,
}

fn off() -> Spanned<bool> {
    Spanned::new(0..0, false)
}

/// What `[root_access]` reads: trusted access, the features, and (with root sessions on)
/// each member account's root user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootAccessState {
    pub trusted_access: bool,
    pub features: RootFeatures,
    /// Whether member accounts were audited (root sessions on, and the run reads them).
    pub audited: bool,
    pub audits: Vec<AccountAudit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountAudit {
    pub account: String,
    pub audit: RootAudit,
}

impl Kind for RootAccess {
    const NAME: &'static str = "root_access";
    type Section = Option<Spanned<RootAccessSection>>;
    type Schema = RootAccessSection;
    type State = RootAccessState;
    /// The IAM reads and deletes in member accounts are allowed by AWS's root-task policies
    /// (`IAMAuditRootUserCredentials`, `IAMDeleteRootUserCredentials`), not by plinth's own.
    const IAM: IamActions = IamActions {
        plan: &[
            "organizations:ListAWSServiceAccessForOrganization",
            "iam:ListOrganizationsFeatures",
            "sts:AssumeRoot",
        ],
        apply: &[
            "organizations:EnableAWSServiceAccess",
            "iam:EnableOrganizationsRootCredentialsManagement",
            "iam:EnableOrganizationsRootSessions",
        ],
    };

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        let Some(section) = &baseline.file.root_access else {
            return;
        };
        let s = section.get_ref();
        if *s.remove_root_credentials.get_ref() && !s.root_sessions {
            diags.push(
                Diagnostic::error("`remove_root_credentials` needs `root_sessions`")
                    .at(&baseline.source, s.remove_root_credentials.span())
                    .hint("plinth deletes root credentials in `sts:AssumeRoot` sessions: set `root_sessions = true`"),
            );
        }
    }

    fn describe(baseline: &Baseline, out: &mut Description) {
        if let Some(section) = &baseline.file.root_access {
            let s = section.get_ref();
            out.text.push_str(&format!(
                "root access: credentials management {}, root sessions {}, {}\n",
                on(s.credentials_management),
                on(s.root_sessions),
                if *s.remove_root_credentials.get_ref() {
                    "member accounts' root credentials deleted"
                } else {
                    "member accounts' root credentials audited, kept"
                }
            ));
        }
    }

    async fn observe(cx: &ObserveCx<'_>) -> Result<RootAccessState, Diagnostics> {
        if cx.baseline.file.root_access.is_none() {
            return Ok(RootAccessState::default());
        }
        let c = cx.clients;
        let fail = |e| c.failure("cannot read IAM's centralized root access", e);
        let trusted_access = c.organizations.has_trusted_access(PRINCIPAL).await.map_err(fail)?;
        // Without trusted access AWS refuses the features' read: none are on.
        let features = match trusted_access {
            true => c.root_access.features().await.map_err(fail)?,
            false => RootFeatures::default(),
        };
        Ok(RootAccessState {
            trusted_access,
            features,
            ..RootAccessState::default()
        })
    }

    /// Every active member account's root user, in `AssumeRoot` sessions (root sessions
    /// must be on); an account where AWS refuses is reported and the others go on.
    async fn observe_accounts(cx: &ObserveCx<'_>, org: &OrgState, state: &mut RootAccessState) -> Result<(), Diagnostics> {
        if cx.baseline.file.root_access.is_none() || !state.features.root_sessions {
            return Ok(());
        }
        let members: Vec<String> = org
            .accounts
            .iter()
            .filter(|a| !a.suspended && a.id != org.management_account_id.as_str())
            .map(|a| a.id.clone())
            .collect();
        let mut audits = cx
            .clients
            .root_access
            .audit(members)
            .await
            .map_err(|e| cx.clients.failure("cannot audit the member accounts' root users", e))?;
        audits.sort_by(|a, b| a.0.cmp(&b.0));
        state.audited = true;
        state.audits = audits
            .into_iter()
            .map(|(account, audit)| AccountAudit { account, audit })
            .collect();
        Ok(())
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_root_access(cx, plan);
        Ok(())
    }

    /// The features that are on; `remove_root_credentials` is a choice, never imported.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        import(cx)
    }
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn at(name: String) -> Address {
    Address::new(RootAccess::NAME, name)
}

fn plan_root_access(cx: &Context<'_>, plan: &mut Plan) {
    let Some(section) = &cx.baseline.file.root_access else {
        return;
    };
    let s = section.get_ref();
    let observed = &cx.observed.root_access;
    let org = &cx.observed.org;
    let name_of = |id: &str| {
        org.accounts
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    };
    let mut deps = vec![];
    let wants_features = s.credentials_management || s.root_sessions;
    if wants_features && !observed.trusted_access {
        let address = format!("{}.trusted_access", RootAccess::NAME);
        plan.changes.push(Change::new(
            at(address.clone()),
            Action::Enable,
            format!("`{PRINCIPAL}` has no trusted access to the organization; centralized root access needs it"),
            Op::Organizations(OrganizationsOp::EnableAwsServiceAccess {
                service_principal: PRINCIPAL.to_owned(),
            }),
        ));
        deps.push(address);
    }
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
            plan.changes.push(
                Change::new(
                    at(format!("{}.{key}", RootAccess::NAME)),
                    Action::Enable,
                    format!("IAM's {what} is off for the organization"),
                    Op::RootAccess(op),
                )
                .depends_on(deps.clone()),
            );
        }
        if !wanted && live {
            plan.notes.push(format!(
                "IAM's {what} is on though `{key}` is not set; plinth never turns it off"
            ));
        }
    }
    plan.notes.push(format!(
        "the management account's root user ({}) is yours to secure: plinth never audits or changes it",
        org.management_account_id
    ));
    if s.root_sessions {
        scp_warnings(cx.baseline, plan);
    }
    if !observed.audited {
        if observed.features.root_sessions {
            plan.notes.push("member accounts' root users were not audited in this run: `--repair` names other kinds".into());
        } else if s.root_sessions {
            plan.notes.push(
                "member accounts' root users are audited once root sessions are on: plan again after this apply".into(),
            );
        }
        return;
    }
    plan.notes.push(format!(
        "audited the root users of {n} member accounts: {n} `sts:AssumeRoot` sessions and {} IAM reads",
        4 * observed.audits.len(),
        n = observed.audits.len()
    ));
    let remove = *s.remove_root_credentials.get_ref();
    for AccountAudit { account, audit } in &observed.audits {
        let name = name_of(account);
        match audit {
            RootAudit::Refused(why) => plan.warnings.push(format!(
                "account `{name}` ({account}): AWS refused the root session, so its root user's credentials are unknown: {why}"
            )),
            RootAudit::Credentials(creds) => {
                let each = creds.each();
                if each.is_empty() {
                    continue;
                }
                if !remove {
                    let list: Vec<String> = each.iter().map(|c| c.describe()).collect();
                    plan.notes.push(format!(
                        "account `{name}` ({account}): the root user has {}; set `remove_root_credentials` to delete them",
                        list.join(", ")
                    ));
                    continue;
                }
                for credential in each {
                    plan.changes.push(
                        Change::new(
                            at(format!("{}.{name}.{}", RootAccess::NAME, credential.label())),
                            Action::Delete,
                            format!(
                                "the root user of account {account} has {}; `remove_root_credentials` deletes it",
                                credential.describe()
                            ),
                            Op::RootAccess(RootAccessOp::DeleteRootCredential {
                                account: account.clone(),
                                credential: credential.clone(),
                            }),
                        )
                        .before(serde_json::to_value(&credential).ok()),
                    );
                }
            }
        }
    }
}

/// Warn when the baseline's own SCPs would make root sessions fail.
fn scp_warnings(baseline: &Baseline, plan: &mut Plan) {
    let (scps, _) = crate::kinds::scp::desired::desired_scps(baseline);
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

async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let mut out = Imported::default();
    let c = cx.clients;
    let fail = |e| c.failure("cannot read IAM's centralized root access", e);
    if !c.organizations.has_trusted_access(PRINCIPAL).await.map_err(fail)? {
        return Ok(out);
    }
    let features = c.root_access.features().await.map_err(fail)?;
    if features.credentials_management || features.root_sessions {
        out.toml.table(RootAccess::NAME);
        if features.credentials_management {
            out.toml.raw("credentials_management", true);
        }
        if features.root_sessions {
            out.toml.raw("root_sessions", true);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
