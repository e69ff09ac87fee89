//! The log archive planner, and the trail beside it, on plain data.

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::trail::TrailState;
use crate::kinds::{Observed, compute};
use crate::observed::{
    Account as LiveAccount, ArchiveSettings, Bucket, BucketEncryption, BucketLogging, LifecycleRule, ObjectLock,
    OrgState, PublicAccessBlock, Retention, TrailInfo, Transition,
};
use crate::plan::{Action, Op, PlanOptions, S3Op};

const ARCHIVE: &str = "222222222222";
const BASELINE: &str = r#"[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-archive-logs"

[log_archive]
account = "222222222222"
object_lock = { mode = "COMPLIANCE", days = 365 }
lifecycle = { transition_days = 90, expiration_days = 2555 }
access_logs_bucket = "example-archive-access"
"#;

fn base(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn observed(archive: LogArchiveState, trail: Option<TrailInfo>) -> Observed {
    Observed {
        org: OrgState {
            organization_id: "o-abc".into(),
            management_account_id: "123456789012".into(),
            root_id: "r-1".into(),
            accounts: vec![LiveAccount {
                id: ARCHIVE.into(),
                name: "log-archive".into(),
                email: "log-archive@example.com".into(),
                parent_id: None,
                suspended: false,
            }],
            ..OrgState::default()
        },
        log_archive: archive,
        trail: TrailState {
            trusted_access: true,
            trail,
            ..TrailState::default()
        },
        ..Observed::default()
    }
}

fn read() -> LogArchiveState {
    LogArchiveState {
        account: Account::Read { id: ARCHIVE.into() },
        logs_bucket: Some(Bucket::Missing),
        ..LogArchiveState::default()
    }
}

/// The log archive as plinth leaves it: both buckets its own, every setting in place.
fn converged(bucket_policy: &str, logs_policy: &str) -> LogArchiveState {
    let bucket = |policy: &str| Bucket::Present {
        owned: true,
        managed_by: None,
        public_access_block: Some(PublicAccessBlock::ALL),
        encryption: Some(BucketEncryption {
            algorithm: "AES256".into(),
            kms_key: None,
        }),
        policy: Some(policy.to_owned()),
    };
    LogArchiveState {
        account: Account::Read { id: ARCHIVE.into() },
        bucket: bucket(bucket_policy),
        settings: ArchiveSettings {
            versioning: true,
            object_lock: Some(ObjectLock {
                retention: Some(Retention {
                    mode: "COMPLIANCE".into(),
                    days: Some(365),
                    years: None,
                }),
            }),
            lifecycle: Some(LifecycleRule {
                transition: Some(Transition {
                    days: 90,
                    storage_class: "GLACIER_IR".into(),
                }),
                expiration_days: Some(2555),
                noncurrent_expiration_days: Some(2555),
                enabled: true,
                whole_bucket: true,
            }),
            other_lifecycle_rules: 0,
            logging: Some(BucketLogging {
                target_bucket: "example-archive-access".into(),
                target_prefix: "example-archive-logs/".into(),
            }),
        },
        logs_bucket: Some(bucket(logs_policy)),
    }
}

fn trail_in(bucket: &str) -> TrailInfo {
    let settings = crate::kinds::trail::desired_settings("org-trail", bucket, None, None);
    TrailInfo {
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail".into(),
        home_region: "us-east-1".into(),
        owned: true,
        managed_by: None,
        logging: true,
        selectors: crate::observed::Selectors::Basic(vec![crate::kinds::trail::selectors::management_events()]),
        settings,
    }
}

/// The policies of the two buckets that a first plan writes.
fn planned_policies() -> (String, String) {
    let p = compute(&base(BASELINE), &observed(read(), None), PlanOptions::default()).unwrap();
    let policy = |address: &str| match &p.find(address).unwrap().op {
        Op::S3(S3Op::PutBucketPolicy { policy, .. }) => policy.clone(),
        other => panic!("{other:?}"),
    };
    (
        policy("log_archive.bucket.policy"),
        policy("log_archive.access_logs_bucket.policy"),
    )
}

#[test]
fn from_nothing_both_buckets_are_made_in_the_archive_account_and_the_trail_waits_for_them() {
    let p = compute(&base(BASELINE), &observed(read(), None), PlanOptions::default()).unwrap();
    let archive: Vec<&str> = p
        .changes
        .iter()
        .filter(|c| c.kind == "log_archive")
        .map(|c| c.address.as_str())
        .collect();
    assert_eq!(
        archive,
        [
            "log_archive.access_logs_bucket",
            "log_archive.access_logs_bucket.public_access_block",
            "log_archive.access_logs_bucket.encryption",
            "log_archive.access_logs_bucket.policy",
            "log_archive.bucket",
            "log_archive.bucket.public_access_block",
            "log_archive.bucket.encryption",
            "log_archive.bucket.policy",
            "log_archive.bucket.object_lock",
            "log_archive.bucket.lifecycle",
            "log_archive.bucket.logging",
        ]
    );
    for c in p.changes.iter().filter(|c| c.kind == "log_archive") {
        assert_eq!(c.account.as_deref(), Some(ARCHIVE), "{}", c.address);
    }
    // Made with Object Lock (so versioned), its default retention after.
    let Op::S3(S3Op::CreateBucket { object_lock, .. }) = &p.find("log_archive.bucket").unwrap().op else {
        panic!()
    };
    assert!(object_lock);
    assert!(p.find("log_archive.bucket.versioning").is_none());
    // Logging waits for the access logs bucket and its policy.
    let logging = p.find("log_archive.bucket.logging").unwrap();
    for dep in ["log_archive.bucket", "log_archive.access_logs_bucket", "log_archive.access_logs_bucket.policy"] {
        assert!(logging.depends_on.iter().any(|d| d.as_str() == dep), "{dep}: {:?}", logging.depends_on);
    }
    // The trail, in the management account, waits for the bucket and its policy; nothing
    // of a management-account bucket is planned.
    let trail = p.find("trail").unwrap();
    assert_eq!(trail.account, None);
    assert_eq!(
        trail.depends_on,
        ["log_archive.bucket", "log_archive.bucket.policy", "log_archive.bucket.encryption"]
    );
    assert!(!p.changes.iter().any(|c| c.address.as_str().starts_with("trail.bucket")));
    let (policy, logs) = planned_policies();
    assert!(policy.contains("arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"), "{policy}");
    assert!(policy.contains("AWSLogs/o-abc/*") && policy.contains("PlinthDenyInsecureTransport"), "{policy}");
    assert!(logs.contains("logging.s3.amazonaws.com") && logs.contains(ARCHIVE), "{logs}");
}

#[test]
fn a_converged_archive_plans_nothing() {
    let (policy, logs) = planned_policies();
    let p = compute(
        &base(BASELINE),
        &observed(converged(&policy, &logs), Some(trail_in("example-archive-logs"))),
        PlanOptions::default(),
    )
    .unwrap();
    assert!(p.is_empty(), "{:#?}", p.changes);
}

#[test]
fn drift_in_the_archive_is_repaired_and_what_cannot_be_undone_is_said() {
    let (policy, logs) = planned_policies();
    let mut state = converged(&policy, &logs);
    state.settings.versioning = false;
    state.settings.object_lock.as_mut().unwrap().retention.as_mut().unwrap().days = Some(1);
    state.settings.lifecycle.as_mut().unwrap().expiration_days = Some(1);
    state.settings.logging = None;
    let p = compute(
        &base(BASELINE),
        &observed(state, Some(trail_in("example-archive-logs"))),
        PlanOptions::default(),
    )
    .unwrap();
    let lines: Vec<String> = p
        .changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect();
    assert_eq!(
        lines,
        [
            "+ log_archive.bucket.versioning: versioning is not enabled: an overwritten or deleted log file would be gone",
            "~ log_archive.bucket.object_lock: the default retention is COMPLIANCE for 1 days",
            "~ log_archive.bucket.lifecycle: lifecycle rule `plinth-log-archive` differs",
            "+ log_archive.bucket.logging: server access logging is off",
        ]
    );
    assert_eq!(
        p.find("log_archive.bucket.object_lock").unwrap().depends_on,
        ["log_archive.bucket.versioning"]
    );

    // Taken out of the baseline: Object Lock stays (a note), plinth's lifecycle rule
    // stays (a warning), nothing is removed.
    let without = BASELINE
        .replace("object_lock = { mode = \"COMPLIANCE\", days = 365 }\n", "")
        .replace("lifecycle = { transition_days = 90, expiration_days = 2555 }\n", "");
    let p = compute(
        &base(&without),
        &observed(converged(&policy, &logs), Some(trail_in("example-archive-logs"))),
        PlanOptions::default(),
    )
    .unwrap();
    assert!(p.is_empty(), "{:#?}", p.changes);
    assert!(p.notes.iter().any(|n| n.contains("keeps S3 Object Lock")), "{:?}", p.notes);
    assert!(p.warnings.iter().any(|w| w.contains("keeps lifecycle rule `plinth-log-archive`")), "{:?}", p.warnings);
}

#[test]
fn a_refused_session_blocks_the_archive_and_the_trail_only_if_it_would_move() {
    let refused = LogArchiveState {
        account: Account::Refused {
            id: ARCHIVE.into(),
            role_arn: format!("arn:aws:iam::{ARCHIVE}:role/OrganizationAccountAccessRole"),
            error: "STS.AssumeRole: AccessDenied: not authorized".into(),
        },
        ..LogArchiveState::default()
    };
    // The trail delivers there already: its own repairs go ahead.
    let mut stopped = trail_in("example-archive-logs");
    stopped.logging = false;
    let p = compute(&base(BASELINE), &observed(refused.clone(), Some(stopped)), PlanOptions::default()).unwrap();
    assert_eq!(p.blocked.iter().map(|b| b.target.as_str()).collect::<Vec<_>>(), ["log_archive"]);
    assert!(p.blocked[0].at.ends_with("baseline.toml:9:11"), "{}", p.blocked[0].at);
    let addresses: Vec<&str> = p.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(addresses, ["trail.logging"]);

    // The trail delivers to a management bucket: it is not moved to a bucket not seen.
    let p = compute(&base(BASELINE), &observed(refused, Some(trail_in("old-logs"))), PlanOptions::default()).unwrap();
    let blocked: Vec<&str> = p.blocked.iter().map(|b| b.target.as_str()).collect();
    assert_eq!(blocked, ["log_archive", "trail"]);
    assert!(p.changes.is_empty(), "{:#?}", p.changes);
}

#[test]
fn a_move_from_a_management_bucket_is_planned_and_the_old_bucket_kept() {
    let (policy, logs) = planned_policies();
    let p = compute(
        &base(BASELINE),
        &observed(converged(&policy, &logs), Some(trail_in("old-logs"))),
        PlanOptions::default(),
    )
    .unwrap();
    let [update] = p.changes.as_slice() else { panic!("{:#?}", p.changes) };
    assert_eq!((update.address.as_str(), update.action), ("trail", Action::Update));
    assert!(update.reason.contains("example-archive-logs"), "{}", update.reason);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("moves from bucket `old-logs` to `example-archive-logs` in the log archive account 222222222222; bucket `old-logs` and the logs in it are kept")),
        "{:?}",
        p.notes
    );
}

