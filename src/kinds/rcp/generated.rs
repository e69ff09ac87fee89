//! The RCPs plinth generates, after AWS's published data-perimeter examples
//! (<https://github.com/aws-samples/data-perimeter-policy-examples>, "resource_control_policies"):
//! requests only over TLS (`aws:SecureTransport`), and only principals of this
//! organization (`aws:PrincipalOrgID`) or AWS services acting for it
//! (`aws:PrincipalIsAWSService`), with named outside accounts excepted.

use serde::Deserialize;
use serde_json::{Value, json};

/// A service whose resources RCPs can protect, as its IAM prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RcpService {
    S3,
    Sts,
    Kms,
    Sqs,
    Secretsmanager,
    Ecr,
    Aoss,
}

impl RcpService {
    pub fn prefix(self) -> &'static str {
        match self {
            RcpService::S3 => "s3",
            RcpService::Sts => "sts",
            RcpService::Kms => "kms",
            RcpService::Sqs => "sqs",
            RcpService::Secretsmanager => "secretsmanager",
            RcpService::Ecr => "ecr",
            RcpService::Aoss => "aoss",
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<RcpService> {
        serde_json::from_value(Value::String(prefix.to_owned())).ok()
    }
}

/// The services the generated RCPs cover when the baseline names none: those RCPs
/// supported at launch, which hold most of an organization's data.
pub const DEFAULT_SERVICES: [RcpService; 5] = [
    RcpService::S3,
    RcpService::Sts,
    RcpService::Kms,
    RcpService::Sqs,
    RcpService::Secretsmanager,
];

/// STS actions a principal of another organization must not call on this one's roles.
/// `AssumeRoleWithSAML` and `AssumeRoleWithWebIdentity` stay open: identity providers
/// outside the organization federate through them, as in AWS's example.
const STS_ACTIONS: [&str; 7] = [
    "sts:AssumeRole",
    "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "sts:SetContext",
];

fn all_actions(services: &[RcpService]) -> Vec<String> {
    let mut out: Vec<String> = services.iter().map(|s| format!("{}:*", s.prefix())).collect();
    out.sort();
    out.dedup();
    out
}

/// Deny every request to these services' resources that does not come over TLS.
pub fn enforce_tls(services: &[RcpService]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EnforceSecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": all_actions(services),
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}
        }]
    })
}

/// Deny requests to these services' resources from principals outside the organization,
/// except AWS services and the trusted accounts.
pub fn org_only(services: &[RcpService], organization_id: &str, trusted_accounts: &[String]) -> Value {
    let mut actions: Vec<String> = Vec::new();
    for s in services {
        if *s == RcpService::Sts {
            actions.extend(STS_ACTIONS.iter().map(|a| (*a).to_owned()));
        } else {
            actions.push(format!("{}:*", s.prefix()));
        }
    }
    actions.sort();
    actions.dedup();
    let mut not_equals = json!({"aws:PrincipalOrgID": organization_id});
    if !trusted_accounts.is_empty() {
        not_equals["aws:PrincipalAccount"] = json!(trusted_accounts);
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EnforceOrgIdentities",
            "Effect": "Deny",
            "Principal": "*",
            "Action": actions,
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": not_equals,
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
            }
        }]
    })
}

/// The services a generated RCP's actions name, read back for `plinth import`.
pub fn services_of(document: &Value) -> Vec<RcpService> {
    let mut out: Vec<RcpService> = Vec::new();
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    for s in statements {
        let actions: Vec<String> = match &s["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => vec![],
        };
        for a in actions {
            if let Some(svc) = a.split(':').next().and_then(RcpService::from_prefix) {
                out.push(svc);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyKind, check_document};

    #[test]
    fn generated_rcps_follow_the_rcp_grammar() {
        let tls = enforce_tls(&DEFAULT_SERVICES);
        check_document(&tls, PolicyKind::Rcp).unwrap();
        assert_eq!(tls["Statement"][0]["Action"], json!(["kms:*", "s3:*", "secretsmanager:*", "sqs:*", "sts:*"]));
        let org = org_only(&DEFAULT_SERVICES, "o-abc", &["999999999999".into()]);
        check_document(&org, PolicyKind::Rcp).unwrap();
        let cond = &org["Statement"][0]["Condition"];
        assert_eq!(cond["StringNotEqualsIfExists"]["aws:PrincipalOrgID"], "o-abc");
        assert_eq!(cond["StringNotEqualsIfExists"]["aws:PrincipalAccount"], json!(["999999999999"]));
        assert_eq!(cond["BoolIfExists"]["aws:PrincipalIsAWSService"], "false");
        let actions = org["Statement"][0]["Action"].as_array().unwrap();
        assert!(actions.contains(&json!("sts:AssumeRole")));
        assert!(!actions.contains(&json!("sts:*")), "federation through SAML and web identity stays open");
        assert!(!actions.contains(&json!("sts:AssumeRoleWithSAML")));
        let none = org_only(&[RcpService::S3], "o-abc", &[]);
        assert!(none["Statement"][0]["Condition"]["StringNotEqualsIfExists"].get("aws:PrincipalAccount").is_none());
    }

    #[test]
    fn services_read_back_from_a_generated_rcp() {
        assert_eq!(services_of(&enforce_tls(&[RcpService::Kms, RcpService::S3])), [RcpService::S3, RcpService::Kms]);
        assert_eq!(services_of(&org_only(&DEFAULT_SERVICES, "o-x", &[])), {
            let mut d = DEFAULT_SERVICES.to_vec();
            d.sort();
            d
        });
    }
}
