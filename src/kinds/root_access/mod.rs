//! `[root_access]`: IAM's centralized root access for member accounts. plinth gives
//! `iam.amazonaws.com` trusted access, turns on root credentials management (accounts
//! without root credentials) and root sessions (privileged tasks through short
//! `sts:AssumeRoot` sessions), then audits every member account's root user in such a
//! session and, with `remove_root_credentials`, deletes what it finds: one `-` change per
//! credential, applied only on approval like every change, except in the accounts
//! `keep_root_credentials` names (a break-glass account). The management account's own
//! root user is never touched.

mod plan;
mod scp_check;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::iam::{Condition, Names, Phase, Scope};
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx};
use crate::aws::root_access::{AUDIT_TASK, DELETE_TASK};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{OrgState, RootAudit, RootFeatures};
use crate::plan::Plan;
use crate::types::Target;

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
    /// and MFA devices (needs `root_sessions`), except in the accounts
    /// `keep_root_credentials` names.
    #[schemars(with = "bool")]
    #[serde(default = "off")]
    pub remove_root_credentials: Spanned<bool>,
    /// Accounts whose root credentials `remove_root_credentials` leaves in place, such as a
    /// break-glass account: `account:<id>` (best: an id never changes) or
    /// `account:<name>`. Their root users are still audited and what they have is listed.
    #[schemars(with = "Vec<KeptAccount>")]
    #[serde(default)]
    pub keep_root_credentials: Vec<Spanned<Target>>,
}

/// An entry of `keep_root_credentials`, for the schema: one account, never an OU or the root.
struct KeptAccount;

impl schemars::JsonSchema for KeptAccount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "KeptAccount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^account:.+$",
            "description": "`account:<id or name>`: one account whose root credentials are kept"
        })
    }
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

/// `sts:AssumeRoot` names no resource plinth can narrow further: the member account is
/// any the organization holds. Nothing when the baseline has no `[root_access]`.
fn any_member_root(n: &Names<'_>) -> Vec<String> {
    if n.baseline.is_some_and(|b| b.root_access.is_none()) {
        return Vec::new();
    }
    vec!["*".to_owned()]
}

fn removal_root(n: &Names<'_>) -> Vec<String> {
    let removes = |b: &super::BaselineFile| {
        b.root_access
            .as_ref()
            .is_some_and(|r| *r.get_ref().remove_root_credentials.get_ref())
    };
    if n.baseline.is_some_and(|b| !removes(b)) {
        return Vec::new();
    }
    vec!["*".to_owned()]
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
        ],
        apply: &[
            "organizations:EnableAWSServiceAccess",
            "iam:EnableOrganizationsRootCredentialsManagement",
            "iam:EnableOrganizationsRootSessions",
        ],
        delete: &[],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }
    /// A root session in a member account only with AWS's root-task policies plinth uses:
    /// the audit for a plan, the deletion of credentials for an apply that removes them.
    const SCOPES: &'static [Scope] = &[
        Scope {
            sid: "PlinthRootSessions",
            phase: Phase::Plan,
            actions: &["sts:AssumeRoot"],
            resources: any_member_root,
            condition: Some(Condition {
                operator: "StringEquals",
                key: "sts:TaskPolicyArn",
                values: &[AUDIT_TASK],
            }),
        },
        Scope {
            sid: "PlinthRootCredentialsRemoval",
            phase: Phase::Delete,
            actions: &["sts:AssumeRoot"],
            resources: removal_root,
            condition: Some(Condition {
                operator: "StringEquals",
                key: "sts:TaskPolicyArn",
                values: &[DELETE_TASK],
            }),
        },
    ];

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        let Some(section) = section else {
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
        for t in &s.keep_root_credentials {
            let hint = match t.get_ref() {
                Target::Account(_) => continue,
                Target::Root => "to keep every member account's root credentials, leave out `remove_root_credentials`",
                Target::Ou(_) => {
                    "name each account to keep, as `account:<id>`: an OU's accounts change whenever one is moved"
                }
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{}` in `keep_root_credentials`, which takes accounts only",
                    t.get_ref()
                ))
                .at(&baseline.source, t.span())
                .hint(hint),
            );
        }
    }

    fn describe(_: &Baseline, section: &Self::Section, out: &mut Description) {
        if let Some(section) = section {
            let s = section.get_ref();
            out.text.push_str(&format!(
                "root access: credentials management {}, root sessions {}, {}\n",
                on(s.credentials_management),
                on(s.root_sessions),
                match (*s.remove_root_credentials.get_ref(), s.keep_root_credentials.as_slice()) {
                    (false, _) => "member accounts' root credentials audited, kept".to_owned(),
                    (true, []) => "member accounts' root credentials deleted".to_owned(),
                    (true, kept) => format!(
                        "member accounts' root credentials deleted, except those of {}",
                        kept.iter().map(|t| format!("`{}`", t.get_ref())).collect::<Vec<_>>().join(", ")
                    ),
                }
            ));
            if !s.keep_root_credentials.is_empty() && !*s.remove_root_credentials.get_ref() {
                out.warnings.push(
                    "`keep_root_credentials` changes nothing without `remove_root_credentials`: no root credentials are deleted".into(),
                );
            }
        }
    }

    async fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> Result<RootAccessState, Diagnostics> {
        if section.is_none() {
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
    async fn observe_accounts(cx: &ObserveCx<'_>, section: &Self::Section, org: &OrgState, state: &mut RootAccessState) -> Result<(), Diagnostics> {
        if section.is_none() || !state.features.root_sessions {
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

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan::plan_root_access(cx, section, plan)
    }

    /// The features that are on; `remove_root_credentials` is a choice, never imported.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        import(cx)
    }
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
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
