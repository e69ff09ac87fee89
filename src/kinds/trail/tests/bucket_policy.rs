//! The bucket policy of AWS's guide for an organization trail, under AWS's own Sids: what
//! it grants exactly is not added again; what it lacks, or grants otherwise, is.

use serde_json::{Value, json};

use super::*;

const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";

/// "Create or update an Amazon S3 bucket to use to store the log files for an
/// organization trail" (AWS CloudTrail User Guide), for `example-logs` in `o-abc`.
fn guide() -> Vec<Value> {
    let write = |sid: &str, prefix: &str| {
        json!({
            "Sid": sid, "Effect": "Allow",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::example-logs/AWSLogs/{prefix}/*"),
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}}
        })
    };
    vec![
        json!({
            "Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": "s3:GetBucketAcl",
            "Resource": "arn:aws:s3:::example-logs",
            "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}}
        }),
        write("AWSCloudTrailWrite20150319", "123456789012"),
        write("AWSCloudTrailOrganizationWrite20150319", "o-abc"),
    ]
}

fn with_policy(statements: Vec<Value>) -> TrailState {
    let mut bucket = owned_bucket();
    if let Bucket::Present { policy, .. } = &mut bucket {
        *policy = Some(json!({"Version": "2012-10-17", "Statement": statements}).to_string());
    }
    TrailState {
        trusted_access: true,
        bucket,
        trail: Some(trail_info(true, None)),
        ..TrailState::default()
    }
}

fn plan(state: TrailState) -> Plan {
    compute(&base(BASELINE), &observed(state), PlanOptions::default()).unwrap_or_else(|d| panic!("{d}"))
}

fn sids_put(plan: &Plan) -> Vec<String> {
    let Some(change) = plan.find(BUCKET_POLICY_ADDRESS) else {
        return vec![];
    };
    let Op::S3(S3Op::PutBucketPolicy { policy, .. }) = &change.op else {
        panic!("{change:?}")
    };
    let doc: Value = serde_json::from_str(policy).unwrap();
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_guides_policy_is_recognised_and_nothing_is_added() {
    let p = plan(with_policy(guide()));
    assert!(p.is_empty(), "{:#?}", p.changes);
    assert!(
        p.notes.iter().any(|n| n
            == "bucket `example-logs`'s policy already grants exactly what plinth's `PlinthCloudTrailAclCheck`, `PlinthCloudTrailWrite`, `PlinthCloudTrailOrganizationWrite` would, under other Sids: plinth adds no duplicate"),
        "{:?}",
        p.notes
    );
}

#[test]
fn the_guides_two_paths_in_one_statement_are_recognised_too() {
    let mut statements = guide();
    let org = statements.pop().unwrap();
    statements[1]["Resource"] = json!([statements[1]["Resource"], org["Resource"]]);
    assert!(plan(with_policy(statements)).is_empty());
}

#[test]
fn what_the_live_policy_lacks_or_grants_otherwise_is_added_as_before() {
    // Without the organization's path: only that statement of plinth's is added.
    let mut statements = guide();
    statements.pop();
    let p = plan(with_policy(statements.clone()));
    assert_eq!(
        sids_put(&p),
        [
            "AWSCloudTrailAclCheck20150319",
            "AWSCloudTrailWrite20150319",
            "PlinthCloudTrailOrganizationWrite"
        ]
    );
    // A wider write (every key of the bucket, no trail condition) is someone else's grant:
    // plinth's own two writes go in beside it, which it keeps.
    let mut wide = guide();
    wide.truncate(1);
    wide.push(json!({"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::example-logs/*",
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}));
    let p = plan(with_policy(wide));
    assert_eq!(
        sids_put(&p),
        [
            "AWSCloudTrailAclCheck20150319",
            "AWSCloudTrailWrite20150319",
            "PlinthCloudTrailWrite",
            "PlinthCloudTrailOrganizationWrite"
        ]
    );
}

#[test]
fn another_trails_arn_in_the_condition_is_not_this_trails_grant() {
    let statements: Vec<Value> = guide()
        .into_iter()
        .map(|s| serde_json::from_str(&s.to_string().replace("trail/org-trail", "trail/old-trail")).unwrap())
        .collect();
    let p = plan(with_policy(statements));
    assert_eq!(sids_put(&p).len(), 6, "{:?}", sids_put(&p));
}
