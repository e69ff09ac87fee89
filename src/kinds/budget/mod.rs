//! `[[budget]]`: monthly AWS Budgets cost budgets in the management account, for the
//! whole organization or one account, alerting on forecast and actual spend by e-mail
//! or through the `[billing]` topic.
//!
//! plinth owns budgets named `plinth-<name>` that carry its tag: their amount, filter,
//! auto-adjustment, alerts and recipients follow the baseline. One of that name without
//! the tag is adopted; one the baseline no longer declares is deleted only with
//! `--allow-delete`.

mod alerts;
mod import;
pub mod section;

use crate::kinds::common::orphan;
use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use section::{BudgetDecl, Recipient};

use super::common::{adopt, placement, topic};
use super::cross;
use super::iam::{Names, Phase, Scope};
use super::{Baseline, Context, Description, IamActions, ImportCx, Imported, Kind, ObserveCx};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{
    Budget, BudgetNotification, BudgetSpec, BudgetSubscriber, NotificationKind,
    SubscriberKind,
};
use crate::plan::{Action, Address, BudgetsCall, BudgetsOp, Change, Op, Plan};

pub struct Budgets;

/// Every budget plinth creates is named with this prefix.
pub const PREFIX: &str = "plinth-";

/// plinth's budgets as AWS Budgets holds them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetState {
    /// Budgets whose names carry plinth's prefix.
    pub budgets: Vec<Budget>,
}

/// plinth's budgets: those it creates and, once they leave the baseline, deletes (with
/// the same action), so a baseline without `[[budget]]` keeps them too.
fn budget_arns(n: &Names<'_>) -> Vec<String> {
    vec![format!("arn:aws:budgets::{}:budget/{PREFIX}*", n.account)]
}

impl Kind for Budgets {
    const NAME: &'static str = "budget";
    const GUARDRAIL: bool = true;
    type Section = Vec<Spanned<BudgetDecl>>;
    type Schema = Vec<BudgetDecl>;
    type State = BudgetState;
    const IAM: IamActions = IamActions {
        plan: &["budgets:ViewBudget", "budgets:ListTagsForResource"],
        // The writes are in `SCOPES`.
        apply: &[],
        delete: &[],
    };
    /// Every budget plinth writes or deletes carries its prefix.
    const SCOPES: &'static [Scope] = &[Scope {
        sid: "PlinthBudgets",
        phase: Phase::Apply,
        actions: &["budgets:ModifyBudget", "budgets:TagResource"],
        resources: budget_arns,
        condition: None,
    }];

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        section::validate(baseline, section, diags);
    }

    fn describe(_: &Baseline, section: &Self::Section, out: &mut Description) {
        for b in section {
            let b = b.get_ref();
            let amount = match (&b.amount_usd, &b.auto_adjust) {
                (Some(a), _) => format!("{} USD a month", a.get_ref().get()),
                (None, Some(adjust)) => format!("the average of the {}", adjust.get_ref().to_string().replace('_', " ")),
                (None, None) => "no amount".to_owned(),
            };
            let scope = match &b.account {
                Some(a) => format!("account {}", a.get_ref()),
                None => "the organization".to_owned(),
            };
            out.text.push_str(&format!("budget `{}{}`: {scope}, {amount}\n", PREFIX, b.name.get_ref()));
        }
    }

    /// Always reads plinth's budgets (one `DescribeBudgets`), so that orphans show when
    /// the section is gone.
    fn observe(cx: &ObserveCx<'_>, _: &Self::Section) -> impl std::future::Future<Output = Result<BudgetState, Diagnostics>> {
        observe(cx)
    }

    /// plinth's budgets, and others as `[[budget]]` comments (they are not adopted by name).
    fn import(cx: &ImportCx<'_>) -> impl std::future::Future<Output = Result<Imported, Diagnostics>> {
        import::import(cx)
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_budgets(cx, section, plan)
    }
}

async fn observe(cx: &ObserveCx<'_>) -> Result<BudgetState, Diagnostics> {
    let budgets = cx
        .clients
        .budgets
        .read_budgets(cx.account, PREFIX, &[])
        .await
        .map_err(|e| cx.clients.failure("cannot read the budgets", e))?;
    Ok(BudgetState { budgets })
}


pub fn aws_name(decl: &BudgetDecl) -> String {
    format!("{PREFIX}{}", decl.name.get_ref())
}