#[test]
fn a_bucket_of_another_account_or_another_tool_is_never_taken() {
    let mut other = read();
    other.bucket = Bucket::OtherAccount {
        error: "S3.GetBucketPolicy: AccessDenied".into(),
    };
    let p = compute(&base(BASELINE), &observed(other, None), PlanOptions::default()).unwrap();
    let blocked: Vec<&str> = p.blocked.iter().map(|b| b.target.as_str()).collect();
    assert_eq!(blocked, ["log_archive", "trail"]);
    assert!(p.blocked[0].error.starts_with("bucket `example-archive-logs` belongs to another account than the log archive"));
    assert!(!p.changes.iter().any(|c| c.kind == "log_archive" || c.kind == "trail"), "{:#?}", p.changes);

    let mut tool = read();
    tool.bucket = Bucket::Present {
        owned: false,
        managed_by: Some(crate::observed::OtherManager {
            tool: "AWS Control Tower".into(),
            sign: "its name starts with `aws-controltower-`".into(),
            plinth_tag: false,
        }),
        public_access_block: None,
        encryption: None,
        policy: None,
    };
    let Err(e) = compute(&base(BASELINE), &observed(tool, None), PlanOptions::default()) else {
        panic!("another tool's bucket is an error")
    };
    assert!(e.to_string().contains("bucket `example-archive-logs`"), "{e}");
}

#[test]
fn the_trails_key_must_be_in_the_archive_account() {
    let with_key = BASELINE.replace(
        "bucket = \"example-archive-logs\"\n",
        "bucket = \"example-archive-logs\"\nkms_key_arn = \"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n",
    );
    let Err(e) = compute(&base(&with_key), &observed(read(), None), PlanOptions::default()) else {
        panic!("a key of the management account is refused")
    };
    assert!(e.to_string().contains("the trail's KMS key is not in the log archive account"), "{e}");
}
