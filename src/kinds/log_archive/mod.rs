//! `[log_archive]`: the organization trail's bucket in a dedicated member account, where
//! those who administer the management account cannot erase the record of what they did.
//! plinth acts there through a session (`aws::member`, the role of `[organization]
//! member_role`) and keeps the bucket as it keeps the trail's in the management account
//! (`common::bucket`: created tagged, adopted, public access blocked, encrypted, its
//! policy carrying CloudTrail's statements for the management account's trail), plus
//! versioning, S3 Object Lock (opt-in), plinth's lifecycle rule and server access
//! logging to a second bucket of the same account.
//!
//! The account is a 12-digit id or an `[[account]]` of the baseline (matched by id or
//! e-mail), never a live name. A refused session, an ambiguous or a not yet created
//! account leaves this kind out of the plan (blocked) and nothing else; the trail then
//! keeps delivering where it does until the bucket is known to be ready.

mod observe;
mod plan;
pub mod section;

pub use observe::{Account, LogArchiveState};
pub use section::LogArchiveSection;

use crate::diag::Diagnostics;
use crate::kinds::{Baseline, Context, IamActions, Kind, ObserveCx, Scope};
use crate::observed::OrgState;
use crate::plan::{Address, Plan};

pub struct LogArchive;

/// What a blocked log archive is recorded as in the plan.
pub const BLOCKED: &str = "log_archive";
pub const BUCKET_ADDRESS: &str = "log_archive.bucket";
pub const LOGS_BUCKET_ADDRESS: &str = "log_archive.access_logs_bucket";

/// The changes of the bucket the trail waits for, when planned: the bucket itself, its
/// policy (CloudTrail checks it when the trail is created or moved) and its encryption.
pub fn trail_waits_for() -> Vec<Address> {
    let bucket = Address::new(LogArchive::NAME, BUCKET_ADDRESS);
    vec![bucket.clone(), bucket.child("policy"), bucket.child("encryption")]
}

impl Kind for LogArchive {
    const NAME: &'static str = "log_archive";
    const GUARDRAIL: bool = true;
    type Section = Option<toml::Spanned<LogArchiveSection>>;
    type Schema = LogArchiveSection;
    type State = LogArchiveState;
    /// In the management account, only the session; what plinth does in the log archive
    /// account is its role's (README, "The log archive").
    const IAM: IamActions = IamActions::NONE;
    const SCOPES: &'static [Scope] = &[SESSIONS];

    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        section::validate(baseline, section, diags);
    }

    fn observe_accounts(
        cx: &ObserveCx<'_>,
        section: &Self::Section,
        org: &OrgState,
        state: &mut LogArchiveState,
    ) -> impl std::future::Future<Output = Result<(), Diagnostics>> {
        observe::observe_accounts(cx, section, org, state)
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan::plan(cx, section, plan)
    }
}

/// What plinth calls in the log archive account, as its member role: reading and keeping
/// the trail's bucket and the access logs bucket. `plinth iam-policy log-archive` is a
/// policy of these on the two buckets.
pub const MEMBER_ACTIONS: &[&str] = &[
    "s3:CreateBucket",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    // Behind `CreateBucket` with tags.
    "s3:TagResource",
];

/// The buckets [`MEMBER_ACTIONS`] are allowed on: the baseline's two, or every bucket
/// (`*`) without one.
pub fn member_resources(baseline: Option<&crate::kinds::BaselineFile>) -> Vec<String> {
    let Some(b) = baseline else {
        return vec!["arn:aws:s3:::*".to_owned()];
    };
    let trail = b.trail.iter().map(|t| t.get_ref().bucket.get_ref().as_str());
    let logs = b
        .log_archive
        .iter()
        .filter_map(|l| l.get_ref().access_logs_bucket.as_ref().map(|n| n.get_ref().as_str()));
    trail.chain(logs).map(|n| format!("arn:aws:s3:::{n}")).collect()
}

/// `sts:AssumeRole` on the member role only, in the organization's accounts only.
const SESSIONS: Scope = Scope {
    sid: "PlinthMemberSessions",
    phase: crate::kinds::Phase::Plan,
    actions: &["sts:AssumeRole"],
    resources: |n| {
        let role = match n.baseline {
            None => crate::aws::member::DEFAULT_ROLE,
            Some(b) if b.log_archive.is_none() => return Vec::new(),
            Some(b) => b
                .organization
                .member_role
                .as_ref()
                .map_or(crate::aws::member::DEFAULT_ROLE, |r| r.get_ref().as_str()),
        };
        vec![format!("arn:aws:iam::*:role/{role}")]
    },
    condition: Some(crate::kinds::Condition {
        operator: "StringEquals",
        key: "aws:ResourceOrgID",
        values: &["${aws:PrincipalOrgID}"],
    }),
};

#[cfg(test)]
mod tests;
