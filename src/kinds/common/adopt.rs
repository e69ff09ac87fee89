//! Adoption: a resource of the name the baseline declares that lacks plinth's tag is
//! taken over by an `adopt` change (the tag, nothing else), which the resource's other
//! changes wait for; one that another tool manages ([`other_manager`]) is an error.
//!
//! [`other_manager`]: crate::observed::other_manager

use std::ops::Range;

use crate::diag::{Diagnostic, SourceFile};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE};
use crate::plan::{Action, Address, Change, Op, adopt_address};

/// The change that adopts `what` (`SNS topic `x``), at the address of the resource's
/// own change with ` (adopt)` after it.
pub fn change(address: &Address, what: &str, op: Op) -> Change {
    Change::new(
        adopt_address(address),
        Action::Adopt,
        format!(
            "{what} exists without the `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}` tag; the baseline declares it, so plinth takes it over"
        ),
        op,
    )
}

/// `what` exists under the declared name, and another tool manages it.
pub fn managed_elsewhere(src: &SourceFile, span: Range<usize>, what: &str, other: &str) -> Diagnostic {
    Diagnostic::error(format!("{what} exists and plinth does not manage it"))
        .at(src, span)
        .cause(format!("it is managed by {other}"))
        .hint("plinth never takes over another tool's resource: choose another name in the baseline")
}
