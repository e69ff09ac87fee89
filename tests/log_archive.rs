//! `[log_archive]` end to end against the emulator, on an organization of several
//! accounts: the trail's bucket and the access logs bucket are made in the log archive
//! account (read back with that account's credentials), none in the management account;
//! the trail delivers there; hand changes in the log archive account are repaired through
//! the member session; a trail in a management-account bucket is moved and the old bucket
//! kept; a refused role holds back only the log archive's changes.
//!
//! The emulator keeps accounts apart by the access key a request is signed with, and
//! `AssumeRole` gives keys of the role's account (tests/support/emulator.py, "Sessions in
//! member accounts"), so what plinth does through its session lands in the log archive
//! account's state.

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, DefaultRetention, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode, ObjectLockRule,
};
use plinth::aws::member::{DEFAULT_ROLE, MemberSessions};
use plinth::plan::{Plan, PlanOptions};

use crate::support::{Emulator, TempBaseline, create_account_in, seed};

const BUCKET: &str = "example-org-archive-trail-logs";
const LOGS: &str = "example-org-archive-access-logs";

fn baseline(archive: &str) -> String {
    format!(
        r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "{BUCKET}"

[log_archive]
account = "{archive}"
object_lock = {{ mode = "GOVERNANCE", days = 365 }}
lifecycle = {{ transition_days = 90, expiration_days = 2555 }}
access_logs_bucket = "{LOGS}"

[scp.deny_leave_organization]
attach = ["root"]
"#
    )
}

struct World {
    emu: Emulator,
    archive: String,
    b: TempBaseline,
}

async fn world() -> World {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let archive = create_account_in(&org, "log-archive", &seeded.root_id, &seeded.security_ou).await;
    create_account_in(&org, "audit", &seeded.root_id, &seeded.security_ou).await;
    World {
        b: TempBaseline::new(&baseline(&archive), &[]),
        emu,
        archive,
    }
}

impl World {
    async fn plan(&self) -> (plinth::engine::Session, Plan) {
        let session = self.emu.session().await;
        let plan = session
            .plan(&self.b.load(), PlanOptions::default())
            .await
            .unwrap_or_else(|d| panic!("{d}"));
        (session, plan)
    }

    /// Plan and apply; the apply must succeed.
    async fn converge(&self) -> Plan {
        let (session, plan) = self.plan().await;
        let report = session.apply(&plan).await;
        assert!(report.is_success(), "{report:#?}");
        plan
    }

    /// An S3 client acting in `account` through its `OrganizationAccountAccessRole`.
    async fn s3_in(&self, account: &str) -> aws_sdk_s3::Client {
        let management = self.emu.session().await.aws;
        let aws = MemberSessions::new(&management, DEFAULT_ROLE, None)
            .aws(account)
            .await
            .unwrap();
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&aws.sdk)
                .force_path_style(true)
                .build(),
        )
    }

    async fn management_s3(&self) -> aws_sdk_s3::Client {
        let conf = self.emu.sdk_config().await;
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(true).build())
    }

    async fn trail_bucket(&self) -> String {
        let conf = self.emu.sdk_config().await;
        let trail = aws_sdk_cloudtrail::Client::new(&conf)
            .get_trail()
            .name("org-trail")
            .send()
            .await
            .unwrap();
        trail.trail().unwrap().s3_bucket_name().unwrap().to_owned()
    }
}

async fn bucket_names(s3: &aws_sdk_s3::Client) -> Vec<String> {
    let out = s3.list_buckets().send().await.unwrap();
    out.buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect()
}

/// `symbol address (account): reason` per change.
fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            format!(
                "{} {} ({}): {}",
                c.action.symbol(),
                c.address,
                c.account.as_deref().unwrap_or("management"),
                c.reason
            )
        })
        .collect()
}

