//! The plan comment within a size limit: GitHub refuses a comment over 65,536
//! characters, so a large plan is cut, by whole parts only (a section, a change with its
//! diff and collapsed blocks), never inside a code fence, a `<details>` block or a list
//! item, and says what it left out and where the full plan is.

use std::fmt::Write as _;

use super::{Parts, area_heading, code};

/// The smallest budget: the title, the summary table and the closing note always fit.
pub const MIN_CHARS: usize = 2_000;

/// How long the comment may be, and where the full plan is kept (an artifact's name, a
/// file), which the closing note of a cut comment names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Characters (Unicode scalar values, as GitHub counts them).
    pub max_chars: usize,
    pub full_plan: Option<String>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// What a cut comment may leave out besides changes, in the order the comment shows
/// them. Each is taken whole if it fits in what is left, most important first: the
/// errors, the warnings and the impact before the changes, the notes and the resources
/// kept after them.
const SECTIONS: [&str; 5] = [
    "the errors",
    "the impact summary",
    "the resources kept though no longer in the baseline",
    "the notes",
    "the warnings",
];

/// Whether `part` is taken: it is, whole, when it fits in what is `left`; otherwise it
/// is named among what the note says was left out. An empty part is neither.
fn take<'a>(part: &str, name: &'a str, left: &mut usize, left_out: &mut Vec<&'a str>) -> bool {
    let n = chars(part);
    if n == 0 {
        false
    } else if n <= *left {
        *left -= n;
        true
    } else {
        left_out.push(name);
        false
    }
}

pub(super) fn fit(parts: &Parts, budget: &Budget) -> String {
    let full = parts.join();
    let max = budget.max_chars.max(MIN_CHARS);
    if chars(&full) <= max {
        return full;
    }
    let total: usize = parts.areas.iter().map(|a| a.changes.len()).sum();
    // The note is written last, but its room is kept first: the longest it can be.
    let room = chars(&note(max, total, total, &SECTIONS, budget));
    let mut left = max.saturating_sub(chars(&parts.title) + chars(&parts.table) + room);
    let mut left_out: Vec<&str> = Vec::new();
    let errors = take(&parts.blocked, "the errors", &mut left, &mut left_out);
    let warnings = take(&parts.warnings, "the warnings", &mut left, &mut left_out);
    let impact = take(&parts.impact, "the impact summary", &mut left, &mut left_out);
    // The changes in their order, as many whole ones as fit; a kind's heading comes with
    // its first change, kept at its longest (`, N shown here`) so it is never short of room.
    let mut shown = vec![0; parts.areas.len()];
    'kinds: for (i, area) in parts.areas.iter().enumerate() {
        for (j, change) in area.changes.iter().enumerate() {
            let total = area.changes.len();
            let heading = if j == 0 {
                chars(&area_heading(&area.kind, total, total.saturating_sub(1)))
            } else {
                0
            };
            let cost = chars(change) + heading;
            if cost > left {
                break 'kinds;
            }
            left -= cost;
            shown[i] += 1;
        }
    }
    let notes = take(&parts.notes, "the notes", &mut left, &mut left_out);
    let orphans = take(
        &parts.orphans,
        "the resources kept though no longer in the baseline",
        &mut left,
        &mut left_out,
    );
    let mut out = parts.title.clone();
    for (part, keep) in [(&parts.blocked, errors), (&parts.impact, impact), (&parts.table, true)] {
        if keep {
            out.push_str(part);
        }
    }
    for (area, &n) in parts.areas.iter().zip(&shown).filter(|(_, n)| **n > 0) {
        out.push_str(&area_heading(&area.kind, area.changes.len(), n));
        for c in &area.changes[..n] {
            out.push_str(c);
        }
    }
    for (part, keep) in [
        (&parts.orphans, orphans),
        (&parts.notes, notes),
        (&parts.warnings, warnings),
    ] {
        if keep {
            out.push_str(part);
        }
    }
    // Sections in the order the comment shows them.
    left_out.sort_by_key(|name| SECTIONS.iter().position(|s| s == name));
    out.push_str(&note(
        max,
        total - shown.iter().sum::<usize>(),
        total,
        &left_out,
        budget,
    ));
    out
}

