//! The reference organization, first apply to converged, against an emulator that
//! enforces AWS's request-rate quotas (plinth's own table, `src/aws/quotas.rs`): accounts
//! in OUs, 10 SCPs, the organization trail, a billing alarm for the organization and one
//! per account, 30 permission sets, 40 groups and three assignments per account. Only
//! the organization (OUs, accounts) and the identity store's groups are seeded; plinth
//! makes everything else.
//!
//! For the first apply, a converged plan and a converged apply it prints calls per
//! service (reads, writes), throttled answers, wall time, the quota floor (the busiest
//! bucket's calls at its quota) and peak memory; it asserts what the design promises:
//! no failed change, nothing left to do after one apply, no write when converged.
//!
//! `make bench-apply` runs it at 1,000 accounts (`PLINTH_BENCH_ACCOUNTS=5000` for the
//! large one: about 30 minutes, most of it `PutMetricAlarm` at 3 a second). Under
//! `cargo test` it runs at 30 accounts, so CI keeps it working.

// A scenario reads best as one test from setup to assertions: the 120-line limit on
// functions (`clippy.toml`) is for the library and the binary.
#![allow(clippy::too_many_lines)]
// A benchmark is a plain program whose report is its standard output.
#![allow(clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use plinth::aws::Counts;
use plinth::aws::quotas;
use plinth::plan::PlanOptions;
use support::{Emulator, IdentityCenter, TempBaseline};

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let accounts: usize = match std::env::var("PLINTH_BENCH_ACCOUNTS") {
        Ok(n) => n.parse().expect("PLINTH_BENCH_ACCOUNTS is a number"),
        Err(_) if full => 1000,
        Err(_) => 30,
    };
    // 50 accounts an OU (20 OUs at 1,000, 100 at 5,000), at least 3 OUs.
    let ous = (accounts / 50).max(3);
    let (sets, groups) = if accounts >= 1000 { (30, 40) } else { (6, 8) };

    let heap = support::HeapSampler::start();
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = support::seed(&org).await;
    let ic = IdentityCenter::of(&emu).await;
    let started = Instant::now();
    let mut ou_ids = Vec::new();
    for i in 0..ous {
        let ou = org
            .create_organizational_unit()
            .parent_id(&seeded.root_id)
            .name(format!("Team{i:03}"))
            .send()
            .await
            .unwrap();
        ou_ids.push(ou.organizational_unit().unwrap().id().unwrap().to_owned());
    }
    let ids: Vec<String> = stream::iter(0..accounts)
        .map(|i| {
            let (org, ou_ids, root) = (&org, &ou_ids, &seeded.root_id);
            async move { support::create_account_in(org, &format!("acct-{i:05}"), root, &ou_ids[i % ous]).await }
        })
        .buffered(8)
        .collect()
        .await;
    for g in 0..groups {
        ic.create_group(&format!("group-{g:02}")).await;
    }
    eprintln!(
        "seeded {accounts} accounts in {ous} OUs and {groups} groups in {:.1?}",
        started.elapsed()
    );

    // The baseline: 10 SCPs, one OU each (at most 4 on an OU, with FullAWSAccess 5), the trail, alarms, permission sets, and on each OU
    // three grants (so three assignments per account).
    let mut toml = String::from("[organization]\nmanagement_account_id = \"123456789012\"\n");
    let mut files = Vec::new();
    for p in 0..10 {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Deny{p}","Effect":"Deny","Action":"ec2:DeleteVpc{p}","Resource":"*"}}]}}"#
        );
        files.push((format!("policies/p{p}.json"), doc));
        toml += &format!(
            "\n[[scp.custom]]\nname = \"guard-{p}\"\nfile = \"policies/p{p}.json\"\nattach = [\"ou:Team{:03}\"]\n",
            p % ous
        );
    }
    toml += "\n[trail]\nname = \"org-trail\"\nbucket = \"reference-org-trail\"\n";
    toml += "\n[billing]\nnotify = [\"finance@example.com\"]\n\n[[billing.alarm]]\nname = \"organization\"\nthreshold_usd = 100000\n";
    for (i, id) in ids.iter().enumerate() {
        toml += &format!("\n[[billing.alarm]]\nname = \"acct-{i:05}\"\naccount = \"{id}\"\nthreshold_usd = 500\n");
    }
    for s in 0..sets {
        toml += &format!(
            "\n[[sso.permission_set]]\nname = \"Set{s:02}\"\nmanaged_policies = [\"arn:aws:iam::aws:policy/{}\"]\n",
            support::MANAGED_POLICIES[s % support::MANAGED_POLICIES.len()]
        );
    }
    for o in 0..ous {
        for k in 0..3 {
            toml += &format!(
                "\n[[sso.assignment]]\npermission_set = \"Set{:02}\"\ngroups = [\"group-{:02}\"]\ntargets = [\"ou:Team{o:03}\"]\n",
                (o + k) % sets,
                (o * 3 + k) % groups
            );
        }
    }
    let file_refs: Vec<(&str, &str)> = files.iter().map(|(p, d)| (p.as_str(), d.as_str())).collect();
    let b = TempBaseline::new(&toml, &file_refs);
    emu.enforce_quotas();

    // First apply.
    let session = emu.session().await;
    let started = Instant::now();
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    let wall = started.elapsed();
    let failed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| !matches!(o.status, plinth::apply::Status::Done { .. }))
        .take(5)
        .collect();
    assert!(
        failed.is_empty(),
        "first apply: {} changes, failed: {failed:#?}",
        plan.changes.len()
    );
    print_run(
        &format!("first apply ({} changes)", plan.changes.len()),
        &session.aws.counter.snapshot(),
        wall,
        "no failed change, within 1.10x, under 1 % throttled",
    );

    // Converged plan and apply.
    let session = emu.session().await;
    let started = Instant::now();
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let wall = started.elapsed();
    let counts = session.aws.counter.snapshot();
    print_run(
        "converged plan",
        &counts,
        wall,
        "0 writes, within 1.30x; at 5,000 accounts at most 500 reads",
    );
    assert!(plan.is_empty(), "{:#?}", &plan.changes[..plan.changes.len().min(5)]);
    assert_eq!(counts.writes(), 0, "{:?}", counts.write_calls());
    // Every OU is targeted: each account is listed once, by the walk of the OU tree.
    assert_eq!(counts.calls.get("Organizations.ListAccounts"), None, "{counts:?}");
    assert_eq!(counts.calls.get("Organizations.ListParents"), None, "{counts:?}");
    session.aws.counter.reset();
    let started = Instant::now();
    let report = session.apply(&plan).await;
    assert!(report.outcomes.is_empty());
    print_run(
        "converged apply",
        &session.aws.counter.snapshot(),
        started.elapsed(),
        "0 calls",
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);

    let quota = emu.quota_counts();
    let total = |field: &str| -> u64 {
        quota
            .as_object()
            .unwrap()
            .values()
            .map(|c| c[field].as_u64().unwrap_or(0))
            .sum()
    };
    let (requests, throttled, late) = (total("requests"), total("throttled"), total("late"));
    println!(
        "emulator: {requests} requests, {throttled} throttled ({:.2} %); {late} reached more than 20 ms \
         after they arrived (judged at arrival)",
        100.0 * throttled as f64 / requests.max(1) as f64,
    );
    let mut by_operation: Vec<(&String, u64)> = quota
        .as_object()
        .unwrap()
        .iter()
        .map(|(op, c)| (op, c["throttled"].as_u64().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    by_operation.sort_by_key(|(op, n)| (std::cmp::Reverse(*n), (*op).clone()));
    for (op, n) in by_operation {
        println!("  {op:<45} {n} throttled");
    }
    println!(
        "peak memory: {:.1} MB of heap and stacks (RssAnon; target: under 100 MB); {} resident in all, \
         the rest this dev-profile executable's code pages",
        heap.peak_mb(),
        support::peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

/// One run's calls per service, throttled answers, wall time and quota floor, and the
/// issue's target beside them.
fn print_run(what: &str, counts: &Counts, wall: Duration, target: &str) {
    let floor = quota_floor(counts);
    println!(
        "{what}: {} reads, {} writes, {} throttled, {wall:.1?} (quota floor {floor:.1?}, {:.2}x; target: {target})",
        counts.reads(),
        counts.writes(),
        counts.throttled,
        wall.as_secs_f64() / floor.as_secs_f64().max(0.001)
    );
    let mut per_service: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (call, n) in &counts.calls {
        let (service, op) = call.rsplit_once('.').unwrap();
        let entry = per_service.entry(service).or_default();
        if plinth::aws::counter::is_read(op) {
            entry.0 += n;
        } else {
            entry.1 += n;
        }
    }
    for (service, (reads, writes)) in per_service {
        println!("  {service:<16} {reads:>6} reads {writes:>6} writes");
    }
}

/// The busiest bucket's calls at its quota: no run can be faster.
fn quota_floor(counts: &Counts) -> Duration {
    let mut buckets: BTreeMap<String, (u64, quotas::Quota)> = BTreeMap::new();
    for (call, n) in &counts.calls {
        let (service, op) = call.rsplit_once('.').unwrap();
        if let Some((bucket, q)) = quotas::shared(service) {
            buckets.entry(bucket.to_owned()).or_insert((0, q)).0 += n;
        }
        if let Some(q) = quotas::of(service, op) {
            buckets.entry(call.clone()).or_insert((0, q)).0 += n;
        }
    }
    let secs = buckets
        .values()
        .map(|(n, q)| n.saturating_sub(u64::from(q.burst)) as f64 / q.rate)
        .fold(0.0, f64::max);
    Duration::from_secs_f64(secs)
}
