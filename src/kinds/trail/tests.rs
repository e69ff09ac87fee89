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
fn every_bucket_write_names_the_management_account_as_the_owner() {
    let p = compute(
        &base(BASELINE),
        &observed(TrailState::default()),
        PlanOptions::default(),
    )
    .unwrap();
    let ops: Vec<&S3Op> = p
        .changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::S3(op) => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(ops.len(), 4, "create, public access block, encryption, policy: {ops:#?}");
    for op in ops {
        match op {
            // S3 takes no expected owner at creation; the writes after it carry one.
            S3Op::CreateBucket { .. } => {}
            S3Op::TagBucket { expected_owner, .. }
            | S3Op::PutPublicAccessBlock { expected_owner, .. }
            | S3Op::PutBucketEncryption { expected_owner, .. }
            | S3Op::PutBucketPolicy { expected_owner, .. }
            | S3Op::PutBucketVersioning { expected_owner, .. }
            | S3Op::PutObjectLockConfiguration { expected_owner, .. }
            | S3Op::PutLifecycleRule { expected_owner, .. }
            | S3Op::PutBucketLogging { expected_owner, .. } => assert_eq!(expected_owner, "123456789012"),
        }
    }
}

#[test]
fn a_bucket_of_another_account_blocks_the_trail_and_nothing_else() {
    // The log bucket was deleted and someone else registered its name: the trail still
    // delivers there, stopped or not.
    let t = TrailState {
        bucket: Bucket::OtherAccount {
            error: "S3.GetBucketPolicy: AccessDenied: Access Denied".into(),
        },
        trail: Some(TrailInfo {
            logging: false,
            ..trail_info(true, None)
        }),
        ..TrailState::default()
    };
    let text = format!("{BASELINE}\n[scp.deny_leave_organization]\nattach = [\"root\"]\n");
    let plan = compute(&base(&text), &observed(t), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:#?}", plan.blocked)
    };
    assert_eq!((blocked.target.as_str(), blocked.at.as_str()), ("trail", "baseline.toml:6:10"));
    for part in [
        "bucket `example-logs` belongs to another account",
        "S3 refuses it as a bucket of account 123456789012 (`ExpectedBucketOwner`): S3.GetBucketPolicy: AccessDenied",
        "trail `org-trail` delivers to it now",
    ] {
        assert!(blocked.error.contains(part), "{part}: {}", blocked.error);
    }
    let hint = blocked.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("set `bucket` to a name of account 123456789012's own"),
        "{hint}"
    );
    // Nothing of the trail (no bucket created or adopted, no trusted access, no logging
    // started on the foreign bucket); the rest of the baseline goes ahead.
    let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert!(!addresses.iter().any(|a| a.starts_with("trail")), "{addresses:?}");
    assert!(addresses.iter().any(|a| a.starts_with("scp.")), "{addresses:?}");
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
            managed_by: None,
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
        managed_by: None,
        public_access_block: Some(PublicAccessBlock::ALL),
        encryption: Some(BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: Some("arn:aws:kms:us-east-1:123456789012:key/k-1".into()),
        }),
        policy: None,
    }
}

fn trail_info(owned: bool, managed_by: Option<crate::observed::OtherManager>) -> TrailInfo {
    TrailInfo {
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail".into(),
        home_region: HOME_REGION.into(),
        owned,
        managed_by,
        settings: desired_settings("org-trail", "example-logs", None, None),
        logging: true,
        selectors: crate::observed::Selectors::Basic(vec![crate::observed::EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            data_resources: vec![],
            exclude_management_event_sources: vec![],
        }]),
    }
}

fn shown(plan: &crate::plan::Plan) -> Vec<(&str, &str, Vec<String>)> {
    plan.changes
        .iter()
        .map(|c| (c.action.symbol(), c.address.as_str(), c.depends_on.iter().map(ToString::to_string).collect()))
        .collect()
}

