//! Adoption never weakens the trail: what the baseline does not name (the SSE-KMS key,
//! CloudWatch Logs delivery, the bucket's encryption, its policy's statements) is kept;
//! what plinth sets is only stronger; another tool's trail is never plinth's.

use super::*;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/theirs";
const GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:their-trail-logs:*";
const ROLE: &str = "arn:aws:iam::123456789012:role/their-cloudtrail-logs";

/// A trail made without plinth: SSE-KMS with its own key, CloudWatch Logs delivery to its own group.
fn protected_trail(owned: bool) -> TrailState {
    let mut trail = trail_info(owned, None);
    trail.settings.kms_key_id = Some(KEY.into());
    trail.settings.cloud_watch_logs_log_group_arn = Some(GROUP.into());
    trail.settings.cloud_watch_logs_role_arn = Some(ROLE.into());
    let mut bucket = owned_bucket();
    if let Bucket::Present { policy, .. } = &mut bucket {
        let ours = bucket_statements(
            "example-logs",
            &trail_arn("123456789012", "org-trail"),
            "123456789012",
            "o-abc",
        );
        *policy = Some(serde_json::json!({"Version": "2012-10-17", "Statement": ours}).to_string());
    }
    TrailState {
        trusted_access: true,
        bucket,
        trail: Some(trail),
        ..TrailState::default()
    }
}

#[test]
fn what_the_baseline_does_not_name_the_trail_keeps_adopted_or_owned() {
    for owned in [false, true] {
        let p = compute(&base(BASELINE), &observed(protected_trail(owned)), PlanOptions::default()).unwrap();
        let shown: Vec<&str> = p.changes.iter().map(|c| c.address.as_str()).collect();
        let want: &[&str] = if owned { &[] } else { &["trail (adopt)"] };
        assert_eq!(shown, want, "owned {owned}: {:#?}", p.changes);
        for note in [
            format!("keeps trail `org-trail`'s SSE-KMS key `{KEY}` (the baseline names none in `kms_key_arn`)"),
            format!(
                "keeps trail `org-trail`'s CloudWatch Logs delivery to `{GROUP}` with role `{ROLE}` (the baseline does not set `cloudwatch_logs`; `cloudwatch_logs = false` turns it off)"
            ),
        ] {
            assert!(p.notes.contains(&note), "owned {owned}: {note} not in {:?}", p.notes);
        }
    }
}

#[test]
fn a_weaker_trail_is_strengthened_when_adopted_never_the_other_way() {
    // Log file validation off and a single region: turned on; the key and delivery kept.
    let mut state = protected_trail(false);
    let live = &mut state.trail.as_mut().unwrap().settings;
    live.log_file_validation = false;
    live.is_multi_region_trail = false;
    let p = compute(&base(BASELINE), &observed(state), PlanOptions::default()).unwrap();
    let update = p.find(TRAIL_ADDRESS).unwrap();
    assert_eq!(update.reason, "multi-region is off; log file validation is off");
    let Op::Cloudtrail(CloudTrailOp::UpdateTrail { settings, logs }) = &update.op else {
        panic!()
    };
    // Delivery unchanged: the call leaves it out, passing no role (no `iam:PassRole` on a
    // role that is not plinth's).
    assert!(!logs);
    assert!(settings.log_file_validation && settings.is_multi_region_trail);
    assert_eq!(settings.kms_key_id.as_deref(), Some(KEY));
    assert_eq!(settings.cloud_watch_logs_log_group_arn.as_deref(), Some(GROUP));
    assert_eq!(settings.cloud_watch_logs_role_arn.as_deref(), Some(ROLE));
    assert_eq!(update.depends_on, ["trail (adopt)"]);
}

#[test]
fn a_key_or_delivery_the_baseline_names_replaces_the_live_one() {
    let other = "arn:aws:kms:us-east-1:123456789012:key/ours";
    let text = format!("{BASELINE}kms_key_arn = \"{other}\"\ncloudwatch_logs = false\n");
    let mut state = protected_trail(true);
    state.bucket = Bucket::Present {
        owned: true,
        managed_by: None,
        public_access_block: Some(PublicAccessBlock::ALL),
        encryption: Some(BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: Some(other.into()),
        }),
        policy: None,
    };
    let p = compute(&base(&text), &observed(state), PlanOptions::default()).unwrap();
    let update = p.find(TRAIL_ADDRESS).unwrap();
    assert_eq!(
        update.reason,
        format!(
            "CloudWatch Logs delivery is on, the baseline has `cloudwatch_logs = false`; KMS key is `{KEY}`, baseline says `{other}`"
        )
    );
    let Op::Cloudtrail(CloudTrailOp::UpdateTrail { settings, logs }) = &update.op else {
        panic!()
    };
    assert!(logs, "delivery turned off: the call says so");
    assert_eq!(settings.kms_key_id.as_deref(), Some(other));
    assert_eq!(settings.cloud_watch_logs_log_group_arn, None);
    assert!(p.notes.iter().all(|n| !n.starts_with("keeps trail")), "{:?}", p.notes);
}

