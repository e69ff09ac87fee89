//! Adoption: a resource of the name the baseline declares that lacks plinth's tag is
//! taken over by an `adopt` change (the tag, nothing else), which the resource's other
//! changes wait for; one that another tool manages ([`other_manager`]) is an error, even
//! when it carries plinth's tag too (a sign of another tool always wins).
//!
//! [`other_manager`]: crate::observed::other_manager

use std::ops::Range;

use crate::diag::{Diagnostic, SourceFile};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE, OtherManager};
use crate::plan::{Action, Address, Change, Op};

/// The change that adopts `what` (`SNS topic `x``), at the address of the resource's
/// own change with ` (adopt)` after it.
pub fn change(address: &Address, what: &str, op: Op) -> Change {
    Change::new(
        address.adopt(),
        Action::Adopt,
        format!(
            "{what} exists without the `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}` tag; the baseline declares it, so plinth takes it over"
        ),
        op,
    )
}

/// `what` exists under the declared name, and another tool manages it.
pub fn managed_elsewhere(src: &SourceFile, span: Range<usize>, what: &str, other: &OtherManager) -> Diagnostic {
    let d = Diagnostic::error(format!("{what} exists and plinth does not manage it"))
        .at(src, span)
        .cause(format!("it is managed by {other}"));
    // Both signs: one of them is forged or mistaken, and either may be set by anyone who
    // may tag. plinth writes nothing of it, and leaves out only its kind's changes
    // (blocked), so one tag cannot stop the repair of the whole organization.
    let d = if other.plinth_tag {
        d.cause(format!(
            "it also carries `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}`, which does not make it plinth's: a sign of another tool always wins"
        ))
        .blocking(what.to_owned())
    } else {
        d
    };
    d.hint("plinth never takes over another tool's resource: choose another name in the baseline")
}
