//! Newtypes for baseline values, each checked while the TOML is parsed so that a bad
//! value is reported at its own line and column.
//!
//! A `Deserialize` error message may end in `\nhint: …`; the loader turns that part into
//! the diagnostic's hint.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

pub mod regions;

fn with_hint(message: impl fmt::Display, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("{message}\nhint: {h}"),
        None => message.to_string(),
    }
}

macro_rules! string_newtype {
    ($name:ident, $check:path) => {
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

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountId(String);
string_newtype!(AccountId, check_account_id);

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
string_newtype!(Region, check_region);

impl Region {
    pub fn us_east_1() -> Self {
        Region("us-east-1".into())
    }
}

fn check_region(s: &str) -> Result<(), String> {
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
string_newtype!(OuPath, check_ou_path);

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

/// The name of an SCP, as AWS accepts it (1–128 characters, no control characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PolicyName(String);
string_newtype!(PolicyName, check_policy_name);

impl PolicyName {
    pub fn new_unchecked(s: &str) -> Self {
        PolicyName(s.to_owned())
    }
}

fn check_policy_name(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n == 0 || n > 128 {
        return Err(format!("policy name `{s}` must be 1 to 128 characters, not {n}"));
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@-_ ".contains(c)) {
        return Err(with_hint(
            format!("policy name `{s}` has a character AWS rejects"),
            Some("use letters, digits, spaces and `+=,.@-_`".into()),
        ));
    }
    if s.starts_with("plinth-") {
        return Err(with_hint(
            format!("policy name `{s}` uses the prefix `plinth-`, reserved for generated policies"),
            Some("choose another name".into()),
        ));
    }
    Ok(())
}

/// An IAM principal ARN pattern used in `aws:PrincipalARN` conditions:
/// `arn:aws:iam::*:role/BreakGlass`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PrincipalPattern(String);
string_newtype!(PrincipalPattern, check_principal_pattern);

fn check_principal_pattern(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-us-gov" | "aws-cn" | "*")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && (parts[4] == "*"
            || parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'?'))
        && !parts[5].is_empty();
    if ok {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{s}` is not an IAM principal ARN pattern"),
            Some("write it like `arn:aws:iam::*:role/BreakGlass`".into()),
        ))
    }
}

/// An e-mail address for notifications. Checked for the shape SNS accepts, not for
/// deliverability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Email(String);
string_newtype!(Email, check_email);

fn check_email(s: &str) -> Result<(), String> {
    let bad = || {
        Err(with_hint(
            format!("`{s}` is not an e-mail address"),
            Some("write it like `finance@example.com`".into()),
        ))
    };
    let Some((local, domain)) = s.split_once('@') else {
        return bad();
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || s.len() > 254 || !domain_ok || local.chars().any(|c| c.is_whitespace() || c == '@') {
        return bad();
    }
    Ok(())
}

/// An SNS topic name: 1 to 256 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TopicName(String);
string_newtype!(TopicName, check_topic_name);

impl TopicName {
    pub fn default_billing() -> Self {
        TopicName("plinth-billing-alerts".into())
    }
}

fn check_topic_name(s: &str) -> Result<(), String> {
    if (1..=256).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not an SNS topic name: 1 to 256 letters, digits, `-` or `_`"
        ))
    }
}

/// The baseline's name of a billing alarm; the alarm in CloudWatch is
/// `plinth-billing-<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AlarmName(String);
string_newtype!(AlarmName, check_alarm_name);

fn check_alarm_name(s: &str) -> Result<(), String> {
    if (1..=200).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{s}` is not an alarm name plinth accepts"),
            Some("use 1 to 200 letters, digits, `-`, `_` or `.`; plinth prefixes it with `plinth-billing-`".into()),
        ))
    }
}

/// A positive amount in US dollars.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Usd(f64);

impl Usd {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 {
            Ok(Usd(v))
        } else {
            Err(de::Error::custom(with_hint(
                format!("threshold `{v}` must be more than 0 US dollars"),
                Some("billing alarms fire when the month's estimated charges exceed the threshold".into()),
            )))
        }
    }
}

/// An account's name: 1 to 50 characters, as Organizations accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountName(String);
string_newtype!(AccountName, check_account_name);

fn check_account_name(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if (1..=50).contains(&n) && !s.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(format!(
            "account name `{s}` must be 1 to 50 characters without control characters"
        ))
    }
}

/// A CloudTrail trail name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TrailName(String);
string_newtype!(TrailName, check_trail_name);

fn check_trail_name(name: &str) -> Result<(), String> {
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let ends = name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let doubled = ["..", "__", "--", "._", "_.", ".-", "-.", "_-", "-_"]
        .iter()
        .any(|p| name.contains(p));
    if (3..=128).contains(&name.len()) && ok_chars && starts && ends && !doubled {
        Ok(())
    } else {
        Err(format!(
            "trail name `{name}` is not one CloudTrail accepts: 3 to 128 letters, digits, `.`, `_` or `-`, starting and ending with a letter or digit, no two symbols in a row"
        ))
    }
}

/// An S3 general purpose bucket name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BucketName(String);
string_newtype!(BucketName, check_bucket_name);

fn check_bucket_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let edges = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let ip_like = name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok());
    if (3..=63).contains(&name.len())
        && ok_chars
        && edges
        && !name.contains("..")
        && !ip_like
        && !name.starts_with("xn--")
    {
        Ok(())
    } else {
        Err(format!(
            "bucket name `{name}` is not one S3 accepts: 3 to 63 lowercase letters, digits, `.` or `-`, starting and ending with a letter or digit"
        ))
    }
}

/// A KMS key ARN in us-east-1, where the organization trail lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct KmsKeyArn(String);
string_newtype!(KmsKeyArn, check_kms_key_arn);

fn check_kms_key_arn(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let shape = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "kms"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && (parts[5].starts_with("key/") && parts[5].len() > 4);
    if !shape {
        return Err(with_hint(
            format!("`{s}` is not a KMS key ARN"),
            Some("write it like `arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`".into()),
        ));
    }
    if parts[3] != "us-east-1" {
        return Err(with_hint(
            format!(
                "KMS key `{s}` is in `{}`, but the organization trail lives in `us-east-1`",
                parts[3]
            ),
            Some("CloudTrail needs a key in the trail's home region: create or replicate the key in us-east-1".into()),
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_back() {
        for s in ["root", "ou:Workloads/Prod", "account:111111111111", "account:sandbox"] {
            assert_eq!(Target::parse(s).unwrap().to_string(), s);
        }
        assert!(Target::parse("ou:/Prod").unwrap_err().contains("leading or trailing"));
        assert!(
            Target::parse("organization")
                .unwrap_err()
                .contains("unknown target `organization`")
        );
        assert!(Target::parse("account:").is_err());
    }

    #[test]
    fn ou_path_ancestors_and_parent() {
        let p = OuPath::parse("A/B/C").unwrap();
        let anc: Vec<String> = p.with_ancestors().iter().map(|p| p.to_string()).collect();
        assert_eq!(anc, ["A", "A/B", "A/B/C"]);
        assert_eq!(p.parent().unwrap().as_str(), "A/B");
        assert_eq!(p.name(), "C");
        assert!(OuPath::parse("A").unwrap().parent().is_none());
        assert!(OuPath::parse("A//B").is_err());
    }

    #[test]
    fn region_errors_suggest_the_right_name() {
        let e = check_region("eu_west_1").unwrap_err();
        assert!(
            e.contains("unknown region `eu_west_1`") && e.contains("did you mean `eu-west-1`?"),
            "{e}"
        );
        let e = check_region("us-east-9").unwrap_err();
        assert!(e.contains("did you mean `us-east-1`?"), "{e}");
        assert!(check_region("ap-southeast-2").is_ok());
    }

    #[test]
    fn principal_patterns() {
        assert!(check_principal_pattern("arn:aws:iam::*:role/BreakGlass").is_ok());
        assert!(check_principal_pattern("arn:aws:iam::123456789012:role/x").is_ok());
        assert!(check_principal_pattern("BreakGlass").is_err());
        assert!(check_principal_pattern("arn:aws:s3:::bucket").is_err());
    }

    #[test]
    fn emails_topics_alarms() {
        assert!(check_email("finance@example.com").is_ok());
        assert!(check_email("a.b+c@mail.example.co.uk").is_ok());
        for bad in [
            "finance",
            "finance@",
            "@example.com",
            "fin ance@example.com",
            "a@example",
            "a@b..com",
            "a@@b.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_topic_name("plinth-billing-alerts").is_ok());
        assert!(check_topic_name("bad.name").is_err());
        assert!(check_alarm_name("org-monthly").is_ok());
        assert!(check_alarm_name("has space").is_err());
        let usd: Result<Usd, _> = serde_json::from_str("0");
        assert!(usd.unwrap_err().to_string().contains("must be more than 0"));
        let usd: Usd = serde_json::from_str("12.5").unwrap();
        assert_eq!(usd.get(), 12.5);
    }

    #[test]
    fn trail_bucket_and_key_names() {
        assert!(check_trail_name("org-trail").is_ok());
        assert!(check_trail_name("-bad").is_err());
        assert!(check_trail_name("a--b").is_err());
        assert!(check_trail_name("ab").is_err());
        assert!(check_bucket_name("example-org-cloudtrail-logs").is_ok());
        assert!(check_bucket_name("Upper").is_err());
        assert!(check_bucket_name("192.168.1.1").is_err());
        assert!(check_bucket_name("a..b").is_err());
        assert!(check_kms_key_arn("arn:aws:kms:us-east-1:123456789012:key/abcd").is_ok());
        assert!(
            check_kms_key_arn("arn:aws:kms:eu-west-1:123456789012:key/abcd")
                .unwrap_err()
                .contains("is in `eu-west-1`")
        );
        assert!(
            check_kms_key_arn("alias/mine")
                .unwrap_err()
                .contains("not a KMS key ARN")
        );
    }

    #[test]
    fn policy_names() {
        assert!(check_policy_name("deny-iam-users").is_ok());
        assert!(check_policy_name("").is_err());
        assert!(check_policy_name("a/b").is_err());
        assert!(check_policy_name("plinth-mine").is_err());
    }
}
