//! Service control policies, planned by the shared engine (`common::org_policy`) with
//! the SCP type's rules: FullAWSAccess counted on every target, the last SCP of a target
//! never detached, the management account never restricted.

use super::{Kind, Scps};
use crate::diag::Diagnostics;
use crate::kinds::Context;
use crate::kinds::common::org_policy::{self, Setup};
use crate::plan::Plan;
use crate::types::policy_types::PolicyType;

pub const POLICY_TYPE_ADDRESS: &str = "scp.policy_type";

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let (desired, warnings) = super::desired::desired_scps(cx.baseline);
    plan.warnings.extend(warnings);
    let setup = Setup {
        kind: Scps::NAME,
        policy_type: PolicyType::Scp,
        group: None,
        trusted_access: None,
    };
    org_policy::plan(cx, plan, setup, &desired)
}
