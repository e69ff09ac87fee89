//! `plinth import` for `[trail]`: the organization trail homed in us-east-1 (one; others
//! are listed as left out), its bucket and KMS key, log file validation, and CloudWatch
//! Logs delivery and the monitoring alarms (the CIS checks' metric filters found on
//! plinth's log group) where they are plinth's. A bucket of another
//! account is imported with a warning (and a comment): plinth plans nothing of a trail
//! whose bucket is not the management account's. What plinth sets whatever a baseline
//! says (every region, global service events, management events read and write, the
//! bucket's public access block, encryption and policy statements) and the live trail
//! lacks is a warning: the imported baseline's plan will change it.

use super::*;
use crate::kinds::import::{ImportCx, Imported};

pub(super) async fn import(cx: &ImportCx<'_>) -> Result<Imported, Diagnostics> {
    let c = cx.clients;
    let fail = |e| c.failure("cannot read the trails", e);
    let mut out = Imported::default();
    let mut chosen: Option<TrailInfo> = None;
    for name in c.cloudtrail.trail_names().await.map_err(fail)? {
        let Some(info) = c.cloudtrail.read_trail(&name).await.map_err(fail)? else {
            continue;
        };
        if !info.settings.is_organization_trail || info.home_region != HOME_REGION {
            out.skipped.push(format!(
                "trail `{name}`: not an organization trail homed in {HOME_REGION}; plinth manages only that one"
            ));
            continue;
        }
        if let Some(other) = &info.managed_by {
            if !cx.include_others {
                out.skipped.push(format!("trail `{name}`: managed by {other}"));
                continue;
            }
            out.warnings.push(format!(
                "trail `{name}` is managed by {other}; imported because of `--include-managed-by-others`"
            ));
        }
        // plinth's own first, else the first by name.
        match &chosen {
            Some(first) if first.owned || !info.owned => out.skipped.push(format!(
                "trail `{name}`: plinth manages one organization trail, and `{}` is imported",
                first.settings.name
            )),
            _ => {
                if let Some(first) = chosen.replace(info) {
                    out.skipped.push(format!(
                        "trail `{}`: plinth manages one organization trail, and `{name}` (plinth's) is imported",
                        first.settings.name
                    ));
                }
            }
        }
    }
    let Some(info) = chosen else {
        return Ok(out);
    };
    let s = &info.settings;
    let account = cx.org.management_account_id.as_str();
    let bucket = c
        .s3
        .read_bucket(&s.s3_bucket, account)
        .await
        .map_err(|e| c.failure("cannot read the trail's bucket", e))?;
    out.warnings.extend(imposed(&info, &bucket, account, &cx.org.organization_id));
    let t = &mut out.toml;
    t.table(Trail::NAME);
    if let crate::observed::Bucket::OtherAccount { error } = &bucket {
        t.comment(&format!(
            "bucket `{}` belongs to another account: plinth plans nothing of this trail until `bucket`\n\
             names a bucket of account {account}'s own",
            s.s3_bucket
        ));
        out.warnings.push(format!(
            "trail `{}` delivers to bucket `{}`, which belongs to another account (S3 refuses it as account \
             {account}'s: {error}): the organization's logs go to that account, and plinth plans nothing of the \
             trail until `bucket` names a bucket of the management account's own",
            s.name, s.s3_bucket
        ));
    }
    t.string("name", &s.name).string("bucket", &s.s3_bucket);
    if let Some(key) = &s.kms_key_id {
        t.string("kms_key_arn", key);
    }
    if !s.log_file_validation {
        t.raw("log_file_validation", false);
    }
    let plinth_group = log_group_arn(account, &log_group_name(&s.name));
    match &s.cloud_watch_logs_log_group_arn {
        Some(group) if group.trim_end_matches(":*") == plinth_group.trim_end_matches(":*") => {
            t.raw("cloudwatch_logs", true);
            import_monitoring(c, t, &s.name, account).await?;
        }
        Some(group) => {
            t.comment(&format!(
                "delivers to CloudWatch Logs group `{group}`, which is not plinth's: plinth keeps that delivery while\n\
                 `cloudwatch_logs` is left out; `cloudwatch_logs = true` moves it to plinth's own group, `false` turns it off"
            ));
        }
        None => {}
    }
    Ok(out)
}

