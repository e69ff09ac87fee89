//! Each CIS check's pattern against CloudTrail events: one it must count and a near miss
//! it must not (the same call by AWS itself, a read instead of a write, another service's
//! call of the same name, a sign-in with MFA).

use serde_json::{Value, json};

use super::filter_pattern::matches;
use crate::kinds::trail::cis::{CHECKS, ROOT_USAGE, check};

fn event(source: &str, name: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice"},
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "eventType": "AwsApiCall",
    })
}

fn with(mut e: Value, path: &[&str], value: Value) -> Value {
    let mut at = &mut e;
    for key in &path[..path.len() - 1] {
        at = at
            .as_object_mut()
            .unwrap()
            .entry((*key).to_owned())
            .or_insert_with(|| json!({}));
    }
    at[path[path.len() - 1]] = value;
    e
}

/// For each check: an event it counts, and a near miss.
fn samples(name: &str) -> (Value, Value) {
    let sign_in = || {
        let e = with(event("signin.amazonaws.com", "ConsoleLogin"), &["userIdentity", "type"], json!("IAMUser"));
        with(e, &["responseElements", "ConsoleLogin"], json!("Success"))
    };
    match name {
        "unauthorized-api-calls" => (
            with(event("ec2.amazonaws.com", "RunInstances"), &["errorCode"], json!("Client.UnauthorizedOperation")),
            with(event("ec2.amazonaws.com", "RunInstances"), &["errorCode"], json!("Client.InvalidParameterValue")),
        ),
        "console-sign-in-without-mfa" => (
            with(sign_in(), &["additionalEventData", "MFAUsed"], json!("No")),
            with(sign_in(), &["additionalEventData", "MFAUsed"], json!("Yes")),
        ),
        "root-usage" => {
            let root = with(event("s3.amazonaws.com", "ListBuckets"), &["userIdentity", "type"], json!("Root"));
            let by_aws = with(root.clone(), &["userIdentity", "invokedBy"], json!("cloudtrail.amazonaws.com"));
            (root, by_aws)
        }
        "iam-policy-changes" => (
            event("iam.amazonaws.com", "PutRolePolicy"),
            event("iam.amazonaws.com", "GetRolePolicy"),
        ),
        "cloudtrail-changes" => (
            event("cloudtrail.amazonaws.com", "StopLogging"),
            event("cloudtrail.amazonaws.com", "GetTrailStatus"),
        ),
        "console-authentication-failures" => (
            with(
                event("signin.amazonaws.com", "ConsoleLogin"),
                &["errorMessage"],
                json!("Failed authentication"),
            ),
            with(sign_in(), &["additionalEventData", "MFAUsed"], json!("Yes")),
        ),
        "kms-key-disabled-or-deleted" => (
            event("kms.amazonaws.com", "ScheduleKeyDeletion"),
            event("kms.amazonaws.com", "EnableKey"),
        ),
        "s3-bucket-policy-changes" => (
            event("s3.amazonaws.com", "PutBucketPolicy"),
            event("s3.amazonaws.com", "GetBucketPolicy"),
        ),
        "config-changes" => (
            event("config.amazonaws.com", "StopConfigurationRecorder"),
            event("config.amazonaws.com", "StartConfigurationRecorder"),
        ),
        "security-group-changes" => (
            event("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
            event("ec2.amazonaws.com", "DescribeSecurityGroups"),
        ),
        "network-acl-changes" => (
            event("ec2.amazonaws.com", "ReplaceNetworkAclEntry"),
            event("ec2.amazonaws.com", "DescribeNetworkAcls"),
        ),
        "network-gateway-changes" => (
            event("ec2.amazonaws.com", "AttachInternetGateway"),
            event("ec2.amazonaws.com", "CreateNatGateway"),
        ),
        "route-table-changes" => (
            event("ec2.amazonaws.com", "ReplaceRoute"),
            event("ec2.amazonaws.com", "DescribeRouteTables"),
        ),
        "vpc-changes" => (
            event("ec2.amazonaws.com", "ModifyVpcAttribute"),
            event("ec2.amazonaws.com", "CreateSubnet"),
        ),
        // A call of the same name to another service is not the organization's.
        "organizations-changes" => (
            event("organizations.amazonaws.com", "DetachPolicy"),
            event("iam.amazonaws.com", "DetachPolicy"),
        ),
        other => panic!("no samples for `{other}`"),
    }
}

#[test]
fn each_pattern_counts_its_event_and_not_its_near_miss() {
    for c in &CHECKS {
        let (hit, miss) = samples(c.name);
        assert!(matches(c.pattern, &hit), "`{}` should count {hit:#}", c.name);
        assert!(!matches(c.pattern, &miss), "`{}` should not count {miss:#}", c.name);
    }
}

#[test]
fn the_table_names_each_check_once_with_its_source() {
    let mut names: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CHECKS.len());
    assert_eq!(ROOT_USAGE.name, "root-usage");
    assert_eq!(check("vpc-changes").map(|c| c.metric), Some("VpcChanges"));
    for c in &CHECKS {
        assert!(c.cis.starts_with("CIS v1."), "{}", c.name);
        assert!(c.pattern.starts_with('{') && c.pattern.ends_with('}'), "{}", c.name);
        // Names fit CloudWatch's limits with the prefixes.
        assert!(c.alarm_name().len() <= 255 && c.filter_name().len() <= 512, "{}", c.name);
    }
}
