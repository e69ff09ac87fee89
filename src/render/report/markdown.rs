//! The access report as Markdown: for a ticket, a wiki page or an audit file. Names are
//! code spans (`code_cell` in tables, where `|` would cut the row), other live values
//! escaped text, notes through `prose` (`crate::render::escape::markdown`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{accounts, document_lines, ou_shown, policy_index, policy_name_in, split_in_force, walk};
use crate::render::escape::markdown::{code, code_cell, fence, prose, text};
use crate::report::{AccountInfo, PolicyInfo, Report};

/// The whole report: the heading and its notes, then one section each for the
/// organization, the effective management policies, trails, billing alarms, permission
/// sets and access.
pub fn report(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    organization(&mut out, report);
    effective(&mut out, report);
    trails(&mut out, report);
    billing_alarms(&mut out, report);
    permission_sets(&mut out, report);
    access(&mut out, report);
    out
}

/// The title (the organization), the management account and the report's size, and
/// each of the report's notes.
fn header(out: &mut String, report: &Report) {
    let _ = writeln!(out, "# Access report: organization {}\n", code(&report.organization_id));
    let _ = writeln!(
        out,
        "Management account {}; {}.\n",
        code(&report.management_account_id),
        super::sizes(report)
    );
    for n in &report.notes {
        let _ = writeln!(out, "> note: {}\n", prose(n));
    }
}

/// The root and its OUs as a nested list, each with the policies attached there, and
/// under each its accounts ([`account_line`]).
fn organization(out: &mut String, report: &Report) {
    let index = policy_index(report);
    let _ = writeln!(out, "## Organization: OUs, accounts and the policies in force\n");
    for (depth, node) in walk(&report.root) {
        let indent = "  ".repeat(depth);
        let via = if node.path.is_empty() {
            "root".to_owned()
        } else {
            format!("ou:{}", node.path)
        };
        let (direct, _) = split_in_force(&node.policies, &via);
        let here: Vec<String> = direct.iter().map(|id| policy(&index, id)).collect();
        let title = if node.path.is_empty() {
            "Root".to_owned()
        } else {
            code(&node.path)
        };
        let attached = if here.is_empty() {
            "no policy attached here".to_owned()
        } else {
            format!("attached: {}", here.join(", "))
        };
        let _ = writeln!(out, "{indent}- **{title}** ({}): {attached}", text(&node.id));
        for a in &node.accounts {
            let _ = writeln!(out, "{indent}  - {}", account_line(&index, a));
        }
    }
}

/// An account in the organization list: its name, id and flags (management account,
/// suspended), and the policies attached to it and those it inherits, with where from.
fn account_line(index: &BTreeMap<&str, &PolicyInfo>, a: &AccountInfo) -> String {
    let mut flags = Vec::new();
    if a.management {
        flags.push("management account: SCPs and RCPs never restrict it");
    }
    if a.suspended {
        flags.push("suspended");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join(", "))
    };
    let (direct, inherited) = split_in_force(&a.policies, "account");
    let mut parts = Vec::new();
    if !direct.is_empty() {
        let names: Vec<String> = direct.iter().map(|id| policy(index, id)).collect();
        parts.push(format!("attached: {}", names.join(", ")));
    }
    if !inherited.is_empty() {
        let names: Vec<String> = inherited
            .iter()
            .map(|(id, via)| format!("{} from {}", policy(index, id), place(via)))
            .collect();
        parts.push(format!("inherited: {}", names.join(", ")));
    }
    format!(
        "account {} {}{flags}: {}",
        code(&a.name),
        text(&a.id),
        if parts.is_empty() {
            "no policy".to_owned()
        } else {
            parts.join("; ")
        }
    )
}

/// The trails as a table, a `no` in bold where a trail falls short.
fn trails(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Trails\n");
    if report.trails.is_empty() {
        let _ = writeln!(out, "No trail.");
        return;
    }
    let _ = writeln!(
        out,
        "| trail | home | organization | multi-region | logging | log file validation | bucket |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for t in &report.trails {
        let yes = |b: bool| if b { "yes" } else { "**no**" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code_cell(&t.name),
            text(&t.home_region),
            yes(t.organization),
            yes(t.multi_region),
            yes(t.logging),
            yes(t.log_file_validation),
            code_cell(&t.bucket)
        );
    }
}

/// The billing alarms as a table: the account each watches (or the whole bill), its
/// threshold, state and whether its actions are enabled.
fn billing_alarms(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Billing alarms\n");
    if report.billing_alarms.is_empty() {
        let _ = writeln!(out, "No billing alarm.");
        return;
    }
    let _ = writeln!(out, "| alarm | account | threshold (USD) | state | actions |");
    let _ = writeln!(out, "|---|---|---:|---|---|");
    for a in &report.billing_alarms {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code_cell(&a.name),
            a.account.as_deref().map_or_else(|| "whole bill".to_owned(), text),
            a.threshold_usd,
            text(&a.state),
            if a.actions_enabled { "enabled" } else { "**disabled**" }
        );
    }
}

