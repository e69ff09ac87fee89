//! Saved plans: `plinth plan --out plan.json` records the plan with fingerprints of the
//! baseline files and of the observed state it was computed from; `plinth apply
//! plan.json` applies exactly that plan, and refuses, saying what changed, when either
//! fingerprint differs now. This is how a plan reviewed in a pull request is the plan
//! that gets applied.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::baseline::Baseline;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::observed::Observed;
use crate::plan::Plan;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    /// The plinth that made the plan.
    pub plinth_version: String,
    /// SHA-256 of each baseline file (the TOML and its policy files), by path.
    pub baseline_files: BTreeMap<String, String>,
    /// SHA-256 of the observed state, canonicalised.
    pub observed: String,
    pub allow_delete: bool,
    pub plan: Plan,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints of the baseline file and every policy file it reads, by path relative
/// to the baseline's directory (so `-f ./b.toml` and `-f b.toml` agree).
pub fn baseline_fingerprints(baseline: &Baseline) -> BTreeMap<String, String> {
    let dir = baseline.source.path.parent().unwrap_or(Path::new(""));
    let key = |p: &Path| p.strip_prefix(dir).unwrap_or(p).display().to_string();
    let mut out = BTreeMap::new();
    out.insert(key(&baseline.source.path), sha256(baseline.source.text.as_bytes()));
    for f in &baseline.custom_documents {
        out.insert(key(&f.source.path), sha256(f.source.text.as_bytes()));
    }
    out
}

/// A fingerprint of the observed state that does not depend on the order AWS lists things in.
pub fn observed_fingerprint(observed: &Observed) -> String {
    let mut o = observed.clone();
    o.org.accounts.sort_by(|a, b| a.id.cmp(&b.id));
    o.org.ous.sort_by(|a, b| a.path.cmp(&b.path));
    o.org.scps.sort_by(|a, b| a.id.cmp(&b.id));
    for p in &mut o.org.scps {
        p.targets.sort();
    }
    for ids in o.org.attached.values_mut() {
        ids.sort();
    }
    o.billing.alarms.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    for topic in [&mut o.billing.topic, &mut o.trail.alert_topic].into_iter().flatten() {
        topic
            .subscriptions
            .sort_by(|a, b| (&a.protocol, &a.endpoint).cmp(&(&b.protocol, &b.endpoint)));
    }
    sha256(serde_json::to_string(&o).expect("observed state serialises").as_bytes())
}

impl SavedPlan {
    pub fn new(baseline: &Baseline, observed: &Observed, allow_delete: bool, plan: Plan) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION,
            plinth_version: env!("CARGO_PKG_VERSION").into(),
            baseline_files: baseline_fingerprints(baseline),
            observed: observed_fingerprint(observed),
            allow_delete,
            plan,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("saved plans serialise") + "\n"
    }

    /// Read a saved plan, with a located error for a corrupted or truncated file.
    pub fn load(path: &Path) -> Result<SavedPlan, Diagnostics> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::error(format!("cannot read plan file `{}`", path.display())).cause(e.to_string())
        })?;
        let source = SourceFile::new(path, text);
        let value: serde_json::Value = serde_json::from_str(&source.text).map_err(|e| {
            let at = source.offset_of(e.line(), e.column().max(1));
            Diagnostic::error(format!("plan file `{}` is corrupted or truncated", path.display()))
                .at(&source, at..at + 1)
                .cause(e.to_string())
                .hint("make the plan again with `plinth plan --out FILE`")
        })?;
        let version = value.get("format_version").and_then(serde_json::Value::as_u64);
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
        serde_json::from_value(value).map_err(|e| {
            Diagnostic::error(format!("plan file `{}` is corrupted", path.display()))
                .cause(e.to_string())
                .hint("make the plan again with `plinth plan --out FILE`")
                .into()
        })
    }

    /// Refuse unless the baseline and the live state are what the plan was made from.
    /// `now` is the plan computed from the current state, to say what would differ.
    pub fn check(&self, baseline: &Baseline, observed: &Observed, now: &Plan) -> Result<(), Diagnostics> {
        let files = baseline_fingerprints(baseline);
        if files != self.baseline_files {
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
            return Err(Diagnostic::error("the baseline is not the one this plan was made from")
                .cause(changed.join("; "))
                .hint("plan again with `plinth plan --out FILE`, review it, and apply that")
                .into());
        }
        if observed_fingerprint(observed) != self.observed {
            let saved: Vec<String> = self
                .plan
                .changes
                .iter()
                .map(|c| format!("{} {}", c.action.symbol(), c.address))
                .collect();
            let fresh: Vec<String> = now
                .changes
                .iter()
                .map(|c| format!("{} {}", c.action.symbol(), c.address))
                .collect();
            let mut what = Vec::new();
            for c in fresh.iter().filter(|c| !saved.contains(c)) {
                what.push(format!("now also `{c}`"));
            }
            for c in saved.iter().filter(|c| !fresh.contains(c)) {
                what.push(format!("no longer `{c}`"));
            }
            let same_changes = what.is_empty();
            if same_changes {
                what.push("the same changes, but the live details behind them differ".into());
            }
            return Err(Diagnostic::error("the organization changed since this plan was made")
                .cause(format!("planning now gives: {}", what.join("; ")))
                .hint("plan again with `plinth plan --out FILE`, review it, and apply that")
                .into());
        }
        Ok(())
    }
}
