//! What `plinth import` asks of each kind, and the small TOML writer the kinds' importers
//! share: sections in a stable order, values quoted by the `toml` crate, comments where
//! something was recognised or left out. The same organization always gives the same
//! bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::aws::clients::Clients;
use crate::observed::{OrgState, Resolved};
use crate::types::{Region, Target};

/// What every kind's importer sees: the clients, the organization read whole (every OU,
/// account and SCP with its content and targets), and the run's options.
pub struct ImportCx<'a> {
    pub clients: &'a Clients,
    pub org: &'a OrgState,
    /// Where IAM Identity Center lives (the baseline's `home_region`).
    pub home_region: &'a Region,
    /// `--include-managed-by-others`: import what another tool manages, too.
    pub include_others: bool,
}

impl ImportCx<'_> {
    /// How a baseline names a root, OU or account id: `root`, `ou:<path>`,
    /// `account:<name>` (the id where the name is not unique or not a valid name).
    pub fn target_of(&self, id: &str) -> Option<String> {
        let org = self.org;
        if id == org.root_id {
            return Some("root".into());
        }
        if let Some(ou) = org.ous.iter().find(|o| o.id == id) {
            return Some(format!("ou:{}", ou.path));
        }
        let account = org.accounts.iter().find(|a| a.id == id)?;
        // A name is written only for an account the imported baseline declares in
        // `[[account]]` (by e-mail): elsewhere a name is live data a member can change.
        let declared = account.id != org.management_account_id
            && !account.suspended
            && account
                .parent_id
                .as_deref()
                .is_some_and(|p| org.ous.iter().any(|o| o.id == p));
        let unique = declared && org.accounts.iter().filter(|a| a.name == account.name).count() == 1;
        let by_name = format!("account:{}", account.name);
        let resolves =
            Target::parse(&by_name).is_ok_and(|t| matches!(org.resolve(&t), Resolved::Id(ref found) if found == id));
        Some(if unique && resolves {
            by_name
        } else {
            format!("account:{id}")
        })
    }
}

/// One kind's part of the imported baseline.
#[derive(Debug, Default)]
pub struct Imported {
    /// Its sections, as TOML for people.
    pub toml: Toml,
    /// Policy files it refers to: path relative to the baseline, content.
    pub files: Vec<(String, String)>,
    /// What it left out, and why (written as comments at the end of the file).
    pub skipped: Vec<String>,
    /// Warnings for the person running the import (logged).
    pub warnings: Vec<String>,
}

impl Imported {
    /// Another part's sections, files, left-outs and warnings after this one's.
    pub fn append(&mut self, other: Imported) {
        self.toml.append(&other.toml);
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
        self.warnings.extend(other.warnings);
    }
}

/// A TOML document written line by line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Toml(pub String);

impl Toml {
    /// `# text`, one comment line per line of `text`.
    pub fn comment(&mut self, text: &str) -> &mut Self {
        for line in text.lines() {
            let _ = writeln!(self.0, "# {line}");
        }
        self
    }

    /// `[name]`, after a blank line.
    pub fn table(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.0, "\n[{name}]\n");
        self
    }

    /// `[[name]]`, after a blank line.
    pub fn array_table(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.0, "\n[[{name}]]\n");
        self
    }

    /// `key = "value"`.
    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        let _ = writeln!(self.0, "{key} = {}", quote(value));
        self
    }

    /// `key = value` for a number or boolean, written as given.
    pub fn raw(&mut self, key: &str, value: impl std::fmt::Display) -> &mut Self {
        let _ = writeln!(self.0, "{key} = {value}");
        self
    }

    /// `key = ["a", "b"]`, one item a line when long.
    pub fn strings<S: AsRef<str>>(&mut self, key: &str, values: &[S]) -> &mut Self {
        let items: Vec<String> = values.iter().map(|v| quote(v.as_ref())).collect();
        let one_line = format!("{key} = [{}]", items.join(", "));
        if one_line.len() <= 100 {
            let _ = writeln!(self.0, "{one_line}");
        } else {
            let _ = writeln!(self.0, "{key} = [");
            for item in items {
                let _ = writeln!(self.0, "  {item},");
            }
            let _ = writeln!(self.0, "]");
        }
        self
    }

    /// `key = { a = "x", b = "y" }`.
    pub fn inline(&mut self, key: &str, pairs: &[(&str, &str)]) -> &mut Self {
        let _ = writeln!(self.0, "{key} = {}", inline_table(pairs));
        self
    }

    /// `key = [{ a = "x" }, { a = "y" }]`.
    pub fn inline_tables(&mut self, key: &str, tables: &[Vec<(&str, &str)>]) -> &mut Self {
        let items: Vec<String> = tables.iter().map(|t| inline_table(t)).collect();
        let _ = writeln!(self.0, "{key} = [{}]", items.join(", "));
        self
    }

    pub fn append(&mut self, other: &Toml) -> &mut Self {
        self.0.push_str(&other.0);
        self
    }
}

fn inline_table(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {}", quote(v))).collect();
    format!("{{ {} }}", inner.join(", "))
}

/// A TOML basic string, escaped by the `toml` crate.
pub fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A file name for a resource's policy: lower case letters, digits and `-`, never empty,
/// unique among `taken` (which it joins).
pub fn file_name(resource: &str, extension: &str, taken: &mut BTreeSet<String>) -> String {
    let mut stem = String::new();
    for c in resource.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = stem.trim_matches('-');
    let stem = if stem.is_empty() { "policy" } else { stem };
    let mut name = format!("{stem}.{extension}");
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{stem}-{n}.{extension}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(file_name("Deny IAM/Users!", "json", &mut taken), "deny-iam-users.json");
        assert_eq!(file_name("deny_iam users", "json", &mut taken), "deny-iam-users-2.json");
        assert_eq!(file_name("../..", "json", &mut taken), "policy.json");
    }

    #[test]
    fn any_string_reads_back_as_written() {
        for s in [
            "plain",
            "it's",
            "a \"quoted\" name",
            "both ' and \"",
            "back\\slash",
            "tab\there",
            "ünïcode",
        ] {
            let mut t = Toml::default();
            t.table("t").string("k", s);
            let back: toml::Table = toml::from_str(&t.0).unwrap();
            assert_eq!(back["t"]["k"].as_str(), Some(s), "{}", t.0);
        }
    }

    #[test]
    fn values_are_quoted_and_long_lists_broken() {
        let mut t = Toml::default();
        t.table("trail")
            .string("name", "a \"quoted\" name")
            .raw("enabled", true);
        let long: Vec<String> = (0..12).map(|i| format!("region-{i:02}")).collect();
        t.strings("allowed_regions", &long);
        t.inline("boundary", &[("name", "b"), ("path", "/")]);
        assert_eq!(
            t.0,
            "\n[trail]\nname = 'a \"quoted\" name'\nenabled = true\nallowed_regions = [\n  \"region-00\",\n  \"region-01\",\n  \"region-02\",\n  \"region-03\",\n  \"region-04\",\n  \"region-05\",\n  \"region-06\",\n  \"region-07\",\n  \"region-08\",\n  \"region-09\",\n  \"region-10\",\n  \"region-11\",\n]\nboundary = { name = \"b\", path = \"/\" }\n"
        );
    }
}
