//! The Account Management API: an account's alternate contacts.

use serde::{Deserialize, Serialize};

/// Which alternate contact: AWS sends security notices, billing and operations mail to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    Security,
    Billing,
    Operations,
}

impl ContactType {
    pub const ALL: [ContactType; 3] = [ContactType::Security, ContactType::Billing, ContactType::Operations];

    /// Its name in the baseline and in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Security => "security",
            ContactType::Billing => "billing",
            ContactType::Operations => "operations",
        }
    }
}

/// One alternate contact as AWS holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSpec {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

impl std::fmt::Display for ContactType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
