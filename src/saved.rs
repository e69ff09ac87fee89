//! Saved plans: `plinth plan --out plan.json` records the plan with fingerprints of the
//! baseline files and of the observed state it was computed from; `plinth apply
//! plan.json` plans afresh from the baseline and the live state, and applies that fresh
//! plan only if it equals the saved one change for change, op for op. Nothing read from
//! the file reaches an AWS call or chooses a client: the file is only ever compared
//! with, so an edited plan file can make plinth refuse, never write.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::baseline::Baseline;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::kinds::Observed;
use crate::plan::{Address, Change, Plan};

pub const FORMAT_VERSION: u32 = 1;

/// The plinth that writes and accepts saved plans: another version may plan differently.
pub const PLINTH_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    /// The plinth that made the plan.
    pub plinth_version: String,
    /// SHA-256 of each file the baseline reads (the TOML, SCP files, inline policies of
    /// permission sets), by path relative to the baseline's directory.
    pub baseline_files: BTreeMap<String, String>,
    /// SHA-256 of the observed state, canonicalised (independent of listing order).
    pub observed: String,
    pub allow_delete: bool,
    pub plan: Plan,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints of the baseline file and every file it reads, by path relative to the
/// baseline's directory (so `-f ./b.toml` and `-f b.toml` agree).
pub fn baseline_fingerprints(baseline: &Baseline) -> BTreeMap<String, String> {
    let dir = baseline.source.path.parent().unwrap_or(Path::new(""));
    let key = |p: &Path| p.strip_prefix(dir).unwrap_or(p).display().to_string();
    let mut out = BTreeMap::new();
    out.insert(key(&baseline.source.path), sha256(baseline.source.text.as_bytes()));
    for f in baseline.policy_files.values() {
        out.insert(key(&f.source.path), sha256(f.source.text.as_bytes()));
    }
    out
}

/// Every array sorted by the canonical text of its elements, recursively: the same
/// state listed in another order gives the same value.
fn canonical(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<(String, Value)> =
                items.into_iter().map(canonical).map(|v| (v.to_string(), v)).collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Array(items.into_iter().map(|(_, v)| v).collect())
        }
        Value::Object(map) => {
            let mut sorted: Vec<(String, Value)> = map.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(sorted.into_iter().collect())
        }
        other => other,
    }
}

/// A fingerprint of the observed state that does not depend on the order AWS lists things in.
pub fn observed_fingerprint(observed: &Observed) -> String {
    let value = crate::plan::value(observed);
    sha256(canonical(value).to_string().as_bytes())
}

/// A change as compared: its whole JSON form (op, ids, documents, regions, reason,
/// before and after) with its dependencies in a fixed order. The impact is left out: it
/// explains the change (an account joining a targeted OU since the review changes it),
/// while what apply does is the rest.
fn comparable(change: &Change) -> Value {
    let mut c = change.clone();
    c.depends_on.sort();
    c.impact = None;
    crate::plan::value(&c)
}

/// What `plinth apply PLAN_FILE` was told on its command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accept {
    /// `--allow-delete`: deletions are planned.
    pub allow_delete: bool,
    /// `--baseline-may-differ`: the baseline's files may differ from the plan's, if the
    /// plan made now is the saved one.
    pub baseline_may_differ: bool,
}

fn replan_hint() -> &'static str {
    "plan again with `plinth plan --out FILE`, review it, and apply that"
}