#[tokio::test]
async fn the_buckets_are_made_in_the_log_archive_account_and_the_trail_delivers_there() {
    let w = world().await;
    let plan = w.converge().await;
    // Every log archive change acts in its account; the trail's in the management account.
    for c in &plan.changes {
        let archived = c.address.as_str().starts_with("log_archive");
        assert_eq!(
            c.account.as_deref(),
            archived.then_some(w.archive.as_str()),
            "{}",
            c.address
        );
    }
    let s3 = w.s3_in(&w.archive).await;
    let mut names = bucket_names(&s3).await;
    names.sort();
    assert_eq!(names, [LOGS, BUCKET]);
    assert!(bucket_names(&w.management_s3().await).await.is_empty());
    assert_eq!(w.trail_bucket().await, BUCKET);

    // Read with the log archive account's credentials: every setting in place.
    let versioning = s3.get_bucket_versioning().bucket(BUCKET).send().await.unwrap();
    assert_eq!(versioning.status().map(|s| s.as_str()), Some("Enabled"));
    let lock = s3.get_object_lock_configuration().bucket(BUCKET).send().await.unwrap();
    let lock = lock.object_lock_configuration().unwrap();
    assert_eq!(lock.object_lock_enabled(), Some(&ObjectLockEnabled::Enabled));
    let retention = lock.rule().unwrap().default_retention().unwrap();
    assert_eq!(retention.mode(), Some(&ObjectLockRetentionMode::Governance));
    assert_eq!(retention.days(), Some(365));
    let life = s3
        .get_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let [rule] = life.rules() else {
        panic!("{:?}", life.rules())
    };
    assert_eq!(rule.id(), Some("plinth-log-archive"));
    assert_eq!(rule.transitions()[0].days(), Some(90));
    assert_eq!(
        rule.transitions()[0].storage_class().map(|c| c.as_str()),
        Some("GLACIER_IR")
    );
    assert_eq!(rule.expiration().and_then(|e| e.days()), Some(2555));
    let logging = s3.get_bucket_logging().bucket(BUCKET).send().await.unwrap();
    let logging = logging.logging_enabled().unwrap();
    assert_eq!(
        (logging.target_bucket(), logging.target_prefix()),
        (LOGS, "example-org-archive-trail-logs/")
    );
    let policy = s3.get_bucket_policy().bucket(BUCKET).send().await.unwrap();
    let policy = policy.policy().unwrap();
    for sid in [
        "PlinthCloudTrailAclCheck",
        "PlinthCloudTrailWrite",
        "PlinthCloudTrailOrganizationWrite",
        "PlinthDenyInsecureTransport",
    ] {
        assert!(policy.contains(sid), "{sid}: {policy}");
    }
    assert!(
        policy.contains("arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"),
        "{policy}"
    );
    let logs_policy = s3.get_bucket_policy().bucket(LOGS).send().await.unwrap();
    assert!(logs_policy.policy().unwrap().contains("logging.s3.amazonaws.com"));

    // Converged: an empty plan, zero writes; one session, and the log archive's reads.
    let (session, plan) = w.plan().await;
    assert!(plan.is_empty(), "{:#?}", lines(&plan));
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    assert_eq!(calls.get("STS.AssumeRole"), 1);
    // In the log archive account: 8 reads of the trail's bucket, 4 of the access logs
    // bucket; none of a management-account bucket.
    let in_archive: u64 = calls.member_calls.values().sum();
    assert_eq!(in_archive, 12, "{:?}", calls.member_calls);
    let s3_total: u64 = calls
        .calls
        .iter()
        .filter(|(k, _)| k.starts_with("S3."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(s3_total, 12, "{calls:?}");
    for op in [
        "GetBucketVersioning",
        "GetObjectLockConfiguration",
        "GetBucketLifecycleConfiguration",
        "GetBucketLogging",
    ] {
        assert_eq!(calls.get(&format!("S3.{op}")), 1, "{op}: {calls:?}");
    }
}

#[tokio::test]
async fn hand_changes_in_the_log_archive_account_are_repaired_through_its_session() {
    let w = world().await;
    w.converge().await;
    let s3 = w.s3_in(&w.archive).await;
    // Someone in the log archive account loosens what keeps the logs.
    s3.delete_bucket_policy().bucket(BUCKET).send().await.unwrap();
    let short = ObjectLockConfiguration::builder()
        .object_lock_enabled(ObjectLockEnabled::Enabled)
        .rule(
            ObjectLockRule::builder()
                .default_retention(
                    DefaultRetention::builder()
                        .mode(ObjectLockRetentionMode::Governance)
                        .days(1)
                        .build(),
                )
                .build(),
        )
        .build();
    s3.put_object_lock_configuration()
        .bucket(BUCKET)
        .object_lock_configuration(short)
        .send()
        .await
        .unwrap();
    let soon = LifecycleRule::builder()
        .id("plinth-log-archive")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .expiration(LifecycleExpiration::builder().days(1).build())
        .build()
        .unwrap();
    s3.put_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .lifecycle_configuration(BucketLifecycleConfiguration::builder().rules(soon).build().unwrap())
        .send()
        .await
        .unwrap();

    let (_, plan) = w.plan().await;
    let a = &w.archive;
    assert_eq!(
        lines(&plan),
        [
            format!("+ log_archive.bucket.policy ({a}): the bucket has no policy letting CloudTrail write"),
            format!("~ log_archive.bucket.object_lock ({a}): the default retention is GOVERNANCE for 1 days"),
            format!("~ log_archive.bucket.lifecycle ({a}): lifecycle rule `plinth-log-archive` differs"),
        ]
    );
    w.converge().await;
    let (session, plan) = w.plan().await;
    assert!(plan.is_empty(), "{:#?}", lines(&plan));
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
    let lock = s3.get_object_lock_configuration().bucket(BUCKET).send().await.unwrap();
    let days = lock
        .object_lock_configuration()
        .and_then(|c| c.rule())
        .and_then(|r| r.default_retention())
        .and_then(|d| d.days());
    assert_eq!(days, Some(365));
}

#[tokio::test]
async fn a_trail_in_a_management_bucket_moves_to_the_log_archive_and_the_old_bucket_stays() {
    let w = world().await;
    // The trail as plinth made it before the log archive: its bucket in the management account.
    let old = "example-org-cloudtrail-logs";
    let before = format!(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[trail]\nname = \"org-trail\"\nbucket = \"{old}\"\n"
    );
    w.b.rewrite(&before);
    w.converge().await;
    assert_eq!(w.trail_bucket().await, old);

    w.b.rewrite(&baseline(&w.archive));
    let (_, plan) = w.plan().await;
    let update = plan.find("trail").expect("the trail is updated");
    assert!(update.reason.contains(BUCKET), "{}", update.reason);
    for dep in ["log_archive.bucket", "log_archive.bucket.policy"] {
        assert!(
            update.depends_on.iter().any(|d| d.as_str() == dep),
            "{dep}: {:?}",
            update.depends_on
        );
    }
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains(&format!("bucket `{old}` and the logs in it are kept"))),
        "{:#?}",
        plan.notes
    );
    w.converge().await;
    assert_eq!(w.trail_bucket().await, BUCKET);
    assert_eq!(bucket_names(&w.management_s3().await).await, [old]);
}

