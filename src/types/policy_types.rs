//! The organization policy types plinth manages, and each type's rules in one table.
//!
//! Limits are AWS's published defaults, "Quotas and service limits for AWS Organizations"
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>,
//! "Maximum size of a policy document" and "Maximum number of policies attached to a root,
//! OU, or account", read 2026-11) and "Managing AWS Organizations policies"
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies.html>,
//! "Affects management account"). AWS raised the per-type count of policies in an
//! organization (SCPs to 10,000) and added RCPs (5,120 characters, 5 per target) and
//! declarative policies (10,000 characters, 10 per target) in 2024-2025; the sizes and
//! per-target counts below are the current ones.

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

/// The one table of type rules (sources in the module comment).
const RULES: [TypeRules; 5] = [
    TypeRules {
        api: "SERVICE_CONTROL_POLICY",
        noun: "SCP",
        a_noun: "an SCP",
        max_size: 5_120,
        max_per_target: 5,
        aws_default: Some("FullAWSAccess"),
        default_detachable: true,
        affects_management_account: false,
        keeps_one: true,
        trusted_access: None,
        syntax: Syntax::Iam,
    },
    TypeRules {
        api: "RESOURCE_CONTROL_POLICY",
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
    },
    TypeRules {
        api: "AISERVICES_OPT_OUT_POLICY",
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
    },
    TypeRules {
        api: "TAG_POLICY",
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
    },
    TypeRules {
        api: "DECLARATIVE_POLICY_EC2",
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
}
