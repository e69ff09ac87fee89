//! Management policies (AI services opt-out, tag, EC2 declarative): the `@@assign`
//! grammar, checked, compared semantically and diffed by attribute.
//!
//! The value operators (`@@assign`, `@@append`, `@@remove`) take a string or a list whose
//! order AWS ignores, and `@@operators_allowed_for_child_policies` is a set too, so lists
//! of strings compare as sets; key order and whitespace never matter.

use serde_json::{Map, Value};

use super::diff::StatementDiff;

/// Keys AWS's management policy grammar gives meaning to.
const OPERATORS: &[&str] = &[
    "@@assign",
    "@@append",
    "@@remove",
    "@@operators_allowed_for_child_policies",
    "@@enforced_for",
];

/// The canonical form: keys sorted, lists of strings sorted and deduplicated.
pub fn canonical(doc: &Value) -> Value {
    match doc {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canonical(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut items = items.clone();
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            items.dedup();
            Value::Array(items)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Whether two management policies mean the same.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

/// The structure every management policy of a type has: one JSON object under the
/// type's fixed top-level key, operators only where the grammar allows them.
pub fn check(doc: &Value, top_key: &str) -> Result<(), String> {
    let Value::Object(map) = doc else {
        return Err("the document is not a JSON object".into());
    };
    for key in map.keys() {
        if key != top_key {
            return Err(format!(
                "unknown top-level key `{key}`; this policy type takes `{top_key}`"
            ));
        }
    }
    match map.get(top_key) {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(format!("`{top_key}` must be an object")),
        None => return Err(format!("`{top_key}` is missing")),
    }
    check_operators(&map[top_key], top_key)
}

fn check_operators(v: &Value, path: &str) -> Result<(), String> {
    let Value::Object(map) = v else {
        return Ok(());
    };
    for (k, inner) in map {
        let here = format!("{path}.{k}");
        if let Some(op) = k.strip_prefix("@@") {
            if !OPERATORS.contains(&k.as_str()) {
                return Err(format!("`{here}`: `@@{op}` is not an operator of management policies"));
            }
            let ok = inner.is_string() || inner.as_array().is_some_and(|a| a.iter().all(Value::is_string));
            if !ok {
                return Err(format!("`{here}` must be a string or a list of strings"));
            }
        } else {
            check_operators(inner, &here)?;
        }
    }
    Ok(())
}

/// What differs, one entry per attribute (the second level: `ec2_attributes.serial_console_access`),
/// in the plan's statement-diff shape with the attribute's path as its `sid`.
pub fn diff(before: &Value, after: &Value) -> Vec<StatementDiff> {
    let attributes = |doc: &Value| -> Vec<(String, Value)> {
        let mut out = Vec::new();
        if let Value::Object(top) = canonical(doc) {
            for (k, v) in top {
                match v {
                    Value::Object(inner) => {
                        out.extend(inner.into_iter().map(|(a, val)| (format!("{k}.{a}"), val)));
                    }
                    other => out.push((k, other)),
                }
            }
        }
        out
    };
    let old = attributes(before);
    let new = attributes(after);
    let mut out = Vec::new();
    for (path, b) in &old {
        match new.iter().find(|(p, _)| p == path) {
            Some((_, a)) if a == b => {}
            Some((_, a)) => out.push(StatementDiff::Changed {
                sid: path.clone(),
                before: b.clone(),
                after: a.clone(),
            }),
            None => out.push(StatementDiff::Removed {
                sid: Some(path.clone()),
                before: b.clone(),
            }),
        }
    }
    for (path, a) in &new {
        if !old.iter().any(|(p, _)| p == path) {
            out.push(StatementDiff::Added {
                sid: Some(path.clone()),
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
    fn key_and_list_order_are_not_differences() {
        let a = json!({"tags": {"cc": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["1", "2"]}}}});
        let b = json!({"tags": {"cc": {"tag_value": {"@@assign": ["2", "1", "2"]}, "tag_key": {"@@assign": "CostCenter"}}}});
        assert!(equivalent(&a, &b));
        let c = json!({"tags": {"cc": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["1"]}}}});
        assert!(!equivalent(&a, &c));
    }

    #[test]
    fn diff_names_each_attribute_that_changed() {
        let a = json!({"ec2_attributes": {
            "serial_console_access": {"status": {"@@assign": "disabled"}},
            "image_block_public_access": {"state": {"@@assign": "block_new_sharing"}}}});
        let b = json!({"ec2_attributes": {
            "serial_console_access": {"status": {"@@assign": "enabled"}},
            "snapshot_block_public_access": {"state": {"@@assign": "block_all_sharing"}}}});
        let d = diff(&a, &b);
        let names: Vec<String> = d
            .iter()
            .map(|x| match x {
                StatementDiff::Changed { sid, .. } => format!("~{sid}"),
                StatementDiff::Removed { sid, .. } => format!("-{}", sid.clone().unwrap_or_default()),
                StatementDiff::Added { sid, .. } => format!("+{}", sid.clone().unwrap_or_default()),
            })
            .collect();
        assert_eq!(
            names,
            [
                "-ec2_attributes.image_block_public_access",
                "~ec2_attributes.serial_console_access",
                "+ec2_attributes.snapshot_block_public_access"
            ]
        );
    }

    #[test]
    fn structure_is_checked() {
        assert!(check(&json!({"tags": {}}), "tags").is_ok());
        assert!(
            check(&json!({"services": {}}), "tags")
                .unwrap_err()
                .contains("unknown top-level key `services`")
        );
        assert!(check(&json!([]), "tags").unwrap_err().contains("not a JSON object"));
        assert!(
            check(&json!({"tags": {"x": {"@@asign": "a"}}}), "tags")
                .unwrap_err()
                .contains("`@@asign` is not an operator")
        );
        assert!(
            check(&json!({"tags": {"x": {"@@assign": {"a": 1}}}}), "tags")
                .unwrap_err()
                .contains("string or a list")
        );
    }
}
