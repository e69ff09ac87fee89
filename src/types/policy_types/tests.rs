//! The table's own checks: enum order, keys, dated sources that state their figures.
use super::*;

#[test]
fn the_table_is_in_enum_order_and_round_trips_api_names() {
    for t in PolicyType::ALL {
        assert_eq!(PolicyType::from_api(t.api()), Some(t));
    }
    assert_eq!(PolicyType::Scp.rules().max_size, crate::policy::MAX_SCP_SIZE);
    assert_eq!(PolicyType::Rcp.rules().aws_default, Some("RCPFullAWSAccess"));
    assert!(!PolicyType::Rcp.rules().default_detachable);
    assert_eq!(PolicyType::AiOptOut.rules().max_size, 2_500);
    for t in PolicyType::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.api()));
        assert_eq!(PolicyType::from_key(t.rules().key), Some(t), "keys are unique");
        assert!(t.rules().source.contains("read 2026"), "{t} cites a dated source");
    }
}

#[test]
fn generic_types_are_the_management_types_without_a_section() {
    let sectioned = [
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::AiOptOut,
        PolicyType::Tag,
        PolicyType::Ec2Declarative,
        PolicyType::S3,
    ];
    for t in PolicyType::ALL {
        assert_eq!(PolicyType::GENERIC.contains(&t), !sectioned.contains(&t), "{t}");
    }
    for t in PolicyType::GENERIC {
        assert!(matches!(t.rules().syntax, Syntax::Management { .. }), "{t}");
        assert!(t.rules().affects_management_account && t.rules().aws_default.is_none());
    }
}

#[test]
fn nouns_in_the_plural() {
    assert_eq!(PolicyType::Scp.rules().nouns(), "SCPs");
    assert_eq!(PolicyType::Tag.rules().nouns(), "tag policies");
    assert_eq!(PolicyType::AiOptOut.rules().nouns(), "AI services opt-out policies");
}

#[test]
fn scps_have_the_limits_aws_doubled_in_2026() {
    let scp = PolicyType::Scp.rules();
    assert_eq!((scp.max_size, scp.max_per_target), (10_240, 10));
    assert!(
        scp.source.contains("aws-organizations-increased-scp-quotas"),
        "{}",
        scp.source
    );
    let rcp = PolicyType::Rcp.rules();
    assert_eq!((rcp.max_size, rcp.max_per_target), (5_120, 5));
}

/// `12,345` for 12345, as the sources write figures.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn every_row_cites_its_figures_with_a_date_and_has_a_distinct_key() {
    let mut keys = std::collections::BTreeSet::new();
    for t in PolicyType::ALL {
        let r = t.rules();
        assert!(
            r.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{}",
            r.key
        );
        assert!(keys.insert(r.key), "the key `{}` is used twice", r.key);
        let size = format!("{} {}", grouped(r.max_size), r.unit());
        let count = format!("{} per root, OU or account", r.max_per_target);
        assert!(r.source.contains(&size), "{}: the source does not say {size}", r.api);
        assert!(r.source.contains(&count), "{}: the source does not say {count}", r.api);
        assert!(
            r.source.contains("read 20"),
            "{}: the source says when it was read",
            r.api
        );
    }
    assert_eq!(grouped(10_240), "10,240");
    assert_eq!(grouped(500), "500");
}

#[test]
fn upgrade_rollout_policies_are_measured_in_bytes_and_the_others_in_characters() {
    let text = "é".repeat(10);
    let rollout = PolicyType::UpgradeRollout.rules();
    assert_eq!((rollout.size_of(&text), rollout.unit()), (20, "bytes"));
    assert_eq!(rollout.max_size, 5_120);
    for t in PolicyType::ALL.into_iter().filter(|t| *t != PolicyType::UpgradeRollout) {
        assert_eq!((t.rules().size_of(&text), t.rules().unit()), (10, "characters"), "{t}");
    }
}