/// The permission sets as a table: session duration, policies (managed, customer
/// managed, inline) and permissions boundary.
fn permission_sets(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Permission sets\n");
    if report.permission_sets.is_empty() {
        let _ = writeln!(out, "No permission set.");
        return;
    }
    let _ = writeln!(out, "| permission set | session | policies | boundary |");
    let _ = writeln!(out, "|---|---|---|---|");
    for s in &report.permission_sets {
        let mut policies: Vec<String> = s.managed_policies.iter().map(|p| code_cell(p)).collect();
        policies.extend(
            s.customer_managed_policies
                .iter()
                .map(|p| format!("{} (customer managed)", code_cell(p))),
        );
        if s.inline_policy {
            policies.push("inline policy".to_owned());
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code_cell(&s.name),
            text(&s.session_duration),
            if policies.is_empty() {
                "none".to_owned()
            } else {
                policies.join(", ")
            },
            s.permissions_boundary
                .as_deref()
                .map_or_else(|| "none".to_owned(), code_cell)
        );
    }
}

/// Who has which permission set where: one row per principal and account (ordered by
/// principal kind, principal, account), with the account's name and OU.
fn access(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Access: who has which permission set where\n");
    if report.access.is_empty() {
        let _ = writeln!(out, "No assignment.");
        return;
    }
    let names: BTreeMap<&str, (&str, &str)> = accounts(report)
        .iter()
        .map(|(ou, a)| (a.id.as_str(), (a.name.as_str(), *ou)))
        .collect();
    let _ = writeln!(out, "| principal | account | OU | permission sets |");
    let _ = writeln!(out, "|---|---|---|---|");
    let mut rows: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for g in &report.access {
        rows.entry((g.principal_kind.as_str(), g.principal.as_str(), g.account_id.as_str()))
            .or_default()
            .push(g.permission_set.as_str());
    }
    for ((kind, principal, account), sets) in rows {
        let (name, ou) = match names.get(account) {
            Some((name, ou)) => (code_cell(name), ou_cell(ou)),
            None => ("?".to_owned(), "?".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} {} | {name} {} | {ou} | {} |",
            text(kind),
            code_cell(principal),
            text(account),
            sets.iter().map(|s| code_cell(s)).collect::<Vec<_>>().join(", ")
        );
    }
}

/// Each account's effective management policies: the document in a fenced JSON block
/// (each line escaped, the fence longer than any backtick run inside), or `none`.
fn effective(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Effective management policies\n");
    if report.effective_policy_types.is_empty() {
        let _ = writeln!(out, "No management policy type is enabled on the root.");
        return;
    }
    let types: Vec<String> = report.effective_policy_types.iter().map(|t| text(t)).collect();
    let _ = writeln!(
        out,
        "What AWS makes of the policies attached to the root, each account's OUs and the account \
         (`DescribeEffectivePolicy`), for each type enabled on the root: {}.\n",
        types.join(", ")
    );
    for (ou, a) in accounts(report) {
        let place = if ou.is_empty() {
            ou_shown(ou).to_owned()
        } else {
            code(ou)
        };
        let _ = writeln!(out, "- account {} {} in {place}", code(&a.name), text(&a.id));
        for e in &a.effective_policies {
            let Some(document) = &e.document else {
                let _ = writeln!(
                    out,
                    "  - {}: none (no policy of the type reaches the account)",
                    text(&e.policy_type)
                );
                continue;
            };
            let lines: Vec<String> = document_lines(document)
                .iter()
                .map(|l| crate::render::escape::text(l).into_owned())
                .collect();
            let body = lines.join("\n");
            let fence = fence(&body);
            let _ = writeln!(out, "  - {}:\n\n    {fence}json", text(&e.policy_type));
            for line in &lines {
                let _ = writeln!(out, "    {line}");
            }
            let _ = writeln!(out, "    {fence}\n");
        }
    }
}

/// A policy as the report names it, its live name a code span: `SCP `deny-deletes``.
fn policy(index: &BTreeMap<&str, &PolicyInfo>, id: &str) -> String {
    policy_name_in(index, id, code, prose)
}

/// Where an inherited policy is attached: `root`, or `ou:<path>` as a code span.
fn place(via: &str) -> String {
    if via.starts_with("ou:") { code(via) } else { text(via) }
}

/// An account's OU in the access table: `root`, or its path as a code span.
fn ou_cell(path: &str) -> String {
    if path.is_empty() {
        ou_shown(path).to_owned()
    } else {
        code_cell(path)
    }
}
