//! AWS Budgets writes: `execute` dispatches each [`BudgetsCall`] to its call. A retried
//! write whose first answer was lost finds its work done, AWS's "already exists" or "not
//! found", and that is success.

use aws_sdk_budgets::types::NotificationWithSubscribers;

use super::shapes::{budget, notification, owner_tag, subscribers};
use super::{Budgets, SERVICE, budget_arn};
use crate::aws::{AwsError, Context, ErrorKind};
use crate::observed::{BudgetNotification, BudgetSpec, BudgetSubscriber};
use crate::plan::{BudgetsCall, BudgetsOp, Ref};

impl Budgets {
    pub async fn execute(
        &self,
        op: &BudgetsOp,
        resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        let account = op.account_id.as_str();
        match &op.call {
            BudgetsCall::CreateBudget { spec, linked_account } => {
                let mut spec = (**spec).clone();
                if let Some(r) = linked_account {
                    spec.linked_account = Some(resolve(r).ok_or_else(|| {
                        AwsError::other(
                            SERVICE,
                            "CreateBudget",
                            "the account this budget filters on was not created",
                        )
                    })?);
                }
                return self.create_budget(account, &spec).await;
            }
            BudgetsCall::UpdateBudget { spec } => self.update_budget(account, spec).await?,
            BudgetsCall::CreateNotification {
                budget,
                notification: n,
            } => self.create_notification(account, budget, n).await?,
            BudgetsCall::DeleteNotification {
                budget,
                notification: n,
            } => self.delete_notification(account, budget, n).await?,
            BudgetsCall::CreateSubscriber {
                budget,
                notification: n,
                subscriber,
            } => self.create_subscriber(account, budget, n, subscriber).await?,
            BudgetsCall::DeleteSubscriber {
                budget,
                notification: n,
                subscriber,
            } => self.delete_subscriber(account, budget, n, subscriber).await?,
            BudgetsCall::TagResource { budget_arn } => self.tag_budget(budget_arn).await?,
            BudgetsCall::DeleteBudget { budget } => self.delete_budget(account, budget).await?,
        }
        Ok(None)
    }

    /// The budget with its notifications and subscribers, tagged; returns its ARN.
    async fn create_budget(&self, account: &str, spec: &BudgetSpec) -> Result<Option<String>, AwsError> {
        let mut call = self
            .client
            .create_budget()
            .account_id(account)
            .budget(budget(spec, "CreateBudget")?)
            .resource_tags(owner_tag("CreateBudget")?);
        for n in &spec.notifications {
            call = call.notifications_with_subscribers(
                NotificationWithSubscribers::builder()
                    .notification(notification(n, "CreateBudget")?)
                    .set_subscribers(Some(subscribers(&n.subscribers, "CreateBudget")?))
                    .build()
                    .map_err(|e| AwsError::other(SERVICE, "CreateBudget", e.to_string()))?,
            );
        }
        let arn = budget_arn(account, &spec.name);
        match call.send().await.ctx(SERVICE, "CreateBudget") {
            Ok(_) => Ok(Some(arn)),
            // A retry of a create whose answer was lost: the budget is there, tagged.
            Err(e) if e.is_already_exists() && self.owned(&arn, &spec.name).await? => Ok(Some(arn)),
            Err(e) => Err(e),
        }
    }

    async fn update_budget(&self, account: &str, spec: &BudgetSpec) -> Result<(), AwsError> {
        self.client
            .update_budget()
            .account_id(account)
            .new_budget(budget(spec, "UpdateBudget")?)
            .send()
            .await
            .ctx(SERVICE, "UpdateBudget")
            .map(drop)
    }

    async fn create_notification(&self, account: &str, budget: &str, n: &BudgetNotification) -> Result<(), AwsError> {
        self.client
            .create_notification()
            .account_id(account)
            .budget_name(budget)
            .notification(notification(n, "CreateNotification")?)
            .set_subscribers(Some(subscribers(&n.subscribers, "CreateNotification")?))
            .send()
            .await
            .ctx(SERVICE, "CreateNotification")
            .map(drop)
            .or_else(already(ErrorKind::AlreadyExists))
    }

    async fn delete_notification(&self, account: &str, budget: &str, n: &BudgetNotification) -> Result<(), AwsError> {
        self.client
            .delete_notification()
            .account_id(account)
            .budget_name(budget)
            .notification(notification(n, "DeleteNotification")?)
            .send()
            .await
            .ctx(SERVICE, "DeleteNotification")
            .map(drop)
            .or_else(already(ErrorKind::NotFound))
    }

    async fn create_subscriber(
        &self,
        account: &str,
        budget: &str,
        n: &BudgetNotification,
        subscriber: &BudgetSubscriber,
    ) -> Result<(), AwsError> {
        let s = subscribers(std::slice::from_ref(subscriber), "CreateSubscriber")?;
        self.client
            .create_subscriber()
            .account_id(account)
            .budget_name(budget)
            .notification(notification(n, "CreateSubscriber")?)
            .set_subscriber(s.into_iter().next())
            .send()
            .await
            .ctx(SERVICE, "CreateSubscriber")
            .map(drop)
            .or_else(already(ErrorKind::AlreadyExists))
    }

    async fn delete_subscriber(
        &self,
        account: &str,
        budget: &str,
        n: &BudgetNotification,
        subscriber: &BudgetSubscriber,
    ) -> Result<(), AwsError> {
        let s = subscribers(std::slice::from_ref(subscriber), "DeleteSubscriber")?;
        self.client
            .delete_subscriber()
            .account_id(account)
            .budget_name(budget)
            .notification(notification(n, "DeleteSubscriber")?)
            .set_subscriber(s.into_iter().next())
            .send()
            .await
            .ctx(SERVICE, "DeleteSubscriber")
            .map(drop)
            .or_else(already(ErrorKind::NotFound))
    }

    /// Adds plinth's ownership tag to a budget, adopting it.
    async fn tag_budget(&self, arn: &str) -> Result<(), AwsError> {
        self.client
            .tag_resource()
            .resource_arn(arn)
            .resource_tags(owner_tag("TagResource")?)
            .send()
            .await
            .ctx(SERVICE, "TagResource")
            .map(drop)
    }

    async fn delete_budget(&self, account: &str, budget: &str) -> Result<(), AwsError> {
        self.client
            .delete_budget()
            .account_id(account)
            .budget_name(budget)
            .send()
            .await
            .ctx(SERVICE, "DeleteBudget")
            .map(drop)
            .or_else(already(ErrorKind::NotFound))
    }
}

/// A retried write whose first answer was lost finds its work done: AWS's "already
/// exists" or "not found" means what was asked holds.
fn already(kind: ErrorKind) -> impl Fn(AwsError) -> Result<(), AwsError> {
    move |e| if e.kind() == kind { Ok(()) } else { Err(e) }
}
