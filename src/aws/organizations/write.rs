//! Organizations writes: each [`OrganizationsOp`] as one call (account creation polled
//! to its end), and what a retried write finds. The SDK retries a call whose answer was
//! lost; a create that went through the first time then meets "already exists", an
//! attach "already attached". Those are the change done, not a failure: plinth finds
//! what it made (by name, and for SCPs by its tag) and goes on.

use aws_sdk_organizations::types::{PolicyType, Tag};

use super::{Organizations, SERVICE};
use crate::aws::{AwsError, Context, retry_eventually};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE};
use crate::plan::{OrganizationsOp, Ref};
use crate::types::policy_types::PolicyType as OrgPolicyType;

impl Organizations {
    /// Execute one operation. Returns the id of what it created, if anything.
    pub async fn execute(
        &self,
        op: &OrganizationsOp,
        resolve: &dyn Fn(&Ref) -> Option<String>,
    ) -> Result<Option<String>, AwsError> {
        let id = |r: &Ref| {
            resolve(r).ok_or_else(|| {
                AwsError::other(SERVICE, "resolve", format!("{r:?} was not created earlier in this run"))
            })
        };
        match op {
            OrganizationsOp::EnablePolicyType { root_id, policy_type } => {
                self.enable_policy_type(root_id, policy_type).await
            }
            OrganizationsOp::CreateOrganizationalUnit { parent, name } => {
                self.create_organizational_unit(&id(parent)?, name).await
            }
            OrganizationsOp::TagResource { resource_id } => self.tag_resource(resource_id).await,
            OrganizationsOp::CreatePolicy {
                policy_type,
                name,
                description,
                content,
            } => self.create_policy(*policy_type, name, description, content).await,
            OrganizationsOp::UpdatePolicy {
                policy_id,
                description,
                content,
            } => self.update_policy(policy_id, description, content).await,
            OrganizationsOp::AttachPolicy { policy, target } => self.attach_policy(&id(policy)?, &id(target)?).await,
            OrganizationsOp::DetachPolicy { policy_id, target_id } => self.detach_policy(policy_id, target_id).await,
            OrganizationsOp::EnableAwsServiceAccess { service_principal } => {
                self.enable_aws_service_access(service_principal).await
            }
            OrganizationsOp::CreateAccount { name, email } => self.create_account(name, email).await.map(Some),
            OrganizationsOp::MoveAccount {
                account,
                source,
                destination,
            } => self.move_account(&id(account)?, &id(source)?, &id(destination)?).await,
            OrganizationsOp::DeletePolicy { policy_id } => self.delete_policy(policy_id).await,
        }
    }

    async fn enable_policy_type(&self, root_id: &str, policy_type: &str) -> Result<Option<String>, AwsError> {
        let sent = self
            .client
            .enable_policy_type()
            .root_id(root_id)
            .policy_type(PolicyType::from(policy_type))
            .send()
            .await
            .ctx(SERVICE, "EnablePolicyType");
        done_if(sent, |e| e.is("PolicyTypeAlreadyEnabledException"))
    }

    async fn create_organizational_unit(&self, parent_id: &str, name: &str) -> Result<Option<String>, AwsError> {
        let sent = retry_eventually(&["ParentNotFoundException"], || async {
            self.client
                .create_organizational_unit()
                .parent_id(parent_id)
                .name(name)
                .send()
                .await
                .ctx(SERVICE, "CreateOrganizationalUnit")
        })
        .await;
        match sent {
            Ok(out) => Ok(out.organizational_unit().and_then(|o| o.id()).map(str::to_owned)),
            Err(e) if e.is_already_exists() => self.created_ou(parent_id, name, e).await,
            Err(e) => Err(e),
        }
    }

    async fn tag_resource(&self, resource_id: &str) -> Result<Option<String>, AwsError> {
        self.client
            .tag_resource()
            .resource_id(resource_id)
            .tags(owner_tag()?)
            .send()
            .await
            .ctx(SERVICE, "TagResource")?;
        Ok(None)
    }

