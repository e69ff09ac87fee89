//! `[contacts]`: the section, its values checked while parsing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};
use toml::Spanned;

use crate::observed::{ContactSpec, ContactType};
use crate::types::{Email, string_newtype, with_hint};

/// `[contacts]`: the alternate contacts of every account of the organization.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsSection {
    /// Who gets AWS's security notices.
    #[schemars(with = "Option<ContactDecl>")]
    pub security: Option<Spanned<ContactDecl>>,
    /// Who gets billing mail.
    #[schemars(with = "Option<ContactDecl>")]
    pub billing: Option<Spanned<ContactDecl>>,
    /// Who gets operations notices (service events, maintenance).
    #[schemars(with = "Option<ContactDecl>")]
    pub operations: Option<Spanned<ContactDecl>>,
    /// `[[contacts.override]]`: other contacts for the accounts of some OUs or accounts.
    #[serde(default, rename = "override")]
    #[schemars(with = "Vec<ContactOverride>")]
    pub overrides: Vec<Spanned<ContactOverride>>,
}

fn declared<'a>(
    security: &'a Option<Spanned<ContactDecl>>,
    billing: &'a Option<Spanned<ContactDecl>>,
    operations: &'a Option<Spanned<ContactDecl>>,
) -> Vec<(ContactType, &'a Spanned<ContactDecl>)> {
    [
        (ContactType::Security, security),
        (ContactType::Billing, billing),
        (ContactType::Operations, operations),
    ]
    .into_iter()
    .filter_map(|(t, c)| c.as_ref().map(|c| (t, c)))
    .collect()
}

impl ContactsSection {
    /// The contacts every account gets, by type.
    pub fn declared(&self) -> Vec<(ContactType, &Spanned<ContactDecl>)> {
        declared(&self.security, &self.billing, &self.operations)
    }

    /// Every type the section sets somewhere (for the reads).
    pub fn types(&self) -> Vec<ContactType> {
        ContactType::ALL
            .into_iter()
            .filter(|t| {
                self.declared().iter().any(|(d, _)| d == t)
                    || self.overrides.iter().any(|o| o.get_ref().declared().iter().any(|(d, _)| d == t))
            })
            .collect()
    }
}

/// `[[contacts.override]]`: the accounts of these targets get these contacts instead; the
/// most specific target wins (an account over an OU, a deeper OU over its parent).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactOverride {
    /// `ou:<path>` (with the OUs below it) or `account:<id or name>`.
    #[schemars(with = "Vec<crate::types::Target>")]
    pub targets: crate::kinds::Targets,
    #[schemars(with = "Option<ContactDecl>")]
    pub security: Option<Spanned<ContactDecl>>,
    #[schemars(with = "Option<ContactDecl>")]
    pub billing: Option<Spanned<ContactDecl>>,
    #[schemars(with = "Option<ContactDecl>")]
    pub operations: Option<Spanned<ContactDecl>>,
}

impl ContactOverride {
    pub fn declared(&self) -> Vec<(ContactType, &Spanned<ContactDecl>)> {
        declared(&self.security, &self.billing, &self.operations)
    }
}

/// One alternate contact.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDecl {
    #[schemars(with = "ContactName")]
    pub name: Spanned<ContactName>,
    #[schemars(with = "ContactTitle")]
    pub title: Spanned<ContactTitle>,
    #[schemars(with = "Email")]
    pub email: Spanned<Email>,
    #[schemars(with = "Phone")]
    pub phone: Spanned<Phone>,
}

impl ContactDecl {
    pub fn spec(&self) -> ContactSpec {
        ContactSpec {
            name: self.name.get_ref().as_str().to_owned(),
            title: self.title.get_ref().as_str().to_owned(),
            email: self.email.get_ref().as_str().to_owned(),
            phone: self.phone.get_ref().as_str().to_owned(),
        }
    }
}

/// A contact's name: 1 to 64 characters, as the Account API takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactName(String);
string_newtype!(ContactName, check_name, "minLength" => 1, "maxLength" => 64);

fn check_name(s: &str) -> Result<(), String> {
    check_text(s, "name", 64)
}

/// A contact's title: 1 to 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactTitle(String);
string_newtype!(ContactTitle, check_title, "minLength" => 1, "maxLength" => 50);

fn check_title(s: &str) -> Result<(), String> {
    check_text(s, "title", 50)
}

fn check_text(s: &str, what: &str, max: usize) -> Result<(), String> {
    if s.trim().is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(with_hint(
            format!("`{s}` is not a contact {what}"),
            Some(format!("a contact's {what} has 1 to {max} characters, no control characters")),
        ));
    }
    Ok(())
}

/// A phone number as the Account API takes it: digits, spaces, `+`, `-`, `(`, `)`, at
/// most 25 characters, with at least one digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone(String);
string_newtype!(Phone, check_phone, "pattern" => "^[\\s0-9()+-]{1,25}$");

fn check_phone(s: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_digit() || c.is_whitespace() || "()+-".contains(c);
    if s.is_empty() || s.chars().count() > 25 || !s.chars().all(allowed) || !s.chars().any(|c| c.is_ascii_digit()) {
        return Err(with_hint(
            format!("`{s}` is not a phone number"),
            Some("write digits with `+`, `-`, spaces or brackets, at most 25 characters, like `+1-555-0100`".into()),
        ));
    }
    Ok(())
}
