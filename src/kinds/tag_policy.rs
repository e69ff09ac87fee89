//! `[[tag_policy]]`: tag policies from the user's JSON files (management policy grammar,
//! `{"tags": {…}}`), attached where the baseline says; planned by the shared engine
//! (`common::org_policy`) with the type's rules (10,000 characters, 10 per target, no AWS
//! default policy) and compared semantically, attribute by attribute.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::common::org_policy::{self, Desired, Importer, Recognised, Setup};
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{PolicyName, Target};

pub struct TagPolicies;

const TYPE: PolicyType = PolicyType::Tag;

impl Kind for TagPolicies {
    const NAME: &'static str = "tag_policy";
    const GUARDRAIL: bool = true;
    type Section = Vec<Spanned<TagPolicy>>;
    type Schema = Vec<TagPolicy>;
    type State = ();
    const IAM: IamActions = org_policy::IAM;
    fn declared(section: &Self::Section) -> bool {
        !section.is_empty()
    }

    fn policy_files(section: &Self::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        section
            .iter()
            .map(|t| (&t.get_ref().file, PolicyKind::Management(TYPE)))
            .collect()
    }

    fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
        let src = &baseline.source;
        org_policy::duplicate_names(src, "tag policy", baseline.file.tag_policy.iter().map(|t| &t.get_ref().name), diags);
        org_policy::validate(baseline, TYPE, &desired(baseline), diags);
    }

    fn scope(baseline: &Baseline, scope: &mut ReadScope) {
        org_policy::scope(scope, TYPE, &desired(baseline));
    }

    fn describe(baseline: &Baseline, out: &mut Description) {
        org_policy::describe(baseline, TYPE, &desired(baseline), &mut out.text);
    }

    fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
        let setup = Setup {
            kind: Self::NAME,
            policy_type: TYPE,
            group: None,
            trusted_access: None,
        };
        org_policy::plan(cx, plan, setup, &desired(cx.baseline))
    }

    /// Every customer managed tag policy, as a `[[tag_policy]]` with its file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let importer = Importer {
            policy_type: TYPE,
            custom_table: Some(Self::NAME.to_owned()),
            type_key: None,
        };
        let out = importer.run(cx, |_, _, _| Recognised::Custom);
        async { Ok(out) }
    }
}

/// `[[tag_policy]]`: one tag policy.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPolicy {
    #[schemars(with = "PolicyName")]
    pub name: Spanned<PolicyName>,
    /// A tag policy document (`{"tags": {…}}`), relative to the baseline file.
    #[schemars(with = "PathBuf")]
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

fn desired(baseline: &Baseline) -> Vec<Desired> {
    let mut out = Vec::new();
    for decl in &baseline.file.tag_policy {
        let t = decl.get_ref();
        let Some(file) = baseline.policy_file(&t.file) else {
            continue;
        };
        out.push(Desired::new(
            TagPolicies::NAME,
            t.name.get_ref().to_string(),
            t.name.get_ref().to_string(),
            t.description
                .clone()
                .unwrap_or_else(|| format!("Managed by plinth: {}", t.file.get_ref().display())),
            file.document.clone(),
            t.attach.get_ref(),
            decl.span(),
        ));
    }
    out
}
