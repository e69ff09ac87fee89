//! `[sso]`: IAM Identity Center permission sets and who gets them where.
//!
//! Values are checked while parsing (names, ARNs, session durations); the checks that
//! look across entries (duplicates, unknown permission sets, the managed-policy quota,
//! the inline policy's size) are in [`check`]. Group and user names can only be checked
//! against the identity store, so the plan reports unknown ones.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, de};

use super::types::string_newtype;
use toml::Spanned;

use super::Targets;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};

/// AWS's quota on managed policies (AWS managed and customer managed together) per
/// permission set.
pub const MAX_MANAGED_POLICIES: usize = 10;
/// AWS's limit on a permission set's inline policy, in characters.
pub const MAX_INLINE_POLICY_SIZE: usize = 32_768;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoSection {
    #[serde(default)]
    pub permission_set: Vec<Spanned<PermissionSetDecl>>,
    #[serde(default)]
    pub assignment: Vec<Spanned<AssignmentDecl>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetDecl {
    pub name: Spanned<PermissionSetName>,
    pub description: Option<Spanned<Description>>,
    /// ISO-8601, `PT1H` to `PT12H`; AWS's default `PT1H` when absent.
    pub session_duration: Option<Spanned<SessionDuration>>,
    #[serde(default)]
    pub managed_policies: Vec<Spanned<ManagedPolicyArn>>,
    #[serde(default)]
    pub customer_managed_policies: Vec<Spanned<CustomerManagedPolicy>>,
    /// Relative to the baseline file.
    pub inline_policy_file: Option<Spanned<PathBuf>>,
    pub permissions_boundary: Option<Spanned<PermissionsBoundary>>,
    pub relay_state: Option<Spanned<RelayState>>,
}

impl PermissionSetDecl {
    pub fn session_duration(&self) -> SessionDuration {
        self.session_duration
            .as_ref()
            .map_or_else(SessionDuration::default_one_hour, |s| s.get_ref().clone())
    }
}

/// A reference to a customer managed policy, by name and path, that must exist in each
/// account the permission set is provisioned to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerManagedPolicy {
    pub name: IamPolicyName,
    #[serde(default = "IamPath::root")]
    pub path: IamPath,
}

impl fmt::Display for CustomerManagedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.path, self.name)
    }
}

/// `{ managed_policy_arn = "…" }` or `{ name = "…", path = "/" }`; [`check`] makes sure it
/// is exactly one of the two.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBoundary {
    pub managed_policy_arn: Option<Spanned<ManagedPolicyArn>>,
    pub name: Option<Spanned<IamPolicyName>>,
    pub path: Option<Spanned<IamPath>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentDecl {
    pub permission_set: Spanned<PermissionSetName>,
    /// Group display names, as the identity store has them.
    #[serde(default)]
    pub groups: Vec<Spanned<PrincipalName>>,
    /// User names, as the identity store has them.
    #[serde(default)]
    pub users: Vec<Spanned<PrincipalName>>,
    /// `root`, `ou:<path>` (every account in it and below) or `account:<id or name>`.
    pub targets: Targets,
}

/// A permission set name: 1 to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PermissionSetName(String);
string_newtype!(PermissionSetName, check_permission_set_name);

/// A permission set description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Description(String);
string_newtype!(Description, check_description);

/// An AWS managed policy ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ManagedPolicyArn(String);
string_newtype!(ManagedPolicyArn, check_managed_policy_arn);

/// An IAM policy name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IamPolicyName(String);
string_newtype!(IamPolicyName, check_iam_policy_name);

/// An IAM path, `/` or `/platform/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IamPath(String);
string_newtype!(IamPath, check_iam_path);

/// Where the console opens after sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RelayState(String);
string_newtype!(RelayState, check_relay_state);

/// A group display name or user name in the identity store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PrincipalName(String);
string_newtype!(PrincipalName, check_principal_name);

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

