//! `[billing]`: the section and the checks it needs before any AWS call.

use std::collections::HashMap;

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Baseline;
use crate::types::{AlarmName, Email, TopicName, Usd, string_newtype};

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
    /// `plinth` (default): plinth puts its statement letting CloudWatch publish plinth's
    /// alarms (and AWS Budgets, when a budget notifies the topic) in the topic's access
    /// policy. `keep`: plinth leaves an existing topic's policy as it is, for a topic
    /// whose own policy lets them publish (AWS's default topic policy does).
    #[serde(default)]
    pub topic_policy: TopicPolicy,
    #[serde(default)]
    #[schemars(with = "Vec<BillingAlarm>")]
    pub alarm: Vec<Spanned<BillingAlarm>>,
}

/// Who writes the billing topic's access policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicPolicy {
    /// plinth's statements are put in; everyone else's are kept.
    #[default]
    Plinth,
    /// The topic's policy is left as it is.
    Keep,
}

/// What an alarm does while its metric has no data (CloudWatch's `TreatMissingData`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MissingData {
    /// Missing data counts as within the threshold (plinth's default).
    #[default]
    NotBreaching,
    /// Missing data counts as over the threshold.
    Breaching,
    /// The alarm keeps its state.
    Ignore,
    /// The alarm goes to `INSUFFICIENT_DATA` (CloudWatch's own default, and the console's).
    Missing,
}

impl MissingData {
    pub const ALL: [MissingData; 4] = [
        MissingData::NotBreaching,
        MissingData::Breaching,
        MissingData::Ignore,
        MissingData::Missing,
    ];

    /// CloudWatch's value.
    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::NotBreaching => "notBreaching",
            MissingData::Breaching => "breaching",
            MissingData::Ignore => "ignore",
            MissingData::Missing => "missing",
        }
    }

    pub fn parse(s: &str) -> Option<MissingData> {
        MissingData::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// An alarm's description: CloudWatch takes at most 1,024 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmDescription(String);

string_newtype!(AlarmDescription, check_description, "maxLength" => 1024);

impl AlarmDescription {
    pub fn new(s: &str) -> Result<Self, String> {
        check_description(s).map(|()| AlarmDescription(s.to_owned()))
    }
}

fn check_description(s: &str) -> Result<(), String> {
    if s.chars().count() <= 1024 {
        Ok(())
    } else {
        Err(crate::types::with_hint(
            format!("an alarm description of {} characters is too long", s.chars().count()),
            Some("CloudWatch takes at most 1024 characters".into()),
        ))
    }
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
    /// The alarm's description; plinth's own (`Managed by plinth: estimated charges of …`)
    /// when absent.
    #[schemars(with = "Option<AlarmDescription>")]
    pub description: Option<Spanned<AlarmDescription>>,
    /// What the alarm does while billing data is missing.
    #[serde(default)]
    pub treat_missing_data: MissingData,
}

pub(super) fn validate(baseline: &Baseline, section: &Option<toml::Spanned<BillingSection>>, diags: &mut Diagnostics) {
    let src = &baseline.source;
    if let Some(billing) = section {
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
        crate::kinds::common::topic::check_notify(src, "billing.notify", &billing.notify, diags);
    }
}
