//! Planning in two steps ([`crate::plan::Need`]): the first plan sees what the
//! organization read gives (each policy's targets, no target's other attachments) and
//! records the targets whose attachments a decision needs; once those are read, the
//! second plan needs nothing more and decides as a plan that knew everything.

use std::collections::BTreeSet;

use serde_json::json;

use super::world::{CASES, Case, TARGETS, baseline, converged, lines, plan, policy, set};
use crate::kinds::{Baseline, Observed, compute};
use crate::plan::{Need, Plan, PlanOptions};
use crate::types::policy_types::PolicyType;

/// The organization as plinth's read gives it: no target's attachments, and the targets
/// of plinth's own policies only (the baseline names no other here).
fn as_read(whole: &Observed) -> Observed {
    let mut o = whole.clone();
    o.org.attached.clear();
    let unread = |p: &mut crate::observed::Scp| {
        if !p.owned {
            p.targets.clear();
            p.targets_read = false;
        }
    };
    o.org.scps.iter_mut().for_each(unread);
    for s in o.org.policy_sets.values_mut() {
        s.attached.clear();
        s.policies.iter_mut().for_each(unread);
    }
    o
}

/// The engine's second step: the attachments `needs` names, as `whole` has them.
fn fill(o: &mut Observed, whole: &Observed, needs: &BTreeSet<Need>) {
    for need in needs {
        let Need::Attachments { policy_type, target_id } = need;
        let ids = whole.org.policies_of(*policy_type).attached[target_id].clone();
        o.org.add_attached(*policy_type, target_id.clone(), ids);
    }
}

/// Both steps: the first plan, and the second once its needs are read.
fn two_steps(b: &Baseline, whole: &Observed, allow_delete: bool) -> (Plan, Result<Plan, String>) {
    let mut o = as_read(whole);
    let first = plan(b, &o, allow_delete);
    fill(&mut o, whole, &first.needs);
    let second = compute(b, &o, PlanOptions { allow_delete }).map_err(|d| d.to_string());
    (first, second)
}

fn attachments(policy_type: PolicyType, ids: &[&str]) -> BTreeSet<Need> {
    ids.iter()
        .map(|id| Need::Attachments {
            policy_type,
            target_id: (*id).to_owned(),
        })
        .collect()
}

/// The case converged, with three more accounts carrying what a target of the type
/// carries (AWS's default policy, where the type has one).
fn with_accounts(case: &Case) -> Observed {
    let (_, mut o) = converged(case);
    for id in ["333333333333", "444444444444", "555555555555"] {
        let mut account = o.org.accounts[1].clone();
        account.id = id.into();
        account.name = format!("member-{id}");
        o.org.accounts.push(account);
        let carried = set(&mut o, case.policy_type).attached[TARGETS[3]].clone();
        set(&mut o, case.policy_type).attached.insert(id.into(), carried);
    }
    o
}

/// The case's section attached to the accounts too.
fn on_accounts(case: &Case, accounts: &[&str]) -> Baseline {
    let mut attach = String::from("attach = [\"root\", \"ou:Workloads\"");
    for a in accounts {
        attach.push_str(&format!(", \"account:{a}\""));
    }
    attach.push(']');
    baseline(&case.section.replace("attach = [\"root\", \"ou:Workloads\"]", &attach))
}

#[test]
fn a_converged_plan_needs_nothing() {
    for case in &CASES {
        let (b, whole) = converged(case);
        for allow_delete in [false, true] {
            let p = plan(&b, &as_read(&whole), allow_delete);
            assert!(p.changes.is_empty(), "{}: {:?}", case.kind, lines(&p));
            assert!(p.needs.is_empty(), "{}: {:?}", case.kind, p.needs);
        }
    }
}

#[test]
fn attaching_to_live_targets_that_cannot_reach_the_limit_needs_no_read() {
    // Each account carries at most the case's policies and AWS's default one (its
    // targets unread): within every type's limit, so no count is read.
    let accounts = ["222222222222", "333333333333", "444444444444"];
    for case in &CASES {
        let whole = with_accounts(case);
        let b = on_accounts(case, &accounts);
        let (first, _) = two_steps(&b, &whole, false);
        assert!(first.needs.is_empty(), "{}: {:?}", case.kind, first.needs);
        // What a plan that read every target makes (the organization read of before).
        let before = plan(&b, &whole, false);
        assert_eq!(lines(&first), lines(&before), "{}", case.kind);
        assert_eq!(first.warnings, before.warnings, "{}", case.kind);
    }
}

#[test]
fn attaching_to_n_live_targets_that_might_reach_the_limit_needs_exactly_those_n_then_plans_as_before() {
    let accounts = ["222222222222", "333333333333", "444444444444"];
    for case in &CASES {
        let t = case.policy_type;
        let mut whole = with_accounts(case);
        // Others' policies, as many as the limit, attached nowhere: their targets are
        // not read, so any target might carry them all.
        let s = set(&mut whole, t);
        for i in 0..t.rules().max_per_target {
            s.policies.push(policy(
                &format!("p-theirs{i}"),
                &format!("theirs-{i}"),
                &json!({}),
                false,
            ));
        }
        let b = on_accounts(case, &accounts);
        let (first, second) = two_steps(&b, &whole, false);
        assert_eq!(first.needs, attachments(t, &accounts), "{}", case.kind);
        let second = second.unwrap_or_else(|e| panic!("{}: {e}", case.kind));
        assert!(second.needs.is_empty(), "{}: {:?}", case.kind, second.needs);
        let before = plan(&b, &whole, false);
        assert_eq!(lines(&second), lines(&before), "{}", case.kind);
        assert_eq!(
            lines(&first),
            lines(&before),
            "{}: the attaches need no count",
            case.kind
        );
        assert_eq!(second.warnings, before.warnings, "{}", case.kind);
    }
}

