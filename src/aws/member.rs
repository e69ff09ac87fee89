//! Sessions in the organization's member accounts, for every kind that acts there (the
//! first: the log archive's bucket). A session is `sts:AssumeRole` on one role name in
//! the account (AWS's `OrganizationAccountAccessRole` unless the caller names another,
//! such as Control Tower's `AWSControlTowerExecution`), session name `plinth`, with an
//! optional external id. Its credentials are cached per account and renewed before they
//! expire; concurrent asks for one account make one `AssumeRole`.
//!
//! A member account's [`Aws`] shares the management account's call counter and lock
//! fence (its writes stop with the lock like any other), and has a pacer of its own: AWS's
//! quotas are per account, so work in two accounts runs side by side while work in one
//! stays under that account's quotas. Its adapters are made from it when asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::{Aws, AwsError, Context, limiter};

const STS: &str = super::Service::Sts.sdk_name();

/// AWS's role in every account an organization creates.
pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";
/// The session name AWS records in the member account's CloudTrail.
pub const SESSION_NAME: &str = "plinth";
/// A session is renewed once it has less than this left (AWS's sessions last an hour).
pub const RENEW_BEFORE: Duration = Duration::from_secs(10 * 60);

/// One account's session: its [`Aws`], and when its credentials expire.
struct Session {
    aws: Aws,
    expires: SystemTime,
}

pub struct MemberSessions {
    management: Aws,
    sts: aws_sdk_sts::Client,
    role: String,
    external_id: Option<String>,
    /// A session with less than this left is renewed ([`RENEW_BEFORE`]).
    renew_before: Duration,
    /// Per account: its session once made; the lock makes concurrent asks wait for one.
    sessions: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Session>>>>>,
}

impl MemberSessions {
    /// Sessions through role `role` (with `external_id`, if the role's trust asks one),
    /// assumed with the management account's credentials of `management`.
    pub fn new(management: &Aws, role: &str, external_id: Option<String>) -> MemberSessions {
        MemberSessions {
            sts: management.sts_client(),
            management: management.clone(),
            role: role.to_owned(),
            external_id,
            renew_before: RENEW_BEFORE,
            sessions: std::sync::Mutex::default(),
        }
    }

    /// Renew sessions with less than `before` left (tests make every session look old).
    #[must_use]
    pub fn renewing(mut self, before: Duration) -> MemberSessions {
        self.renew_before = before;
        self
    }

    /// The role a session in `account` assumes.
    pub fn role_arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:role/{}", self.role)
    }

    /// `account`'s [`Aws`], acting as the role there: the cached session while it has
    /// more than [`RENEW_BEFORE`] left, else a new one. A refused `AssumeRole` is the
    /// error, for [`refused`] to explain.
    pub async fn aws(&self, account: &str) -> Result<Aws, AwsError> {
        let slot = {
            let mut sessions = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            sessions.entry(account.to_owned()).or_default().clone()
        };
        let mut session = slot.lock().await;
        if let Some(s) = session.as_ref()
            && s.expires > SystemTime::now() + self.renew_before
        {
            return Ok(s.aws.clone());
        }
        let fresh = self.assume(account).await?;
        let aws = fresh.aws.clone();
        *session = Some(fresh);
        Ok(aws)
    }

    async fn assume(&self, account: &str) -> Result<Session, AwsError> {
        let out = self
            .sts
            .assume_role()
            .role_arn(self.role_arn(account))
            .role_session_name(SESSION_NAME)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .ctx(STS, "AssumeRole")?;
        let c = out
            .credentials()
            .ok_or_else(|| AwsError::other(STS, "AssumeRole", "AWS answered without credentials"))?;
        let expires = SystemTime::try_from(*c.expiration()).unwrap_or_else(|_| SystemTime::now());
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            Some(expires),
            "plinth-member-session",
        );
        let sdk = self
            .management
            .sdk
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        Ok(Session {
            aws: self.management.for_account(sdk, limiter::Pacer::default()),
            expires,
        })
    }

    /// How many sessions were made so far, one per account (tests, benchmarks).
    pub fn accounts(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// A refused session as a person can act on it: which account, which role, what AWS
/// said, and the two usual causes.
pub fn refused(account: &str, role_arn: &str, e: &AwsError) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::error(format!("cannot act in account {account}: AWS refused `sts:AssumeRole` on `{role_arn}`"))
        .cause(e.causes().join(": "))
        .hint(
            "the role may be missing in that account (create it, or name the role your landing zone uses), or an SCP may deny `sts:AssumeRole` to plinth's role; only this account's changes are held back",
        )
}
