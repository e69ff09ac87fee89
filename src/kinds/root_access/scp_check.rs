//! Would the baseline's own SCPs stop plinth's root sessions? An `AssumeRoot` session acts
//! as the member account's root user, and SCPs apply to it: a Deny of the IAM actions the
//! audit and delete tasks call, with no condition to except the root user, makes them fail.

use serde_json::Value;

/// What the audit and delete tasks call in a member account.
pub const TASK_ACTIONS: &[&str] = &[
    "iam:GetLoginProfile",
    "iam:ListAccessKeys",
    "iam:ListSigningCertificates",
    "iam:ListMFADevices",
    "iam:DeleteLoginProfile",
    "iam:DeleteAccessKey",
    "iam:DeleteSigningCertificate",
    "iam:DeactivateMFADevice",
];

/// An IAM action pattern (`iam:*`, `iam:Delete*`, `*`) matching an action, case-insensitively.
/// Linear in the pattern's length whatever its stars (a policy file is the user's input).
fn matches(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut i, mut j) = (0, 0);
    // Where the last star was, and the action position it has been matched up to.
    let mut star: Option<(usize, usize)> = None;
    while j < a.len() {
        match p.get(i) {
            Some(b'*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&a[j]) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                // The last star takes one more character, and matching goes on after it.
                Some((si, sj)) => {
                    star = Some((si, sj + 1));
                    i = si + 1;
                    j = sj + 1;
                }
                None => return false,
            },
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The task actions an SCP document denies without condition (a conditional Deny may
/// except the root user or not apply; plinth does not guess).
pub fn blocked_actions(document: &Value) -> Vec<&'static str> {
    let statements: Vec<&Value> = match &document["Statement"] {
        Value::Array(a) => a.iter().collect(),
        s @ Value::Object(_) => vec![s],
        _ => vec![],
    };
    let mut out = Vec::new();
    for s in statements {
        if s["Effect"] != "Deny" || s.get("Condition").is_some_and(|c| c.as_object().is_some_and(|o| !o.is_empty())) {
            continue;
        }
        for &action in TASK_ACTIONS {
            let denied = match (s.get("Action"), s.get("NotAction")) {
                (Some(a), _) => strings(a).iter().any(|p| matches(p, action)),
                (None, Some(n)) => !strings(n).iter().any(|p| matches(p, action)),
                _ => false,
            };
            if denied && !out.contains(&action) {
                out.push(action);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_and_not_action_are_understood() {
        assert!(matches("iam:*", "iam:DeleteAccessKey"));
        assert!(matches("IAM:delete*", "iam:DeleteAccessKey"));
        assert!(matches("*", "iam:ListMFADevices"));
        assert!(!matches("iam:Create*", "iam:DeleteAccessKey"));
        assert!(matches("iam:*Access?ey", "iam:DeleteAccessKey"));
        assert!(!matches("iam:*Key*x", "iam:DeleteAccessKey"));
        assert!(matches("", "") && !matches("", "iam:X") && matches("**", ""));
        // A pattern of thousands of stars is answered at once, not by backtracking.
        let stars = "*".repeat(5000) + "x";
        assert!(!matches(&stars, "iam:DeleteLoginProfile"));
        let deny_iam = json!({"Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]});
        assert_eq!(
            blocked_actions(&deny_iam),
            ["iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate"]
        );
        let not_action = json!({"Statement": {"Effect": "Deny", "NotAction": ["iam:List*", "iam:Get*"], "Resource": "*"}});
        assert_eq!(
            blocked_actions(&not_action),
            ["iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeactivateMFADevice"]
        );
    }

    #[test]
    fn conditional_and_allow_statements_are_not_blocks() {
        let excepted = json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]});
        assert!(blocked_actions(&excepted).is_empty());
        let allow = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        assert!(blocked_actions(&allow).is_empty());
        let other = json!({"Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]});
        assert!(blocked_actions(&other).is_empty());
    }
}