impl SavedPlan {
    pub fn new(baseline: &Baseline, observed: &Observed, allow_delete: bool, plan: Plan) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION,
            plinth_version: PLINTH_VERSION.into(),
            baseline_files: baseline_fingerprints(baseline),
            observed: observed_fingerprint(observed),
            allow_delete,
            plan,
        }
    }

    /// The saved plan's file: plain data, which always serialises (an empty file on a
    /// failure would be read back as a broken plan, not as the bug it is).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("saved plans are plain data and serialise") + "\n"
    }

    /// Read a saved plan, with a located error for a corrupted or truncated file, and
    /// refuse one made by another plinth version.
    pub fn load(path: &Path) -> Result<SavedPlan, Diagnostics> {
        let text = crate::diag::read_text(path).map_err(|e| {
            Diagnostic::error(format!("cannot read plan file `{}`", path.display()))
                .cause(e.to_string())
                .hint("make the plan again with `plinth plan --out FILE`")
        })?;
        let source = SourceFile::new(path, text);
        let value: Value = serde_json::from_str(&source.text).map_err(|e| {
            let at = source.offset_of(e.line(), e.column().max(1));
            Diagnostic::error(format!("plan file `{}` is corrupted or truncated", path.display()))
                .at(&source, at..at)
                .cause(e.to_string())
                .hint("make the plan again with `plinth plan --out FILE`")
        })?;
        let version = value.get("format_version").and_then(Value::as_u64);
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(Diagnostic::error(format!(
                "plan file `{}` is not a plinth saved plan of format {FORMAT_VERSION}",
                path.display()
            ))
            .cause(format!(
                "its `format_version` is {}",
                version.map_or("missing".into(), |v| v.to_string())
            ))
            .hint("make the plan again with this plinth: `plinth plan --out FILE`")
            .into());
        }
        let made_by = value.get("plinth_version").and_then(Value::as_str);
        if made_by != Some(PLINTH_VERSION) {
            return Err(Diagnostic::error(format!(
                "plan file `{}` was made by another version of plinth",
                path.display()
            ))
            .cause(format!(
                "it was made by plinth {}; this is plinth {PLINTH_VERSION}, which may plan differently",
                made_by.unwrap_or("(unknown)")
            ))
            .hint("plan again with this plinth (`plinth plan --out FILE`), review it, and apply that")
            .into());
        }
        serde_json::from_value(value).map_err(|e| {
            Diagnostic::error(format!("plan file `{}` is corrupted", path.display()))
                .cause(e.to_string())
                .hint("make the plan again with `plinth plan --out FILE`")
                .into()
        })
    }

    /// Refuse unless the baseline's files are the ones the plan was made from. Makes no
    /// AWS call, so a changed baseline is refused before plinth reads the organization.
    pub fn check_baseline(&self, baseline: &Baseline) -> Result<(), Diagnostics> {
        match self.baseline_changes(baseline) {
            None => Ok(()),
            Some(changed) => Err(Diagnostic::error("the baseline is not the one this plan was made from")
                .cause(changed)
                .hint(replan_hint())
                .into()),
        }
    }

    /// How the baseline's files differ from those the plan was made from, if they do.
    fn baseline_changes(&self, baseline: &Baseline) -> Option<String> {
        let files = baseline_fingerprints(baseline);
        if files == self.baseline_files {
            return None;
        }
        let mut changed: Vec<String> = Vec::new();
        for (path, sum) in &files {
            match self.baseline_files.get(path) {
                Some(old) if old == sum => {}
                Some(_) => changed.push(format!("`{path}` changed")),
                None => changed.push(format!("`{path}` is new to the baseline")),
            }
        }
        for path in self.baseline_files.keys().filter(|p| !files.contains_key(*p)) {
            changed.push(format!("`{path}` is no longer part of the baseline"));
        }
        Some(changed.join("; "))
    }

    /// The plan to apply: `fresh`, planned now from the baseline and the live state, if
    /// it equals the saved plan change for change and op for op; otherwise a refusal that
    /// names every change that differs. The saved changes are only compared with, never
    /// executed. The baseline's files must be those the plan was made from, unless
    /// `accept.baseline_may_differ`: then the comparison alone decides, since what is
    /// applied is the plan made now, which must equal the saved one all the same.
    pub fn verify(&self, baseline: &Baseline, fresh: Plan, accept: Accept) -> Result<Plan, Diagnostics> {
        let baseline_changes = self.baseline_changes(baseline);
        if !accept.baseline_may_differ {
            self.check_baseline(baseline)?;
        }
        // Each address's changes (one, unless a saved plan was edited) with the symbol of
        // the first, for the refusal: one pass over each plan, however long.
        let index = |plan: &Plan| -> BTreeMap<Address, (&'static str, Vec<Value>)> {
            let mut by_address: BTreeMap<Address, (&'static str, Vec<Value>)> = BTreeMap::new();
            for c in &plan.changes {
                let entry = by_address
                    .entry(c.address.clone())
                    .or_insert_with(|| (c.action.symbol(), Vec::new()));
                entry.1.push(comparable(c));
            }
            for (_, v) in by_address.values_mut() {
                v.sort_by_key(Value::to_string);
            }
            by_address
        };
        let (saved, now) = (index(&self.plan), index(&fresh));
        if saved == now {
            if let Some(changed) = baseline_changes {
                tracing::info!(
                    baseline = %changed,
                    "the baseline's files are not those the plan was made from, but the plan made now is the saved plan"
                );
            }
            return Ok(fresh);
        }
        let mut what = Vec::new();
        for (address, (symbol, changes)) in &now {
            match saved.get(address) {
                None => what.push(format!("now also `{symbol} {address}`")),
                Some((_, old)) if old != changes => what.push(format!("`{symbol} {address}` differs")),
                Some(_) => {}
            }
        }
        for (address, (symbol, _)) in saved.iter().filter(|(a, _)| !now.contains_key(*a)) {
            what.push(format!("no longer `{symbol} {address}`"));
        }
        let message = if baseline_changes.is_some() {
            "the baseline and perhaps the organization changed since this plan was made, or the plan file was edited"
        } else {
            "the organization changed since this plan was made, or the plan file was edited"
        };
        let mut d = Diagnostic::error(message).cause(format!("planning now gives: {}", what.join("; ")));
        if self.allow_delete && !accept.allow_delete {
            d = d.cause("the plan was made with `--allow-delete`; apply plans deletions only when given it too");
        }
        if let Some(changed) = baseline_changes {
            d = d.cause(format!(
                "the baseline's files are not those the plan was made from: {changed}"
            ));
        }
        Err(d.hint(replan_hint()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Op, OrganizationsOp, Ref};

    fn change(address: &str, deps: &[&str]) -> Change {
        Change::new(
            address.parse().unwrap(),
            Action::Attach,
            "the baseline attaches it",
            Op::Organizations(OrganizationsOp::AttachPolicy {
                policy: Ref::Id("p-1".into()),
                target: Ref::Id("r-1".into()),
            }),
        )
        .depends_on(deps.iter().map(|d| d.parse().unwrap()).collect())
    }

    #[test]
    fn canonical_ignores_listing_order_only() {
        let a = serde_json::json!({"b": [3, 1, {"x": [2, 1]}], "a": 1});
        let b = serde_json::json!({"a": 1, "b": [{"x": [1, 2]}, 1, 3]});
        assert_eq!(canonical(a.clone()), canonical(b));
        assert_ne!(canonical(a), canonical(serde_json::json!({"a": 1, "b": [1, 3]})));
    }

    #[test]
    fn comparison_ignores_change_and_dependency_order_but_not_content() {
        let saved = Plan {
            changes: vec![change("scp.a", &["scp.x", "scp.y"]), change("scp.b", &[])],
            ..Plan::default()
        };
        let reordered = Plan {
            changes: vec![change("scp.b", &[]), change("scp.a", &["scp.y", "scp.x"])],
            ..Plan::default()
        };
        let idx = |p: &Plan| {
            let mut v: Vec<Value> = p.changes.iter().map(comparable).collect();
            v.sort_by_key(Value::to_string);
            v
        };
        assert_eq!(idx(&saved), idx(&reordered));
        let mut other = reordered.clone();
        other.changes[1].depends_on.push("scp.z".parse().unwrap());
        assert_ne!(idx(&saved), idx(&other));
    }
}
