//! Who holds a lock. A holder's name says where it runs and which process it is:
//!
//! `<host>:run <process id>.<n>:pid <pid>:pidns <PID namespace>:boot <boot id>`
//!
//! Host names and PIDs repeat: two containers on one host are both PID 1, share the
//! host's name with host networking, and a pod's name comes back with its next pod. So a
//! process is recognised by its *process id*, 128 random bits drawn from the operating
//! system when it starts, never by its PID; and a holder runs on this same host (its PID
//! means something here) only when its boot id and PID namespace are this process's too.
//! `<n>` tells one acquisition of a process from the next. The second field is the
//! process id, not the PID, so that an older plinth (which judged a holder by `<host>:pid
//! <pid>` alone) cannot read these names and waits out their lease too.
//!
//! Only one holder is certainly gone: this very process, when it no longer holds the lock
//! (an earlier pass whose release failed). Any other holder, even one whose PID this host
//! does not know, is taken over only once its lease has passed unrenewed: plinth cannot
//! prove a process it cannot see is gone. Names of an older plinth (`<host>:pid <pid>:<n>`)
//! are other holders.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// Where this process runs and who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub host: String,
    pub pid: u32,
    /// The PID namespace (`/proc/self/ns/pid`), `?` when unknown.
    pub pidns: String,
    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`), `?` when unknown.
    pub boot: String,
    /// Random, drawn once per process.
    pub process: String,
}

impl Identity {
    /// Whether `other` runs on this host, in this PID namespace: only then do its PID
    /// and this host's processes mean the same thing.
    pub fn same_host(&self, other: &Identity) -> bool {
        self.host == other.host
            && self.pidns == other.pidns
            && self.boot == other.boot
            && self.pidns != "?"
            && self.boot != "?"
    }
}

/// This process.
pub fn me() -> &'static Identity {
    static ME: OnceLock<Identity> = OnceLock::new();
    ME.get_or_init(|| Identity {
        host: host(),
        pid: std::process::id(),
        pidns: pid_namespace().unwrap_or_else(|| "?".into()),
        boot: boot_id().unwrap_or_else(|| "?".into()),
        process: random_id(),
    })
}

fn host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        // A colon would end the host's field of the holder name.
        .map_or_else(|| "unknown-host".into(), |h| h.replace(':', "_"))
}

fn pid_namespace() -> Option<String> {
    let link = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let link = link.to_string_lossy();
    let inode = link.strip_prefix("pid:[")?.strip_suffix(']')?;
    inode.bytes().all(|b| b.is_ascii_digit()).then(|| inode.to_owned())
}

fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let id = id.trim();
    (!id.is_empty() && !id.contains(':')).then(|| id.to_owned())
}

/// 128 random bits, in hex, from the operating system's generator (`/dev/urandom`);
/// where there is none, from the standard library's hash keys, which it also draws from
/// the operating system.
fn random_id() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for half in bytes.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new holder name for this process: one per acquisition.
pub fn new_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let me = me();
    format!(
        "{}:run {}.{}:pid {}:pidns {}:boot {}",
        me.host,
        me.process,
        N.fetch_add(1, Ordering::Relaxed),
        me.pid,
        me.pidns,
        me.boot,
    )
}

/// What a holder name says, as far as it can be read: `None` for a name of an older
/// plinth or one that is not plinth's.
pub fn parse(name: &str) -> Option<Identity> {
    let fields: Vec<&str> = name.split(':').collect();
    let [host, run, pid, pidns, boot] = fields.as_slice() else {
        return None;
    };
    let process = run.strip_prefix("run ")?.split('.').next()?;
    Some(Identity {
        host: (*host).to_owned(),
        pid: pid.strip_prefix("pid ")?.parse().ok()?,
        pidns: pidns.strip_prefix("pidns ")?.to_owned(),
        boot: boot.strip_prefix("boot ")?.to_owned(),
        process: process.to_owned(),
    })
}

/// The holder names this process holds a lock as right now.
pub fn held_here() -> MutexGuard<'static, BTreeSet<String>> {
    static HELD: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    HELD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What this process can tell about the holder of a lock it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// This very process, which no longer holds the lock (an earlier pass whose release
    /// failed): certainly gone, reclaimed at once.
    Mine,
    /// This process holds it, through another acquisition.
    HeldHere,
    /// Another process on this host, in this PID namespace, whose PID exists or not.
    ThisHost { pid: u32, running: bool },
    /// On another host, in another container, or named by an older plinth: nothing to
    /// tell whether it still runs.
    Elsewhere,
}

/// What `name` is, seen from this process.
pub fn seen(name: &str) -> Seen {
    let me = me();
    let Some(them) = parse(name) else {
        return Seen::Elsewhere;
    };
    if them.process == me.process {
        return if held_here().contains(name) {
            Seen::HeldHere
        } else {
            Seen::Mine
        };
    }
    if !me.same_host(&them) {
        return Seen::Elsewhere;
    }
    // Another process with this process's PID is one that is gone.
    let running = them.pid != me.pid && std::path::Path::new("/proc").join(them.pid.to_string()).exists();
    Seen::ThisHost { pid: them.pid, running }
}

/// For people: where the holder runs, as far as this process can tell.
pub fn whereabouts(name: &str) -> String {
    match seen(name) {
        Seen::Mine => "it is this process, which no longer holds it".into(),
        Seen::HeldHere => "this process holds it".into(),
        Seen::ThisHost { pid, running: true } => format!("it runs on this host as process {pid}"),
        Seen::ThisHost { pid, running: false } => {
            format!("it ran on this host as process {pid}, which no longer exists")
        }
        Seen::Elsewhere if parse(name).is_none() => {
            "plinth cannot tell where it runs (a name of an older plinth, or not plinth's)".into()
        }
        Seen::Elsewhere => {
            "it runs on another host or in another container: plinth cannot see whether it still runs".into()
        }
    }
}
