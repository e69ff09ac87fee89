//! IAM Identity Center (the `sso` admin API and the identity store), in the instance's
//! region: permission sets, assignments, and the names of groups and users.
//!
//! Both APIs share one rate limit (20 calls per second): every call, page and status poll
//! waits for the shared [`RateLimiter`] first. Reads scale with permission sets and
//! principals, never with accounts × permission sets:
//!
//! - one `ListInstances`, `ListPermissionSets` pages, then per permission set
//!   `DescribePermissionSet` and `ListTagsForResource`;
//! - for owned permission sets and those the baseline names: managed policies, customer
//!   managed policy references, inline policy, permissions boundary, and
//!   `ListAccountsForProvisionedPermissionSet` filtered to stale copies;
//! - group and user names resolved by listing the identity store while that is cheaper
//!   than one lookup per name, then `GetGroupId`/`GetUserId` for the rest;
//! - `ListAccountAssignmentsForPrincipal` per group and user the baseline names.
//!
//! Assignment creation and deletion, and provisioning, are asynchronous: the adapter polls
//! their status until AWS finishes, and reports AWS's failure reason. At most
//! [`MAX_ASSIGNMENTS_IN_FLIGHT`] run at once. `ConflictException` (another operation on the
//! same permission set is in progress) is retried with backoff; throttling is retried by
//! the SDK's standard retry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
use aws_sdk_ssoadmin::types::{
    AccountAssignmentOperationStatus, CustomerManagedPolicyReference, PermissionSetProvisioningStatus,
    PermissionsBoundary, PrincipalType, ProvisionTargetType, ProvisioningStatus, StatusValues, Tag, TargetType,
};
use aws_smithy_types::Document;
use futures::stream::{self, StreamExt, TryStreamExt};
use tokio::sync::Semaphore;

mod recover;

use super::limiter::RateLimiter;
use super::{AwsError, Context, retry_eventually};
use crate::observed::{
    Assignment, Boundary, OWNER_TAG_KEY, OWNER_TAG_VALUE, PermissionSet, PermissionSetDetails, PermissionSetSpec,
    PrincipalKind, SsoInstance, SsoState,
};
use crate::plan::{Ref, SsoCall, SsoOp};

const SERVICE: &str = "SSO Admin";
const STORE: &str = "identitystore";
/// IAM Identity Center's limit, shared by its APIs.
pub const CALLS_PER_SECOND: u32 = 20;
/// AWS allows at most this many assignment operations in flight.
pub const MAX_ASSIGNMENTS_IN_FLIGHT: usize = 10;
/// Concurrent reads; the rate limiter, not this, sets the pace.
const CONCURRENCY: usize = 10;
/// How long to wait for an asynchronous operation before reporting it unfinished.
const ASYNC_TIMEOUT: Duration = Duration::from_secs(600);

/// What the baseline needs read.
#[derive(Debug, Clone, Default)]
pub struct SsoScope {
    /// Permission set names the baseline declares.
    pub permission_sets: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    pub users: BTreeSet<String>,
}

pub struct Sso {
    admin: aws_sdk_ssoadmin::Client,
    store: aws_sdk_identitystore::Client,
    limiter: RateLimiter,
    in_flight: Arc<Semaphore>,
}

impl Sso {
    pub fn new(admin: aws_sdk_ssoadmin::Client, store: aws_sdk_identitystore::Client, limiter: RateLimiter) -> Self {
        Sso {
            admin,
            store,
            limiter,
            in_flight: Arc::new(Semaphore::new(MAX_ASSIGNMENTS_IN_FLIGHT)),
        }
    }

