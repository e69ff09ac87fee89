//! CreateAccount: asynchronous, and without an idempotency token. plinth sends it once per
//! attempt without the SDK's retries, looks for the request itself when an answer is lost
//! (or an earlier run was killed while AWS created the account), and polls its status.

use aws_sdk_organizations::types::{CreateAccountState, CreateAccountStatus, Tag};

use super::{Organizations, SERVICE};
use crate::aws::{AwsError, Context};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE};

impl Organizations {
    /// CreateAccount is asynchronous: start it, then poll its status until AWS is done.
    pub(super) async fn create_account(&self, name: &str, email: &str) -> Result<String, AwsError> {
        // A request an earlier run sent (and was killed waiting for) is waited on, never
        // sent twice. CreateAccount has no idempotency token, so plinth sends it once,
        // without the SDK's retries, and looks for the request itself when the answer is lost.
        let mut status = match self.earlier_request(name, email).await? {
            Some(earlier) => {
                tracing::info!(
                    account = name,
                    "waiting on the CreateAccount request an earlier run sent"
                );
                Some(earlier)
            }
            None => self.send_create_account(name, email).await?,
        };
        use backon::BackoffBuilder;
        // Polls every two seconds (with jitter) for up to 15 minutes.
        let mut polls = backon::ConstantBuilder::default()
            .with_delay(std::time::Duration::from_secs(2))
            .with_jitter()
            .with_max_times(450)
            .build();
        loop {
            let Some(s) = &status else {
                return Err(AwsError::other(
                    SERVICE,
                    "CreateAccount",
                    format!(
                        "AWS answered without a status for `{name}`; plinth cannot tell whether it was created, and the next run looks for it"
                    ),
                ));
            };
            match s.state() {
                Some(CreateAccountState::Succeeded) => {
                    return s.account_id().map(str::to_owned).ok_or_else(|| {
                        AwsError::other(SERVICE, "CreateAccount", "AWS reported success but no account id")
                    });
                }
                Some(CreateAccountState::Failed) => {
                    let reason = s.failure_reason().map(|r| r.as_str().to_owned()).unwrap_or_default();
                    // A second request for an account the first one (answer lost) made.
                    if reason == "EMAIL_ALREADY_EXISTS"
                        && let Some(id) = self
                            .earlier_request(name, email)
                            .await?
                            .filter(|r| r.state() == Some(&CreateAccountState::Succeeded))
                            .and_then(|r| r.account_id().map(str::to_owned))
                    {
                        tracing::info!(account = name, "an earlier request had already created it");
                        return Ok(id);
                    }
                    let why = match reason.as_str() {
                        "EMAIL_ALREADY_EXISTS" => "the e-mail address is already used by another AWS account",
                        "ACCOUNT_LIMIT_EXCEEDED" => "the organization has reached its account quota",
                        "CONCURRENT_ACCOUNT_MODIFICATION" => "another account change was under way; run again",
                        _ => "see the failure reason",
                    };
                    return Err(AwsError {
                        code: Some(reason),
                        ..AwsError::other(
                            SERVICE,
                            "CreateAccount",
                            format!("creating `{name}` ({email}) failed: {why}"),
                        )
                    });
                }
                Some(CreateAccountState::InProgress) => {}
                other => {
                    return Err(AwsError::other(
                        SERVICE,
                        "CreateAccount",
                        format!(
                            "AWS answered {} for `{name}`; plinth cannot tell whether it was created, and the next run looks for it",
                            other.map_or("without a state".to_owned(), |s| format!("state `{}`", s.as_str()))
                        ),
                    ));
                }
            }
            let Some(delay) = polls.next() else { break };
            tokio::time::sleep(delay).await;
            let id = s.id().unwrap_or_default().to_owned();
            // A failed poll (the apply lock lost, among others) ends the wait, not the
            // request: AWS goes on, and the next run finds the request and waits on it.
            status = self
                .client
                .describe_create_account_status()
                .create_account_request_id(&id)
                .send()
                .await
                .ctx(SERVICE, "DescribeCreateAccountStatus")
                .map_err(|e| {
                    e.after(format!(
                        "CreateAccount for `{name}` was sent (request {id}) and AWS goes on with it; the next run waits for it"
                    ))
                })?
                .create_account_status()
                .cloned();
        }
        Err(AwsError::other(
            SERVICE,
            "CreateAccount",
            format!("creating `{name}` did not finish within 15 minutes; run again to continue"),
        ))
    }

    /// Send CreateAccount once per attempt, without the SDK's own retries: after a lost
    /// answer, a throttled call or a server error, look for the request before sending
    /// another, so one account is never requested twice.
    async fn send_create_account(&self, name: &str, email: &str) -> Result<Option<CreateAccountStatus>, AwsError> {
        use backon::BackoffBuilder;
        let mut delays = backon::ExponentialBuilder::default()
            .with_min_delay(std::time::Duration::from_secs(1))
            .with_max_delay(std::time::Duration::from_secs(20))
            .with_max_times(7)
            .with_jitter()
            .build();
        loop {
            let sent = self
                .client
                .create_account()
                .account_name(name)
                .email(email)
                .tags(
                    Tag::builder()
                        .key(OWNER_TAG_KEY)
                        .value(OWNER_TAG_VALUE)
                        .build()
                        .expect("key and value are set"),
                )
                .customize()
                .config_override(
                    aws_sdk_organizations::config::Config::builder()
                        .retry_config(aws_smithy_types::retry::RetryConfig::disabled()),
                )
                .send()
                .await
                .ctx(SERVICE, "CreateAccount");
            let e = match sent {
                Ok(out) => return Ok(out.create_account_status().cloned()),
                Err(e) => e,
            };
            // Refused by the apply lock's fence: it was not sent, and is not sent again.
            let retryable = !e.fenced && e.code.is_none()
                || e.is_throttled()
                || e.is("ServiceException")
                || e.is("ConcurrentModificationException");
            if !retryable {
                return Err(e);
            }
            if let Some(earlier) = self.earlier_request(name, email).await? {
                tracing::info!(account = name, "the CreateAccount whose answer was lost went through");
                return Ok(Some(earlier));
            }
            let Some(delay) = delays.next() else { return Err(e) };
            tracing::info!(error = %e, "CreateAccount did not go through; sending it again in {delay:?}");
            tokio::time::sleep(delay).await;
        }
    }

    /// A CreateAccount request for `name` (and `email`) that is under way or went
    /// through, if one is: an earlier run (killed meanwhile) or a lost answer sent it.
    async fn earlier_request(&self, name: &str, email: &str) -> Result<Option<CreateAccountStatus>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_create_account_status()
            .states(CreateAccountState::InProgress)
            .states(CreateAccountState::Succeeded)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListCreateAccountStatus")?;
        let named: Vec<&CreateAccountStatus> = pages
            .iter()
            .flat_map(|p| p.create_account_statuses())
            .filter(|s| s.account_name() == Some(name))
            .collect();
        if let Some(running) = named
            .iter()
            .find(|s| s.state() == Some(&CreateAccountState::InProgress))
        {
            return Ok(Some((*running).clone()));
        }
        // A finished one is ours only if its account has this e-mail (names repeat).
        for done in named {
            if let Some(id) = done.account_id()
                && self.account_email(id).await?.as_deref() == Some(email)
            {
                return Ok(Some(done.clone()));
            }
        }
        Ok(None)
    }

    async fn account_email(&self, account_id: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .client
            .describe_account()
            .account_id(account_id)
            .send()
            .await
            .ctx(SERVICE, "DescribeAccount")?;
        Ok(out.account().and_then(|a| a.email()).map(str::to_owned))
    }
}
