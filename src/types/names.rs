//! Names and values of the resources plinth makes: policies, principals, e-mails,
//! topics, alarms, amounts, accounts, trails, buckets, keys.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

use super::{string_newtype, with_hint};

/// The name of an SCP, as AWS accepts it (1–128 characters, no control characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PolicyName(String);
string_newtype!(PolicyName, check_policy_name, "pattern" => "^[A-Za-z0-9+=,.@_ -]{1,128}$");

impl PolicyName {
    pub fn new_unchecked(s: &str) -> Self {
        PolicyName(s.to_owned())
    }

    /// Whether a baseline can name a policy `s` (what `plinth import` may write).
    pub fn accepts(s: &str) -> bool {
        check_policy_name(s).is_ok()
    }
}

pub(super) fn check_policy_name(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n == 0 || n > 128 {
        return Err(format!("policy name `{s}` must be 1 to 128 characters, not {n}"));
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@-_ ".contains(c)) {
        return Err(with_hint(
            format!("policy name `{s}` has a character plinth's policy names do not take"),
            Some(
                "use letters, digits, spaces and `+=,.@-_`; AWS takes more, but these names stay safe in plan addresses, file names and shells"
                    .into(),
            ),
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

impl PrincipalPattern {
    /// A pattern plinth makes itself (the member role in every account).
    pub fn new_unchecked(s: &str) -> Self {
        PrincipalPattern(s.to_owned())
    }
}
string_newtype!(PrincipalPattern, check_principal_pattern, "pattern" => "^arn:(aws|aws-us-gov|aws-cn|\\*):iam::(\\*|[0-9*?]{12}):.+$", "description" => "An IAM principal ARN; `*` and `?` wildcards allowed");

pub(super) fn check_principal_pattern(s: &str) -> Result<(), String> {
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
string_newtype!(Email, check_email, "format" => "email");

pub(super) fn check_email(s: &str) -> Result<(), String> {
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
string_newtype!(TopicName, check_topic_name, "pattern" => "^[A-Za-z0-9_-]{1,256}$");

impl TopicName {
    pub fn default_billing() -> Self {
        TopicName("plinth-billing-alerts".into())
    }
}

pub(super) fn check_topic_name(s: &str) -> Result<(), String> {
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
string_newtype!(AlarmName, check_alarm_name, "pattern" => "^[A-Za-z0-9._-]{1,200}$");

pub(super) fn check_alarm_name(s: &str) -> Result<(), String> {
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

impl schemars::JsonSchema for Usd {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Usd".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "exclusiveMinimum": 0, "description": "US dollars" })
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
string_newtype!(AccountName, check_account_name, "minLength" => 1, "maxLength" => 50);

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
string_newtype!(TrailName, check_trail_name, "pattern" => "^[A-Za-z0-9]([A-Za-z0-9._-]{1,126})[A-Za-z0-9]$");

pub(super) fn check_trail_name(name: &str) -> Result<(), String> {
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
string_newtype!(BucketName, check_bucket_name, "pattern" => "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");

pub(super) fn check_bucket_name(name: &str) -> Result<(), String> {
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
string_newtype!(KmsKeyArn, check_kms_key_arn, "pattern" => "^arn:aws[a-z-]*:kms:us-east-1:[0-9]{12}:key/.+$");

pub(super) fn check_kms_key_arn(s: &str) -> Result<(), String> {
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
