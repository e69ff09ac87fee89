//! The blast radius of policy changes: the accounts each attach, detach and update
//! reaches, by inheritance from the root and OUs, the management account left out where
//! the type never restricts it.

use super::world::{CASES, baseline, converged, org, ours, plan};
use crate::kinds::Observed;
use crate::plan::impact::{Effect, Subject};
use crate::plan::{Action, Plan};
use crate::types::policy_types::PolicyType;

/// `sandbox` in `Workloads`, a third account `tools` at the root; `management` at the root.
fn placed(mut o: Observed) -> Observed {
    o.org.ou_accounts.insert("ou-w".into(), vec!["222222222222".into()]);
    o.org.accounts[0].parent_id = Some("r-root".into());
    o.org.accounts.push(crate::observed::Account {
        id: "333333333333".into(),
        name: "tools".into(),
        email: String::new(),
        parent_id: Some("r-root".into()),
        suspended: false,
    });
    o
}

#[test]
fn an_account_whose_ou_the_plan_did_not_list_is_reached_from_the_root_and_said_unlisted() {
    let case = CASES.iter().find(|c| c.policy_type == PolicyType::AiOptOut).unwrap();
    let mut o = placed(org());
    // Listed by `ListAccounts` only: its OU was not read.
    o.org.accounts[2].parent_id = None;
    let p = plan(&baseline(case.section), &o, false);
    let key = p
        .changes
        .iter()
        .find(|c| c.action == Action::Attach && c.address.target() == Some("root"))
        .unwrap()
        .address
        .clone();
    let (_, accounts, ous, _) = reached(&p, key.as_str());
    assert!(accounts.contains(&"tools (333333333333)".to_owned()), "{accounts:?}");
    assert_eq!(ous, [crate::plan::impact::UNLISTED_OU, "Workloads", "root"]);
    let line = crate::plan::impact::line(p.find(&key).unwrap()).unwrap();
    assert_eq!(
        crate::render::impact::ous(&line),
        "the root, `Workloads` and OUs this plan did not list"
    );
}

fn reached(p: &Plan, address: &str) -> (Effect, Vec<String>, Vec<String>, Option<String>) {
    let c = p.find(address).unwrap_or_else(|| panic!("no {address}"));
    let i = c.impact.as_ref().unwrap_or_else(|| panic!("{address} has no impact"));
    assert_eq!(i.subject, Subject::Policy);
    (
        i.effect,
        i.accounts.iter().map(ToString::to_string).collect(),
        i.ous.clone(),
        i.not_affected.clone(),
    )
}

#[test]
fn attachments_reach_every_account_below_their_target_and_management_only_where_the_type_restricts_it() {
    for case in &CASES {
        let k = case.kind;
        let b = baseline(case.section);
        let p = plan(&b, &placed(org()), false);
        let key = p
            .changes
            .iter()
            .find(|c| c.action == Action::Attach && c.address.target() == Some("root"))
            .unwrap()
            .address
            .clone();
        let (effect, accounts, ous, not_affected) = reached(&p, key.as_str());
        assert_eq!(effect, Effect::Gain, "{k}");
        let restricts_management = case.policy_type.rules().affects_management_account;
        let mut want = vec!["sandbox (222222222222)", "tools (333333333333)"];
        if restricts_management {
            want.insert(0, "management (123456789012)");
        }
        assert_eq!(accounts, want, "{k}");
        assert_eq!(ous, ["Workloads", "root"], "{k}");
        assert_eq!(not_affected.is_some(), !restricts_management, "{k}: {not_affected:?}");

        let ou = key.as_str().replace("-> root", "-> ou:Workloads");
        let (_, accounts, ous, not_affected) = reached(&p, &ou);
        assert_eq!(accounts, ["sandbox (222222222222)"], "{k}");
        assert_eq!(ous, ["Workloads"], "{k}");
        assert_eq!(not_affected, None, "{k}");
        // Creating the policy reaches nothing by itself: its attachments carry the impact.
        assert!(
            p.changes
                .iter()
                .filter(|c| c.action == Action::Create)
                .all(|c| c.impact.is_none())
        );
    }
}

#[test]
fn an_update_reaches_where_the_policy_applies_and_a_detach_what_the_target_held() {
    let case = CASES.iter().find(|c| c.policy_type == PolicyType::Rcp).unwrap();
    let (_, o) = converged(case);
    let mut o = placed(o);
    ours(&mut o, PolicyType::Rcp).content = Some("{\"Version\":\"2012-10-17\",\"Statement\":[]}".into());
    // Only on the OU now: the root's attachment goes.
    let b = baseline("[rcp.enforce_tls]\nattach = [\"ou:Workloads\"]\n");
    let p = plan(&b, &o, false);
    let (effect, accounts, _, _) = reached(&p, "rcp.enforce_tls");
    assert_eq!(effect, Effect::Change);
    assert_eq!(accounts, ["sandbox (222222222222)"]);
    // sandbox keeps it through Workloads: only tools loses it.
    let (effect, accounts, _, not_affected) = reached(&p, "rcp.enforce_tls -> root");
    assert_eq!(effect, Effect::Lose);
    assert_eq!(accounts, ["tools (333333333333)"]);
    let said = not_affected.unwrap();
    assert!(said.contains("1 account keeps it through another attachment"), "{said}");
    assert!(said.contains("123456789012"), "{said}");
}

