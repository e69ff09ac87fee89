//! Sessions in member accounts (`plinth::aws::member`) against the emulator: calls made
//! in a session land in that account's state and nowhere else; one `AssumeRole` per
//! account however many ask at once; a refused role is an error that names the account
//! and the role, and leaves other accounts' sessions working.

use crate::support::{Emulator, create_account_in, seed};
use plinth::aws::member::{DEFAULT_ROLE, MemberSessions, refused};

#[tokio::test]
async fn a_session_acts_in_its_account_only_and_is_made_once() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let archive = create_account_in(&org, "log-archive", &seeded.root_id, &seeded.security_ou).await;
    let audit = create_account_in(&org, "audit", &seeded.root_id, &seeded.security_ou).await;
    let management = emu.session().await.aws;
    let sessions = MemberSessions::new(&management, DEFAULT_ROLE, None);

    // Ten asks at once for one account: one `AssumeRole`.
    let asks = (0..10).map(|_| sessions.aws(&archive));
    let all = futures::future::try_join_all(asks).await.unwrap();
    assert_eq!(management.counter.snapshot().get("STS.AssumeRole"), 1);
    assert_eq!(sessions.accounts(), 1);
    let identity = all[0].sts().caller_identity().await.unwrap();
    assert_eq!(identity.account, archive);
    assert!(
        identity.arn.ends_with(&format!("assumed-role/{DEFAULT_ROLE}/plinth")),
        "{}",
        identity.arn
    );

    // A bucket made in the session is the log archive's, not the management account's.
    let s3 = aws_sdk_s3::Client::new(&all[0].sdk);
    s3.create_bucket().bucket("archive-trail-logs").send().await.unwrap();
    let mine = aws_sdk_s3::Client::new(&emu.sdk_config().await);
    let names = |out: aws_sdk_s3::operation::list_buckets::ListBucketsOutput| -> Vec<String> {
        out.buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_owned))
            .collect()
    };
    assert_eq!(names(s3.list_buckets().send().await.unwrap()), ["archive-trail-logs"]);
    assert!(names(mine.list_buckets().send().await.unwrap()).is_empty());

    // Another account: its own session, its own state.
    let other = sessions.aws(&audit).await.unwrap();
    assert_eq!(other.sts().caller_identity().await.unwrap().account, audit);
    assert!(names(aws_sdk_s3::Client::new(&other.sdk).list_buckets().send().await.unwrap()).is_empty());
    assert_eq!(management.counter.snapshot().get("STS.AssumeRole"), 2);
    // The sessions' calls through plinth's clients are counted with the management
    // account's: the two `GetCallerIdentity` above.
    assert_eq!(management.counter.snapshot().get("STS.GetCallerIdentity"), 2);
}

#[tokio::test]
async fn a_refused_role_names_the_account_and_the_role_and_stops_nothing_else() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let archive = create_account_in(&org, "log-archive", &seeded.root_id, &seeded.security_ou).await;
    let audit = create_account_in(&org, "audit", &seeded.root_id, &seeded.security_ou).await;
    let management = emu.session().await.aws;
    // Someone deleted the role in the log archive account.
    let setup = MemberSessions::new(&management, DEFAULT_ROLE, None);
    let inside = setup.aws(&archive).await.unwrap();
    aws_sdk_iam::Client::new(&inside.sdk)
        .delete_role()
        .role_name(DEFAULT_ROLE)
        .send()
        .await
        .unwrap();

    let sessions = MemberSessions::new(&management, DEFAULT_ROLE, None);
    let Err(e) = sessions.aws(&archive).await else {
        panic!("AWS refuses a role the account does not have")
    };
    assert!(e.is_access_denied(), "{e:?}");
    let d = refused(&archive, &sessions.role_arn(&archive), &e).to_string();
    assert!(
        d.contains(&format!(
            "error: cannot act in account {archive}: AWS refused `sts:AssumeRole` on `arn:aws:iam::{archive}:role/{DEFAULT_ROLE}`"
        )),
        "{d}"
    );
    assert!(d.contains("the role may be missing in that account"), "{d}");

    // The same sessions still act in another account, and ask again for the refused one.
    let other = sessions.aws(&audit).await.unwrap();
    assert_eq!(other.sts().caller_identity().await.unwrap().account, audit);
    assert!(sessions.aws(&archive).await.is_err());

    // A landing zone whose role has another name: refused in every account.
    let tower = MemberSessions::new(&management, "AWSControlTowerExecution", None);
    assert!(tower.aws(&audit).await.is_err());
}

/// A session near its expiry is renewed before it is handed out: with every session
/// looking old (renewed when under two hours are left; AWS's last one), each ask assumes
/// the role again.
#[tokio::test]
async fn a_session_near_its_expiry_is_renewed() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let archive = create_account_in(&org, "log-archive", &seeded.root_id, &seeded.security_ou).await;
    let management = emu.session().await.aws;
    let fresh = MemberSessions::new(&management, DEFAULT_ROLE, None);
    fresh.aws(&archive).await.unwrap();
    fresh.aws(&archive).await.unwrap();
    assert_eq!(management.counter.snapshot().get("STS.AssumeRole"), 1);
    let old = MemberSessions::new(&management, DEFAULT_ROLE, None).renewing(std::time::Duration::from_secs(7200));
    old.aws(&archive).await.unwrap();
    old.aws(&archive).await.unwrap();
    assert_eq!(management.counter.snapshot().get("STS.AssumeRole"), 3);
}