#[tokio::test]
async fn a_refused_role_holds_back_only_the_log_archives_changes() {
    let w = world().await;
    w.converge().await;
    // Drift on both sides: the trail stopped (management account), the bucket policy gone
    // (log archive account).
    let conf = w.emu.sdk_config().await;
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    ct.stop_logging().name("org-trail").send().await.unwrap();
    let s3 = w.s3_in(&w.archive).await;
    s3.delete_bucket_policy().bucket(BUCKET).send().await.unwrap();

    // Planned while the role works; the role goes before the apply: the log archive's
    // change fails naming the account and the role, the trail's succeeds.
    let (session, plan) = w.plan().await;
    assert!(plan.find("log_archive.bucket.policy").is_some(), "{:#?}", lines(&plan));
    assert!(plan.find("trail.logging").is_some(), "{:#?}", lines(&plan));
    let iam = {
        let management = w.emu.session().await.aws;
        let aws = MemberSessions::new(&management, DEFAULT_ROLE, None)
            .aws(&w.archive)
            .await
            .unwrap();
        aws_sdk_iam::Client::new(&aws.sdk)
    };
    iam.delete_role().role_name(DEFAULT_ROLE).send().await.unwrap();
    let fresh = w.emu.session().await;
    let report = fresh.apply(&plan).await;
    drop(session);
    let failed: Vec<String> = report
        .outcomes
        .iter()
        .filter_map(|o| match &o.status {
            plinth::apply::Status::Failed { error } => Some(format!("{}: {error}", o.address)),
            _ => None,
        })
        .collect();
    let [only] = failed.as_slice() else {
        panic!("{report:#?}")
    };
    assert!(only.starts_with("log_archive.bucket.policy: "), "{only}");
    assert!(
        only.contains(&format!(
            "cannot act in account {} as `arn:aws:iam::{}:role/{DEFAULT_ROLE}`",
            w.archive, w.archive
        )),
        "{only}"
    );
    assert_eq!(
        ct.get_trail_status()
            .name("org-trail")
            .send()
            .await
            .unwrap()
            .is_logging(),
        Some(true)
    );

    // The next plan: the log archive blocked, at its `account`, and nothing else held back.
    ct.stop_logging().name("org-trail").send().await.unwrap();
    let (_, plan) = w.plan().await;
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:#?}", plan.blocked)
    };
    assert_eq!(blocked.target, "log_archive");
    assert!(
        blocked.error.contains("AWS refused `sts:AssumeRole`"),
        "{}",
        blocked.error
    );
    assert!(blocked.at.ends_with("baseline.toml:10:11"), "{}", blocked.at);
    assert_eq!(lines(&plan), ["+ trail.logging (management): logging is stopped"]);
}
