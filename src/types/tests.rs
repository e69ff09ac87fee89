//! Values checked while parsing.

use super::names::*;
use super::org::*;
use super::*;

#[test]
fn targets_parse_and_print_back() {
    for s in ["root", "ou:Workloads/Prod", "account:111111111111", "account:sandbox"] {
        assert_eq!(Target::parse(s).unwrap().to_string(), s);
    }
    assert!(Target::parse("ou:/Prod").unwrap_err().contains("leading or trailing"));
    assert!(
        Target::parse("organization")
            .unwrap_err()
            .contains("unknown target `organization`")
    );
    assert!(Target::parse("account:").is_err());
}

#[test]
fn ou_path_ancestors_and_parent() {
    let p = OuPath::parse("A/B/C").unwrap();
    let anc: Vec<String> = p.with_ancestors().iter().map(|p| p.to_string()).collect();
    assert_eq!(anc, ["A", "A/B", "A/B/C"]);
    assert_eq!(p.parent().unwrap().as_str(), "A/B");
    assert_eq!(p.name(), "C");
    assert!(OuPath::parse("A").unwrap().parent().is_none());
    assert!(OuPath::parse("A//B").is_err());
}

#[test]
fn region_errors_suggest_the_right_name() {
    let e = check_region("eu_west_1").unwrap_err();
    assert!(
        e.contains("unknown region `eu_west_1`") && e.contains("did you mean `eu-west-1`?"),
        "{e}"
    );
    let e = check_region("us-east-9").unwrap_err();
    assert!(e.contains("did you mean `us-east-1`?"), "{e}");
    assert!(check_region("ap-southeast-2").is_ok());
}

#[test]
fn principal_patterns() {
    assert!(check_principal_pattern("arn:aws:iam::*:role/BreakGlass").is_ok());
    assert!(check_principal_pattern("arn:aws:iam::123456789012:role/x").is_ok());
    assert!(check_principal_pattern("BreakGlass").is_err());
    assert!(check_principal_pattern("arn:aws:s3:::bucket").is_err());
}

#[test]
fn emails_topics_alarms() {
    assert!(check_email("finance@example.com").is_ok());
    assert!(check_email("a.b+c@mail.example.co.uk").is_ok());
    for bad in [
        "finance",
        "finance@",
        "@example.com",
        "fin ance@example.com",
        "a@example",
        "a@b..com",
        "a@@b.com",
    ] {
        assert!(check_email(bad).is_err(), "{bad}");
    }
    assert!(check_topic_name("plinth-billing-alerts").is_ok());
    assert!(check_topic_name("bad.name").is_err());
    assert!(check_alarm_name("org-monthly").is_ok());
    assert!(check_alarm_name("has space").is_err());
    let usd: Result<Usd, _> = serde_json::from_str("0");
    assert!(usd.unwrap_err().to_string().contains("must be more than 0"));
    let usd: Usd = serde_json::from_str("12.5").unwrap();
    assert_eq!(usd.get(), 12.5);
}

#[test]
fn trail_bucket_and_key_names() {
    assert!(check_trail_name("org-trail").is_ok());
    assert!(check_trail_name("-bad").is_err());
    assert!(check_trail_name("a--b").is_err());
    assert!(check_trail_name("ab").is_err());
    assert!(check_bucket_name("example-org-cloudtrail-logs").is_ok());
    assert!(check_bucket_name("Upper").is_err());
    assert!(check_bucket_name("192.168.1.1").is_err());
    assert!(check_bucket_name("a..b").is_err());
    assert!(check_kms_key_arn("arn:aws:kms:us-east-1:123456789012:key/abcd").is_ok());
    assert!(
        check_kms_key_arn("arn:aws:kms:eu-west-1:123456789012:key/abcd")
            .unwrap_err()
            .contains("is in `eu-west-1`")
    );
    assert!(
        check_kms_key_arn("alias/mine")
            .unwrap_err()
            .contains("not a KMS key ARN")
    );
}

#[test]
fn policy_names() {
    assert!(check_policy_name("deny-iam-users").is_ok());
    assert!(check_policy_name("").is_err());
    assert!(check_policy_name("a/b").is_err());
    assert!(check_policy_name("plinth-mine").is_err());
}