#[test]
fn an_account_moved_into_an_ou_gains_the_policies_attached_there() {
    let case = CASES.iter().find(|c| c.policy_type == PolicyType::Rcp).unwrap();
    let section = "[rcp.enforce_tls]\nattach = [\"ou:Workloads\"]\n";
    let mut o = org();
    let first = plan(&baseline(section), &o, false);
    super::world::apply(&mut o, case.policy_type, &first);
    let mut o = placed(o);
    o.org.accounts[2].email = "tools@example.com".into();
    o.org.accounts[2].parent_id = Some("r-root".into());
    let moving =
        format!("{section}\n[[account]]\nname = \"tools\"\nemail = \"tools@example.com\"\nou = \"Workloads\"\n");
    let p = plan(&baseline(&moving), &o, false);
    let c = p.find("account.tools -> ou:Workloads").expect("moved");
    let i = c.impact.as_ref().unwrap();
    assert_eq!((i.subject, i.effect), (Subject::Account, Effect::Move));
    assert_eq!(i.accounts[0].to_string(), "tools (333333333333)");
    assert_eq!(i.ous, ["Workloads"]);
    let rcp = ours(&mut o, PolicyType::Rcp).name.clone();
    assert_eq!(i.gains, [format!("RCP `{rcp}`")]);
    assert!(i.loses.is_empty());
    // From there to another OU: it loses it.
    o.org.accounts[2].parent_id = Some("ou-w".into());
    o.org
        .ous
        .extend(crate::observed::Ou::tree("r-root", &[("ou-s", "Sandbox")]));
    let p = plan(
        &baseline(&moving.replace("ou = \"Workloads\"", "ou = \"Sandbox\"")),
        &o,
        false,
    );
    let i = p
        .find("account.tools -> ou:Sandbox")
        .and_then(|c| c.impact.as_ref())
        .expect("moved");
    assert_eq!(i.loses, [format!("RCP `{rcp}`")]);
    assert!(i.gains.is_empty());
}

#[test]
fn an_attach_where_the_policy_is_already_inherited_gains_nothing_there() {
    let case = CASES.iter().find(|c| c.policy_type == PolicyType::AiOptOut).unwrap();
    // Live on the root only; the baseline adds Workloads, whose accounts have it already.
    let root_only = "[ai_opt_out]\nattach = [\"root\"]\n";
    let mut o = org();
    let first = plan(&baseline(root_only), &o, false);
    super::world::apply(&mut o, case.policy_type, &first);
    let o = placed(o);
    let p = plan(&baseline(case.section), &o, false);
    let c = p
        .changes
        .iter()
        .find(|c| c.action == Action::Attach && c.address.target() == Some("ou:Workloads"))
        .expect("attached to Workloads");
    let i = c.impact.as_ref().unwrap();
    assert!(i.accounts.is_empty(), "{:?}", i.accounts);
    assert_eq!(
        i.not_affected.as_deref(),
        Some("1 account already has it through another attachment")
    );
    let line = crate::plan::impact::line(c).unwrap();
    assert!(crate::render::impact::sentence(&line).starts_with("no account gains"));
}

#[test]
fn a_new_description_reaches_no_account() {
    let case = CASES.iter().find(|c| c.policy_type == PolicyType::Rcp).unwrap();
    let (b, o) = converged(case);
    let mut o = placed(o);
    ours(&mut o, PolicyType::Rcp).description = "edited by hand".into();
    let p = plan(&b, &o, false);
    let c = p.find("rcp.enforce_tls").expect("the description is put back");
    assert_eq!(c.action, Action::Update);
    assert!(c.impact.is_none(), "{:?}", c.impact);
}

/// A move's impact is whole: what the OU it enters carries beyond the policies plinth
/// reads (another team's SCP) is a need of the plan; once read, it is a gain.
#[test]
fn a_move_needs_what_the_ou_it_enters_carries_and_then_lists_it() {
    let mut o = placed(org());
    o.org.scp_enabled = true;
    o.org.scps.push(crate::observed::Scp {
        id: "p-theirs".into(),
        name: "theirs".into(),
        description: String::new(),
        aws_managed: false,
        owned: false,
        managed_by: None,
        content: None,
        targets: vec![],
        targets_read: true,
    });
    o.org.accounts[2].email = "tools@example.com".into();
    let moving = "[[account]]\nname = \"tools\"\nemail = \"tools@example.com\"\nou = \"Workloads\"\n";
    let first = plan(&baseline(moving), &o, false);
    let need = crate::plan::Need::Attachments {
        policy_type: PolicyType::Scp,
        target_id: "ou-w".into(),
    };
    assert!(first.needs.contains(&need), "{:?}", first.needs);
    // The engine reads it and plans again: nothing more needed, the SCP a gain.
    o.org.attached.insert("ou-w".into(), vec!["p-theirs".into()]);
    let second = plan(&baseline(moving), &o, false);
    assert!(!second.needs.contains(&need), "{:?}", second.needs);
    let i = second
        .find("account.tools -> ou:Workloads")
        .and_then(|c| c.impact.as_ref())
        .expect("moved");
    assert_eq!(i.gains, ["SCP `theirs`"]);
}
