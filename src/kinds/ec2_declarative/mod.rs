//! `[ec2_declarative]`: settings EC2 itself enforces in every account the policy reaches
//! (IMDSv2, no public AMIs or snapshots, serial console, VPC block public access, allowed AMIs), as one
//! EC2 declarative policy generated from the section ([`document`]). Accounts cannot
//! change what it sets. Needs trusted access for `declarative-policies.ec2.amazonaws.com`
//! before the type is enabled; planned by the shared engine (`common::org_policy`) with the
//! type's rules (10,000 characters, 10 per target, no AWS default policy).

mod allowed_images;
mod document;
#[cfg(test)]
mod tests;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

pub use self::allowed_images::{AllowedImages, AllowedImagesState, ImageProvider};
pub use self::document::{Imds, SnapshotSharing, VpcBlock, document, settings_of};
use super::common::org_policy::{Desired, OrgPolicyKind, Recognised, kind};
use super::import::Toml;
use super::{
    Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx, Targets,
};
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::types::Target;
use crate::types::policy_types::PolicyType;

pub struct Ec2Declarative;

const NAME_IN_AWS: &str = "plinth-ec2-declarative";

/// What `[ec2_declarative]` reads beyond the policies: whether EC2's declarative
/// policies have trusted access (read only when the section is there).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Ec2DeclarativeState {
    pub trusted_access: bool,
}

impl Kind for Ec2Declarative {
    const NAME: &'static str = "ec2_declarative";
    const GUARDRAIL: bool = true;
    type Section = Option<Spanned<Ec2DeclarativeSection>>;
    type Schema = Ec2DeclarativeSection;
    type State = Ec2DeclarativeState;
    /// What every policy type takes, and trusted access for EC2's declarative policies.
    const IAM: IamActions = IamActions {
        plan: &[
            "organizations:ListPolicies",
            "organizations:DescribePolicy",
            "organizations:ListTagsForResource",
            "organizations:ListTargetsForPolicy",
            "organizations:ListPoliciesForTarget",
            "organizations:ListAWSServiceAccessForOrganization",
        ],
        apply: &[
            "organizations:EnableAWSServiceAccess",
            "organizations:EnablePolicyType",
            "organizations:CreatePolicy",
            "organizations:UpdatePolicy",
                "organizations:AttachPolicy",
                "organizations:TagResource",
        ],
        delete: &["organizations:DetachPolicy", "organizations:DeletePolicy"],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        kind::validate::<Self>(baseline, section, diags);
    }

    fn scope(baseline: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        kind::scope::<Self>(baseline, section, scope);
    }

    async fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> Result<Ec2DeclarativeState, Diagnostics> {
        let Some(principal) = Self::TYPE.rules().trusted_access else {
            return Ok(Ec2DeclarativeState::default());
        };
        if section.is_none() {
            return Ok(Ec2DeclarativeState::default());
        }
        let trusted_access = cx
            .clients
            .organizations
            .has_trusted_access(principal)
            .await
            .map_err(|e| cx.clients.failure("cannot read trusted access for EC2 declarative policies", e))?;
        Ok(Ec2DeclarativeState { trusted_access })
    }

    fn describe(baseline: &Baseline, section: &Self::Section, out: &mut Description) {
        kind::describe::<Self>(baseline, section, out);
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        kind::plan::<Self>(cx, section, plan)
    }

    /// plinth's declarative policy read back into settings; others listed as left out.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = kind::import::<Self>(cx);
        async { Ok(out) }
    }
}

/// One generated policy, no custom ones; the type needs trusted access.
impl OrgPolicyKind for Ec2Declarative {
    const TYPE: PolicyType = PolicyType::Ec2Declarative;

    fn section(file: &BaselineFile) -> &Self::Section {
        &file.ec2_declarative
    }

    fn generated(_: &Baseline, section: &Self::Section, _: Option<&str>, _: &mut Vec<String>) -> Vec<Desired> {
        let Some(section) = section else {
            return vec![];
        };
        let s = section.get_ref();
        vec![Desired::new(
            Self::NAME,
            "policy",
            NAME_IN_AWS,
            "Managed by plinth: EC2 settings enforced by EC2 itself",
            document(s),
            s.attach.get_ref(),
            section.span(),
        )]
    }

