//! Where things are in the organization: account ids, regions, OU paths, targets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

use super::regions;
use super::{string_newtype, with_hint};

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountId(String);
string_newtype!(AccountId, check_account_id, "pattern" => "^[0-9]{12}$", "description" => "A 12-digit AWS account id");

impl AccountId {
    pub fn parse(s: &str) -> Result<Self, String> {
        check_account_id(s)?;
        Ok(AccountId(s.to_owned()))
    }
}

fn check_account_id(s: &str) -> Result<(), String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("`{s}` is not an AWS account id: expected 12 digits"))
    }
}

/// An AWS region name plinth knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Region(String);
string_newtype!(Region, check_region, "enum" => regions::KNOWN);

impl Region {
    /// A region name, checked as the baseline checks it.
    pub fn parse(s: &str) -> Result<Self, String> {
        check_region(s)?;
        Ok(Region(s.to_owned()))
    }

    pub fn us_east_1() -> Self {
        Region("us-east-1".into())
    }
}

pub(super) fn check_region(s: &str) -> Result<(), String> {
    if regions::is_known(s) {
        return Ok(());
    }
    Err(with_hint(
        format!("unknown region `{s}`"),
        Some(match regions::suggest(s) {
            Some(r) => format!("did you mean `{r}`?"),
            None => "region names look like `us-east-1` or `eu-west-1`".to_owned(),
        }),
    ))
}

/// An organizational unit path below the root: `Workloads/Prod`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OuPath(String);
string_newtype!(OuPath, check_ou_path, "pattern" => "^[^/]+(/[^/]+)*$", "description" => "An OU path below the root, like `Workloads/Prod`");

impl OuPath {
    pub fn parse(s: &str) -> Result<Self, String> {
        check_ou_path(s)?;
        Ok(OuPath(s.to_owned()))
    }
    /// Segments from the top: `["Workloads", "Prod"]`.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
    /// The path of the parent OU, `None` for an OU directly below the root.
    pub fn parent(&self) -> Option<OuPath> {
        self.0.rsplit_once('/').map(|(p, _)| OuPath(p.to_owned()))
    }
    /// The last segment, the OU's own name.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
    /// This path and each of its ancestors, top first.
    pub fn with_ancestors(&self) -> Vec<OuPath> {
        let mut out = Vec::new();
        let mut acc = String::new();
        for seg in self.segments() {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(seg);
            out.push(OuPath(acc.clone()));
        }
        out
    }
}

fn check_ou_path(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("an OU path cannot be empty".into());
    }
    if s.starts_with('/') || s.ends_with('/') {
        return Err(with_hint(
            format!("OU path `{s}` has a leading or trailing `/`"),
            Some(format!("write it relative to the root: `{}`", s.trim_matches('/'))),
        ));
    }
    for seg in s.split('/') {
        if seg.is_empty() {
            return Err(format!("OU path `{s}` has an empty segment"));
        }
        if seg.chars().count() > 128 {
            return Err(format!("OU name `{seg}` is longer than 128 characters"));
        }
        if seg.chars().any(|c| c.is_control()) {
            return Err(format!("OU name `{seg}` contains a control character"));
        }
    }
    Ok(())
}

/// Where an SCP is attached: the root, an OU by path, or an account by id or name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Target {
    Root,
    Ou(OuPath),
    Account(String),
}

impl schemars::JsonSchema for Target {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Target".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(root|ou:[^/]+(/[^/]+)*|account:.+)$",
            "description": "`root`, `ou:<path>` (every account in it and below) or `account:<id or name>`"
        })
    }
}

impl TryFrom<String> for Target {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Target::parse(&s)
    }
}

impl From<Target> for String {
    fn from(t: Target) -> String {
        t.to_string()
    }
}

impl Target {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "root" {
            return Ok(Target::Root);
        }
        if let Some(path) = s.strip_prefix("ou:") {
            return OuPath::parse(path).map(Target::Ou);
        }
        if let Some(acct) = s.strip_prefix("account:") {
            if acct.is_empty() {
                return Err("`account:` needs an account id or name".into());
            }
            return Ok(Target::Account(acct.to_owned()));
        }
        Err(with_hint(
            format!("unknown target `{s}`"),
            Some("targets are `root`, `ou:<path>` (like `ou:Workloads/Prod`) or `account:<id or name>`".into()),
        ))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Root => f.write_str("root"),
            Target::Ou(p) => write!(f, "ou:{p}"),
            Target::Account(a) => write!(f, "account:{a}"),
        }
    }
}

/// An IAM role name (no path), as `[organization] member_role` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleName(String);

string_newtype!(RoleName, check_role_name, "pattern" => "^[A-Za-z0-9+=,.@_-]{1,64}$");

/// An IAM role name without a path: 1 to 64 of letters, digits and `+=,.@_-`.
fn check_role_name(s: &str) -> Result<(), String> {
    if (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)) {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{s}` is not an IAM role name"),
            Some(
                "use 1 to 64 letters, digits or `+=,.@_-`, without a path, like `OrganizationAccountAccessRole`".into(),
            ),
        ))
    }
}

/// The external id a role's trust policy may ask of `sts:AssumeRole`.
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalId(String);

impl fmt::Debug for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExternalId(..)")
    }
}

string_newtype!(ExternalId, check_external_id, "pattern" => "^[A-Za-z0-9+=,.@:/_-]{2,1224}$");

/// An `sts:AssumeRole` external id: 2 to 1,224 of letters, digits and `+=,.@:/_-`.
fn check_external_id(s: &str) -> Result<(), String> {
    if (2..=1224).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c)) {
        Ok(())
    } else {
        // Not echoed: an external id is not a secret, but it is not the plan's business either.
        Err(with_hint(
            "the external id is not one AWS accepts",
            Some("use 2 to 1,224 letters, digits or `+=,.@:/_-`".into()),
        ))
    }
}
