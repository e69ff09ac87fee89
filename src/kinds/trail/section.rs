//! `[trail]`: the section and the checks it needs before any AWS call.

use serde::Deserialize;
use toml::Spanned;

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
    /// Who the root-usage alarm notifies, on its own topic; the `[billing]` topic otherwise.
    #[serde(default)]
    #[schemars(with = "Vec<Email>")]
    pub notify: Vec<Spanned<Email>>,
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
}

pub(super) fn validate(baseline: &Baseline, section: &Option<Spanned<TrailSection>>, diags: &mut Diagnostics) {
    let src = &baseline.source;
    if let Some(trail) = section {
        let t = trail.get_ref();
        if let Some(alarm) = &t.root_usage_alarm
            && *alarm.get_ref()
        {
            if !t.cloudwatch_logs() {
                diags.push(
                    Diagnostic::error("`root_usage_alarm` needs `cloudwatch_logs = true`")
                        .at(src, alarm.span())
                        .cause("the alarm counts root user activity in the trail's CloudWatch Logs log group")
                        .hint("add `cloudwatch_logs = true` to `[trail]`"),
                );
            }
            if t.notify.is_empty() && crate::kinds::cross::billing_topic(baseline).is_none() {
                diags.push(
                    Diagnostic::error("the root-usage alarm has no one to notify")
                        .at(src, alarm.span())
                        .hint("add `notify = [\"security@example.com\"]` to `[trail]`, or a `[billing]` section whose topic it will use"),
                );
            }
        }
        crate::kinds::common::topic::check_notify(src, "trail.notify", &t.notify, diags);
        if let Some(first) = t.notify.first()
            && !t.root_usage_alarm()
        {
            diags.push(
                Diagnostic::error("`trail.notify` is for the root-usage alarm, which is off")
                    .at(src, first.span())
                    .hint("add `root_usage_alarm = true` (with `cloudwatch_logs = true`), or remove `notify`"),
            );
        }
    }
}
