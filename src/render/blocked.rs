//! Targets left out of a plan because live names make them ambiguous, and kinds left out
//! by an error of their own ([`crate::plan::Blocked`], with its own hint): errors, shown
//! before everything else in every format.

use std::fmt::Write as _;

use crate::plan::Plan;

const HINT: &str = "rename the live resources the baseline does not mean, or name the target by id \
                    (`account:<id>`); until then plinth attaches, detaches and deletes nothing there";

/// The text plan's errors, one block each.
pub fn text(plan: &Plan, out: &mut String) {
    for b in &plan.blocked {
        let _ = writeln!(
            out,
            "error: `{}` is left out of this plan{}",
            super::escape::text(&b.target),
            if b.hint.is_none() {
                ": live names make it ambiguous"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "  --> {}", super::escape::text(&b.at));
        let _ = writeln!(out, "  Caused by: {}", super::escape::text(&b.error));
        let hint = b.hint.as_deref().map_or(HINT.into(), super::escape::text);
        let _ = writeln!(out, "  hint: {hint}\n");
    }
}

/// The Markdown plan's errors: a caution block at the top of the comment.
pub fn markdown(plan: &Plan, out: &mut String) {
    if plan.blocked.is_empty() {
        return;
    }
    let n = plan.blocked.len();
    // The ambiguity's reason and remedy, when it is the (or a) reason.
    let ambiguous = plan.blocked.iter().any(|b| b.hint.is_none());
    let only_ambiguous = plan.blocked.iter().all(|b| b.hint.is_none());
    let _ = writeln!(
        out,
        "> [!CAUTION]\n> **{n} target{} left out of this plan**: {}plinth changes nothing there.\n>",
        if n == 1 { "" } else { "s" },
        match (only_ambiguous, n) {
            (false, _) => "",
            (true, 1) => "live names make it ambiguous, so ",
            (true, _) => "live names make them ambiguous, so ",
        }
    );
    for b in &plan.blocked {
        let _ = writeln!(
            out,
            "> - {} at {}: {}",
            super::escape::markdown::code(&b.target),
            super::escape::markdown::code(&b.at),
            super::escape::markdown::code(&b.error)
        );
        if let Some(hint) = &b.hint {
            let _ = writeln!(out, ">   hint: {}", super::escape::markdown::prose(hint));
        }
    }
    if ambiguous {
        let _ = writeln!(out, ">\n> {HINT}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Blocked;

    fn plan(hint: Option<&str>) -> Plan {
        let mut plan = Plan::default();
        plan.block(Blocked {
            target: "trail".into(),
            at: "baseline.toml:6:10".into(),
            error: "bucket `logs` belongs to another account".into(),
            ids: vec![],
            hint: hint.map(str::to_owned),
        });
        plan
    }

    #[test]
    fn a_kind_left_out_by_its_own_error_shows_its_own_hint() {
        let plan = plan(Some("set `bucket` to a name of your own"));
        let (mut text, mut md) = (String::new(), String::new());
        super::text(&plan, &mut text);
        markdown(&plan, &mut md);
        assert_eq!(
            text,
            "error: `trail` is left out of this plan\n  --> baseline.toml:6:10\n  \
             Caused by: bucket `logs` belongs to another account\n  hint: set `bucket` to a name of your own\n\n"
        );
        assert!(
            md.contains("**1 target left out of this plan**: plinth changes nothing there."),
            "{md}"
        );
        assert!(md.contains(">   hint: set `bucket` to a name of your own\n"), "{md}");
        assert!(!md.contains("ambiguous") && !md.contains(HINT), "{md}");
    }

    #[test]
    fn an_ambiguous_target_keeps_the_renaming_hint() {
        let plan = plan(None);
        let (mut text, mut md) = (String::new(), String::new());
        super::text(&plan, &mut text);
        markdown(&plan, &mut md);
        assert!(
            text.contains("left out of this plan: live names make it ambiguous"),
            "{text}"
        );
        assert!(text.contains(&format!("hint: {HINT}")), "{text}");
        assert!(
            md.contains("live names make it ambiguous, so plinth changes nothing there."),
            "{md}"
        );
        assert!(md.ends_with(&format!(">\n> {HINT}\n\n")), "{md}");
    }
}
