//! The access report as Markdown: for a ticket, a wiki page or an audit file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{accounts, ou_shown, policy_index, policy_name, split_in_force, walk};
use crate::report::Report;

pub fn report(report: &Report) -> String {
    let mut out = String::new();
    let index = policy_index(report);
    let all = accounts(report);
    let _ = writeln!(out, "# Access report: organization `{}`\n", report.organization_id);
    let _ = writeln!(
        out,
        "Management account `{}`; {}.\n",
        report.management_account_id,
        super::sizes(report)
    );
    for n in &report.notes {
        let _ = writeln!(out, "> note: {n}\n");
    }

    let _ = writeln!(out, "## Organization: OUs, accounts and the policies in force\n");
    for (depth, node) in walk(&report.root) {
        let indent = "  ".repeat(depth);
        let via = if node.path.is_empty() {
            "root".to_owned()
        } else {
            format!("ou:{}", node.path)
        };
        let (direct, _) = split_in_force(&node.policies, &via);
        let here: Vec<String> = direct.iter().map(|id| policy_name(&index, id)).collect();
        let title = if node.path.is_empty() {
            "Root".to_owned()
        } else {
            format!("`{}`", node.path)
        };
        let attached = if here.is_empty() {
            "no policy attached here".to_owned()
        } else {
            format!("attached: {}", here.join(", "))
        };
        let _ = writeln!(out, "{indent}- **{title}** ({}): {attached}", node.id);
        for a in &node.accounts {
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
                let names: Vec<String> = direct.iter().map(|id| policy_name(&index, id)).collect();
                parts.push(format!("attached: {}", names.join(", ")));
            }
            if !inherited.is_empty() {
                let names: Vec<String> = inherited
                    .iter()
                    .map(|(id, via)| format!("{} from {via}", policy_name(&index, id)))
                    .collect();
                parts.push(format!("inherited: {}", names.join(", ")));
            }
            let _ = writeln!(
                out,
                "{indent}  - account `{}` {}{flags}: {}",
                a.name,
                a.id,
                if parts.is_empty() {
                    "no policy".to_owned()
                } else {
                    parts.join("; ")
                }
            );
        }
    }

    let _ = writeln!(out, "\n## Trails\n");
    if report.trails.is_empty() {
        let _ = writeln!(out, "No trail.");
    } else {
        let _ = writeln!(
            out,
            "| trail | home | organization | multi-region | logging | log file validation | bucket |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for t in &report.trails {
            let yes = |b: bool| if b { "yes" } else { "**no**" };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | `{}` |",
                t.name,
                t.home_region,
                yes(t.organization),
                yes(t.multi_region),
                yes(t.logging),
                yes(t.log_file_validation),
                t.bucket
            );
        }
    }

    let _ = writeln!(out, "\n## Billing alarms\n");
    if report.billing_alarms.is_empty() {
        let _ = writeln!(out, "No billing alarm.");
    } else {
        let _ = writeln!(out, "| alarm | account | threshold (USD) | state | actions |");
        let _ = writeln!(out, "|---|---|---:|---|---|");
        for a in &report.billing_alarms {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                a.name,
                a.account.as_deref().unwrap_or("whole bill"),
                a.threshold_usd,
                a.state,
                if a.actions_enabled { "enabled" } else { "**disabled**" }
            );
        }
    }

    let _ = writeln!(out, "\n## Permission sets\n");
    if report.permission_sets.is_empty() {
        let _ = writeln!(out, "No permission set.");
    } else {
        let _ = writeln!(out, "| permission set | session | policies | boundary |");
        let _ = writeln!(out, "|---|---|---|---|");
        for s in &report.permission_sets {
            let mut policies: Vec<String> = s.managed_policies.iter().map(|p| format!("`{p}`")).collect();
            policies.extend(
                s.customer_managed_policies
                    .iter()
                    .map(|p| format!("`{p}` (customer managed)")),
            );
            if s.inline_policy {
                policies.push("inline policy".to_owned());
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                s.name,
                s.session_duration,
                if policies.is_empty() {
                    "none".to_owned()
                } else {
                    policies.join(", ")
                },
                s.permissions_boundary
                    .as_deref()
                    .map_or_else(|| "none".to_owned(), |b| format!("`{b}`"))
            );
        }
    }

    let _ = writeln!(out, "\n## Access: who has which permission set where\n");
    if report.access.is_empty() {
        let _ = writeln!(out, "No assignment.");
    } else {
        let names: BTreeMap<&str, (&str, &str)> = all
            .iter()
            .map(|(ou, a)| (a.id.as_str(), (a.name.as_str(), ou_shown(ou))))
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
            let (name, ou) = names.get(account).copied().unwrap_or(("?", "?"));
            let _ = writeln!(
                out,
                "| {kind} `{}` | `{}` {account} | {} | {} |",
                cell(principal),
                cell(name),
                cell(ou),
                sets.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
            );
        }
    }
    out
}

/// Text for a table cell: a `|` would end the cell, a backtick the code span.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}
