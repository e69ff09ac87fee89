//! The engine on plain data, for every policy type it serves: each case is a baseline
//! section of one kind; a small in-memory organization ([`world`]) carries out the plan's
//! operations so convergence is checked by planning again.

mod claimed;
mod impact;
mod needs;
mod world;

use serde_json::{Value, json};

use self::world::{CASES, apply, baseline, converged, lines, org, ours, plan, policy, set};
use crate::kinds::compute;
use crate::plan::{Action, Op, OrganizationsOp, PlanOptions};

#[test]
fn from_scratch_the_type_is_enabled_then_the_policy_created_then_attached() {
    for case in &CASES {
        let b = baseline(case.section);
        let p = plan(&b, &org(), false);
        let (k, key) = (case.base, case.key);
        let mut want = vec![];
        if case.policy_type.rules().trusted_access.is_some() {
            want.push(format!("+ enable {k}.trusted_access"));
        }
        want.extend([
            format!("+ enable {k}.policy_type"),
            format!("+ create {k}.{key}"),
            format!("+ attach {k}.{key} -> root"),
            format!("+ attach {k}.{key} -> ou:Workloads"),
        ]);
        assert_eq!(lines(&p), want, "{k}");
        let attach = p.changes.iter().find(|c| c.action == Action::Attach).unwrap();
        assert!(
            attach.depends_on.iter().any(|d| *d == format!("{k}.policy_type")),
            "{k}: {:?}",
            attach.depends_on
        );
        assert!(attach.depends_on.iter().any(|d| *d == format!("{k}.{key}")), "{k}");
        if case.policy_type.rules().trusted_access.is_some() {
            let enable = p
                .changes
                .iter()
                .find(|c| c.address == format!("{k}.policy_type"))
                .unwrap();
            assert_eq!(enable.depends_on, [format!("{k}.trusted_access")]);
        }
    }
}

#[test]
fn a_converged_organization_plans_nothing_and_semantic_equals_are_not_drift() {
    for case in &CASES {
        let (b, mut o) = converged(case);
        assert!(plan(&b, &o, false).changes.is_empty(), "{}", case.kind);
        // The same document with keys in another order and lists reordered.
        let p = ours(&mut o, case.policy_type);
        let doc: Value = serde_json::from_str(p.content.as_deref().unwrap()).unwrap();
        p.content = Some(reorder(&doc).to_string());
        assert!(plan(&b, &o, false).changes.is_empty(), "{}", case.kind);
    }
}

