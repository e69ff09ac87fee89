//! ARNs plinth derives and the regions it fixes: a leaf module, imported by the baseline
//! model (generated SCPs name the trail) and by the planners alike.

/// The organization trail, its bucket's alarms and billing metrics live here, whatever
/// the caller's region.
pub const TRAIL_HOME_REGION: &str = "us-east-1";

/// The organization trail's ARN, in the management account.
pub fn trail_arn(account: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{TRAIL_HOME_REGION}:{account}:trail/{name}")
}