    async fn create_policy(
        &self,
        policy_type: OrgPolicyType,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<Option<String>, AwsError> {
        let sent = self
            .client
            .create_policy()
            .name(name)
            .description(description)
            .content(content)
            .r#type(PolicyType::from(policy_type.api()))
            .tags(owner_tag()?)
            .send()
            .await
            .ctx(SERVICE, "CreatePolicy");
        match sent {
            Ok(out) => Ok(out
                .policy()
                .and_then(|p| p.policy_summary())
                .and_then(|s| s.id())
                .map(str::to_owned)),
            Err(e) if e.is_already_exists() => self.created_policy(policy_type, name, e).await,
            Err(e) => Err(e),
        }
    }

    async fn update_policy(
        &self,
        policy_id: &str,
        description: &str,
        content: &str,
    ) -> Result<Option<String>, AwsError> {
        self.client
            .update_policy()
            .policy_id(policy_id)
            .description(description)
            .content(content)
            .send()
            .await
            .ctx(SERVICE, "UpdatePolicy")?;
        Ok(None)
    }

    async fn attach_policy(&self, policy_id: &str, target_id: &str) -> Result<Option<String>, AwsError> {
        // Right after EnablePolicyType or a create, AWS may not see it yet.
        let sent = retry_eventually(
            &[
                "PolicyTypeNotEnabledException",
                "PolicyNotFoundException",
                "TargetNotFoundException",
                "ConcurrentModificationException",
            ],
            || async {
                self.client
                    .attach_policy()
                    .policy_id(policy_id)
                    .target_id(target_id)
                    .send()
                    .await
                    .ctx(SERVICE, "AttachPolicy")
            },
        )
        .await;
        done_if(sent, AwsError::is_already_exists)
    }

    async fn detach_policy(&self, policy_id: &str, target_id: &str) -> Result<Option<String>, AwsError> {
        let sent = retry_eventually(&["ConcurrentModificationException"], || async {
            self.client
                .detach_policy()
                .policy_id(policy_id)
                .target_id(target_id)
                .send()
                .await
                .ctx(SERVICE, "DetachPolicy")
        })
        .await;
        // This code, not the class: a target AWS does not know is an error.
        done_if(sent, |e| e.is("PolicyNotAttachedException"))
    }

    async fn enable_aws_service_access(&self, service_principal: &str) -> Result<Option<String>, AwsError> {
        self.client
            .enable_aws_service_access()
            .service_principal(service_principal)
            .send()
            .await
            .ctx(SERVICE, "EnableAWSServiceAccess")?;
        self.forget_trusted_access().await;
        Ok(None)
    }

    async fn move_account(
        &self,
        account_id: &str,
        source_id: &str,
        destination_id: &str,
    ) -> Result<Option<String>, AwsError> {
        let sent = self
            .client
            .move_account()
            .account_id(account_id)
            .source_parent_id(source_id)
            .destination_parent_id(destination_id)
            .send()
            .await
            .ctx(SERVICE, "MoveAccount");
        done_if(sent, AwsError::is_already_exists)
    }

    async fn delete_policy(&self, policy_id: &str) -> Result<Option<String>, AwsError> {
        let sent = retry_eventually(&["PolicyInUseException", "ConcurrentModificationException"], || async {
            self.client
                .delete_policy()
                .policy_id(policy_id)
                .send()
                .await
                .ctx(SERVICE, "DeletePolicy")
        })
        .await;
        done_if(sent, AwsError::is_not_found)
    }

    /// The id of the policy named `name` that a retried CreatePolicy made, or an error if
    /// the one of that name is not plinth's.
    async fn created_policy(
        &self,
        policy_type: OrgPolicyType,
        name: &str,
        first: AwsError,
    ) -> Result<Option<String>, AwsError> {
        let Some(id) = self
            .read_policy_summaries(policy_type)
            .await?
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
        else {
            return Err(first);
        };
        if !self.is_owned(&id, name).await? {
            return Err(AwsError {
                message: format!(
                    "{} named `{name}` appeared meanwhile, and it is not plinth's (no `managed-by=plinth` tag, or another tool's sign); plinth leaves it alone",
                    policy_type.rules().a_noun
                ),
                ..first
            });
        }
        tracing::info!(policy = name, "a retried CreatePolicy had already created it");
        Ok(Some(id))
    }

    /// The id of the OU `name` under `parent_id` that a retried create made.
    async fn created_ou(&self, parent_id: &str, name: &str, first: AwsError) -> Result<Option<String>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_organizational_units_for_parent()
            .parent_id(parent_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListOrganizationalUnitsForParent")?;
        match pages
            .iter()
            .flat_map(|p| p.organizational_units())
            .find(|o| o.name() == Some(name))
            .and_then(|o| o.id())
        {
            Some(id) => {
                tracing::info!(ou = name, "a retried CreateOrganizationalUnit had already created it");
                Ok(Some(id.to_owned()))
            }
            None => Err(first),
        }
    }
}

/// A write whose error, as `done` tells, means it is already done (a retried attach,
/// enable, delete).
pub(crate) fn done_if<T>(
    sent: Result<T, AwsError>,
    done: impl Fn(&AwsError) -> bool,
) -> Result<Option<String>, AwsError> {
    match sent {
        Ok(_) => Ok(None),
        Err(e) if done(&e) => {
            tracing::info!(operation = e.operation, "already done: {}", e.message);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// plinth's ownership tag, `managed-by=plinth`.
fn owner_tag() -> Result<Tag, AwsError> {
    Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "TagResource", e.to_string()))
}
