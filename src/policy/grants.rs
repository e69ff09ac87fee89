//! What a resource policy's statements grant, compared grant by grant rather than by
//! `Sid`: a live statement that allows exactly what one of plinth's would (written by
//! hand from AWS's guide, under AWS's `Sid`s) is recognised, so plinth adds no duplicate.
//!
//! A statement is read as its grants: one principal, one action, one resource, under the
//! statement's whole `Condition` block. Principals, actions and resources are sets (a
//! string or a list, in any order); action names and condition keys are case-insensitive
//! (`SNS:Publish` is `sns:Publish`, `AWS:SourceArn` is `aws:SourceArn`), as IAM evaluates
//! them; `"*"` and `{"AWS": "*"}` are the same principal, and so are an account id and its
//! `root` ARN. A statement with `NotAction`, `NotResource` or `NotPrincipal`, a `Deny`,
//! or one that is not plain strings is never read as grants: it matches nothing.
//!
//! One of ours is recognised when the live policy has no statement under its `Sid` (plinth
//! keeps its own statements as they are today) and the live `Allow` statements that grant
//! nothing beyond what ours grant, between them, grant each of its grants. So AWS's
//! guide, which may list two log paths in one statement, matches plinth's two; a live
//! statement that grants more (a wider resource, another action, a missing condition) or
//! less is someone else's, and plinth's own statement is added beside it as before.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// One thing a statement allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    principal: String,
    action: String,
    resource: String,
    /// The statement's `Condition` block in canonical form (JSON text), `""` for none.
    condition: String,
}

fn sid(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => vec![],
    }
}

/// A string or a non-empty list of strings, as a list.
fn strings(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// `*`, `AWS:<arn>`, `Service:<name>`, … for each principal the element names.
fn principals(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) if s == "*" => Some(vec!["*".into()]),
        Value::Object(map) if !map.is_empty() => {
            let mut out = Vec::new();
            for (kind, names) in map {
                for name in strings(names)? {
                    out.push(match (kind.as_str(), name) {
                        ("AWS", "*") => "*".to_owned(),
                        // An account id is that account's root ARN.
                        ("AWS", id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
                            format!("AWS:arn:aws:iam::{id}:root")
                        }
                        (kind, name) => format!("{kind}:{name}"),
                    });
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// A `Condition` block with its keys lower-cased and each value a sorted set of strings.
fn condition(v: Option<&Value>) -> Option<String> {
    let Some(v) = v else {
        return Some(String::new());
    };
    let Value::Object(operators) = v else {
        return None;
    };
    let mut out = Map::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else {
            return None;
        };
        let mut inner = Map::new();
        for (key, values) in keys {
            let values = match values {
                Value::Array(items) => items.iter().map(scalar).collect::<Option<BTreeSet<_>>>()?,
                other => BTreeSet::from([scalar(other)?]),
            };
            let values = values.into_iter().map(Value::String).collect();
            if inner.insert(key.to_ascii_lowercase(), Value::Array(values)).is_some() {
                return None; // the same key twice in other cases: not read
            }
        }
        out.insert(operator.clone(), Value::Object(inner));
    }
    // `serde_json`'s map keeps keys sorted, so the text is canonical.
    Some(Value::Object(out).to_string())
}

/// A condition value as IAM compares it: `true` and `"true"` are the same.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// At most so many grants are read from one statement: a statement naming more
/// principals × actions × resources than this is not read (it matches nothing, and
/// plinth's own statement is added beside it), so a crafted live policy costs little.
const MAX_GRANTS: usize = 1024;

/// Every grant of an `Allow` statement, or `None` when it cannot be read as grants, names
/// more than [`MAX_GRANTS`], or (with `within`) grants anything outside `within`: that
/// check is made grant by grant, so a live statement is dropped at its first foreign grant.
fn grants(statement: &Value, within: Option<&BTreeSet<Grant>>) -> Option<BTreeSet<Grant>> {
    let Value::Object(map) = statement else {
        return None;
    };
    let known = ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"];
    if map.keys().any(|k| !known.contains(&k.as_str())) || map.get("Effect")?.as_str()? != "Allow" {
        return None;
    }
    let principals: BTreeSet<String> = principals(map.get("Principal")?)?.into_iter().collect();
    let actions: BTreeSet<String> = strings(map.get("Action")?)?
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let resources: BTreeSet<&str> = strings(map.get("Resource")?)?.into_iter().collect();
    let count = principals
        .len()
        .checked_mul(actions.len())?
        .checked_mul(resources.len())?;
    if count > MAX_GRANTS {
        return None;
    }
    let condition = condition(map.get("Condition"))?;
    let mut out = BTreeSet::new();
    for principal in &principals {
        for action in &actions {
            for resource in &resources {
                let grant = Grant {
                    principal: principal.clone(),
                    action: action.clone(),
                    resource: (*resource).to_owned(),
                    condition: condition.clone(),
                };
                if within.is_some_and(|w| !w.contains(&grant)) {
                    return None;
                }
                out.insert(grant);
            }
        }
    }
    Some(out)
}

/// Which of `ours` the live policy already grants under other `Sid`s (see the module's
/// documentation), by index into `ours`. Nothing for a missing or unreadable policy.
pub fn recognised(live: Option<&str>, ours: &[Value]) -> Vec<usize> {
    let Some(doc) = live.and_then(|p| serde_json::from_str::<Value>(p).ok()) else {
        return vec![];
    };
    let live = statements(&doc);
    let our_sids: BTreeSet<&str> = ours.iter().filter_map(sid).collect();
    let all_ours: BTreeSet<Grant> = ours.iter().filter_map(|s| grants(s, None)).flatten().collect();
    // Live allows that grant nothing but what ours grant, under none of our Sids.
    let granted: BTreeSet<Grant> = live
        .iter()
        .filter(|s| !sid(s).is_some_and(|s| our_sids.contains(s)))
        .filter_map(|s| grants(s, Some(&all_ours)))
        .flatten()
        .collect();
    ours.iter()
        .enumerate()
        .filter(|(_, s)| !live.iter().any(|l| sid(l).is_some() && sid(l) == sid(s)))
        .filter(|(_, s)| grants(s, None).is_some_and(|g| g.is_subset(&granted)))
        .map(|(i, _)| i)
        .collect()
}

/// `ours` without those the live policy already grants, and the `Sid`s of those left out.
pub fn not_yet_granted(live: Option<&str>, ours: &[Value]) -> (Vec<Value>, Vec<String>) {
    let skip = recognised(live, ours);
    let mut keep = Vec::new();
    let mut left_out = Vec::new();
    for (i, s) in ours.iter().enumerate() {
        if skip.contains(&i) {
            left_out.push(sid(s).unwrap_or_default().to_owned());
        } else {
            keep.push(s.clone());
        }
    }
    (keep, left_out)
}

#[cfg(test)]
mod tests;
