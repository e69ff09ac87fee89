//! [`Address`]: the key of a change in a plan. Its text is what plans show and saved plans
//! store (`scp.region_deny -> root`, `trail (adopt)`, `organizational_units.Workloads`), and
//! it is the key: equality, order and hash are the text's, so an address is found by its
//! text ([`AddrMap`] lookups take `&str`). Live names may hold `.`, so the parts are not
//! split apart and joined again: builders append to the text ([`Address::child`],
//! [`Address::to`], [`Address::adopt`]) and accessors read the parts that cannot be
//! ambiguous (the kind, the target after ` -> `, the adopt suffix). A part that holds
//! what marks those (` -> `, ` (adopt)`) or a `"` is written quoted, as a JSON string
//! (`scp.orphan."x -> root"`): a live name cannot pass for a target or an adoption, and
//! two names never make one address.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What marks the change that adopts a resource (tags it as plinth's) apart from the
/// resource's own address, which stays for the update that may follow.
const ADOPT: &str = " (adopt)";
/// What separates a relation's source from its target: `scp.region_deny -> root`.
const TO: &str = " -> ";

/// Where a change acts: its kind (the registry name, also the baseline section and the
/// `--repair` value) followed by the resource, a target and an adopt marker:
/// `kind[.resource][ -> target][ (adopt)]`.
#[derive(Clone)]
pub struct Address {
    text: String,
    /// The kind is `text[..kind_len]`.
    kind_len: usize,
}

/// Maps addresses to values; looked up by an address or its text.
pub type AddrMap<V> = HashMap<Address, V>;

/// Why a text is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a plan address: it must start with a kind (lower-case letters, digits, `_`) followed by nothing, `.`, ` -> ` or ` (adopt)`"
)]
pub struct BadAddress(pub String);

fn kind_len(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len())
}

impl Address {
    /// The address `name`, which is `kind` itself or starts with it followed by `.`,
    /// ` -> ` or ` (adopt)`. A planner's own strings: a mismatch is a bug, caught in
    /// debug builds and by every planner's tests.
    pub fn new(kind: &str, name: impl Into<String>) -> Address {
        let text = name.into();
        debug_assert!(
            text.strip_prefix(kind).is_some_and(|rest| rest.is_empty()
                || rest.starts_with('.')
                || rest.starts_with(TO)
                || rest.starts_with(ADOPT)),
            "address `{text}` does not start with its kind `{kind}`"
        );
        Address {
            kind_len: kind.len(),
            text,
        }
    }

    /// The address of a whole kind: `trail`, `scp.policy_type` is its child.
    pub fn kind_root(kind: &str) -> Address {
        Address::new(kind, kind)
    }

