//! Budget plans on plain data.

use std::collections::BTreeMap;

use super::*;
use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Observed, compute};
use crate::observed::{Account, OrgState};
use crate::plan::{Action, PlanOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[billing]

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
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts";

fn b(text: &str) -> crate::baseline::Baseline {
    baseline::parse(SourceFile::new("baseline.toml", text)).unwrap_or_else(|d| panic!("{d}"))
}

fn errors(text: &str) -> String {
    match baseline::parse(SourceFile::new("baseline.toml", text)) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d.to_string(),
    }
}

fn org() -> OrgState {
    let account = |id: &str, name: &str| Account {
        id: id.into(),
        name: name.into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    };
    OrgState {
        management_account_id: "123456789012".into(),
        root_id: "r-1".into(),
        accounts: vec![account("123456789012", "management"), account("222222222222", "sandbox")],
        attached: BTreeMap::new(),
        ..OrgState::default()
    }
}

/// What AWS holds after plinth applied `base`.
fn converged(base: &crate::baseline::Baseline) -> Observed {
    let budgets = base
        .file
        .budget
        .iter()
        .map(|d| {
            let d = d.get_ref();
            let linked = d.account.as_ref().map(|_| "222222222222".to_owned());
            let mut spec = desired(d, linked, Some(TOPIC));
            // AWS computes an auto-adjusting budget's amount.
            spec.limit_usd.get_or_insert(412.5);
            Budget {
                arn: format!("arn:aws:budgets::123456789012:budget/{}", spec.name),
                spec,
                owned: true,
                managed_by: None,
                foreign_alerts: vec![],
            }
        })
        .collect();
    Observed {
        org: org(),
        budget: BudgetState { budgets },
        ..Observed::default()
    }
}

fn budget_changes(base: &crate::baseline::Baseline, observed: &Observed, options: PlanOptions) -> Plan {
    let mut plan = compute(base, observed, options).unwrap_or_else(|d| panic!("{d}"));
    plan.changes.retain(|c| c.kind == Budgets::NAME);
    plan
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect()
}

fn live<'a>(observed: &'a mut Observed, name: &str) -> &'a mut Budget {
    observed.budget.budgets.iter_mut().find(|b| b.spec.name == name).unwrap()
}

#[test]
fn from_nothing_each_budget_is_one_create_with_its_alerts_and_recipients() {
    let base = b(BASELINE);
    let observed = Observed {
        org: org(),
        ..Observed::default()
    };
    let plan = budget_changes(&base, &observed, PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "+ budget.org-monthly: no budget `plinth-org-monthly` in AWS Budgets",
            "+ budget.sandbox: no budget `plinth-sandbox` in AWS Budgets",
        ]
    );
    assert_eq!(
        plan.changes[0].after.as_ref().unwrap()["alerts"],
        serde_json::json!([
            format!("actual > 80% to finance@example.com, {TOPIC}"),
            format!("forecast > 100% to finance@example.com, {TOPIC}")
        ])
    );
    let Op::Budgets(BudgetsOp {
        account_id,
        call: BudgetsCall::CreateBudget { spec, .. },
    }) = &plan.changes[0].op
    else {
        panic!("{:?}", plan.changes[0].op)
    };
    assert_eq!(account_id, "123456789012");
    assert_eq!(spec.limit_usd, Some(10000.0));
    assert_eq!(spec.notifications.len(), 2);
    let subscribers: Vec<_> = spec.notifications[0].subscribers.iter().map(|s| (s.kind, s.address.as_str())).collect();
    assert_eq!(
        subscribers,
        [(SubscriberKind::Email, "finance@example.com"), (SubscriberKind::Sns, TOPIC)]
    );
    // Alerts to the billing topic wait for the topic this plan creates.
    assert!(plan.changes[0].depends_on.iter().any(|d| d == "billing.topic"), "{:?}", plan.changes[0].depends_on);
    let Op::Budgets(BudgetsOp {
        call: BudgetsCall::CreateBudget { spec, .. },
        ..
    }) = &plan.changes[1].op
    else {
        panic!()
    };
    assert_eq!(spec.linked_account.as_deref(), Some("222222222222"));
    assert_eq!(spec.auto_adjust_months, Some(3));
    assert_eq!(spec.limit_usd, None, "AWS computes an auto-adjusting budget's amount");
}

#[test]
fn converged_is_empty_and_an_auto_adjusted_amount_is_not_drift() {
    let base = b(BASELINE);
    let plan = budget_changes(&base, &converged(&base), PlanOptions::default());
    assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
    assert!(plan.orphans.is_empty() && plan.warnings.is_empty());
}

