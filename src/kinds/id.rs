//! [`KindId`], the registry's kinds as a type (the enum itself is made by `registry!`):
//! parsed from a name once, where the command line or a caller names a kind, printed and
//! serialised as that name, ordered by it (so sets of kinds print as they always have).

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::{KindId, NAMES};

/// A name that is no kind of the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind `{name}`; one of {}", NAMES.join(", "))]
pub struct UnknownKind {
    pub name: String,
}

impl KindId {
    /// The kind named `name`, if the registry has one.
    pub fn from_name(name: &str) -> Option<KindId> {
        KindId::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The kind whose `--repair` value repairs this one: itself, or the one its
    /// [`super::Kind::REPAIRED_WITH`] names (OUs exist to carry SCPs, so `scp`).
    pub fn repaired_with(self) -> KindId {
        KindId::from_name(self.repaired_with_name()).expect("every REPAIRED_WITH names a kind of the registry")
    }

    /// The guardrail kinds: what `--repair guardrails` (the default) repairs.
    pub fn guardrails() -> BTreeSet<KindId> {
        KindId::ALL.iter().copied().filter(|k| k.guardrail()).collect()
    }
}

impl FromStr for KindId {
    type Err = UnknownKind;
    fn from_str(name: &str) -> Result<KindId, UnknownKind> {
        KindId::from_name(name).ok_or_else(|| UnknownKind { name: name.to_owned() })
    }
}

impl fmt::Display for KindId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for KindId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl PartialOrd for KindId {
    fn partial_cmp(&self, other: &KindId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By name, as the sets of names this type replaced were ordered.
impl Ord for KindId {
    fn cmp(&self, other: &KindId) -> Ordering {
        self.name().cmp(other.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_name_and_prints_it() {
        assert_eq!(KindId::ALL.len(), NAMES.len());
        for (kind, name) in KindId::ALL.iter().zip(NAMES) {
            assert_eq!(kind.name(), *name);
            assert_eq!(name.parse::<KindId>(), Ok(*kind));
            assert_eq!(kind.to_string(), *name);
            assert_eq!(serde_json::to_string(kind).unwrap(), format!("\"{name}\""));
            // Names a kind of the registry, or this panics.
            let _ = kind.repaired_with();
        }
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_names_there_are() {
        let err = "scps".parse::<KindId>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown kind `scps`; one of organizational_units, account, scp,"),
            "{err}"
        );
    }

    #[test]
    fn organizational_units_are_repaired_with_scps() {
        assert_eq!(KindId::OrganizationalUnits.repaired_with(), KindId::Scps);
        assert_eq!(KindId::Trail.repaired_with(), KindId::Trail);
        assert!(KindId::guardrails().contains(&KindId::Scps));
        assert!(!KindId::guardrails().contains(&KindId::Sso));
    }
}
