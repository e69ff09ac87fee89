//! `[[budget]]` end to end against the emulator with the real AWS Budgets client: created
//! with alerts, recipients, filter and tags; converged with zero writes; drift by hand and
//! baseline edits repaired alert by alert and recipient by recipient; a hand-made budget
//! adopted; orphans kept until `--allow-delete`; others' budgets never touched.

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_budgets::types::{
    Budget, BudgetType, ComparisonOperator, Notification, NotificationType, Spend, Subscriber, SubscriptionType,
    ThresholdType, TimeUnit,
};
use plinth::plan::PlanOptions;

const ACCOUNT: &str = "123456789012";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts";

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[billing]
notify = ["finance@example.com"]

[[budget]]
name = "org-monthly"
amount_usd = 10000
forecast_alert_percent = 100
actual_alert_percent = 80
notify = ["finance@example.com", "billing"]

[[budget]]
name = "sandbox"
account = "sandbox"
auto_adjust = "last_3_months"
actual_alert_percent = 120
notify = ["ops@example.com"]
"#;

struct World {
    emu: Emulator,
    budgets: aws_sdk_budgets::Client,
    b: TempBaseline,
}

async fn world() -> World {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let conf = emu.sdk_config().await;
    World {
        budgets: aws_sdk_budgets::Client::new(&conf),
        b: TempBaseline::new(BASELINE, &[]),
        emu,
    }
}

async fn changes(w: &World, options: PlanOptions) -> Vec<String> {
    let plan = w
        .emu
        .session()
        .await
        .plan(&w.b.load(), options)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let mut out: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.kind == "budget")
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect();
    out.extend(plan.orphans.iter().map(|o| format!("orphan {}", o.address)));
    out
}

async fn apply(w: &World, options: PlanOptions) {
    let session = w.emu.session().await;
    let plan = session
        .plan(&w.b.load(), options)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
}

/// A converged plan: no change, no write, and the reads it took.
async fn assert_converged(w: &World) -> u64 {
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    calls
        .calls
        .iter()
        .filter(|(k, _)| k.starts_with("Budgets."))
        .map(|(_, n)| n)
        .sum()
}

fn alert(kind: NotificationType, threshold: f64) -> Notification {
    Notification::builder()
        .notification_type(kind)
        .comparison_operator(ComparisonOperator::GreaterThan)
        .threshold(threshold)
        .threshold_type(ThresholdType::Percentage)
        .build()
        .unwrap()
}