#[test]
fn each_setting_that_differs_is_named_in_one_update() {
    let base = b(BASELINE);
    let mut observed = converged(&base);
    let org_budget = live(&mut observed, "plinth-org-monthly");
    org_budget.spec.limit_usd = Some(12000.0);
    org_budget.spec.linked_account = Some("222222222222".into());
    live(&mut observed, "plinth-sandbox").spec.auto_adjust_months = None;
    let plan = budget_changes(&base, &observed, PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "~ budget.org-monthly: amount is 12000 USD, baseline says 10000 USD; covers account 222222222222, baseline says the whole organization",
            "~ budget.sandbox: follows a fixed amount, baseline says the last 3 months' spend",
        ]
    );
    assert!(matches!(
        &plan.changes[0].op,
        Op::Budgets(BudgetsOp {
            call: BudgetsCall::UpdateBudget { .. },
            ..
        })
    ));
    // The update shows the budget's settings, its alerts apart.
    assert_eq!(plan.changes[0].before.as_ref().unwrap()["amount_usd"], 12000.0);
    assert_eq!(plan.changes[0].before.as_ref().unwrap()["account"], "222222222222");
    assert!(plan.changes[0].after.as_ref().unwrap().get("alerts").is_none());
}

#[test]
fn recipients_are_added_before_others_are_removed() {
    let base = b(BASELINE);
    let mut observed = converged(&base);
    let alerts = &mut live(&mut observed, "plinth-sandbox").spec.notifications;
    alerts[0].subscribers = vec![BudgetSubscriber {
        kind: SubscriberKind::Email,
        address: "old@example.com".into(),
    }];
    let plan = budget_changes(&base, &observed, PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "+ budget.sandbox.alert.actual_120.recipient.ops@example.com: `ops@example.com` is not notified of this alert",
            "- budget.sandbox.alert.actual_120.recipient.old@example.com: `old@example.com` is notified of this alert but not in the budget's `notify`",
        ]
    );
    // AWS keeps at least one recipient per alert: the removal waits for the addition.
    assert_eq!(plan.changes[1].depends_on, [plan.changes[0].address.clone()]);
}

#[test]
fn an_untagged_budget_is_adopted_first_and_another_tools_is_an_error() {
    let base = b(BASELINE);
    let mut observed = converged(&base);
    live(&mut observed, "plinth-org-monthly").owned = false;
    live(&mut observed, "plinth-org-monthly").spec.limit_usd = Some(1.0);
    let plan = budget_changes(&base, &observed, PlanOptions::default());
    assert_eq!(plan.changes[0].action, Action::Adopt);
    assert_eq!(plan.changes[0].address, "budget.org-monthly (adopt)");
    assert!(plan.changes[1].depends_on.iter().any(|d| *d == "budget.org-monthly (adopt)"));

    live(&mut observed, "plinth-org-monthly").managed_by = crate::observed::other_manager("x", [("aws:cloudformation:stack-name", "finance")]);
    let err = compute(&base, &observed, PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("budget `plinth-org-monthly` exists and plinth does not manage it"), "{err}");
}

#[test]
fn orphans_are_kept_unless_allow_delete_and_untagged_ones_only_warned_about() {
    let base = b(BASELINE);
    let mut observed = converged(&base);
    let mut extra = observed.budget.budgets[0].clone();
    extra.spec.name = "plinth-old".into();
    let mut untagged = extra.clone();
    untagged.spec.name = "plinth-someone".into();
    untagged.owned = false;
    observed.budget.budgets.extend([extra, untagged]);

    let plan = budget_changes(&base, &observed, PlanOptions::default());
    assert!(plan.changes.is_empty());
    assert_eq!(plan.orphans.len(), 1);
    assert_eq!(plan.orphans[0].address, "budget.orphan.old");
    assert!(plan.warnings.iter().any(|w| w.contains("`plinth-someone` has plinth's prefix but not its")));

    let plan = budget_changes(
        &base,
        &observed,
        PlanOptions { allow_delete: true },
    );
    assert_eq!(lines(&plan), ["- budget.orphan.old: managed by plinth, no longer in the baseline, and `--allow-delete` was given"]);
}

#[test]
fn an_unknown_account_is_an_error_at_its_place() {
    let base = b(&BASELINE.replace("account = \"sandbox\"", "account = \"nowhere\""));
    let observed = converged(&b(BASELINE));
    let err = compute(&base, &observed, PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("unknown account `nowhere` in budget `sandbox`"), "{err}");
    assert!(err.contains("baseline.toml:"), "{err}");
}

