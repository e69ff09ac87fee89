//! The trail planner on plain data.

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Observed, compute};
use crate::observed::{Bucket, BucketEncryption, OrgState, PublicAccessBlock, TrailInfo};
use crate::plan::PlanOptions;
use crate::plan::{Op, S3Op};

const BASELINE: &str = "[organization]\nmanagement_account_id = \"123456789012\"\n\n[trail]\nname = \"org-trail\"\nbucket = \"example-logs\"\n";

fn observed(trail: TrailState) -> Observed {
    Observed {
        org: OrgState {
            organization_id: "o-abc".into(),
            management_account_id: "123456789012".into(),
            root_id: "r-1".into(),
            ..OrgState::default()
        },
        trail,
        ..Observed::default()
    }
}

fn base(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn from_nothing_the_trail_waits_for_trusted_access_and_the_bucket_policy() {
    let p = compute(
        &base(BASELINE),
        &observed(TrailState::default()),
        PlanOptions::default(),
    )
    .unwrap();
    let trail = p.find(TRAIL_ADDRESS).unwrap();
    assert_eq!(
        trail.depends_on,
        [TRUSTED_ACCESS_ADDRESS, BUCKET_POLICY_ADDRESS, BUCKET_ADDRESS]
    );
    assert_eq!(p.find("trail.logging").unwrap().depends_on, [TRAIL_ADDRESS]);
    let Op::S3(S3Op::PutBucketPolicy { policy, .. }) = &p.find(BUCKET_POLICY_ADDRESS).unwrap().op else {
        panic!()
    };
    assert!(
        policy.contains("AWSLogs/o-abc/*") && policy.contains("AWSLogs/123456789012/*"),
        "{policy}"
    );
}

#[test]
fn a_bucket_of_another_account_is_a_prerequisite_with_the_statements_to_add() {
    let t = TrailState {
        bucket: Bucket::Unreadable {
            error: "S3.GetBucketPolicy: AccessDenied: Access Denied".into(),
        },
        ..TrailState::default()
    };
    let err = compute(&base(BASELINE), &observed(t), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plinth cannot read bucket `example-logs`; it seems to belong to another account"),
        "{err}"
    );
    assert!(err.contains("Caused by: S3.GetBucketPolicy: AccessDenied"), "{err}");
    assert!(err.contains("\"Sid\": \"PlinthCloudTrailOrganizationWrite\""), "{err}");
    assert!(err.contains("baseline.toml:6:10"), "{err}");
}

#[test]
fn a_trail_homed_elsewhere_is_an_error_not_a_move() {
    let mut settings = desired_settings("org-trail", "example-logs", None, None);
    settings.is_multi_region_trail = true;
    let t = TrailState {
        trusted_access: true,
        bucket: Bucket::Missing,
        trail: Some(TrailInfo {
            arn: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail".into(),
            home_region: "eu-west-1".into(),
            owned: true,
            settings,
            logging: true,
            selectors: crate::observed::Selectors::Basic(vec![selectors::management_events()]),
        }),
        ..TrailState::default()
    };
    let err = compute(&base(BASELINE), &observed(t), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("exists with its home in `eu-west-1`"), "{err}");
}

#[test]
fn a_kms_key_means_sse_kms_for_bucket_and_trail() {
    let text = format!("{BASELINE}kms_key_arn = \"arn:aws:kms:us-east-1:123456789012:key/k-1\"\n");
    let p = compute(&base(&text), &observed(TrailState::default()), PlanOptions::default()).unwrap();
    let Op::S3(S3Op::PutBucketEncryption { kms_key, .. }) = &p.find("trail.bucket.encryption").unwrap().op else {
        panic!()
    };
    assert_eq!(kms_key.as_deref(), Some("arn:aws:kms:us-east-1:123456789012:key/k-1"));
    let Op::Cloudtrail(CloudTrailOp::CreateTrail { settings }) = &p.find(TRAIL_ADDRESS).unwrap().op else {
        panic!()
    };
    assert_eq!(
        settings.kms_key_id.as_deref(),
        Some("arn:aws:kms:us-east-1:123456789012:key/k-1")
    );
}

fn owned_bucket() -> Bucket {
    Bucket::Present {
        owned: true,
        public_access_block: Some(PublicAccessBlock::ALL),
        encryption: Some(BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: Some("arn:aws:kms:us-east-1:123456789012:key/k-1".into()),
        }),
        policy: None,
    }
}

#[test]
fn what_plinth_did_not_create_is_an_error_that_says_how_to_adopt_it() {
    let untagged = TrailState {
        bucket: Bucket::Present {
            owned: false,
            public_access_block: None,
            encryption: None,
            policy: None,
        },
        ..TrailState::default()
    };
    let err = compute(&base(BASELINE), &observed(untagged), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: bucket `example-logs` exists without plinth's tag `managed-by=plinth`"),
        "{err}"
    );
    assert!(
        err.contains("aws s3api put-bucket-tagging --bucket example-logs"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:6:10"), "{err}");

    let trail = TrailState {
        bucket: owned_bucket(),
        trail: Some(TrailInfo {
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail".into(),
            home_region: HOME_REGION.into(),
            owned: false,
            settings: desired_settings("org-trail", "example-logs", None, None),
            logging: true,
            selectors: crate::observed::Selectors::default(),
        }),
        ..TrailState::default()
    };
    let err = compute(&base(BASELINE), &observed(trail), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: trail `org-trail` exists without plinth's tag"),
        "{err}"
    );
    assert!(err.contains("aws cloudtrail add-tags --region us-east-1 --resource-id arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"), "{err}");

    let logs = format!("{BASELINE}cloudwatch_logs = true\n");
    let group = TrailState {
        bucket: owned_bucket(),
        log_group: Some(crate::observed::LogGroup {
            arn: "arn:aws:logs:us-east-1:123456789012:log-group:/plinth/cloudtrail/org-trail:*".into(),
            owned: false,
        }),
        ..TrailState::default()
    };
    let err = compute(&base(&logs), &observed(group), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: log group `/plinth/cloudtrail/org-trail` exists without plinth's tag"),
        "{err}"
    );
    assert!(
        err.contains(
            "--resource-arn arn:aws:logs:us-east-1:123456789012:log-group:/plinth/cloudtrail/org-trail --tags"
        ),
        "{err}"
    );
}

#[test]
fn sse_kms_is_never_weakened_to_sse_s3() {
    let t = TrailState {
        bucket: owned_bucket(),
        ..TrailState::default()
    };
    let p = compute(&base(BASELINE), &observed(t), PlanOptions::default()).unwrap();
    assert!(p.find("trail.bucket.encryption").is_none(), "{:?}", p.changes);
    assert!(
        p.warnings.iter().any(
            |w| w.contains("uses SSE-KMS with `arn:aws:kms:us-east-1:123456789012:key/k-1`")
                && w.contains("never weakens")
        ),
        "{:?}",
        p.warnings
    );
}
