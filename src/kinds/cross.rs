//! Reads across kinds: the one place where a kind reads another kind's baseline section
//! or names another kind's changes. Each read is a named function here, so every
//! dependency between kinds is greppable and listed (ARCHITECTURE.md, "Reads across
//! kinds"); `tests/architecture.rs` fails on a kind that reads another kind's section
//! (`file.<kind>`) or calls into its module anywhere else.

use super::scp::desired::{DesiredScp, desired_scps};
use super::{Baseline, account, billing, organizational_units};
use crate::plan::Address;
use crate::types::OuPath;

/// `[billing]`'s SNS topic, as another kind publishing to it needs it.
pub struct BillingTopic<'a> {
    /// Its name, in the management account.
    pub name: &'a str,
    /// The change that creates it (billing plans after the kinds that publish to it, so
    /// they wait for it if it is planned).
    pub address: Address,
}

/// budget → billing, trail → billing: the topic `[[budget]]` alerts naming `billing`,
/// and the trail's root-usage alarm without a `notify` of its own, publish to.
pub fn billing_topic(baseline: &Baseline) -> Option<BillingTopic<'_>> {
    let billing = baseline.file.billing.as_ref()?.get_ref();
    Some(BillingTopic {
        name: billing.topic_name.get_ref().as_str(),
        address: billing::topic_address(),
    })
}

/// billing → budget: whether any `[[budget]]` alert publishes to the billing topic, whose
/// policy must then let AWS Budgets publish.
pub fn budgets_publish_to_billing_topic(baseline: &Baseline) -> bool {
    baseline.file.budget.iter().any(|b| {
        b.get_ref()
            .notify
            .iter()
            .any(|r| *r.get_ref() == super::budget::Recipient::BillingTopic)
    })
}

/// scp → trail: the trail's name and bucket, which the CloudTrail-protection SCP guards.
pub fn trail_name_and_bucket(baseline: &Baseline) -> Option<(&str, &str)> {
    let trail = baseline.file.trail.as_ref()?.get_ref();
    Some((trail.name.get_ref().as_str(), trail.bucket.get_ref().as_str()))
}

/// root_access → scp: the SCPs the baseline declares, whose denials would make root
/// sessions fail.
pub fn declared_scps(baseline: &Baseline) -> Vec<DesiredScp> {
    desired_scps(baseline).0
}

/// account → organizational_units: the change that creates the OU at `path`, which an
/// account's move into it waits for.
pub fn ou_address(path: &OuPath) -> Address {
    organizational_units::address(path)
}

/// contacts → account: the name of the `[[account]]` whose creation this plan's change at
/// `address` is, for contacts of an account that does not exist yet.
pub fn account_created_at<'a>(baseline: &'a Baseline, address: &str) -> Option<&'a str> {
    baseline
        .file
        .account
        .iter()
        .map(|d| d.get_ref().name.get_ref().as_str())
        .find(|name| account::address(name) == address)
}
