//! Resources plinth owns that the baseline no longer declares: kept, and listed as
//! orphans, unless the run allows deleting (`--allow-delete`); and live resources with
//! plinth's prefix that are not plinth's to delete. One message for each, whatever the kind.

use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE, OtherManager};
use crate::plan::{Address, Orphan, Plan, PlanOptions};

/// Why a deletion of an orphan is planned.
pub const DELETE_REASON: &str = "managed by plinth, no longer in the baseline, and `--allow-delete` was given";

/// An owned resource the baseline no longer declares.
pub struct Dropped<'a> {
    /// Where its deletion would be: `billing.orphan.x`.
    pub address: Address,
    /// What it is, for people: ``alarm `plinth-billing-x` ``.
    pub what: &'a str,
    /// How it stands while kept, if that matters (`attached to 2 targets`).
    pub kept: Option<String>,
    /// What deleting it takes with it (`and its assignments`).
    pub with: Option<&'static str>,
}

/// Whether to delete `dropped`: with `--allow-delete`, yes (the caller plans the deletion,
/// with [`DELETE_REASON`]); otherwise it is kept and listed among the plan's orphans.
pub fn delete_or_keep(plan: &mut Plan, options: PlanOptions, dropped: Dropped<'_>) -> bool {
    if options.allow_delete {
        return true;
    }
    let Dropped {
        address,
        what,
        kept,
        with,
    } = dropped;
    let kept = kept.map_or_else(String::new, |k| format!(", {k}"));
    let with = with.map_or_else(String::new, |w| format!(" {w}"));
    plan.orphans.push(Orphan {
        address,
        reason: format!(
            "{what} is managed by plinth but no longer in the baseline; kept{kept}; run with `--allow-delete` to delete it{with}"
        ),
    });
    false
}

/// Why a live resource with plinth's name prefix that the baseline does not declare is
/// left alone, as the plan's warning: another tool manages it, or it lacks plinth's tag.
/// `None`: it is plinth's, an orphan.
pub fn not_plinths(what: &str, managed_by: Option<&OtherManager>, owned: bool) -> Option<String> {
    match managed_by {
        Some(other) if other.plinth_tag => Some(other.tag_ignored(what)),
        Some(other) => Some(format!(
            "{what} has plinth's prefix but {other} manages it; plinth leaves it alone"
        )),
        None if !owned => Some(format!(
            "{what} has plinth's prefix but not its `{OWNER_TAG_KEY}={OWNER_TAG_VALUE}` tag; plinth leaves it alone"
        )),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(with: Option<&'static str>) -> Dropped<'static> {
        Dropped {
            address: Address::kind_root("billing").child("orphan").child("x"),
            what: "alarm `plinth-billing-x`",
            kept: Some("attached to 2 targets".into()),
            with,
        }
    }

    #[test]
    fn kept_unless_deleting_is_allowed_with_one_message() {
        let mut plan = Plan::default();
        assert!(!delete_or_keep(
            &mut plan,
            PlanOptions { allow_delete: false },
            dropped(Some("and its assignments"))
        ));
        assert_eq!(plan.orphans[0].address, "billing.orphan.x");
        assert_eq!(
            plan.orphans[0].reason,
            "alarm `plinth-billing-x` is managed by plinth but no longer in the baseline; kept, attached to 2 targets; run with `--allow-delete` to delete it and its assignments"
        );
        let mut plan = Plan::default();
        assert!(delete_or_keep(
            &mut plan,
            PlanOptions { allow_delete: true },
            dropped(None)
        ));
        assert!(plan.orphans.is_empty());
    }

    #[test]
    fn a_prefixed_resource_is_plinths_only_with_its_tag_and_no_other_sign() {
        assert_eq!(not_plinths("budget `plinth-x`", None, true), None);
        let untagged = not_plinths("budget `plinth-x`", None, false).unwrap();
        assert!(untagged.contains("not its `managed-by=plinth` tag"), "{untagged}");
        let other = OtherManager {
            tool: "CloudFormation".into(),
            sign: "tag `aws:cloudformation:stack-name`".into(),
            plinth_tag: true,
        };
        let both = not_plinths("budget `plinth-x`", Some(&other), true).unwrap();
        assert!(both.contains("plinth ignores the tag"), "{both}");
    }
}
