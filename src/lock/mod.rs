//! Two applies must never interleave. Before writing, plinth takes a lock: one item per
//! organization in the DynamoDB table `plinth-locks`, written with a condition so that
//! only one run can hold it (DynamoDB conditional writes are atomic; this is Terraform's
//! state-lock design).
//!
//! The lock is a lease that fences, whatever the hosts' clocks say. The holder renews it
//! every quarter lease with a new record version number (`rvn`), each renewal conditional
//! on the previous number, and counts its lease on its own clock ([`clock`], one that
//! counts suspend) from the moment it *sent* the last renewal that succeeded: once less
//! than a third of it is left, or a renewal finds the lock taken over, [`Held::check`]
//! fails. The holder arms the run's fence with it ([`Held::gate`], `aws::fence`): from
//! then on every AWS call of the run asks it, so no write is sent once the lease is
//! lapsed, and no call at all once the lock is lost, whichever change makes it and
//! however long that change has been running. A waiter takes a lock over only after
//! seeing the same version number for a whole lease on its own clock, so by then the
//! holder has stopped writing. Only a lock this very process held is reclaimed at once
//! ([`holder`]); `plinth force-unlock` frees a lock by hand.
//!
//! Only runs that will write take the lock, so a converged run still makes no write call.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::aws::AwsError;
use crate::aws::dynamodb::{Dynamo, LockRecord};
use crate::aws::fence::Gate;
use crate::diag::{Diagnostic, Diagnostics};

pub mod clock;
pub mod holder;
mod lease;

use holder::{Seen, held_here};
use lease::{Lease, LeaseState};

pub const TABLE: &str = "plinth-locks";

#[derive(Debug, Clone, Copy)]
pub struct LockOptions {
    /// How long to wait for another run's lock; zero fails at once.
    pub timeout: Duration,
    /// How long the lock lasts without renewal: a crashed holder's lock is taken over
    /// once it has gone this long unrenewed.
    pub lease: Duration,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            timeout: Duration::from_secs(120),
            lease: Duration::from_secs(60),
        }
    }
}

/// The lock's id for an organization, as `plinth force-unlock` takes it.
pub fn lock_id(organization_id: &str) -> String {
    format!("plinth/{organization_id}")
}

/// Seconds since the epoch: only for people reading a lock, never to judge one.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A new name for this process to hold a lock as ([`holder`]).
pub fn holder_name() -> String {
    holder::new_name()
}

/// A record version number: unique, never compared but for equality.
fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos:x}{:x}", N.fetch_add(1, Ordering::Relaxed))
}

/// Why the holder named `holder` is certainly gone, so that its lock is reclaimed at
/// once: it is this very process, which no longer holds the lock (an earlier pass whose
/// release failed). `None` for every other holder, wherever it runs: those are taken over
/// only once their lease has passed unrenewed.
pub fn gone_holder(holder: &str) -> Option<String> {
    (holder::seen(holder) == Seen::Mine).then(|| format!("`{holder}` is an earlier run of this process"))
}

/// A held lock; renewed in the background until released.
pub struct Held {
    dynamo: Dynamo,
    lock_id: String,
    holder: String,
    state: Arc<LeaseState>,
    renewal: tokio::task::JoinHandle<()>,
}

fn failure(e: AwsError) -> Diagnostics {
    Diagnostic::error("cannot take the apply lock")
        .causes(e.causes())
        .hint(format!("plinth keeps its lock in the DynamoDB table `{TABLE}` (us-east-1); it needs dynamodb:CreateTable, DescribeTable, PutItem, GetItem, UpdateItem and DeleteItem on it"))
        .into()
}

/// A lock for people: who holds it, since when, and what this process can tell of where
/// the holder runs.
fn describe(h: &LockRecord) -> String {
    format!(
        "held by `{}` since {} s ago (its clock), renewed every {} s; {}",
        h.holder,
        (now() - h.acquired_at).max(0),
        (h.lease_secs / 4).max(1),
        holder::whereabouts(&h.holder)
    )
}

/// Take the lock for `organization_id`, waiting up to `options.timeout`.
pub async fn acquire(dynamo: &Dynamo, organization_id: &str, options: LockOptions) -> Result<Held, Diagnostics> {
    acquire_as(dynamo, organization_id, options, holder_name()).await
}

