//! Planning services that several kinds share, so that no planner calls another:
//! [`placement`] (which accounts a `root`, `ou:` or `account:` target means, counting
//! accounts this plan creates or moves), [`alarm`] (CloudWatch alarms, for billing and
//! the trail's root-usage alarm), [`topic`] (plinth's SNS topics those alarms notify),
//! [`impact`] (the accounts a policy or a grant reaches, for the plan's blast radius),
//! [`adopt`] (taking over a declared resource that lacks plinth's tag) and [`org_policy`]
//! (the engine every organization policy kind plans with: SCPs, RCPs, management policies),
//! [`block`] (a kind left out when only forgeable signs stop it), [`orphan`] (what plinth
//! owns that the baseline dropped: kept, or deleted with `--allow-delete`, one message for
//! every kind) and [`trusted_access`] (the change that lets an AWS service act in the
//! whole organization).

pub mod adopt;
pub mod alarm;
pub mod block;
pub mod bucket;
pub mod impact;
pub mod org_policy;
pub mod orphan;
pub mod placement;
pub mod topic;
pub mod trusted_access;
