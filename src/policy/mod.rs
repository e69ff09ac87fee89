//! Policy documents: how they are parsed and checked, minified, compared semantically,
//! merged and diffed. A leaf: it knows no baseline and no plan (the SCPs a baseline
//! generates are `baseline::scp`).

pub mod diff;
pub mod grants;
pub mod management;
mod merge;
pub mod normalize;

pub use merge::{denies_under, is_deny, merge_statements};

use serde_json::Value;

use crate::diag::{Diagnostic, SourceFile};
use crate::types::policy_types;

/// AWS's limit on an SCP document, in characters, as plinth knows it (`types::policy_types`
/// has every type's, with sources; a baseline's `[limits]` may enforce another).
pub const MAX_SCP_SIZE: usize = policy_types::PolicyType::Scp.rules().max_size;
/// AWS's limit on SCPs attached directly to one root, OU or account, as plinth knows it.
pub const MAX_SCPS_PER_TARGET: usize = policy_types::PolicyType::Scp.rules().max_per_target;

/// Minified JSON, as plinth stores policies.
pub fn minify(doc: &Value) -> String {
    serde_json::to_string(doc).expect("a JSON value always serialises")
}

/// What a policy document is for: the checks and the messages differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A service control policy.
    Scp,
    /// A resource control policy: IAM grammar, `Deny` only, `Principal` `*`.
    Rcp,
    /// An identity-based IAM policy, such as a permission set's inline policy.
    Identity,
    /// A management policy of an organization policy type (`@@assign` grammar).
    Management(policy_types::PolicyType),
}

impl From<policy_types::PolicyType> for PolicyKind {
    /// A document of an organization policy type: SCPs and RCPs by their own checks,
    /// every other type by the management policy grammar.
    fn from(policy_type: policy_types::PolicyType) -> PolicyKind {
        match policy_type {
            policy_types::PolicyType::Scp => PolicyKind::Scp,
            policy_types::PolicyType::Rcp => PolicyKind::Rcp,
            t => PolicyKind::Management(t),
        }
    }
}

impl PolicyKind {
    fn noun(self) -> &'static str {
        match self {
            PolicyKind::Scp => "SCP",
            PolicyKind::Rcp => "RCP",
            PolicyKind::Identity => "IAM policy",
            PolicyKind::Management(t) => t.rules().noun,
        }
    }

    fn shape(self) -> String {
        match self {
            PolicyKind::Management(t) => match t.rules().syntax {
                policy_types::Syntax::Management { top_key } => {
                    format!("{} is `{{\"{top_key}\": {{…: {{\"@@assign\": …}}}}}}`", t.rules().a_noun)
                }
                policy_types::Syntax::Iam => String::new(),
            },
            PolicyKind::Rcp => "an RCP is `{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": …}]}`".into(),
            _ => format!(
                "an {} is `{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": …, \"Action\" or \"NotAction\": …, \"Resource\": …}}]}}`",
                self.noun()
            ),
        }
    }
}

/// Whether two documents of a grammar mean the same.
pub fn equivalent(syntax: policy_types::Syntax, a: &Value, b: &Value) -> bool {
    match syntax {
        policy_types::Syntax::Iam => normalize::equivalent(a, b),
        policy_types::Syntax::Management { .. } => management::equivalent(a, b),
    }
}

/// What differs between two documents of a grammar: statement by statement (IAM) or
/// attribute by attribute (management policies).
pub fn diff(syntax: policy_types::Syntax, before: &Value, after: &Value) -> Vec<diff::StatementDiff> {
    match syntax {
        policy_types::Syntax::Iam => diff::diff(before, after),
        policy_types::Syntax::Management { .. } => management::diff(before, after),
    }
}

