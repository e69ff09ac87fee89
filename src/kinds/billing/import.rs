//! `plinth import` for `[billing]`: every `AWS/Billing` `EstimatedCharges` alarm (plinth's
//! by its name, others by `alarm_name`, to be adopted), and the SNS topic they notify
//! with its e-mail subscribers.

use std::collections::BTreeSet;

use super::{ALARM_PREFIX, REGION};
use crate::diag::Diagnostics;
use crate::kinds::common::topic::topic_arn;
use crate::kinds::import::{ImportCx, Imported};
use crate::observed::Alarm;
use crate::types::TopicName;

pub(super) async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let c = cx.clients;
    let fail = |e| c.failure("cannot read the billing alarms", e);
    let mut out = Imported::default();
    let mut alarms: Vec<_> = c
        .cloudwatch
        .billing_alarms()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(alarm, _state)| alarm)
        .collect();
    alarms.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    if alarms.is_empty() {
        return Ok(out);
    }
    let account = cx.org.management_account_id.as_str();
    // The topic: the one SNS topic of this account in us-east-1 that the alarms notify.
    let prefix = format!("arn:aws:sns:{REGION}:{account}:");
    let topics: BTreeSet<&str> = alarms
        .iter()
        .flat_map(|a| a.spec.alarm_actions.iter())
        .filter_map(|arn| arn.strip_prefix(&prefix))
        .collect();
    let topic = match topics.iter().next() {
        Some(name) if topics.len() == 1 => Some(*name),
        Some(_) => {
            out.warnings.push(format!(
                "billing alarms notify {} topics; plinth's notify one: the first by name is imported",
                topics.len()
            ));
            topics.iter().next().copied()
        }
        None => None,
    };
    let mut notify = Vec::new();
    if let Some(name) = topic {
        let live = c.sns.read_topic(&topic_arn(account, name)).await.map_err(fail)?;
        let mut emails: Vec<String> = live
            .iter()
            .flat_map(|t| &t.subscriptions)
            .filter(|s| s.protocol == "email")
            .map(|s| s.endpoint.clone())
            .collect();
        emails.sort();
        emails.dedup();
        notify = emails;
    }
    let t = &mut out.toml;
    t.table("billing");
    if !notify.is_empty() {
        t.strings("notify", &notify);
    }
    if let Some(name) = topic.filter(|n| *n != TopicName::default_billing().as_str()) {
        t.string("topic_name", name);
    }
    let mut taken = BTreeSet::new();
    for alarm in &alarms {
        let name = &alarm.spec.name;
        if name.starts_with("plinth-") && !name.starts_with(ALARM_PREFIX) {
            out.skipped.push(format!(
                "alarm `{name}`: named like plinth's own, but not one of its billing alarms"
            ));
            continue;
        }
        write_alarm(cx, alarm, &mut taken, &mut out);
    }
    Ok(out)
}

fn write_alarm(cx: &ImportCx<'_>, alarm: &Alarm, taken: &mut BTreeSet<String>, out: &mut Imported) {
    let spec = &alarm.spec;
    let (name, full) = match spec.name.strip_prefix(ALARM_PREFIX) {
        Some(short) => (short.to_owned(), None),
        None => (short_name(&spec.name), Some(spec.name.as_str())),
    };
    let mut unique = name.clone();
    let mut n = 2;
    while !taken.insert(unique.clone()) {
        unique = format!("{name}-{n}");
        n += 1;
    }
    let account = spec.dimensions.get("LinkedAccount").map(|id| {
        cx.target_of(id)
            .and_then(|t| t.strip_prefix("account:").map(str::to_owned))
            .unwrap_or_else(|| id.clone())
    });
    let t = &mut out.toml;
    t.array_table("billing.alarm").string("name", &unique);
    if let Some(full) = full {
        t.string("alarm_name", full);
    }
    if let Some(account) = account {
        t.string("account", &account);
    }
    t.raw("threshold_usd", spec.threshold);
}

/// A baseline alarm name (`[A-Za-z0-9._-]`) for an alarm named otherwise.
fn short_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || "._-".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(200).collect();
    if out.is_empty() { "alarm".into() } else { out }
}