#[test]
fn an_untagged_bucket_is_adopted_before_it_is_corrected() {
    let untagged = TrailState {
        bucket: Bucket::Present {
            owned: false,
            managed_by: None,
            public_access_block: None,
            encryption: None,
            policy: None,
        },
        ..TrailState::default()
    };
    let plan = compute(&base(BASELINE), &observed(untagged), PlanOptions::default()).unwrap();
    let shown = shown(&plan);
    assert!(shown.contains(&("=", "trail.bucket (adopt)", vec![])), "{shown:?}");
    for (_, address, deps) in shown.iter().filter(|(_, a, _)| a.starts_with("trail.bucket.")) {
        assert!(
            deps.contains(&"trail.bucket (adopt)".to_owned()),
            "{address} waits for the tag: {deps:?}"
        );
    }
    let tag = plan
        .changes
        .iter()
        .find(|c| c.address == "trail.bucket (adopt)")
        .unwrap();
    assert_eq!(
        tag.op,
        Op::S3(S3Op::TagBucket {
            bucket: "example-logs".into(),
            expected_owner: "123456789012".into(),
        })
    );
}

#[test]
fn an_untagged_trail_and_log_group_are_adopted() {
    let logs = format!("{BASELINE}cloudwatch_logs = true\n");
    let b = base(&logs);
    let group = "/plinth/cloudtrail/org-trail";
    let mut trail = trail_info(false, None);
    trail.settings = desired_settings(
        "org-trail",
        "example-logs",
        None,
        Some((
            format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"),
            "arn:aws:iam::123456789012:role/plinth-cloudtrail-logs-org-trail".into(),
        )),
    );
    let state = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail),
        log_group: Some(crate::observed::LogGroup {
            arn: format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"),
            owned: false,
            managed_by: None,
        }),
        ..TrailState::default()
    };
    let plan = compute(&b, &observed(state), PlanOptions::default()).unwrap();
    let adopts: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action == crate::plan::Action::Adopt)
        .collect();
    assert_eq!(
        adopts.iter().map(|c| c.address.as_str()).collect::<Vec<_>>(),
        ["trail.log_group (adopt)", "trail (adopt)"],
        "{:#?}",
        plan.changes
    );
    assert_eq!(
        adopts[0].op,
        Op::Logs(crate::plan::LogsOp::TagResource {
            arn: format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}")
        })
    );
    assert_eq!(
        adopts[1].op,
        Op::Cloudtrail(crate::plan::CloudTrailOp::AddTags {
            trail_arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail".into()
        })
    );
}

#[test]
fn a_trail_another_tool_manages_is_an_error_not_adopted() {
    let state = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail_info(false, crate::observed::other_manager("aws-controltower-BaselineCloudTrail", []))),
        ..TrailState::default()
    };
    let err = compute(&base(BASELINE), &observed(state), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: trail `org-trail` exists and plinth does not manage it"),
        "{err}"
    );
    assert!(err.contains("it is managed by AWS Control Tower"), "{err}");
    assert!(err.contains("baseline.toml:"), "{err}");
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
        p.notes.iter().any(|n| n
            == "keeps bucket `example-logs`'s SSE-KMS encryption with key `arn:aws:kms:us-east-1:123456789012:key/k-1` (the baseline names none in `kms_key_arn`; plinth never weakens it to SSE-S3)"),
        "{:?}",
        p.notes
    );
}

#[test]
fn log_file_validation_is_on_unless_the_baseline_says_false() {
    let mut info = trail_info(true, None);
    info.settings.log_file_validation = false;
    let state = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(info),
        ..TrailState::default()
    };
    let on = compute(&base(BASELINE), &observed(state.clone()), PlanOptions::default()).unwrap();
    let change = on.find(TRAIL_ADDRESS).unwrap();
    assert_eq!(change.reason, "log file validation is off");
    let off = format!("{BASELINE}log_file_validation = false\n");
    let off = compute(&base(&off), &observed(state), PlanOptions::default()).unwrap();
    assert!(off.find(TRAIL_ADDRESS).is_none(), "{:#?}", off.changes);
    // Turning a guardrail off is said in every plan, not only in the diff that did it.
    assert!(
        off.warnings.iter().any(|w| w.contains("has no log file validation")),
        "{:?}",
        off.warnings
    );
    assert!(!on.warnings.iter().any(|w| w.contains("log file validation")), "{:?}", on.warnings);
}

mod adoption;
mod log_role;
mod bucket_policy;
mod root_usage;
mod cis;
mod monitoring;
mod filter_pattern;
