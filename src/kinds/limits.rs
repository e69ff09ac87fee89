//! `[limits]`: the organization policy limits plinth enforces, raised or lowered without a
//! new release.
//!
//! plinth refuses, before any AWS call, a policy document longer than its type allows and
//! a root, OU or account that would carry more policies of a type than AWS allows. The
//! figures are AWS's as plinth's table knows them (`types::policy_types`, each row citing
//! its source and date); AWS changes them (it doubled both SCP limits on 2026-05-15), so a
//! baseline may say what to enforce until a release catches up: `scp_characters = 12000`,
//! `scp_per_target = 12`. The keys come from the table, `<key>_characters` and
//! `<key>_per_target` for each type, so a new row has its keys with no code here. Each
//! figure a baseline sets is a warning at its line naming what plinth knows and where
//! that comes from ([`LimitsSection::warnings`]): `plinth validate` and every plan show it.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::diag::SourceFile;
use crate::types::policy_types::PolicyType;
use crate::types::with_hint;

/// Which of a type's two limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Figure {
    /// The most characters a document may have, minified.
    Characters,
    /// The most policies of the type attached directly to one root, OU or account.
    PerTarget,
}

/// One `[limits]` key: a type's figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LimitKey {
    pub policy_type: PolicyType,
    pub figure: Figure,
}

impl LimitKey {
    /// Every key, in table order: each type's `_characters`, then its `_per_target`.
    pub fn all() -> impl Iterator<Item = LimitKey> {
        PolicyType::ALL.into_iter().flat_map(|policy_type| {
            [Figure::Characters, Figure::PerTarget].map(|figure| LimitKey { policy_type, figure })
        })
    }

    /// The key as the baseline writes it: `scp_characters`, `rcp_per_target`.
    pub fn name(self) -> String {
        let suffix = match self.figure {
            Figure::Characters => "characters",
            Figure::PerTarget => "per_target",
        };
        format!("{}_{suffix}", self.policy_type.rules().key)
    }

    pub fn parse(name: &str) -> Option<LimitKey> {
        Self::all().find(|k| k.name() == name)
    }

    /// The figure plinth's table knows (AWS's, as last read).
    pub fn known(self) -> usize {
        let rules = self.policy_type.rules();
        match self.figure {
            Figure::Characters => rules.max_size,
            Figure::PerTarget => rules.max_per_target,
        }
    }

    /// What the figure counts, with its number: `10240 characters for SCPs`,
    /// `10 SCPs per root, OU or account`.
    fn phrase(self, n: usize) -> String {
        let nouns = self.policy_type.rules().nouns();
        match self.figure {
            Figure::Characters => format!("{n} characters for {nouns}"),
            Figure::PerTarget => format!("{n} {nouns} per root, OU or account"),
        }
    }
}

/// One figure plinth enforces: AWS's as plinth knows it, or the baseline's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub value: usize,
    /// The `[limits]` key that set it; `None` for the figure of plinth's table.
    pub set_by: Option<String>,
}

impl Limit {
    /// Who allows `value`, for messages: "AWS allows 10240", or "`scp_characters` in
    /// `[limits]` allows 12000" (AWS's own figure may differ, and the message must not
    /// say AWS allows what only the baseline does).
    pub fn allows(&self) -> String {
        match &self.set_by {
            None => format!("AWS allows {}", self.value),
            Some(key) => format!("`{key}` in `[limits]` allows {}", self.value),
        }
    }
}

/// A figure the baseline sets, and where its key is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    pub value: usize,
    pub span: Range<usize>,
}

/// `[limits]`: the figures the baseline sets, by key.
#[derive(Debug, Clone, Default)]
pub struct LimitsSection {
    pub set: BTreeMap<LimitKey, Set>,
}

impl LimitsSection {
    /// The figure plinth enforces for one type.
    pub fn get(&self, policy_type: PolicyType, figure: Figure) -> Limit {
        let key = LimitKey { policy_type, figure };
        match self.set.get(&key) {
            Some(set) => Limit {
                value: set.value,
                set_by: Some(key.name()),
            },
            None => Limit {
                value: key.known(),
                set_by: None,
            },
        }
    }

    /// The most characters a document of the type may have, minified.
    pub fn characters(&self, policy_type: PolicyType) -> Limit {
        self.get(policy_type, Figure::Characters)
    }

    /// The most policies of the type on one root, OU or account.
    pub fn per_target(&self, policy_type: PolicyType) -> Limit {
        self.get(policy_type, Figure::PerTarget)
    }

