//! Each declared policy's document: adopted when plinth finds it untagged, corrected
//! when its content or description differs, created when it is missing.

use serde_json::Value;

use super::Desired;
use super::plan::{Scope, State};
use crate::kinds::common::{adopt, impact};
use crate::observed::{OtherManager, Scp};
use crate::plan::impact::Effect;
use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};
use crate::policy;
use crate::types::Target;
use crate::types::policy_types::Syntax;

impl<'a> Scope<'a> {
    /// Adopt, update or create the policy `d` declares: its reference, and what its
    /// attachments wait on (the adoption). `None` when AWS or another tool manages it
    /// (a diagnostic).
    pub(super) fn document(&self, plan: &mut Plan, st: &mut State<'a>, d: &Desired) -> Option<(Ref, Vec<Address>)> {
        let rules = self.rules;
        let addr = d.address();
        let targets: Vec<Target> = d.attach.iter().map(|t| t.get_ref().clone()).collect();
        st.kept_on.insert(d.name.clone(), targets.clone());
        let live = self.view.policies.iter().find(|p| p.name == d.name);
        let mut adopt_dep = vec![];
        let policy_ref = match live {
            Some(p) if !p.owned && (p.aws_managed || p.managed_by.is_some()) => {
                let aws = OtherManager {
                    tool: "AWS".into(),
                    sign: "an AWS managed policy".into(),
                    plinth_tag: false,
                };
                let other = p.managed_by.as_ref().unwrap_or(&aws);
                let what = format!("{} named `{}` ({})", rules.a_noun, d.name, p.id);
                let src = &self.cx.baseline.source;
                st.diags
                    .push(adopt::managed_elsewhere(src, d.span.clone(), &what, other));
                return None;
            }
            Some(p) => {
                if !p.owned {
                    let change = adopt::change(
                        &addr,
                        &format!("{} `{}` ({})", rules.noun, d.name, p.id),
                        Op::Organizations(OrganizationsOp::TagResource {
                            resource_id: p.id.clone(),
                        }),
                    );
                    adopt_dep.push(change.address.clone());
                    st.adopting.insert(p.id.clone(), change.address.clone());
                    plan.add(change);
                }
                if let Some(update) = self.update(d, p, &targets, &adopt_dep) {
                    plan.add(update);
                }
                Ref::Id(p.id.clone())
            }
            None => {
                let op = Op::Organizations(OrganizationsOp::CreatePolicy {
                    policy_type: self.setup.policy_type,
                    name: d.name.clone(),
                    description: d.description.clone(),
                    content: d.content.clone(),
                });
                let reason = format!("no {} named `{}` in the organization", rules.noun, d.name);
                plan.add(Change::new(addr.clone(), Action::Create, reason, op).after(Some(d.document.clone())));
                Ref::Planned(addr)
            }
        };
        Some((policy_ref, adopt_dep))
    }

    /// The update that makes live policy `p` say what `d` declares, if anything differs.
    fn update(&self, d: &Desired, p: &Scp, targets: &[Target], adopt_dep: &[Address]) -> Option<Change> {
        let syntax = self.rules.syntax;
        let live_doc: Option<Value> = p.content.as_deref().and_then(|c| serde_json::from_str(c).ok());
        let content_differs = match &live_doc {
            Some(doc) => !policy::equivalent(syntax, doc, &d.document),
            None => true,
        };
        let description_differs = p.description != d.description;
        if !content_differs && !description_differs {
            return None;
        }
        let mut reasons = Vec::new();
        let statement_diff = match &live_doc {
            Some(doc) if content_differs => policy::diff(syntax, doc, &d.document),
            _ => vec![],
        };
        if content_differs {
            reasons.push(match &live_doc {
                Some(_) => format!(
                    "content differs from the baseline ({} {}{} changed)",
                    statement_diff.len(),
                    match syntax {
                        Syntax::Iam => "statement",
                        Syntax::Management { .. } => "attribute",
                    },
                    if statement_diff.len() == 1 { "" } else { "s" }
                ),
                None => "live content is not valid JSON".to_owned(),
            });
        }
        if description_differs {
            reasons.push(format!(
                "description is `{}`, baseline says `{}`",
                p.description, d.description
            ));
        }
        let op = Op::Organizations(OrganizationsOp::UpdatePolicy {
            policy_id: p.id.clone(),
            description: d.description.clone(),
            content: d.content.clone(),
        });
        let mut update = Change::new(d.address(), Action::Update, reasons.join("; "), op)
            .before(live_doc.clone().or_else(|| p.content.clone().map(Value::String)))
            .after(Some(d.document.clone()))
            .depends_on(adopt_dep.to_vec())
            // A new description changes nothing an account can do.
            .impact(
                content_differs
                    .then(|| self.reach(&d.name, Effect::Change, targets, &[]))
                    .flatten(),
            );
        update.statement_diff = statement_diff;
        Some(update)
    }

    /// Where live policy `p` is attached now, as targets the plan can reach.
    pub(super) fn was_on(&self, p: Option<&Scp>) -> Vec<Target> {
        let org = &self.cx.observed.org;
        p.iter()
            .flat_map(|p| &p.targets)
            .filter_map(|id| impact::target_of(org, id))
            .collect()
    }
}
