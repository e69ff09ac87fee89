//! The values `[sso]` takes, each checked while the TOML is parsed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

use crate::types::string_newtype;

/// A permission set name: 1 to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PermissionSetName(String);
string_newtype!(PermissionSetName, check_permission_set_name, "pattern" => "^[A-Za-z0-9+=,.@_-]{1,32}$");

/// A permission set description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Description(String);
string_newtype!(Description, check_description, "pattern" => "^[\\t\\u0020-\\u007e\\u00a0-\\u00ff]{1,700}$");

/// An AWS managed policy ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ManagedPolicyArn(String);
string_newtype!(ManagedPolicyArn, check_managed_policy_arn, "pattern" => "^arn:aws(-us-gov|-cn)?:iam::aws:policy/([^/]+/)*[A-Za-z0-9+=,.@_-]{1,128}$");

/// An IAM policy name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IamPolicyName(String);
string_newtype!(IamPolicyName, check_iam_policy_name, "pattern" => "^[A-Za-z0-9+=,.@_-]{1,128}$");

/// An IAM path, `/` or `/platform/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IamPath(String);
string_newtype!(IamPath, check_iam_path, "pattern" => "^/([!-)+-.0-~]+/)*$", "maxLength" => 512);

/// Where the console opens after sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RelayState(String);
string_newtype!(RelayState, check_relay_state, "pattern" => "^https?://", "maxLength" => 240);

/// A group display name or user name in the identity store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PrincipalName(String);
string_newtype!(PrincipalName, check_principal_name, "pattern" => "\\S", "maxLength" => 1024);

impl IamPath {
    pub fn root() -> Self {
        IamPath("/".into())
    }
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@-_".contains(c)
}

fn check_permission_set_name(s: &str) -> Result<(), String> {
    if s.is_empty() || s.chars().count() > 32 || !s.chars().all(is_iam_name_char) {
        return Err(format!(
            "`{s}` is not a permission set name: 1 to 32 letters, digits and `+=,.@-_`"
        ));
    }
    Ok(())
}

fn check_description(s: &str) -> Result<(), String> {
    // AWS: 1 to 700 characters of Latin-1 letters, digits, white space and punctuation.
    if s.is_empty() || s.chars().count() > 700 {
        return Err("a permission set description has 1 to 700 characters".into());
    }
    if let Some(c) = s.chars().find(|c| (*c as u32) > 0xFF || (c.is_control() && *c != '\t')) {
        return Err(format!(
            "a permission set description cannot contain `{}`: AWS accepts Latin-1 letters, digits, spaces and punctuation",
            c.escape_default()
        ));
    }
    Ok(())
}

fn check_managed_policy_arn(s: &str) -> Result<(), String> {
    let hint = "\nhint: AWS managed policies look like `arn:aws:iam::aws:policy/ReadOnlyAccess`; \
                policies of your own go in `customer_managed_policies = [{ name = \"…\", path = \"/\" }]`";
    let Some(rest) = ["arn:aws:iam::", "arn:aws-us-gov:iam::", "arn:aws-cn:iam::"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
    else {
        return Err(format!("`{s}` is not an IAM managed policy ARN{hint}"));
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return Err(format!("`{s}` is not an IAM managed policy ARN{hint}"));
    };
    let Some(path_and_name) = resource.strip_prefix("policy/") else {
        return Err(format!(
            "`{s}` is not an IAM managed policy ARN: the resource must be `policy/…`{hint}"
        ));
    };
    if account != "aws" {
        return Err(format!(
            "`{s}` is a customer managed policy; `managed_policies` takes AWS managed policies (account `aws`){hint}"
        ));
    }
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    if check_iam_policy_name(name).is_err() || path_and_name.contains("//") {
        return Err(format!(
            "`{s}` is not an IAM managed policy ARN: bad policy name `{name}`{hint}"
        ));
    }
    Ok(())
}

fn check_iam_policy_name(s: &str) -> Result<(), String> {
    if s.is_empty() || s.chars().count() > 128 || !s.chars().all(is_iam_name_char) {
        return Err(format!(
            "`{s}` is not an IAM policy name: 1 to 128 letters, digits and `+=,.@-_`"
        ));
    }
    Ok(())
}

fn check_iam_path(s: &str) -> Result<(), String> {
    let ok = s.starts_with('/')
        && s.ends_with('/')
        && s.len() <= 512
        && !s.contains("//")
        && s.chars().all(|c| c == '/' || (c.is_ascii_graphic() && c != '*'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not an IAM path\nhint: paths start and end with `/`, like `/` or `/platform/`"
        ))
    }
}

fn check_relay_state(s: &str) -> Result<(), String> {
    if s.is_empty() || s.chars().count() > 240 {
        return Err("`relay_state` has 1 to 240 characters".into());
    }
    if !s.starts_with("https://") && !s.starts_with("http://") {
        return Err(format!(
            "`{s}` is not a URL\nhint: the relay state is where the console opens, like `https://console.aws.amazon.com/ec2/`"
        ));
    }
    Ok(())
}

