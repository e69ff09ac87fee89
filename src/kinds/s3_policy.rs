//! `[s3_policy]`: S3 Block Public Access for every account the policy reaches, set by the
//! organization and overriding each account's own setting, as one S3 policy generated
//! from the section (AWS's "Amazon S3 policy syntax and examples":
//! `{"s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}}}`), locked
//! against S3 policies attached below unless `allow_account_override`. AWS takes all four
//! settings together (`all`) or none of them (`none`), not one by one.
//! Planned by the shared engine (`common::org_policy`) with the type's rules.

use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use super::common::org_policy::{self, Desired, OrgPolicyKind, Recognised, kind};
use super::import::Toml;
use super::{Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::types::policy_types::PolicyType;
use crate::types::{PolicyName, Target};

pub struct S3Policy;

/// The policy's name in AWS unless the section names it (an imported policy keeps its own).
const NAME_IN_AWS: &str = "plinth-s3-block-public-access";

impl Kind for S3Policy {
    const NAME: &'static str = "s3_policy";
    const GUARDRAIL: bool = true;
    type Section = Option<Spanned<S3PolicySection>>;
    type Schema = S3PolicySection;
    type State = ();
    const IAM: IamActions = org_policy::IAM;
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        kind::validate::<Self>(baseline, section, diags);
    }

    fn scope(baseline: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        kind::scope::<Self>(baseline, section, scope);
    }

    fn describe(baseline: &Baseline, section: &Self::Section, out: &mut Description) {
        kind::describe::<Self>(baseline, section, out);
    }

    /// With `none`, the plan also warns: accounts lose their own Block Public Access.
    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        if let Some(section) = &cx.baseline.file.s3_policy
            && section.get_ref().block_public_access == BlockPublicAccess::None
        {
            plan.warnings.push(
                "`[s3_policy]` says `block_public_access = \"none\"`: S3 Block Public Access is off in every account it reaches, and accounts cannot turn it on; to leave it to each account, remove `[s3_policy]`".into(),
            );
        }
        kind::plan::<Self>(cx, section, plan)
    }

    /// An S3 policy plinth can describe (Block Public Access all or none, nothing else) is
    /// recognised under its own name; another is listed as left out. One at most: the
    /// section is one policy.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let taken = std::cell::Cell::new(false);
        let out = kind::importer::<Self>().run(cx, |name, document, attach| {
            // Under a name a baseline can carry (plinth's own, or one `name` accepts): an
            // S3 policy of any other name is left out rather than break the import.
            let nameable = name == NAME_IN_AWS || crate::types::PolicyName::accepts(name);
            let Some((setting, open)) = setting_of(document).filter(|_| !taken.get() && nameable) else {
                return Recognised::Custom;
            };
            taken.set(true);
            let mut part = Toml::default();
            part.table(Self::NAME);
            part.comment("recognised: plinth generates exactly this document");
            if name != NAME_IN_AWS {
                part.string("name", name);
            }
            part.string("block_public_access", setting.as_str());
            if open {
                part.raw("allow_account_override", true);
            }
            part.strings("attach", attach);
            Recognised::Generated(part)
        });
        async { Ok(out) }
    }
}

/// One generated policy, no custom ones.
impl OrgPolicyKind for S3Policy {
    const TYPE: PolicyType = PolicyType::S3;

    fn section(file: &BaselineFile) -> &Self::Section {
        &file.s3_policy
    }

    fn generated(_: &Baseline, section: &Self::Section, _: Option<&str>, _: &mut Vec<String>) -> Vec<Desired> {
        let Some(section) = section else {
            return vec![];
        };
        let s = section.get_ref();
        let name = s.name.as_ref().map_or(NAME_IN_AWS.to_owned(), |n| n.to_string());
        vec![Desired::new(
            Self::NAME,
            "policy",
            name,
            "Managed by plinth: S3 Block Public Access set by the organization",
            document_for(s.block_public_access, s.allow_account_override),
            s.attach.get_ref(),
            section.span(),
        )]
    }
}

/// `[s3_policy]`: S3 Block Public Access set by the organization.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3PolicySection {
    /// `all`: the four Block Public Access settings on in every account reached, whatever
    /// the account sets; `none`: all four off there (accounts cannot turn them on).
    pub block_public_access: BlockPublicAccess,
    /// Let S3 policies attached below (to an OU or account) change the setting (default
    /// `false`: locked, `@@operators_allowed_for_child_policies: ["@@none"]`).
    #[serde(default)]
    pub allow_account_override: bool,
    /// The policy's name in AWS (default `plinth-s3-block-public-access`; `plinth import`
    /// keeps an existing policy's name).
    #[schemars(with = "Option<PolicyName>")]
    pub name: Option<PolicyName>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

/// What AWS's S3 policy can say: all four settings on, or all four off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockPublicAccess {
    All,
    None,
}

