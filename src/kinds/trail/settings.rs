//! The trail's settings: what the baseline implies, what of the live trail is kept, and
//! how a live trail differs.
//!
//! Adoption never weakens: what the baseline does not name is the live trail's. With no
//! `kms_key_arn`, an existing trail keeps its SSE-KMS key; without `cloudwatch_logs`, it
//! keeps its CloudWatch Logs delivery (log group and role). Only a value the baseline
//! names replaces them (`kms_key_arn = "..."`, `cloudwatch_logs = true` for plinth's own
//! group, `cloudwatch_logs = false` to turn delivery off). The rest plinth sets is only
//! ever stronger than anything live: organization-wide, every region, global service
//! events, and log file validation unless the baseline says `log_file_validation = false`.

use super::TrailSection;
use crate::observed::TrailSettings;

/// The settings plinth puts on the trail: the baseline's, with the live trail's SSE-KMS
/// key and CloudWatch Logs delivery where the baseline names none (`logs`: plinth's log
/// group and role ARNs when `cloudwatch_logs = true`). Each setting kept is a note.
///
/// Only what is in the management account (`account`) is kept: a key or log group of
/// another account is someone else's to disable, and is replaced by the baseline's
/// values, with a warning.
pub(super) fn desired(
    t: &TrailSection,
    (live, account): (Option<&TrailSettings>, &str),
    logs: Option<(String, String)>,
    (notes, warnings): (&mut Vec<String>, &mut Vec<String>),
) -> TrailSettings {
    let name = t.name.get_ref().as_str();
    let kms = t.kms_key_arn.as_ref().map(|k| k.get_ref().as_str());
    let mut want = desired_settings(name, t.bucket.get_ref().as_str(), kms, logs);
    want.log_file_validation = t.log_file_validation();
    if !want.log_file_validation {
        warnings.push(format!(
            "trail `{name}` has no log file validation (`log_file_validation = false`): a changed or deleted log file cannot be detected; remove the line to turn it on"
        ));
    }
    let Some(live) = live else {
        return want;
    };
    // The account an ARN names, when it is an ARN; a bare key id is the trail's account's.
    let foreign = |arn: &str| arn.split(':').nth(4).is_some_and(|a| arn.starts_with("arn:") && a != account);
    if kms.is_none()
        && let Some(key) = live.kms_key_id.as_ref().filter(|k| foreign(k))
    {
        warnings.push(format!(
            "trail `{name}` is encrypted with `{key}`, a key of another account, which plinth does not keep: its owner could disable it and stop log delivery; set `kms_key_arn` to a key of account {account}"
        ));
    } else if kms.is_none()
        && let Some(key) = &live.kms_key_id
    {
        want.kms_key_id = Some(key.clone());
        notes.push(format!(
            "keeps trail `{name}`'s SSE-KMS key `{key}` (the baseline names none in `kms_key_arn`)"
        ));
    }
    if t.cloudwatch_logs.is_none()
        && let Some(group) = live.cloud_watch_logs_log_group_arn.as_ref().filter(|g| foreign(g))
    {
        warnings.push(format!(
            "trail `{name}` delivers to `{group}`, a log group of another account, which plinth does not keep; set `cloudwatch_logs` to deliver to one of account {account}"
        ));
    } else if t.cloudwatch_logs.is_none()
        && let Some(group) = &live.cloud_watch_logs_log_group_arn
    {
        want.cloud_watch_logs_log_group_arn = Some(group.clone());
        want.cloud_watch_logs_role_arn.clone_from(&live.cloud_watch_logs_role_arn);
        notes.push(format!(
            "keeps trail `{name}`'s CloudWatch Logs delivery to `{group}`{} (the baseline does not set `cloudwatch_logs`; `cloudwatch_logs = false` turns it off)",
            live.cloud_watch_logs_role_arn
                .as_deref()
                .map_or(String::new(), |r| format!(" with role `{r}`"))
        ));
    }
    want
}

/// The trail settings the baseline implies; `logs` is the log group and role ARNs.
pub fn desired_settings(
    name: &str,
    bucket: &str,
    kms_key: Option<&str>,
    logs: Option<(String, String)>,
) -> TrailSettings {
    let (group, role) = logs.unzip();
    TrailSettings {
        name: name.to_owned(),
        s3_bucket: bucket.to_owned(),
        is_organization_trail: true,
        is_multi_region_trail: true,
        include_global_service_events: true,
        log_file_validation: true,
        kms_key_id: kms_key.map(str::to_owned),
        cloud_watch_logs_log_group_arn: group,
        cloud_watch_logs_role_arn: role,
    }
}

pub(super) fn settings_differences(live: &TrailSettings, want: &TrailSettings) -> Vec<String> {
    let mut out = Vec::new();
    let flag = |out: &mut Vec<String>, on: bool, want: bool, what: &str| {
        if on != want {
            out.push(format!("{what} is {}", if on { "on" } else { "off" }));
        }
    };
    flag(
        &mut out,
        live.is_organization_trail,
        want.is_organization_trail,
        "organization trail",
    );
    flag(
        &mut out,
        live.is_multi_region_trail,
        want.is_multi_region_trail,
        "multi-region",
    );
    flag(
        &mut out,
        live.include_global_service_events,
        want.include_global_service_events,
        "global service events",
    );
    flag(
        &mut out,
        live.log_file_validation,
        want.log_file_validation,
        "log file validation",
    );
    if live.s3_bucket != want.s3_bucket {
        out.push(format!(
            "logs go to bucket `{}`, baseline says `{}`",
            live.s3_bucket, want.s3_bucket
        ));
    }
    if live.cloud_watch_logs_log_group_arn != want.cloud_watch_logs_log_group_arn
        || live.cloud_watch_logs_role_arn != want.cloud_watch_logs_role_arn
    {
        out.push(match &want.cloud_watch_logs_log_group_arn {
            Some(g) => format!("CloudWatch Logs delivery is not to `{g}` with plinth's role"),
            None => "CloudWatch Logs delivery is on, the baseline has `cloudwatch_logs = false`".to_owned(),
        });
    }
    if live.kms_key_id != want.kms_key_id {
        out.push(format!(
            "KMS key is {}, baseline says {}",
            live.kms_key_id.as_deref().map_or("none".into(), |k| format!("`{k}`")),
            want.kms_key_id.as_deref().map_or("none".into(), |k| format!("`{k}`"))
        ));
    }
    out
}