fn check_principal_name(s: &str) -> Result<(), String> {
    if s.trim().is_empty() || s.chars().count() > 1024 {
        return Err("group and user names have 1 to 1,024 characters".into());
    }
    Ok(())
}

/// A session duration, ISO-8601 (`PT8H`, `PT90M`), between one and twelve hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionDuration {
    text: String,
    seconds: u32,
}

impl SessionDuration {
    pub fn default_one_hour() -> Self {
        SessionDuration {
            text: "PT1H".into(),
            seconds: 3600,
        }
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn seconds(&self) -> u32 {
        self.seconds
    }
    /// Parse and check the range.
    pub fn parse(s: &str) -> Result<Self, String> {
        let seconds = parse_iso_duration(s).ok_or_else(|| {
            format!("`{s}` is not an ISO-8601 duration\nhint: write hours as `PT8H`, or hours and minutes as `PT1H30M`")
        })?;
        if !(3600..=12 * 3600).contains(&seconds) {
            return Err(format!(
                "session duration `{s}` is outside `PT1H`..`PT12H`\nhint: IAM Identity Center sessions last one to twelve hours"
            ));
        }
        Ok(SessionDuration {
            text: s.to_owned(),
            seconds,
        })
    }
}

impl schemars::JsonSchema for SessionDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SessionDuration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^PT([0-9]+H)?([0-9]+M)?([0-9]+S)?$",
            "description": "ISO 8601, from `PT1H` to `PT12H`"
        })
    }
}

impl<'de> Deserialize<'de> for SessionDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SessionDuration::parse(&s).map_err(de::Error::custom)
    }
}

impl fmt::Display for SessionDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Seconds in an ISO-8601 time duration `PT[nH][nM][nS]`; `None` if it is not one.
pub fn parse_iso_duration(s: &str) -> Option<u32> {
    let mut rest = s.strip_prefix("PT")?;
    if rest.is_empty() {
        return None;
    }
    let mut total: u32 = 0;
    for (unit, factor) in [('H', 3600), ('M', 60), ('S', 1)] {
        if let Some(at) = rest.find(unit) {
            let n = &rest[..at];
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.len() > 6 {
                return None;
            }
            total = total.checked_add(n.parse::<u32>().ok()?.checked_mul(factor)?)?;
            rest = &rest[at + 1..];
        }
    }
    rest.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_durations() {
        assert_eq!(SessionDuration::parse("PT1H").unwrap().seconds(), 3600);
        assert_eq!(SessionDuration::parse("PT12H").unwrap().seconds(), 43200);
        assert_eq!(SessionDuration::parse("PT1H30M").unwrap().seconds(), 5400);
        assert_eq!(SessionDuration::parse("PT90M").unwrap().seconds(), 5400);
        assert_eq!(SessionDuration::parse("PT3600S").unwrap().seconds(), 3600);
        for outside in ["PT13H", "PT59M", "PT12H1S", "PT0H"] {
            let e = SessionDuration::parse(outside).unwrap_err();
            assert!(e.contains("outside `PT1H`..`PT12H`"), "{outside}: {e}");
        }
        for not_iso in ["8h", "PT", "P1D", "PTH", "PT1.5H", "PT1M1H", "pt1h", "PT-1H", ""] {
            let e = SessionDuration::parse(not_iso).unwrap_err();
            assert!(e.contains("not an ISO-8601 duration"), "{not_iso}: {e}");
        }
    }

    #[test]
    fn managed_policy_arns() {
        assert!(check_managed_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess").is_ok());
        assert!(check_managed_policy_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").is_ok());
        assert!(check_managed_policy_arn("arn:aws:iam::aws:policy/service-role/AWSConfigRole").is_ok());
        let e = check_managed_policy_arn("arn:aws:iam::123456789012:policy/mine").unwrap_err();
        assert!(e.contains("customer managed policy"), "{e}");
        for bad in [
            "AdministratorAccess",
            "arn:aws:iam::aws:role/Admin",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::aws:policy/",
            "arn:aws:iam::aws:policy/has space",
        ] {
            assert!(check_managed_policy_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_paths_relay_states() {
        assert!(check_permission_set_name("AdministratorAccess").is_ok());
        assert!(check_permission_set_name("a-name-that-is-longer-than-32-chars").is_err());
        assert!(check_permission_set_name("has space").is_err());
        assert!(check_iam_path("/").is_ok());
        assert!(check_iam_path("/platform/").is_ok());
        assert!(check_iam_path("platform/").is_err());
        assert!(check_iam_path("/a//b/").is_err());
        assert!(check_relay_state("https://console.aws.amazon.com/ec2/").is_ok());
        assert!(check_relay_state("console").is_err());
        assert!(check_description("Full access, one hour at a time").is_ok());
        assert!(check_description("").is_err());
        assert!(check_description("emoji 🙂").is_err());
    }
}
