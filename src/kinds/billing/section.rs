//! `[billing]`: the section and the checks it needs before any AWS call.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Baseline;
use crate::types::{AlarmName, Email, TopicName, Usd};

/// `[billing]`: CloudWatch billing alarms in us-east-1 notifying an SNS topic.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSection {
    /// E-mail subscriptions on plinth's topic.
    #[serde(default)]
    #[schemars(with = "Vec<Email>")]
    pub notify: Vec<Spanned<Email>>,
    #[serde(default = "default_topic_name")]
    #[schemars(with = "TopicName")]
    pub topic_name: Spanned<TopicName>,
    #[serde(default)]
    #[schemars(with = "Vec<BillingAlarm>")]
    pub alarm: Vec<Spanned<BillingAlarm>>,
}

fn default_topic_name() -> Spanned<TopicName> {
    Spanned::new(0..0, TopicName::default_billing())
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingAlarm {
    #[schemars(with = "AlarmName")]
    pub name: Spanned<AlarmName>,
    /// Account id or name: a per-account alarm (LinkedAccount dimension).
    #[schemars(with = "Option<String>")]
    pub account: Option<Spanned<String>>,
    #[schemars(with = "Usd")]
    pub threshold_usd: Spanned<Usd>,
    /// The alarm's name in CloudWatch, for one made before plinth (which then adopts it);
    /// `plinth-billing-<name>` when absent.
    #[schemars(with = "Option<String>")]
    pub alarm_name: Option<Spanned<String>>,
}

pub(super) fn validate(baseline: &Baseline, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let file = &baseline.file;
    if let Some(billing) = &file.billing {
        let billing = billing.get_ref();
        let mut names = HashMap::new();
        for alarm in &billing.alarm {
            let name = &alarm.get_ref().name;
            if let Some(first) = names.insert(name.get_ref().clone(), name.span()) {
                let (line, _) = src.line_col(first.start);
                diags.push(
                    Diagnostic::error(format!("billing alarm `{}` is declared twice", name.get_ref()))
                        .at(src, name.span())
                        .hint(format!("it is first declared on line {line}; alarm names are unique")),
                );
            }
        }
        for alarm in &billing.alarm {
            let Some(full) = &alarm.get_ref().alarm_name else {
                continue;
            };
            let s = full.get_ref();
            let why = if s.is_empty() || s.chars().count() > 255 {
                Some("a CloudWatch alarm name has 1 to 255 characters")
            } else if s.chars().any(char::is_control) {
                Some("a CloudWatch alarm name has no control characters")
            } else if s.starts_with("plinth-") {
                Some("names starting with `plinth-` are plinth's own: leave `alarm_name` out")
            } else {
                None
            };
            if let Some(why) = why {
                diags.push(
                    Diagnostic::error(format!("invalid `alarm_name` `{s}`"))
                        .at(src, full.span())
                        .hint(why),
                );
            }
        }
        let mut emails = HashMap::new();
        for email in &billing.notify {
            let key = email.get_ref().as_str().to_ascii_lowercase();
            if emails.insert(key, ()).is_some() {
                diags.push(
                    Diagnostic::error(format!("`{}` is listed twice in `billing.notify`", email.get_ref()))
                        .at(src, email.span()),
                );
            }
        }
    }
}
