//! The baseline: the one TOML file that declares what the organization must look like.
//!
//! Loading parses with spans (`toml::Spanned`), checks each value while parsing (the
//! newtypes in [`types`]), reads the policy files the baseline names, then runs the
//! cross-field checks in [`validate`]. Every problem becomes a [`Diagnostic`] that points
//! at file:line:column.

pub mod regions;
pub mod scp;
pub mod sso;
pub mod types;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::policy::PolicyKind;
pub use types::{
    AccountId, AccountName, AlarmName, BucketName, Email, KmsKeyArn, OuPath, PolicyName, PrincipalPattern, Region,
    Target, TopicName, TrailName, Usd,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub organization: OrganizationSection,
    #[serde(default)]
    pub organizational_units: Vec<OuDecl>,
    #[serde(default)]
    pub scp: ScpSection,
    pub trail: Option<Spanned<TrailSection>>,
    pub billing: Option<Spanned<BillingSection>>,
    /// Accounts as code: created when missing, moved into their OU, never closed.
    #[serde(default)]
    pub account: Vec<Spanned<AccountDecl>>,
    /// IAM Identity Center permission sets and assignments.
    pub sso: Option<Spanned<sso::SsoSection>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDecl {
    pub name: Spanned<AccountName>,
    pub email: Spanned<Email>,
    /// The OU the account belongs in (declared in `organizational_units` or live).
    pub ou: Spanned<OuPath>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSection {
    /// plinth refuses to run with credentials of any other account.
    pub management_account_id: Spanned<AccountId>,
    /// Where plinth's regional resources and IAM Identity Center live.
    #[serde(default = "default_home_region")]
    pub home_region: Spanned<Region>,
}

fn default_home_region() -> Spanned<Region> {
    Spanned::new(0..0, Region::us_east_1())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OuDecl {
    /// Created (with its parents) if missing; never deleted.
    pub path: Spanned<OuPath>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScpSection {
    pub region_deny: Option<Spanned<RegionDeny>>,
    pub cloudtrail_protection: Option<Spanned<CloudTrailProtection>>,
    pub deny_leave_organization: Option<Spanned<DenyLeaveOrganization>>,
    #[serde(default)]
    pub custom: Vec<Spanned<CustomScp>>,
}

pub type Targets = Spanned<Vec<Spanned<Target>>>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionDeny {
    pub allowed_regions: Spanned<Vec<Spanned<Region>>>,
    #[serde(default)]
    pub exempt_principals: Vec<Spanned<PrincipalPattern>>,
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudTrailProtection {
    /// Principals allowed to touch the trail and bucket; defaults to
    /// `scp.region_deny.exempt_principals`.
    pub exempt_principals: Option<Vec<Spanned<PrincipalPattern>>>,
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyLeaveOrganization {
    pub attach: Targets,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomScp {
    pub name: Spanned<PolicyName>,
    /// Relative to the baseline file.
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    pub attach: Targets,
}

/// `[trail]`: one organization-wide, multi-region trail homed in us-east-1, and its bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailSection {
    pub name: Spanned<TrailName>,
    /// Created if missing, in the management account.
    pub bucket: Spanned<BucketName>,
    /// SSE-KMS for the logs and the bucket, with this key (in us-east-1); SSE-S3 otherwise.
    pub kms_key_arn: Option<Spanned<KmsKeyArn>>,
    /// Deliver the trail to a CloudWatch Logs log group too (with the role CloudTrail writes with).
    #[serde(default)]
    pub cloudwatch_logs: Option<Spanned<bool>>,
    /// The CIS root-usage metric filter and an alarm on it; needs `cloudwatch_logs`.
    #[serde(default)]
    pub root_usage_alarm: Option<Spanned<bool>>,
    /// Who the root-usage alarm notifies, on its own topic; the `[billing]` topic otherwise.
    #[serde(default)]
    pub notify: Vec<Spanned<Email>>,
}

impl TrailSection {
    pub fn cloudwatch_logs(&self) -> bool {
        self.cloudwatch_logs.as_ref().is_some_and(|b| *b.get_ref())
    }
    pub fn root_usage_alarm(&self) -> bool {
        self.root_usage_alarm.as_ref().is_some_and(|b| *b.get_ref())
    }
}

/// `[billing]`: CloudWatch billing alarms in us-east-1 notifying an SNS topic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingSection {
    /// E-mail subscriptions on plinth's topic.
    #[serde(default)]
    pub notify: Vec<Spanned<Email>>,
    #[serde(default = "default_topic_name")]
    pub topic_name: Spanned<TopicName>,
    #[serde(default)]
    pub alarm: Vec<Spanned<BillingAlarm>>,
}

fn default_topic_name() -> Spanned<TopicName> {
    Spanned::new(0..0, TopicName::default_billing())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingAlarm {
    pub name: Spanned<AlarmName>,
    /// Account id or name: a per-account alarm (LinkedAccount dimension).
    pub account: Option<Spanned<String>>,
    pub threshold_usd: Spanned<Usd>,
}

/// A custom policy file, read and parsed.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    pub source: SourceFile,
    pub document: serde_json::Value,
}

/// A loaded and validated baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub source: SourceFile,
    pub file: BaselineFile,
    /// Custom policy documents, in the order of `scp.custom`.
    pub custom_documents: Vec<PolicyFile>,
    /// Inline policies of permission sets, by permission set name.
    pub inline_policies: HashMap<String, PolicyFile>,
}

impl Baseline {
    pub fn management_account_id(&self) -> &AccountId {
        self.file.organization.management_account_id.get_ref()
    }
    pub fn home_region(&self) -> &Region {
        self.file.organization.home_region.get_ref()
    }
    pub fn sso(&self) -> Option<&sso::SsoSection> {
        self.file.sso.as_ref().map(Spanned::get_ref)
    }
}

/// Read, parse and validate a baseline file. Makes no AWS call.
pub fn load(path: &Path) -> Result<Baseline, Diagnostics> {
    let text = crate::diag::read_text(path).map_err(|e| {
        Diagnostic::error(format!("cannot read baseline `{}`", path.display()))
            .cause(e.to_string())
            .hint("pass the baseline with `-f FILE`; the default is `baseline.toml` in the current directory")
    })?;
    parse(SourceFile::new(path, text))
}

/// Parse and validate baseline text; policy files are read relative to the source's path.
pub fn parse(source: SourceFile) -> Result<Baseline, Diagnostics> {
    let file: BaselineFile = toml::from_str(&source.text).map_err(|e| toml_diagnostic(&source, &e))?;
    let base_dir = source.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut diags = Diagnostics::default();
    let mut custom_documents = Vec::new();
    for custom in &file.scp.custom {
        match read_policy_file(&source, &base_dir, &custom.get_ref().file, PolicyKind::Scp) {
            Ok(doc) => custom_documents.push(doc),
            Err(d) => diags.push(d),
        }
    }
    let mut inline_policies = HashMap::new();
    for ps in file.sso.iter().flat_map(|s| &s.get_ref().permission_set) {
        let ps = ps.get_ref();
        if let Some(path) = &ps.inline_policy_file {
            match read_policy_file(&source, &base_dir, path, PolicyKind::Identity) {
                Ok(doc) => {
                    inline_policies.insert(ps.name.get_ref().to_string(), doc);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let baseline = Baseline {
        source,
        file,
        custom_documents,
        inline_policies,
    };
    validate::check(&baseline)?;
    Ok(baseline)
}

fn toml_diagnostic(source: &SourceFile, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim_end();
    let (message, hint) = match message.split_once("\nhint: ") {
        Some((m, h)) => (m, Some(h)),
        None => (message, None),
    };
    let mut d = Diagnostic::error(message.trim_end_matches('.').to_owned());
    if let Some(span) = e.span() {
        d = d.at(source, narrow_to_literal(source, span, message));
    }
    if let Some(h) = hint {
        d = d.hint(h);
    } else if message.starts_with("unknown field") || message.starts_with("missing field") {
        d = d.hint("see the baseline reference in README.md for the keys each section takes");
    }
    d
}

/// toml reports a bad element of an array at the whole array; point at the element the
/// message names (its first backticked literal) when the array contains it.
fn narrow_to_literal(source: &SourceFile, span: std::ops::Range<usize>, message: &str) -> std::ops::Range<usize> {
    let text = &source.text[span.clone()];
    if !text.starts_with('[') {
        return span;
    }
    let Some(literal) = message.split('`').nth(1) else {
        return span;
    };
    // The string that is the literal, quotes included; else the one that contains it
    // (`"ou:/Prod/"` for `/Prod/`).
    if let Some(at) = text.find(&format!("\"{literal}\"")) {
        return span.start + at..span.start + at + literal.len() + 2;
    }
    let Some(at) = text.find(literal) else {
        return span;
    };
    let start = text[..at].rfind('"').unwrap_or(at);
    let end = text[at + literal.len()..]
        .find('"')
        .map_or(at + literal.len(), |e| at + literal.len() + e + 1);
    span.start + start..span.start + end
}

fn read_policy_file(
    baseline: &SourceFile,
    base_dir: &Path,
    file: &Spanned<PathBuf>,
    kind: PolicyKind,
) -> Result<PolicyFile, Diagnostic> {
    let path = base_dir.join(file.get_ref());
    let text = crate::diag::read_text(&path).map_err(|e| {
        Diagnostic::error(format!("cannot read policy file `{}`", path.display()))
            .at(baseline, file.span())
            .cause(e.to_string())
            .hint("policy files are relative to the baseline file's directory")
    })?;
    let source = SourceFile::new(path, text);
    let document = crate::policy::parse_document(&source, kind)?;
    Ok(PolicyFile { source, document })
}