/// Parse a policy document file, reporting JSON errors at their line and column, and
/// check it has the structure AWS requires of that kind of policy.
pub fn parse_document(source: &SourceFile, kind: PolicyKind) -> Result<Value, Diagnostic> {
    let doc: Value = serde_json::from_str(&source.text).map_err(|e| {
        let at = source.offset_of(e.line(), e.column().max(1));
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        let d = Diagnostic::error(format!("policy file `{}` is not valid JSON", source.path.display()));
        // The offending line is shown only when it reads as text: a line with control
        // characters or of great length (an environment dump, a binary, a key file) is
        // named by its line and column alone.
        let line = source.text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        let readable = line.len() <= 400 && !line.chars().any(|c| c.is_control() && c != '\t');
        let d = match readable {
            true => d.at(source, at..at + 1).cause(msg),
            false => d.cause(format!(
                "{msg} at line {}, column {} (not shown: it does not read as text)",
                e.line(),
                e.column()
            )),
        };
        // Typographic quotes, as a word processor or a chat client writes them.
        let near = source
            .text
            .get(source.text.floor_char_boundary(at.saturating_sub(4))..)
            .unwrap_or("");
        if near.chars().take(8).any(|c| matches!(c, '“' | '”' | '‘' | '’')) {
            d.hint("JSON takes straight quotes `\"`; this file has typographic quotes (“ ”) here")
        } else {
            d
        }
    })?;
    check_document(&doc, kind).map_err(|problem| {
        Diagnostic::error(format!(
            "policy file `{}` is not a valid {}",
            source.path.display(),
            kind.noun()
        ))
        .at(source, locate(&source.text, &problem))
        .cause(problem)
        .hint(kind.shape())
    })?;
    Ok(doc)
}

/// Where in a policy file a structural problem is: the first name the problem quotes in
/// backticks that the file has exactly once as a JSON string (`"plans"`, `"@@asign"`);
/// else (the name is missing, or there twice and so ambiguous) the document's first
/// character.
fn locate(text: &str, problem: &str) -> std::ops::Range<usize> {
    problem
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| !name.is_empty())
        .find_map(|name| {
            let quoted = format!("\"{name}\"");
            let at = text.find(&quoted)?;
            (text.matches(&quoted).count() == 1).then_some(at..at + quoted.len())
        })
        .unwrap_or(0..1)
}

/// The structure AWS requires of an SCP.
pub fn check_scp_document(doc: &Value) -> Result<(), String> {
    check_document(doc, PolicyKind::Scp)
}

/// The structure AWS requires of a policy of this kind.
pub fn check_document(doc: &Value, kind: PolicyKind) -> Result<(), String> {
    if let PolicyKind::Management(t) = kind {
        return match t.rules().syntax {
            policy_types::Syntax::Management { top_key } => management::check(doc, top_key),
            policy_types::Syntax::Iam => check_document(doc, PolicyKind::Scp),
        };
    }
    let Value::Object(map) = doc else {
        return Err("the document is not a JSON object".into());
    };
    for key in map.keys() {
        if !matches!(key.as_str(), "Version" | "Statement" | "Id") {
            return Err(format!("unknown top-level element `{key}`"));
        }
    }
    match map.get("Version").and_then(Value::as_str) {
        Some("2012-10-17") => {}
        Some("2008-10-17") if kind == PolicyKind::Identity => {}
        Some(v) => return Err(format!("`Version` is `{v}`; {}s use `2012-10-17`", kind.noun())),
        None => return Err("`Version` is missing".into()),
    }
    let statements = match map.get("Statement") {
        Some(Value::Array(items)) if !items.is_empty() => items.iter().collect::<Vec<_>>(),
        Some(Value::Object(_)) => vec![&map["Statement"]],
        Some(_) => return Err("`Statement` must be a statement or a non-empty list of them".into()),
        None => return Err("`Statement` is missing".into()),
    };
    for (i, s) in statements.iter().enumerate() {
        let n = i + 1;
        let Value::Object(st) = s else {
            return Err(format!("statement {n} is not an object"));
        };
        for key in st.keys() {
            match key.as_str() {
                "NotAction" if kind == PolicyKind::Rcp => {
                    return Err(format!("statement {n}: RCPs do not support `NotAction`"));
                }
                "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource" | "Condition" => {}
                "Principal" if kind == PolicyKind::Rcp => {
                    if st[key] != Value::String("*".into()) {
                        return Err(format!(
                            "statement {n}: an RCP's `Principal` must be `\"*\"`; narrow it with conditions such as `aws:PrincipalOrgID`"
                        ));
                    }
                }
                "Principal" | "NotPrincipal" => {
                    return Err(format!("statement {n}: {}s cannot name a `{key}`", kind.noun()));
                }
                other => return Err(format!("statement {n}: unknown element `{other}`")),
            }
        }
        if kind == PolicyKind::Rcp {
            rcp_rules(st, n)?;
        }
        match st.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            Some(e) => return Err(format!("statement {n}: `Effect` is `{e}`, not `Allow` or `Deny`")),
            None => return Err(format!("statement {n}: `Effect` is missing")),
        }
        match (st.contains_key("Action"), st.contains_key("NotAction")) {
            (true, true) => return Err(format!("statement {n}: has both `Action` and `NotAction`")),
            (false, false) => return Err(format!("statement {n}: needs `Action` or `NotAction`")),
            _ => {}
        }
        for key in ["Action", "NotAction", "Resource", "NotResource"] {
            if let Some(v) = st.get(key) {
                let ok = v.is_string()
                    || v.as_array()
                        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
                if !ok {
                    return Err(format!(
                        "statement {n}: `{key}` must be a string or a non-empty list of strings"
                    ));
                }
            }
        }
        if let Some(c) = st.get("Condition")
            && !c.is_object()
        {
            return Err(format!("statement {n}: `Condition` must be an object"));
        }
    }
    Ok(())
}

