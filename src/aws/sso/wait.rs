//! The asynchronous operations: provisioning and assignment creation or deletion, polled
//! until AWS finishes, with AWS's failure reason; a missing status is an error.

use super::*;

impl Sso {
    /// Provision the latest version to every account that has the permission set, and
    /// wait for AWS to finish.
    pub(super) async fn provision(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        let out = self
            .write("ProvisionPermissionSet", || {
                self.admin
                    .provision_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(set)
                    .target_type(ProvisionTargetType::AllProvisionedAccounts)
                    .send()
            })
            .await?;
        let progress = |s: Option<&PermissionSetProvisioningStatus>| Progress {
            status: s.and_then(|s| s.status()).cloned(),
            reason: s.and_then(|s| s.failure_reason()).map(str::to_owned),
            request: s.and_then(|s| s.request_id()).unwrap_or_default().to_owned(),
        };
        self.wait(
            "ProvisionPermissionSet",
            progress(out.permission_set_provisioning_status()),
            |request| async move {
                let out = self
                    .admin
                    .describe_permission_set_provisioning_status()
                    .instance_arn(instance)
                    .provision_permission_set_request_id(request)
                    .send()
                    .await
                    .ctx(SERVICE, "DescribePermissionSetProvisioningStatus")?;
                Ok(progress(out.permission_set_provisioning_status()))
            },
        )
        .await
    }

    /// Create or delete one assignment and wait for AWS to finish; at most
    /// [`MAX_ASSIGNMENTS_IN_FLIGHT`] at once.
    pub(super) async fn assignment(
        &self,
        instance: &str,
        create: bool,
        set: &str,
        account: &str,
        kind: PrincipalKind,
        principal: &str,
    ) -> Result<(), AwsError> {
        let _slot = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| AwsError::other(SERVICE, "assignment", e.to_string()))?;
        let progress = |s: Option<&AccountAssignmentOperationStatus>| Progress {
            status: s.and_then(|s| s.status()).cloned(),
            reason: s.and_then(|s| s.failure_reason()).map(str::to_owned),
            request: s.and_then(|s| s.request_id()).unwrap_or_default().to_owned(),
        };
        if create {
            let out = self
                .write("CreateAccountAssignment", || {
                    self.admin
                        .create_account_assignment()
                        .instance_arn(instance)
                        .permission_set_arn(set)
                        .target_type(TargetType::AwsAccount)
                        .target_id(account)
                        .principal_type(principal_type(kind))
                        .principal_id(principal)
                        .send()
                })
                .await?;
            self.wait(
                "CreateAccountAssignment",
                progress(out.account_assignment_creation_status()),
                |request| async move {
                    let out = self
                        .admin
                        .describe_account_assignment_creation_status()
                        .instance_arn(instance)
                        .account_assignment_creation_request_id(request)
                        .send()
                        .await
                        .ctx(SERVICE, "DescribeAccountAssignmentCreationStatus")?;
                    Ok(progress(out.account_assignment_creation_status()))
                },
            )
            .await
        } else {
            let out = self
                .write("DeleteAccountAssignment", || {
                    self.admin
                        .delete_account_assignment()
                        .instance_arn(instance)
                        .permission_set_arn(set)
                        .target_type(TargetType::AwsAccount)
                        .target_id(account)
                        .principal_type(principal_type(kind))
                        .principal_id(principal)
                        .send()
                })
                .await?;
            self.wait(
                "DeleteAccountAssignment",
                progress(out.account_assignment_deletion_status()),
                |request| async move {
                    let out = self
                        .admin
                        .describe_account_assignment_deletion_status()
                        .instance_arn(instance)
                        .account_assignment_deletion_request_id(request)
                        .send()
                        .await
                        .ctx(SERVICE, "DescribeAccountAssignmentDeletionStatus")?;
                    Ok(progress(out.account_assignment_deletion_status()))
                },
            )
            .await
        }
    }

    /// Poll an asynchronous operation until AWS finishes it (a second, then backing off
    /// with jitter up to 5 s between polls, for at most [`ASYNC_TIMEOUT`]); its failure
    /// reason when it fails.
    pub(super) async fn wait<F, Fut>(
        &self,
        operation: &'static str,
        progress: Progress,
        describe: F,
    ) -> Result<(), AwsError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<Progress, AwsError>>,
    {
        use backon::{ExponentialBuilder, Retryable};
        let request = progress.request.clone();
        let progress = if progress.status == Some(StatusValues::InProgress) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let poll = || async {
                match describe(request.clone()).await {
                    Ok(p) if p.status == Some(StatusValues::InProgress) => Err(Poll::Pending),
                    Ok(p) => Ok(p),
                    Err(e) => Err(Poll::Failed(e)),
                }
            };
            let backoff = ExponentialBuilder::default()
                .with_min_delay(Duration::from_secs(2))
                .with_max_delay(Duration::from_secs(5))
                .with_jitter()
                .without_max_times()
                .with_total_delay(Some(ASYNC_TIMEOUT));
            match poll.retry(backoff).when(|e| matches!(e, Poll::Pending)).await {
                Ok(p) => p,
                // The wait ends (the apply lock lost, among others), not the operation.
                Err(Poll::Failed(e)) => {
                    return Err(e.after(format!(
                        "`{operation}` was sent (request {request}) and AWS goes on with it"
                    )));
                }
                Err(Poll::Pending) => {
                    return Err(AwsError::other(
                        SERVICE,
                        operation,
                        format!("still in progress after {ASYNC_TIMEOUT:?} (request {request})"),
                    ));
                }
            }
        } else {
            progress
        };
        match progress.status {
            Some(StatusValues::Failed) => Err(AwsError {
                code: Some("FAILED".into()),
                ..AwsError::other(
                    SERVICE,
                    operation,
                    progress.reason.unwrap_or_else(|| "AWS gave no reason".into()),
                )
            }),
            Some(StatusValues::Succeeded) => Ok(()),
            // No status, or one this plinth does not know: never taken for success.
            other => Err(AwsError::other(
                SERVICE,
                operation,
                format!(
                    "AWS answered request {request} with {}; plinth cannot tell whether it succeeded",
                    other.map_or("no status".to_owned(), |s| format!("status `{}`", s.as_str()))
                ),
            )),
        }
    }
}

/// A poll that did not find the operation finished.
enum Poll {
    Pending,
    Failed(AwsError),
}