/// The monitoring checks whose metric filters are on plinth's log group of trail `trail`
/// (`alarms`, and `root_usage_alarm` as before), and the recipients of their own topic.
async fn import_monitoring(
    c: &crate::aws::clients::Clients,
    t: &mut crate::kinds::import::Toml,
    trail: &str,
    account: &str,
) -> Result<(), Diagnostics> {
    let filters = c
        .logs
        .read_metric_filters(&log_group_name(trail), cis::FILTER_PREFIX)
        .await
        .map_err(|e| c.failure("cannot read the trail's metric filters", e))?;
    let found: Vec<&cis::Check> = cis::CHECKS
        .iter()
        .filter(|c| filters.contains_key(&c.filter_name()))
        .collect();
    if !found.is_empty() {
        // Every check: `["cis"]`; else root usage as before, and the others by name.
        if found.len() == cis::CHECKS.len() {
            t.strings("alarms", &[cis::ALL]);
        } else {
            if found.contains(&cis::ROOT_USAGE) {
                t.raw("root_usage_alarm", true);
            }
            let others: Vec<&str> = found
                .iter()
                .filter(|c| c.name != cis::ROOT_USAGE.name)
                .map(|c| c.name)
                .collect();
            if !others.is_empty() {
                t.strings("alarms", &others);
            }
        }
        // Their own recipients, when the alarms notify plinth's security topic.
        let alert = crate::kinds::common::topic::topic_arn(account, ALERT_TOPIC);
        let declared: Vec<String> = found.iter().map(|c| c.alarm_name()).collect();
        let alarms = c
            .cloudwatch
            .read_alarms_among(&declared, &declared)
            .await
            .map_err(|e| c.failure("cannot read the monitoring alarms", e))?;
        if alarms.iter().any(|a| a.spec.alarm_actions.contains(&alert)) {
            let topic = c
                .sns
                .read_topic(&alert)
                .await
                .map_err(|e| c.failure("cannot read the monitoring alarms' topic", e))?;
            let mut emails: Vec<&str> = topic
                .iter()
                .flat_map(|t| &t.subscriptions)
                .filter(|s| s.protocol == "email")
                .map(|s| s.endpoint.as_str())
                .collect();
            emails.sort_unstable();
            emails.dedup();
            if !emails.is_empty() {
                t.strings("notify", &emails);
            }
        }
    }
    Ok(())
}

/// What plinth's plan will set on the trail and its bucket whatever the baseline says,
/// where the live ones differ: one warning each.
fn imposed(info: &TrailInfo, bucket: &crate::observed::Bucket, account: &str, organization_id: &str) -> Vec<String> {
    use crate::observed::{Bucket, PublicAccessBlock};
    let s = &info.settings;
    let name = &s.name;
    let mut out = Vec::new();
    let mut will = |what: String| out.push(format!("the imported baseline's plan will {what}: plinth sets it on every trail"));
    if !s.is_multi_region_trail {
        will(format!("make trail `{name}` multi-region"));
    }
    if !s.include_global_service_events {
        will(format!("turn on global service events for trail `{name}`"));
    }
    if let Some((_, why)) = selectors::repair(&info.selectors) {
        will(format!("change trail `{name}`'s event selectors ({why})"));
    }
    let b = &s.s3_bucket;
    match bucket {
        Bucket::Missing => will(format!("create bucket `{b}`, which does not exist")),
        Bucket::OtherAccount { .. } => {}
        Bucket::Present {
            public_access_block,
            encryption,
            policy,
            ..
        } => {
            if public_access_block.as_ref() != Some(&PublicAccessBlock::ALL) {
                will(format!("block all public access to bucket `{b}`"));
            }
            if encryption.is_none() {
                will(format!("turn on bucket `{b}`'s default encryption (SSE-S3)"));
            }
            let ours = bucket_statements(b, &trail_arn(account, name), account, organization_id);
            let (missing, _) = policy::grants::not_yet_granted(policy.as_deref(), &ours);
            // As the planner puts them in: a statement of plinth's already there is no change.
            let live: Vec<serde_json::Value> = policy
                .as_deref()
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                .and_then(|d| d.get("Statement").cloned())
                .map(|st| match st {
                    serde_json::Value::Array(items) => items,
                    one => vec![one],
                })
                .unwrap_or_default()
                .iter()
                .map(policy::normalize::canonical_statement)
                .collect();
            let sids: Vec<String> = missing
                .iter()
                .filter(|m| !live.contains(&policy::normalize::canonical_statement(m)))
                .filter_map(|m| m["Sid"].as_str().map(|s| format!("`{s}`")))
                .collect();
            if !sids.is_empty() {
                will(format!(
                    "add plinth's {} to bucket `{b}`'s policy (no live statement grants exactly that)",
                    sids.join(", ")
                ));
            }
        }
    }
    out
}
