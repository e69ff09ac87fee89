//! IAM Identity Center at scale: how many API calls, and how long, a plan takes for an
//! organization of 1,000 accounts in 20 OUs, with 30 permission sets, 40 groups and 3,000
//! assignments. A benchmark, not a timed test: it reports; it asserts only what the
//! design promises (SSO reads scale with permission sets and principals, not with
//! accounts; a converged organization needs no write).
//!
//! `make bench` (or `cargo bench --bench sso_scale`) runs it at full size. Under
//! `cargo test` it runs at a tenth of the size, so CI keeps it working.
//!
//! The emulator is seeded directly through the SDK (not through plinth, which would be
//! held to IAM Identity Center's 20 calls per second).

// A scenario reads best as one test from setup to assertions: the 120-line limit on
// functions (`clippy.toml`) is for the library and the binary.
#![allow(clippy::too_many_lines)]
// A benchmark is a plain program whose report is its standard output.
#![allow(clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use aws_sdk_ssoadmin::types::{PrincipalType, Tag, TargetType};
use futures::stream::{self, StreamExt};
use plinth::plan::PlanOptions;
use support::{Emulator, IdentityCenter, TempBaseline};

struct Size {
    accounts: usize,
    ous: usize,
    permission_sets: usize,
    groups: usize,
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let size = if full {
        Size {
            accounts: 1000,
            ous: 20,
            permission_sets: 30,
            groups: 40,
        }
    } else {
        Size {
            accounts: 100,
            ous: 4,
            permission_sets: 6,
            groups: 8,
        }
    };
    run(size).await;
}

