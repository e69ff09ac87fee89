//! `[[management_policy]]`: management policies of the types without a section of their
//! own (backup, chat applications, Security Hub, Inspector, GuardDuty, Bedrock, upgrade
//! rollout, Network Security Director), each from the user's JSON file, attached where
//! the baseline says. Every type is planned by the shared engine (`common::org_policy`)
//! with its own rules (size, per-target count, top-level key) and compared semantically;
//! a type's addresses sit below its key (`management_policy.backup.<name>`).

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::common::org_policy::{self, Desired, FromFile, Importer, Recognised, Setup};
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, Targets};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::{ManagementType, PolicyType};
use crate::types::{PolicyName, Target};

pub struct ManagementPolicies;

impl Kind for ManagementPolicies {
    const NAME: &'static str = "management_policy";
    const GUARDRAIL: bool = true;
    type Section = Vec<Spanned<ManagementPolicy>>;
    type Schema = Vec<ManagementPolicy>;
    type State = ();
    const IAM: IamActions = org_policy::IAM;
    fn declared(section: &Self::Section) -> bool {
        !section.is_empty()
    }

    fn policy_files(section: &Self::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        section
            .iter()
            .map(|p| {
                let p = p.get_ref();
                (&p.file, PolicyKind::Management(p.policy_type.get_ref().get()))
            })
            .collect()
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        let src = &baseline.source;
        for p in section {
            // AWS's `CreatePolicy` takes a description of at most 512 characters.
            if let Some(d) = p.get_ref().description.as_ref().filter(|d| d.chars().count() > 512) {
                diags.push(
                    crate::diag::Diagnostic::error(format!(
                        "the description of `{}` is {} characters; AWS allows 512",
                        p.get_ref().name.get_ref(),
                        d.chars().count()
                    ))
                    .at(src, p.span()),
                );
            }
        }
        for t in PolicyType::GENERIC {
            let names: Vec<_> = of_type(section, t).map(|p| &p.get_ref().name).collect();
            org_policy::duplicate_names(src, t.rules().noun, names.iter().copied(), diags);
            org_policy::reserved_names(src, t.rules().noun, names, diags);
            org_policy::validate(baseline, t, &desired(baseline, section, t), diags);
        }
    }

    fn scope(baseline: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        for t in declared_types(section) {
            org_policy::scope(scope, t, &desired(baseline, section, t));
        }
    }

    fn describe(baseline: &Baseline, section: &Self::Section, out: &mut Description) {
        for t in declared_types(section) {
            org_policy::describe(baseline, t, &desired(baseline, section, t), &mut out.text);
        }
    }

    /// Each type the baseline declares, in turn. A type it does not declare is never
    /// planned: a policy of it carrying plinth's tag (which anyone allowed to tag
    /// policies can set) is only named in a warning, never updated, detached or deleted.
    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::default();
        for t in PolicyType::GENERIC {
            if of_type(section, t).next().is_none() {
                warn_undeclared(cx, t, plan);
                continue;
            }
            let setup = Setup {
                kind: Self::NAME,
                policy_type: t,
                group: Some(t.rules().key),
                trusted_access: None,
            };
            if let Err(d) = org_policy::plan(cx, plan, setup, &desired(cx.baseline, section, t)) {
                diags.0.extend(d.0);
            }
        }
        diags.into_result(())
    }

    /// Every customer managed policy of each type, as a `[[management_policy]]` with its file.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let mut out = Imported::default();
        for t in PolicyType::GENERIC {
            let importer = Importer {
                policy_type: t,
                custom_table: Some(Self::NAME.to_owned()),
                type_key: Some(t.rules().key),
            };
            out.append(importer.run(cx, |_, _, _| Recognised::Custom));
        }
        async { Ok(out) }
    }
}

/// `[[management_policy]]`: one management policy of a type without its own section.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementPolicy {
    /// The policy type: `backup`, `chatbot`, `securityhub`, `inspector`, `guardduty`,
    /// `bedrock`, `upgrade_rollout` or `network_security_director`.
    #[serde(rename = "type")]
    #[schemars(with = "ManagementType")]
    pub policy_type: Spanned<ManagementType>,
    #[schemars(with = "PolicyName")]
    pub name: Spanned<PolicyName>,
    /// The policy document (management policy grammar under the type's top-level key,
    /// such as `{"plans": {…}}` for backup), relative to the baseline file.
    #[schemars(with = "PathBuf")]
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

fn of_type(section: &[Spanned<ManagementPolicy>], t: PolicyType) -> impl Iterator<Item = &Spanned<ManagementPolicy>> {
    section
        .iter()
        .filter(move |p| p.get_ref().policy_type.get_ref().get() == t)
}

fn declared_types(section: &[Spanned<ManagementPolicy>]) -> impl Iterator<Item = PolicyType> + '_ {
    PolicyType::GENERIC
        .into_iter()
        .filter(|t| of_type(section, *t).next().is_some())
}