/// The checks across `[sso]` entries.
pub fn check(src: &SourceFile, sso: &SsoSection, inline: &HashMap<String, super::PolicyFile>, diags: &mut Diagnostics) {
    let mut names: HashMap<&PermissionSetName, std::ops::Range<usize>> = HashMap::new();
    for ps in &sso.permission_set {
        let ps = ps.get_ref();
        if let Some(first) = names.insert(ps.name.get_ref(), ps.name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("permission set `{}` is declared twice", ps.name.get_ref()))
                    .at(src, ps.name.span())
                    .hint(format!(
                        "it is first declared on line {line}; permission set names are unique"
                    )),
            );
        }
        let total = ps.managed_policies.len() + ps.customer_managed_policies.len();
        if total > MAX_MANAGED_POLICIES {
            let at = ps
                .managed_policies
                .iter()
                .map(Spanned::span)
                .chain(ps.customer_managed_policies.iter().map(Spanned::span))
                .nth(MAX_MANAGED_POLICIES)
                .unwrap_or(ps.name.span());
            diags.push(
                Diagnostic::error(format!(
                    "permission set `{}` has {total} managed policies; AWS allows {MAX_MANAGED_POLICIES}",
                    ps.name.get_ref()
                ))
                .at(src, at)
                .cause("AWS managed and customer managed policies count together")
                .hint(
                    "move permissions into the inline policy or a customer managed policy, or split the permission set",
                ),
            );
        }
        let mut seen = HashMap::new();
        for arn in &ps.managed_policies {
            if seen.insert(arn.get_ref().as_str(), ()).is_some() {
                diags.push(
                    Diagnostic::error(format!("`{}` is listed twice in `managed_policies`", arn.get_ref()))
                        .at(src, arn.span()),
                );
            }
        }
        let mut seen = HashMap::new();
        for cmp in &ps.customer_managed_policies {
            if seen.insert(cmp.get_ref().to_string(), ()).is_some() {
                diags.push(
                    Diagnostic::error(format!("customer managed policy `{}` is listed twice", cmp.get_ref()))
                        .at(src, cmp.span()),
                );
            }
        }
        if let Some(b) = &ps.permissions_boundary {
            let bd = b.get_ref();
            match (&bd.managed_policy_arn, &bd.name) {
                (Some(_), None) if bd.path.is_none() => {}
                (None, Some(_)) => {}
                _ => diags.push(
                    Diagnostic::error("a permissions boundary is either an AWS managed policy or a customer managed policy")
                        .at(src, b.span())
                        .hint("write `{ managed_policy_arn = \"arn:aws:iam::aws:policy/…\" }` or `{ name = \"…\", path = \"/\" }`"),
                ),
            }
        }
        if let (Some(file), Some(policy)) = (&ps.inline_policy_file, inline.get(ps.name.get_ref().as_str())) {
            let size = crate::policy::minify(&policy.document).chars().count();
            if size > MAX_INLINE_POLICY_SIZE {
                diags.push(
                    Diagnostic::error(format!(
                        "the inline policy of `{}` is {size} characters minified; AWS allows {MAX_INLINE_POLICY_SIZE}",
                        ps.name.get_ref()
                    ))
                    .at(src, file.span())
                    .hint("move permissions into managed policies, or use wildcards to shorten action lists"),
                );
            }
        }
    }

    let mut seen_grants = HashMap::new();
    for a in &sso.assignment {
        let a = a.get_ref();
        let set = a.permission_set.get_ref();
        if !names.contains_key(set) {
            let suggestion = names
                .keys()
                .map(|n| (strsim::jaro_winkler(n.as_str(), set.as_str()), n))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| format!("did you mean `{n}`?"));
            diags.push(
                Diagnostic::error(format!("unknown permission set `{set}`"))
                    .at(src, a.permission_set.span())
                    .hint(suggestion.unwrap_or_else(|| {
                        "assignments name a permission set declared in `[[sso.permission_set]]`".into()
                    })),
            );
        }
        if a.groups.is_empty() && a.users.is_empty() {
            diags.push(
                Diagnostic::error(format!("the assignment of `{set}` names no group and no user"))
                    .at(src, a.permission_set.span())
                    .hint("add `groups = [\"…\"]` or `users = [\"…\"]`"),
            );
        }
        if a.targets.get_ref().is_empty() {
            diags.push(
                Diagnostic::error(format!("the assignment of `{set}` has no targets"))
                    .at(src, a.targets.span())
                    .hint("list `root`, `ou:<path>` or `account:<id or name>`"),
            );
        }
        for (kind, list) in [("group", &a.groups), ("user", &a.users)] {
            for p in list {
                for t in a.targets.get_ref() {
                    let key = (set.clone(), kind, p.get_ref().clone(), t.get_ref().clone());
                    if let Some(first) = seen_grants.insert(key, p.span()) {
                        let (line, _) = src.line_col(first.start);
                        diags.push(
                            Diagnostic::error(format!(
                                "{kind} `{}` gets `{set}` on `{}` twice",
                                p.get_ref(),
                                t.get_ref()
                            ))
                            .at(src, p.span())
                            .hint(format!("it is first granted on line {line}; remove one")),
                        );
                    }
                }
            }
        }
    }
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
