//! `plinth import` for a policy type: each customer managed policy of the type read
//! whole, recognised by the kind (its generated policies) or written as a custom entry
//! with its document in `policies/<type key>/`, what AWS or another tool manages left out.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::kinds::import::{ImportCx, Imported, Toml, file_name};
use crate::observed::Scp;
use crate::types::policy_types::PolicyType;

/// What a kind makes of one live policy of its type.
pub enum Recognised {
    /// One of its generated policies: the section describing it.
    Generated(Toml),
    /// Not generated: written as a custom entry (`[[<custom_table>]]`), if the kind has one.
    Custom,
}

/// How a kind imports its type.
pub struct Importer {
    pub policy_type: PolicyType,
    /// The array of tables custom policies go in (`rcp.custom`, `tag_policy`), if any;
    /// their documents go in `policies/<the type's key>/`.
    pub custom_table: Option<String>,
    /// For a table of several types (`management_policy`): the type's `type = "…"`.
    pub type_key: Option<&'static str>,
}

impl Importer {
    /// Every customer managed policy of the type, in name order: `recognise` gets its
    /// name, document and targets (as a baseline names them).
    pub fn run(&self, cx: &ImportCx<'_>, recognise: impl Fn(&str, &Value, &[String]) -> Recognised) -> Imported {
        let noun = self.policy_type.rules().noun;
        let mut out = Imported::default();
        let view = cx.org.policies_of(self.policy_type);
        let mut policies: Vec<&Scp> = view.policies.iter().collect();
        policies.sort_by(|a, b| a.name.cmp(&b.name));
        let mut generated = Toml::default();
        let mut custom = Toml::default();
        let mut taken = BTreeSet::new();
        for p in policies {
            if p.aws_managed {
                out.skipped.push(format!("{noun} `{}` ({}): AWS managed", p.name, p.id));
                continue;
            }
            if let Some(other) = &p.managed_by {
                if !cx.include_others {
                    out.skipped
                        .push(format!("{noun} `{}` ({}): managed by {other}", p.name, p.id));
                    continue;
                }
                out.warnings.push(format!(
                    "{noun} `{}` is managed by {other}; imported because of `--include-managed-by-others`",
                    p.name
                ));
            }
            let Some(document) = p.content.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
                out.skipped
                    .push(format!("{noun} `{}` ({}): its content is not JSON", p.name, p.id));
                continue;
            };
            let mut attach: Vec<String> = p.targets.iter().filter_map(|id| cx.target_of(id)).collect();
            attach.sort_by_key(|t| (t != "root", t.clone()));
            match recognise(&p.name, &document, &attach) {
                Recognised::Generated(part) => {
                    generated.append(&part);
                }
                Recognised::Custom => match self.custom_table.as_deref() {
                    Some(_) if !p.name.starts_with("plinth-") && !crate::types::PolicyName::accepts(&p.name) => {
                        out.skipped.push(format!(
                            "{noun} `{}` ({}): its name has characters a baseline's policy names cannot",
                            crate::diag::printable(&p.name),
                            p.id
                        ));
                    }
                    Some(table) if !p.name.starts_with("plinth-") => {
                        let dir = self.policy_type.rules().key;
                        let file = format!("policies/{dir}/{}", file_name(&p.name, "json", &mut taken));
                        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
                        text.push('\n');
                        out.files.push((file.clone(), text));
                        let entry = custom.array_table(table);
                        if let Some(key) = self.type_key {
                            entry.string("type", key);
                        }
                        entry
                            .string("name", &p.name)
                            .string("file", &file)
                            .string("description", &p.description)
                            .strings("attach", &attach);
                    }
                    _ => out.skipped.push(format!(
                        "{noun} `{}` ({}): plinth generates no {noun} of that name, and this type has no custom entries",
                        p.name, p.id
                    )),
                },
            }
        }
        out.toml.append(&generated).append(&custom);
        out
    }
}
