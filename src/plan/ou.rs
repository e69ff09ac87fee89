//! Organizational units: each declared path exists, parents first. OUs are never
//! deleted or moved.

use super::{Action, Change, Context, Op, OrganizationsOp, Plan, Ref};
use crate::baseline::OuPath;
use crate::diag::Diagnostics;

pub fn address(path: &OuPath) -> String {
    format!("ou:{path}")
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let org = &cx.observed.org;
    for decl in &cx.baseline.file.organizational_units {
        for path in decl.path.get_ref().with_ancestors() {
            let addr = address(&path);
            if org.ou_by_path(path.as_str()).is_some() || plan.find(&addr).is_some() {
                continue;
            }
            let (parent, depends_on) = match path.parent() {
                None => (Ref::Id(org.root_id.clone()), vec![]),
                Some(parent) => match org.ou_by_path(parent.as_str()) {
                    Some(p) => (Ref::Id(p.id.clone()), vec![]),
                    None => (Ref::Planned(address(&parent)), vec![address(&parent)]),
                },
            };
            let declared = path == *decl.path.get_ref();
            plan.changes.push(Change {
                address: addr,
                action: Action::Create,
                reason: if declared {
                    "declared in `organizational_units` but not in the organization".into()
                } else {
                    format!("parent of `{}`, which is declared", decl.path.get_ref())
                },
                before: None,
                after: None,
                statement_diff: vec![],
                depends_on,
                op: Op::Organizations(OrganizationsOp::CreateOrganizationalUnit {
                    parent,
                    name: path.name().to_owned(),
                }),
            });
        }
    }
    Ok(())
}
