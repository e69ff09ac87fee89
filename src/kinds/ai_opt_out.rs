//! `[ai_opt_out]`: the organization's content stays out of AWS AI services' model
//! training and improvement. One AI services opt-out policy, generated as AWS's own
//! example for opting out of every service, attached where the baseline says; planned by
//! the shared engine (`common::org_policy`) with the type's rules (2,500 characters, 5
//! per target, no AWS default policy).

use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use super::common::org_policy::{self, Desired, OrgPolicyKind, Recognised, kind};
use super::import::Toml;
use super::{Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::types::Target;
use crate::types::policy_types::PolicyType;

pub struct AiOptOut;

const NAME_IN_AWS: &str = "plinth-ai-opt-out";

impl Kind for AiOptOut {
    const NAME: &'static str = "ai_opt_out";
    const GUARDRAIL: bool = true;
    type Section = Option<Spanned<AiOptOutSection>>;
    type Schema = AiOptOutSection;
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

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        kind::plan::<Self>(cx, section, plan)
    }

    /// plinth's opt-out policy recognised; another AI opt-out policy is listed as left out.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = kind::import::<Self>(cx);
        async { Ok(out) }
    }
}

/// One generated policy, no custom ones.
impl OrgPolicyKind for AiOptOut {
    const TYPE: PolicyType = PolicyType::AiOptOut;

    fn section(file: &BaselineFile) -> &Self::Section {
        &file.ai_opt_out
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
            "Managed by plinth: every AI service opted out of using this organization's content",
            document_for(s.allow_account_override),
            s.attach.get_ref(),
            section.span(),
        )]
    }

    fn recognise(_: &ImportCx<'_>, name: &str, document: &Value, attach: &[String]) -> Recognised {
        if name != NAME_IN_AWS {
            return Recognised::Custom;
        }
        let allow = !locked(document);
        let mut part = Toml::default();
        part.table(Self::NAME);
        if crate::policy::management::equivalent(document, &document_for(allow)) {
            part.comment("recognised: plinth generates exactly this document");
        } else {
            part.comment("the live content differs from what plinth generates: the plan updates it");
        }
        if allow {
            part.raw("allow_account_override", true);
        }
        part.strings("attach", attach);
        Recognised::Generated(part)
    }
}

/// `[ai_opt_out]`: opt every account out of AI services' use of its content.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiOptOutSection {
    /// Let accounts' own policies opt back in (default `false`: the choice is locked).
    #[serde(default)]
    pub allow_account_override: bool,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

/// AWS's "opt out of all AI services" policy; unless overrides are allowed, child
/// policies may not change it (`@@operators_allowed_for_child_policies: ["@@none"]`).
pub fn document_for(allow_account_override: bool) -> Value {
    if allow_account_override {
        return json!({"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}});
    }
    let none = json!(["@@none"]);
    json!({"services": {
        "@@operators_allowed_for_child_policies": none,
        "default": {
            "@@operators_allowed_for_child_policies": none,
            "opt_out_policy": {"@@operators_allowed_for_child_policies": none, "@@assign": "optOut"}
        }
    }})
}

/// Whether a live opt-out policy locks the choice against child policies.
fn locked(document: &Value) -> bool {
    document["services"]["default"]["opt_out_policy"]["@@operators_allowed_for_child_policies"] == json!(["@@none"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyKind, check_document};

    #[test]
    fn the_generated_policy_is_a_valid_locked_opt_out() {
        let doc = document_for(false);
        check_document(&doc, PolicyKind::Management(AiOptOut::TYPE)).unwrap();
        assert!(locked(&doc));
        assert_eq!(doc["services"]["default"]["opt_out_policy"]["@@assign"], "optOut");
        let open = document_for(true);
        check_document(&open, PolicyKind::Management(AiOptOut::TYPE)).unwrap();
        assert!(!locked(&open));
        assert!(crate::policy::minify(&doc).len() < AiOptOut::TYPE.rules().max_size);
    }
}