/// [`acquire`] under the holder name `holder`: a lock that already names it is this run's
/// own (a write that went through but whose answer was lost, and was sent again).
pub async fn acquire_as(
    dynamo: &Dynamo,
    organization_id: &str,
    options: LockOptions,
    holder: String,
) -> Result<Held, Diagnostics> {
    let clock = clock::lease_clock();
    dynamo.ensure_table(TABLE).await.map_err(failure)?;
    let lock_id = lock_id(organization_id);
    let lease_secs = options.lease.as_secs().max(4);
    let started = clock();
    // Looks again every two seconds, with jitter so that waiting runs do not retry in step.
    let mut waits = {
        use backon::BackoffBuilder;
        backon::ConstantBuilder::default()
            .with_delay(Duration::from_secs(2))
            .with_jitter()
            .without_max_times()
            .build()
    };
    // The lock as first seen as it is now (holder, version, expiry), and when.
    let mut seen: Option<(LockRecord, Duration)> = None;
    let (sent, rvn) = loop {
        let sent = clock();
        let record = LockRecord {
            holder: holder.clone(),
            acquired_at: now(),
            expires_at: now() + lease_secs as i64,
            rvn: unique(),
            lease_secs,
        };
        let Some(there) = dynamo.try_acquire(TABLE, &lock_id, &record).await.map_err(failure)? else {
            break (sent, record.rvn);
        };
        // Our own write, answered late and retried by the SDK: the lock is ours.
        if there.holder == holder {
            break (sent, there.rvn);
        }
        // Any change counts as a renewal: a new version, or (a lock of an older plinth,
        // without versions) a new expiry.
        let same = seen
            .as_ref()
            .is_some_and(|(s, _)| s.holder == there.holder && s.rvn == there.rvn && s.expires_at == there.expires_at);
        if !same {
            seen = Some((there.clone(), clock()));
        }
        let unrenewed = seen
            .as_ref()
            .map_or(Duration::ZERO, |(_, t)| clock().saturating_sub(*t));
        let stale = if let Some(why) = gone_holder(&there.holder) {
            Some(why)
        } else if unrenewed >= Duration::from_secs(there.lease_secs) {
            Some(format!(
                "`{}` did not renew it for {} s",
                there.holder, there.lease_secs
            ))
        } else if there.rvn.is_empty() && there.expires_at < now() {
            // A lock of an older plinth, past its own expiry.
            Some(format!("`{}` let it expire", there.holder))
        } else {
            None
        };
        if let Some(why) = stale {
            if take_over(dynamo, &lock_id, &there, &record).await.map_err(failure)? {
                tracing::warn!(%lock_id, "took the apply lock over: {why}");
                break (sent, record.rvn);
            }
            continue;
        }
        let waited = clock().saturating_sub(started);
        if waited >= options.timeout {
            return Err(Diagnostic::error("another plinth run is applying changes to this organization")
                .cause(format!("the lock `{lock_id}` is {}", describe(&there)))
                .hint(format!(
                    "wait for it to finish, or pass `--lock-timeout` to wait longer; a crashed run's lock is taken over once it has gone {} s unrenewed, or free it now with `plinth force-unlock {lock_id}` if that run is certainly gone",
                    there.lease_secs
                ))
                .into());
        }
        tracing::info!(
            "waiting for the lock: {}; plinth takes it over if it goes {} s unrenewed (unrenewed for {} s now)",
            describe(&there),
            there.lease_secs,
            unrenewed.as_secs()
        );
        tokio::select! {
            () = tokio::time::sleep(waits.next().unwrap_or(Duration::from_secs(2)).min(options.timeout.saturating_sub(waited))) => {}
            // An interrupt while waiting: nothing was started, so stop waiting.
            () = crate::shutdown::wait() => {
                return Err(Diagnostic::error("interrupted while waiting for the apply lock; nothing was changed").into());
            }
        }
    };
    tracing::info!(%lock_id, %holder, "took the apply lock");
    held_here().insert(holder.clone());
    let lease = Duration::from_secs(lease_secs);
    let state = Arc::new(LeaseState::new(clock, sent, lease));
    let renewal = tokio::spawn(renew(
        dynamo.clone(),
        lock_id.clone(),
        holder.clone(),
        rvn,
        lease,
        state.clone(),
    ));
    Ok(Held {
        dynamo: dynamo.clone(),
        lock_id,
        holder,
        state,
        renewal,
    })
}

