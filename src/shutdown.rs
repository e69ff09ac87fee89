//! Interrupts, handled as Terraform handles them. While plinth holds the apply lock, the
//! first SIGINT or SIGTERM starts no new change: the changes in flight finish, the report
//! says what was done and what was not, the lock is released, and plinth exits 130
//! (SIGINT) or 143 (SIGTERM). A second signal aborts at once. Outside the lock there is
//! nothing to finish, so the first signal ends plinth at once with the same exit code.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Which signal asked plinth to stop (0: none yet).
static REQUESTED: AtomicI32 = AtomicI32::new(0);
/// How many pieces of work must be let finish (a held lock, an apply).
static PROTECTED: AtomicUsize = AtomicUsize::new(0);

fn notify() -> &'static Notify {
    static N: OnceLock<Notify> = OnceLock::new();
    N.get_or_init(Notify::new)
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn name(signal: i32) -> &'static str {
    if signal == SIGTERM { "SIGTERM" } else { "SIGINT" }
}

/// The exit code for a run stopped by `signal`: 128 + its number.
pub fn exit_code(signal: i32) -> u8 {
    (128 + signal) as u8
}

/// The signal that asked plinth to stop, if any.
pub fn requested() -> Option<i32> {
    match REQUESTED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Why no new change may start, once a signal came.
pub fn stop_reason() -> Option<String> {
    requested().map(|s| format!("plinth was interrupted ({}) before it started", name(s)))
}

/// Wait until a signal asks plinth to stop.
pub async fn wait() {
    loop {
        let notified = notify().notified();
        if requested().is_some() {
            return;
        }
        notified.await;
    }
}

/// Work that a first signal lets finish; dropping the guard ends the protection.
pub struct Protect(());

pub fn protect() -> Protect {
    PROTECTED.fetch_add(1, Ordering::SeqCst);
    Protect(())
}

impl Drop for Protect {
    fn drop(&mut self) {
        PROTECTED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Record a signal; the first one while work is protected only asks it to stop.
fn on_signal(signal: i32) {
    let first = REQUESTED
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok();
    if first && PROTECTED.load(Ordering::SeqCst) > 0 {
        tracing::warn!(
            "{}: no new change starts; waiting for the changes in flight, then releasing the apply lock (send it again to abort at once)",
            name(signal)
        );
        notify().notify_waiters();
        return;
    }
    if !first {
        eprintln!(
            "error: {} again: aborting at once; changes in flight may or may not have been made, and the apply lock stays until its lease passes (or `plinth force-unlock`)",
            name(signal)
        );
    }
    // A second signal aborts at once, wherever plinth is: the one exit outside main.
    #[allow(clippy::exit)]
    std::process::exit(i32::from(exit_code(signal)));
}

/// Listen for SIGINT and SIGTERM for the life of the process.
pub fn install() {
    tokio::spawn(async {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            tracing::warn!("cannot listen for interrupts");
            return;
        };
        loop {
            let signal = tokio::select! {
                _ = int.recv() => SIGINT,
                _ = term.recv() => SIGTERM,
            };
            on_signal(signal);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(SIGINT), 130);
        assert_eq!(exit_code(SIGTERM), 143);
        assert_eq!(name(SIGTERM), "SIGTERM");
    }
}
