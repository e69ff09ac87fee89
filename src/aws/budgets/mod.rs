//! AWS Budgets (a global service served from us-east-1): plinth's cost budgets in the
//! management account, their notifications and subscribers, and their tags. Reads here;
//! writes in `write`, AWS's shapes in `shapes`.

mod shapes;
mod write;

use aws_sdk_budgets::Client;
use aws_sdk_budgets::types::{
    AutoAdjustType, ComparisonOperator, Notification, NotificationType, SubscriptionType, ThresholdType,
};
use futures::{StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{
    Budget, BudgetNotification, BudgetSpec, BudgetSubscriber, NotificationKind, Ownership, SubscriberKind, ownership,
};
use shapes::linked_account;

const SERVICE: &str = crate::aws::Service::Budgets.sdk_name();
/// Budgets read at once (each is a few small reads; AWS publishes no rate for Budgets,
/// and the pacer's default applies).
const CONCURRENCY: usize = 4;

pub struct Budgets {
    client: Client,
}

/// The ARN of a budget, for its tags.
pub fn budget_arn(account_id: &str, name: &str) -> String {
    format!("arn:aws:budgets::{account_id}:budget/{name}")
}

impl Budgets {
    pub fn new(client: Client) -> Self {
        Budgets { client }
    }

    /// The account's budgets whose names start with `prefix` or are in `named`, each with
    /// its notifications, subscribers and tags.
    pub async fn read_budgets(
        &self,
        account_id: &str,
        prefix: &str,
        named: &[String],
    ) -> Result<Vec<Budget>, AwsError> {
        let pages: Vec<_> = self
            .client
            .describe_budgets()
            .account_id(account_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "DescribeBudgets")?;
        let wanted: Vec<_> = pages
            .iter()
            .flat_map(|p| p.budgets())
            .filter(|b| b.budget_name().starts_with(prefix) || named.iter().any(|n| n == b.budget_name()))
            .cloned()
            .collect();
        futures::stream::iter(wanted)
            .map(|b| self.read_one(account_id, b))
            .buffered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// A budget's tags, as (key, value).
    async fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, AwsError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .ctx(SERVICE, "ListTagsForResource")?;
        Ok(out
            .resource_tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    /// Whether the budget `name` (of this ARN) is plinth's: its tag, and no sign of another tool.
    async fn owned(&self, arn: &str, name: &str) -> Result<bool, AwsError> {
        Ok(of(name, &self.tags(arn).await?).owned)
    }

    async fn read_one(&self, account_id: &str, b: aws_sdk_budgets::types::Budget) -> Result<Budget, AwsError> {
        let name = b.budget_name().to_owned();
        let arn = budget_arn(account_id, &name);
        let (tags, (notifications, foreign_alerts)) =
            futures::try_join!(self.tags(&arn), self.read_notifications(account_id, &name))?;
        let Ownership { owned, managed_by } = of(&name, &tags);
        let spec = BudgetSpec {
            limit_usd: b.budget_limit().and_then(|l| l.amount().parse().ok()),
            linked_account: linked_account(&b),
            auto_adjust_months: b
                .auto_adjust_data()
                .filter(|a| *a.auto_adjust_type() == AutoAdjustType::Historical)
                .and_then(|a| a.historical_options())
                .map(|h| h.budget_adjustment_period()),
            notifications,
            name: name.clone(),
        };
        Ok(Budget {
            spec,
            arn,
            owned,
            managed_by,
            foreign_alerts,
        })
    }

    /// The budget's alerts of plinth's kind (greater than a percentage), and a description
    /// of each other one.
    async fn read_notifications(
        &self,
        account_id: &str,
        budget: &str,
    ) -> Result<(Vec<BudgetNotification>, Vec<String>), AwsError> {
        let pages: Vec<_> = self
            .client
            .describe_notifications_for_budget()
            .account_id(account_id)
            .budget_name(budget)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "DescribeNotificationsForBudget")?;
        let (notifications, others): (Vec<Notification>, Vec<Notification>) =
            pages.iter().flat_map(|p| p.notifications()).cloned().partition(|n| {
                *n.comparison_operator() == ComparisonOperator::GreaterThan
                    && n.threshold_type().is_none_or(|t| *t == ThresholdType::Percentage)
            });
        let foreign = others
            .iter()
            .map(|n| {
                let kind = n.threshold_type().map_or("PERCENTAGE", |t| t.as_str());
                format!(
                    "{} {} {} ({kind})",
                    n.notification_type().as_str(),
                    n.comparison_operator().as_str(),
                    n.threshold()
                )
            })
            .collect();
        let mut out = Vec::new();
        for n in notifications {
            let subscribers: Vec<_> = self
                .client
                .describe_subscribers_for_notification()
                .account_id(account_id)
                .budget_name(budget)
                .notification(n.clone())
                .into_paginator()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "DescribeSubscribersForNotification")?;
            let mut subscribers: Vec<BudgetSubscriber> = subscribers
                .iter()
                .flat_map(|p| p.subscribers())
                .map(|s| BudgetSubscriber {
                    kind: match s.subscription_type() {
                        SubscriptionType::Sns => SubscriberKind::Sns,
                        _ => SubscriberKind::Email,
                    },
                    address: s.address().to_owned(),
                })
                .collect();
            subscribers.sort();
            out.push(BudgetNotification {
                kind: match n.notification_type() {
                    NotificationType::Forecasted => NotificationKind::Forecasted,
                    _ => NotificationKind::Actual,
                },
                threshold_percent: n.threshold(),
                subscribers,
            });
        }
        out.sort_by(|a, b| {
            (a.kind, a.threshold_percent)
                .partial_cmp(&(b.kind, b.threshold_percent))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        Ok((out, foreign))
    }
}

fn of(name: &str, tags: &[(String, String)]) -> Ownership {
    ownership(name, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

pub(super) fn invalid(operation: &'static str) -> impl Fn(aws_smithy_types::error::operation::BuildError) -> AwsError {
    move |e| AwsError::other(SERVICE, operation, e.to_string())
}