/// What AWS requires of a customer managed RCP's statement beyond IAM grammar.
fn rcp_rules(st: &serde_json::Map<String, Value>, n: usize) -> Result<(), String> {
    if st.get("Effect").and_then(Value::as_str) == Some("Allow") {
        return Err(format!(
            "statement {n}: RCPs only deny (`RCPFullAWSAccess` is AWS's one allow); write `\"Effect\": \"Deny\"`"
        ));
    }
    if !st.contains_key("Principal") {
        return Err(format!("statement {n}: an RCP names `\"Principal\": \"*\"`"));
    }
    let actions: Vec<&str> = match st.get("Action") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if let Some(bad) = actions.iter().find(|a| !a.contains(':')) {
        return Err(format!(
            "statement {n}: an RCP's `Action` names service prefixes such as `s3:*`, not `{bad}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_structural_problem_points_at_the_name_it_quotes_when_the_file_has_it_once() {
        let text = "{\n  \"plans\": {\"nightly\": {}}\n}";
        let at = super::locate(
            text,
            "unknown top-level key `plans`; this policy type takes `securityhub`",
        );
        assert_eq!(&text[at], "\"plans\"");
        // Missing, or there twice: the start of the document.
        assert_eq!(super::locate(text, "`Version` is missing"), 0..1);
        let twice = "{\"a\": {\"Effect\": 1}, \"b\": {\"Effect\": 2}}";
        assert_eq!(super::locate(twice, "statement 2: `Effect` is not a string"), 0..1);
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn scp_structure_checks() {
        assert!(
            check_scp_document(&json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}))
                .is_ok()
        );
        let bad = [
            (json!([1]), "not a JSON object"),
            (json!({"Statement": []}), "`Version` is missing"),
            (
                json!({"Version": "2008-10-17", "Statement": []}),
                "SCPs use `2012-10-17`",
            ),
            (json!({"Version": "2012-10-17", "Statement": []}), "non-empty list"),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*"}]}),
                "not `Allow` or `Deny`",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}),
                "needs `Action` or `NotAction`",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Principal": "*"}]}),
                "cannot name a `Principal`",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": 3}]}),
                "`Action` must be",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Foo": 1}]}),
                "unknown element `Foo`",
            ),
        ];
        for (doc, expect) in bad {
            let e = check_scp_document(&doc).unwrap_err();
            assert!(e.contains(expect), "{doc}: {e}");
        }
    }

    #[test]
    fn rcp_rules_are_checked() {
        let ok = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*"], "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
        assert!(check_document(&ok, PolicyKind::Rcp).is_ok());
        let bad = [
            (
                json!({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
                "RCPs only deny",
            ),
            (
                json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
                "names `\"Principal\": \"*\"`",
            ),
            (
                json!({"Effect": "Deny", "Principal": {"AWS": "1"}, "Action": "s3:*", "Resource": "*"}),
                "must be `\"*\"`",
            ),
            (
                json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}),
                "service prefixes",
            ),
            (
                json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}),
                "do not support `NotAction`",
            ),
        ];
        for (statement, expect) in bad {
            let doc = json!({"Version": "2012-10-17", "Statement": [statement]});
            let e = check_document(&doc, PolicyKind::Rcp).unwrap_err();
            assert!(e.contains(expect), "{doc}: {e}");
        }
        // An SCP still cannot name a principal.
        assert!(
            check_scp_document(&ok)
                .unwrap_err()
                .contains("cannot name a `Principal`")
        );
    }
}
