//! Statement equivalence on plain documents.

use serde_json::{Value, json};

use super::*;

const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";

fn write(sid: &str, prefix: &str) -> Value {
    json!({
        "Sid": sid, "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::logs/AWSLogs/{prefix}/*"),
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}}
    })
}

/// Three statements, as a planner's own.
fn ours() -> Vec<Value> {
    vec![
        json!({
            "Sid": "OursAcl", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": "arn:aws:s3:::logs",
            "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}}
        }),
        write("OursWrite", "111111111111"),
        write("OursOrgWrite", "o-abc123"),
    ]
}

fn policy(statements: Vec<Value>) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[test]
fn equal_grants_under_other_sids_and_spellings_are_recognised() {
    // Lists for strings, other cases for action names and condition keys.
    let live = policy(vec![
        json!({
            "Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": ["S3:GetBucketAcl"],
            "Resource": ["arn:aws:s3:::logs"],
            "Condition": {"StringEquals": {"AWS:SourceArn": [TRAIL]}}
        }),
        write("AWSCloudTrailWrite20150319", "111111111111"),
        write("AWSCloudTrailOrganizationWrite20150319", "o-abc123"),
    ]);
    assert_eq!(recognised(Some(&live), &ours()), [0, 1, 2]);
    let (left, sids) = not_yet_granted(Some(&live), &ours());
    assert!(left.is_empty());
    assert_eq!(sids, ["OursAcl", "OursWrite", "OursOrgWrite"]);
}

#[test]
fn one_statement_with_both_log_paths_grants_both_of_ours() {
    let mut both = write("AWSCloudTrailWrite20150319", "111111111111");
    both["Resource"] = json!([
        "arn:aws:s3:::logs/AWSLogs/o-abc123/*",
        "arn:aws:s3:::logs/AWSLogs/111111111111/*"
    ]);
    let live = policy(vec![both]);
    assert_eq!(recognised(Some(&live), &ours()), [1, 2]);
    let (left, _) = not_yet_granted(Some(&live), &ours());
    assert_eq!(left, [ours()[0].clone()]);
}

#[test]
fn narrower_grants_are_not_recognised() {
    // Only the account's path: the organization's is not granted.
    let live = policy(vec![write("AWSCloudTrailWrite20150319", "111111111111")]);
    assert_eq!(recognised(Some(&live), &ours()), [1]);
    // One more condition: it allows less than ours.
    let mut tighter = write("W", "o-abc123");
    tighter["Condition"]["StringEquals"]["aws:SourceAccount"] = json!("111111111111");
    assert!(recognised(Some(&policy(vec![tighter])), &ours()).is_empty());
}

#[test]
fn wider_or_different_grants_are_not_recognised() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let variants: Vec<(&str, Edit)> = vec![
        (
            "a wider resource",
            Box::new(|s| s["Resource"] = json!("arn:aws:s3:::logs/*")),
        ),
        (
            "another action too",
            Box::new(|s| s["Action"] = json!(["s3:PutObject", "s3:GetObject"])),
        ),
        ("every action", Box::new(|s| s["Action"] = json!("s3:*"))),
        ("any principal", Box::new(|s| s["Principal"] = json!("*"))),
        (
            "another service too",
            Box::new(|s| s["Principal"]["Service"] = json!(["cloudtrail.amazonaws.com", "config.amazonaws.com"])),
        ),
        (
            "no source condition",
            Box::new(|s| {
                s["Condition"]["StringEquals"]
                    .as_object_mut()
                    .unwrap()
                    .remove("aws:SourceArn");
            }),
        ),
        (
            "no condition",
            Box::new(|s| drop(s.as_object_mut().unwrap().remove("Condition"))),
        ),
        (
            "a pattern instead of the ARN",
            Box::new(|s| {
                s["Condition"] = json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}});
            }),
        ),
        ("a deny", Box::new(|s| s["Effect"] = json!("Deny"))),
        (
            "NotResource",
            Box::new(|s| {
                let r = s.as_object_mut().unwrap().remove("Resource").unwrap();
                s["NotResource"] = r;
            }),
        ),
    ];
    for (what, change) in variants {
        let mut s = write("AWSCloudTrailOrganizationWrite20150319", "o-abc123");
        change(&mut s);
        assert!(
            recognised(Some(&policy(vec![s.clone()])), &ours()).is_empty(),
            "{what}: {s}"
        );
    }
}

#[test]
fn a_statement_under_one_of_our_sids_stays_ours_to_keep() {
    // plinth's own Sid with other content, and an equal grant under another Sid: plinth's
    // statement is still put back (replaced), as before.
    let mut edited = write("OursOrgWrite", "o-abc123");
    edited["Action"] = json!("s3:*");
    let live = policy(vec![edited, write("Theirs", "o-abc123")]);
    assert_eq!(recognised(Some(&live), &ours()), Vec::<usize>::new());
}

#[test]
fn principals_and_condition_values_are_compared_as_iam_reads_them() {
    let theirs = json!({"Sid": "T", "Effect": "Allow", "Principal": {"AWS": "111111111111"},
        "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111111111111:t",
        "Condition": {"Bool": {"aws:SecureTransport": true}}});
    let mine = json!({"Sid": "M", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "SNS:Publish", "Resource": "arn:aws:sns:us-east-1:111111111111:t",
        "Condition": {"Bool": {"aws:securetransport": "true"}}});
    assert_eq!(recognised(Some(&policy(vec![theirs])), &[mine]), [0]);
    let anyone = json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "r"});
    let star = json!({"Sid": "M", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "r"});
    assert_eq!(recognised(Some(&policy(vec![anyone])), &[star]), [0]);
}

#[test]
fn no_policy_or_an_unreadable_one_recognises_nothing() {
    assert!(recognised(None, &ours()).is_empty());
    assert!(recognised(Some("not json"), &ours()).is_empty());
    assert!(recognised(Some("{}"), &ours()).is_empty());
}

#[test]
fn a_huge_live_statement_is_read_no_further_than_its_first_foreign_grant_or_not_at_all() {
    // 300 principals × 150 actions × 400 resources: not expanded (it would be 18 million
    // grants); plinth's own statements are simply added beside it.
    let principals: Vec<String> = (0..300).map(|i| format!("arn:aws:iam::{i:012}:root")).collect();
    let actions: Vec<String> = (0..150).map(|i| format!("s3:Action{i}")).collect();
    let resources: Vec<String> = (0..400).map(|i| format!("arn:aws:s3:::logs/p{i}/*")).collect();
    let huge = json!({
        "Sid": "Everything", "Effect": "Allow",
        "Principal": {"AWS": principals}, "Action": actions, "Resource": resources,
        "Condition": {"StringEquals": {"aws:SourceArn": "x".repeat(5_000)}}
    });
    let started = std::time::Instant::now();
    let live = policy(vec![huge.clone()]);
    assert!(recognised(Some(&live), &ours()).is_empty());
    // The same statement repeated (one principal, action and resource over and over)
    // still grants what ours grant only when it is small enough to read.
    let mut repeated = write("AWSCloudTrailWrite20150319", "111111111111");
    repeated["Action"] = json!(vec!["s3:PutObject"; 5_000]);
    let live = policy(vec![repeated, huge]);
    assert_eq!(recognised(Some(&live), &ours()), [1]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
