//! AWS Budgets' operations: on a budget of the paying account, the call's fields beside
//! the account's.

use serde::Serialize;

use super::RefView;
use crate::plan::{BudgetsCall, BudgetsOp};
use crate::render::json::specs::{BudgetNotificationView, BudgetSpecView, BudgetSubscriberView};

#[derive(Serialize)]
pub struct BudgetsView<'a> {
    account_id: &'a str,
    #[serde(flatten)]
    call: BudgetsCallView<'a>,
}

impl<'a> From<&'a BudgetsOp> for BudgetsView<'a> {
    fn from(op: &'a BudgetsOp) -> Self {
        BudgetsView {
            account_id: &op.account_id,
            call: (&op.call).into(),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum BudgetsCallView<'a> {
    CreateBudget {
        spec: BudgetSpecView<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        linked_account: Option<RefView<'a>>,
    },
    UpdateBudget {
        spec: BudgetSpecView<'a>,
    },
    CreateNotification {
        budget: &'a str,
        notification: BudgetNotificationView<'a>,
    },
    DeleteNotification {
        budget: &'a str,
        notification: BudgetNotificationView<'a>,
    },
    CreateSubscriber {
        budget: &'a str,
        notification: BudgetNotificationView<'a>,
        subscriber: BudgetSubscriberView<'a>,
    },
    DeleteSubscriber {
        budget: &'a str,
        notification: BudgetNotificationView<'a>,
        subscriber: BudgetSubscriberView<'a>,
    },
    TagResource {
        budget_arn: &'a str,
    },
    DeleteBudget {
        budget: &'a str,
    },
}

impl<'a> From<&'a BudgetsCall> for BudgetsCallView<'a> {
    fn from(call: &'a BudgetsCall) -> Self {
        use BudgetsCall as C;
        use BudgetsCallView as V;
        match call {
            C::CreateBudget { spec, linked_account } => V::CreateBudget {
                spec: spec.as_ref().into(),
                linked_account: linked_account.as_ref().map(Into::into),
            },
            C::UpdateBudget { spec } => V::UpdateBudget {
                spec: spec.as_ref().into(),
            },
            C::CreateNotification { budget, notification } => V::CreateNotification {
                budget,
                notification: notification.into(),
            },
            C::DeleteNotification { budget, notification } => V::DeleteNotification {
                budget,
                notification: notification.into(),
            },
            C::CreateSubscriber {
                budget,
                notification,
                subscriber,
            } => V::CreateSubscriber {
                budget,
                notification: notification.into(),
                subscriber: subscriber.into(),
            },
            C::DeleteSubscriber {
                budget,
                notification,
                subscriber,
            } => V::DeleteSubscriber {
                budget,
                notification: notification.into(),
                subscriber: subscriber.into(),
            },
            C::TagResource { budget_arn } => V::TagResource { budget_arn },
            C::DeleteBudget { budget } => V::DeleteBudget { budget },
        }
    }
}
