//! `plinth import` for `[billing]`: every `AWS/Billing` `EstimatedCharges` alarm (plinth's
//! by its name, others by `alarm_name`, to be adopted) with its description and
//! missing-data treatment where they are not plinth's defaults, and the SNS topic they
//! notify with its e-mail subscribers, and `topic_policy = "keep"` when its policy lacks
//! plinth's statement. What plinth sets on every billing alarm whatever the baseline says
//! (period, statistic, comparison, actions) and a live alarm lacks is a warning.

use std::collections::BTreeSet;

use super::{ALARM_PREFIX, MissingData, REGION};
use crate::diag::Diagnostics;
use crate::kinds::common::topic::{BUDGETS_POLICY_SID, TOPIC_POLICY_SID, topic_arn, topic_policy};
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
    let mut keep_policy = false;
    if let Some(name) = topic {
        let arn = topic_arn(account, name);
        let live = c.sns.read_topic(&arn).await.map_err(fail)?;
        // A topic whose policy plinth would change (its statement for CloudWatch missing,
        // and no live one granting exactly that) keeps its own.
        if let Some(policy) = live.as_ref().map(|t| t.policy.as_deref()) {
            let budgets = policy.is_some_and(|p| p.contains(BUDGETS_POLICY_SID));
            let want = topic_policy(policy, &arn, account, budgets);
            keep_policy = !policy
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                .is_some_and(|live| crate::policy::normalize::equivalent(&live, &want));
        }
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
    if keep_policy {
        t.comment(&format!(
            "the topic's access policy lacks plinth's `{TOPIC_POLICY_SID}` statement: kept as it is\n\
             (`topic_policy = \"plinth\"` puts plinth's statement in)"
        ));
        t.string("topic_policy", "keep");
    }
    // Without one, the baseline's plan creates plinth's own for the alarms to notify.
    let default_topic = TopicName::default_billing();
    let topic_arn = topic_arn(account, topic.unwrap_or(default_topic.as_str()));
    let mut taken = BTreeSet::new();
    for alarm in &alarms {
        let name = &alarm.spec.name;
        if name.starts_with("plinth-") && !name.starts_with(ALARM_PREFIX) {
            out.skipped.push(format!(
                "alarm `{name}`: named like plinth's own, but not one of its billing alarms"
            ));
            continue;
        }
        write_alarm(cx, alarm, &topic_arn, &mut taken, &mut out);
    }
    Ok(out)
}

fn write_alarm(cx: &ImportCx<'_>, alarm: &Alarm, topic_arn: &str, taken: &mut BTreeSet<String>, out: &mut Imported) {
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
    if let Some(account) = &account {
        t.string("account", account);
    }
    t.raw("threshold_usd", spec.threshold);
    // plinth's description for what was just written, as the planner will make it.
    if spec.description != super::description_of(account.as_deref(), spec.threshold) {
        t.string("description", &spec.description);
    }
    match MissingData::parse(&spec.treat_missing_data) {
        Some(MissingData::NotBreaching) => {}
        Some(m) => {
            t.string("treat_missing_data", m.as_str());
        }
        None => out.warnings.push(format!(
            "alarm `{}` treats missing data as `{}`, which plinth does not know: the baseline says `notBreaching`",
            spec.name, spec.treat_missing_data
        )),
    }
    // What plinth sets on every billing alarm, where this one differs.
    let mut want = spec.clone();
    super::impose(&mut want, topic_arn);
    let differences = crate::kinds::common::alarm::differences(spec, &want);
    if !differences.is_empty() {
        out.warnings.push(format!(
            "the imported baseline's plan will change alarm `{}`, as plinth sets it on every billing alarm: {}",
            spec.name,
            differences.join("; ")
        ));
    }
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
