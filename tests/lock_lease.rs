//! The lease against the emulator: a lock lost in the middle of a change that writes many
//! times stops that change's writes at the client layer, and a live holder that shares
//! this run's host name and PID is never taken for a dead one.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_ssoadmin::types::{PrincipalType, Tag, TargetType};
use plinth::apply::Status;
use plinth::aws::Aws;
use plinth::aws::counter::is_read;
use plinth::aws::dynamodb::LockRecord;
use plinth::lock::{self, LockOptions};
use plinth::plan::PlanOptions;
use serde_json::json;

use crate::support::{Emulator, IdentityCenter, MANAGEMENT_ACCOUNT, TempBaseline, seed};

const ASSIGNMENTS: usize = 80;

/// Write calls that reached the emulator, by operation (`Service.Operation`), from its
/// own count of the requests it received; but the lock's own (DynamoDB), whose renewal
/// finds the loss and whose release goes on after it.
fn writes_received(emu: &Emulator) -> std::collections::BTreeMap<String, u64> {
    let counts = emu.quota_counts();
    counts
        .as_object()
        .unwrap()
        .iter()
        .filter(|(call, _)| !call.starts_with("DynamoDB.") && !is_read(call.rsplit('.').next().unwrap()))
        .map(|(call, c)| (call.clone(), c["requests"].as_u64().unwrap()))
        .collect()
}

