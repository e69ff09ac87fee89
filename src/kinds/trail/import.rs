//! `plinth import` for `[trail]`: the organization trail homed in us-east-1 (one; others
//! are listed as left out), its bucket and KMS key, and CloudWatch Logs delivery and the
//! root-usage alarm where they are plinth's. A bucket of another account is imported
//! with a warning (and a comment): plinth plans nothing of a trail whose bucket is not the
//! management account's.

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
    let foreign = c
        .s3
        .other_account(&s.s3_bucket, account)
        .await
        .map_err(|e| c.failure("cannot read the trail's bucket", e))?;
    let t = &mut out.toml;
    t.table(Trail::NAME);
    if let Some(error) = foreign {
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
    let plinth_group = log_group_arn(account, &log_group_name(&s.name));
    match &s.cloud_watch_logs_log_group_arn {
        Some(group) if group.trim_end_matches(":*") == plinth_group.trim_end_matches(":*") => {
            t.raw("cloudwatch_logs", true);
            let filter = c
                .logs
                .read_metric_filter(&log_group_name(&s.name), ROOT_FILTER_NAME)
                .await
                .map_err(|e| c.failure("cannot read the trail's metric filter", e))?;
            if filter.is_some() {
                t.raw("root_usage_alarm", true);
                // Its own recipients, when the alarm notifies plinth's security topic.
                let alert = crate::kinds::common::topic::topic_arn(account, ALERT_TOPIC);
                let alarms = c
                    .cloudwatch
                    .read_alarms(ROOT_ALARM, &[ROOT_ALARM.to_owned()])
                    .await
                    .map_err(|e| c.failure("cannot read the root-usage alarm", e))?;
                if alarms.iter().any(|a| a.spec.alarm_actions.contains(&alert)) {
                    let topic = c
                        .sns
                        .read_topic(&alert)
                        .await
                        .map_err(|e| c.failure("cannot read the root-usage alarm's topic", e))?;
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
