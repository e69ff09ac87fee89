//! IAM Identity Center writes, rate limited, with conflicts retried and retried writes
//! that find their work done counted as done: creating a permission set with its
//! policies, attaching and putting policies and boundaries.

use super::*;

impl Sso {
    /// A write: retries `ConflictException` (another operation on the same permission set
    /// in progress) with backoff.
    pub(super) async fn write<T, E, F, Fut>(&self, operation: &'static str, mut call: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, aws_sdk_ssoadmin::error::SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        retry_eventually(&["ConflictException"], || {
            let attempt = call();
            async move { attempt.await.ctx(SERVICE, operation) }
        })
        .await
    }

    /// A write that a `ConflictException` may answer because it is already done (a retry
    /// after a lost answer: "already attached"): `done` tells, and only a conflict with
    /// the work not done is retried with backoff.
    pub(super) async fn write_or_done<T, E, F, Fut, D, DFut>(
        &self,
        operation: &'static str,
        call: F,
        done: D,
    ) -> Result<(), AwsError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, aws_sdk_ssoadmin::error::SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        D: Fn() -> DFut,
        DFut: Future<Output = Result<bool, AwsError>>,
    {
        retry_eventually(&["ConflictException"], || async {
            match call().await.ctx(SERVICE, operation) {
                Err(e) if e.is("ConflictException") && done().await? => {
                    tracing::info!(operation, "already done: {}", e.message);
                    Ok(())
                }
                other => other.map(drop),
            }
        })
        .await
    }

    pub(super) async fn create_permission_set(
        &self,
        instance: &str,
        spec: &PermissionSetSpec,
    ) -> Result<String, AwsError> {
        let tag = Tag::builder()
            .key(OWNER_TAG_KEY)
            .value(OWNER_TAG_VALUE)
            .build()
            .map_err(|e| AwsError::other(SERVICE, "CreatePermissionSet", e.to_string()))?;
        let create = || async {
            self.admin
                .create_permission_set()
                .instance_arn(instance)
                .name(&spec.name)
                .set_description(spec.description.clone())
                .session_duration(&spec.session_duration)
                .set_relay_state(spec.relay_state.clone())
                .tags(tag.clone())
                .send()
                .await
                .ctx(SERVICE, "CreatePermissionSet")
        };
        let arn = match create().await {
            Ok(out) => out
                .permission_set()
                .and_then(|p| p.permission_set_arn())
                .ok_or_else(|| AwsError::other(SERVICE, "CreatePermissionSet", "AWS returned no permission set ARN"))?
                .to_owned(),
            Err(e) if e.is("ConflictException") => self.recover_created_set(instance, &spec.name, e, create).await?,
            Err(e) => return Err(e),
        };
        // The set exists from here on: a later step that fails says so (the next run finds
        // the set by its tag and completes it).
        let steps = spec.managed_policies.len()
            + spec.customer_managed_policies.len()
            + usize::from(spec.inline_policy.is_some())
            + usize::from(spec.permissions_boundary.is_some());
        let mut done = 0;
        let made = |done: usize| {
            move |e: AwsError| {
                e.after(format!(
                    "created permission set `{}` and made {done} of its {steps} policy settings",
                    spec.name
                ))
            }
        };
        for policy in &spec.managed_policies {
            self.attach_managed(instance, &arn, policy).await.map_err(made(done))?;
            done += 1;
        }
        for (name, path) in &spec.customer_managed_policies {
            self.attach_customer(instance, &arn, name, path)
                .await
                .map_err(made(done))?;
            done += 1;
        }
        if let Some(policy) = &spec.inline_policy {
            self.put_inline(instance, &arn, policy).await.map_err(made(done))?;
            done += 1;
        }
        if let Some(boundary) = &spec.permissions_boundary {
            self.put_boundary(instance, &arn, boundary).await.map_err(made(done))?;
        }
        Ok(arn)
    }

    pub(super) async fn attach_managed(&self, instance: &str, set: &str, policy: &str) -> Result<(), AwsError> {
        self.write_or_done(
            "AttachManagedPolicyToPermissionSet",
            || {
                self.admin
                    .attach_managed_policy_to_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(set)
                    .managed_policy_arn(policy)
                    .send()
            },
            || async {
                Ok(self
                    .details(instance, set)
                    .await?
                    .managed_policies
                    .iter()
                    .any(|p| p == policy))
            },
        )
        .await
    }

    pub(super) async fn attach_customer(
        &self,
        instance: &str,
        set: &str,
        name: &str,
        path: &str,
    ) -> Result<(), AwsError> {
        let reference = customer_reference(name, path)?;
        self.write_or_done(
            "AttachCustomerManagedPolicyReferenceToPermissionSet",
            || {
                self.admin
                    .attach_customer_managed_policy_reference_to_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(set)
                    .customer_managed_policy_reference(reference.clone())
                    .send()
            },
            || async {
                let d = self.details(instance, set).await?;
                Ok(d.customer_managed_policies.iter().any(|(n, p)| n == name && p == path))
            },
        )
        .await
    }

    pub(super) async fn put_inline(&self, instance: &str, set: &str, policy: &str) -> Result<(), AwsError> {
        self.write("PutInlinePolicyToPermissionSet", || {
            self.admin
                .put_inline_policy_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .inline_policy(policy)
                .send()
        })
        .await
        .map(drop)
    }

    pub(super) async fn put_boundary(&self, instance: &str, set: &str, boundary: &Boundary) -> Result<(), AwsError> {
        let value = match boundary {
            Boundary::ManagedPolicy { arn } => PermissionsBoundary::builder().managed_policy_arn(arn).build(),
            Boundary::CustomerManagedPolicy { name, path } => PermissionsBoundary::builder()
                .customer_managed_policy_reference(customer_reference(name, path)?)
                .build(),
        };
        self.write("PutPermissionsBoundaryToPermissionSet", || {
            self.admin
                .put_permissions_boundary_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .permissions_boundary(value.clone())
                .send()
        })
        .await
        .map(drop)
    }
}