async fn organization_id(emu: &Emulator) -> String {
    let out = emu.organizations().await.describe_organization().send().await.unwrap();
    out.organization().unwrap().id().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_lost_mid_change_stops_its_writes_and_the_report_says_how_far_it_got() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let ic = IdentityCenter::of(&emu).await;
    // A permission set plinth made, assigned to 80 groups in the management account, that
    // the baseline no longer declares: deleting it is one change of 81 writes.
    let set = ic
        .admin
        .create_permission_set()
        .instance_arn(&ic.instance_arn)
        .name("Retired")
        .session_duration("PT1H")
        .tags(Tag::builder().key("managed-by").value("plinth").build().unwrap())
        .send()
        .await
        .unwrap()
        .permission_set()
        .unwrap()
        .permission_set_arn()
        .unwrap()
        .to_owned();
    for i in 0..ASSIGNMENTS {
        let group = ic.create_group(&format!("team-{i}")).await;
        ic.admin
            .create_account_assignment()
            .instance_arn(&ic.instance_arn)
            .permission_set_arn(&set)
            .target_type(TargetType::AwsAccount)
            .target_id(MANAGEMENT_ACCOUNT)
            .principal_type(PrincipalType::Group)
            .principal_id(group)
            .send()
            .await
            .unwrap();
    }
    let remaining = || async {
        ic.admin
            .list_account_assignments()
            .instance_arn(&ic.instance_arn)
            .account_id(MANAGEMENT_ACCOUNT)
            .permission_set_arn(&set)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .unwrap()
            .len()
    };
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[sso]\n",
        &[],
    );
    // The emulator counts every request it receives (quotas far above any rate) and takes
    // a third of a second over each; plinth's IAM Identity Center budget is 5 calls a
    // second (`--max-rate sso=5`): the 80 deletions would take 16 s.
    emu.enforce_quotas_with(&json!({"default": {"rate": 1e6, "burst": 1e6}}));
    emu.faults(r#"{"delay": 0.3}"#);
    let session = plinth::engine::Session::new(Aws::with_max_rates(
        emu.sdk_config().await,
        [("sso".to_owned(), 5.0)].into(),
    ));
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let org = organization_id(&emu).await;
    let lock_id = lock::lock_id(&org);
    let options = LockOptions {
        timeout: Duration::ZERO,
        lease: Duration::from_secs(4),
    };
    let baseline = b.load();
    let apply = session.apply_locked(
        &baseline,
        PlanOptions { allow_delete: true },
        &org,
        options,
        |_, fresh| Ok(fresh),
    );
    let other = "another-host:run 0.0:pid 1:pidns 4026531836:boot 00000000-0000-0000-0000-000000000000";
    let take_over = async {
        // Once the deletions are under way, another run writes the lock as its own.
        let started = Instant::now();
        while !writes_received(&emu).contains_key("SSO Admin.DeleteAccountAssignment") {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the deletions never started"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let record = LockRecord {
            holder: other.into(),
            acquired_at: now,
            expires_at: now + 600,
            rvn: "the-other-run".into(),
            lease_secs: 600,
        };
        // Conditional on the version it read: a renewal in between makes it read again.
        loop {
            let there = lock::inspect(&dynamo, &lock_id).await.unwrap().unwrap();
            if dynamo.take_over(lock::TABLE, &lock_id, &there, &record).await.unwrap() {
                break;
            }
        }
        let taken = Instant::now();
        // The holder learns it at its next renewal (every quarter lease, 1 s here, each
        // call a third of a second at the emulator); from then on its fence refuses every call.
        while session.aws.fence.check("DeleteAccountAssignment").is_ok() {
            assert!(
                taken.elapsed() < Duration::from_secs(4),
                "the holder never learnt it lost the lock"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A request that passed the fence just before reaches the emulator within moments.
        tokio::time::sleep(Duration::from_millis(300)).await;
        writes_received(&emu)
    };
    let (report, at_loss) = tokio::join!(apply, take_over);
    let report = report.unwrap_or_else(|d| panic!("{d}"));
    emu.faults("{}");

    // No write reached the emulator once the holder knew: not one more deletion, and
    // never the permission set's own.
    let at_end = writes_received(&emu);
    assert_eq!(at_end, at_loss, "writes after the lock was lost");
    assert!(!at_end.contains_key("SSO Admin.DeletePermissionSet"), "{at_end:?}");
    let sent = at_end["SSO Admin.DeleteAccountAssignment"] as usize;
    assert!(sent < ASSIGNMENTS, "the change was stopped before its end: {sent}");
    let left = remaining().await;
    assert_eq!(
        left,
        ASSIGNMENTS - sent,
        "{:?}\n{report:#?}",
        session.aws.counter.snapshot()
    );
    assert!(ic.permission_set("Retired").await.is_some());

    // The report says what the change did and where it stopped.
    let outcome = report
        .outcomes
        .iter()
        .find(|o| o.address == "sso.permission_set:Retired")
        .unwrap_or_else(|| panic!("{report:#?}"));
    let Status::Failed { error } = &outcome.status else {
        panic!("{outcome:?}")
    };
    let deleted: usize = error
        .split("deleted ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{error}"));
    assert!(deleted > 0 && deleted <= sent, "{deleted} of {sent}: {error}");
    assert!(
        error.contains(&format!(
            "deleted {deleted} of the permission set's {ASSIGNMENTS} assignments, then: the apply lock was lost (another run took it over); plinth stopped before `"
        )),
        "{error}"
    );
    // The lock's own client is not fenced: the lost holder's release reached DynamoDB,
    // and, conditional on its name, left the other run's lock alone.
    assert_eq!(emu.quota_counts()["DynamoDB.DeleteItem"]["requests"], 1);
    assert_eq!(lock::inspect(&dynamo, &lock_id).await.unwrap().unwrap().holder, other);
}

// Several threads: the first holder renews its lease while this test waits for plinth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_holder_with_this_runs_host_name_and_pid_is_waited_for_not_taken_over() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[scp.deny_leave_organization]\nattach = [\"root\"]\n",
        &[],
    );
    let dynamo = Aws::from_sdk(emu.sdk_config().await).dynamodb_us_east_1();
    let org = organization_id(&emu).await;
    let me = lock::holder::me();
    let lease = LockOptions {
        timeout: Duration::ZERO,
        lease: Duration::from_secs(4),
    };

    // Another container on this host, sharing its host name (host networking), holds
    // the lock and renews it. Its PID is one this host's namespace does not have.
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let container = |host: &str, pid: u32| {
        format!(
            "{host}:run {}.0:pid {pid}:pidns 4026500001:boot {}",
            "a".repeat(32),
            me.boot
        )
    };
    let first = lock::acquire_as(&dynamo, &org, lease, container("shared-host", pid))
        .await
        .unwrap();
    // A plinth run under the same host name waits two whole leases and never takes it.
    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.args(["apply", "--auto-approve", "--lock-timeout", "8s", "-f"])
        .arg(&b.path)
        .env("HOSTNAME", "shared-host")
        .stdin(Stdio::null());
    for (k, v) in emu.env() {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() >= Duration::from_secs(8));
    assert!(stderr.contains("waiting for the lock"), "{stderr}");
    assert!(
        stderr.contains("error: another plinth run is applying changes to this organization"),
        "{stderr}"
    );
    assert!(
        stderr.contains("it runs on another host or in another container: plinth cannot see whether it still runs"),
        "{stderr}"
    );
    assert!(!stderr.contains("took the apply lock over"), "{stderr}");
    assert_eq!(first.check(), Ok(()), "the first holder still holds it");
    first.release().await;

    // The same with this very process's host name and PID: a holder in another container
    // whose plinth is PID-for-PID this one, its lock left unrenewed for ten minutes.
    let lock_id = lock::lock_id(&org);
    let twin = container(&me.host, me.pid);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let record = LockRecord {
        holder: twin.clone(),
        acquired_at: now,
        expires_at: now + 600,
        rvn: "the-twin".into(),
        lease_secs: 600,
    };
    assert!(
        dynamo
            .try_acquire(lock::TABLE, &lock_id, &record)
            .await
            .unwrap()
            .is_none()
    );
    let waited = LockOptions {
        timeout: Duration::from_secs(3),
        ..lease
    };
    let e = lock::acquire(&dynamo, &org, waited).await.err().unwrap().to_string();
    assert!(e.contains(&format!("held by `{twin}`")), "{e}");
    assert_eq!(lock::inspect(&dynamo, &lock_id).await.unwrap().unwrap(), record);
}
