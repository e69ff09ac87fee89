//! Resource control policies: the organization's data perimeter, enforced on the
//! resources in member accounts whoever calls. Generated ones ([`generated`]: TLS only,
//! this organization's principals only) and the user's own files, attached to the root,
//! OUs or accounts, planned by the shared engine (`common::org_policy`) with the RCP
//! type's rules: `RCPFullAWSAccess` on every target, counted and never detached; the
//! management account never restricted.

pub mod generated;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use self::generated::{DEFAULT_SERVICES, RcpService};
use super::common::org_policy::{
    self, CustomPolicy, CustomSchema, CustomTable, Desired, OrgPolicyKind, Recognised, kind,
};
use super::import::Toml;
use super::{Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{AccountId, Target};

pub struct Rcps;

const ENFORCE_TLS: &str = "plinth-rcp-enforce-tls";
const ORG_ONLY: &str = "plinth-rcp-org-only";
/// Stands for the organization's id where it is not known yet (`plinth validate`): as
/// long as the longest id AWS gives, so the size check is never too lenient.
const ORG_ID_PLACEHOLDER: &str = "o-exampleorgid0000000000000000000";

impl Kind for Rcps {
    const NAME: &'static str = "rcp";
    const GUARDRAIL: bool = true;
    type Section = RcpSection;
    type Schema = RcpSection;
    type State = ();
    const IAM: IamActions = org_policy::IAM;

    fn policy_files(section: &RcpSection) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        kind::policy_files::<Self>(section)
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        kind::validate::<Self>(baseline, section, diags);
    }

    fn scope(baseline: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        kind::scope::<Self>(baseline, section, scope);
    }

    fn describe(baseline: &Baseline, section: &Self::Section, out: &mut Description) {
        if section.org_only.is_some() {
            out.text.push_str(&format!(
                "\n`{ORG_ID_PLACEHOLDER}` stands for the organization's id, filled in when plinth plans\n"
            ));
        }
        kind::describe::<Self>(baseline, section, out);
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        kind::plan::<Self>(cx, section, plan)
    }

    /// plinth's generated RCPs recognised, every other customer managed RCP as a file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = kind::import::<Self>(cx);
        async { Ok(out) }
    }
}

/// The data perimeter's generated RCPs, then `[[rcp.custom]]`.
impl OrgPolicyKind for Rcps {
    const TYPE: PolicyType = PolicyType::Rcp;
    const CUSTOM: Option<CustomTable> = Some(CustomTable {
        key: Some("custom"),
        schema_name: "CustomRcp",
        file: None,
        about: None,
    });

    fn section(file: &BaselineFile) -> &RcpSection {
        &file.rcp
    }

    fn custom(section: &RcpSection) -> &[Spanned<CustomPolicy>] {
        &section.custom
    }

    /// `org_only` names the organization (a placeholder of the longest id's length while
    /// no organization is known).
    fn generated(_: &Baseline, section: &RcpSection, organization_id: Option<&str>, _: &mut Vec<String>) -> Vec<Desired> {
        let mut out = Vec::new();
        if let Some(t) = &section.enforce_tls {
            let doc = generated::enforce_tls(&services(t.get_ref().services.as_ref()));
            out.push(Desired::new(
                Self::NAME,
                "enforce_tls",
                ENFORCE_TLS,
                "Managed by plinth: requests to these services' resources only over TLS",
                doc,
                t.get_ref().attach.get_ref(),
                t.span(),
            ));
        }
        if let Some(o) = &section.org_only {
            let trusted: Vec<String> = o.get_ref().trusted_accounts.iter().map(|a| a.get_ref().to_string()).collect();
            let doc = generated::org_only(
                &services(o.get_ref().services.as_ref()),
                organization_id.unwrap_or(ORG_ID_PLACEHOLDER),
                &trusted,
            );
            out.push(Desired::new(
                Self::NAME,
                "org_only",
                ORG_ONLY,
                "Managed by plinth: only this organization's principals reach these services' resources",
                doc,
                o.get_ref().attach.get_ref(),
                o.span(),
            ));
        }
        out
    }

