//! The access report (`plinth report`) as Markdown, JSON and one self-contained HTML
//! page. Renderers take only the [`Report`]; every live value goes through the format's
//! escaping (`crate::render::escape`), and JSON carries the values as they are.

pub mod html;
pub mod markdown;

use std::collections::BTreeMap;

use crate::report::{AccountInfo, InForce, OuNode, PolicyInfo, Report};

/// The JSON form: the report as it is, `format_version` first.
pub fn json(report: &Report) -> String {
    let mut out = crate::render::escape::json(serde_json::to_string_pretty(report).unwrap_or_default());
    out.push('\n');
    out
}

/// An effective policy document as the report shows it: pretty JSON (two spaces),
/// its hidden characters as `\uXXXX` escapes (`crate::render::escape::json`), cut into
/// lines; the caller escapes each line for its format.
pub(crate) fn document_lines(document: &serde_json::Value) -> Vec<String> {
    let pretty = crate::render::escape::json(serde_json::to_string_pretty(document).unwrap_or_default());
    pretty.lines().map(str::to_owned).collect()
}

/// Policies by id.
pub(crate) fn policy_index(report: &Report) -> BTreeMap<&str, &PolicyInfo> {
    report.policies.iter().map(|p| (p.id.as_str(), p)).collect()
}

/// `SCP name` for a policy id, with who manages it: `(plinth)`, `(AWS)`, `(AWS Control
/// Tower)`; none for a policy made by hand. As it is: the HTML page escapes it whole.
pub(crate) fn policy_name(index: &BTreeMap<&str, &PolicyInfo>, id: &str) -> String {
    policy_name_in(index, id, str::to_owned, str::to_owned)
}

/// [`policy_name`] with the live parts written by the format: `name` for the policy's
/// name (and an unknown id), `prose` for who manages it (a planner-style string).
pub(crate) fn policy_name_in(
    index: &BTreeMap<&str, &PolicyInfo>,
    id: &str,
    name: fn(&str) -> String,
    prose: fn(&str) -> String,
) -> String {
    let Some(p) = index.get(id) else {
        return name(id);
    };
    let by = if p.owned {
        " (plinth)".to_owned()
    } else if p.aws_managed {
        " (AWS)".to_owned()
    } else if let Some(other) = &p.managed_by {
        format!(" ({})", prose(other))
    } else {
        String::new()
    };
    format!("{} {}{by}", prose(&p.policy_type), name(&p.name))
}

/// The policies in force at a place, split as people read them: those attached there
/// (`here` is `root`, `ou:<path>` or `account`), and those inherited from above, each
/// policy once (a policy attached at several levels counts where it is closest).
pub(crate) fn split_in_force<'a>(policies: &'a [InForce], here: &str) -> (Vec<&'a str>, Vec<(&'a str, &'a str)>) {
    let direct: Vec<&str> = policies
        .iter()
        .filter(|f| f.via == here)
        .map(|f| f.policy_id.as_str())
        .collect();
    let mut inherited: Vec<(&str, &str)> = Vec::new();
    for f in policies.iter().filter(|f| f.via != here) {
        if !direct.contains(&f.policy_id.as_str()) && !inherited.iter().any(|(id, _)| *id == f.policy_id) {
            inherited.push((f.policy_id.as_str(), f.via.as_str()));
        }
    }
    (direct, inherited)
}

/// Every OU below and including `node`, depth first, with its depth.
pub(crate) fn walk(node: &OuNode) -> Vec<(usize, &OuNode)> {
    fn go<'a>(n: &'a OuNode, depth: usize, out: &mut Vec<(usize, &'a OuNode)>) {
        out.push((depth, n));
        for c in &n.children {
            go(c, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    go(node, 0, &mut out);
    out
}

/// Every account, with the path of its OU (`` for the root).
pub(crate) fn accounts(report: &Report) -> Vec<(&str, &AccountInfo)> {
    walk(&report.root)
        .into_iter()
        .flat_map(|(_, n)| n.accounts.iter().map(move |a| (n.path.as_str(), a)))
        .collect()
}

/// The OU an account is in, as shown: `Workloads/Prod`, or `root`.
pub(crate) fn ou_shown(path: &str) -> &str {
    if path.is_empty() { "root" } else { path }
}

/// How many accounts the report covers.
pub fn account_count(report: &Report) -> usize {
    accounts(report).len()
}

/// `1 policy`, `3 policies`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report's size in one line: accounts, OUs, policies, permission sets, assignments.
pub(crate) fn sizes(report: &Report) -> String {
    format!(
        "{} in {}; {}; {}; {}",
        count(accounts(report).len(), "account", "accounts"),
        count(walk(&report.root).len() - 1, "OU", "OUs"),
        count(report.policies.len(), "policy", "policies"),
        count(report.permission_sets.len(), "permission set", "permission sets"),
        count(report.access.len(), "assignment", "assignments"),
    )
}