#[test]
fn adopting_a_bucket_only_adds_plinths_statements_and_keeps_its_protections() {
    let theirs = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::example-logs"},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::example-logs", "arn:aws:s3:::example-logs/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]
    });
    let state = TrailState {
        trusted_access: true,
        bucket: Bucket::Present {
            owned: false,
            managed_by: None,
            public_access_block: Some(PublicAccessBlock::ALL),
            encryption: Some(BucketEncryption {
                algorithm: "aws:kms".into(),
                kms_key: Some(KEY.into()),
            }),
            policy: Some(theirs.to_string()),
        },
        ..TrailState::default()
    };
    let p = compute(&base(BASELINE), &observed(state), PlanOptions::default()).unwrap();
    // Neither the public access block nor the encryption is touched.
    assert!(p.find("trail.bucket.public_access_block").is_none(), "{:#?}", p.changes);
    assert!(p.find("trail.bucket.encryption").is_none(), "{:#?}", p.changes);
    let Op::S3(S3Op::PutBucketPolicy { policy, .. }) = &p.find(BUCKET_POLICY_ADDRESS).unwrap().op else {
        panic!()
    };
    let policy: serde_json::Value = serde_json::from_str(policy).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    for s in theirs["Statement"].as_array().unwrap() {
        assert!(statements.contains(s), "{s} dropped from {policy}");
    }
    assert_eq!(statements.len(), 2 + 3, "{policy}");
}

#[test]
fn a_trail_of_another_tool_with_plinths_tag_is_an_error_that_says_the_tag_is_ignored() {
    let who = crate::observed::ownership(
        "org-trail",
        [("managed-by", "plinth"), ("aws-control-tower", "managed-by-control-tower")],
    );
    let state = TrailState {
        trusted_access: true,
        bucket: owned_bucket(),
        trail: Some(trail_info(who.owned, who.managed_by)),
        ..TrailState::default()
    };
    let err = crate::kinds::tests::blocked_text(compute(&base(BASELINE), &observed(state), PlanOptions::default()));
    assert!(err.contains("it is managed by AWS Control Tower (tag `aws-control-tower`)"), "{err}");
    assert!(err.contains("it also carries `managed-by=plinth`"), "{err}");
}

#[test]
fn a_deny_under_plinths_sid_in_the_bucket_policy_is_kept_and_said() {
    let deny = serde_json::json!({"Sid": "PlinthCloudTrailWrite", "Effect": "Deny", "Principal": "*",
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-logs/*"});
    let mut bucket = owned_bucket();
    if let Bucket::Present { policy, .. } = &mut bucket {
        *policy = Some(serde_json::json!({"Version": "2012-10-17", "Statement": [deny]}).to_string());
    }
    let state = TrailState {
        trusted_access: true,
        bucket,
        ..TrailState::default()
    };
    let p = compute(&base(BASELINE), &observed(state), PlanOptions::default()).unwrap();
    let Op::S3(S3Op::PutBucketPolicy { policy, .. }) = &p.find(BUCKET_POLICY_ADDRESS).unwrap().op else {
        panic!()
    };
    let policy: serde_json::Value = serde_json::from_str(policy).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert!(statements.contains(&deny), "{policy}");
    assert_eq!(statements.len(), 3, "the Deny and plinth's two other statements: {policy}");
    assert!(
        p.warnings.iter().any(|w| w.starts_with(
            "bucket `example-logs`'s policy has a `Deny` statement under plinth's Sid `PlinthCloudTrailWrite`"
        )),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_key_or_log_group_of_another_account_is_not_kept() {
    // Someone with `UpdateTrail` points plinth's trail at a key and a log group of an
    // account they control: plinth puts the baseline's values back and warns.
    let mut state = protected_trail(true);
    let trail = state.trail.as_mut().unwrap();
    trail.settings.kms_key_id = Some("arn:aws:kms:us-east-1:999999999999:key/outside".into());
    trail.settings.cloud_watch_logs_log_group_arn =
        Some("arn:aws:logs:us-east-1:999999999999:log-group:outside:*".into());
    let p = compute(&base(BASELINE), &observed(state), PlanOptions::default()).unwrap();
    let update = p.changes.iter().find(|c| c.address == "trail").expect("the trail is updated");
    let Op::Cloudtrail(CloudTrailOp::UpdateTrail { settings, .. }) = &update.op else {
        panic!("{:?}", update.op)
    };
    assert_eq!(settings.kms_key_id, None);
    assert_eq!(settings.cloud_watch_logs_log_group_arn, None);
    assert!(p.warnings.iter().any(|w| w.contains("a key of another account")), "{:?}", p.warnings);
    assert!(p.warnings.iter().any(|w| w.contains("a log group of another account")), "{:?}", p.warnings);
}