    /// The kind this address belongs to: `scp` for `scp.region_deny -> root`.
    pub fn kind(&self) -> &str {
        &self.text[..self.kind_len]
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The target of a relation: `root` for `scp.region_deny -> root` (quoted, as written,
    /// when it holds a marker).
    pub fn target(&self) -> Option<&str> {
        let rest = self.text.strip_suffix(ADOPT).unwrap_or(&self.text);
        split_to(rest).map(|(_, target)| target)
    }

    /// The resource of a relation or adoption: `scp.region_deny` for
    /// `scp.region_deny -> root` and for `scp.region_deny (adopt)`.
    pub fn source(&self) -> &str {
        let rest = self.text.strip_suffix(ADOPT).unwrap_or(&self.text);
        split_to(rest).map_or(rest, |(source, _)| source)
    }

    /// Whether this is the change that adopts a resource: `trail (adopt)`.
    pub fn is_adopt(&self) -> bool {
        self.text.ends_with(ADOPT)
    }

    /// A part of this resource: `trail` → `trail.bucket`.
    #[must_use]
    pub fn child(&self, segment: impl fmt::Display) -> Address {
        debug_assert!(!self.is_adopt() && self.target().is_none(), "`{self}` has no children");
        Address {
            text: format!("{}.{}", self.text, quoted(segment.to_string())),
            kind_len: self.kind_len,
        }
    }

    /// A resource named `name` (a live name, or one a baseline gives) that has parts of
    /// its own below it: as [`Address::child`], and quoted when the name holds a `.` too,
    /// so that `Admin.provision` (a name) is never the `provision` part of `Admin`.
    #[must_use]
    pub fn named(&self, name: impl fmt::Display) -> Address {
        let name = name.to_string();
        if !name.contains('.') {
            return self.child(name);
        }
        debug_assert!(!self.is_adopt() && self.target().is_none(), "`{self}` has no children");
        Address {
            text: format!(
                "{}.{}",
                self.text,
                serde_json::to_string(&name).expect("strings serialise")
            ),
            kind_len: self.kind_len,
        }
    }

    /// This resource's relation to a target: `scp.region_deny` → `scp.region_deny -> root`.
    #[must_use]
    pub fn to(&self, target: impl fmt::Display) -> Address {
        debug_assert!(
            !self.is_adopt() && self.target().is_none(),
            "`{self}` already has a target"
        );
        Address {
            text: format!("{}{TO}{}", self.text, quoted(target.to_string())),
            kind_len: self.kind_len,
        }
    }

    /// The address of the change that adopts the resource at this address.
    #[must_use]
    pub fn adopt(&self) -> Address {
        debug_assert!(!self.is_adopt(), "`{self}` is adopted twice");
        Address {
            text: format!("{}{ADOPT}", self.text),
            kind_len: self.kind_len,
        }
    }

    /// Whether this change acts on `resource` or one of its parts: `trail.bucket`,
    /// `trail.bucket (adopt)` and `trail.bucket.policy` are about `trail.bucket`,
    /// `trail.bucketx` is not.
    pub fn is_about(&self, resource: &Address) -> bool {
        self.source()
            .strip_prefix(resource.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

/// A part as written in an address: as it is, or quoted as a JSON string when it holds
/// what could read as a marker (`->`, `(adopt)`), a `"`, or starts or ends with a space
/// (so a part written as it is never holds those, and never joins a marker beside it).
fn quoted(part: String) -> String {
    let marker = part.contains("->") || part.contains("(adopt)") || part.contains('"');
    if marker || part.starts_with(char::is_whitespace) || part.ends_with(char::is_whitespace) {
        serde_json::to_string(&part).expect("strings serialise")
    } else {
        part
    }
}

/// `text` split at its first ` -> ` outside a quoted part.
fn split_to(text: &str) -> Option<(&str, &str)> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ' ' if !quoted && text[i..].starts_with(TO) => return Some((&text[..i], &text[i + TO.len()..])),
            _ => {}
        }
    }
    None
}

impl FromStr for Address {
    type Err = BadAddress;

    fn from_str(text: &str) -> Result<Address, BadAddress> {
        let len = kind_len(text);
        let rest = &text[len..];
        let ok = len > 0
            && (rest.is_empty() || rest.starts_with('.') && rest.len() > 1 || rest.starts_with(TO) || rest == ADOPT);
        match ok {
            true => Ok(Address {
                text: text.to_owned(),
                kind_len: len,
            }),
            false => Err(BadAddress(text.to_owned())),
        }
    }
}

impl PartialEq for Address {
    fn eq(&self, other: &Address) -> bool {
        self.text == other.text
    }
}
impl Eq for Address {}

impl PartialEq<str> for Address {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}
impl PartialEq<&str> for Address {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}
impl PartialEq<String> for Address {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

/// The text's hash, so that maps keyed by addresses are looked up by text.
impl Hash for Address {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Address) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Address {
    fn cmp(&self, other: &Address) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Borrow<str> for Address {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_parts_of_an_address_are_read_from_its_text() {
        let a: Address = "scp.region_deny -> ou:Workloads/Prod".parse().unwrap();
        assert_eq!(a.kind(), "scp");
        assert_eq!(a.target(), Some("ou:Workloads/Prod"));
        assert!(!a.is_adopt());
        let adopt: Address = "trail (adopt)".parse().unwrap();
        assert_eq!((adopt.kind(), adopt.target(), adopt.is_adopt()), ("trail", None, true));
        let ou: Address = "organizational_units.Workloads/a.b".parse().unwrap();
        assert_eq!((ou.kind(), ou.target()), ("organizational_units", None));
    }

    #[test]
    fn builders_append_to_the_text() {
        let trail = Address::kind_root("trail");
        assert_eq!(trail.child("bucket").child("policy"), "trail.bucket.policy");
        assert_eq!(
            Address::new("scp", "scp.region_deny").to("root"),
            "scp.region_deny -> root"
        );
        assert_eq!(trail.adopt(), "trail (adopt)");
        assert_eq!(trail.child("bucket").kind(), "trail");
        let bucket = trail.child("bucket");
        assert!(bucket.child("policy").is_about(&bucket));
        assert!(bucket.adopt().is_about(&bucket));
        assert!(bucket.to("x").is_about(&bucket));
        assert!(!trail.child("bucketx").is_about(&bucket));
        assert!(!trail.is_about(&bucket));
    }

    #[test]
    fn texts_that_are_not_addresses_are_refused() {
        for bad in ["", "Scp.x", ".x", "scp.", "scp x", "scp-x", "scp (adopt) x"] {
            assert!(bad.parse::<Address>().is_err(), "{bad:?} was taken");
        }
    }

    /// A live name that reads like a target or an adoption is quoted: it neither passes
    /// for one nor makes the address of another resource's change.
    #[test]
    fn a_part_holding_a_marker_is_quoted() {
        let orphans = Address::kind_root("scp").child("orphan");
        let hostile = orphans.child("x -> root");
        assert_eq!(hostile, r#"scp.orphan."x -> root""#);
        assert_eq!(hostile.target(), None);
        assert_ne!(hostile, orphans.child("x").to("root"));
        let detach = hostile.to("root");
        assert_eq!(detach.target(), Some("root"));
        assert_eq!(detach.source(), hostile.as_str());
        let adopt_like = orphans.child("y (adopt)");
        assert!(!adopt_like.is_adopt());
        assert_ne!(adopt_like, orphans.child("y").adopt());
        assert_eq!(orphans.child(r#"a "b""#), r#"scp.orphan."a \"b\"""#);
        assert_eq!(orphans.child("a.b"), "scp.orphan.a.b");
        let ou = Address::kind_root("scp").child("p").to(r#"ou:"A" -> B"#);
        assert_eq!(ou.target(), Some(r#""ou:\"A\" -> B""#));
        assert_eq!(ou.source(), "scp.p");
    }

    /// Near-markers too: a part ending in ` ->` would join the ` -> ` after it, one that
    /// is `(adopt)` would end the address like an adoption.
    #[test]
    fn a_part_next_to_a_marker_is_quoted_too() {
        let orphans = Address::kind_root("scp").child("orphan");
        let a = orphans.child("x ->").to("root");
        assert_eq!(a.source(), r#"scp.orphan."x ->""#);
        assert_eq!(a.target(), Some("root"));
        let b = orphans.child("p").to("(adopt)");
        assert!(!b.is_adopt(), "{b}");
        assert_eq!(orphans.child(" x"), r#"scp.orphan." x""#);
    }

    /// A name with a `.` that has parts of its own is quoted: `Admin.provision` is not
    /// the `provision` part of `Admin`.
    #[test]
    fn a_named_resource_with_a_dot_is_quoted() {
        let sso = Address::kind_root("sso");
        assert_ne!(sso.named("Admin.provision"), sso.named("Admin").child("provision"));
        assert_eq!(sso.named("Admin.provision"), r#"sso."Admin.provision""#);
        assert_eq!(sso.named("Admin"), "sso.Admin");
    }

    #[test]
    fn a_map_of_addresses_is_looked_up_by_text() {
        let mut map = AddrMap::new();
        map.insert(Address::kind_root("trail").child("bucket"), 1);
        assert_eq!(map.get("trail.bucket"), Some(&1));
        assert_eq!(map.get("trail"), None);
    }

    #[test]
    fn serde_writes_the_text() {
        let a = Address::new("scp", "scp.x").to("root");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#""scp.x -> root""#);
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), a);
        assert!(serde_json::from_str::<Address>(r#""-> root""#).is_err());
    }

    proptest! {
        /// Whatever a live name holds, an address built from it prints and parses back to
        /// the same key with the same parts.
        #[test]
        fn display_and_parse_round_trip(
            kind in "[a-z][a-z0-9_]{0,20}",
            names in proptest::collection::vec("[^\\x00]{1,12}", 0..3),
            target in proptest::option::of("[^\\x00]{1,12}"),
            adopt in any::<bool>(),
        ) {
            let mut a = Address::kind_root(&kind);
            for n in &names {
                a = a.child(n);
            }
            if let Some(t) = &target {
                a = a.to(t);
            }
            if adopt {
                a = a.adopt();
            }
            let back: Address = a.to_string().parse().unwrap();
            prop_assert_eq!(&back, &a);
            prop_assert_eq!(back.kind(), kind.as_str());
            prop_assert_eq!(back.is_adopt(), adopt);
            let written = target.map(quoted);
            prop_assert_eq!(back.target(), written.as_deref());
        }
    }
}
