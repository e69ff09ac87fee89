//! The organization policy types plinth manages, and each type's rules in one table.
//!
//! Each row's `source` says where its size and per-target figures come from and when they
//! were read; the figures change (AWS doubled both SCP limits on 2026-05-15), and a
//! baseline can raise or lower what plinth enforces without a new release (its `[limits]`
//! section, keyed by each row's `key`). The other rules come from "Managing AWS Organizations policies"
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies.html>,
//! "Affects management account").

use serde::{Deserialize, Serialize};

/// How a type's documents are written, and so how they are checked and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// IAM policy grammar (`Version`, `Statement`): compared statement by statement.
    Iam,
    /// Management policy grammar (`@@assign` and friends) under one fixed top-level key.
    Management { top_key: &'static str },
}

/// One policy type's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeRules {
    /// The type as the Organizations API names it.
    pub api: &'static str,
    /// The type's short name in the baseline: `[limits]` keys are `<key>_characters` and
    /// `<key>_per_target`.
    pub key: &'static str,
    /// What a person calls one: `SCP`, `tag policy`.
    pub noun: &'static str,
    /// The noun with its article, for messages: `an SCP`, `a tag policy`.
    pub a_noun: &'static str,
    /// Maximum document size, in characters (minified, as plinth sends it).
    pub max_size: usize,
    /// Maximum policies of the type attached directly to one root, OU or account,
    /// AWS's own default policy included.
    pub max_per_target: usize,
    /// The AWS managed policy attached to every target while the type is enabled, which
    /// counts against `max_per_target` (and, for RCPs, can never be detached).
    pub aws_default: Option<&'static str>,
    /// Whether AWS's default policy can be detached (FullAWSAccess can, RCPFullAWSAccess cannot).
    pub default_detachable: bool,
    /// Whether the type restricts the management account (SCPs and RCPs do not).
    pub affects_management_account: bool,
    /// A target with no policy of this type denies everything: its last one is never detached.
    pub keeps_one: bool,
    /// The service principal that needs trusted access before the type is enabled.
    pub trusted_access: Option<&'static str>,
    pub syntax: Syntax,
    /// Where `max_size` and `max_per_target` come from, and when they were read.
    pub source: &'static str,
}

/// The organization policy types plinth manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PolicyType {
    #[serde(rename = "SERVICE_CONTROL_POLICY")]
    Scp,
    #[serde(rename = "RESOURCE_CONTROL_POLICY")]
    Rcp,
    #[serde(rename = "AISERVICES_OPT_OUT_POLICY")]
    AiOptOut,
    #[serde(rename = "TAG_POLICY")]
    Tag,
    #[serde(rename = "DECLARATIVE_POLICY_EC2")]
    Ec2Declarative,
}

/// The one table of type rules (each row's limits cite their `source`).
const RULES: [TypeRules; 5] = [
    TypeRules {
        api: "SERVICE_CONTROL_POLICY",
        key: "scp",
        noun: "SCP",
        a_noun: "an SCP",
        max_size: 10_240,
        max_per_target: 10,
        aws_default: Some("FullAWSAccess"),
        default_detachable: true,
        affects_management_account: false,
        keeps_one: true,
        trusted_access: None,
        syntax: Syntax::Iam,
        source: "AWS What's New of 2026-05-15 <https://aws.amazon.com/about-aws/whats-new/2026/05/aws-organizations-increased-scp-quotas/>, as cited in landing-zone-accelerator-on-aws issue #1119 of 2026-05-29: 10,240 characters and 10 per root, OU or account, in every partition, up from 5,120 and 5; LocalStack's SCP validation, localstack-docs pull request #758 of 2026-07-07: 10,240 characters; Landing Zone Accelerator 1.16.0, pull request #1120: its check raised to 10 per target; read 2026-12",
    },
    TypeRules {
        api: "RESOURCE_CONTROL_POLICY",
        key: "rcp",
        noun: "RCP",
        a_noun: "an RCP",
        max_size: 5_120,
        max_per_target: 5,
        aws_default: Some("RCPFullAWSAccess"),
        default_detachable: false,
        affects_management_account: false,
        keeps_one: true,
        trusted_access: None,
        syntax: Syntax::Iam,
        source: "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 5,120 characters, 5 per root, OU or account; read 2026-11, rechecked 2026-12: the 2026-05-15 increase named SCPs only",
    },
    TypeRules {
        api: "AISERVICES_OPT_OUT_POLICY",
        key: "ai_opt_out",
        noun: "AI services opt-out policy",
        a_noun: "an AI services opt-out policy",
        max_size: 2_500,
        max_per_target: 5,
        aws_default: None,
        default_detachable: true,
        affects_management_account: true,
        keeps_one: false,
        trusted_access: None,
        syntax: Syntax::Management { top_key: "services" },
        source: "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 2,500 characters, 5 per root, OU or account; read 2026-11, rechecked 2026-12",
    },
    TypeRules {
        api: "TAG_POLICY",
        key: "tag",
        noun: "tag policy",
        a_noun: "a tag policy",
        max_size: 10_000,
        max_per_target: 10,
        aws_default: None,
        default_detachable: true,
        affects_management_account: true,
        keeps_one: false,
        trusted_access: None,
        syntax: Syntax::Management { top_key: "tags" },
        source: "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters, 10 per root, OU or account; read 2026-11, rechecked 2026-12",
    },
    TypeRules {
        api: "DECLARATIVE_POLICY_EC2",
        key: "ec2_declarative",
        noun: "EC2 declarative policy",
        a_noun: "an EC2 declarative policy",
        max_size: 10_000,
        max_per_target: 10,
        aws_default: None,
        default_detachable: true,
        affects_management_account: true,
        keeps_one: false,
        // "Declarative policies: enabling trusted access", orgs_manage_policies_declarative.
        trusted_access: Some("declarative-policies.ec2.amazonaws.com"),
        syntax: Syntax::Management {
            top_key: "ec2_attributes",
        },
        source: "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters, 10 per root, OU or account; read 2026-11, rechecked 2026-12",
    },
];

impl PolicyType {
    pub const ALL: [PolicyType; 5] = [
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::AiOptOut,
        PolicyType::Tag,
        PolicyType::Ec2Declarative,
    ];

    pub const fn rules(self) -> &'static TypeRules {
        &RULES[self as usize]
    }

    pub const fn api(self) -> &'static str {
        self.rules().api
    }

    pub fn from_api(api: &str) -> Option<PolicyType> {
        Self::ALL.into_iter().find(|t| t.api() == api)
    }
}

impl TypeRules {
    /// The noun in the plural: `SCPs`, `tag policies`.
    pub fn nouns(&self) -> String {
        match self.noun.strip_suffix("policy") {
            Some(stem) => format!("{stem}policies"),
            None => format!("{}s", self.noun),
        }
    }
}

impl std::fmt::Display for PolicyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.api())
    }
}

#[cfg(test)]
mod tests {
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
            let size = format!("{} characters", grouped(r.max_size));
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
}
