//! `[[tag_policy]]`: tag policies from the user's JSON files (management policy grammar,
//! `{"tags": {…}}`), attached where the baseline says; planned by the shared engine
//! (`common::org_policy`) with the type's rules (10,000 characters, 10 per target, no AWS
//! default policy) and compared semantically, attribute by attribute.

use std::path::PathBuf;

use toml::Spanned;

use super::common::org_policy::{self, CustomPolicy, CustomSchema, CustomTable, OrgPolicyKind, kind};
use super::{Baseline, BaselineFile, Context, Description, IamActions, ImportCx, Imported, Kind};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;

pub struct TagPolicies;

impl Kind for TagPolicies {
    const NAME: &'static str = "tag_policy";
    const GUARDRAIL: bool = true;
    type Section = Vec<Spanned<CustomPolicy>>;
    type Schema = Vec<CustomSchema<Self>>;
    type State = ();
    const IAM: IamActions = org_policy::IAM;
    fn declared(section: &Self::Section) -> bool {
        !section.is_empty()
    }

    fn policy_files(section: &Self::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        kind::policy_files::<Self>(section)
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

    /// Every customer managed tag policy, as a `[[tag_policy]]` with its file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let out = kind::import::<Self>(cx);
        async { Ok(out) }
    }
}

/// Only the user's own tag policies: the section is their array.
impl OrgPolicyKind for TagPolicies {
    const TYPE: PolicyType = PolicyType::Tag;
    const CUSTOM: Option<CustomTable> = Some(CustomTable {
        key: None,
        schema_name: "TagPolicy",
        file: Some("A tag policy document (`{\"tags\": {…}}`), relative to the baseline file."),
        about: Some("`[[tag_policy]]`: one tag policy."),
    });

    fn section(file: &BaselineFile) -> &Self::Section {
        &file.tag_policy
    }

    fn custom(section: &Self::Section) -> &[Spanned<CustomPolicy>] {
        section
    }
}
