//! A budget's alerts (notifications) and their recipients (subscribers), one change each.

use crate::observed::{Budget, BudgetNotification, BudgetSpec};
use crate::plan::{Action, Address, BudgetsCall, Change, Op, Plan};

/// The alerts of a budget that exists: missing ones created, ones the baseline does not
/// declare deleted, recipients added and removed.
pub(super) fn plan(
    plan: &mut Plan,
    address: &Address,
    live: &Budget,
    want: &BudgetSpec,
    deps: &[Address],
    op: &dyn Fn(BudgetsCall) -> Op,
) {
    let name = &live.spec.name;
    let alert_at = |n: &BudgetNotification| {
        address.child(format_args!("alert.{}_{}", n.kind.as_str(), n.threshold_percent))
    };
    for n in &want.notifications {
        let Some(found) = live.spec.notifications.iter().find(|l| l.same_alert(n)) else {
            plan.add(
                Change::new(
                    alert_at(n),
                    Action::Create,
                    format!("budget `{name}` has no alert when {} spend passes {}%", n.kind.as_str(), n.threshold_percent),
                    op(BudgetsCall::CreateNotification {
                        budget: name.clone(),
                        notification: n.clone(),
                    }),
                )
                .after(Some(crate::plan::value(n)))
                .depends_on(deps.to_vec()),
            );
            continue;
        };
        // A notification keeps at least one recipient: removals wait for additions.
        let mut added = Vec::new();
        for s in n.subscribers.iter().filter(|s| !found.subscribers.contains(s)) {
            let recipient_at = alert_at(n).child("recipient").child(&s.address);
            added.push(recipient_at.clone());
            plan.add(
                Change::new(
                    recipient_at,
                    Action::Create,
                    format!("`{}` is not notified of this alert", s.address),
                    op(BudgetsCall::CreateSubscriber {
                        budget: name.clone(),
                        notification: found.clone(),
                        subscriber: s.clone(),
                    }),
                )
                .depends_on(deps.to_vec()),
            );
        }
        for s in found.subscribers.iter().filter(|s| !n.subscribers.contains(s)) {
            plan.add(
                Change::new(
                    alert_at(n).child("recipient").child(&s.address),
                    Action::Delete,
                    format!("`{}` is notified of this alert but not in the budget's `notify`", s.address),
                    op(BudgetsCall::DeleteSubscriber {
                        budget: name.clone(),
                        notification: found.clone(),
                        subscriber: s.clone(),
                    }),
                )
                .depends_on(deps.iter().chain(&added).cloned().collect()),
            );
        }
    }
    for l in live.spec.notifications.iter().filter(|l| !want.notifications.iter().any(|n| n.same_alert(l))) {
        plan.add(
            Change::new(
                alert_at(l),
                Action::Delete,
                format!("budget `{name}` alerts at {}, which the baseline does not declare", l.label()),
                op(BudgetsCall::DeleteNotification {
                    budget: name.clone(),
                    notification: l.clone(),
                }),
            )
            .before(Some(crate::plan::value(l)))
            .depends_on(deps.to_vec()),
        );
    }
}

