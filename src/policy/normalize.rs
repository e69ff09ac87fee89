//! Semantic normalisation of IAM-style policy documents.
//!
//! Two documents that AWS evaluates the same must compare equal, or users get a
//! perpetual diff: object key order, a string versus a one-element list, whitespace,
//! duplicate or reordered list entries, and statement order are not differences.

use serde_json::{Map, Value};

/// Statement elements whose value may be a string or a list of strings, in any order.
const STRING_OR_LIST: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

/// The canonical form of a policy document.
pub fn canonical(doc: &Value) -> Value {
    let Value::Object(map) = doc else {
        return sort_keys(doc);
    };
    let mut out = Map::new();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for k in keys {
        let v = &map[k];
        let v = if k == "Statement" {
            let mut statements: Vec<Value> = match v {
                Value::Array(items) => items.iter().map(canonical_statement).collect(),
                other => vec![canonical_statement(other)],
            };
            statements.sort_by_key(|s| s.to_string());
            statements.dedup();
            Value::Array(statements)
        } else {
            sort_keys(v)
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

/// The canonical form of one statement.
pub fn canonical_statement(statement: &Value) -> Value {
    let Value::Object(map) = statement else {
        return sort_keys(statement);
    };
    let mut out = Map::new();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for k in keys {
        let v = &map[k];
        let v = if STRING_OR_LIST.contains(&k.as_str()) {
            string_set(v)
        } else if k == "Condition" || k == "Principal" || k == "NotPrincipal" {
            // `{operator: {key: string-or-list}}` and `{"AWS": string-or-list}`.
            canonical_nested_sets(v)
        } else {
            sort_keys(v)
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

/// Whether two documents mean the same.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

fn string_set(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::Array(vec![v.clone()]),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut items = items.clone();
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            items.dedup();
            Value::Array(items)
        }
        other => sort_keys(other),
    }
}

fn canonical_nested_sets(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                let inner = &map[k];
                let inner = match inner {
                    Value::Object(_) => canonical_nested_sets(inner),
                    other => string_set(other),
                };
                out.insert(k.clone(), inner);
            }
            Value::Object(out)
        }
        other => string_set(other),
    }
}

fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sort_keys(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_whitespace_and_string_vs_list_are_not_differences() {
        let a: Value = serde_json::from_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#,
        )
        .unwrap();
        let b: Value = serde_json::from_str(
            "{\n  \"Statement\": {\n    \"Resource\": [\"*\"],\n    \"Action\": [\"organizations:LeaveOrganization\"],\n    \"Effect\": \"Deny\"\n  },\n  \"Version\": \"2012-10-17\"\n}",
        )
        .unwrap();
        assert!(equivalent(&a, &b));
    }

    #[test]
    fn statement_and_list_order_are_not_differences() {
        let a = json!({"Statement":[
            {"Sid":"A","Effect":"Deny","Action":["s3:a","s3:b"],"Resource":"*"},
            {"Sid":"B","Effect":"Deny","Action":"ec2:x","Resource":"*",
             "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]});
        let b = json!({"Statement":[
            {"Sid":"B","Effect":"Deny","Action":"ec2:x","Resource":"*",
             "Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
            {"Sid":"A","Effect":"Deny","Action":["s3:b","s3:a"],"Resource":"*"}]});
        assert!(equivalent(&a, &b));
    }

    #[test]
    fn real_changes_are_differences() {
        let a = json!({"Statement":[{"Effect":"Deny","Action":"s3:a","Resource":"*"}]});
        for b in [
            json!({"Statement":[{"Effect":"Allow","Action":"s3:a","Resource":"*"}]}),
            json!({"Statement":[{"Effect":"Deny","Action":["s3:a","s3:b"],"Resource":"*"}]}),
            json!({"Statement":[{"Effect":"Deny","NotAction":"s3:a","Resource":"*"}]}),
            json!({"Statement":[{"Effect":"Deny","Action":"s3:a","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}),
        ] {
            assert!(!equivalent(&a, &b), "{b}");
        }
    }
}
