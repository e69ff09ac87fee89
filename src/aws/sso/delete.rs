//! Deleting a permission set plinth owns: its assignments first, account by account, then
//! the set. One change, many writes: when one of them fails (or the apply lock's fence
//! stops them), the error says how many assignments were deleted before.

use std::sync::atomic::{AtomicBool, Ordering};

use super::*;

impl Sso {
    /// Delete a permission set plinth owns: first every assignment of it (in each account
    /// it is provisioned to), then the set.
    pub(super) async fn delete_permission_set(&self, instance: &str, set: &str) -> Result<(), AwsError> {
        let accounts: Vec<String> = self
            .admin
            .list_accounts_for_provisioned_permission_set()
            .instance_arn(instance)
            .permission_set_arn(set)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListAccountsForProvisionedPermissionSet")?;
        // Every assignment first, so that the count is known before the first deletion.
        let mut assignments = Vec::new();
        for account in &accounts {
            let listed: Vec<_> = self
                .admin
                .list_account_assignments()
                .instance_arn(instance)
                .account_id(account)
                .permission_set_arn(set)
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .ctx(SERVICE, "ListAccountAssignments")?;
            assignments.extend(listed.iter().filter_map(|a| {
                let kind = match a.principal_type()? {
                    PrincipalType::Group => PrincipalKind::Group,
                    _ => PrincipalKind::User,
                };
                Some((account.as_str(), kind, a.principal_id()?.to_owned()))
            }));
        }
        let total = assignments.len();
        // After a failure no further deletion starts; those in flight finish.
        let failed = AtomicBool::new(false);
        let results: Vec<Result<bool, AwsError>> = stream::iter(&assignments)
            .map(|(account, kind, principal)| {
                let failed = &failed;
                async move {
                    if failed.load(Ordering::SeqCst) {
                        return Ok(false);
                    }
                    let deleted = self.assignment(instance, false, set, account, *kind, principal).await;
                    failed.fetch_or(deleted.is_err(), Ordering::SeqCst);
                    deleted.map(|()| true)
                }
            })
            .buffer_unordered(MAX_ASSIGNMENTS_IN_FLIGHT)
            .collect()
            .await;
        let deleted = results.iter().filter(|r| matches!(r, Ok(true))).count();
        if let Some(e) = results.into_iter().find_map(Result::err) {
            return Err(e.after(format!("deleted {deleted} of the permission set's {total} assignments")));
        }
        tracing::info!(
            accounts = accounts.len(),
            removed = total,
            "removed the permission set's assignments"
        );
        self.write("DeletePermissionSet", || {
            self.admin
                .delete_permission_set()
                .instance_arn(instance)
                .permission_set_arn(set)
                .send()
        })
        .await
        .map(drop)
        .map_err(|e| e.after(format!("deleted the permission set's {total} assignments")))
    }
}
