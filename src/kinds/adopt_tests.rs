//! Adoption of a declared SCP made without plinth (tagged, then corrected), and one
//! another tool manages (an error, never adopted).

use super::tests::{BASELINE, baseline, compute_ok, converged};
use super::*;
use crate::observed::Scp;
use crate::plan::{Action, Op, OrganizationsOp};
use crate::policy;

fn untag<'a>(o: &'a mut Observed, name: &str) -> &'a mut Scp {
    let p = o.org.scps.iter_mut().find(|p| p.name == name).unwrap();
    p.owned = false;
    p
}

#[test]
fn a_matching_policy_without_the_tag_is_adopted_and_nothing_else() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    untag(&mut o, "plinth-region-deny");
    let plan = compute_ok(&b, &o, false);
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    let c = &plan.changes[0];
    assert_eq!(c.address, "scp.region_deny (adopt)");
    assert_eq!(c.action, Action::Adopt);
    assert_eq!(c.action.symbol(), "=");
    assert_eq!(
        c.op,
        Op::Organizations(OrganizationsOp::TagResource {
            resource_id: "p-0".into()
        })
    );
    assert!(c.reason.contains("without the `managed-by=plinth` tag"), "{}", c.reason);
}

#[test]
fn a_differing_policy_without_the_tag_is_adopted_then_corrected() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    let p = untag(&mut o, "plinth-region-deny");
    p.content = Some(policy::minify(&crate::kinds::scp::generated::deny_leave_organization()));
    let target = p.targets[0].clone();
    p.targets.push("ou-extra".into());
    o.org
        .attached
        .insert("ou-extra".into(), vec!["p-full".into(), "p-0".into()]);
    let plan = compute_ok(&b, &o, false);
    let shown: Vec<(&str, &str, Vec<String>)> = plan
        .changes
        .iter()
        .map(|c| {
            (
                c.action.symbol(),
                c.address.as_str(),
                c.depends_on.iter().map(ToString::to_string).collect(),
            )
        })
        .collect();
    assert_eq!(shown[0], ("=", "scp.region_deny (adopt)", vec![]));
    assert_eq!(
        shown[1],
        ("~", "scp.region_deny", vec!["scp.region_deny (adopt)".to_owned()])
    );
    // The attachment the baseline does not make goes, after the tag.
    assert_eq!(shown[2].0, "-");
    assert!(shown[2].2.contains(&"scp.region_deny (adopt)".to_owned()), "{shown:?}");
    assert_eq!(shown.len(), 3, "{shown:?} (kept on {target})");
}

#[test]
fn a_policy_another_tool_manages_is_an_error_not_adopted() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    untag(&mut o, "plinth-region-deny").managed_by =
        crate::observed::other_manager("x", [("aws:cloudformation:stack-name", "guardrails")]);
    let err = compute(&b, &o, PlanOptions::default()).unwrap_err();
    assert_eq!(err.len(), 1);
    let text = err.to_string();
    assert!(
        text.contains("an SCP named `plinth-region-deny` (p-0) exists and plinth does not manage it"),
        "{text}"
    );
    assert!(
        text.contains("it is managed by CloudFormation stack `guardrails`"),
        "{text}"
    );
    assert!(text.contains("baseline.toml:8:1"), "{text}");
}