async fn run(size: Size) {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = support::seed(&org).await;
    let ic = IdentityCenter::of(&emu).await;
    let started = Instant::now();

    // OUs, each with accounts/ous accounts.
    let mut ous = Vec::new();
    for i in 0..size.ous {
        let ou = org
            .create_organizational_unit()
            .parent_id(&seeded.root_id)
            .name(format!("Team{i:02}"))
            .send()
            .await
            .unwrap();
        ous.push(ou.organizational_unit().unwrap().id().unwrap().to_owned());
    }
    let per_ou = size.accounts / size.ous;
    let accounts: Vec<(usize, String)> = stream::iter(0..size.accounts)
        .map(|i| {
            let org = &org;
            let ous = &ous;
            let root = &seeded.root_id;
            async move {
                let ou = i / per_ou;
                let id = support::create_account_in(org, &format!("acct-{i:04}"), root, &ous[ou]).await;
                (ou, id)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;

    // Groups, and permission sets plinth owns (as a previous plinth run left them).
    let mut groups = Vec::new();
    for g in 0..size.groups {
        groups.push(ic.create_group(&format!("group-{g:02}")).await);
    }
    let tag = Tag::builder().key("managed-by").value("plinth").build().unwrap();
    let mut sets = Vec::new();
    for s in 0..size.permission_sets {
        let arn = ic
            .admin
            .create_permission_set()
            .instance_arn(&ic.instance_arn)
            .name(format!("Set{s:02}"))
            .session_duration("PT1H")
            .tags(tag.clone())
            .send()
            .await
            .unwrap()
            .permission_set()
            .unwrap()
            .permission_set_arn()
            .unwrap()
            .to_owned();
        ic.admin
            .attach_managed_policy_to_permission_set()
            .instance_arn(&ic.instance_arn)
            .permission_set_arn(&arn)
            .managed_policy_arn(format!(
                "arn:aws:iam::aws:policy/{}",
                support::MANAGED_POLICIES[s % support::MANAGED_POLICIES.len()]
            ))
            .send()
            .await
            .unwrap();
        sets.push(arn);
    }

    // Assignments: every group gets one permission set on one OU; the first half of the
    // groups get a second set on another OU. 40 × 50 + 20 × 50 = 3,000 at full size.
    let mut grants: Vec<(usize, usize, usize)> = Vec::new(); // (group, set, ou)
    for g in 0..size.groups {
        grants.push((g, g % size.permission_sets, g % size.ous));
        if g < size.groups / 2 {
            grants.push((g, (g + 7) % size.permission_sets, (g + 3) % size.ous));
        }
    }
    let mut toml = String::from("[organization]\nmanagement_account_id = \"123456789012\"\n");
    for s in 0..size.permission_sets {
        toml += &format!(
            "\n[[sso.permission_set]]\nname = \"Set{s:02}\"\nsession_duration = \"PT1H\"\nmanaged_policies = [\"arn:aws:iam::aws:policy/{}\"]\n",
            support::MANAGED_POLICIES[s % support::MANAGED_POLICIES.len()]
        );
    }
    for (g, s, ou) in &grants {
        toml += &format!(
            "\n[[sso.assignment]]\npermission_set = \"Set{s:02}\"\ngroups = [\"group-{g:02}\"]\ntargets = [\"ou:Team{ou:02}\"]\n"
        );
    }
    let creates: Vec<(String, String, String)> = grants
        .iter()
        .flat_map(|(g, s, ou)| {
            accounts
                .iter()
                .filter(move |(o, _)| o == ou)
                .map(|(_, id)| (groups[*g].clone(), sets[*s].clone(), id.clone()))
        })
        .collect();
    let assignments = creates.len();
    stream::iter(creates)
        .map(|(group, set, account)| {
            let ic = &ic;
            async move {
                ic.admin
                    .create_account_assignment()
                    .instance_arn(&ic.instance_arn)
                    .permission_set_arn(set)
                    .target_type(TargetType::AwsAccount)
                    .target_id(account)
                    .principal_type(PrincipalType::Group)
                    .principal_id(group)
                    .send()
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    let b = TempBaseline::new(&toml, &[]);
    eprintln!(
        "seeded {} accounts in {} OUs, {} permission sets, {} groups, {assignments} assignments in {:.1?}",
        size.accounts,
        size.ous,
        size.permission_sets,
        size.groups,
        started.elapsed()
    );

    // The plan of a converged organization.
    let session = emu.session().await;
    let started = Instant::now();
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let wall = started.elapsed();
    let counts = session.aws.counter.snapshot();
    let sso_reads: u64 = counts
        .calls
        .iter()
        .filter(|(k, _)| k.starts_with("SSO Admin.") || k.starts_with("identitystore."))
        .map(|(_, n)| n)
        .sum();
    // The quota floor: the busiest bucket's calls at its rate (IAM Identity Center's
    // APIs share one, at 20 a second).
    let floor = sso_reads as f64 / 20.0;
    println!(
        "plan: {} changes, {} reads ({sso_reads} IAM Identity Center, {} other), {} writes, {} throttled, {wall:.1?} (quota floor {floor:.1}s, {:.2}x)",
        plan.changes.len(),
        counts.reads(),
        counts.reads() - sso_reads,
        counts.writes(),
        counts.throttled,
        wall.as_secs_f64() / floor
    );
    for (call, n) in &counts.calls {
        println!("  {n:>5}  {call}");
    }
    assert!(plan.is_empty(), "{:#?}", &plan.changes[..plan.changes.len().min(10)]);
    assert_eq!(counts.writes(), 0, "a converged plan writes nothing");
    // 2 + 7 per permission set + identity store listing + 1 per group.
    let budget = 2 + 7 * size.permission_sets as u64 + 1 + size.groups as u64;
    assert!(
        sso_reads <= budget,
        "{sso_reads} IAM Identity Center reads, more than {budget}"
    );
    let per_pair = [
        "SSO Admin.ListAccountAssignments",
        "SSO Admin.ListPermissionSetsProvisionedToAccount",
    ];
    for call in per_pair {
        assert_eq!(counts.calls.get(call), None, "{call} scales with accounts");
    }

    // A converged apply: nothing to do, and no write.
    let session = emu.session().await;
    let report = session.apply(&plan).await;
    assert!(report.outcomes.is_empty());
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    // `plinth import` of the same organization: the plan's reads, read whole (every
    // group's assignments, every alarm page), plus one read per policy document.
    let session = emu.session().await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let report = plinth::import::import(
        &session,
        &plinth::import::ImportOptions {
            dir: dir.path().to_owned(),
            only: vec![],
            include_others: false,
            home_region: plinth::types::Region::us_east_1(),
        },
    )
    .await
    .unwrap_or_else(|d| panic!("{d}"));
    let imported = session.aws.counter.snapshot();
    println!(
        "import: {} reads, {} writes, {:.1?}; {} policy files",
        imported.reads(),
        imported.writes(),
        started.elapsed(),
        report.files.len()
    );
    for (call, n) in &imported.calls {
        let in_plan = counts.calls.get(call).copied().unwrap_or(0);
        if *n != in_plan {
            println!("  {n:>5}  {call} (plan: {in_plan})");
        }
    }
    assert_eq!(imported.writes(), 0);
    for call in per_pair {
        assert_eq!(imported.calls.get(call), None, "{call} scales with accounts");
    }
    let imported_baseline = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let session = emu.session().await;
    let plan = session
        .plan(&imported_baseline, PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.is_empty(), "{:#?}", &plan.changes[..plan.changes.len().min(10)]);

    // `plinth report`: import's reads of the organization, plus the targets of AWS's own
    // policies (FullAWSAccess on every target), the trails and the alarms' state.
    let session = emu.session().await;
    let started = Instant::now();
    let access = plinth::report::read(&session, &plinth::types::Region::us_east_1())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let read = session.aws.counter.snapshot();
    let html = plinth::render::report::html::report(&access);
    println!(
        "report: {} reads, {} writes, {:.1?}; {} assignments; HTML {} KB",
        read.reads(),
        read.writes(),
        started.elapsed(),
        access.access.len(),
        html.len() / 1024
    );
    for (call, n) in &read.calls {
        let in_import = imported.calls.get(call).copied().unwrap_or(0);
        if *n != in_import {
            println!("  {n:>5}  {call} (import: {in_import})");
        }
    }
    assert_eq!(read.writes(), 0);
    println!(
        "peak memory: {}",
        support::peak_memory().unwrap_or_else(|| "unknown".into())
    );
}
