//! The holder's side of the lease: until when it may send writes, and whether the lock
//! was lost, on its lease clock ([`super::clock`]).

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::clock::Clock;

const LOST: &str = "the apply lock was lost (another run took it over)";
const LAPSED: &str = "the apply lock could not be renewed in time (another run may take it over)";

/// What the holder knows of its lease, on its lease clock.
#[derive(Debug)]
pub(super) struct Lease {
    /// No write may be sent after this time.
    pub(super) writes_until: Duration,
    pub(super) lost: bool,
}

impl Lease {
    /// Writes may go on for two thirds of the lease after the renewal was sent: a waiter
    /// needs a whole lease from when it saw that renewal to take over.
    pub(super) fn renewed(sent: Duration, lease: Duration) -> Duration {
        sent + lease * 2 / 3
    }

    /// Whether a call may be sent at `at`: a write only while the lease has time left,
    /// any call only while the lock is not lost.
    pub(super) fn check(&self, at: Duration, write: bool) -> Result<(), String> {
        if self.lost {
            return Err(LOST.into());
        }
        if write && at >= self.writes_until {
            return Err(LAPSED.into());
        }
        Ok(())
    }
}

/// A lease and the clock it is counted on, shared by the holder, its renewal and the fence.
pub(super) struct LeaseState {
    lease: Mutex<Lease>,
    pub(super) clock: Clock,
}

impl LeaseState {
    pub(super) fn new(clock: Clock, sent: Duration, lease: Duration) -> LeaseState {
        LeaseState {
            lease: Mutex::new(Lease {
                writes_until: Lease::renewed(sent, lease),
                lost: false,
            }),
            clock,
        }
    }

    pub(super) fn check(&self, write: bool) -> Result<(), String> {
        let at = (self.clock)();
        self.get().check(at, write)
    }

    pub(super) fn get(&self) -> MutexGuard<'_, Lease> {
        self.lease.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
