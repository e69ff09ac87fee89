//! Two applies must never interleave. Before writing, plinth takes a lock: one item per
//! organization in the DynamoDB table `plinth-locks`, written with a condition so that
//! only one run can hold it (DynamoDB conditional writes are atomic; this is Terraform's
//! state-lock design). The holder renews it while it works; a crashed holder's lock
//! expires after `ttl` and the next run takes it over. A second run waits up to its
//! timeout, then fails naming the holder.
//!
//! Only runs that will write take the lock, so a converged run still makes no write call.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::aws::AwsError;
use crate::aws::dynamodb::{Dynamo, LockHolder};
use crate::diag::{Diagnostic, Diagnostics};

pub const TABLE: &str = "plinth-locks";

#[derive(Debug, Clone, Copy)]
pub struct LockOptions {
    /// How long to wait for another run's lock; zero fails at once.
    pub timeout: Duration,
    /// How long a lock lasts without renewal (a crashed holder's lock frees after this).
    pub ttl: Duration,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            timeout: Duration::from_secs(120),
            ttl: Duration::from_secs(600),
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// This run's name in the lock: host, process and start time.
pub fn holder_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{host}:pid {}:{nanos:x}", std::process::id())
}

/// A held lock; renewed in the background until released.
pub struct Held {
    dynamo: Dynamo,
    lock_id: String,
    holder: String,
    renewal: tokio::task::JoinHandle<()>,
}

fn failure(e: AwsError) -> Diagnostics {
    Diagnostic::error("cannot take the apply lock")
        .cause(e.to_string())
        .hint(format!("plinth keeps its lock in the DynamoDB table `{TABLE}` (us-east-1); it needs dynamodb:CreateTable, DescribeTable, PutItem, GetItem, UpdateItem and DeleteItem on it"))
        .into()
}

fn describe(h: &LockHolder) -> String {
    format!(
        "held by `{}` for {} s, expiring in {} s",
        h.holder,
        (now() - h.acquired_at).max(0),
        (h.expires_at - now()).max(0)
    )
}

/// Take the lock for `organization_id`, waiting up to `options.timeout`.
pub async fn acquire(dynamo: &Dynamo, organization_id: &str, options: LockOptions) -> Result<Held, Diagnostics> {
    dynamo.ensure_table(TABLE).await.map_err(failure)?;
    let lock_id = format!("plinth/{organization_id}");
    let holder = holder_name();
    let ttl = options.ttl.as_secs() as i64;
    let started = std::time::Instant::now();
    loop {
        let t = now();
        match dynamo
            .try_acquire(TABLE, &lock_id, &holder, t, t + ttl)
            .await
            .map_err(failure)?
        {
            None => break,
            Some(other) => {
                if started.elapsed() >= options.timeout {
                    return Err(Diagnostic::error("another plinth run is applying changes to this organization")
                        .cause(format!("the lock `{lock_id}` is {}", describe(&other)))
                        .hint("wait for it to finish, or pass `--lock-timeout` to wait longer; a crashed run's lock expires by itself")
                        .into());
                }
                tracing::info!("waiting for the lock: {}", describe(&other));
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    tracing::info!(%lock_id, %holder, "took the apply lock");
    let renewal = {
        let (dynamo, lock_id, holder) = (dynamo.clone(), lock_id.clone(), holder.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs((ttl / 3).max(1) as u64)).await;
                if let Err(e) = dynamo.renew(TABLE, &lock_id, &holder, now() + ttl).await {
                    tracing::warn!(error = %e, "could not renew the apply lock");
                }
            }
        })
    };
    Ok(Held {
        dynamo: dynamo.clone(),
        lock_id,
        holder,
        renewal,
    })
}

impl Held {
    pub async fn release(self) {
        self.renewal.abort();
        match self.dynamo.release(TABLE, &self.lock_id, &self.holder).await {
            Ok(()) => tracing::info!(lock_id = %self.lock_id, "released the apply lock"),
            Err(e) => tracing::warn!(error = %e, "could not release the apply lock; it expires by itself"),
        }
    }
}