async fn recipients(w: &World, budget: &str, n: Notification) -> Vec<String> {
    let out = w
        .budgets
        .describe_subscribers_for_notification()
        .account_id(ACCOUNT)
        .budget_name(budget)
        .notification(n)
        .send()
        .await
        .unwrap();
    let mut v: Vec<String> = out.subscribers().iter().map(|s| s.address().to_owned()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn budgets_are_created_with_their_alerts_and_converge_with_zero_writes() {
    let w = world().await;
    apply(&w, PlanOptions::default()).await;

    let org = w
        .budgets
        .describe_budget()
        .account_id(ACCOUNT)
        .budget_name("plinth-org-monthly")
        .send()
        .await
        .unwrap();
    let org = org.budget().unwrap();
    assert_eq!(org.budget_limit().unwrap().amount().parse::<f64>().unwrap(), 10000.0);
    assert_eq!(org.time_unit(), &TimeUnit::Monthly);
    assert_eq!(org.budget_type(), &BudgetType::Cost);
    assert!(org.filter_expression().is_none());
    assert_eq!(
        recipients(&w, "plinth-org-monthly", alert(NotificationType::Forecasted, 100.0)).await,
        [TOPIC, "finance@example.com"]
    );
    assert_eq!(
        recipients(&w, "plinth-org-monthly", alert(NotificationType::Actual, 80.0)).await,
        [TOPIC, "finance@example.com"]
    );

    let sandbox = w
        .budgets
        .describe_budget()
        .account_id(ACCOUNT)
        .budget_name("plinth-sandbox")
        .send()
        .await
        .unwrap();
    let sandbox = sandbox.budget().unwrap();
    let filter = sandbox.filter_expression().and_then(|e| e.dimensions()).unwrap();
    let live = w
        .emu
        .session()
        .await
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap();
    assert!(live.is_empty());
    assert_eq!(filter.values().len(), 1);
    assert_eq!(filter.values()[0].len(), 12, "the sandbox account's id");
    let adjust = sandbox.auto_adjust_data().unwrap();
    assert_eq!(adjust.historical_options().unwrap().budget_adjustment_period(), 3);

    let tags = w
        .budgets
        .list_tags_for_resource()
        .resource_arn(format!("arn:aws:budgets::{ACCOUNT}:budget/plinth-sandbox"))
        .send()
        .await
        .unwrap();
    assert!(
        tags.resource_tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "plinth")
    );

    // The billing topic lets AWS Budgets publish, beside CloudWatch.
    let sns = aws_sdk_sns::Client::new(&w.emu.sdk_config().await);
    let attrs = sns.get_topic_attributes().topic_arn(TOPIC).send().await.unwrap();
    let policy = &attrs.attributes().unwrap()["Policy"];
    assert!(
        policy.contains("budgets.amazonaws.com") && policy.contains("PlinthAllowBudgets"),
        "{policy}"
    );

    // Converged: one DescribeBudgets, and per budget its tags, alerts and their recipients.
    let reads = assert_converged(&w).await;
    assert_eq!(reads, 1 + 2 * 2 + 3, "Budgets reads of a converged plan");
}

#[tokio::test]
async fn drift_by_hand_is_shown_alert_by_alert_and_repaired() {
    let w = world().await;
    apply(&w, PlanOptions::default()).await;

    // The amount raised, an alert deleted, a stranger added to the other alert.
    w.budgets
        .update_budget()
        .account_id(ACCOUNT)
        .new_budget(
            Budget::builder()
                .budget_name("plinth-org-monthly")
                .budget_limit(Spend::builder().amount("50000").unit("USD").build().unwrap())
                .time_unit(TimeUnit::Monthly)
                .budget_type(BudgetType::Cost)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    w.budgets
        .delete_notification()
        .account_id(ACCOUNT)
        .budget_name("plinth-org-monthly")
        .notification(alert(NotificationType::Forecasted, 100.0))
        .send()
        .await
        .unwrap();
    w.budgets
        .create_subscriber()
        .account_id(ACCOUNT)
        .budget_name("plinth-org-monthly")
        .notification(alert(NotificationType::Actual, 80.0))
        .subscriber(
            Subscriber::builder()
                .subscription_type(SubscriptionType::Email)
                .address("stranger@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let drift = changes(&w, PlanOptions::default()).await;
    assert_eq!(
        drift,
        [
            "~ budget.org-monthly: amount is 50000 USD, baseline says 10000 USD",
            "- budget.org-monthly.alert.actual_80.recipient.stranger@example.com: `stranger@example.com` is notified of this alert but not in the budget's `notify`",
            "+ budget.org-monthly.alert.forecast_100: budget `plinth-org-monthly` has no alert when forecast spend passes 100%",
        ],
    );
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
    assert_eq!(
        recipients(&w, "plinth-org-monthly", alert(NotificationType::Actual, 80.0)).await,
        [TOPIC, "finance@example.com"]
    );
}

#[tokio::test]
async fn baseline_edits_move_alerts_and_recipients_and_orphans_wait_for_allow_delete() {
    let w = world().await;
    apply(&w, PlanOptions::default()).await;

    // The sandbox budget dropped; org-monthly alerts at 90 % and only by e-mail.
    w.b.rewrite(
        r#"
[organization]
management_account_id = "123456789012"

[billing]
notify = ["finance@example.com"]

[[budget]]
name = "org-monthly"
amount_usd = 10000
forecast_alert_percent = 100
actual_alert_percent = 90
notify = ["finance@example.com"]
"#,
    );
    let plan = changes(&w, PlanOptions::default()).await;
    assert_eq!(
        plan,
        [
            "+ budget.org-monthly.alert.actual_90: budget `plinth-org-monthly` has no alert when actual spend passes 90%",
            "- budget.org-monthly.alert.forecast_100.recipient.arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts: `arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts` is notified of this alert but not in the budget's `notify`",
            "- budget.org-monthly.alert.actual_80: budget `plinth-org-monthly` alerts at actual > 80%, which the baseline does not declare",
            "orphan budget.orphan.sandbox",
        ],
    );
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
    assert!(
        w.budgets
            .describe_budget()
            .account_id(ACCOUNT)
            .budget_name("plinth-sandbox")
            .send()
            .await
            .is_ok(),
        "an orphan is kept without --allow-delete"
    );
    // No budget notifies the billing topic any more: plinth's statement for AWS Budgets is gone.
    let sns = aws_sdk_sns::Client::new(&w.emu.sdk_config().await);
    let attrs = sns.get_topic_attributes().topic_arn(TOPIC).send().await.unwrap();
    let policy = &attrs.attributes().unwrap()["Policy"];
    assert!(
        !policy.contains("PlinthAllowBudgets") && policy.contains("PlinthAllowCloudWatchAlarms"),
        "{policy}"
    );

    let allow = PlanOptions { allow_delete: true };
    assert_eq!(
        changes(&w, allow).await,
        ["- budget.orphan.sandbox: managed by plinth, no longer in the baseline, and `--allow-delete` was given"]
    );
    apply(&w, allow).await;
    assert!(
        w.budgets
            .describe_budget()
            .account_id(ACCOUNT)
            .budget_name("plinth-sandbox")
            .send()
            .await
            .is_err()
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn a_hand_made_budget_of_the_declared_name_is_adopted_and_others_are_left_alone() {
    let w = world().await;
    for name in ["plinth-org-monthly", "team-budget"] {
        w.budgets
            .create_budget()
            .account_id(ACCOUNT)
            .budget(
                Budget::builder()
                    .budget_name(name)
                    .budget_limit(Spend::builder().amount("10000").unit("USD").build().unwrap())
                    .time_unit(TimeUnit::Monthly)
                    .budget_type(BudgetType::Cost)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let plan = changes(&w, PlanOptions::default()).await;
    assert!(
        plan.iter()
            .any(|c| c.starts_with("= budget.org-monthly (adopt): budget `plinth-org-monthly` exists without")),
        "{plan:#?}"
    );
    assert!(plan.iter().all(|c| !c.contains("team-budget")), "{plan:#?}");
    apply(&w, PlanOptions { allow_delete: true }).await;
    assert_converged(&w).await;
    assert!(
        w.budgets
            .describe_budget()
            .account_id(ACCOUNT)
            .budget_name("team-budget")
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn alerts_of_a_kind_plinth_does_not_write_are_never_taken_for_its_own_nor_deleted() {
    let w = world().await;
    apply(&w, PlanOptions::default()).await;
    // Beside the declared `actual > 80%`: `actual < 80%` and `actual > 80 USD`, by hand.
    let foreign = |operator: ComparisonOperator, threshold_type: ThresholdType| {
        Notification::builder()
            .notification_type(NotificationType::Actual)
            .comparison_operator(operator)
            .threshold(80.0)
            .threshold_type(threshold_type)
            .build()
            .unwrap()
    };
    for n in [
        foreign(ComparisonOperator::LessThan, ThresholdType::Percentage),
        foreign(ComparisonOperator::GreaterThan, ThresholdType::AbsoluteValue),
    ] {
        w.budgets
            .create_notification()
            .account_id(ACCOUNT)
            .budget_name("plinth-org-monthly")
            .notification(n)
            .subscribers(
                Subscriber::builder()
                    .subscription_type(SubscriptionType::Email)
                    .address("someone@example.com")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let session = w.emu.session().await;
    let plan = session
        .plan(&w.b.load(), PlanOptions { allow_delete: true })
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(
        plan.notes.iter().any(|n| n
            == "budget `plinth-org-monthly` has alerts of a kind plinth does not write, left as they are: \
                ACTUAL LESS_THAN 80 (PERCENTAGE), ACTUAL GREATER_THAN 80 (ABSOLUTE_VALUE)"),
        "{:?}",
        plan.notes
    );
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