    /// One warning per figure set, at its line: what plinth knows, its source, and what
    /// the baseline's figure means.
    pub fn warnings(&self, src: &SourceFile) -> Vec<String> {
        self.set
            .iter()
            .map(|(key, set)| {
                let (line, col) = src.line_col(set.span.start);
                let known = key.known();
                let means = match (set.value.cmp(&known), key.figure) {
                    (std::cmp::Ordering::Equal, _) => "the figure plinth knows already; the line can go".to_owned(),
                    (std::cmp::Ordering::Greater, Figure::Characters) => format!(
                        "this baseline allows {}: AWS refuses larger documents unless it has raised the limit",
                        set.value
                    ),
                    (std::cmp::Ordering::Greater, Figure::PerTarget) => format!(
                        "this baseline allows {}: AWS refuses more attachments unless it has raised the limit",
                        set.value
                    ),
                    (std::cmp::Ordering::Less, Figure::Characters) => format!(
                        "this baseline allows {}: plinth refuses documents AWS would accept",
                        set.value
                    ),
                    (std::cmp::Ordering::Less, Figure::PerTarget) => format!(
                        "this baseline allows {}: plinth refuses attachments AWS would accept",
                        set.value
                    ),
                };
                format!(
                    "`{} = {}` in `[limits]` ({}:{line}:{col}): plinth knows {} ({}); {means}",
                    key.name(),
                    set.value,
                    src.path.display(),
                    key.phrase(known),
                    key.policy_type.rules().source,
                )
            })
            .collect()
    }

    /// What `plinth validate` shows: every figure the baseline changes, beside AWS's.
    pub fn describe(&self) -> Option<String> {
        if self.set.is_empty() {
            return None;
        }
        let figures: Vec<String> = self
            .set
            .iter()
            .map(|(key, set)| format!("{} (plinth knows {})", key.phrase(set.value), key.known()))
            .collect();
        Some(format!("Limits this baseline sets: {}.", figures.join(", ")))
    }
}

/// The hint for an unknown key: the two forms, and every type's short name.
fn valid_keys() -> String {
    let types: Vec<String> = crate::types::policy_types::PolicyType::ALL
        .iter()
        .map(|t| format!("`{}`", t.rules().key))
        .collect();
    format!(
        "`[limits]` takes `<type>_characters` and `<type>_per_target` (such as `scp_characters`), positive integers, where `<type>` is one of {}",
        types.join(", ")
    )
}

impl<'de> Deserialize<'de> for LimitKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        LimitKey::parse(&name).ok_or_else(|| {
            de::Error::custom(with_hint(
                format!("unknown key `{name}` in `[limits]`"),
                Some(valid_keys()),
            ))
        })
    }
}

/// A key's value: a positive integer, checked while parsing.
struct ValueOf(LimitKey);

impl<'de> DeserializeSeed<'de> for ValueOf {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_i64(self)
    }
}

impl Visitor<'_> for ValueOf {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a positive integer for `{}`", self.0.name())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<usize, E> {
        match usize::try_from(v) {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(E::custom(with_hint(
                format!("`{}` must be a positive integer, not `{v}`", self.0.name()),
                Some(format!(
                    "leave it out for what plinth knows: {}",
                    self.0.phrase(self.0.known())
                )),
            ))),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl<'de> Deserialize<'de> for LimitsSection {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Table;
        impl<'de> Visitor<'de> for Table {
            type Value = LimitsSection;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of limits, such as `scp_characters = 10240`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LimitsSection, A::Error> {
                let mut set = BTreeMap::new();
                while let Some(key) = map.next_key::<Spanned<LimitKey>>()? {
                    let value = map.next_value_seed(ValueOf(*key.get_ref()))?;
                    set.insert(
                        *key.get_ref(),
                        Set {
                            value,
                            span: key.span(),
                        },
                    );
                }
                Ok(LimitsSection { set })
            }
        }
        d.deserialize_map(Table)
    }
}

impl schemars::JsonSchema for LimitsSection {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LimitsSection".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let properties: serde_json::Map<String, serde_json::Value> = LimitKey::all()
            .map(|k| {
                let what = match k.figure {
                    Figure::Characters => "The most characters plinth lets a document have, minified",
                    Figure::PerTarget => "The most policies of the type plinth lets one root, OU or account carry",
                };
                let schema = serde_json::json!({
                    "type": "integer",
                    "minimum": 1,
                    "description": format!("{what}; plinth knows {}", k.phrase(k.known())),
                });
                (k.name(), schema)
            })
            .collect();
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": false,
            "properties": properties,
        })
    }
}

#[cfg(test)]
mod tests;
