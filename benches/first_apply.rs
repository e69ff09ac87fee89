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

mod common;

use std::time::Instant;

use common::{Floor, pages, print_run};
use futures::stream::{self, StreamExt};
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
    let plan_peak = heap.peak_mb();
    let changes = plan.changes.len();
    // As `plinth apply` does: the plan handed over, each change let go once done.
    let report = session.apply_owned(plan).await;
    let wall = started.elapsed();
    let failed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| !matches!(o.status, plinth::apply::Status::Done { .. }))
        .take(5)
        .collect();
    assert!(failed.is_empty(), "first apply: {changes} changes, failed: {failed:#?}");
    print_run(
        &format!("first apply ({changes} changes)"),
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
        "0 writes, within 1.1x; at 5,000 accounts at most 500 reads",
    );
    let shape = Shape {
        accounts,
        ous,
        sets,
        groups,
    };
    let read_ratio = shape.converged(&mut Floor::default()).print(&counts);
    println!("converged reads over the page floor: {read_ratio:.2}x (target: at most 1.05x)");
    assert!(read_ratio <= 1.05, "converged reads {read_ratio:.2}x the page floor");
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
        "peak memory: {plan_peak:.1} MB of heap and stacks by the end of the first plan, {:.1} MB by the end \
         (RssAnon; target: under 100 MB for each); {} resident in all, the rest this dev-profile \
         executable's code pages",
        heap.peak_mb(),
        support::peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

/// The reference organization's shape, for the page floor of its converged plan.
struct Shape {
    accounts: usize,
    ous: usize,
    sets: usize,
    groups: usize,
}

impl Shape {
    /// The fewest reads the converged plan's decisions need, at AWS's page sizes.
    fn converged<'f>(&self, floor: &'f mut Floor) -> &'f mut Floor {
        let Shape {
            accounts,
            ous,
            sets,
            groups,
        } = *self;
        // The seeded `Workloads` (with `sandbox`) and `Security`, beside the teams.
        let all_ous = ous + 2;
        common::orphans(floor, true)
            .need("STS.GetCallerIdentity", 1, "whose credentials")
            .need("Organizations.DescribeOrganization", 1, "which organization")
            .need("Organizations.ListRoots", 1, "the root, its policy types")
            .need(
                "Organizations.ListOrganizationalUnitsForParent",
                pages(all_ous, 20) + all_ous as u64,
                "the OUs the baseline names, and OUs below each (whose accounts `ou:` grants reach)",
            )
            .need(
                "Organizations.ListAccountsForParent",
                1 + 2 + (ous as u64) * pages(accounts / ous, 20),
                "each parent's accounts: the management account's root, `Workloads`, `Security`, each team (20 a page)",
            )
            .need(
                "Organizations.ListAWSServiceAccessForOrganization",
                1,
                "trusted access of CloudTrail and IAM Identity Center",
            )
            .need("Organizations.ListPolicies", 1, "the SCPs, by name (11, 20 a page)")
            .need("Organizations.ListTagsForResource", 10, "each SCP is plinth's")
            .need("Organizations.DescribePolicy", 10, "each SCP's document")
            .need(
                "Organizations.ListTargetsForPolicy",
                10,
                "where each SCP is attached (one OU)",
            );
        Shape::trail(floor);
        floor
            .need(
                "CloudWatch.DescribeAlarms",
                pages(accounts + 1, 100),
                "the billing alarms (100 a page)",
            )
            .need("CloudWatch.ListMetrics", 1, "billing metrics are published")
            .need("SNS.GetTopicAttributes", 1, "the billing topic")
            .need("SNS.ListTagsForResource", 1, "the topic is plinth's")
            .need("SNS.ListSubscriptionsByTopic", 1, "its e-mail subscribers");
        let per_set = [
            ("DescribePermissionSet", "each permission set's session and description"),
            ("ListTagsForResource", "each permission set is plinth's"),
            ("ListManagedPoliciesInPermissionSet", "its managed policies"),
            (
                "ListCustomerManagedPolicyReferencesInPermissionSet",
                "its customer managed policies",
            ),
            ("GetInlinePolicyForPermissionSet", "its inline policy"),
            ("GetPermissionsBoundaryForPermissionSet", "its boundary"),
            (
                "ListAccountsForProvisionedPermissionSet",
                "accounts with an outdated copy",
            ),
        ];
        floor.need("SSO Admin.ListInstances", 1, "the instance").need(
            "SSO Admin.ListPermissionSets",
            pages(sets, 100),
            "the permission sets",
        );
        for (op, why) in per_set {
            floor.need(&format!("SSO Admin.{op}"), sets as u64, why);
        }
        floor
            .need("identitystore.ListGroups", pages(groups, 100), "the groups, by name")
            .need(
                "SSO Admin.ListAccountAssignmentsForPrincipal",
                self.assignment_pages(),
                "each group's assignments (100 a page)",
            )
    }

    /// The trail's decisions: the trail and its settings, its bucket's.
    fn trail(floor: &mut Floor) {
        floor
            .need("CloudTrail.GetTrail", 1, "the trail")
            .need("CloudTrail.ListTags", 1, "the trail is plinth's")
            .need("CloudTrail.GetTrailStatus", 1, "it is logging")
            .need("CloudTrail.GetEventSelectors", 1, "it logs management events")
            .need("S3.GetBucketPolicy", 1, "the bucket lets CloudTrail write")
            .need("S3.GetBucketTagging", 1, "the bucket is plinth's")
            .need("S3.GetPublicAccessBlock", 1, "the bucket is not public")
            .need("S3.GetBucketEncryption", 1, "the bucket is encrypted");
    }

    /// Pages of `ListAccountAssignmentsForPrincipal`: each group's grants (the baseline's
    /// formula) times the accounts of an OU, 100 a page.
    fn assignment_pages(&self) -> u64 {
        let mut per_group = vec![0usize; self.groups];
        for o in 0..self.ous {
            for k in 0..3 {
                per_group[(o * 3 + k) % self.groups] += self.accounts / self.ous;
            }
        }
        per_group.iter().filter(|n| **n > 0).map(|n| pages(*n, 100)).sum()
    }
}