/// The budget the baseline declares (the linked account's id given by the caller).
pub fn desired(decl: &BudgetDecl, linked_account: Option<String>, topic_arn: Option<&str>) -> BudgetSpec {
    let mut subscribers: Vec<BudgetSubscriber> = decl
        .notify
        .iter()
        .filter_map(|r| match r.get_ref() {
            Recipient::Email(e) => Some(BudgetSubscriber {
                kind: SubscriberKind::Email,
                address: e.as_str().to_owned(),
            }),
            Recipient::BillingTopic => topic_arn.map(|arn| BudgetSubscriber {
                kind: SubscriberKind::Sns,
                address: arn.to_owned(),
            }),
        })
        .collect();
    subscribers.sort();
    let mut notifications = Vec::new();
    for (kind, percent) in [
        (NotificationKind::Actual, &decl.actual_alert_percent),
        (NotificationKind::Forecasted, &decl.forecast_alert_percent),
    ] {
        if let Some(p) = percent {
            notifications.push(BudgetNotification {
                kind,
                threshold_percent: p.get_ref().get(),
                subscribers: subscribers.clone(),
            });
        }
    }
    BudgetSpec {
        name: aws_name(decl),
        limit_usd: decl.amount_usd.as_ref().map(|a| a.get_ref().get()),
        linked_account,
        auto_adjust_months: decl.auto_adjust.as_ref().map(|a| a.get_ref().0),
        notifications,
    }
}

/// How a live budget's own settings (not its alerts) differ from the wanted ones.
pub fn differences(live: &BudgetSpec, want: &BudgetSpec) -> Vec<String> {
    let mut out = Vec::new();
    // An auto-adjusting budget's amount is AWS's to set.
    if want.auto_adjust_months.is_none() {
        match (live.limit_usd, want.limit_usd) {
            (Some(l), Some(w)) if (l - w).abs() < 0.005 => {}
            (l, Some(w)) => out.push(format!("amount is {} USD, baseline says {w} USD", l.unwrap_or_default())),
            _ => {}
        }
    }
    if live.linked_account != want.linked_account {
        let show = |a: &Option<String>| a.as_deref().map_or("the whole organization".to_owned(), |a| format!("account {a}"));
        out.push(format!(
            "covers {}, baseline says {}",
            show(&live.linked_account),
            show(&want.linked_account)
        ));
    }
    if live.auto_adjust_months != want.auto_adjust_months {
        let show = |m: Option<i32>| m.map_or("a fixed amount".to_owned(), |m| format!("the last {m} months' spend")) ;
        out.push(format!(
            "follows {}, baseline says {}",
            show(live.auto_adjust_months),
            show(want.auto_adjust_months)
        ));
    }
    out
}

fn billing_topic(cx: &Context<'_>) -> Option<String> {
    let billing = cross::billing_topic(cx.baseline)?;
    Some(topic::topic_arn(
        cx.observed.org.management_account_id.as_str(),
        billing.name,
    ))
}

/// Every `[[budget]]`'s changes, in the baseline's order, then plinth's budgets the
/// baseline no longer declares.
fn plan_budgets(cx: &Context<'_>, section: &[Spanned<BudgetDecl>], plan: &mut Plan) -> Result<(), Diagnostics> {
    let shared = Shared::new(cx, plan);
    let mut diags = Diagnostics::default();
    for decl in section {
        if let Err(d) = plan_declared(cx, plan, &shared, decl.get_ref()) {
            diags.push(d);
        }
    }
    let declared: Vec<String> = section.iter().map(|d| aws_name(d.get_ref())).collect();
    plan_orphans(cx, plan, &shared, &declared);
    diags.into_result(())
}

/// What every budget's changes share: the management account the calls are made in, the
/// billing topic's ARN, and this plan's changes to the topic.
struct Shared {
    account: String,
    topic_arn: Option<String>,
    /// Alerts to the billing topic wait for the topic and its policy (which lets AWS
    /// Budgets publish) when this plan changes them.
    topic_deps: Vec<Address>,
}

impl Shared {
    fn new(cx: &Context<'_>, plan: &Plan) -> Shared {
        let topic = cross::billing_topic(cx.baseline).map(|t| t.address);
        Shared {
            account: cx.observed.org.management_account_id.as_str().to_owned(),
            topic_arn: billing_topic(cx),
            topic_deps: plan
                .changes
                .iter()
                .filter(|c| topic.as_ref().is_some_and(|t| c.address.is_about(t)))
                .map(|c| c.address.clone())
                .collect(),
        }
    }

    /// An AWS Budgets call in the management account.
    fn op(&self, call: BudgetsCall) -> Op {
        Op::Budgets(BudgetsOp {
            account_id: self.account.clone(),
            call,
        })
    }
}

