//! Service control policies: generated ones (region deny, CloudTrail protection, deny
//! leaving the organization) and the user's own files, attached to the root, OUs or
//! accounts. [`desired`] derives the documents from the baseline; [`plan`] compares them
//! with what is live.

pub mod desired;
pub mod generated;
mod import;
pub mod plan;

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::common::org_policy;
use crate::plan::{Address, Plan};
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{PolicyName, PrincipalPattern, Region, Target};

pub struct Scps;

impl Kind for Scps {
    const NAME: &'static str = "scp";
    const GUARDRAIL: bool = true;
    type Section = ScpSection;
    type Schema = ScpSection;
    type State = ();
    const IAM: IamActions = org_policy::IAM;

    fn policy_files(section: &ScpSection) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        section
            .custom
            .iter()
            .map(|c| (&c.get_ref().file, PolicyKind::Scp))
            .collect()
    }

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        validate(baseline, diags);
    }

    /// Declared SCPs are read by name, and the targets they attach to.
    fn scope(baseline: &Baseline, scope: &mut ReadScope) {
        let (desired, _) = desired::desired_scps(baseline);
        org_policy::scope(scope, PolicyType::Scp, &desired);
    }

    /// plinth's generated SCPs recognised, every other customer managed SCP as a file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = import::import(cx);
        async { Ok(out) }
    }

    /// Each SCP's document as plinth will send it, with its size and targets.
    fn describe(baseline: &Baseline, out: &mut Description) {
        let (desired, warnings) = desired::desired_scps(baseline);
        out.warnings.extend(warnings);
        org_policy::describe(baseline, PolicyType::Scp, &desired, &mut out.text);
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan::plan(cx, plan)
    }
}

/// An address of this kind, from its full name: `scp.region_deny -> root`.
pub fn at(name: impl Into<String>) -> Address {
    Address::new(Scps::NAME, name)
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScpSection {
    #[schemars(with = "Option<RegionDeny>")]
    pub region_deny: Option<Spanned<RegionDeny>>,
    #[schemars(with = "Option<CloudTrailProtection>")]
    pub cloudtrail_protection: Option<Spanned<CloudTrailProtection>>,
    #[schemars(with = "Option<DenyLeaveOrganization>")]
    pub deny_leave_organization: Option<Spanned<DenyLeaveOrganization>>,
    #[serde(default)]
    #[schemars(with = "Vec<CustomScp>")]
    pub custom: Vec<Spanned<CustomScp>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionDeny {
    #[schemars(with = "Vec<Region>")]
    pub allowed_regions: Spanned<Vec<Spanned<Region>>>,
    #[serde(default)]
    #[schemars(with = "Vec<PrincipalPattern>")]
    pub exempt_principals: Vec<Spanned<PrincipalPattern>>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrailProtection {
    /// Principals allowed to touch the trail and bucket; defaults to
    /// `scp.region_deny.exempt_principals`.
    #[schemars(with = "Option<Vec<PrincipalPattern>>")]
    pub exempt_principals: Option<Vec<Spanned<PrincipalPattern>>>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DenyLeaveOrganization {
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomScp {
    #[schemars(with = "PolicyName")]
    pub name: Spanned<PolicyName>,
    /// Relative to the baseline file.
    #[schemars(with = "PathBuf")]
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let file = &baseline.file;
    org_policy::duplicate_names(src, "SCP", file.scp.custom.iter().map(|c| &c.get_ref().name), diags);

    if let Some(rd) = &file.scp.region_deny
        && rd.get_ref().allowed_regions.get_ref().is_empty()
    {
        diags.push(
            Diagnostic::error("`allowed_regions` is empty: the policy would deny every regional action")
                .at(src, rd.get_ref().allowed_regions.span())
                .hint("list the regions your organization works in, like `[\"us-east-1\", \"eu-west-1\"]`"),
        );
    }

    if let Some(ct) = &file.scp.cloudtrail_protection
        && crate::kinds::cross::trail_name_and_bucket(baseline).is_none()
    {
        diags.push(
            Diagnostic::error(
                "`scp.cloudtrail_protection` protects the `[trail]` trail, but there is no `[trail]` section",
            )
            .at(src, ct.span())
            .hint("add `[trail]` with `name` and `bucket`, or remove `[scp.cloudtrail_protection]`"),
        );
    }
    let (desired, _) = desired::desired_scps(baseline);
    org_policy::validate(baseline, PolicyType::Scp, &desired, diags);
}
