//! `[organization]`: which organization a baseline is for, and how plinth acts in its
//! member accounts.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::types::{AccountId, Region};

/// `[organization]`: which organization this baseline is for.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSection {
    /// plinth refuses to run with credentials of any other account.
    #[schemars(with = "AccountId")]
    pub management_account_id: Spanned<AccountId>,
    /// Where plinth's regional resources and IAM Identity Center live.
    #[serde(default = "default_home_region")]
    #[schemars(with = "Region")]
    pub home_region: Spanned<Region>,
    /// Directories besides the baseline's own that policy `file`s may be read from
    /// (relative to the baseline's directory, inside the repository that holds it). A
    /// policy file anywhere else, by an absolute path, `..` or a symbolic link, is an error.
    #[serde(default)]
    #[schemars(with = "Vec<PathBuf>")]
    pub policy_roots: Vec<Spanned<PathBuf>>,
    /// The role plinth assumes in member accounts to act there (the log archive's
    /// bucket): `OrganizationAccountAccessRole`, which AWS makes in every account the
    /// organization creates, unless this names another (Control Tower's
    /// `AWSControlTowerExecution`).
    #[serde(default)]
    #[schemars(with = "Option<crate::types::RoleName>")]
    pub member_role: Option<Spanned<crate::types::RoleName>>,
    /// The external id the member role's trust policy asks for, if it asks one.
    #[serde(default)]
    #[schemars(with = "Option<crate::types::ExternalId>")]
    pub member_external_id: Option<Spanned<crate::types::ExternalId>>,
}

fn default_home_region() -> Spanned<Region> {
    Spanned::new(0..0, Region::us_east_1())
}
