//! Whose a resource is, told by its name and tags: plinth's (`managed-by=plinth`), or
//! another tool's. A sign of another tool always wins over plinth's tag, since anyone who
//! may tag a resource can add `managed-by=plinth` to it: a resource both carry is never
//! plinth's, so plinth never updates, detaches or deletes it.
//!
//! The signs, and why each is one (README, "Other tools' resources"):
//! - AWS Control Tower: names starting with `aws-guardrails-` (its SCPs) or
//!   `aws-controltower` (its trails, roles, topics, log groups and buckets), and its tag
//!   `aws-control-tower` (value `managed-by-control-tower`).
//! - CloudFormation (and so the CDK, SAM, StackSets and Service Catalog, which deploy
//!   through it): the `aws:cloudformation:*` tags it sets on what its stacks make
//!   (`stack-name`, `stack-id`, `logical-id`); the `aws:` prefix is reserved to AWS, so no
//!   one can set these by hand on AWS.
//! - Landing Zone Accelerator: its `Accelerator` tag (value `AWSAccelerator` by default).
//! - Terraform and OpenTofu set no tag of their own; their users' convention is
//!   `Terraform=true` (the terraform-aws-modules examples), so a `Terraform` tag whose
//!   value is not `false`.
//! - Any tool that labels what it manages: a `managed-by` key in any spelling
//!   (`ManagedBy`, `managed_by`, `Managed-By`, ...) whose value is not `plinth`
//!   (Pulumi, the CDK and Terraform users commonly set `ManagedBy=<tool>`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Tag key and value that mark what plinth created and may change or delete.
pub const OWNER_TAG_KEY: &str = "managed-by";
pub const OWNER_TAG_VALUE: &str = "plinth";

/// Another tool that manages a resource, and the sign plinth read it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherManager {
    /// The tool: `AWS Control Tower`, `CloudFormation stack `identity``.
    pub tool: String,
    /// What told plinth: `its name starts with `aws-guardrails-``, `tag `Accelerator``.
    pub sign: String,
    /// The resource carries `managed-by=plinth` too, which plinth ignores: a forged or
    /// mistaken claim, worth a warning.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plinth_tag: bool,
}

impl fmt::Display for OtherManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.tool, self.sign)
    }
}

impl OtherManager {
    fn new(tool: impl Into<String>, sign: impl Into<String>) -> OtherManager {
        OtherManager {
            tool: tool.into(),
            sign: sign.into(),
            plinth_tag: false,
        }
    }

    /// What a plan says about a resource that carries plinth's tag but this tool's sign.
    pub fn tag_ignored(&self, what: &str) -> String {
        format!(
            "{what} carries `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}`, but {self} manages it: plinth ignores the tag and never changes, detaches or deletes it; remove the tag"
        )
    }
}

/// Whose a resource is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ownership {
    /// plinth's: it carries `managed-by=plinth` and no sign of another tool.
    pub owned: bool,
    /// Another tool that manages it, whatever tag plinth's it carries.
    pub managed_by: Option<OtherManager>,
}

/// Whether tags carry plinth's own tag, exactly.
pub fn has_plinth_tag<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    tags.into_iter()
        .any(|(k, v)| k == OWNER_TAG_KEY && v == OWNER_TAG_VALUE)
}

/// Whose a resource of this name and these tags is: the one rule every adapter applies
/// where it reads tags, and every apply-time check of a retried create.
pub fn ownership<'a>(name: &str, tags: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Ownership {
    let tagged = has_plinth_tag(tags.clone());
    match other_manager(name, tags) {
        Some(mut other) => {
            other.plinth_tag = tagged;
            Ownership {
                owned: false,
                managed_by: Some(other),
            }
        }
        None => Ownership {
            owned: tagged,
            managed_by: None,
        },
    }
}

/// Another tool that manages a resource, told by its name or tags (the module's list).
/// plinth neither owns, adopts nor imports such a resource.
pub fn other_manager<'a>(name: &str, tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<OtherManager> {
    let tags: Vec<(&str, &str)> = tags.into_iter().collect();
    let find = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if let Some(stack) = find("aws:cloudformation:stack-name") {
        return Some(OtherManager::new(
            format!("CloudFormation stack `{}`", shown(stack)),
            "tag `aws:cloudformation:stack-name`",
        ));
    }
    if let Some((key, value)) = tags.iter().find(|(k, _)| k.starts_with("aws:cloudformation:")) {
        // `stack-id` is the stack's ARN: `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`.
        let stack = (*key == "aws:cloudformation:stack-id")
            .then(|| value.split('/').nth(1))
            .flatten()
            .map_or_else(
                || "CloudFormation".to_owned(),
                |n| format!("CloudFormation stack `{}`", shown(n)),
            );
        return Some(OtherManager::new(stack, format!("tag `{}`", shown(key))));
    }
    if find("aws-control-tower").is_some() {
        return Some(OtherManager::new("AWS Control Tower", "tag `aws-control-tower`"));
    }
    for prefix in ["aws-guardrails-", "aws-controltower"] {
        if name.starts_with(prefix) {
            return Some(OtherManager::new(
                "AWS Control Tower",
                format!("its name starts with `{prefix}`"),
            ));
        }
    }
    if let Some(value) = find("Accelerator") {
        return Some(OtherManager::new(
            "Landing Zone Accelerator",
            format!("tag `Accelerator={}`", shown(value)),
        ));
    }
    if let Some((key, value)) = tags
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("terraform") && !v.eq_ignore_ascii_case("false"))
    {
        return Some(OtherManager::new(
            "Terraform",
            format!("tag `{}={}`", shown(key), shown(value)),
        ));
    }
    if let Some((key, value)) = tags.iter().find(|(k, v)| {
        let key: String = k
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        key == "managedby" && !v.trim().is_empty() && !v.eq_ignore_ascii_case(OWNER_TAG_VALUE)
    }) {
        return Some(OtherManager::new(
            format!("`{}`", shown(value)),
            format!("tag `{}={}`", shown(key), shown(value)),
        ));
    }
    None
}

