//! `[trail]`: the section and the checks it needs before any AWS call.

use serde::Deserialize;
use toml::Spanned;

use super::cis::{self, Check};
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Baseline;
use crate::types::{BucketName, Email, KmsKeyArn, TrailName};

/// `[trail]`: one organization-wide, multi-region trail homed in us-east-1, and its bucket.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailSection {
    #[schemars(with = "TrailName")]
    pub name: Spanned<TrailName>,
    /// Created if missing, in the management account.
    #[schemars(with = "BucketName")]
    pub bucket: Spanned<BucketName>,
    /// SSE-KMS for the logs and the bucket, with this key (in us-east-1); SSE-S3 otherwise.
    #[schemars(with = "Option<KmsKeyArn>")]
    pub kms_key_arn: Option<Spanned<KmsKeyArn>>,
    /// Log file integrity validation (digest files); on unless `false`.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub log_file_validation: Option<Spanned<bool>>,
    /// Deliver the trail to a CloudWatch Logs log group too (with the role CloudTrail writes with).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub cloudwatch_logs: Option<Spanned<bool>>,
    /// The CIS root-usage metric filter and an alarm on it; needs `cloudwatch_logs`.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub root_usage_alarm: Option<Spanned<bool>>,
    /// CIS monitoring alarms on the trail's log group: `["cis"]` for all 15 checks of the
    /// CIS AWS Foundations Benchmark's monitoring section, or some of them by name;
    /// needs `cloudwatch_logs`.
    #[serde(default)]
    #[schemars(schema_with = "alarm_names")]
    pub alarms: Vec<Spanned<String>>,
    /// Who the monitoring alarms notify, on their own topic; the `[billing]` topic otherwise.
    #[serde(default)]
    #[schemars(with = "Vec<Email>")]
    pub notify: Vec<Spanned<Email>>,
}

/// The check whose name is two edits or fewer from `name`, if one is.
fn closest(name: &str) -> Option<&'static str> {
    cis::CHECKS
        .iter()
        .map(|c| (strsim::damerau_levenshtein(c.name, name), c.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// `alarms` in the JSON Schema: the names plinth knows, so an editor flags a typo too.
fn alarm_names(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = std::iter::once(cis::ALL)
        .chain(cis::CHECKS.iter().map(|c| c.name))
        .collect();
    schemars::json_schema!({"type": "array", "items": {"type": "string", "enum": names}})
}

impl TrailSection {
    pub fn cloudwatch_logs(&self) -> bool {
        self.cloudwatch_logs.as_ref().is_some_and(|b| *b.get_ref())
    }
    pub fn log_file_validation(&self) -> bool {
        self.log_file_validation.as_ref().is_none_or(|b| *b.get_ref())
    }
    pub fn root_usage_alarm(&self) -> bool {
        self.root_usage_alarm.as_ref().is_some_and(|b| *b.get_ref())
    }

    /// The monitoring checks the section selects, in the table's order: `root_usage_alarm`
    /// and the `alarms` list (names plinth does not know are left to `validate`).
    pub fn checks(&self) -> Vec<&'static Check> {
        let listed = |c: &Check| {
            self.alarms
                .iter()
                .any(|a| a.get_ref() == cis::ALL || a.get_ref() == c.name)
        };
        cis::CHECKS
            .iter()
            .filter(|c| listed(c) || (self.root_usage_alarm() && c.name == cis::ROOT_USAGE.name))
            .collect()
    }

    /// Whether any monitoring alarm is on.
    pub fn monitors(&self) -> bool {
        !self.checks().is_empty()
    }
}

pub(super) fn validate(baseline: &Baseline, section: &Option<Spanned<TrailSection>>, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let Some(trail) = section else {
        return;
    };
    let t = trail.get_ref();
    for name in &t.alarms {
        if name.get_ref() != cis::ALL && cis::check(name.get_ref()).is_none() {
            let known: Vec<&str> = cis::CHECKS.iter().map(|c| c.name).collect();
            diags.push(
                Diagnostic::error(format!(
                    "`{}` is not a monitoring check plinth knows",
                    crate::diag::printable(name.get_ref())
                ))
                .at(src, name.span())
                .cause(format!("the checks: `cis` (all of them), `{}`", known.join("`, `")))
                .hint(match closest(name.get_ref()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "use `alarms = [\"cis\"]` for the whole CIS monitoring set".to_owned(),
                }),
            );
        }
    }
    // Where the first setting that turns alarms on is written.
    let on = t
        .root_usage_alarm
        .as_ref()
        .filter(|b| *b.get_ref())
        .map(Spanned::span)
        .or_else(|| t.alarms.first().map(Spanned::span));
    if let Some(at) = on.clone() {
        if !t.cloudwatch_logs() {
            // At `cloudwatch_logs = false` where it says so, else where the alarms are asked.
            let (place, hint) = match &t.cloudwatch_logs {
                Some(off) => (off.span(), "set `cloudwatch_logs = true`"),
                None => (at.clone(), "add `cloudwatch_logs = true` to `[trail]`"),
            };
            diags.push(
                Diagnostic::error("the monitoring alarms need `cloudwatch_logs = true`")
                    .at(src, place)
                    .cause("each alarm counts events in the trail's CloudWatch Logs log group")
                    .hint(hint),
            );
        }
        if t.notify.is_empty() && crate::kinds::cross::billing_topic(baseline).is_none() {
            diags.push(
                Diagnostic::error("the monitoring alarms have no one to notify")
                    .at(src, at)
                    .hint("add `notify = [\"security@example.com\"]` to `[trail]`, or a `[billing]` section whose topic they will use"),
            );
        }
    }
    crate::kinds::common::topic::check_notify(src, "trail.notify", &t.notify, diags);
    if let Some(first) = t.notify.first()
        && on.is_none()
    {
        diags.push(
            Diagnostic::error("`trail.notify` is for the monitoring alarms, which are off")
                .at(src, first.span())
                .hint("add `alarms = [\"cis\"]` or `root_usage_alarm = true` (with `cloudwatch_logs = true`), or remove `notify`"),
        );
    }
}