    fn check(baseline: &Baseline, section: &RcpSection, diags: &mut Diagnostics) {
        let src = &baseline.source;
        for (services, span) in [
            section.enforce_tls.as_ref().map(|s| (&s.get_ref().services, s.span())),
            section.org_only.as_ref().map(|s| (&s.get_ref().services, s.span())),
        ]
        .into_iter()
        .flatten()
        {
            if services.as_ref().is_some_and(|s| s.get_ref().is_empty()) {
                diags.push(
                    Diagnostic::error("`services` is empty: the RCP would protect nothing")
                        .at(src, services.as_ref().map_or(span, Spanned::span))
                        .hint("leave `services` out for s3, sts, kms, sqs and secretsmanager, or list the services"),
                );
            }
        }
    }

    /// A live RCP as the baseline would declare it.
    fn recognise(cx: &ImportCx<'_>, name: &str, document: &Value, attach: &[String]) -> Recognised {
        let svc = generated::services_of(document);
        if svc.is_empty() {
            // Named like plinth's but naming no service it knows: nothing a section could say.
            return Recognised::Custom;
        }
        let (table, trusted, want) = match name {
            ENFORCE_TLS => ("rcp.enforce_tls", vec![], generated::enforce_tls(&svc)),
            ORG_ONLY => {
                let listed = &document["Statement"][0]["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalAccount"];
                let trusted: Vec<String> = match listed {
                    Value::String(a) => vec![a.clone()],
                    Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                    _ => vec![],
                };
                // Values the baseline would reject are left out; the plan then shows them.
                let trusted: Vec<String> = trusted.into_iter().filter(|a| AccountId::parse(a).is_ok()).collect();
                let want = generated::org_only(&svc, &cx.org.organization_id, &trusted);
                ("rcp.org_only", trusted, want)
            }
            _ => return Recognised::Custom,
        };
        let mut part = Toml::default();
        part.table(table);
        comment(&mut part, document, &want);
        let mut default = DEFAULT_SERVICES.to_vec();
        default.sort();
        if svc != default {
            let services: Vec<&str> = svc.iter().map(|s| s.prefix()).collect();
            part.strings("services", &services);
        }
        if !trusted.is_empty() {
            part.strings("trusted_accounts", &trusted);
        }
        part.strings("attach", attach);
        Recognised::Generated(part)
    }
}

/// `[rcp]`: resource control policies.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RcpSection {
    /// Deny any request to the services' resources that does not come over TLS.
    #[schemars(with = "Option<EnforceTls>")]
    pub enforce_tls: Option<Spanned<EnforceTls>>,
    /// Only principals of this organization (and AWS services acting for it, and the
    /// trusted accounts) reach the services' resources.
    #[schemars(with = "Option<OrgOnly>")]
    pub org_only: Option<Spanned<OrgOnly>>,
    /// Your own RCPs, from JSON files.
    #[serde(default)]
    #[schemars(with = "Vec<CustomSchema<Rcps>>")]
    pub custom: Vec<Spanned<CustomPolicy>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnforceTls {
    /// Services covered; default s3, sts, kms, sqs, secretsmanager.
    #[schemars(with = "Option<Vec<RcpService>>")]
    pub services: Option<Spanned<Vec<RcpService>>>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgOnly {
    /// Services covered; default s3, sts, kms, sqs, secretsmanager.
    #[schemars(with = "Option<Vec<RcpService>>")]
    pub services: Option<Spanned<Vec<RcpService>>>,
    /// Accounts outside the organization that may still reach its resources.
    #[serde(default)]
    #[schemars(with = "Vec<AccountId>")]
    pub trusted_accounts: Vec<Spanned<AccountId>>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

fn services(declared: Option<&Spanned<Vec<RcpService>>>) -> Vec<RcpService> {
    declared.map_or_else(|| DEFAULT_SERVICES.to_vec(), |s| s.get_ref().clone())
}

fn comment(part: &mut Toml, live: &Value, want: &Value) {
    if crate::policy::normalize::equivalent(live, want) {
        part.comment("recognised: plinth generates exactly this document from these values");
    } else {
        part.comment("the live content differs from what plinth generates for these values: the plan updates it");
    }
}