impl BlockPublicAccess {
    fn as_str(self) -> &'static str {
        match self {
            BlockPublicAccess::All => "all",
            BlockPublicAccess::None => "none",
        }
    }
}

/// AWS's S3 policy for the setting; unless overrides are allowed, policies attached
/// below may not change it (`@@operators_allowed_for_child_policies: ["@@none"]` at each
/// level, as `[ai_opt_out]` locks its choice).
pub fn document_for(setting: BlockPublicAccess, allow_account_override: bool) -> Value {
    if allow_account_override {
        return json!({"s3_attributes": {"public_access_block_configuration": {"@@assign": setting.as_str()}}});
    }
    let none = json!(["@@none"]);
    json!({"s3_attributes": {
        "@@operators_allowed_for_child_policies": none,
        "public_access_block_configuration": {"@@operators_allowed_for_child_policies": none, "@@assign": setting.as_str()}
    }})
}

/// The setting (and whether it is open to child policies) a live document says, when it
/// says exactly what plinth would generate.
fn setting_of(document: &Value) -> Option<(BlockPublicAccess, bool)> {
    [BlockPublicAccess::All, BlockPublicAccess::None]
        .into_iter()
        .flat_map(|s| [(s, false), (s, true)])
        .find(|(s, open)| crate::policy::management::equivalent(document, &document_for(*s, *open)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;
    use crate::policy::{PolicyKind, check_document};

    fn desired(b: &Baseline) -> Vec<Desired> {
        kind::desired::<S3Policy>(b, None, &mut vec![])
    }

    fn parse(section: &str) -> Result<Baseline, String> {
        let text = format!("[organization]\nmanagement_account_id = \"123456789012\"\n\n{section}");
        crate::baseline::parse(SourceFile::new("baseline.toml", text)).map_err(|d| d.to_string())
    }

    #[test]
    fn all_is_aws_documented_document_locked_against_child_policies_and_reads_back() {
        let doc = document_for(BlockPublicAccess::All, false);
        check_document(&doc, PolicyKind::Management(S3Policy::TYPE)).unwrap();
        let setting = &doc["s3_attributes"]["public_access_block_configuration"];
        assert_eq!(setting["@@assign"], "all");
        assert_eq!(setting["@@operators_allowed_for_child_policies"], json!(["@@none"]));
        assert_eq!(doc["s3_attributes"]["@@operators_allowed_for_child_policies"], json!(["@@none"]));
        assert_eq!(setting_of(&doc), Some((BlockPublicAccess::All, false)));
        // AWS's own example, open to child policies: `allow_account_override = true`.
        let open = json!({"s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}}});
        check_document(&open, PolicyKind::Management(S3Policy::TYPE)).unwrap();
        assert_eq!(open, document_for(BlockPublicAccess::All, true));
        assert_eq!(setting_of(&open), Some((BlockPublicAccess::All, true)));
        assert_eq!(
            setting_of(&document_for(BlockPublicAccess::None, false)),
            Some((BlockPublicAccess::None, false))
        );
        let more = json!({"s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}, "other": {}}});
        assert_eq!(setting_of(&more), None, "a document with more than plinth writes is not recognised");
    }

    #[test]
    fn a_setting_aws_does_not_take_is_refused_where_it_is_written() {
        let e = parse("[s3_policy]\nblock_public_access = \"block_public_acls\"\nattach = [\"root\"]\n").unwrap_err();
        assert!(e.contains("baseline.toml:5:23"), "{e}");
        assert!(e.contains("`all`") && e.contains("`none`"), "{e}");
    }

    #[test]
    fn none_warns_that_accounts_lose_the_setting() {
        let org = crate::kinds::tests::empty_org();
        let options = crate::plan::PlanOptions::default();
        let b = parse("[s3_policy]\nblock_public_access = \"none\"\nattach = [\"root\"]\n").unwrap();
        let p = crate::kinds::compute(&b, &org, options).unwrap();
        assert!(
            p.warnings.iter().any(|w| w.contains("S3 Block Public Access is off in every account it reaches")),
            "{:?}",
            p.warnings
        );
        let b = parse("[s3_policy]\nblock_public_access = \"all\"\nattach = [\"root\"]\n").unwrap();
        let p = crate::kinds::compute(&b, &org, options).unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn the_policy_is_named_by_plinth_unless_the_section_names_it() {
        let b = parse("[s3_policy]\nblock_public_access = \"all\"\nattach = [\"root\"]\n").unwrap();
        assert_eq!(desired(&b)[0].name, NAME_IN_AWS);
        let b = parse("[s3_policy]\nname = \"org-bpa\"\nblock_public_access = \"all\"\nattach = [\"root\"]\n").unwrap();
        assert_eq!(desired(&b)[0].name, "org-bpa");
        assert_eq!(desired(&b)[0].address(), "s3_policy.policy");
    }
}
