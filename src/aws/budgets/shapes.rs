//! AWS Budgets' shapes from plinth's: a budget, its notifications and subscribers, the
//! ownership tag; and the account a live budget filters on.

use aws_sdk_budgets::types::{
    AutoAdjustData, AutoAdjustType, BudgetType, ComparisonOperator, Dimension, Expression, ExpressionDimensionValues,
    Notification, NotificationType, ResourceTag, Spend, Subscriber, SubscriptionType, ThresholdType, TimeUnit,
};

use super::{AwsError, invalid};
use crate::observed::{
    BudgetNotification, BudgetSpec, BudgetSubscriber, NotificationKind, OWNER_TAG_KEY, OWNER_TAG_VALUE, SubscriberKind,
};

/// A monthly cost budget as AWS Budgets takes it.
pub(super) fn budget(spec: &BudgetSpec, operation: &'static str) -> Result<aws_sdk_budgets::types::Budget, AwsError> {
    let mut b = aws_sdk_budgets::types::Budget::builder()
        .budget_name(&spec.name)
        .time_unit(TimeUnit::Monthly)
        .budget_type(BudgetType::Cost);
    if let Some(limit) = spec.limit_usd {
        b = b.budget_limit(
            Spend::builder()
                .amount(limit.to_string())
                .unit("USD")
                .build()
                .map_err(invalid(operation))?,
        );
    }
    if let Some(account) = &spec.linked_account {
        b = b.filter_expression(
            Expression::builder()
                .dimensions(
                    ExpressionDimensionValues::builder()
                        .key(Dimension::LinkedAccount)
                        .values(account)
                        .build()
                        .map_err(invalid(operation))?,
                )
                .build(),
        );
    }
    if let Some(months) = spec.auto_adjust_months {
        b = b.auto_adjust_data(
            AutoAdjustData::builder()
                .auto_adjust_type(AutoAdjustType::Historical)
                .historical_options(
                    aws_sdk_budgets::types::HistoricalOptions::builder()
                        .budget_adjustment_period(months)
                        .build()
                        .map_err(invalid(operation))?,
                )
                .build()
                .map_err(invalid(operation))?,
        );
    }
    b.build().map_err(invalid(operation))
}

/// The one account a budget filters on: its `FilterExpression`'s `LINKED_ACCOUNT`
/// dimension, or, for a budget made with the older field, its `CostFilters`.
pub(super) fn linked_account(b: &aws_sdk_budgets::types::Budget) -> Option<String> {
    if let Some(d) = b.filter_expression().and_then(|e| e.dimensions()) {
        return (*d.key() == Dimension::LinkedAccount)
            .then(|| d.values().first().cloned())
            .flatten();
    }
    #[allow(deprecated)]
    let filters = b.cost_filters();
    filters
        .and_then(|f| f.get("LinkedAccount"))
        .and_then(|ids| ids.first().cloned())
}

pub(super) fn notification(n: &BudgetNotification, operation: &'static str) -> Result<Notification, AwsError> {
    Notification::builder()
        .notification_type(match n.kind {
            NotificationKind::Actual => NotificationType::Actual,
            NotificationKind::Forecasted => NotificationType::Forecasted,
        })
        .comparison_operator(ComparisonOperator::GreaterThan)
        .threshold(n.threshold_percent)
        .threshold_type(ThresholdType::Percentage)
        .build()
        .map_err(invalid(operation))
}

pub(super) fn subscribers(list: &[BudgetSubscriber], operation: &'static str) -> Result<Vec<Subscriber>, AwsError> {
    list.iter()
        .map(|s| {
            Subscriber::builder()
                .subscription_type(match s.kind {
                    SubscriberKind::Email => SubscriptionType::Email,
                    SubscriberKind::Sns => SubscriptionType::Sns,
                })
                .address(&s.address)
                .build()
                .map_err(invalid(operation))
        })
        .collect()
}

/// plinth's ownership tag, `managed-by=plinth`.
pub(super) fn owner_tag(operation: &'static str) -> Result<ResourceTag, AwsError> {
    ResourceTag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(invalid(operation))
}
