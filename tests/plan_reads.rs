//! Planning reads in two steps, counted against the emulator: the organization read
//! lists each policy's targets (what decides *whether* an attachment changes) and no
//! target's other attachments; a target's attachments (`ListPoliciesForTarget`) are read
//! only where a decision needs them (`plan::Need`): an attach adding a policy to it (the
//! per-target limit), a detach that may leave it without an SCP.

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
async fn a_converged_plan_reads_no_targets_attachments_and_an_attach_reads_only_its_targets() {
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

    // Attached to three more: exactly those three read, for the per-target limit (before:
    // all six, the policy's three targets and the baseline's six, once each).
    b.rewrite(&on(&accounts));
    let (more, reads, calls) = plan(&emu, &b).await;
    assert_eq!(count(&more, Action::Attach), 3, "{:#?}", more.changes);
    assert_eq!(reads, 3, "{calls:?}");
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
