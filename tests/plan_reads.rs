//! Planning reads in two steps, counted against the emulator: the organization read
//! lists each policy's targets (what decides *whether* an attachment changes) and no
//! target's other attachments; a target's attachments (`ListPoliciesForTarget`) are read
//! only where a decision needs them (`plan::Need`): an attach adding a policy to a target
//! that might reach the per-target limit (the policies whose targets are not read could
//! all be on it), a detach that may leave it without an SCP.

use crate::support::{Emulator, TempBaseline, create_account_in, seed};
use plinth::plan::{Action, Plan, PlanOptions};

const GUARD: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}"#;

/// One SCP of the baseline's on these accounts.
fn on(accounts: &[String]) -> String {
    let targets: Vec<String> = accounts.iter().map(|a| format!("\"account:{a}\"")).collect();
    format!(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[scp.custom]]\nname = \"guard\"\nfile = \"guard.json\"\nattach = [{}]\n",
        targets.join(", ")
    )
}

/// A fresh session's plan, and the `ListPoliciesForTarget` calls it made.
async fn plan(emu: &Emulator, b: &TempBaseline) -> (Plan, u64, plinth::aws::counter::Counts) {
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    (plan, calls.get("Organizations.ListPoliciesForTarget"), calls)
}

async fn apply(emu: &Emulator, plan: &Plan) {
    let report = emu.session().await.apply(plan).await;
    assert!(report.is_success(), "{report:#?}");
}

fn count(plan: &Plan, action: Action) -> usize {
    plan.changes.iter().filter(|c| c.action == action).count()
}

#[tokio::test]
async fn a_converged_plan_and_attaches_that_cannot_fill_a_target_read_no_targets_attachments() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let mut accounts = Vec::new();
    for i in 0..6 {
        accounts.push(create_account_in(&org, &format!("member-{i}"), &seeded.root_id, &seeded.workloads_ou).await);
    }
    let b = TempBaseline::new(&on(&accounts[..3]), &[("guard.json", GUARD)]);

    // From scratch the SCP type is enabled by the plan: every target starts with
    // FullAWSAccess, nothing to read.
    let (first, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&first, Action::Attach), 3, "{:#?}", first.changes);
    assert_eq!(reads, 0, "{calls:?}");
    apply(&emu, &first).await;

    // Converged: one SCP on three accounts, and not one target's attachments read (the
    // organization read of before listed each of the three: 3 `ListPoliciesForTarget`).
    let (converged, reads, calls) = plan(&emu, &b).await;
    assert!(converged.is_empty(), "{:#?}", converged.changes);
    assert_eq!(reads, 0, "{calls:?}");
    assert_eq!(calls.get("Organizations.ListTargetsForPolicy"), 1, "{calls:?}");

    // Attached to three more: none read (before: all six, the policy's three targets and
    // the baseline's six, once each). Each of the three carries at most `guard` and AWS's
    // FullAWSAccess, whose targets are not read: 2 of the 10 SCPs a target may have.
    b.rewrite(&on(&accounts));
    let (more, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&more, Action::Attach), 3, "{:#?}", more.changes);
    assert_eq!(reads, 0, "{calls:?}");
    apply(&emu, &more).await;
    let (converged, reads, calls) = plan(&emu, &b).await;
    assert!(converged.is_empty(), "{:#?}", converged.changes);
    assert_eq!(reads, 0, "{calls:?}");

    // Taken off one account: its attachments are read (is `guard` its last SCP?); it
    // keeps FullAWSAccess, so the detach goes ahead.
    b.rewrite(&on(&accounts[..5]));
    let (fewer, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&fewer, Action::Detach), 1, "{:#?}", fewer.changes);
    assert_eq!(reads, 1, "{calls:?}");
    assert!(fewer.warnings.is_empty(), "{:?}", fewer.warnings);
    apply(&emu, &fewer).await;
    let (converged, reads, calls) = plan(&emu, &b).await;
    assert!(converged.is_empty(), "{:#?}", converged.changes);
    assert_eq!(reads, 0, "{calls:?}");
}

/// With as many SCPs in the organization as a target may carry, any target might be
/// full: an attach reads its target's attachments, exactly those targets', and decides.
#[tokio::test]
async fn an_attach_reads_its_targets_when_the_organizations_policies_might_fill_them() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let mut accounts = Vec::new();
    for i in 0..4 {
        accounts.push(create_account_in(&org, &format!("member-{i}"), &seeded.root_id, &seeded.workloads_ou).await);
    }
    // At most 3 SCPs a target (the baseline's own figure), and two SCPs made by hand:
    // with FullAWSAccess and `guard`, four that might be on any target.
    let limited = |accounts: &[String]| format!("{}\n[limits]\nscp_per_target = 3\n", on(accounts));
    let b = TempBaseline::new(&limited(&accounts[..1]), &[("guard.json", GUARD)]);
    apply(&emu, &plan(&emu, &b).await.0).await;
    let by_hand = |name: &'static str| {
        org.create_policy()
            .name(name)
            .description("made by hand")
            .content(GUARD)
            .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
            .send()
    };
    // One made by hand: `guard`, FullAWSAccess and it make 3, the limit exactly: no read.
    by_hand("by-hand-1").await.unwrap();
    b.rewrite(&limited(&accounts));
    let (more, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&more, Action::Attach), 3, "{:#?}", more.changes);
    assert_eq!(reads, 0, "{calls:?}");

    // Two: 4 that might be on any target, one over.
    by_hand("by-hand-2").await.unwrap();
    b.rewrite(&limited(&accounts[..1]));
    let (converged, reads, calls) = plan(&emu, &b).await;
    assert!(converged.is_empty(), "{:#?}", converged.changes);
    assert_eq!(reads, 0, "{calls:?}");

    b.rewrite(&limited(&accounts));
    let (more, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&more, Action::Attach), 3, "{:#?}", more.changes);
    assert_eq!(reads, 3, "{calls:?}");
    apply(&emu, &more).await;

    // One hand-made SCP on the last account too: with FullAWSAccess and `guard`, three,
    // all it may carry; one more of the baseline's is refused before any write.
    let last = accounts.last().unwrap().clone();
    let by_hand = policy_id(&org, "by-hand-1").await;
    org.attach_policy()
        .policy_id(&by_hand)
        .target_id(&last)
        .send()
        .await
        .unwrap();
    let two = format!(
        "{}\n[[scp.custom]]\nname = \"guard-2\"\nfile = \"guard.json\"\nattach = [\"account:{last}\"]\n",
        limited(&accounts)
    );
    b.rewrite(&two);
    let session = emu.session().await;
    let err = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("`account:{last}` would carry 4 SCPs")), "{err}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.get("Organizations.ListPoliciesForTarget"), 1, "{calls:?}");
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
}

async fn policy_id(org: &aws_sdk_organizations::Client, name: &str) -> String {
    let page = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    page.policies()
        .iter()
        .find(|p| p.name() == Some(name))
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}
