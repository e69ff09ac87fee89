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

/// log_archive → account: whether an `[[account]]` of the baseline has this name.
pub fn declares_account(baseline: &Baseline, name: &str) -> bool {
    baseline
        .file
        .account
        .iter()
        .any(|d| d.get_ref().name.get_ref().as_str() == name)
}

/// The live account a 12-digit id or an `[[account]]`'s name means.
pub enum DeclaredAccount {
    Live(String),
    /// Not in the organization (an `[[account]]` this plan may create); why.
    Missing(String),
    /// The `[[account]]`'s id and e-mail are on no live account, but its name is.
    Ambiguous {
        ids: Vec<String>,
        why: String,
    },
}

/// log_archive → account: the account `key` means: a 12-digit id, or an `[[account]]`'s
/// name, matched by its id or e-mail (never by a live name, which anyone who may rename
/// accounts can change).
pub fn declared_account(baseline: &Baseline, org: &crate::observed::OrgState, key: &str) -> DeclaredAccount {
    if key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit()) {
        return match org.accounts.iter().find(|a| a.id == key) {
            Some(a) => DeclaredAccount::Live(a.id.clone()),
            None => DeclaredAccount::Missing(format!("no account `{key}` in the organization")),
        };
    }
    let Some(decl) = baseline
        .file
        .account
        .iter()
        .find(|d| d.get_ref().name.get_ref().as_str() == key)
    else {
        return DeclaredAccount::Missing(format!("no `[[account]]` named `{key}` in the baseline"));
    };
    match account::lookup(org, decl.get_ref()) {
        account::Match::Live(a) => DeclaredAccount::Live(a.id.clone()),
        account::Match::Missing => DeclaredAccount::Missing(format!(
            "the `[[account]]` named `{key}` is not in the organization yet"
        )),
        account::Match::NameOnly(others) => DeclaredAccount::Ambiguous {
            ids: others.iter().map(|a| a.id.clone()).collect(),
            why: account::name_only(decl.get_ref(), &others),
        },
    }
}

/// log_archive → account: the change of this plan that creates the `[[account]]` named
/// `name`, if it plans one.
pub fn account_creation(plan: &crate::plan::Plan, name: &str) -> Option<Address> {
    let address = account::address(name);
    plan.find(&address).map(|_| address)
}

/// log_archive → trail: the trail's KMS key, which encrypts its bucket too.
pub fn trail_kms_key(baseline: &Baseline) -> Option<(&str, std::ops::Range<usize>)> {
    let key = baseline.file.trail.as_ref()?.get_ref().kms_key_arn.as_ref()?;
    Some((key.get_ref().as_str(), key.span()))
}

/// log_archive → trail: the statements AWS documents for an organization trail's bucket.
pub fn trail_bucket_statements(
    bucket: &str,
    trail_arn: &str,
    account: &str,
    organization_id: &str,
) -> Vec<serde_json::Value> {
    super::trail::bucket_statements(bucket, trail_arn, account, organization_id)
}

/// trail → log_archive: whether the trail's bucket is the log archive's (in its account),
/// and the log archive's changes the trail waits for when this plan has them.
pub struct ArchiveBucket {
    /// The log archive's changes of the bucket the trail waits for (its creation, its policy).
    pub deps: Vec<Address>,
    /// The log archive was read and planned: its bucket is ready for the trail once
    /// `deps` are done. Not when it was left out of the plan (blocked) or not read.
    pub ready: bool,
    /// The log archive account, when read.
    pub account: Option<String>,
}

/// trail → log_archive: [`ArchiveBucket`], when the baseline has `[log_archive]`.
pub fn archive_bucket(cx: &super::Context<'_>, plan: &crate::plan::Plan) -> Option<ArchiveBucket> {
    cx.baseline.file.log_archive.as_ref()?;
    let account = match &cx.observed.log_archive.account {
        super::log_archive::Account::Read { id } => Some(id.clone()),
        _ => None,
    };
    Some(ArchiveBucket {
        deps: super::log_archive::trail_waits_for()
            .into_iter()
            .filter(|a| plan.find(a).is_some())
            .collect(),
        ready: account.is_some() && !plan.blocked.iter().any(|b| b.target == super::log_archive::BLOCKED),
        account,
    })
}

/// trail → log_archive: whether the baseline has `[log_archive]` (the trail's bucket is
/// then not the management account's).
pub fn has_log_archive(baseline: &Baseline) -> bool {
    baseline.file.log_archive.is_some()
}

/// scp → log_archive: the role plinth acts through in the log archive account, which the
/// CloudTrail-protection SCP must let change the bucket (SCPs apply there).
pub fn log_archive_role(baseline: &Baseline) -> Option<String> {
    baseline.file.log_archive.as_ref()?;
    Some(format!("arn:aws:iam::*:role/{}", baseline.member_role()))
}

/// What plinth calls in member accounts, through the role of `[organization]
/// member_role`, and on which resources (the baseline's, or all without one): for the
/// policy of that role where it is not an administrator's (`plinth iam-policy
/// log-archive`). Only the log archive acts there yet: iam_policy → log_archive.
pub fn member_account(baseline: Option<&super::BaselineFile>) -> (&'static [&'static str], Vec<String>) {
    (
        super::log_archive::MEMBER_ACTIONS,
        super::log_archive::member_resources(baseline),
    )
}
