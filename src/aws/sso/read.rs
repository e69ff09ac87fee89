//! IAM Identity Center reads: permission sets with their policies, boundary, tags and
//! outdated copies, and each principal's assignments.

use super::*;
use crate::observed::ownership;

impl Sso {
    /// The ARNs of every permission set of the instance.
    pub(super) async fn permission_set_arns(&self, instance: &str) -> Result<Vec<String>, AwsError> {
        self.admin
            .list_permission_sets()
            .instance_arn(instance)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListPermissionSets")
    }

    pub(super) async fn read_permission_sets(
        &self,
        instance: &str,
        scope: &SsoScope,
    ) -> Result<Vec<PermissionSet>, AwsError> {
        let arns = self.permission_set_arns(instance).await?;
        let mut sets: Vec<PermissionSet> = stream::iter(arns)
            .map(|arn| async move {
                let (mut set, tags) = futures::try_join!(self.describe(instance, &arn), self.tags(instance, &arn))?;
                let o = ownership(&set.name, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                set.owned = o.owned;
                set.managed_by = o.managed_by;
                if set.owned || scope.everything || scope.permission_sets.contains(&set.name) {
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

    pub(super) async fn describe(&self, instance: &str, arn: &str) -> Result<PermissionSet, AwsError> {
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
            managed_by: None,
            details: None,
        })
    }

    /// Whether the permission set `name` is plinth's: its tag, and no sign of another tool.
    pub(super) async fn is_owned(&self, instance: &str, arn: &str, name: &str) -> Result<bool, AwsError> {
        let tags = self.tags(instance, arn).await?;
        Ok(ownership(name, tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))).owned)
    }

    /// A permission set's tags, as (key, value).
    async fn tags(&self, instance: &str, arn: &str) -> Result<Vec<(String, String)>, AwsError> {
        let tags: Vec<_> = self
            .admin
            .list_tags_for_resource()
            .instance_arn(instance)
            .resource_arn(arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListTagsForResource")?;
        Ok(tags
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    pub(super) async fn details(&self, instance: &str, arn: &str) -> Result<PermissionSetDetails, AwsError> {
        let managed = async {
            let policies: Vec<_> = self
                .admin
                .list_managed_policies_in_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "ListManagedPoliciesInPermissionSet")?;
            Ok::<Vec<String>, AwsError>(policies.iter().filter_map(|p| p.arn().map(str::to_owned)).collect())
        };
        let customer = async {
            let refs: Vec<_> = self
                .admin
                .list_customer_managed_policy_references_in_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "ListCustomerManagedPolicyReferencesInPermissionSet")?;
            Ok::<Vec<(String, String)>, AwsError>(
                refs.iter()
                    .map(|r| (r.name().to_owned(), r.path().unwrap_or("/").to_owned()))
                    .collect(),
            )
        };
        let inline = async {
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
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        };
        let stale = async {
            let accounts: Vec<String> = self
                .admin
                .list_accounts_for_provisioned_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .provisioning_status(ProvisioningStatus::LatestPermissionSetNotProvisioned)
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "ListAccountsForProvisionedPermissionSet")?;
            Ok::<Vec<String>, AwsError>(accounts)
        };
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

    pub(super) async fn assignments_of(
        &self,
        instance: &str,
        kind: PrincipalKind,
        id: String,
    ) -> Result<Vec<Assignment>, AwsError> {
        let assignments: Vec<_> = self
            .admin
            .list_account_assignments_for_principal()
            .instance_arn(instance)
            .principal_type(principal_type(kind))
            .principal_id(&id)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListAccountAssignmentsForPrincipal")?;
        Ok(assignments
            .iter()
            .filter_map(|a| {
                Some(Assignment {
                    account_id: a.account_id()?.to_owned(),
                    permission_set_arn: a.permission_set_arn()?.to_owned(),
                    principal_kind: kind,
                    principal_id: id.clone(),
                })
            })
            .collect())
    }
}
