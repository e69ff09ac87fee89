//! The clock a lease is counted on. It must not stop while the machine sleeps: a laptop
//! suspended past its lease would otherwise wake believing its lease fresh, while another
//! run, whose clock went on, has taken the lock over. The monotonic clock (`Instant`, on
//! Linux `CLOCK_MONOTONIC`) stops during suspend; `CLOCK_BOOTTIME` does not. Elsewhere
//! plinth counts on `CLOCK_MONOTONIC` (which on macOS counts sleep too), or on `Instant`.

use std::sync::Arc;
use std::time::Duration;

/// A clock: the time since some fixed point of this process's life, never going back.
/// Tests give a lock one of their own.
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// The clock a lease is counted on: one that counts time the machine spent suspended.
pub fn lease_clock() -> Clock {
    Arc::new(now)
}

/// The time on [`lease_clock`].
pub fn now() -> Duration {
    #[cfg(unix)]
    if let Some(t) = system_clock() {
        return t;
    }
    fallback()
}

/// `CLOCK_BOOTTIME` on Linux and Android, `CLOCK_MONOTONIC` on other Unix systems; `None`
/// when the system answers neither, from the first reading on (so that the two clocks are
/// never mixed).
#[cfg(unix)]
fn system_clock() -> Option<Duration> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const CLOCK: libc::clockid_t = libc::CLOCK_BOOTTIME;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const CLOCK: libc::clockid_t = libc::CLOCK_MONOTONIC;
    let read = || {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable `timespec`; `clock_gettime` writes only it.
        // The one use of `unsafe` in plinth (`unsafe_code` is denied elsewhere).
        #[allow(unsafe_code)]
        let rc = unsafe { libc::clock_gettime(CLOCK, &raw mut ts) };
        (rc == 0).then(|| {
            Duration::new(
                u64::try_from(ts.tv_sec).unwrap_or(0),
                u32::try_from(ts.tv_nsec).unwrap_or(0),
            )
        })
    };
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *WORKS.get_or_init(|| read().is_some()) {
        read()
    } else {
        None
    }
}

/// The monotonic clock, from the first reading.
fn fallback() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_clock_goes_forward_and_never_behind_the_monotonic_clock() {
        let (a, mono_a) = (now(), std::time::Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        let (b, mono_b) = (now(), std::time::Instant::now());
        assert!(b > a);
        // Suspend aside, it runs at the monotonic clock's pace.
        let (lease, mono) = (b.checked_sub(a).unwrap(), mono_b - mono_a);
        assert!(
            lease.abs_diff(mono) < Duration::from_millis(10),
            "{lease:?} vs {mono:?}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_it_is_the_boot_clock() {
        // `CLOCK_BOOTTIME` is the system's uptime, suspend included (`/proc/uptime`, in
        // hundredths of a second).
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let boot = now().as_secs_f64();
        assert!((boot - uptime).abs() < 1.0, "{boot} vs {uptime}");
    }
}
