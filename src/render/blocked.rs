//! Targets left out of a plan because live names make them ambiguous
//! ([`crate::plan::Blocked`]): errors, shown before everything else in every format.

use std::fmt::Write as _;

use crate::plan::Plan;

const HINT: &str = "rename the live resources the baseline does not mean, or name the target by id \
                    (`account:<id>`); until then plinth attaches, detaches and deletes nothing there";

/// The text plan's errors, one block each.
pub fn text(plan: &Plan, out: &mut String) {
    for b in &plan.blocked {
        let _ = writeln!(
            out,
            "error: `{}` is left out of this plan: live names make it ambiguous",
            super::escape::text(&b.target)
        );
        let _ = writeln!(out, "  --> {}", super::escape::text(&b.at));
        let _ = writeln!(out, "  Caused by: {}", super::escape::text(&b.error));
        let _ = writeln!(out, "  hint: {HINT}\n");
    }
}

/// The Markdown plan's errors: a caution block at the top of the comment.
pub fn markdown(plan: &Plan, out: &mut String) {
    if plan.blocked.is_empty() {
        return;
    }
    let n = plan.blocked.len();
    let _ = writeln!(
        out,
        "> [!CAUTION]\n> **{n} target{} left out of this plan**: live names make {} ambiguous, so plinth changes nothing there.\n>",
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" }
    );
    for b in &plan.blocked {
        let _ = writeln!(
            out,
            "> - {} at {}: {}",
            super::escape::markdown::code(&b.target),
            super::escape::markdown::code(&b.at),
            super::escape::markdown::code(&b.error)
        );
    }
    let _ = writeln!(out, ">\n> {HINT}\n");
}