    fn check(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        if let Some(section) = section
            && section.get_ref().settings().is_empty()
        {
            diags.push(
                Diagnostic::error("`[ec2_declarative]` sets nothing")
                    .at(&baseline.source, section.span())
                    .hint("set at least one of `imds`, `image_block_public_access`, `snapshot_block_public_access`, `serial_console`, `vpc_block_public_access`, `allowed_images`"),
            );
        }
        if let Some(section) = &baseline.file.ec2_declarative
            && let Some(allowed) = &section.get_ref().allowed_images
        {
            let mut seen = std::collections::BTreeSet::new();
            let twice: Vec<&str> = allowed.providers.iter().filter(|p| !seen.insert(*p)).map(|p| p.as_str()).collect();
            if allowed.providers.is_empty() || !twice.is_empty() {
                let message = match twice.first() {
                    Some(p) => format!("`allowed_images` names the provider `{p}` twice"),
                    None => "`allowed_images` names no provider: no image could be used".to_owned(),
                };
                diags.push(
                    Diagnostic::error(message)
                        .at(&baseline.source, section.span())
                        .hint("list each provider once: `amazon`, `aws_marketplace`, `aws_backup_vault` or account IDs"),
                );
            }
        }
    }

    fn trusted_access(cx: &Context<'_>) -> Option<bool> {
        Some(cx.observed.ec2_declarative.trusted_access)
    }

    fn recognise(_: &ImportCx<'_>, name: &str, live: &Value, attach: &[String]) -> Recognised {
        if name != NAME_IN_AWS {
            return Recognised::Custom;
        }
        let read = settings_of(live, attach);
        if live["ec2_attributes"].get("allowed_images_settings").is_some() && read.section.allowed_images.is_none() {
            // Allowed AMIs plinth cannot write (more criteria, image names, ages):
            // imported, the plan would narrow or widen them. Left out.
            return Recognised::Custom;
        }
        if read.section.settings().is_empty() {
            // No setting plinth knows: a section would set nothing (and not load).
            return Recognised::Custom;
        }
        let mut part = Toml::default();
        part.table(Self::NAME);
        if crate::policy::management::equivalent(live, &document(&read.section)) {
            part.comment("recognised: plinth generates exactly this document from these values");
        } else {
            part.comment("the live content differs from what plinth generates for these values: the plan updates it");
        }
        read.write(&mut part);
        Recognised::Generated(part)
    }
}

/// `[ec2_declarative]`: EC2 settings enforced in every account the policy reaches; each
/// left out is not managed.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2DeclarativeSection {
    /// Instance metadata defaults for new instances: `required_v2` (IMDSv2 only),
    /// `optional` or `no_preference`.
    pub imds: Option<Imds>,
    /// `true`: AMIs cannot be shared publicly (`block_new_sharing`); `false`: unblocked.
    pub image_block_public_access: Option<bool>,
    /// EBS snapshots: `block_all_sharing`, `block_new_sharing` or `unblocked`.
    pub snapshot_block_public_access: Option<SnapshotSharing>,
    /// Whether the EC2 serial console may be used (`false`: disabled).
    pub serial_console: Option<bool>,
    /// VPC block public access for internet gateways: `off`, `block_ingress` or
    /// `block_bidirectional` (accounts may still exclude subnets).
    pub vpc_block_public_access: Option<VpcBlock>,
    /// Allowed AMIs: the images instances may be launched from
    /// (`{ state = "enabled", providers = ["amazon", "123456789012"] }`).
    pub allowed_images: Option<AllowedImages>,
    /// What a denied request says (a link to your wiki, say).
    pub exception_message: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

impl Ec2DeclarativeSection {
    /// The settings given, by name.
    fn settings(&self) -> Vec<&'static str> {
        let mut out = vec![];
        if self.imds.is_some() {
            out.push("imds");
        }
        if self.image_block_public_access.is_some() {
            out.push("image_block_public_access");
        }
        if self.snapshot_block_public_access.is_some() {
            out.push("snapshot_block_public_access");
        }
        if self.serial_console.is_some() {
            out.push("serial_console");
        }
        if self.vpc_block_public_access.is_some() {
            out.push("vpc_block_public_access");
        }
        if self.allowed_images.is_some() {
            out.push("allowed_images");
        }
        out
    }
}