#[test]
fn values_are_checked_while_parsing_and_across_fields() {
    let with = |budget: &str| format!("[organization]\nmanagement_account_id = \"123456789012\"\n\n[[budget]]\n{budget}");
    for (budget, expect) in [
        ("name = \"a b\"\namount_usd = 1", "`a b` is not a budget name"),
        ("name = \"a\"\namount_usd = 0", "budget amount `0` must be more than 0 US dollars"),
        ("name = \"a\"\namount_usd = 1\nactual_alert_percent = 0\nnotify = [\"x@example.com\"]", "alert threshold `0` is not a percentage"),
        ("name = \"a\"\nauto_adjust = \"last_year\"", "`last_year` is not a way to auto-adjust a budget"),
        ("name = \"a\"\namount_usd = 1\nactual_alert_percent = 80\nnotify = [\"finance\"]", "`finance` is neither an e-mail address nor `billing`"),
        ("name = \"a\"", "budget `a` has no amount"),
        ("name = \"a\"\namount_usd = 1\nauto_adjust = \"last_3_months\"", "has both `amount_usd` and `auto_adjust`"),
        ("name = \"a\"\namount_usd = 1\nactual_alert_percent = 80", "budget `a` has alerts but nobody to notify"),
        ("name = \"a\"\namount_usd = 1\nnotify = [\"x@example.com\"]", "budget `a` lists `notify` but no alert"),
        ("name = \"a\"\namount_usd = 1\nactual_alert_percent = 80\nnotify = [\"billing\"]", "there is no `[billing]`"),
        ("name = \"a\"\namount_usd = 1\nactual_alert_percent = 80\nnotify = [\"x@example.com\", \"X@example.com\"]", "`X@example.com` is listed twice in budget `a`"),
        ("name = \"a\"\namount_usd = 1\n\n[[budget]]\nname = \"a\"\namount_usd = 2", "budget `a` is declared twice"),
    ] {
        let err = errors(&with(budget));
        assert!(err.contains(expect), "{budget}:\n{err}");
        assert!(err.contains("baseline.toml:"), "{err}");
    }
    let eleven: Vec<String> = (0..11).map(|i| format!("\"p{i}@example.com\"")).collect();
    let err = errors(&with(&format!(
        "name = \"a\"\namount_usd = 1\nactual_alert_percent = 80\nnotify = [{}]",
        eleven.join(", ")
    )));
    assert!(err.contains("notifies 11 e-mail addresses; AWS Budgets allows 10 per alert"), "{err}");
    let ok = b(&with("name = \"a\"\nauto_adjust = \"last_1_month\"\nforecast_alert_percent = 150\nnotify = [\"x@example.com\"]"));
    assert_eq!(ok.file.budget[0].get_ref().auto_adjust.as_ref().unwrap().get_ref().0, 1);
}

#[test]
fn another_tools_budget_with_plinths_tag_is_never_deleted_nor_updated() {
    let base = b(BASELINE);
    let mut observed = converged(&base);
    // Read as the adapter reads it: plinth's prefix and tag, and a CloudFormation stack's.
    let tags = [("managed-by", "plinth"), ("aws:cloudformation:stack-name", "finance")];
    let mut claimed = observed.budget.budgets[0].clone();
    claimed.spec.name = "plinth-stack".into();
    let o = crate::observed::ownership(&claimed.spec.name, tags);
    (claimed.owned, claimed.managed_by) = (o.owned, o.managed_by);
    observed.budget.budgets.push(claimed);
    let plan = budget_changes(&base, &observed, PlanOptions { allow_delete: true });
    assert_eq!(lines(&plan), Vec::<String>::new());
    assert!(plan.orphans.is_empty(), "{:?}", plan.orphans);
    assert!(
        plan.warnings.iter().any(|w| w.contains(
            "budget `plinth-stack` carries `managed-by=plinth`, but CloudFormation stack `finance` (tag `aws:cloudformation:stack-name`) manages it"
        )),
        "{:?}",
        plan.warnings
    );

    // The same signs on a declared budget whose amount differs: an error, no update.
    let live = live(&mut observed, "plinth-org-monthly");
    let o = crate::observed::ownership(&live.spec.name, tags);
    (live.owned, live.managed_by) = (o.owned, o.managed_by);
    live.spec.limit_usd = Some(1.0);
    let err = crate::kinds::tests::blocked_text(compute(&base, &observed, PlanOptions { allow_delete: true }));
    assert!(err.contains("budget `plinth-org-monthly` exists and plinth does not manage it"), "{err}");
    assert!(err.contains("it also carries `managed-by=plinth`"), "{err}");
}
