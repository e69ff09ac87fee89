//! Every organization policy type, and each type's rules in one table.
//!
//! Each row's `source` says where its size and per-target figures come from and when they
//! were read; the figures change (AWS doubled both SCP limits on 2026-05-15), and a
//! baseline can raise or lower what plinth enforces without a new release (its `[limits]`
//! section, keyed by each row's `key`). The other rules come from "Managing AWS
//! Organizations policies"
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies.html>,
//! "Affects management account") and, for the newer management types, each type's syntax
//! page. `aws/organizations/sdk_types.rs` checks that every type the SDK knows is here or
//! deliberately left out.

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
    /// Its short name in a baseline: `[[management_policy]] type = "backup"`; `[limits]`
    /// keys are `<key>_characters` and `<key>_per_target`.
    pub key: &'static str,
    /// What a person calls one: `SCP`, `tag policy`.
    pub noun: &'static str,
    /// The noun with its article, for messages: `an SCP`, `a tag policy`.
    pub a_noun: &'static str,
    /// Maximum document size, in characters (minified, as plinth sends it), or in bytes
    /// where AWS counts bytes (`in_bytes`).
    pub max_size: usize,
    /// AWS states the type's size in bytes, not characters (upgrade rollout policies).
    pub in_bytes: bool,
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

/// The organization policy types: every type of the Organizations API plinth knows
/// (`aws/organizations/sdk_types.rs` checks this list against the SDK's).
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
    #[serde(rename = "S3_POLICY")]
    S3,
    #[serde(rename = "BACKUP_POLICY")]
    Backup,
    #[serde(rename = "CHATBOT_POLICY")]
    Chatbot,
    #[serde(rename = "SECURITYHUB_POLICY")]
    SecurityHub,
    #[serde(rename = "INSPECTOR_POLICY")]
    Inspector,
    #[serde(rename = "GUARDDUTY_POLICY")]
    GuardDuty,
    #[serde(rename = "BEDROCK_POLICY")]
    Bedrock,
    #[serde(rename = "UPGRADE_ROLLOUT_POLICY")]
    UpgradeRollout,
    #[serde(rename = "NETWORK_SECURITY_DIRECTOR_POLICY")]
    NetworkSecurityDirector,
}

/// A management policy type's rules: it affects the management account too, AWS attaches
/// no default policy, and a target may carry none.
const fn management(
    api: &'static str,
    key: &'static str,
    (noun, a_noun): (&'static str, &'static str),
    (max_size, max_per_target): (usize, usize),
    top_key: &'static str,
    trusted_access: Option<&'static str>,
    source: &'static str,
) -> TypeRules {
    TypeRules {
        api,
        key,
        noun,
        a_noun,
        max_size,
        in_bytes: false,
        max_per_target,
        aws_default: None,
        default_detachable: true,
        affects_management_account: true,
        keeps_one: false,
        trusted_access,
        syntax: Syntax::Management { top_key },
        source,
    }
}

