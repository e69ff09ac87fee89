//! Rendering plans and apply reports. Renderers take only the plan (or report): they
//! never plan, read AWS or decide anything. What they show of the live organization goes
//! through [`escape`], one function per format. The helpers here return raw strings
//! (live values in them): their callers escape them.

pub mod blocked;
pub mod escape;
pub mod impact;
pub mod json;
pub mod markdown;
pub mod report;
pub mod text;

use serde_json::Value;

use crate::plan::{Action, Plan};
use crate::policy::diff::StatementDiff;

/// `3 to create, 1 to update, 2 to attach`, in a fixed order, omitting zeros.
pub fn summary_line(plan: &Plan) -> String {
    let counts = plan.summary();
    let parts: Vec<String> = Action::ALL
        .iter()
        .filter_map(|a| counts.get(a).map(|n| format!("{n} to {a}")))
        .collect();
    if parts.is_empty() {
        "no changes".into()
    } else {
        parts.join(", ")
    }
}

/// A statement's short description: `Deny NotAction(86) on *, when StringNotEquals, ArnNotLike`.
pub fn statement_summary(s: &Value) -> String {
    let effect = s.get("Effect").and_then(Value::as_str).unwrap_or("?");
    let count = |v: &Value| match v {
        Value::Array(a) if a.len() == 1 => a[0].as_str().unwrap_or("?").to_owned(),
        Value::Array(a) => format!("{} actions", a.len()),
        Value::String(s) => s.clone(),
        _ => "?".into(),
    };
    let what = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => count(a),
        (_, Some(n)) => format!("all but {}", count(n)),
        _ => "?".into(),
    };
    let resource = match s.get("Resource").or_else(|| s.get("NotResource")) {
        Some(Value::String(r)) => r.clone(),
        Some(Value::Array(a)) if a.len() == 1 => a[0].as_str().unwrap_or("?").to_owned(),
        Some(Value::Array(a)) => format!("{} resources", a.len()),
        _ => "*".into(),
    };
    let mut out = format!("{effect} {what} on {resource}");
    if let Some(Value::Object(c)) = s.get("Condition") {
        let ops: Vec<&str> = c.keys().map(String::as_str).collect();
        out.push_str(&format!(" when {}", ops.join(" and ")));
    }
    out
}

/// `key = value` lines for a created resource's settings (not for policy documents, which
/// are shown per statement): what a reviewer needs to see of a new alarm or trail.
pub fn settings_lines(after: &Value) -> Vec<String> {
    let Value::Object(map) = after else {
        return vec![];
    };
    if map.contains_key("Statement") {
        return vec![];
    }
    map.iter()
        .filter(|(k, _)| k.as_str() != "name")
        .map(|(k, v)| format!("{k} = {}", shown(Some(v))))
        .collect()
}

/// A setting's value as plans show it: strings bare, nothing as `none`, the rest as JSON.
fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => "none".into(),
        Some(other) => other.to_string(),
    }
}

/// `key: before -> after` lines for the settings an update changes (not for policy
/// documents, which are shown per statement).
pub fn changed_settings(before: &Value, after: &Value) -> Vec<String> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return vec![];
    };
    if a.contains_key("Statement") || b.contains_key("Statement") {
        return vec![];
    }
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: {} -> {}", shown(b.get(k)), shown(Some(v))))
        .collect()
}

/// Statements of a document, as a list.
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => vec![],
    }
}

/// The heading of one statement difference: `~ statement PlinthDenyOutsideAllowedRegions`.
pub fn statement_heading(d: &StatementDiff) -> String {
    let name = |sid: &Option<String>, s: &Value| sid.clone().unwrap_or_else(|| format!("({})", statement_summary(s)));
    match d {
        StatementDiff::Added { sid, after } => format!("+ statement {}", name(sid, after)),
        StatementDiff::Removed { sid, before } => format!("- statement {}", name(sid, before)),
        StatementDiff::Changed { sid, .. } => format!("~ statement {sid}"),
    }
}

/// Unified line diff of the pretty-printed statements, `-`/`+`/` ` prefixed.
pub fn statement_lines(d: &StatementDiff) -> Vec<String> {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match d {
        StatementDiff::Added { after, .. } => pretty(after).lines().map(|l| format!("+ {l}")).collect(),
        StatementDiff::Removed { before, .. } => pretty(before).lines().map(|l| format!("- {l}")).collect(),
        StatementDiff::Changed { before, after, .. } => {
            let (b, a) = (pretty(before), pretty(after));
            let diff = similar::TextDiff::from_lines(&b, &a);
            let mut out = Vec::new();
            for group in diff.grouped_ops(2) {
                for op in group {
                    for change in diff.iter_changes(&op) {
                        let sign = match change.tag() {
                            similar::ChangeTag::Delete => "-",
                            similar::ChangeTag::Insert => "+",
                            similar::ChangeTag::Equal => " ",
                        };
                        out.push(format!("{sign} {}", change.value().trim_end_matches('\n')));
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_of_created_resources_but_not_of_policies() {
        let alarm = json!({"name": "plinth-billing-x", "threshold": 100.0, "statistic": "Maximum", "kms": null});
        assert_eq!(
            settings_lines(&alarm),
            ["threshold = 100.0", "statistic = Maximum", "kms = none"]
        );
        assert!(settings_lines(&json!({"Version": "2012-10-17", "Statement": []})).is_empty());
        assert_eq!(
            changed_settings(
                &json!({"description": null, "session_duration": "PT12H", "relay_state": null}),
                &json!({"description": "Ops", "session_duration": "PT8H", "relay_state": null})
            ),
            ["description: none -> Ops", "session_duration: PT12H -> PT8H"]
        );
        assert!(changed_settings(&json!({"Statement": []}), &json!({"Statement": [1]})).is_empty());
    }
}
