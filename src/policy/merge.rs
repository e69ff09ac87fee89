//! plinth's statements in a resource policy it shares with others (the trail's bucket,
//! its topics): put in by `Sid`, everyone else's kept. A `Deny` is never taken out, even
//! one under a `Sid` of plinth's: removing it would weaken the resource, so plinth's
//! statement of that `Sid` stays out instead, and the planner says so ([`denies_under`]).

use serde_json::Value;

/// Whether a statement denies.
pub fn is_deny(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Deny")
}

fn sid(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => vec![],
    }
}

/// The `Sid`s of ours that a live `Deny` statement uses: kept, so ours of that `Sid` is not put in.
pub fn denies_under(live: Option<&str>, ours: &[Value]) -> Vec<String> {
    let Some(doc) = live.and_then(|p| serde_json::from_str::<Value>(p).ok()) else {
        return vec![];
    };
    let mine: Vec<&str> = ours.iter().filter_map(sid).collect();
    statements(&doc)
        .iter()
        .filter(|s| is_deny(s))
        .filter_map(sid)
        .filter(|s| mine.contains(s))
        .map(str::to_owned)
        .collect()
}

/// A resource policy with our statements put in: an `Allow` with the same `Sid` as one of
/// ours is replaced, everyone else's statements are kept, and so is a `Deny` under one of
/// our `Sid`s (ours of that `Sid` then stays out). With no (or unreadable) live policy, a
/// new document of our statements.
pub fn merge_statements(live: Option<&str>, ours: &[Value]) -> Value {
    let sids: Vec<&str> = ours.iter().filter_map(sid).collect();
    match live.and_then(|p| serde_json::from_str::<Value>(p).ok()) {
        Some(mut doc) if doc.is_object() => {
            let mut kept = statements(&doc);
            kept.retain(|s| is_deny(s) || !sid(s).is_some_and(|sid| sids.contains(&sid)));
            let shadowed = denies_under(live, ours);
            kept.extend(
                ours.iter()
                    .filter(|o| !sid(o).is_some_and(|s| shadowed.iter().any(|d| d == s)))
                    .cloned(),
            );
            doc["Statement"] = Value::Array(kept);
            doc
        }
        _ => serde_json::json!({ "Version": "2012-10-17", "Statement": ours }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ours() -> Vec<Value> {
        vec![
            json!({"Sid": "PlinthA", "Effect": "Allow", "Action": "s3:PutObject"}),
            json!({"Sid": "PlinthB", "Effect": "Allow", "Action": "s3:GetBucketAcl"}),
        ]
    }

    #[test]
    fn ours_replace_our_allows_and_everyone_elses_statements_stay() {
        let live = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "PlinthA", "Effect": "Allow", "Action": "s3:*"},
            {"Sid": "Theirs", "Effect": "Allow", "Action": "s3:ListBucket"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket"}
        ]})
        .to_string();
        let merged = merge_statements(Some(&live), &ours());
        assert_eq!(
            merged["Statement"],
            json!([
                {"Sid": "Theirs", "Effect": "Allow", "Action": "s3:ListBucket"},
                {"Effect": "Deny", "Action": "s3:DeleteBucket"},
                {"Sid": "PlinthA", "Effect": "Allow", "Action": "s3:PutObject"},
                {"Sid": "PlinthB", "Effect": "Allow", "Action": "s3:GetBucketAcl"}
            ])
        );
        assert!(denies_under(Some(&live), &ours()).is_empty());
    }

    #[test]
    fn a_deny_under_one_of_our_sids_is_never_taken_out() {
        let deny = json!({"Sid": "PlinthA", "Effect": "Deny", "Principal": "*", "Action": "s3:*"});
        let live = json!({"Version": "2012-10-17", "Statement": [deny.clone()]}).to_string();
        let merged = merge_statements(Some(&live), &ours());
        assert_eq!(
            merged["Statement"],
            json!([deny, {"Sid": "PlinthB", "Effect": "Allow", "Action": "s3:GetBucketAcl"}])
        );
        assert_eq!(denies_under(Some(&live), &ours()), ["PlinthA"]);
    }
}
