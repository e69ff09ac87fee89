//! What AWS Budgets' operations carry: a budget, its alerts and their subscribers.

use serde::Serialize;

use crate::observed::{BudgetNotification, BudgetSpec, BudgetSubscriber, NotificationKind, SubscriberKind};

#[derive(Serialize)]
pub struct BudgetSpecView<'a> {
    name: &'a str,
    limit_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    linked_account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_adjust_months: Option<i32>,
    notifications: Vec<BudgetNotificationView<'a>>,
}

impl<'a> From<&'a BudgetSpec> for BudgetSpecView<'a> {
    fn from(b: &'a BudgetSpec) -> Self {
        let BudgetSpec {
            name,
            limit_usd,
            linked_account,
            auto_adjust_months,
            notifications,
        } = b;
        BudgetSpecView {
            name,
            limit_usd: *limit_usd,
            linked_account: linked_account.as_deref(),
            auto_adjust_months: *auto_adjust_months,
            notifications: notifications.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize)]
pub struct BudgetNotificationView<'a> {
    kind: NotificationKindView,
    threshold_percent: f64,
    subscribers: Vec<BudgetSubscriberView<'a>>,
}

impl<'a> From<&'a BudgetNotification> for BudgetNotificationView<'a> {
    fn from(n: &'a BudgetNotification) -> Self {
        let BudgetNotification {
            kind,
            threshold_percent,
            subscribers,
        } = n;
        BudgetNotificationView {
            kind: (*kind).into(),
            threshold_percent: *threshold_percent,
            subscribers: subscribers.iter().map(Into::into).collect(),
        }
    }
}

/// `actual` or `forecasted` (not the `forecast` plans show people).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKindView {
    Actual,
    Forecasted,
}

impl From<NotificationKind> for NotificationKindView {
    fn from(k: NotificationKind) -> Self {
        match k {
            NotificationKind::Actual => NotificationKindView::Actual,
            NotificationKind::Forecasted => NotificationKindView::Forecasted,
        }
    }
}

#[derive(Serialize)]
pub struct BudgetSubscriberView<'a> {
    kind: SubscriberKindView,
    address: &'a str,
}

impl<'a> From<&'a BudgetSubscriber> for BudgetSubscriberView<'a> {
    fn from(s: &'a BudgetSubscriber) -> Self {
        let BudgetSubscriber { kind, address } = s;
        BudgetSubscriberView {
            kind: (*kind).into(),
            address,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberKindView {
    Email,
    Sns,
}

impl From<SubscriberKind> for SubscriberKindView {
    fn from(k: SubscriberKind) -> Self {
        match k {
            SubscriberKind::Email => SubscriberKindView::Email,
            SubscriberKind::Sns => SubscriberKindView::Sns,
        }
    }
}