/// One declared budget: created when AWS Budgets has none of its name, otherwise adopted,
/// updated and its alerts brought in line ([`plan_existing`]); nothing when its account
/// is blocked. An error for an account that cannot be resolved or a budget another tool
/// manages.
fn plan_declared(cx: &Context<'_>, plan: &mut Plan, shared: &Shared, b: &BudgetDecl) -> Result<(), Diagnostic> {
    let name = aws_name(b);
    // Named: a budget `x.alert.actual_80` is not the alert of budget `x`.
    let address = Address::kind_root(Budgets::NAME).named(b.name.get_ref());
    let mut deps = Vec::new();
    if b.notify.iter().any(|r| *r.get_ref() == Recipient::BillingTopic) {
        deps.extend(shared.topic_deps.iter().cloned());
    }
    let what = format!("budget `{}`", b.name.get_ref());
    // Blocked: the budget stays as it is (declared, so no orphan).
    let Some((linked, planned_account, account_deps)) = placement::linked_account(cx, plan, b.account.as_ref(), &what)?
    else {
        return Ok(());
    };
    deps.extend(account_deps);
    let want = desired(b, linked, shared.topic_arn.as_deref());
    let Some(live) = cx.observed.budget.budgets.iter().find(|l| l.spec.name == name) else {
        let after = Some(shown(&want));
        plan.add(
            Change::new(
                address,
                Action::Create,
                format!("no budget `{name}` in AWS Budgets"),
                shared.op(BudgetsCall::CreateBudget {
                    spec: Box::new(want),
                    linked_account: planned_account,
                }),
            )
            .after(after)
            .depends_on(deps),
        );
        return Ok(());
    };
    if let (Some(other), false) = (&live.managed_by, live.owned) {
        return Err(adopt::managed_elsewhere(&cx.baseline.source, b.name.span(), &format!("budget `{name}`"), other));
    }
    let mut want = want;
    if planned_account.is_some() {
        // The account is created in this run: nothing live can filter on it yet.
        want.linked_account.clone_from(&live.spec.linked_account);
    }
    plan_existing(plan, shared, &address, live, &want, deps);
    Ok(())
}

/// A live budget of a declared one's name (not another tool's), `want` being the declared
/// one: adopted when it lacks plinth's tag, its own settings updated where they differ,
/// its alerts planned ([`alerts::plan`]), and a note for alerts of a kind plinth does not
/// write.
fn plan_existing(
    plan: &mut Plan,
    shared: &Shared,
    address: &Address,
    live: &Budget,
    want: &BudgetSpec,
    mut deps: Vec<Address>,
) {
    let name = &live.spec.name;
    let op = |call| shared.op(call);
    if !live.owned {
        let change = adopt::change(
            address,
            &format!("budget `{name}`"),
            op(BudgetsCall::TagResource {
                budget_arn: live.arn.clone(),
            }),
        );
        deps.push(change.address.clone());
        plan.add(change);
    }
    let differences = differences(&live.spec, want);
    if !differences.is_empty() {
        plan.add(
            Change::new(
                address.clone(),
                Action::Update,
                differences.join("; "),
                op(BudgetsCall::UpdateBudget {
                    spec: Box::new(want.clone()),
                }),
            )
            .before(Some(shown(&budget_settings(&live.spec))))
            .after(Some(shown(&budget_settings(want))))
            .depends_on(deps.clone()),
        );
    }
    alerts::plan(plan, address, live, want, &deps, &op);
    if !live.foreign_alerts.is_empty() {
        plan.notes.push(format!(
            "budget `{name}` has alerts of a kind plinth does not write, left as they are: {}",
            live.foreign_alerts.join(", ")
        ));
    }
}

/// plinth's budgets the baseline does not declare: deleted with `--allow-delete`, otherwise
/// kept and listed among the plan's orphans; a warning, and nothing done, for one that is
/// not plinth's.
fn plan_orphans(cx: &Context<'_>, plan: &mut Plan, shared: &Shared, declared: &[String]) {
    for live in &cx.observed.budget.budgets {
        if declared.contains(&live.spec.name) {
            continue;
        }
        let name = &live.spec.name;
        let what = format!("budget `{name}`");
        if let Some(why) = orphan::not_plinths(&what, live.managed_by.as_ref(), live.owned) {
            plan.warnings.push(why);
            continue;
        }
        // The prefix once: `plinth-plinth-x` is not `plinth-x`.
        let address = Address::kind_root(Budgets::NAME)
            .child("orphan")
            .named(name.strip_prefix(PREFIX).unwrap_or(name));
        let dropped = orphan::Dropped {
            address: address.clone(),
            what: &what,
            kept: None,
            with: None,
        };
        if orphan::delete_or_keep(plan, cx.options, dropped) {
            let delete = shared.op(BudgetsCall::DeleteBudget { budget: name.clone() });
            plan.add(
                Change::new(address, Action::Delete, orphan::DELETE_REASON, delete).before(Some(shown(&live.spec))),
            );
        }
    }
}

/// A budget as plans show it: its amount, scope and alerts in words.
fn shown(spec: &BudgetSpec) -> serde_json::Value {
    let mut v = serde_json::json!({
        "amount_usd": match spec.auto_adjust_months {
            Some(m) => serde_json::json!(format!("the average of the last {m} months")),
            None => serde_json::json!(spec.limit_usd),
        },
        "account": spec.linked_account.clone().unwrap_or_else(|| "the whole organization".into()),
    });
    if !spec.notifications.is_empty() {
        v["alerts"] = spec
            .notifications
            .iter()
            .map(|n| {
                let to: Vec<&str> = n.subscribers.iter().map(|s| s.address.as_str()).collect();
                format!("{} to {}", n.label(), to.join(", "))
            })
            .collect();
    }
    v
}

/// A budget's own settings, without its alerts (shown by the update of the budget).
fn budget_settings(spec: &BudgetSpec) -> BudgetSpec {
    BudgetSpec {
        notifications: vec![],
        ..spec.clone()
    }
}

#[cfg(test)]
mod tests;
