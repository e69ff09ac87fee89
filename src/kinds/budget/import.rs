//! `plinth import` for `[[budget]]`: plinth's budgets (`plinth-<name>`) as they are; other
//! budgets are listed as left out (plinth adopts a budget only under its own name).

use super::{Budgets, PREFIX};
use crate::diag::Diagnostics;
use crate::kinds::Kind;
use crate::kinds::import::{ImportCx, Imported};
use crate::observed::{NotificationKind, SubscriberKind};

pub(super) async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let c = cx.clients;
    let account = cx.org.management_account_id.as_str();
    let mut budgets = c
        .budgets
        .read_budgets(account, "", &[])
        .await
        .map_err(|e| c.failure("cannot read the budgets", e))?;
    budgets.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    let mut out = Imported::default();
    for budget in &budgets {
        let spec = &budget.spec;
        let Some(name) = spec.name.strip_prefix(PREFIX) else {
            out.skipped.push(format!(
                "budget `{}`: plinth manages budgets named `{PREFIX}<name>` only",
                spec.name
            ));
            continue;
        };
        if let Some(other) = budget.managed_by.as_ref().filter(|_| !cx.include_others) {
            out.skipped.push(format!("budget `{}`: managed by {other}", spec.name));
            continue;
        }
        let mut notify: Vec<String> = Vec::new();
        for n in &spec.notifications {
            for s in &n.subscribers {
                let r = match s.kind {
                    SubscriberKind::Email => s.address.clone(),
                    SubscriberKind::Sns if is_billing_topic(cx, &s.address) => "billing".to_owned(),
                    SubscriberKind::Sns => {
                        out.warnings.push(format!(
                            "budget `{}` notifies SNS topic `{}`, which is not the `[billing]` topic: left out",
                            spec.name, s.address
                        ));
                        continue;
                    }
                };
                if !notify.contains(&r) {
                    notify.push(r);
                }
            }
        }
        notify.sort();
        let t = &mut out.toml;
        t.array_table(Budgets::NAME).string("name", name);
        match spec.auto_adjust_months {
            Some(months) => {
                t.string("auto_adjust", &super::section::AutoAdjust(months).to_string());
            }
            None => {
                t.raw("amount_usd", spec.limit_usd.unwrap_or_default());
            }
        }
        for (kind, key) in [
            (NotificationKind::Forecasted, "forecast_alert_percent"),
            (NotificationKind::Actual, "actual_alert_percent"),
        ] {
            let mut of_kind = spec.notifications.iter().filter(|n| n.kind == kind);
            if let Some(n) = of_kind.next() {
                t.raw(key, n.threshold_percent);
            }
            if of_kind.next().is_some() {
                out.warnings.push(format!(
                    "budget `{}` has several {} alerts; the baseline declares one: the lowest is imported",
                    spec.name,
                    kind.as_str()
                ));
            }
        }
        if !notify.is_empty() {
            t.strings("notify", &notify);
        }
        if let Some(id) = &spec.linked_account {
            let account = cx
                .target_of(id)
                .and_then(|t| t.strip_prefix("account:").map(str::to_owned))
                .unwrap_or_else(|| id.clone());
            t.string("account", &account);
        }
    }
    Ok(out)
}

/// Whether an SNS topic is the account's billing topic (plinth's default name).
fn is_billing_topic(cx: &ImportCx<'_>, arn: &str) -> bool {
    let default = crate::types::TopicName::default_billing();
    arn == crate::kinds::common::topic::topic_arn(cx.org.management_account_id.as_str(), default.as_str())
}
