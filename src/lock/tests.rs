use super::*;

#[test]
fn the_lease_stops_writes_before_a_waiter_may_take_over() {
    let lease = Duration::from_secs(60);
    let sent = Instant::now();
    let l = Lease {
        writes_until: Lease::renewed(sent, lease),
        lost: None,
    };
    assert!(l.check(sent + Duration::from_secs(39)).is_ok());
    // A waiter that saw this renewal at `sent` at the earliest takes over at `sent + 60 s`.
    let e = l.check(sent + Duration::from_secs(40)).unwrap_err();
    assert!(e.contains("could not be renewed in time"), "{e}");
    let lost = Lease {
        writes_until: sent + lease,
        lost: Some("another run took it over".into()),
    };
    assert_eq!(
        lost.check(sent).unwrap_err(),
        "the apply lock was lost: another run took it over"
    );
}

#[test]
fn a_holder_is_gone_only_when_this_host_can_tell() {
    let me = holder_name();
    assert!(gone_holder(&me).unwrap().contains("an earlier run of this process"));
    held_here().insert(me.clone());
    assert_eq!(gone_holder(&me), None, "a lock this process holds now");
    held_here().remove(&me);
    assert_eq!(gone_holder("some-other-host:pid 1:ab"), None);
    assert_eq!(gone_holder("not a holder"), None);
    // A process that has exited.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let dead = format!("{}:pid {pid}:ab", host());
    assert!(gone_holder(&dead).unwrap().contains("no longer exists"), "{dead}");
    // A live one (this test's parent shell is alive: use our own parent).
    let parent = std::os::unix::process::parent_id();
    assert_eq!(gone_holder(&format!("{}:pid {parent}:ab", host())), None);
}
