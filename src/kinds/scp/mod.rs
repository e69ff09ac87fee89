//! Service control policies: generated ones (region deny, CloudTrail protection, deny
//! leaving the organization) and the user's own files, attached to the root, OUs or
//! accounts. [`desired`] derives the documents from the baseline; the shared engine
//! (`common::org_policy`) plans them with the SCP type's rules: FullAWSAccess counted on
//! every target, the last SCP of a target never detached, the management account never
//! restricted.

pub mod desired;
pub mod generated;
mod import;

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::common::org_policy::{self, CustomPolicy, CustomSchema, CustomTable, Desired, OrgPolicyKind, kind};
use super::{Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{Address, Plan};
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{PrincipalPattern, Region, Target};

pub struct Scps;

impl Kind for Scps {
    const NAME: &'static str = "scp";
    const GUARDRAIL: bool = true;
    type Section = ScpSection;
    type Schema = ScpSection;
    type State = ();
    const IAM: IamActions = org_policy::IAM;

    fn policy_files(section: &ScpSection) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        kind::policy_files::<Self>(section)
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        kind::validate::<Self>(baseline, section, diags);
    }

    /// Declared SCPs are read by name, and the targets they attach to.
    fn scope(baseline: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        kind::scope::<Self>(baseline, section, scope);
    }

    /// plinth's generated SCPs recognised, every other customer managed SCP as a file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = import::import(cx);
        async { Ok(out) }
    }

    /// Each SCP's document as plinth will send it, with its size and targets.
    fn describe(baseline: &Baseline, section: &Self::Section, out: &mut Description) {
        kind::describe::<Self>(baseline, section, out);
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        kind::plan::<Self>(cx, section, plan)
    }
}

/// The generated SCPs ([`desired`]), then `[[scp.custom]]`.
impl OrgPolicyKind for Scps {
    const TYPE: PolicyType = PolicyType::Scp;
    const CUSTOM: Option<CustomTable> = Some(CustomTable {
        key: Some("custom"),
        schema_name: "CustomScp",
        file: None,
        about: None,
    });

    fn section(file: &BaselineFile) -> &ScpSection {
        &file.scp
    }

    fn custom(section: &ScpSection) -> &[Spanned<CustomPolicy>] {
        &section.custom
    }

    fn generated(baseline: &Baseline, section: &ScpSection, _: Option<&str>, warnings: &mut Vec<String>) -> Vec<Desired> {
        desired::generated_scps(baseline, section, warnings)
    }

    /// A region deny allowing no region; CloudTrail protection without `[trail]`.
    fn check(baseline: &Baseline, section: &ScpSection, diags: &mut Diagnostics) {
        let src = &baseline.source;
        if let Some(rd) = &section.region_deny
            && rd.get_ref().allowed_regions.get_ref().is_empty()
        {
            diags.push(
                Diagnostic::error("`allowed_regions` is empty: the policy would deny every regional action")
                    .at(src, rd.get_ref().allowed_regions.span())
                    .hint("list the regions your organization works in, like `[\"us-east-1\", \"eu-west-1\"]`"),
            );
        }

        if let Some(ct) = &section.cloudtrail_protection
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
    #[schemars(with = "Vec<CustomSchema<Scps>>")]
    pub custom: Vec<Spanned<CustomPolicy>>,
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
