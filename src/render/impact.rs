//! The plan's impact in words, for the text and Markdown renderers: one sentence per line
//! of [`crate::plan::impact::summary`], or per change.

use crate::plan::impact::{Effect, Line, Subject, UNLISTED_OU};

/// `12 accounts` / `1 account`.
pub fn accounts(n: usize) -> String {
    format!("{n} account{}", if n == 1 { "" } else { "s" })
}

/// Where the accounts are: `the root`, `` `Workloads/Prod` ``, `the root and 2 OUs (`a`,
/// `b`)`, `5 OUs (`a`, `b`, `c`, …)`.
pub fn ous(line: &Line<'_>) -> String {
    let root = line.ous.contains("root");
    let unlisted = line.ous.contains(UNLISTED_OU);
    let shown: Vec<String> = line
        .ous
        .iter()
        .filter(|o| **o != "root" && **o != UNLISTED_OU)
        .map(|o| format!("`{o}`"))
        .collect();
    let listed = match shown.len() {
        0 => String::new(),
        1 => shown[0].clone(),
        2 | 3 => format!("{} OUs ({})", shown.len(), shown.join(", ")),
        n => format!("{n} OUs ({}, …)", shown[..3].join(", ")),
    };
    let mut parts: Vec<String> = Vec::new();
    if root {
        parts.push("the root".to_owned());
    }
    if !listed.is_empty() {
        parts.push(listed);
    }
    if unlisted {
        parts.push("OUs this plan did not list".to_owned());
    }
    match parts.len() {
        0 => "no OU".to_owned(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

/// A sentence a reviewer reads: what happens, to how many accounts, where.
pub fn sentence(line: &Line<'_>) -> String {
    let count = line.accounts.len();
    let n = accounts(count);
    let at = ous(line);
    let what = line.what;
    let s = if count == 1 { "s" } else { "" };
    let mut out = match (line.subject, line.effect) {
        // Every account it reaches has it through another attachment, before or after.
        (Subject::Policy, Effect::Gain) if count == 0 => format!("no account gains {what}"),
        (Subject::Policy, Effect::Lose) if count == 0 => format!("no account loses {what}"),
        (Subject::Policy, Effect::Gain) => format!("{n} in {at} gain{s} {what}"),
        (Subject::Policy, Effect::Lose) => format!("{n} in {at} lose{s} {what}"),
        (Subject::Policy, _) => format!("{what} changes for {n} in {at}"),
        (Subject::Access, Effect::Gain) => format!("{what} granted in {n} in {at}"),
        (Subject::Access, Effect::Lose) => format!("{what} removed from {n} in {at}"),
        (Subject::Access, _) => format!("{what} changes in {n} in {at}"),
        (Subject::Account, _) => {
            let mut s = format!("{what} goes to {at}");
            if !line.gains.is_empty() {
                s.push_str(&format!("; gains {}", line.gains.join(", ")));
            }
            if !line.loses.is_empty() {
                s.push_str(&format!("; loses {}", line.loses.join(", ")));
            }
            if line.gains.is_empty() && line.loses.is_empty() {
                s.push_str("; no policy or access plinth reads changes for it");
            }
            s
        }
    };
    if let Some(why) = line.not_affected {
        out.push_str(&format!(" ({why})"));
    }
    out
}

/// The accounts of a line, `name (id)`, at most `max` of them and how many more.
pub fn account_list(line: &Line<'_>, max: usize) -> String {
    let mut shown: Vec<String> = line.accounts.iter().take(max).map(ToString::to_string).collect();
    if line.accounts.len() > max {
        shown.push(format!(
            "and {} more (the JSON plan names them all)",
            line.accounts.len() - max
        ));
    }
    shown.join(", ")
}
