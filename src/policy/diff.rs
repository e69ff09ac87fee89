//! Statement-level differences between two policy documents, for plans people review.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::normalize::{canonical, canonical_statement};

/// How one statement differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum StatementDiff {
    Added { sid: Option<String>, after: Value },
    Removed { sid: Option<String>, before: Value },
    Changed { sid: String, before: Value, after: Value },
}

fn statements(doc: &Value) -> Vec<Value> {
    match canonical(doc).get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![canonical_statement(other)],
        None => Vec::new(),
    }
}

fn sid(s: &Value) -> Option<String> {
    s.get("Sid").and_then(Value::as_str).map(str::to_owned)
}

/// Statements added, removed or changed from `before` to `after`. Statements with the
/// same `Sid` are paired; statements without one are matched by content.
pub fn diff(before: &Value, after: &Value) -> Vec<StatementDiff> {
    let old = statements(before);
    let new = statements(after);
    let mut out = Vec::new();
    for b in &old {
        let s = sid(b);
        let partner = match &s {
            Some(id) => new.iter().find(|a| sid(a).as_deref() == Some(id)),
            None => new.iter().find(|a| *a == b),
        };
        match partner {
            Some(a) if a == b => {}
            Some(a) => out.push(StatementDiff::Changed {
                sid: s.unwrap_or_default(),
                before: b.clone(),
                after: a.clone(),
            }),
            None => out.push(StatementDiff::Removed {
                sid: s,
                before: b.clone(),
            }),
        }
    }
    for a in &new {
        let s = sid(a);
        let has_partner = match &s {
            Some(id) => old.iter().any(|b| sid(b).as_deref() == Some(id)),
            None => old.iter().any(|b| b == a),
        };
        if !has_partner {
            out.push(StatementDiff::Added {
                sid: s,
                after: a.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_by_sid_and_reports_each_kind() {
        let before = json!({"Statement":[
            {"Sid":"Keep","Effect":"Deny","Action":"a:x","Resource":"*"},
            {"Sid":"Edit","Effect":"Deny","Action":"a:y","Resource":"*"},
            {"Sid":"Gone","Effect":"Deny","Action":"a:z","Resource":"*"}]});
        let after = json!({"Statement":[
            {"Sid":"Keep","Effect":"Deny","Action":["a:x"],"Resource":"*"},
            {"Sid":"Edit","Effect":"Deny","Action":["a:y","a:w"],"Resource":"*"},
            {"Effect":"Deny","Action":"b:q","Resource":"*"}]});
        let d = diff(&before, &after);
        assert_eq!(d.len(), 3, "{d:#?}");
        assert!(matches!(&d[0], StatementDiff::Changed { sid, .. } if sid == "Edit"));
        assert!(matches!(&d[1], StatementDiff::Removed { sid: Some(s), .. } if s == "Gone"));
        assert!(matches!(&d[2], StatementDiff::Added { sid: None, .. }));
    }

    #[test]
    fn equivalent_documents_have_no_diff() {
        let a = json!({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"a:x","Resource":"*"}});
        let b = json!({"Statement":[{"Resource":["*"],"Action":["a:x"],"Effect":"Deny"}],"Version":"2012-10-17"});
        assert!(diff(&a, &b).is_empty());
    }
}