    /// Every page of a paginated call, each page waiting for the rate limiter.
    async fn pages<T, F, Fut>(&self, mut page: F) -> Result<Vec<T>, AwsError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
    {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            self.limiter.acquire().await;
            let (items, next) = page(token.take()).await?;
            out.extend(items);
            match next {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// The instance (one per organization), if IAM Identity Center is enabled.
    pub async fn instance(&self) -> Result<Option<SsoInstance>, AwsError> {
        let instances = self
            .pages(|token| async move {
                let out = self
                    .admin
                    .list_instances()
                    .set_next_token(token)
                    .send()
                    .await
                    .ctx(SERVICE, "ListInstances")?;
                let items: Vec<SsoInstance> = out
                    .instances()
                    .iter()
                    .filter_map(|i| {
                        Some(SsoInstance {
                            arn: i.instance_arn()?.to_owned(),
                            identity_store_id: i.identity_store_id()?.to_owned(),
                        })
                    })
                    .collect();
                Ok((items, out.next_token().map(str::to_owned)))
            })
            .await?;
        Ok(instances.into_iter().next())
    }

    pub async fn read(&self, scope: &SsoScope) -> Result<SsoState, AwsError> {
        let Some(instance) = self.instance().await? else {
            return Ok(SsoState::default());
        };
        let (permission_sets, (groups, users)) =
            futures::try_join!(self.read_permission_sets(&instance.arn, scope), async {
                futures::try_join!(
                    self.resolve(&instance.identity_store_id, PrincipalKind::Group, &scope.groups),
                    self.resolve(&instance.identity_store_id, PrincipalKind::User, &scope.users)
                )
            })?;
        let principals: Vec<(PrincipalKind, String)> = groups
            .values()
            .map(|id| (PrincipalKind::Group, id.clone()))
            .chain(users.values().map(|id| (PrincipalKind::User, id.clone())))
            .collect();
        let instance_arn = instance.arn.as_str();
        let assignments: Vec<Vec<Assignment>> = stream::iter(principals)
            .map(|(kind, id)| self.assignments_of(instance_arn, kind, id))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        let mut assignments: Vec<Assignment> = assignments.into_iter().flatten().collect();
        assignments.sort();
        Ok(SsoState {
            instance: Some(instance),
            permission_sets,
            groups,
            users,
            assignments,
        })
    }

    /// The ARNs of every permission set of the instance.
    async fn permission_set_arns(&self, instance: &str) -> Result<Vec<String>, AwsError> {
        self.pages(|token| async move {
            let out = self
                .admin
                .list_permission_sets()
                .instance_arn(instance)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .ctx(SERVICE, "ListPermissionSets")?;
            Ok((out.permission_sets().to_vec(), out.next_token().map(str::to_owned)))
        })
        .await
    }

    async fn read_permission_sets(&self, instance: &str, scope: &SsoScope) -> Result<Vec<PermissionSet>, AwsError> {
        let arns = self.permission_set_arns(instance).await?;
        let mut sets: Vec<PermissionSet> = stream::iter(arns)
            .map(|arn| async move {
                let (mut set, owned) =
                    futures::try_join!(self.describe(instance, &arn), self.is_owned(instance, &arn))?;
                set.owned = owned;
                if owned || scope.permission_sets.contains(&set.name) {
                    set.details = Some(self.details(instance, &arn).await?);
                }
                Ok::<_, AwsError>(set)
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        sets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(sets)
    }

    async fn describe(&self, instance: &str, arn: &str) -> Result<PermissionSet, AwsError> {
        self.limiter.acquire().await;
        let out = self
            .admin
            .describe_permission_set()
            .instance_arn(instance)
            .permission_set_arn(arn)
            .send()
            .await
            .ctx(SERVICE, "DescribePermissionSet")?;
        let ps = out.permission_set();
        let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(PermissionSet {
            arn: arn.to_owned(),
            name: ps.and_then(|p| p.name()).unwrap_or_default().to_owned(),
            description: text(ps.and_then(|p| p.description())),
            session_duration: text(ps.and_then(|p| p.session_duration())),
            relay_state: text(ps.and_then(|p| p.relay_state())),
            owned: false,
            details: None,
        })
    }

    async fn is_owned(&self, instance: &str, arn: &str) -> Result<bool, AwsError> {
        let tags = self
            .pages(|token| async move {
                let out = self
                    .admin
                    .list_tags_for_resource()
                    .instance_arn(instance)
                    .resource_arn(arn)
                    .set_next_token(token)
                    .send()
                    .await
                    .ctx(SERVICE, "ListTagsForResource")?;
                Ok((out.tags().to_vec(), out.next_token().map(str::to_owned)))
            })
            .await?;
        Ok(tags
            .iter()
            .any(|t| t.key() == OWNER_TAG_KEY && t.value() == OWNER_TAG_VALUE))
    }

    async fn details(&self, instance: &str, arn: &str) -> Result<PermissionSetDetails, AwsError> {
        let managed = self.pages(|token| async move {
            let out = self
                .admin
                .list_managed_policies_in_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .ctx(SERVICE, "ListManagedPoliciesInPermissionSet")?;
            let arns = out
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.arn().map(str::to_owned))
                .collect();
            Ok((arns, out.next_token().map(str::to_owned)))
        });
        let customer = self.pages(|token| async move {
            let out = self
                .admin
                .list_customer_managed_policy_references_in_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .ctx(SERVICE, "ListCustomerManagedPolicyReferencesInPermissionSet")?;
            let refs = out
                .customer_managed_policy_references()
                .iter()
                .map(|r| (r.name().to_owned(), r.path().unwrap_or("/").to_owned()))
                .collect();
            Ok((refs, out.next_token().map(str::to_owned)))
        });
        let inline = async {
            self.limiter.acquire().await;
            let out = self
                .admin
                .get_inline_policy_for_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .send()
                .await
                .ctx(SERVICE, "GetInlinePolicyForPermissionSet")?;
            Ok::<_, AwsError>(out.inline_policy().filter(|p| !p.is_empty()).map(str::to_owned))
        };
        let boundary = async {
            self.limiter.acquire().await;
            match self
                .admin
                .get_permissions_boundary_for_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .send()
                .await
                .ctx(SERVICE, "GetPermissionsBoundaryForPermissionSet")
            {
                Ok(out) => Ok(out.permissions_boundary().and_then(boundary_of)),
                Err(e) if e.is("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(e),
            }
        };
        let stale = self.pages(|token| async move {
            let out = self
                .admin
                .list_accounts_for_provisioned_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .provisioning_status(ProvisioningStatus::LatestPermissionSetNotProvisioned)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .ctx(SERVICE, "ListAccountsForProvisionedPermissionSet")?;
            Ok((out.account_ids().to_vec(), out.next_token().map(str::to_owned)))
        });
        let (mut managed_policies, mut customer_managed_policies, inline_policy, permissions_boundary, mut stale) =
            futures::try_join!(managed, customer, inline, boundary, stale)?;
        managed_policies.sort();
        customer_managed_policies.sort();
        stale.sort();
        Ok(PermissionSetDetails {
            managed_policies,
            customer_managed_policies,
            inline_policy,
            permissions_boundary,
            stale_accounts: stale,
        })
    }

    /// Names to ids. Lists the identity store while listing costs fewer calls than
    /// looking each name up; looks up whatever the listing did not find.
    async fn resolve(
        &self,
        store: &str,
        kind: PrincipalKind,
        names: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        let mut found = BTreeMap::new();
        if names.is_empty() {
            return Ok(found);
        }
        // A listing page holds 100; stop listing once it has cost as much as lookups would.
        let budget = names.len().div_ceil(2);
        let mut token: Option<String> = None;
        for _ in 0..budget {
            self.limiter.acquire().await;
            let (page, next) = match kind {
                PrincipalKind::Group => {
                    let out = self
                        .store
                        .list_groups()
                        .identity_store_id(store)
                        .max_results(100)
                        .set_next_token(token.take())
                        .send()
                        .await
                        .ctx(STORE, "ListGroups")?;
                    let page: Vec<(String, String)> = out
                        .groups()
                        .iter()
                        .filter_map(|g| Some((g.display_name()?.to_owned(), g.group_id().to_owned())))
                        .collect();
                    (page, out.next_token().map(str::to_owned))
                }
                PrincipalKind::User => {
                    let out = self
                        .store
                        .list_users()
                        .identity_store_id(store)
                        .max_results(100)
                        .set_next_token(token.take())
                        .send()
                        .await
                        .ctx(STORE, "ListUsers")?;
                    let page: Vec<(String, String)> = out
                        .users()
                        .iter()
                        .filter_map(|u| Some((u.user_name()?.to_owned(), u.user_id().to_owned())))
                        .collect();
                    (page, out.next_token().map(str::to_owned))
                }
            };
            found.extend(page.into_iter().filter(|(name, _)| names.contains(name)));
            match next {
                Some(t) if !t.is_empty() && found.len() < names.len() => token = Some(t),
                // Listed everything: a name not found does not exist.
                None if found.len() < names.len() => return Ok(found),
                _ => break,
            }
        }
        if token.is_none() && found.len() == names.len() {
            return Ok(found);
        }
        let missing: Vec<&String> = names.iter().filter(|n| !found.contains_key(*n)).collect();
        let looked_up: Vec<Option<(String, String)>> =
            stream::iter(missing)
                .map(|name| async move {
                    Ok::<_, AwsError>(self.lookup(store, kind, name).await?.map(|id| (name.clone(), id)))
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
        found.extend(looked_up.into_iter().flatten());
        Ok(found)
    }

    async fn lookup(&self, store: &str, kind: PrincipalKind, name: &str) -> Result<Option<String>, AwsError> {
        let (path, operation) = match kind {
            PrincipalKind::Group => ("displayName", "GetGroupId"),
            PrincipalKind::User => ("userName", "GetUserId"),
        };
        let id = AlternateIdentifier::UniqueAttribute(
            UniqueAttribute::builder()
                .attribute_path(path)
                .attribute_value(Document::String(name.to_owned()))
                .build()
                .map_err(|e| AwsError::other(STORE, operation, e.to_string()))?,
        );
        self.limiter.acquire().await;
        let result = match kind {
            PrincipalKind::Group => self
                .store
                .get_group_id()
                .identity_store_id(store)
                .alternate_identifier(id)
                .send()
                .await
                .map(|o| o.group_id().to_owned())
                .ctx(STORE, operation),
            PrincipalKind::User => self
                .store
                .get_user_id()
                .identity_store_id(store)
                .alternate_identifier(id)
                .send()
                .await
                .map(|o| o.user_id().to_owned())
                .ctx(STORE, operation),
        };
        match result {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.is("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn assignments_of(
        &self,
        instance: &str,
        kind: PrincipalKind,
        id: String,
    ) -> Result<Vec<Assignment>, AwsError> {
        let id = id.as_str();
        self.pages(|token| async move {
            let out = self
                .admin
                .list_account_assignments_for_principal()
                .instance_arn(instance)
                .principal_type(principal_type(kind))
                .principal_id(id)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .ctx(SERVICE, "ListAccountAssignmentsForPrincipal")?;
            let items = out
                .account_assignments()
                .iter()
                .filter_map(|a| {
                    Some(Assignment {
                        account_id: a.account_id()?.to_owned(),
                        permission_set_arn: a.permission_set_arn()?.to_owned(),
                        principal_kind: kind,
                        principal_id: id.to_owned(),
                    })
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        })
        .await
    }

    pub async fn execute(
        &self,
        op: &SsoOp,
        resolve: &dyn Fn(&Ref) -> Option<String>,
    ) -> Result<Option<String>, AwsError> {
        let unresolved =
            |r: &Ref| AwsError::other(SERVICE, "resolve", format!("{r:?} was not created earlier in this run"));
        let instance = op.instance_arn.as_str();
        match &op.call {
            SsoCall::CreatePermissionSet { spec } => self.create_permission_set(instance, spec).await.map(Some),
            SsoCall::UpdatePermissionSet {
                permission_set,
                description,
                session_duration,
                relay_state,
            } => {
                self.write("UpdatePermissionSet", || {
                    self.admin
                        .update_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(permission_set)
                        .set_description(description.clone())
                        .session_duration(session_duration)
                        .set_relay_state(relay_state.clone())
                        .send()
                })
                .await?;
                Ok(None)
            }
            SsoCall::AttachManagedPolicy {
                permission_set,
                policy_arn,
            } => {
                self.attach_managed(instance, permission_set, policy_arn).await?;
                Ok(None)
            }
            SsoCall::DetachManagedPolicy {
                permission_set,
                policy_arn,
            } => {
                self.write("DetachManagedPolicyFromPermissionSet", || {
                    self.admin
                        .detach_managed_policy_from_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(permission_set)
                        .managed_policy_arn(policy_arn)
                        .send()
                })
                .await?;
                Ok(None)
            }
            SsoCall::AttachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => {
                self.attach_customer(instance, permission_set, name, path).await?;
                Ok(None)
            }
            SsoCall::DetachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => {
                let reference = customer_reference(name, path)?;
                self.write("DetachCustomerManagedPolicyReferenceFromPermissionSet", || {
                    self.admin
                        .detach_customer_managed_policy_reference_from_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(permission_set)
                        .customer_managed_policy_reference(reference.clone())
                        .send()
                })
                .await?;
                Ok(None)
            }
            SsoCall::PutInlinePolicy { permission_set, policy } => {
                self.put_inline(instance, permission_set, policy).await?;
                Ok(None)
            }
            SsoCall::DeleteInlinePolicy { permission_set } => {
                self.write("DeleteInlinePolicyFromPermissionSet", || {
                    self.admin
                        .delete_inline_policy_from_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(permission_set)
                        .send()
                })
                .await?;
                Ok(None)
            }
            SsoCall::PutPermissionsBoundary {
                permission_set,
                boundary,
            } => {
                self.put_boundary(instance, permission_set, boundary).await?;
                Ok(None)
            }
            SsoCall::DeletePermissionsBoundary { permission_set } => {
                self.write("DeletePermissionsBoundaryFromPermissionSet", || {
                    self.admin
                        .delete_permissions_boundary_from_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(permission_set)
                        .send()
                })
                .await?;
                Ok(None)
            }
            SsoCall::ProvisionPermissionSet { permission_set } => {
                self.provision(instance, permission_set).await?;
                Ok(None)
            }
            SsoCall::CreateAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => {
                let set = resolve(permission_set).ok_or_else(|| unresolved(permission_set))?;
                let account = resolve(account).ok_or_else(|| unresolved(account))?;
                self.assignment(instance, true, &set, &account, *principal_kind, principal_id)
                    .await?;
                Ok(None)
            }
            SsoCall::DeleteAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => {
                self.assignment(instance, false, permission_set, account, *principal_kind, principal_id)
                    .await?;
                Ok(None)
            }
            SsoCall::DeletePermissionSet { permission_set } => {
                self.delete_permission_set(instance, permission_set).await?;
                Ok(None)
            }
        }
    }

    /// A write: waits for the rate limiter, retries `ConflictException` (another
    /// operation on the same permission set in progress) with backoff.
    async fn write<T, E, F, Fut>(&self, operation: &'static str, mut call: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, aws_sdk_ssoadmin::error::SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        retry_eventually(&["ConflictException"], || {
            let attempt = call();
            async move {
                self.limiter.acquire().await;
                attempt.await.ctx(SERVICE, operation)
            }
        })
        .await
    }

    /// A write that a `ConflictException` may answer because it is already done (a retry
    /// after a lost answer: "already attached"): `done` tells, and only a conflict with
    /// the work not done is retried with backoff.
    async fn write_or_done<T, E, F, Fut, D, DFut>(
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
            self.limiter.acquire().await;
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

    async fn create_permission_set(&self, instance: &str, spec: &PermissionSetSpec) -> Result<String, AwsError> {
        let tag = Tag::builder()
            .key(OWNER_TAG_KEY)
            .value(OWNER_TAG_VALUE)
            .build()
            .map_err(|e| AwsError::other(SERVICE, "CreatePermissionSet", e.to_string()))?;
        let create = || async {
            self.limiter.acquire().await;
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
        for policy in &spec.managed_policies {
            self.attach_managed(instance, &arn, policy).await?;
        }
        for (name, path) in &spec.customer_managed_policies {
            self.attach_customer(instance, &arn, name, path).await?;
        }
        if let Some(policy) = &spec.inline_policy {
            self.put_inline(instance, &arn, policy).await?;
        }
        if let Some(boundary) = &spec.permissions_boundary {
            self.put_boundary(instance, &arn, boundary).await?;
        }
        Ok(arn)
    }

    async fn attach_managed(&self, instance: &str, set: &str, policy: &str) -> Result<(), AwsError> {
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

    async fn attach_customer(&self, instance: &str, set: &str, name: &str, path: &str) -> Result<(), AwsError> {
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

    async fn put_inline(&self, instance: &str, set: &str, policy: &str) -> Result<(), AwsError> {
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

    async fn put_boundary(&self, instance: &str, set: &str, boundary: &Boundary) -> Result<(), AwsError> {
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

    /// Provision the latest version to every account that has the permission set, and
    /// wait for AWS to finish.
    async fn provision(&self, instance: &str, set: &str) -> Result<(), AwsError> {
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
    async fn assignment(
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

    /// Poll an asynchronous operation (backing off from 1 s to 5 s, each poll waiting for
    /// the rate limiter) until AWS finishes it; its failure reason when it fails.
    async fn wait<F, Fut>(
        &self,
        operation: &'static str,
        mut progress: Progress,
        mut describe: F,
    ) -> Result<(), AwsError>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<Progress, AwsError>>,
    {
        let request = progress.request.clone();
        let mut delay = Duration::from_secs(1);
        let started = tokio::time::Instant::now();
        while progress.status == Some(StatusValues::InProgress) {
            if started.elapsed() > ASYNC_TIMEOUT {
                return Err(AwsError::other(
                    SERVICE,
                    operation,
                    format!("still in progress after {ASYNC_TIMEOUT:?} (request {request})"),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
            self.limiter.acquire().await;
            progress = describe(request.clone()).await?;
        }
        match progress.status {
            Some(StatusValues::Failed) => Err(AwsError {
                service: SERVICE,
                operation,
                code: Some("FAILED".into()),
                message: progress.reason.unwrap_or_else(|| "AWS gave no reason".into()),
                no_credentials: false,
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

    /// Delete a permission set plinth owns: first every assignment of it (in each account
    /// it is provisioned to), then the set.
    async fn delete_permission_set(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        let accounts = self
            .pages(|token| async move {
                let out = self
                    .admin
                    .list_accounts_for_provisioned_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(set)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await
                    .ctx(SERVICE, "ListAccountsForProvisionedPermissionSet")?;
                Ok((out.account_ids().to_vec(), out.next_token().map(str::to_owned)))
            })
            .await?;
        for account in &accounts {
            let account = account.as_str();
            let assignments = self
                .pages(|token| async move {
                    let out = self
                        .admin
                        .list_account_assignments()
                        .instance_arn(instance)
                        .account_id(account)
                        .permission_set_arn(set)
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await
                        .ctx(SERVICE, "ListAccountAssignments")?;
                    Ok((out.account_assignments().to_vec(), out.next_token().map(str::to_owned)))
                })
                .await?;
            let deletions = assignments.iter().filter_map(|a| {
                let kind = match a.principal_type()? {
                    PrincipalType::Group => PrincipalKind::Group,
                    _ => PrincipalKind::User,
                };
                Some(self.assignment(instance, false, set, account, kind, a.principal_id()?))
            });
            stream::iter(deletions)
                .buffer_unordered(MAX_ASSIGNMENTS_IN_FLIGHT)
                .try_collect::<Vec<()>>()
                .await?;
            tracing::info!(
                account,
                removed = assignments.len(),
                "removed the permission set's assignments"
            );
        }
        self.write("DeletePermissionSet", || {
            self.admin
                .delete_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .send()
        })
        .await
        .map(drop)
    }
}

/// Where an asynchronous operation stands.
struct Progress {
    status: Option<StatusValues>,
    reason: Option<String>,
    request: String,
}

fn principal_type(kind: PrincipalKind) -> PrincipalType {
    match kind {
        PrincipalKind::Group => PrincipalType::Group,
        PrincipalKind::User => PrincipalType::User,
    }
}

fn customer_reference(name: &str, path: &str) -> Result<CustomerManagedPolicyReference, AwsError> {
    CustomerManagedPolicyReference::builder()
        .name(name)
        .path(path)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "CustomerManagedPolicyReference", e.to_string()))
}

fn boundary_of(b: &PermissionsBoundary) -> Option<Boundary> {
    if let Some(arn) = b.managed_policy_arn() {
        return Some(Boundary::ManagedPolicy { arn: arn.to_owned() });
    }
    b.customer_managed_policy_reference()
        .map(|r| Boundary::CustomerManagedPolicy {
            name: r.name().to_owned(),
            path: r.path().unwrap_or("/").to_owned(),
        })
}
