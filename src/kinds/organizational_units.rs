//! Organizational units: each declared path exists, parents first. OUs are never
//! deleted or moved.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use std::fmt::Write as _;

use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind};
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::common::placement::{self, Unresolved};
use crate::observed::OuLookup;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};
use crate::types::{OuPath, Target};

pub struct OrganizationalUnits;

/// `[[organizational_units]]`: one OU.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OuDecl {
    /// Created (with its parents) if missing; never deleted.
    #[schemars(with = "OuPath")]
    pub path: Spanned<OuPath>,
}

impl Kind for OrganizationalUnits {
    const NAME: &'static str = "organizational_units";
    const REPAIRED_WITH: Option<&'static str> = Some(super::scp::Scps::NAME);
    type Section = Vec<OuDecl>;
    type Schema = Vec<OuDecl>;
    type State = ();
    const IAM: IamActions = IamActions {
        plan: &[],
        apply: &["organizations:CreateOrganizationalUnit"],
        delete: &[],
    };

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        let src = &baseline.source;
        let mut seen = HashMap::new();
        for ou in section {
            if let Some(first) = seen.insert(ou.path.get_ref().clone(), ou.path.span()) {
                let (line, _) = src.line_col(first.start);
                diags.push(
                    Diagnostic::error(format!("OU `{}` is declared twice", ou.path.get_ref()))
                        .at(src, ou.path.span())
                        .hint(format!("it is first declared on line {line}; remove one")),
                );
            }
        }
    }

    fn describe(_: &Baseline, section: &Self::Section, out: &mut Description) {
        let ous = section.len();
        let _ = writeln!(
            out.text,
            "{ous} organizational unit{} declared.",
            if ous == 1 { "" } else { "s" }
        );
    }

    /// The leaf OUs (each declares its parents too), by path.
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        let mut out = Imported::default();
        let org = cx.org;
        let plain: Vec<(&crate::observed::Ou, OuPath)> =
            org.ous.iter().filter_map(|o| org.plain_path(&o.id).map(|p| (o, p))).collect();
        for ou in org.ous.iter().filter(|o| org.plain_path(&o.id).is_none()) {
            out.skipped.push(format!(
                "OU {} (`{}`): no baseline path names it alone (a name with `/`, or another OU's names join to the same path); rename it",
                ou.id, ou.path
            ));
        }
        for (ou, path) in &plain {
            let has_children = plain.iter().any(|(o, _)| o.parent_id == ou.id);
            if !has_children {
                out.toml.array_table(Self::NAME).string("path", path.as_str());
            }
        }
        async { Ok(out) }
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_ous(cx, section, plan);
        Ok(())
    }
}

/// The address of the change that creates the OU at `path`.
pub fn address(path: &OuPath) -> Address {
    Address::kind_root(OrganizationalUnits::NAME).child(path)
}

fn plan_ous(cx: &Context<'_>, section: &[OuDecl], plan: &mut Plan) {
    let org = &cx.observed.org;
    for decl in section {
        for path in decl.path.get_ref().with_ancestors() {
            let addr = address(&path);
            // An OU there name by name exists, whatever other OUs' names join to.
            if org.ou_named(&path).is_ok_and(|found| found.is_some()) {
                continue;
            }
            match org.ou_at(&path) {
                OuLookup::Found(_) => continue,
                OuLookup::Ambiguous { ids, why } => {
                    // Live names make the path ambiguous: nothing below it is created.
                    let mut none = crate::diag::Diagnostics::default();
                    let target = Target::Ou(path.clone());
                    placement::report(cx, plan, &mut none, &target, decl.path.span(), Unresolved::Ambiguous { ids, why });
                    break;
                }
                OuLookup::Missing if plan.find(&addr).is_some() => continue,
                OuLookup::Missing => {}
            }
            let (parent, depends_on) = match path.parent() {
                None => (Ref::Id(org.root_id.clone()), vec![]),
                // The parent name by name (a look-alike elsewhere does not make it another).
                Some(parent) => match org.ou_named(&parent) {
                    Ok(Some(p)) => (Ref::Id(p.id.clone()), vec![]),
                    _ => (Ref::Planned(address(&parent)), vec![address(&parent)]),
                },
            };
            let declared = path == *decl.path.get_ref();
            let reason = if declared {
                "declared in `organizational_units` but not in the organization".into()
            } else {
                format!("parent of `{}`, which is declared", decl.path.get_ref())
            };
            let op = Op::Organizations(OrganizationsOp::CreateOrganizationalUnit {
                parent,
                name: path.name().to_owned(),
            });
            plan.add(Change::new(address(&path), Action::Create, reason, op).depends_on(depends_on));
        }
    }
}