/// `**Cut to fit 65,536 characters**: 12 of 340 changes are not shown here, nor the
/// notes. The full plan is in `plinth-plan-…`.`
fn note(max: usize, changes_left: usize, total: usize, sections: &[&str], budget: &Budget) -> String {
    let mut what: Vec<String> = Vec::new();
    if changes_left > 0 {
        what.push(format!(
            "{changes_left} of {total} change{}",
            if total == 1 { "" } else { "s" }
        ));
    }
    what.extend(sections.iter().map(|s| (*s).to_owned()));
    let what = match what.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "nothing".into(),
    };
    let mut out = format!(
        "\n---\n\n**Cut to fit {} characters**: not shown here: {what}. ",
        thousands(max)
    );
    match &budget.full_plan {
        Some(place) => {
            let _ = writeln!(out, "The full plan is in {}.", code(place));
        }
        None => out.push_str("The full plan is printed without `--max-chars`.\n"),
    }
    out
}

/// `65536` as `65,536`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Address, Change, Op, OrganizationsOp, Plan, Ref};
    use serde_json::json;

    /// `n` created SCPs, each with a policy document of `statements` statements.
    fn huge(n: usize, statements: usize) -> Plan {
        let changes = (0..n)
            .map(|i| {
                let doc = json!({
                    "Version": "2012-10-17",
                    "Statement": (0..statements).map(|s| json!({
                        "Sid": format!("S{s}"), "Effect": "Deny", "Action": format!("s3:Action{s}"), "Resource": "*"
                    })).collect::<Vec<_>>()
                });
                let kind = if i % 2 == 0 { "scp" } else { "rcp" };
                Change::new(
                    Address::new(kind, format!("{kind}.custom.p{i:05}")),
                    Action::Create,
                    format!("no SCP named `p{i:05}` in the organization"),
                    Op::Organizations(OrganizationsOp::AttachPolicy {
                        policy: Ref::Id(format!("p-{i}")),
                        target: Ref::Id("r-1".into()),
                    }),
                )
                .after(Some(doc))
            })
            .collect();
        Plan {
            changes,
            notes: (0..200).map(|i| format!("note {i}: {}", "x".repeat(100))).collect(),
            warnings: vec!["`scp.region_deny` does not allow the home region".into()],
            ..Plan::default()
        }
    }

    fn budget(max_chars: usize) -> Budget {
        Budget {
            max_chars,
            full_plan: Some("plinth-plan-0123abc".into()),
        }
    }

    #[test]
    fn a_huge_plan_never_exceeds_the_budget() {
        let plan = huge(3_000, 8);
        assert!(chars(&super::super::plan(&plan)) > 1_000_000);
        for max in [MIN_CHARS, 2_345, 10_000, 65_536] {
            let md = super::super::plan_within(&plan, &budget(max));
            assert!(chars(&md) <= max, "{max}: {} characters", chars(&md));
            assert!(md.starts_with("<!-- plinth-plan -->\n### plinth plan: 3000 to create\n"));
            assert!(md.contains("| adopt | enable | create |"), "the summary table is kept");
            assert!(md.contains("#### Warnings"), "the warnings are kept");
            assert!(md.ends_with("The full plan is in `plinth-plan-0123abc`.\n"), "{md}");
            // Whole changes only: every fence opened is closed, every <details> too.
            assert_eq!(md.matches("```").count() % 2, 0);
            assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());
            let shown = md.matches("- `+` **create**").count();
            assert!(shown < 3_000);
            if max >= 10_000 {
                assert!(
                    shown > 0 && chars(&md) > max * 9 / 10,
                    "{max}: the budget is used: {}",
                    chars(&md)
                );
                // Kinds in order: the first (`rcp`) is cut, the next is not begun.
                assert!(
                    md.contains(&format!("#### `rcp` (1500 changes, {shown} shown here)")),
                    "{md}"
                );
                assert!(!md.contains("#### `scp`"));
            }
            assert!(
                md.contains(&format!("not shown here: {} of 3000 changes", 3_000 - shown)),
                "{md}"
            );
        }
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        let mut plan = huge(400, 1);
        for c in &mut plan.changes {
            c.reason = "é".repeat(40);
        }
        let md = super::super::plan_within(&plan, &budget(20_000));
        assert!(chars(&md) <= 20_000);
        assert!(
            md.len() > 20_000,
            "two bytes a character: bytes are not what is counted"
        );
    }

    #[test]
    fn a_plan_that_fits_is_the_whole_plan() {
        let plan = huge(3, 2);
        assert_eq!(
            super::super::plan_within(&plan, &budget(65_536)),
            super::super::plan(&plan)
        );
    }

    #[test]
    fn sections_that_do_not_fit_are_named_in_the_note() {
        let mut plan = huge(1, 1);
        plan.notes = vec!["n".repeat(3_000)];
        let md = super::super::plan_within(&plan, &budget(MIN_CHARS));
        assert!(md.contains("- `+` **create** `scp.custom.p00000`"), "{md}");
        assert!(md.contains("not shown here: the notes. "), "{md}");
        assert!(!md.contains("#### Notes"), "{md}");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
