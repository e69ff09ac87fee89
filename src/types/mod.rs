//! Newtypes for baseline values, each checked while the TOML is parsed so that a bad
//! value is reported at its own line and column.
//!
//! A `Deserialize` error message may end in `\nhint: …`; the loader turns that part into
//! the diagnostic's hint.

use std::fmt;

mod names;
mod org;
pub mod policy_types;
pub mod regions;
pub mod service;

pub use names::*;
pub use org::*;

pub(crate) fn with_hint(message: impl fmt::Display, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("{message}\nhint: {h}"),
        None => message.to_string(),
    }
}

/// A string newtype checked while parsing: `Deserialize` runs `$check`, and the JSON
/// Schema says `string`, with any extra keywords given (`"pattern" => "^[0-9]{12}$"`).
macro_rules! string_newtype {
    ($name:ident, $check:path $(, $key:literal => $value:expr)* $(,)?) => {
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                #[allow(unused_mut)]
                let mut schema = schemars::json_schema!({ "type": "string" });
                $( schema.insert($key.into(), serde_json::json!($value)); )*
                schema
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $check(&s).map_err(de::Error::custom)?;
                Ok($name(s))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use string_newtype;

#[cfg(test)]
mod tests;