/// Take over `seen`; a retried write whose first attempt took it counts as taken.
async fn take_over(dynamo: &Dynamo, lock_id: &str, seen: &LockRecord, record: &LockRecord) -> Result<bool, AwsError> {
    if dynamo.take_over(TABLE, lock_id, seen, record).await? {
        return Ok(true);
    }
    Ok(dynamo
        .read(TABLE, lock_id)
        .await?
        .is_some_and(|r| r.holder == record.holder && r.rvn == record.rvn))
}

/// Renew every quarter lease until the lock is lost or released.
async fn renew(
    dynamo: Dynamo,
    lock_id: String,
    holder: String,
    mut rvn: String,
    lease: Duration,
    state: Arc<LeaseState>,
) {
    loop {
        tokio::time::sleep(lease / 4).await;
        let sent = (state.clock)();
        let next = unique();
        let renewed = match dynamo
            .renew(TABLE, &lock_id, &holder, &rvn, &next, now() + lease.as_secs() as i64)
            .await
        {
            // A renewal that went through but was retried finds its own new version.
            Ok(false) => dynamo
                .read(TABLE, &lock_id)
                .await
                .map(|r| r.is_some_and(|r| r.holder == holder && r.rvn == next)),
            other => other,
        };
        match renewed {
            Ok(true) => {
                rvn = next;
                state.get().writes_until = Lease::renewed(sent, lease);
            }
            Ok(false) => {
                tracing::error!(%lock_id, "the apply lock was taken over by another run; plinth sends no further call");
                state.get().lost = true;
                return;
            }
            Err(e) => tracing::warn!(error = %e, "could not renew the apply lock; trying again"),
        }
    }
}

impl Held {
    /// Whether a write may be sent now: the lock is still ours and its lease has time left.
    pub fn check(&self) -> Result<(), String> {
        self.state.check(true)
    }

    /// The gate for the run's fence (`aws::fence`): writes while the lease has time left,
    /// any call while the lock is not lost.
    pub fn gate(&self) -> Gate {
        let state = self.state.clone();
        Arc::new(move |write| state.check(write))
    }

    pub fn lock_id(&self) -> &str {
        &self.lock_id
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub async fn release(self) {
        self.renewal.abort();
        match self.dynamo.release(TABLE, &self.lock_id, &self.holder).await {
            Ok(()) => tracing::info!(lock_id = %self.lock_id, "released the apply lock"),
            Err(e) => {
                tracing::warn!(error = %e, "could not release the apply lock; another run takes it over once its lease passes");
            }
        }
    }
}

impl Drop for Held {
    /// Released or not, this process no longer renews or claims the lock.
    fn drop(&mut self) {
        self.renewal.abort();
        held_here().remove(&self.holder);
    }
}

/// The lock `lock_id` as it is, for `plinth force-unlock` to show before asking.
pub async fn inspect(dynamo: &Dynamo, lock_id: &str) -> Result<Option<LockRecord>, Diagnostics> {
    match dynamo.read(TABLE, lock_id).await {
        Err(e) if e.is_not_found() => Ok(None),
        other => other.map_err(failure),
    }
}

/// Free `lock_id` whoever holds it, if it is still held by the holder of `seen`.
pub async fn force_unlock(dynamo: &Dynamo, lock_id: &str, seen: &LockRecord) -> Result<(), Diagnostics> {
    if dynamo.force_release(TABLE, lock_id, seen).await.map_err(failure)? {
        tracing::warn!(%lock_id, holder = %seen.holder, "freed the apply lock by hand");
        return Ok(());
    }
    Err(
        Diagnostic::error(format!("the lock `{lock_id}` changed hands while plinth asked"))
            .hint("run `plinth force-unlock` again to see who holds it now")
            .into(),
    )
}

/// A description of a lock for people: who holds it, since when, and where it runs as
/// far as this host can tell.
pub fn describe_holder(record: &LockRecord) -> String {
    describe(record)
}

#[cfg(test)]
mod tests;
