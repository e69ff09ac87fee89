//! What the benchmarks print about a run: its calls per service, wall time against the
//! quota floor (no run can be faster), and its reads against the page floor (no plan can
//! read less).
//!
//! The page floor is the fewest read calls the plan's decisions need at AWS's page
//! sizes, written by each benchmark from the organization it built, one line per
//! operation with what the decision is; operations a plan makes that the floor does not
//! name count against it as zero.

use std::collections::BTreeMap;
use std::time::Duration;

use plinth::aws::Counts;
use plinth::aws::quotas;

/// The fewest reads each operation needs, by `Service.Operation`, with why.
#[derive(Default)]
pub struct Floor {
    lines: BTreeMap<String, (u64, String)>,
}

impl Floor {
    /// `calls` of `call` are needed, for `why`; added to what the operation needs already.
    pub fn need(&mut self, call: &str, calls: u64, why: &str) -> &mut Floor {
        let entry = self.lines.entry(call.to_owned()).or_insert((0, String::new()));
        entry.0 += calls;
        if !entry.1.is_empty() {
            entry.1.push_str("; ");
        }
        entry.1.push_str(why);
        self
    }

    pub fn total(&self) -> u64 {
        self.lines.values().map(|(n, _)| n).sum()
    }

    /// Each operation's reads beside its floor, then the totals and their ratio.
    pub fn print(&self, counts: &Counts) -> f64 {
        let mut calls: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for (call, n) in &counts.calls {
            let (_, op) = call.rsplit_once('.').unwrap();
            if plinth::aws::counter::is_read(op) {
                calls.entry(call).or_default().0 = *n;
            }
        }
        for (call, (n, _)) in &self.lines {
            calls.entry(call).or_default().1 = *n;
        }
        println!("  page floor: reads made / fewest needed, by operation");
        for (call, (made, needed)) in &calls {
            let why = self.lines.get(*call).map_or("not needed by any decision", |(_, w)| w);
            let mark = if made > needed { "  over" } else { "" };
            println!("    {call:<50} {made:>6} / {needed:<6} {why}{mark}");
        }
        let ratio = counts.reads() as f64 / self.total().max(1) as f64;
        println!(
            "  reads: {} made, page floor {}, {ratio:.2}x",
            counts.reads(),
            self.total()
        );
        ratio
    }
}

/// What every plan reads to find plinth's own resources of the kinds with a section in
/// the registry that the baseline may have dropped (orphans, kept or deleted): the
/// policies of each organization policy type with a kind of its own (RCPs, AI opt-out,
/// tag, EC2 declarative and S3 policies; SCPs are read anyway), the budgets, the alarms.
pub fn orphans(floor: &mut Floor, alarms_read: bool) -> &mut Floor {
    floor
        .need(
            "Organizations.ListPolicies",
            5,
            "plinth's policies of the 5 other types with a kind, should the baseline drop one",
        )
        .need(
            "Budgets.DescribeBudgets",
            1,
            "plinth's budgets, should the baseline drop one",
        );
    if !alarms_read {
        floor.need(
            "CloudWatch.DescribeAlarms",
            1,
            "plinth's alarms, should the baseline drop one",
        );
    }
    floor
}

/// Pages of `n` items at `size` a page: at least one, as a listing of nothing is a call.
pub fn pages(n: usize, size: usize) -> u64 {
    n.div_ceil(size).max(1) as u64
}

/// One run's calls per service, throttled answers, wall time and quota floor, and the
/// issue's target beside them. Returns wall time over the quota floor.
pub fn print_run(what: &str, counts: &Counts, wall: Duration, target: &str) -> f64 {
    let floor = quota_floor(counts);
    let ratio = wall.as_secs_f64() / floor.as_secs_f64().max(0.001);
    println!(
        "{what}: {} reads, {} writes, {} throttled, {wall:.1?} (quota floor {floor:.1?}, {ratio:.2}x; target: {target})",
        counts.reads(),
        counts.writes(),
        counts.throttled,
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
    ratio
}

/// The busiest bucket's calls at its quota: no run can be faster.
pub fn quota_floor(counts: &Counts) -> Duration {
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
