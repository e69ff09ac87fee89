//! What a plan needs read before it can decide: the second of planning's two steps.
//!
//! The organization read lists each policy's targets, which decides *whether* an
//! attachment changes; it reads no target's other attachments. Where a decision needs
//! what a live target carries and the observed state has no list for it (an attach that
//! adds a policy to the target: the per-target limit; a detach where the type keeps one:
//! the target's last policy), the planner records a [`Need`] instead of deciding. The
//! engine reads exactly those, adds them to the observed state and plans again; that
//! plan needs nothing more. A plan with needs is never shown, saved or applied.

use crate::types::policy_types::PolicyType;

/// One read a plan's decisions wait for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// The policies of a type attached directly to a live root, OU or account.
    Attachments { policy_type: PolicyType, target_id: String },
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Need::Attachments { policy_type, target_id } => {
                write!(f, "the {} attached to `{target_id}`", policy_type.rules().nouns())
            }
        }
    }
}