/// A live name or value as a plan shows it between backticks: what AWS allows in tags
/// (letters, digits, spaces and `_.:/=+-@`), anything else as `?`, at most 64 characters.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(64)
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect();
    if text.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(name: &str, tags: &[(&str, &str)]) -> Ownership {
        ownership(name, tags.iter().copied())
    }

    #[test]
    fn plinths_tag_alone_is_plinths() {
        assert_eq!(
            who("plinth-region-deny", &[("managed-by", "plinth")]),
            Ownership {
                owned: true,
                managed_by: None
            }
        );
        assert!(!who("plinth-region-deny", &[]).owned);
        // Only the exact key and value.
        assert!(!who("x", &[("Managed-By", "plinth")]).owned);
        assert!(!who("x", &[("managed-by", "Plinth")]).owned);
    }

    /// A resource's name, its tags, and who plinth says manages it.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

    #[test]
    fn every_sign_of_another_tool_wins_over_plinths_tag() {
        let cases: &[Case] = &[
            (
                "aws-guardrails-AbCdEf",
                &[],
                "AWS Control Tower (its name starts with `aws-guardrails-`)",
            ),
            (
                "aws-controltower-BaselineCloudTrail",
                &[],
                "AWS Control Tower (its name starts with `aws-controltower`)",
            ),
            (
                "x",
                &[("aws-control-tower", "managed-by-control-tower")],
                "AWS Control Tower (tag `aws-control-tower`)",
            ),
            (
                "x",
                &[("aws:cloudformation:stack-name", "guardrails")],
                "CloudFormation stack `guardrails` (tag `aws:cloudformation:stack-name`)",
            ),
            (
                "x",
                &[(
                    "aws:cloudformation:stack-id",
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/identity/1a2b",
                )],
                "CloudFormation stack `identity` (tag `aws:cloudformation:stack-id`)",
            ),
            (
                "x",
                &[("aws:cloudformation:logical-id", "Guardrail")],
                "CloudFormation (tag `aws:cloudformation:logical-id`)",
            ),
            (
                "x",
                &[("Accelerator", "AWSAccelerator")],
                "Landing Zone Accelerator (tag `Accelerator=AWSAccelerator`)",
            ),
            ("x", &[("Terraform", "true")], "Terraform (tag `Terraform=true`)"),
            ("x", &[("ManagedBy", "Pulumi")], "`Pulumi` (tag `ManagedBy=Pulumi`)"),
            (
                "x",
                &[("managed_by", "opentofu")],
                "`opentofu` (tag `managed_by=opentofu`)",
            ),
            (
                "x",
                &[("managed-by", "terraform")],
                "`terraform` (tag `managed-by=terraform`)",
            ),
        ];
        for (name, tags, expected) in cases {
            let mut with_plinth = tags.to_vec();
            with_plinth.push(("managed-by", "plinth"));
            for (tags, plinth_tag) in [(tags.to_vec(), false), (with_plinth, true)] {
                // `managed-by=terraform` and `managed-by=plinth` cannot both be on one resource.
                if plinth_tag && tags.iter().filter(|(k, _)| *k == "managed-by").count() > 1 {
                    continue;
                }
                let o = who(name, &tags);
                assert!(!o.owned, "{name} {tags:?}");
                let other = o.managed_by.unwrap_or_else(|| panic!("{name} {tags:?}"));
                assert_eq!(other.to_string(), *expected);
                assert_eq!(other.plinth_tag, plinth_tag, "{name} {tags:?}");
            }
        }
    }

    #[test]
    fn what_is_no_sign_of_another_tool() {
        for tags in [
            &[("ManagedBy", "plinth")][..],
            &[("Terraform", "false")],
            &[("ManagedBy", " ")],
            &[("Owner", "platform"), ("aws:createdBy", "someone")],
        ] {
            assert_eq!(who("plinth-x", tags).managed_by, None, "{tags:?}");
        }
    }

    #[test]
    fn live_text_is_shown_without_markup() {
        let o = who("x", &[("ManagedBy", "a`b\nc<d>")]).managed_by.unwrap();
        assert_eq!(o.tool, "`a?b?c?d?`");
        let long = "a".repeat(100);
        let o = who("x", &[("ManagedBy", long.as_str())]).managed_by.unwrap();
        assert_eq!(o.tool.chars().count(), 64 + 3);
    }
}
