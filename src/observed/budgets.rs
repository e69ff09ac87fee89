//! AWS Budgets, in the management account: what plinth reads and writes of a cost budget.

use serde::{Deserialize, Serialize};

/// What plinth sets on a monthly cost budget, and reads back to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetSpec {
    /// The budget's name in AWS Budgets.
    pub name: String,
    /// The monthly limit in US dollars; for a budget that follows recent spend, AWS
    /// computes it (`None` when plinth sends none).
    pub limit_usd: Option<f64>,
    /// A per-account budget: the `LinkedAccount` cost filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_account: Option<String>,
    /// A budget that follows the spend of this many past months (`AutoAdjustData`
    /// `HISTORICAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_adjust_months: Option<i32>,
    /// Sorted by kind, then threshold.
    pub notifications: Vec<BudgetNotification>,
}

/// An alert of a budget: when actual or forecast spend passes a percentage of the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetNotification {
    pub kind: NotificationKind,
    pub threshold_percent: f64,
    /// Sorted.
    pub subscribers: Vec<BudgetSubscriber>,
}

impl BudgetNotification {
    /// Two notifications are the same alert when kind and threshold match.
    pub fn same_alert(&self, other: &BudgetNotification) -> bool {
        self.kind == other.kind && (self.threshold_percent - other.threshold_percent).abs() < 1e-9
    }

    pub fn label(&self) -> String {
        format!("{} > {}%", self.kind.as_str(), self.threshold_percent)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Actual,
    Forecasted,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Actual => "actual",
            NotificationKind::Forecasted => "forecast",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BudgetSubscriber {
    pub kind: SubscriberKind,
    pub address: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberKind {
    Email,
    Sns,
}

/// A live budget with plinth's prefix (or one the baseline names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub spec: BudgetSpec,
    pub arn: String,
    /// plinth's: carries `managed-by=plinth` and no sign of another tool (`ownership`).
    pub owned: bool,
    /// Another tool that manages it: never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<super::OtherManager>,
    /// Alerts of a kind plinth never writes (a comparison other than "greater than", an
    /// absolute threshold), described: not in `spec`, so never taken for a declared alert
    /// nor deleted as one (plinth's calls name only its own kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_alerts: Vec<String>,
}
