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
use super::common::org_policy::{self, Desired, Importer, Recognised, Setup};
use super::import::Toml;
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{AccountId, PolicyName, Target};

pub struct Rcps;

const TYPE: PolicyType = PolicyType::Rcp;
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
        section
            .custom
            .iter()
            .map(|c| (&c.get_ref().file, PolicyKind::Rcp))
            .collect()
    }

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        let src = &baseline.source;
        let section = &baseline.file.rcp;
        org_policy::duplicate_names(src, "RCP", section.custom.iter().map(|c| &c.get_ref().name), diags);
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
        org_policy::validate(baseline, TYPE, &desired(baseline, None), diags);
    }

    fn scope(baseline: &Baseline, scope: &mut ReadScope) {
        org_policy::scope(scope, TYPE, &desired(baseline, None));
    }

    fn describe(baseline: &Baseline, out: &mut Description) {
        let desired = desired(baseline, None);
        if baseline.file.rcp.org_only.is_some() {
            out.text.push_str(&format!(
                "\n`{ORG_ID_PLACEHOLDER}` stands for the organization's id, filled in when plinth plans\n"
            ));
        }
        org_policy::describe(baseline, TYPE, &desired, &mut out.text);
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        let desired = desired(cx.baseline, Some(&cx.observed.org.organization_id));
        let setup = Setup {
            kind: Self::NAME,
            policy_type: TYPE,
            group: None,
            trusted_access: None,
        };
        org_policy::plan(cx, plan, setup, &desired)
    }

    /// plinth's generated RCPs recognised, every other customer managed RCP as a file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let importer = Importer {
            policy_type: TYPE,
            custom_table: Some("rcp.custom".to_owned()),
            type_key: None,
        };
        let out = importer.run(cx, |name, document, attach| recognise(cx, name, document, attach));
        async { Ok(out) }
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
    #[schemars(with = "Vec<CustomRcp>")]
    pub custom: Vec<Spanned<CustomRcp>>,
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

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomRcp {
    #[schemars(with = "PolicyName")]
    pub name: Spanned<PolicyName>,
    /// Relative to the baseline file.
    #[schemars(with = "PathBuf")]
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

fn services(declared: Option<&Spanned<Vec<RcpService>>>) -> Vec<RcpService> {
    declared.map_or_else(|| DEFAULT_SERVICES.to_vec(), |s| s.get_ref().clone())
}

/// Every RCP the baseline declares; `org_only` names the organization (a placeholder of
/// the longest id's length while no organization is known).
pub fn desired(baseline: &Baseline, organization_id: Option<&str>) -> Vec<Desired> {
    let section = &baseline.file.rcp;
    let mut out = Vec::new();
    if let Some(t) = &section.enforce_tls {
        let doc = generated::enforce_tls(&services(t.get_ref().services.as_ref()));
        out.push(Desired::new(
            Rcps::NAME,
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
            Rcps::NAME,
            "org_only",
            ORG_ONLY,
            "Managed by plinth: only this organization's principals reach these services' resources",
            doc,
            o.get_ref().attach.get_ref(),
            o.span(),
        ));
    }
    for custom in &section.custom {
        let c = custom.get_ref();
        let Some(file) = baseline.policy_file(&c.file) else {
            continue;
        };
        out.push(Desired::new(
            Rcps::NAME,
            format!("custom.{}", c.name.get_ref()),
            c.name.get_ref().to_string(),
            c.description
                .clone()
                .unwrap_or_else(|| format!("Managed by plinth: {}", c.file.get_ref().display())),
            file.document.clone(),
            c.attach.get_ref(),
            custom.span(),
        ));
    }
    out
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

fn comment(part: &mut Toml, live: &Value, want: &Value) {
    if crate::policy::normalize::equivalent(live, want) {
        part.comment("recognised: plinth generates exactly this document from these values");
    } else {
        part.comment("the live content differs from what plinth generates for these values: the plan updates it");
    }
}
