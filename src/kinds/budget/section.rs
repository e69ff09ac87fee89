//! `[[budget]]`: the section, its values checked while parsing, and the checks across
//! values before any AWS call.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::Baseline;
use crate::types::{Email, string_newtype, with_hint};

/// AWS Budgets: at most 10 e-mail recipients per alert (and one SNS topic).
pub const MAX_EMAILS: usize = 10;
/// AWS Budgets' longest budget name; plinth's names carry its prefix.
const MAX_NAME: usize = 100;

/// `[[budget]]`: a monthly AWS Budgets cost budget with actual and forecast alerts.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetDecl {
    /// The budget's name in the baseline; in AWS Budgets it is `plinth-<name>`.
    #[schemars(with = "BudgetName")]
    pub name: Spanned<BudgetName>,
    /// The monthly amount in US dollars (leave out with `auto_adjust`).
    #[schemars(with = "Option<Amount>")]
    pub amount_usd: Option<Spanned<Amount>>,
    /// Alert when the month's forecast passes this percentage of the amount.
    #[schemars(with = "Option<Percent>")]
    pub forecast_alert_percent: Option<Spanned<Percent>>,
    /// Alert when the month's actual spend passes this percentage of the amount.
    #[schemars(with = "Option<Percent>")]
    pub actual_alert_percent: Option<Spanned<Percent>>,
    /// Who the alerts reach: e-mail addresses, and `billing` for the `[billing]` section's topic.
    #[serde(default)]
    #[schemars(with = "Vec<Recipient>")]
    pub notify: Vec<Spanned<Recipient>>,
    /// Account id or name: a budget of that account's spend only (`LinkedAccount` filter).
    #[schemars(with = "Option<String>")]
    pub account: Option<Spanned<String>>,
    /// `last_N_months` (1 to 60): the amount follows the average spend of the past N months.
    #[schemars(with = "Option<AutoAdjust>")]
    pub auto_adjust: Option<Spanned<AutoAdjust>>,
}

/// A budget's name: letters, digits and `-_.`, at most 93 characters (AWS allows 100,
/// plinth's prefix takes 7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BudgetName(String);
string_newtype!(BudgetName, check_name, "pattern" => "^[A-Za-z0-9_.-]{1,93}$");

fn check_name(s: &str) -> Result<(), String> {
    let max = MAX_NAME - super::PREFIX.len();
    if s.is_empty() || s.len() > max || !s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(with_hint(
            format!("`{s}` is not a budget name"),
            Some(format!(
                "use 1 to {max} letters, digits, `-`, `_` or `.`; AWS Budgets names it `{}<name>`",
                super::PREFIX
            )),
        ));
    }
    Ok(())
}

/// A budget amount: more than 0 US dollars.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Amount(f64);

impl Amount {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl schemars::JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "exclusiveMinimum": 0, "description": "US dollars a month" })
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 {
            return Ok(Amount(v));
        }
        Err(de::Error::custom(with_hint(
            format!("budget amount `{v}` must be more than 0 US dollars"),
            Some("the amount is what the organization (or the account) may spend in a month".into()),
        )))
    }
}

/// An alert threshold: a percentage of the budget, more than 0 and at most 1,000.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Percent(f64);

impl Percent {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl schemars::JsonSchema for Percent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1000, "description": "per cent of the budget" })
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 && v <= 1000.0 {
            return Ok(Percent(v));
        }
        Err(de::Error::custom(with_hint(
            format!("alert threshold `{v}` is not a percentage from 0 to 1,000"),
            Some("write the percentage of the budget, like `80` for 80 %; over 100 alerts on overspend".into()),
        )))
    }
}

/// Who a budget's alerts reach.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Email(Email),
    /// The `[billing]` section's SNS topic.
    BillingTopic,
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Email(e) => e.fmt(f),
            Recipient::BillingTopic => f.write_str("billing"),
        }
    }
}

impl schemars::JsonSchema for Recipient {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Recipient".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "an e-mail address, or `billing` for the `[billing]` section's SNS topic",
            "anyOf": [{ "format": "email" }, { "const": "billing" }]
        })
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "billing" {
            return Ok(Recipient::BillingTopic);
        }
        if !s.contains('@') {
            return Err(de::Error::custom(with_hint(
                format!("`{s}` is neither an e-mail address nor `billing`"),
                Some("list e-mail addresses, or `billing` for the topic of the `[billing]` section".into()),
            )));
        }
        let email: Email = serde_json::from_value(serde_json::Value::String(s)).map_err(de::Error::custom)?;
        Ok(Recipient::Email(email))
    }
}