/// Keys in reverse order, string lists reversed.
fn reorder(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().rev().map(|(k, v)| (k.clone(), reorder(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().rev().map(reorder).collect()),
        other => other.clone(),
    }
}

#[test]
fn edited_content_is_an_update_with_a_diff_and_applying_it_converges() {
    for case in &CASES {
        let (b, mut o) = converged(case);
        let p = ours(&mut o, case.policy_type);
        let mut doc: Value = serde_json::from_str(p.content.as_deref().unwrap()).unwrap();
        // One value changed inside the document, whatever its grammar.
        edit_first_string(&mut doc);
        p.content = Some(doc.to_string());
        let fix = plan(&b, &o, false);
        assert_eq!(fix.changes.len(), 1, "{}: {:?}", case.kind, lines(&fix));
        let c = &fix.changes[0];
        assert_eq!(c.action, Action::Update);
        assert!(!c.statement_diff.is_empty(), "{}", case.kind);
        assert!(c.reason.contains("content differs"), "{}", c.reason);
        apply(&mut o, case.policy_type, &fix);
        assert!(plan(&b, &o, false).changes.is_empty(), "{}", case.kind);
    }
}

fn edit_first_string(v: &mut Value) -> bool {
    match v {
        Value::String(s) if s != "2012-10-17" => {
            s.push_str("-edited");
            true
        }
        Value::Object(m) => m.values_mut().any(edit_first_string),
        Value::Array(items) => items.iter_mut().any(edit_first_string),
        _ => false,
    }
}

#[test]
fn detached_and_deleted_policies_are_put_back() {
    for case in &CASES {
        let (b, o) = converged(case);
        // Detached by hand from the OU.
        let mut d = o.clone();
        let id = ours(&mut d, case.policy_type).id.clone();
        ours(&mut d, case.policy_type).targets.retain(|t| t != "ou-w");
        set(&mut d, case.policy_type)
            .attached
            .get_mut("ou-w")
            .unwrap()
            .retain(|x| *x != id);
        let fix = plan(&b, &d, false);
        assert_eq!(lines(&fix).len(), 1, "{}", case.kind);
        assert!(lines(&fix)[0].ends_with("-> ou:Workloads") && fix.changes[0].action == Action::Attach);
        // Deleted by hand.
        let mut gone = o.clone();
        let s = set(&mut gone, case.policy_type);
        s.policies.retain(|p| !p.owned);
        for ids in s.attached.values_mut() {
            ids.retain(|x| *x != id);
        }
        let fix = plan(&b, &gone, false);
        let actions: Vec<Action> = fix.changes.iter().map(|c| c.action).collect();
        assert_eq!(
            actions,
            [Action::Create, Action::Attach, Action::Attach],
            "{}",
            case.kind
        );
        apply(&mut gone, case.policy_type, &fix);
        assert!(plan(&b, &gone, false).changes.is_empty(), "{}", case.kind);
    }
}

#[test]
fn a_dropped_policy_is_an_orphan_kept_unless_deletion_is_allowed() {
    // `[[management_policy]]` plans only the types it declares (its own test below).
    for case in CASES.iter().filter(|c| c.kind != "management_policy") {
        let (_, mut o) = converged(case);
        let without = baseline("");
        let kept = plan(&without, &o, false);
        assert!(kept.changes.is_empty(), "{}: {:?}", case.kind, lines(&kept));
        assert_eq!(kept.orphans.len(), 1, "{}", case.kind);
        assert!(
            kept.orphans[0]
                .address
                .as_str()
                .starts_with(&format!("{}.orphan.", case.base))
        );
        assert!(kept.orphans[0].reason.contains("--allow-delete"));
        let gone = plan(&without, &o, true);
        let actions: Vec<Action> = gone.changes.iter().map(|c| c.action).collect();
        assert_eq!(
            actions,
            [Action::Detach, Action::Detach, Action::Delete],
            "{}",
            case.kind
        );
        let delete = gone.changes.last().unwrap();
        assert_eq!(delete.depends_on.len(), 2, "the delete waits for both detaches");
        apply(&mut o, case.policy_type, &gone);
        assert!(set(&mut o, case.policy_type).policies.iter().all(|p| !p.owned));
        // AWS's own default policy stays where it was.
        if let Some(name) = case.policy_type.rules().aws_default {
            assert!(set(&mut o, case.policy_type).attached["r-root"].contains(&format!("p-{name}")));
        }
    }
}

#[test]
fn a_management_type_the_baseline_no_longer_declares_is_left_alone_with_a_warning() {
    let case = CASES.iter().find(|c| c.kind == "management_policy").unwrap();
    let (_, o) = converged(case);
    // No `[[management_policy]]` of the type: even with `--allow-delete`, plinth's tag on
    // a live backup policy (anyone allowed to tag can set it) steers nothing.
    for allow_delete in [false, true] {
        let p = plan(&baseline(""), &o, allow_delete);
        assert!(p.changes.is_empty() && p.orphans.is_empty(), "{:?}", lines(&p));
        assert!(
            p.warnings.iter().any(|w| w.contains("backup policy `nightly`")
                && w.contains("declares no `[[management_policy]]` of type `backup`: left alone")),
            "{:?}",
            p.warnings
        );
    }
    // The type still declared, the policy dropped: an orphan like any other kind's.
    let other =
        "[[management_policy]]\ntype = \"backup\"\nname = \"weekly\"\nfile = \"backup.json\"\nattach = [\"root\"]\n";
    let p = plan(&baseline(other), &o, false);
    assert_eq!(p.orphans.len(), 1, "{:?}", p.orphans);
    assert!(
        p.orphans[0]
            .address
            .as_str()
            .starts_with("management_policy.backup.orphan.nightly")
    );
    let p = plan(&baseline(other), &o, true);
    assert!(
        lines(&p)
            .iter()
            .any(|l| l == "- delete management_policy.backup.orphan.nightly"),
        "{:?}",
        lines(&p)
    );
}

#[test]
fn policies_plinth_does_not_own_and_aws_defaults_count_against_the_per_target_limit() {
    for case in &CASES {
        let t = case.policy_type;
        let rules = t.rules();
        let (b, mut o) = converged(case);
        let id = ours(&mut o, t).id.clone();
        // Take ours off the root, and fill the root to the limit with others' policies.
        ours(&mut o, t).targets.retain(|x| x != "r-root");
        let s = set(&mut o, t);
        s.attached.get_mut("r-root").unwrap().retain(|x| *x != id);
        let free = rules.max_per_target - s.attached["r-root"].len();
        for i in 0..free {
            let pid = format!("p-theirs{i}");
            s.policies.push(policy(&pid, &format!("theirs-{i}"), &json!({}), false));
            s.attached.get_mut("r-root").unwrap().push(pid);
        }
        let err = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
        let want = format!(
            "`root` would carry {} {}; AWS allows {}",
            rules.max_per_target + 1,
            rules.nouns(),
            rules.max_per_target
        );
        assert!(err.contains(&want), "{}: {err}", case.kind);
        if let Some(default) = rules.aws_default {
            assert!(err.contains(default), "{err}");
        }
    }
}

#[test]
fn rcps_warn_on_the_management_account_and_never_detach_rcp_full_aws_access() {
    let b = baseline("[rcp.enforce_tls]\nattach = [\"account:123456789012\"]\n");
    let (_, o) = converged(&CASES[0]);
    let p = plan(&b, &o, false);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("the management account, which RCPs never restrict")),
        "{:?}",
        p.warnings
    );
    for c in &p.changes {
        if let Op::Organizations(OrganizationsOp::DetachPolicy { policy_id, .. }) = &c.op {
            assert_ne!(policy_id, "p-RCPFullAWSAccess");
        }
    }
    // Management policies do reach the management account: no warning.
    let b = baseline("[ai_opt_out]\nattach = [\"account:123456789012\"]\n");
    let p = plan(&b, &org(), false);
    assert!(
        !p.warnings.iter().any(|w| w.contains("management account")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn another_tools_policy_of_the_same_name_is_an_error_and_an_untagged_one_is_adopted() {
    for case in &CASES {
        let (b, mut o) = converged(case);
        ours(&mut o, case.policy_type).owned = false;
        let adopt = plan(&b, &o, false);
        assert_eq!(lines(&adopt).len(), 1, "{}: {:?}", case.kind, lines(&adopt));
        assert_eq!(adopt.changes[0].action, Action::Adopt);
        let p = set(&mut o, case.policy_type)
            .policies
            .iter_mut()
            .find(|p| !p.aws_managed && p.name != "x")
            .unwrap();
        p.managed_by = crate::observed::other_manager("x", [("aws:cloudformation:stack-name", "guardrails")]);
        let err = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
        assert!(err.contains("CloudFormation stack `guardrails`"), "{err}");
    }
}

#[test]
fn a_policy_attached_nowhere_is_created_without_enabling_its_type() {
    // As `plinth import` writes a live policy attached nowhere: nothing to attach, so the
    // root is left as it is.
    for case in &CASES {
        let section = case
            .section
            .replace("attach = [\"root\", \"ou:Workloads\"]", "attach = []");
        assert_ne!(section, case.section, "{}", case.kind);
        let p = plan(&baseline(&section), &org(), false);
        let (k, key) = (case.base, case.key);
        assert_eq!(lines(&p), [format!("+ create {k}.{key}")], "{k}");
    }
}
