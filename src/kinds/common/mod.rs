//! Planning services that several kinds share, so that no planner calls another:
//! [`placement`] (which accounts a `root`, `ou:` or `account:` target means, counting
//! accounts this plan creates or moves), [`alarm`] (CloudWatch alarms, for billing and
//! the trail's root-usage alarm), [`topic`] (plinth's SNS topics those alarms notify) and
//! [`adopt`] (taking over a declared resource that lacks plinth's tag).

pub mod adopt;
pub mod alarm;
pub mod placement;
pub mod topic;
