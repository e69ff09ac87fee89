//! Checks across values, run after parsing and before any AWS call: duplicates,
//! sections that need each other, policy sizes and SCP counts the baseline alone implies.
//! Counts that depend on what is live are checked again by the plan.

use std::collections::{BTreeMap, HashMap};

use super::{Baseline, Target};
use crate::diag::{Diagnostic, Diagnostics};
use crate::policy::{MAX_SCP_SIZE, MAX_SCPS_PER_TARGET};

pub fn check(baseline: &Baseline) -> Result<(), Diagnostics> {
    let src = &baseline.source;
    let file = &baseline.file;
    let mut diags = Diagnostics::default();

    let mut seen = HashMap::new();
    for ou in &file.organizational_units {
        if let Some(first) = seen.insert(ou.path.get_ref().clone(), ou.path.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("OU `{}` is declared twice", ou.path.get_ref()))
                    .at(src, ou.path.span())
                    .hint(format!("it is first declared on line {line}; remove one")),
            );
        }
    }

    let mut names = HashMap::new();
    for custom in &file.scp.custom {
        let name = &custom.get_ref().name;
        if let Some(first) = names.insert(name.get_ref().clone(), name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("SCP name `{}` is used twice", name.get_ref()))
                    .at(src, name.span())
                    .hint(format!(
                        "it is first used on line {line}; SCP names are unique in an organization"
                    )),
            );
        }
    }

    if let Some(rd) = &file.scp.region_deny
        && rd.get_ref().allowed_regions.get_ref().is_empty()
    {
        diags.push(
            Diagnostic::error("`allowed_regions` is empty: the policy would deny every regional action")
                .at(src, rd.get_ref().allowed_regions.span())
                .hint("list the regions your organization works in, like `[\"us-east-1\", \"eu-west-1\"]`"),
        );
    }

    if let Some(ct) = &file.scp.cloudtrail_protection
        && file.trail.is_none()
    {
        diags.push(
            Diagnostic::error(
                "`scp.cloudtrail_protection` protects the `[trail]` trail, but there is no `[trail]` section",
            )
            .at(src, ct.span())
            .hint("add `[trail]` with `name` and `bucket`, or remove `[scp.cloudtrail_protection]`"),
        );
    }
    if let Some(trail) = &file.trail {
        let t = trail.get_ref();
        if let Some(alarm) = &t.root_usage_alarm
            && *alarm.get_ref()
        {
            if !t.cloudwatch_logs() {
                diags.push(
                    Diagnostic::error("`root_usage_alarm` needs `cloudwatch_logs = true`")
                        .at(src, alarm.span())
                        .cause("the alarm counts root user activity in the trail's CloudWatch Logs log group")
                        .hint("add `cloudwatch_logs = true` to `[trail]`"),
                );
            }
            if t.notify.is_empty() && file.billing.is_none() {
                diags.push(
                    Diagnostic::error("the root-usage alarm has no one to notify")
                        .at(src, alarm.span())
                        .hint("add `notify = [\"security@example.com\"]` to `[trail]`, or a `[billing]` section whose topic it will use"),
                );
            }
        }
        if let Some(first) = t.notify.first()
            && !t.root_usage_alarm()
        {
            diags.push(
                Diagnostic::error("`trail.notify` is for the root-usage alarm, which is off")
                    .at(src, first.span())
                    .hint("add `root_usage_alarm = true` (with `cloudwatch_logs = true`), or remove `notify`"),
            );
        }
    }

    let mut account_names = HashMap::new();
    let mut account_emails = HashMap::new();
    for acct in &file.account {
        let a = acct.get_ref();
        if let Some(first) = account_names.insert(a.name.get_ref().clone(), a.name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("account `{}` is declared twice", a.name.get_ref()))
                    .at(src, a.name.span())
                    .hint(format!("it is first declared on line {line}")),
            );
        }
        let email = a.email.get_ref().as_str().to_ascii_lowercase();
        if let Some(first) = account_emails.insert(email, a.email.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("e-mail `{}` is used by two accounts", a.email.get_ref()))
                    .at(src, a.email.span())
                    .hint(format!(
                        "it is first used on line {line}; every AWS account needs its own e-mail address"
                    )),
            );
        }
    }

    if let Some(billing) = &file.billing {
        let billing = billing.get_ref();
        let mut names = HashMap::new();
        for alarm in &billing.alarm {
            let name = &alarm.get_ref().name;
            if let Some(first) = names.insert(name.get_ref().clone(), name.span()) {
                let (line, _) = src.line_col(first.start);
                diags.push(
                    Diagnostic::error(format!("billing alarm `{}` is declared twice", name.get_ref()))
                        .at(src, name.span())
                        .hint(format!("it is first declared on line {line}; alarm names are unique")),
                );
            }
        }
        let mut emails = HashMap::new();
        for email in &billing.notify {
            let key = email.get_ref().as_str().to_ascii_lowercase();
            if emails.insert(key, ()).is_some() {
                diags.push(
                    Diagnostic::error(format!("`{}` is listed twice in `billing.notify`", email.get_ref()))
                        .at(src, email.span()),
                );
            }
        }
    }

    if let Some(sso) = baseline.sso() {
        super::sso::check(src, sso, &baseline.inline_policies, &mut diags);
    }

    let (desired, _) = crate::baseline::scp::desired_scps(baseline);
    let mut per_target: BTreeMap<&Target, Vec<&str>> = BTreeMap::new();
    for scp in &desired {
        if scp.content.chars().count() > MAX_SCP_SIZE {
            diags.push(
                Diagnostic::error(format!(
                    "SCP `{}` is {} characters minified; AWS allows {MAX_SCP_SIZE}",
                    scp.name,
                    scp.content.chars().count()
                ))
                .at(src, scp.span.clone())
                .hint("split it into two policies, or use wildcards such as `ec2:Describe*` to shorten action lists"),
            );
        }
        let mut seen_targets = HashMap::new();
        for t in &scp.attach {
            if seen_targets.insert(t.get_ref().clone(), ()).is_some() {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` is listed twice in `attach` of `{}`",
                        t.get_ref(),
                        scp.address()
                    ))
                    .at(src, t.span()),
                );
                continue;
            }
            let list = per_target.entry(t.get_ref()).or_default();
            list.push(&scp.name);
            if list.len() == MAX_SCPS_PER_TARGET + 1 {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` would carry more than {MAX_SCPS_PER_TARGET} SCPs",
                        t.get_ref()
                    ))
                    .at(src, t.span())
                    .cause(format!("the baseline alone attaches {} to it", list.join(", ")))
                    .hint("AWS allows 5 SCPs per root, OU or account, FullAWSAccess included; merge policies or attach some to a parent OU"),
                );
            }
        }
    }

    if diags.is_empty() { Ok(()) } else { Err(diags) }
}
