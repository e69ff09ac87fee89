use std::sync::atomic::{AtomicU64, Ordering};

use super::clock::Clock;
use super::holder::{Identity, Seen, parse, seen};
use super::lease::{Lease, LeaseState};
use super::*;

#[test]
fn the_lease_stops_writes_before_a_waiter_may_take_over() {
    let lease = Duration::from_secs(60);
    let sent = Duration::from_secs(1000);
    let l = Lease {
        writes_until: Lease::renewed(sent, lease),
        lost: false,
    };
    assert!(l.check(sent + Duration::from_secs(39), true).is_ok());
    // A waiter that saw this renewal at `sent` at the earliest takes over at `sent + 60 s`.
    let e = l.check(sent + Duration::from_secs(40), true).unwrap_err();
    assert_eq!(
        e,
        "the apply lock could not be renewed in time (another run may take it over)"
    );
    // Lapsed is not lost: reads (a status poll) go on, and a renewal may come yet.
    assert!(l.check(sent + Duration::from_secs(40), false).is_ok());
    let lost = Lease {
        writes_until: sent + lease,
        lost: true,
    };
    for write in [true, false] {
        assert_eq!(
            lost.check(sent, write).unwrap_err(),
            "the apply lock was lost (another run took it over)"
        );
    }
}

/// A clock a test moves by hand, in milliseconds.
fn fake_clock() -> (Arc<AtomicU64>, Clock) {
    let millis = Arc::new(AtomicU64::new(5_000));
    let read = millis.clone();
    (
        millis,
        Arc::new(move || Duration::from_millis(read.load(Ordering::SeqCst))),
    )
}

#[test]
fn a_clock_that_jumps_past_the_lease_stops_writes_at_once() {
    let (millis, clock) = fake_clock();
    let state = LeaseState::new(clock.clone(), clock(), Duration::from_secs(60));
    assert_eq!(state.check(true), Ok(()));
    millis.fetch_add(30_000, Ordering::SeqCst);
    assert_eq!(state.check(true), Ok(()));
    // The machine slept ten minutes: the lease clock counts them (`CLOCK_BOOTTIME`), and
    // the first write after waking is refused, before any renewal could run.
    millis.fetch_add(600_000, Ordering::SeqCst);
    assert!(state.check(true).unwrap_err().contains("could not be renewed in time"));
    assert_eq!(state.check(false), Ok(()));
    // A renewal sent now lets writes go on.
    state.get().writes_until = Lease::renewed(clock(), Duration::from_secs(60));
    assert_eq!(state.check(true), Ok(()));
    state.get().lost = true;
    assert!(state.check(false).unwrap_err().contains("was lost"));
}

#[test]
fn a_holder_name_says_host_pid_namespace_boot_and_process() {
    let name = holder_name();
    let me = holder::me();
    assert_eq!(parse(&name).as_ref(), Some(me));
    assert!(name.starts_with(&format!("{}:run {}.", me.host, me.process)), "{name}");
    assert_eq!(me.process.len(), 32, "128 random bits: {name}");
    assert!(me.process.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(holder_name(), name, "one name per acquisition");
    #[cfg(target_os = "linux")]
    {
        assert_ne!(me.boot, "?");
        assert_ne!(me.pidns, "?");
    }
    // Names of an older plinth, and names that are not plinth's, say nothing.
    assert_eq!(parse("ip-10-0-0-1:pid 1:18c3a4f0e1"), None);
    assert_eq!(parse("not a holder"), None);
    assert_eq!(parse("h:run r.0:pid x:pidns 1:boot b"), None);
    // An older plinth judged a holder by its first two fields, `<host>:pid <pid>`: these
    // names do not have that shape, so it cannot take one for a dead process of its host.
    assert!(!name.split(':').nth(1).unwrap().starts_with("pid "), "{name}");
}

#[test]
fn only_this_very_process_is_certainly_gone() {
    let me = holder::me().clone();
    let name = |id: &Identity| {
        format!(
            "{}:run {}.7:pid {}:pidns {}:boot {}",
            id.host, id.process, id.pid, id.pidns, id.boot
        )
    };
    // This process, no longer holding the lock: reclaimed at once.
    let mine = name(&me);
    assert_eq!(seen(&mine), Seen::Mine);
    assert!(gone_holder(&mine).unwrap().contains("an earlier run of this process"));
    held_here().insert(mine.clone());
    assert_eq!(seen(&mine), Seen::HeldHere);
    assert_eq!(gone_holder(&mine), None, "a lock this process holds now");
    held_here().remove(&mine);

    // Another container on this host: the same host name, the same PID (both PID 1),
    // another PID namespace. Never this process, never gone.
    let other_container = Identity {
        pidns: "4026599999".into(),
        process: "0".repeat(32),
        ..me.clone()
    };
    assert_eq!(seen(&name(&other_container)), Seen::Elsewhere);
    assert_eq!(gone_holder(&name(&other_container)), None);
    // Another machine whose host name and PID namespace number repeat this one's.
    let other_boot = Identity {
        boot: "00000000-0000-0000-0000-000000000000".into(),
        ..other_container.clone()
    };
    assert_eq!(seen(&name(&other_boot)), Seen::Elsewhere);

    // This host and namespace, another process: running, or gone (a PID that exited, or
    // this process's own PID, which no other live process here can have). Even gone, it
    // is waited for: its lease decides.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let parent = std::os::unix::process::parent_id();
    let here = |pid| Identity {
        pid,
        process: "f".repeat(32),
        ..me.clone()
    };
    #[cfg(target_os = "linux")]
    {
        assert_eq!(
            seen(&name(&here(parent))),
            Seen::ThisHost {
                pid: parent,
                running: true
            }
        );
        assert_eq!(
            seen(&name(&here(dead))),
            Seen::ThisHost {
                pid: dead,
                running: false
            }
        );
        assert_eq!(
            seen(&name(&here(me.pid))),
            Seen::ThisHost {
                pid: me.pid,
                running: false
            }
        );
        assert!(holder::whereabouts(&name(&here(dead))).contains("which no longer exists"));
    }
    for pid in [parent, dead, me.pid] {
        assert_eq!(gone_holder(&name(&here(pid))), None);
    }
    // An older plinth's name on this host, its process gone: waited for too.
    assert_eq!(gone_holder(&format!("{}:pid {dead}:ab", me.host)), None);
    assert!(holder::whereabouts(&format!("{}:pid {dead}:ab", me.host)).contains("an older plinth"));
}
