//! The access report as one self-contained HTML page: the OU tree (collapsible, with the
//! policies in force), the trail and billing alarms, the permission sets, and the access
//! matrix with filters by group or user, OU and account, and a search box. Style and
//! script are inlined (`page.css`, `page.js`, a few kilobytes); nothing is fetched when
//! the page opens. Rows are rendered here, so the page reads without script too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{accounts, document_lines, ou_shown, policy_index, policy_name, split_in_force, walk};
use crate::report::{OuNode, PolicyInfo, Report};

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Text for HTML, in content and in quoted attributes: `crate::render::escape::html`.
/// The page's script is a constant (`page.js`); values reach it only through `data-`
/// attributes and the DOM, never inside the `<script>` element.
fn esc(s: &str) -> String {
    crate::render::escape::html(s)
}

pub fn report(report: &Report) -> String {
    let index = policy_index(report);
    let all = accounts(report);
    let org = esc(&report.organization_id);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Access report: {org}</title><style>{CSS}</style></head><body>\n<header>\
         <h1>Access report: organization <code>{org}</code></h1>\
         <p class=\"muted\">Management account <code>{}</code> · {}</p>\
         <input id=\"q\" type=\"search\" placeholder=\"Search accounts, OUs, groups, users, permission sets, policies\">\
         <nav><a href=\"#tree\">Organization</a><a href=\"#guardrails\">Trail and billing</a>\
         <a href=\"#sets\">Permission sets</a><a href=\"#access\">Access</a></nav></header>\n<main>\n",
        esc(&report.management_account_id),
        esc(&super::sizes(report).replace("; ", " · "))
    );
    for n in &report.notes {
        let _ = writeln!(out, "<p class=\"flag\">note: {}</p>", esc(n));
    }
    let _ = writeln!(
        out,
        "<section id=\"tree\"><h2>Organization: OUs, accounts, policies in force</h2>"
    );
    if !report.effective_policy_types.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Each account shows its effective {} (what AWS makes of the policies \
             attached to the root, its OUs and the account): unfold one to read it.</p>",
            esc(&report.effective_policy_types.join(", "))
        );
    }
    // A large organization's OUs start folded (the search box unfolds them).
    tree(&mut out, &report.root, &index, all.len() <= OPEN_UP_TO);
    out.push_str("</section>\n");
    guardrails(&mut out, report);
    sets(&mut out, report);
    matrix(&mut out, report, &all);
    let _ = writeln!(out, "</main><script>{JS}</script></body></html>");
    out
}

/// Organizations of up to this many accounts show their tree unfolded.
const OPEN_UP_TO: usize = 200;

fn tree(out: &mut String, node: &OuNode, index: &BTreeMap<&str, &PolicyInfo>, unfold: bool) {
    let here = if node.path.is_empty() {
        "root".to_owned()
    } else {
        format!("ou:{}", node.path)
    };
    let title = if node.path.is_empty() {
        "Root".to_owned()
    } else {
        esc(&node.name)
    };
    let _ = write!(
        out,
        "<details class=\"ou\"{} data-path=\"{}\"><summary><b>{title}</b> <code>{}</code> <span class=\"muted\">{} account{}</span> ",
        if unfold || node.path.is_empty() { " open" } else { "" },
        esc(&node.path),
        esc(&node.id),
        node.accounts.len(),
        if node.accounts.len() == 1 { "" } else { "s" }
    );
    for id in split_in_force(&node.policies, &here).0 {
        let _ = write!(out, "<span class=\"pol\">{}</span>", esc(&policy_name(index, id)));
    }
    out.push_str("</summary>\n<ul class=\"accounts\">\n");
    for a in &node.accounts {
        let mut search = format!("{} {} {} {}", a.name, a.id, a.email, node.path);
        let _ = write!(out, "<li class=\"account\" data-account=\"{}\"", esc(&a.id));
        let mut body = format!("<b>{}</b> <code>{}</code>", esc(&a.name), esc(&a.id));
        if a.management {
            body.push_str(" <span class=\"flag\">management account: SCPs and RCPs never restrict it</span>");
        }
        if a.suspended {
            body.push_str(" <span class=\"flag\">suspended</span>");
        }
        let (direct, inherited) = split_in_force(&a.policies, "account");
        let shown = direct
            .iter()
            .map(|id| (policy_name(index, id), "pol", "attached to the account".to_owned()))
            .chain(
                inherited
                    .iter()
                    .map(|(id, via)| (policy_name(index, id), "pol inherited", format!("inherited from {via}"))),
            );
        for (label, class, title) in shown {
            search.push(' ');
            search.push_str(&label);
            let _ = write!(
                body,
                " <span class=\"{class}\" title=\"{}\">{}</span>",
                esc(&title),
                esc(&label)
            );
        }
        effective(&mut body, &a.effective_policies);
        let _ = writeln!(out, " data-search=\"{}\">{body}</li>", esc(&search));
    }
    out.push_str("</ul>\n");
    for c in &node.children {
        tree(out, c, index, unfold);
    }
    out.push_str("</details>\n");
}

/// An account's effective management policies: each document folded in a `<details>`
/// (pretty JSON, each line escaped), or a plain `no … policy` when none reaches it.
fn effective(body: &mut String, policies: &[crate::report::Effective]) {
    if policies.is_empty() {
        return;
    }
    body.push_str("<div class=\"eff\">");
    for e in policies {
        match &e.document {
            Some(document) => {
                let lines: Vec<String> = document_lines(document).iter().map(|l| esc(l)).collect();
                let _ = write!(
                    body,
                    "<details><summary>effective {}</summary><pre><code>{}</code></pre></details>",
                    esc(&e.policy_type),
                    lines.join("\n")
                );
            }
            None => {
                let _ = write!(body, "<span class=\"muted\">no {}</span>", esc(&e.policy_type));
            }
        }
    }
    body.push_str("</div>");
}

