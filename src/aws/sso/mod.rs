//! IAM Identity Center (the `sso` admin API and the identity store), in the instance's
//! region: permission sets, assignments, and the names of groups and users.
//!
//! Both APIs share one rate limit (20 calls per second): their clients send every request
//! (each page of the SDK's paginators, each retry, each status poll) through one shared
//! bucket (`aws::quotas`, applied by `aws::limiter::Paced` on every client); nothing here
//! paces by hand.
//! Reads scale with permission sets and principals, never with accounts × permission sets:
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

mod delete;
mod everything;
mod execute;
mod principals;
mod read;
mod recover;
mod wait;
mod write;

use super::{AwsError, Context, retry_eventually};
use crate::observed::{
    Assignment, Boundary, OWNER_TAG_KEY, OWNER_TAG_VALUE, PermissionSet, PermissionSetDetails, PermissionSetSpec,
    PrincipalKind, SsoInstance, SsoState,
};
use crate::plan::{Ref, SsoCall, SsoOp};

const SERVICE: &str = crate::aws::Service::Sso.sdk_name();
const STORE: &str = crate::aws::Service::IdentityStore.sdk_name();
/// AWS allows at most this many assignment operations in flight.
pub const MAX_ASSIGNMENTS_IN_FLIGHT: usize = 10;
/// Concurrent reads; the rate limiter, not this, sets the pace (and this bounds how long
/// a request waits for its turn: a tenth of a second per request queued ahead of it).
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
    /// Details of every permission set, not only owned and named ones (`plinth import`).
    pub everything: bool,
}

pub struct Sso {
    admin: aws_sdk_ssoadmin::Client,
    store: aws_sdk_identitystore::Client,
    in_flight: Arc<Semaphore>,
}

impl Sso {
    /// From clients whose requests are paced (see `Aws::sso`).
    pub fn new(admin: aws_sdk_ssoadmin::Client, store: aws_sdk_identitystore::Client) -> Self {
        Sso {
            admin,
            store,
            in_flight: Arc::new(Semaphore::new(MAX_ASSIGNMENTS_IN_FLIGHT)),
        }
    }

    /// The instance (one per organization), if IAM Identity Center is enabled.
    pub async fn instance(&self) -> Result<Option<SsoInstance>, AwsError> {
        let instances = self
            .admin
            .list_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListInstances")?;
        Ok(instances.into_iter().find_map(|i| {
            Some(SsoInstance {
                arn: i.instance_arn()?.to_owned(),
                identity_store_id: i.identity_store_id()?.to_owned(),
            })
        }))
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
        let assignments = self.assignments_of_all(&instance.arn, &groups, &users).await?;
        Ok(SsoState {
            instance: Some(instance),
            permission_sets,
            groups,
            users,
            assignments,
        })
    }
}

impl Sso {
    /// Every assignment of these groups and users (name -> id), sorted.
    async fn assignments_of_all(
        &self,
        instance_arn: &str,
        groups: &BTreeMap<String, String>,
        users: &BTreeMap<String, String>,
    ) -> Result<Vec<Assignment>, AwsError> {
        let principals: Vec<(PrincipalKind, String)> = groups
            .values()
            .map(|id| (PrincipalKind::Group, id.clone()))
            .chain(users.values().map(|id| (PrincipalKind::User, id.clone())))
            .collect();
        let assignments: Vec<Vec<Assignment>> = stream::iter(principals)
            .map(|(kind, id)| self.assignments_of(instance_arn, kind, id))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        let mut assignments: Vec<Assignment> = assignments.into_iter().flatten().collect();
        assignments.sort();
        Ok(assignments)
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
