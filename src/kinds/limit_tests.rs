//! The per-target limit: live policies plinth does not own count, and a swap counts the
//! policy leaving until the new one is attached (the peak, not the end state).

use super::tests::{BASELINE, addresses, baseline, compute_ok, converged};
use super::*;
use crate::observed::Scp;
use crate::plan::PlanOptions;

/// Eight SCPs of the user's (not plinth's) on the root.
fn users_scps_on_the_root(o: &mut Observed) {
    for i in 0..8 {
        let id = format!("p-user{i}");
        o.org.scps.push(Scp {
            id: id.clone(),
            name: format!("user{i}"),
            description: String::new(),
            aws_managed: false,
            owned: false,
            managed_by: None,
            content: None,
            targets: vec!["r-root".into()],
            targets_read: true,
        });
        o.org.attached.get_mut("r-root").unwrap().push(id);
    }
}

#[test]
fn counts_live_policies_plinth_does_not_own_against_the_limit_of_ten() {
    let b = baseline(BASELINE);
    let mut o = converged(&b);
    users_scps_on_the_root(&mut o);
    // Root: FullAWSAccess + 8 of the user's + plinth's 2 = 11.
    let err = compute(&b, &o, PlanOptions::default()).unwrap_err().to_string();
    assert!(err.contains("`root` would carry 11 SCPs; AWS allows 10"), "{err}");
    assert!(err.contains("FullAWSAccess"), "{err}");
}

#[test]
fn a_swap_on_a_full_target_counts_the_policy_leaving_until_the_new_one_is_attached() {
    // Root full: FullAWSAccess, `region_deny` and 8 of the user's.
    let before = BASELINE.replace(
        r#"attach = ["root", "ou:Workloads/Prod", "account:sandbox"]"#,
        r#"attach = ["ou:Workloads/Prod", "account:sandbox"]"#,
    );
    let mut o = converged(&baseline(&before));
    users_scps_on_the_root(&mut o);
    assert_eq!(o.org.attached["r-root"].len(), 10);
    // `region_deny` leaves the root as `deny_leave_organization` comes: 10 after, but
    // the attach runs first, so 11 at once.
    let swapped = BASELINE.replace(
        "allowed_regions = [\"us-east-1\", \"eu-west-1\"]\nexempt_principals = [\"arn:aws:iam::*:role/BreakGlass\"]\nattach = [\"root\"]",
        "allowed_regions = [\"us-east-1\", \"eu-west-1\"]\nexempt_principals = [\"arn:aws:iam::*:role/BreakGlass\"]\nattach = [\"ou:Workloads/Prod\"]",
    );
    let err = compute(&baseline(&swapped), &o, PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`root` would carry 11 SCPs at once; AWS allows 10"),
        "{err}"
    );
    assert!(err.contains("plinth attaches before it detaches"), "{err}");
    assert!(
        err.contains("make room first: take plinth-region-deny off this target"),
        "{err}"
    );

    // With one of the user's gone, the swap fits: attach, then detach.
    o.org.attached.get_mut("r-root").unwrap().pop();
    let p = compute_ok(&baseline(&swapped), &o, false);
    assert!(
        p.changes.iter().any(|c| c.action == crate::plan::Action::Attach),
        "{:?}",
        addresses(&p)
    );
    assert!(
        p.changes.iter().any(|c| c.action == crate::plan::Action::Detach),
        "{:?}",
        addresses(&p)
    );
}