fn guardrails(out: &mut String, report: &Report) {
    let yes = |b: bool| if b { "yes" } else { "<span class=\"bad\">no</span>" };
    out.push_str("<section id=\"guardrails\"><h2>Trail and billing alarms</h2>\n");
    if report.trails.is_empty() {
        out.push_str("<p class=\"bad\">No trail.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Trail</th><th>Home</th><th>Organization</th><th>Multi-region</th><th>Logging</th><th>Log file validation</th><th>Bucket</th></tr></thead><tbody>\n");
        for t in &report.trails {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&t.name),
                esc(&t.home_region),
                yes(t.organization),
                yes(t.multi_region),
                yes(t.logging),
                yes(t.log_file_validation),
                esc(&t.bucket)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if report.billing_alarms.is_empty() {
        out.push_str("<p>No billing alarm.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Billing alarm</th><th>Account</th><th>Threshold (USD)</th><th>State</th><th>Actions</th></tr></thead><tbody>\n");
        for a in &report.billing_alarms {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&a.name),
                esc(a.account.as_deref().unwrap_or("whole bill")),
                a.threshold_usd,
                esc(&a.state),
                if a.actions_enabled {
                    "enabled"
                } else {
                    "<span class=\"bad\">disabled</span>"
                }
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn sets(out: &mut String, report: &Report) {
    out.push_str("<section id=\"sets\"><h2>Permission sets</h2>\n");
    if report.permission_sets.is_empty() {
        out.push_str("<p>No permission set.</p></section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>Permission set</th><th>Session</th><th>Policies</th><th>Boundary</th></tr></thead><tbody>\n");
    for s in &report.permission_sets {
        let mut policies: Vec<String> = s
            .managed_policies
            .iter()
            .map(|p| format!("<code>{}</code>", esc(p)))
            .collect();
        policies.extend(
            s.customer_managed_policies
                .iter()
                .map(|p| format!("<code>{}</code> (customer managed)", esc(p))),
        );
        if s.inline_policy {
            policies.push("inline policy".to_owned());
        }
        let _ = writeln!(
            out,
            "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.name),
            esc(&s.session_duration),
            if policies.is_empty() {
                "none".to_owned()
            } else {
                policies.join("<br>")
            },
            s.permissions_boundary
                .as_deref()
                .map_or_else(|| "none".to_owned(), |b| format!("<code>{}</code>", esc(b)))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The access matrix: one row per principal and account, the permission sets there.
fn matrix(out: &mut String, report: &Report, all: &[(&str, &crate::report::AccountInfo)]) {
    let where_: BTreeMap<&str, (&str, &str)> = all
        .iter()
        .map(|(ou, a)| (a.id.as_str(), (a.name.as_str(), *ou)))
        .collect();
    let sessions: BTreeMap<&str, &str> = report
        .permission_sets
        .iter()
        .map(|s| (s.name.as_str(), s.session_duration.as_str()))
        .collect();
    let mut rows: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for g in &report.access {
        rows.entry((g.principal_kind.as_str(), g.principal.as_str(), g.account_id.as_str()))
            .or_default()
            .push(g.permission_set.as_str());
    }
    let principals: BTreeSet<(&str, &str)> = rows.keys().map(|(k, p, _)| (*k, *p)).collect();
    let ous: BTreeSet<&str> = walk(&report.root)
        .iter()
        .map(|(_, n)| n.path.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    out.push_str("<section id=\"access\"><h2>Access: who has which permission set where</h2>\n<div class=\"filters\">");
    out.push_str(
        "<select id=\"f-principal\" aria-label=\"group or user\"><option value=\"\">every group and user</option>",
    );
    for (kind, p) in &principals {
        let v = esc(&format!("{kind}:{p}"));
        let _ = write!(out, "<option value=\"{v}\">{} {}</option>", esc(kind), esc(p));
    }
    out.push_str("</select><select id=\"f-ou\" aria-label=\"OU\"><option value=\"\">every OU</option>");
    for p in &ous {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(p));
    }
    out.push_str(
        "</select><input id=\"f-account\" type=\"search\" placeholder=\"account name or id\" aria-label=\"account\">",
    );
    let _ = writeln!(
        out,
        "<span id=\"shown\" class=\"muted\">{} rows</span></div>",
        rows.len()
    );
    out.push_str("<table id=\"matrix\"><thead><tr><th>Group or user</th><th>Account</th><th>OU</th><th>Permission sets (session)</th></tr></thead><tbody>\n");
    for ((kind, principal, account), sets) in &rows {
        let (name, ou) = where_.get(account).copied().unwrap_or(("?", "?"));
        let shown: Vec<String> = sets
            .iter()
            .map(|s| {
                format!(
                    "<b>{}</b> <span class=\"muted\">{}</span>",
                    esc(s),
                    esc(sessions.get(s).copied().unwrap_or(""))
                )
            })
            .collect();
        let search = format!(
            "{kind} {principal} {name} {account} {} {}",
            ou_shown(ou),
            sets.join(" ")
        );
        let _ = writeln!(
            out,
            "<tr data-principal=\"{}\" data-ou=\"{}\" data-account=\"{}\" data-search=\"{}\"><td>{} <b>{}</b></td><td>{} <code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&format!("{kind}:{principal}")),
            esc(ou),
            esc(&format!("{account} {name}")),
            esc(&search),
            esc(kind),
            esc(principal),
            esc(name),
            esc(account),
            esc(ou_shown(ou)),
            shown.join(", ")
        );
    }
    out.push_str("</tbody></table></section>\n");
}
