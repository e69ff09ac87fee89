//! One SCP attached to accounts directly, in an organization of 200 accounts in four OUs,
//! against an emulator that enforces AWS's request-rate quotas (plinth's own table,
//! `src/aws/quotas.rs`) and pages as AWS does: the scenario where a tool that reads each
//! target's attachments pays one `ListPoliciesForTarget` per target at 5 a second.
//!
//! It prints, for the run that creates the SCP and attaches it to 50 accounts and for
//! the converged plan after it: calls per service, wall time against the quota floor
//! (the busiest bucket's calls at its quota), and reads against the page floor (the
//! fewest reads the plan's decisions need at AWS's page sizes, line by line). It asserts
//! what the design promises: every attachment made, a converged plan that writes nothing
//! and reads no target's attachments.
//!
//! `cargo bench --bench scp_attach` runs it at 200 accounts (`PLINTH_BENCH_ACCOUNTS` for
//! another size; a quarter of them are the SCP's targets). Under `cargo test` it runs at
//! 20, so CI keeps it working.

// A scenario reads best as one program from setup to assertions.
#![allow(clippy::too_many_lines)]
// A benchmark is a plain program whose report is its standard output.
#![allow(clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::time::Instant;

use aws_sdk_organizations::types::PolicyType;
use common::{Floor, pages};
use futures::stream::{self, StreamExt};
use plinth::plan::{Action, PlanOptions};
use support::{Emulator, TempBaseline};

const GUARD: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoVpcDeletion","Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}"#;

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let accounts: usize = match std::env::var("PLINTH_BENCH_ACCOUNTS") {
        Ok(n) => n.parse().expect("PLINTH_BENCH_ACCOUNTS is a number"),
        Err(_) if full => 200,
        Err(_) => 20,
    };
    let targets = accounts / 4;

    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = support::seed(&org).await;
    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let mut ous = vec![seeded.workloads_ou.clone(), seeded.security_ou.clone()];
    for name in ["Sandbox", "Infrastructure"] {
        let ou = org
            .create_organizational_unit()
            .parent_id(&seeded.root_id)
            .name(name)
            .send()
            .await
            .unwrap();
        ous.push(ou.organizational_unit().unwrap().id().unwrap().to_owned());
    }
    let ids: Vec<String> = stream::iter(0..accounts)
        .map(|i| {
            let (org, ous, root) = (&org, &ous, &seeded.root_id);
            async move { support::create_account_in(org, &format!("acct-{i:04}"), root, &ous[i % ous.len()]).await }
        })
        .buffered(8)
        .collect()
        .await;
    // The management account, `sandbox` (seeded) and the accounts made here.
    let all_accounts = accounts + 2;

    let attach: Vec<String> = ids[..targets].iter().map(|id| format!("\"account:{id}\"")).collect();
    let toml = format!(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[scp.custom]]\nname = \"guard\"\nfile = \"guard.json\"\nattach = [{}]\n",
        attach.join(", ")
    );
    let b = TempBaseline::new(&toml, &[("guard.json", GUARD)]);
    emu.enforce_quotas();
    println!(
        "{all_accounts} accounts in {} OUs; one SCP on {targets} of them",
        ous.len()
    );

    // The SCP created and attached: plan and apply, as `plinth apply` runs them.
    let session = emu.session().await;
    let started = Instant::now();
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let planned = started.elapsed();
    let plan_reads = session.aws.counter.snapshot();
    let attaches = plan.changes.iter().filter(|c| c.action == Action::Attach).count();
    assert_eq!(attaches, targets, "{:#?}", plan.changes);
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let wall = started.elapsed();
    let counts = session.aws.counter.snapshot();
    let ratio = common::print_run(
        &format!("create and attach to {targets} accounts (plan {planned:.1?})"),
        &counts,
        wall,
        "within 1.2x of AttachPolicy's quota floor",
    );
    decisions(&mut Floor::default(), all_accounts, 0).print(&plan_reads);
    assert_eq!(counts.get("Organizations.AttachPolicy"), targets as u64, "{counts:?}");
    assert_eq!(counts.get("Organizations.ListPoliciesForTarget"), 0, "{counts:?}");
    if full {
        assert!(ratio <= 1.2, "attach took {ratio:.2}x its quota floor");
    }

    // Converged: nothing to write, no target's attachments read.
    let session = emu.session().await;
    let started = Instant::now();
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let wall = started.elapsed();
    let counts = session.aws.counter.snapshot();
    common::print_run(
        "converged plan",
        &counts,
        wall,
        "2 s; the page floor and the OU tree, no other read",
    );
    let mut floor = Floor::default();
    let ratio = decisions(&mut floor, all_accounts, targets).print(&counts);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(counts.writes(), 0, "{:?}", counts.write_calls());
    assert_eq!(counts.get("Organizations.ListPoliciesForTarget"), 0, "{counts:?}");
    // Nothing beyond the floor but the OU tree: one listing for the root and each OU.
    let tree = ous.len() as u64 + 1;
    assert!(counts.reads() <= floor.total() + tree, "{counts:?}");
    println!(
        "converged reads over the page floor: {ratio:.2}x ({} reads: the floor's {} and the OU tree's {tree})",
        counts.reads(),
        floor.total()
    );
}

/// The fewest reads this baseline's plan needs: whose credentials and which organization,
/// the root (is the SCP type enabled), the accounts it names (do they exist), the SCPs
/// (is `guard` there, is it plinth's, is its document the file's, where is it attached).
/// The OU tree (`ListOrganizationalUnitsForParent`, one call per OU) is read by every
/// plan, to name the OUs a policy's live targets and the plan's lines show; none of this
/// baseline's decisions needs it, so it counts against the floor.
fn decisions(floor: &mut Floor, all_accounts: usize, attached_to: usize) -> &mut Floor {
    common::orphans(floor, false)
        .need("STS.GetCallerIdentity", 1, "whose credentials")
        .need(
            "Organizations.DescribeOrganization",
            1,
            "which organization, all features",
        )
        .need("Organizations.ListRoots", 1, "the root, its enabled policy types")
        .need(
            "Organizations.ListAccounts",
            pages(all_accounts, 20),
            "the accounts the baseline names exist (20 a page)",
        )
        .need("Organizations.ListPolicies", 1, "the SCPs, by name")
        .need(
            "Organizations.ListTargetsForPolicy",
            if attached_to > 0 { pages(attached_to, 20) } else { 0 },
            "where `guard` is attached (20 a page)",
        );
    if attached_to > 0 {
        floor
            .need("Organizations.ListTagsForResource", 1, "`guard` is plinth's")
            .need("Organizations.DescribePolicy", 1, "`guard`'s document");
    }
    floor
}