/// Policies of a type the baseline does not declare that carry plinth's tag: left alone.
fn warn_undeclared(cx: &Context<'_>, t: PolicyType, plan: &mut Plan) {
    let rules = t.rules();
    for p in cx.observed.org.policies_of(t).policies.iter().filter(|p| p.owned) {
        plan.warnings.push(format!(
            "{} `{}` ({}) carries plinth's tag, but the baseline declares no `[[management_policy]]` of type `{}`: left alone; declare the type to manage it, or delete the policy by hand",
            rules.noun,
            crate::diag::printable(&p.name),
            p.id,
            rules.key
        ));
    }
}

fn desired(baseline: &Baseline, section: &[Spanned<ManagementPolicy>], t: PolicyType) -> Vec<Desired> {
    of_type(section, t)
        .filter_map(|decl| {
            let p = decl.get_ref();
            let from_file = FromFile {
                name: &p.name,
                file: &p.file,
                description: p.description.as_ref(),
                attach: p.attach.get_ref(),
                span: decl.span(),
            };
            from_file.desired(baseline, ManagementPolicies::NAME, Some(t.rules().key))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::baseline;
    use crate::diag::SourceFile;

    /// A baseline with `section`, and `backup.json` (a valid backup policy) beside it.
    fn parse(section: &str, file: &str) -> Result<super::Baseline, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.json"), file).unwrap();
        let text = format!("[organization]\nmanagement_account_id = \"123456789012\"\n\n{section}");
        baseline::parse(SourceFile::new(dir.path().join("b.toml"), text)).map_err(|d| d.to_string())
    }

    const BACKUP: &str = r#"{"plans": {"nightly": {"regions": {"@@assign": ["us-east-1"]}}}}"#;

    fn entry(policy_type: &str) -> String {
        format!("[[management_policy]]\ntype = \"{policy_type}\"\nname = \"p\"\nfile = \"policy.json\"\nattach = [\"root\"]\n")
    }

    #[test]
    fn an_unknown_type_is_refused_where_it_is_written_with_the_types_it_takes() {
        let e = parse(&entry("backups"), BACKUP).unwrap_err();
        assert!(e.contains("`backups` is not a management policy type `[[management_policy]]` takes"), "{e}");
        assert!(e.contains("b.toml:5:8"), "{e}");
        assert!(e.contains("hint: did you mean `backup`?"), "{e}");
        let e = parse(&entry("SecurityHub"), BACKUP).unwrap_err();
        assert!(e.contains("hint: did you mean `securityhub`?"), "{e}");
        let e = parse(&entry("macie"), BACKUP).unwrap_err();
        assert!(e.contains("hint: use one of `backup`, `chatbot`, `securityhub`"), "{e}");
    }

    #[test]
    fn a_type_with_its_own_section_points_there() {
        let e = parse(&entry("tag"), BACKUP).unwrap_err();
        assert!(e.contains("hint: tag policies have a section of their own: `[[tag_policy]]`"), "{e}");
        let e = parse(&entry("s3"), BACKUP).unwrap_err();
        assert!(e.contains("`[s3_policy]`"), "{e}");
    }

    #[test]
    fn a_document_is_checked_against_its_types_top_level_key() {
        let b = parse(&entry("backup"), BACKUP).unwrap();
        assert_eq!(b.file.management_policy.len(), 1);
        let e = parse(&entry("securityhub"), BACKUP).unwrap_err();
        assert!(e.contains("unknown top-level key `plans`; this policy type takes `securityhub`"), "{e}");
    }

    #[test]
    fn a_document_over_its_types_size_is_refused_with_the_types_figure() {
        // Upgrade rollout policies are at most 5,120 characters, other management types 10,000.
        let long = format!(r#"{{"upgrade_rollout": {{"default": {{"patch_order": {{"@@assign": "last"}}}}, "x": "{}"}}}}"#, "a".repeat(6_000));
        let e = parse(&entry("upgrade_rollout"), &long).unwrap_err();
        assert!(e.contains("upgrade rollout policy `p` is"), "{e}");
        assert!(e.contains("AWS allows 5120"), "{e}");
    }

    #[test]
    fn a_description_longer_than_aws_takes_is_refused() {
        let long = entry("backup").replace("attach", &format!("description = \"{}\"\nattach", "d".repeat(513)));
        let e = parse(&long, BACKUP).unwrap_err();
        assert!(e.contains("the description of `p` is 513 characters; AWS allows 512"), "{e}");
        let ok = entry("backup").replace("attach", &format!("description = \"{}\"\nattach", "d".repeat(512)));
        parse(&ok, BACKUP).unwrap();
    }

    #[test]
    fn the_same_name_twice_in_one_type_is_refused() {
        let two = format!("{}\n{}", entry("backup"), entry("backup"));
        let e = parse(&two, BACKUP).unwrap_err();
        assert!(e.contains("backup policy name `p` is used twice"), "{e}");
    }
}
