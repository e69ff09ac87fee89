//! The plan's impact in words, for the text and Markdown renderers: one sentence per line
//! of [`crate::plan::impact::summary`], or per change. Names come from the live
//! organization and `what` from planners, so each part is written through the format's
//! [`Style`] (its escaping, `super::escape`).

use super::escape;
use crate::plan::impact::{Effect, ImpactAccount, Line, Subject, UNLISTED_OU};

/// How a format writes the parts of a sentence.
#[derive(Clone, Copy)]
pub struct Style {
    /// A name quoted in backticks: an OU path.
    pub quoted: fn(&str) -> String,
    /// A planner's string (`what`, `gains`, `not_affected`), whose backticks quote names.
    pub prose: fn(&str) -> String,
    /// A live name shown without backticks in text: an account's name.
    pub name: fn(&str) -> String,
    /// A value shown as text in every format: an account's id.
    pub bare: fn(&str) -> String,
}

fn text_quoted(s: &str) -> String {
    format!("`{}`", escape::text(s))
}

fn text_plain(s: &str) -> String {
    escape::text(s).into_owned()
}

/// A terminal: hidden characters shown as escapes, the rest as planners wrote it.
pub const TEXT: Style = Style {
    quoted: text_quoted,
    prose: text_plain,
    name: text_plain,
    bare: text_plain,
};

/// Markdown: names in code spans, planner strings through `escape::markdown::prose`.
pub const MARKDOWN: Style = Style {
    quoted: escape::markdown::code,
    prose: escape::markdown::prose,
    name: escape::markdown::code,
    bare: escape::markdown::text,
};

/// `12 accounts` / `1 account`.
pub fn accounts(n: usize) -> String {
    format!("{n} account{}", if n == 1 { "" } else { "s" })
}

/// [`Style::ous`] for a terminal.
pub fn ous(line: &Line<'_>) -> String {
    TEXT.ous(line)
}

/// [`Style::sentence`] for a terminal.
pub fn sentence(line: &Line<'_>) -> String {
    TEXT.sentence(line)
}

/// [`Style::account_list`] for a terminal.
pub fn account_list(line: &Line<'_>, max: usize) -> String {
    TEXT.account_list(line, max)
}

impl Style {
    /// Where the accounts are: `the root`, `` `Workloads/Prod` ``, `the root and 2 OUs
    /// (`a`, `b`)`, `5 OUs (`a`, `b`, `c`, …)`.
    pub fn ous(&self, line: &Line<'_>) -> String {
        let root = line.ous.contains("root");
        let unlisted = line.ous.contains(UNLISTED_OU);
        let shown: Vec<String> = line
            .ous
            .iter()
            .filter(|o| **o != "root" && **o != UNLISTED_OU)
            .map(|o| (self.quoted)(o))
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
    pub fn sentence(&self, line: &Line<'_>) -> String {
        let count = line.accounts.len();
        let n = accounts(count);
        let at = self.ous(line);
        let what = (self.prose)(line.what);
        let s = if count == 1 { "s" } else { "" };
        let list = |items: &[String]| items.iter().map(|i| (self.prose)(i)).collect::<Vec<_>>().join(", ");
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
                    s.push_str(&format!("; gains {}", list(line.gains)));
                }
                if !line.loses.is_empty() {
                    s.push_str(&format!("; loses {}", list(line.loses)));
                }
                if line.gains.is_empty() && line.loses.is_empty() {
                    s.push_str("; no policy or access plinth reads changes for it");
                }
                s
            }
        };
        if let Some(why) = line.not_affected {
            out.push_str(&format!(" ({})", (self.prose)(why)));
        }
        out
    }

    /// An account as a list shows it: `name (id)`, `id` when the name is the id, `name
    /// (new)` for one the plan creates.
    pub fn account(&self, a: &ImpactAccount) -> String {
        match &a.id {
            Some(id) if *id != a.name => format!("{} ({})", (self.name)(&a.name), (self.bare)(id)),
            Some(id) => (self.name)(id),
            None => format!("{} (new)", (self.name)(&a.name)),
        }
    }

    /// The accounts of a line, at most `max` of them and how many more.
    pub fn account_list(&self, line: &Line<'_>, max: usize) -> String {
        let mut shown: Vec<String> = line.accounts.iter().take(max).map(|a| self.account(a)).collect();
        if line.accounts.len() > max {
            shown.push(format!(
                "and {} more (the JSON plan names them all)",
                line.accounts.len() - max
            ));
        }
        shown.join(", ")
    }
}