#[test]
fn the_limit_is_decided_once_the_attachments_are_read() {
    for case in &CASES {
        let t = case.policy_type;
        let max = t.rules().max_per_target;
        let mut whole = with_accounts(case);
        // Account 333333333333 full already with policies of others'.
        let s = set(&mut whole, t);
        for i in s.attached["333333333333"].len()..max {
            let pid = format!("p-theirs{i}");
            s.policies.push(policy(&pid, &format!("theirs-{i}"), &json!({}), false));
            s.attached.get_mut("333333333333").unwrap().push(pid);
        }
        let b = on_accounts(case, &["333333333333", "444444444444"]);
        let (first, second) = two_steps(&b, &whole, false);
        // Not known in the first step: no error, the need.
        assert_eq!(
            first.needs,
            attachments(t, &["333333333333", "444444444444"]),
            "{}",
            case.kind
        );
        let err = second.expect_err(case.kind);
        let want = format!("`account:333333333333` would carry {} {}", max + 1, t.rules().nouns());
        assert!(err.contains(&want), "{}: {err}", case.kind);
        let before = compute(&b, &whole, PlanOptions::default()).unwrap_err().to_string();
        assert_eq!(err, before, "{}", case.kind);
    }
}

#[test]
fn a_detach_where_the_type_keeps_one_needs_its_target_then_decides_as_before() {
    let rcp = CASES.iter().find(|c| c.policy_type == PolicyType::Rcp).unwrap();
    assert!(rcp.policy_type.rules().keeps_one);
    let (_, whole) = converged(rcp);
    let root_only = baseline("[rcp.enforce_tls]\nattach = [\"root\"]\n");
    let (first, second) = two_steps(&root_only, &whole, false);
    // Nothing known stays on Workloads: whether the detach leaves it bare is read.
    assert_eq!(first.needs, attachments(PolicyType::Rcp, &["ou-w"]));
    assert!(first.changes.is_empty(), "{:?}", lines(&first));
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let second = second.unwrap();
    assert!(second.needs.is_empty());
    let before = plan(&root_only, &whole, false);
    assert_eq!(lines(&second), ["- detach rcp.enforce_tls -> ou:Workloads"]);
    assert_eq!(lines(&second), lines(&before));

    // Workloads carrying only plinth's RCP: kept, with the warning of before.
    let mut bare = whole.clone();
    set(&mut bare, PolicyType::Rcp)
        .attached
        .get_mut("ou-w")
        .unwrap()
        .retain(|id| id != "p-RCPFullAWSAccess");
    let (first, second) = two_steps(&root_only, &bare, false);
    assert_eq!(first.needs, attachments(PolicyType::Rcp, &["ou-w"]));
    let second = second.unwrap();
    let before = plan(&root_only, &bare, false);
    assert!(second.changes.is_empty(), "{:?}", lines(&second));
    assert_eq!(second.warnings, before.warnings);
    assert!(
        second.warnings.iter().any(|w| w.contains("it is the only RCP there")),
        "{:?}",
        second.warnings
    );

    // An orphan: its delete waits for the reads of both its targets, then goes as before.
    let (first, second) = two_steps(&baseline(""), &whole, true);
    assert_eq!(first.needs, attachments(PolicyType::Rcp, &["ou-w", "r-root"]));
    assert!(first.changes.is_empty(), "{:?}", lines(&first));
    let second = second.unwrap();
    assert_eq!(lines(&second), lines(&plan(&baseline(""), &whole, true)));
    assert_eq!(second.changes.len(), 3, "{:?}", lines(&second));
}

#[test]
fn a_detach_that_leaves_a_known_policy_or_of_a_type_that_keeps_none_needs_nothing() {
    // Another RCP of the baseline stays on Workloads: it is not left bare, whatever else it carries.
    let rcp = CASES.iter().find(|c| c.policy_type == PolicyType::Rcp).unwrap();
    let both =
        "[rcp.enforce_tls]\nattach = [\"root\", \"ou:Workloads\"]\n[rcp.org_only]\nattach = [\"ou:Workloads\"]\n";
    let mut whole = super::world::org();
    let first = plan(&baseline(both), &whole, false);
    super::world::apply(&mut whole, rcp.policy_type, &first);
    let fewer = baseline(&both.replace("attach = [\"root\", \"ou:Workloads\"]", "attach = [\"root\"]"));
    let p = plan(&fewer, &as_read(&whole), false);
    assert!(p.needs.is_empty(), "{:?}", p.needs);
    assert_eq!(lines(&p), ["- detach rcp.enforce_tls -> ou:Workloads"]);

    // A type with no last-policy rule detaches without reading.
    for case in CASES.iter().filter(|c| !c.policy_type.rules().keeps_one) {
        let (_, whole) = converged(case);
        let root_only = baseline(
            &case
                .section
                .replace("attach = [\"root\", \"ou:Workloads\"]", "attach = [\"root\"]"),
        );
        let p = plan(&root_only, &as_read(&whole), false);
        assert!(p.needs.is_empty(), "{}: {:?}", case.kind, p.needs);
        assert_eq!(lines(&p).len(), 1, "{}: {:?}", case.kind, lines(&p));
        assert!(lines(&p)[0].ends_with("-> ou:Workloads"), "{:?}", lines(&p));
    }
}
