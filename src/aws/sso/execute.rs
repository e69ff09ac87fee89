//! IAM Identity Center's [`SsoOp`]s: `execute` dispatches each [`SsoCall`] to its write;
//! the writes that are one call each are here, the others in `write`, `wait` and `delete`.

use super::*;

impl Sso {
    pub async fn execute(
        &self,
        op: &SsoOp,
        resolve: &dyn Fn(&Ref) -> Option<String>,
    ) -> Result<Option<String>, AwsError> {
        let id = |r: &Ref| {
            resolve(r).ok_or_else(|| {
                AwsError::other(SERVICE, "resolve", format!("{r:?} was not created earlier in this run"))
            })
        };
        let instance = op.instance_arn.as_str();
        match &op.call {
            SsoCall::CreatePermissionSet { spec } => return self.create_permission_set(instance, spec).await.map(Some),
            SsoCall::UpdatePermissionSet {
                permission_set,
                description,
                session_duration,
                relay_state,
            } => {
                self.update_permission_set(
                    instance,
                    permission_set,
                    description.as_deref(),
                    session_duration,
                    relay_state.as_deref(),
                )
                .await?;
            }
            SsoCall::AttachManagedPolicy {
                permission_set,
                policy_arn,
            } => self.attach_managed(instance, permission_set, policy_arn).await?,
            SsoCall::DetachManagedPolicy {
                permission_set,
                policy_arn,
            } => self.detach_managed(instance, permission_set, policy_arn).await?,
            SsoCall::AttachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => self.attach_customer(instance, permission_set, name, path).await?,
            SsoCall::DetachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => self.detach_customer(instance, permission_set, name, path).await?,
            SsoCall::PutInlinePolicy { permission_set, policy } => {
                self.put_inline(instance, permission_set, policy).await?;
            }
            SsoCall::DeleteInlinePolicy { permission_set } => self.delete_inline(instance, permission_set).await?,
            SsoCall::PutPermissionsBoundary {
                permission_set,
                boundary,
            } => self.put_boundary(instance, permission_set, boundary).await?,
            SsoCall::DeletePermissionsBoundary { permission_set } => {
                self.delete_boundary(instance, permission_set).await?;
            }
            SsoCall::ProvisionPermissionSet { permission_set } => self.provision(instance, permission_set).await?,
            SsoCall::CreateAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => {
                let set = id(permission_set)?;
                let account = id(account)?;
                self.assignment(instance, true, &set, &account, *principal_kind, principal_id)
                    .await?;
            }
            SsoCall::DeleteAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => {
                self.assignment(instance, false, permission_set, account, *principal_kind, principal_id)
                    .await?;
            }
            SsoCall::DeletePermissionSet { permission_set } => {
                self.delete_permission_set(instance, permission_set).await?;
            }
            SsoCall::TagResource { permission_set } => self.tag_permission_set(instance, permission_set).await?,
        }
        Ok(None)
    }

    async fn update_permission_set(
        &self,
        instance: &str,
        set: &str,
        description: Option<&str>,
        session_duration: &str,
        relay_state: Option<&str>,
    ) -> Result<(), AwsError> {
        self.write("UpdatePermissionSet", || {
            self.admin
                .update_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .set_description(description.map(str::to_owned))
                .session_duration(session_duration)
                .set_relay_state(relay_state.map(str::to_owned))
                .send()
        })
        .await
        .map(drop)
    }

    async fn detach_managed(&self, instance: &str, set: &str, policy: &str) -> Result<(), AwsError> {
        self.write("DetachManagedPolicyFromPermissionSet", || {
            self.admin
                .detach_managed_policy_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .managed_policy_arn(policy)
                .send()
        })
        .await
        .map(drop)
    }

    async fn detach_customer(&self, instance: &str, set: &str, name: &str, path: &str) -> Result<(), AwsError> {
        let reference = customer_reference(name, path)?;
        self.write("DetachCustomerManagedPolicyReferenceFromPermissionSet", || {
            self.admin
                .detach_customer_managed_policy_reference_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .customer_managed_policy_reference(reference.clone())
                .send()
        })
        .await
        .map(drop)
    }

    async fn delete_inline(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        self.write("DeleteInlinePolicyFromPermissionSet", || {
            self.admin
                .delete_inline_policy_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .send()
        })
        .await
        .map(drop)
    }

    async fn delete_boundary(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        self.write("DeletePermissionsBoundaryFromPermissionSet", || {
            self.admin
                .delete_permissions_boundary_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .send()
        })
        .await
        .map(drop)
    }

    /// Adds plinth's ownership tag to a permission set, adopting it.
    async fn tag_permission_set(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        let tag = Tag::builder()
            .key(OWNER_TAG_KEY)
            .value(OWNER_TAG_VALUE)
            .build()
            .map_err(|e| AwsError::other(SERVICE, "TagResource", e.to_string()))?;
        self.write("TagResource", || {
            self.admin
                .tag_resource()
                .instance_arn(instance)
                .resource_arn(set)
                .tags(tag.clone())
                .send()
        })
        .await
        .map(drop)
    }
}