/// `last_N_months`: a budget whose amount AWS sets to the average spend of the past N
/// months (`AutoAdjustData` `HISTORICAL`, 1 to 60 months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AutoAdjust(pub i32);

impl schemars::JsonSchema for AutoAdjust {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AutoAdjust".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^last_[0-9]{1,2}_months?$" })
    }
}

impl fmt::Display for AutoAdjust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("last_1_month"),
            n => write!(f, "last_{n}_months"),
        }
    }
}

impl<'de> Deserialize<'de> for AutoAdjust {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let months = s
            .strip_prefix("last_")
            .and_then(|r| r.strip_suffix("_months").or_else(|| r.strip_suffix("_month")))
            .and_then(|n| n.parse::<i32>().ok())
            .filter(|n| (1..=60).contains(n));
        months.map(AutoAdjust).ok_or_else(|| {
            de::Error::custom(with_hint(
                format!("`{s}` is not a way to auto-adjust a budget"),
                Some("write `last_N_months` with N from 1 to 60, like `last_3_months`".into()),
            ))
        })
    }
}

pub(super) fn validate(baseline: &Baseline, section: &[Spanned<BudgetDecl>], diags: &mut Diagnostics) {
    let src = &baseline.source;
    let mut names = HashMap::new();
    for decl in section {
        let b = decl.get_ref();
        let name = &b.name;
        if let Some(first) = names.insert(name.get_ref().clone(), name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("budget `{}` is declared twice", name.get_ref()))
                    .at(src, name.span())
                    .hint(format!("it is first declared on line {line}; budget names are unique")),
            );
        }
        match (&b.amount_usd, &b.auto_adjust) {
            (None, None) => diags.push(
                Diagnostic::error(format!("budget `{}` has no amount", name.get_ref()))
                    .at(src, decl.span())
                    .hint("add `amount_usd`, or `auto_adjust = \"last_3_months\"` to follow recent spend"),
            ),
            (Some(amount), Some(_)) => diags.push(
                Diagnostic::error(format!(
                    "budget `{}` has both `amount_usd` and `auto_adjust`",
                    name.get_ref()
                ))
                .at(src, amount.span())
                .hint("an auto-adjusting budget's amount is what AWS computes from recent spend: leave `amount_usd` out"),
            ),
            _ => {}
        }
        let alerts = b.forecast_alert_percent.is_some() || b.actual_alert_percent.is_some();
        if alerts && b.notify.is_empty() {
            diags.push(
                Diagnostic::error(format!("budget `{}` has alerts but nobody to notify", name.get_ref()))
                    .at(src, decl.span())
                    .hint("add `notify = [\"finance@example.com\"]`, or `\"billing\"` for the `[billing]` topic"),
            );
        }
        if !alerts && !b.notify.is_empty() {
            diags.push(
                Diagnostic::error(format!("budget `{}` lists `notify` but no alert", name.get_ref()))
                    .at(src, b.notify[0].span())
                    .hint("add `forecast_alert_percent` or `actual_alert_percent`"),
            );
        }
        let mut seen = HashMap::new();
        for r in &b.notify {
            let key = r.get_ref().to_string().to_ascii_lowercase();
            if seen.insert(key, ()).is_some() {
                diags.push(
                    Diagnostic::error(format!("`{}` is listed twice in budget `{}`", r.get_ref(), name.get_ref()))
                        .at(src, r.span()),
                );
            }
            if *r.get_ref() == Recipient::BillingTopic && crate::kinds::cross::billing_topic(baseline).is_none() {
                diags.push(
                    Diagnostic::error("`billing` names the `[billing]` section's topic, and there is no `[billing]`")
                        .at(src, r.span())
                        .hint("add a `[billing]` section, or list e-mail addresses"),
                );
            }
        }
        let emails = b.notify.iter().filter(|r| matches!(r.get_ref(), Recipient::Email(_))).count();
        if emails > MAX_EMAILS {
            diags.push(
                Diagnostic::error(format!(
                    "budget `{}` notifies {emails} e-mail addresses; AWS Budgets allows {MAX_EMAILS} per alert",
                    name.get_ref()
                ))
                .at(src, b.notify[MAX_EMAILS].span())
                .hint("notify a mailing list, or `billing` (the `[billing]` topic, which takes any number of subscribers)"),
            );
        }
    }
}