/// The one table of type rules, in enum order (sources in each row).
const RULES: [TypeRules; 14] = [
    TypeRules {
        api: "SERVICE_CONTROL_POLICY",
        key: "scp",
        noun: "SCP",
        a_noun: "an SCP",
        max_size: 10_240,
        in_bytes: false,
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
        in_bytes: false,
        max_per_target: 5,
        aws_default: Some("RCPFullAWSAccess"),
        default_detachable: false,
        affects_management_account: false,
        keeps_one: true,
        trusted_access: None,
        syntax: Syntax::Iam,
        source: "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 5,120 characters, 5 per root, OU or account; read 2026-11, rechecked 2026-12: the 2026-05-15 increase named SCPs only",
    },
    management(
        "AISERVICES_OPT_OUT_POLICY",
        "ai_opt_out",
        ("AI services opt-out policy", "an AI services opt-out policy"),
        (2_500, 5),
        "services",
        None,
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 2,500 characters, 5 per root, OU or account; read 2026-11, rechecked 2026-12",
    ),
    management(
        "TAG_POLICY",
        "tag",
        ("tag policy", "a tag policy"),
        (10_000, 10),
        "tags",
        None,
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters, 10 per root, OU or account; read 2026-11, rechecked 2026-12",
    ),
    management(
        "DECLARATIVE_POLICY_EC2",
        "ec2_declarative",
        ("EC2 declarative policy", "an EC2 declarative policy"),
        (10_000, 10),
        "ec2_attributes",
        // "Declarative policies: enabling trusted access", orgs_manage_policies_declarative.
        Some("declarative-policies.ec2.amazonaws.com"),
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters, 10 per root, OU or account; read 2026-11, rechecked 2026-12",
    ),
    management(
        "S3_POLICY",
        "s3",
        ("S3 policy", "an S3 policy"),
        (10_000, 10),
        "s3_attributes",
        None,
        "AWS's S3 policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_s3_syntax.html> (the document, all or none) and quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html> (declarative policies): 10,000 characters, 10 per root, OU or account; read 2026-12",
    ),
    management(
        "BACKUP_POLICY",
        "backup",
        ("backup policy", "a backup policy"),
        (10_000, 10),
        "plans",
        None,
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters, 10 per root, OU or account; read 2026-12",
    ),
    management(
        "CHATBOT_POLICY",
        "chatbot",
        ("chat applications policy", "a chat applications policy"),
        (10_000, 10),
        "chatbot",
        None,
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters for chat applications policies; 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
    management(
        "SECURITYHUB_POLICY",
        "securityhub",
        ("Security Hub policy", "a Security Hub policy"),
        (10_000, 10),
        "securityhub",
        None,
        "AWS's quotas page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>: 10,000 characters for Security Hub policies; 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
    management(
        "INSPECTOR_POLICY",
        "inspector",
        ("Inspector policy", "an Inspector policy"),
        (10_000, 10),
        "inspector",
        None,
        "AWS's Inspector policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inspector_syntax.html> (the `inspector` key); no figure of its own found: 10,000 characters, 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
    management(
        "GUARDDUTY_POLICY",
        "guardduty",
        ("GuardDuty policy", "a GuardDuty policy"),
        (10_000, 10),
        "guardduty",
        None,
        "AWS's GuardDuty policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_guardduty_syntax.html> (the `guardduty` key); no figure of its own found: 10,000 characters, 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
    management(
        "BEDROCK_POLICY",
        "bedrock",
        ("Bedrock policy", "a Bedrock policy"),
        (10_000, 10),
        "bedrock",
        None,
        "AWS's Bedrock policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_bedrock_syntax.html> (the `bedrock` key); no figure of its own found: 10,000 characters, 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
    TypeRules {
        in_bytes: true,
        ..management(
            "UPGRADE_ROLLOUT_POLICY",
            "upgrade_rollout",
            ("upgrade rollout policy", "an upgrade rollout policy"),
            (5_120, 10),
            "upgrade_rollout",
            None,
            "AWS's upgrade rollout policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_upgrade_syntax.html>: a maximum policy size of 5,120 bytes, counted in bytes; 10 per root, OU or account, as for the other management types; read 2026-12",
        )
    },
    management(
        "NETWORK_SECURITY_DIRECTOR_POLICY",
        "network_security_director",
        ("Network Security Director policy", "a Network Security Director policy"),
        (10_000, 10),
        "network_security_director",
        None,
        "AWS's Network Security Director policy syntax page <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_network_security_director_syntax.html> (the `network_security_director` key); no figure of its own found: 10,000 characters, 10 per root, OU or account, as for the other management types; read 2026-12",
    ),
];

impl PolicyType {
    pub const ALL: [PolicyType; 14] = [
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::AiOptOut,
        PolicyType::Tag,
        PolicyType::Ec2Declarative,
        PolicyType::S3,
        PolicyType::Backup,
        PolicyType::Chatbot,
        PolicyType::SecurityHub,
        PolicyType::Inspector,
        PolicyType::GuardDuty,
        PolicyType::Bedrock,
        PolicyType::UpgradeRollout,
        PolicyType::NetworkSecurityDirector,
    ];

    /// The types `[[management_policy]]` manages: those without a section of their own.
    pub const GENERIC: [PolicyType; 8] = [
        PolicyType::Backup,
        PolicyType::Chatbot,
        PolicyType::SecurityHub,
        PolicyType::Inspector,
        PolicyType::GuardDuty,
        PolicyType::Bedrock,
        PolicyType::UpgradeRollout,
        PolicyType::NetworkSecurityDirector,
    ];

    /// The type a baseline names by its short name (`backup`).
    pub fn from_key(key: &str) -> Option<PolicyType> {
        Self::ALL.into_iter().find(|t| t.rules().key == key)
    }

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
    /// A document's size as AWS counts it for this type: characters, or bytes.
    pub fn size_of(&self, content: &str) -> usize {
        if self.in_bytes {
            content.len()
        } else {
            content.chars().count()
        }
    }

    /// What the size counts: `characters` or `bytes`.
    pub fn unit(&self) -> &'static str {
        if self.in_bytes { "bytes" } else { "characters" }
    }

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

/// `[[management_policy]]`'s `type`: the short name of a management policy type without a
/// section of its own (`backup`, `securityhub`), checked while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManagementType(PolicyType);

impl ManagementType {
    pub fn get(self) -> PolicyType {
        self.0
    }

    /// The short names `type` accepts.
    pub fn keys() -> Vec<&'static str> {
        PolicyType::GENERIC.iter().map(|t| t.rules().key).collect()
    }
}

impl<'de> serde::Deserialize<'de> for ManagementType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        if let Some(t) = PolicyType::from_key(&key).filter(|t| PolicyType::GENERIC.contains(t)) {
            return Ok(ManagementType(t));
        }
        let section = match PolicyType::from_key(&key) {
            Some(PolicyType::Scp) => Some("`[scp]`"),
            Some(PolicyType::Rcp) => Some("`[rcp]`"),
            Some(PolicyType::AiOptOut) => Some("`[ai_opt_out]`"),
            Some(PolicyType::Tag) => Some("`[[tag_policy]]`"),
            Some(PolicyType::Ec2Declarative) => Some("`[ec2_declarative]`"),
            Some(PolicyType::S3) => Some("`[s3_policy]`"),
            _ => None,
        };
        let lower = key.to_ascii_lowercase();
        let near = ManagementType::keys()
            .into_iter()
            .map(|k| (strsim::jaro_winkler(k, &lower), k))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k);
        let hint = match (section, near) {
            (Some(section), _) => format!("{key} policies have a section of their own: {section}"),
            (None, Some(k)) => format!("did you mean `{k}`?"),
            (None, None) => format!(
                "use one of {}",
                ManagementType::keys()
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(serde::de::Error::custom(super::with_hint(
            format!("`{key}` is not a management policy type `[[management_policy]]` takes"),
            Some(hint),
        )))
    }
}

impl schemars::JsonSchema for ManagementType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ManagementType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "enum": ManagementType::keys() })
    }
}

impl std::fmt::Display for ManagementType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.rules().key)
    }
}

#[cfg(test)]
mod tests;
