//! IAM Identity Center read whole, for `plinth import`: every permission set with its
//! policies, every group and user of the identity store, and each one's assignments.

use super::*;

impl Sso {
    pub async fn read_all(&self) -> Result<SsoState, AwsError> {
        let Some(instance) = self.instance().await? else {
            return Ok(SsoState::default());
        };
        let scope = SsoScope {
            everything: true,
            ..SsoScope::default()
        };
        let (permission_sets, groups, users) = futures::try_join!(
            self.read_permission_sets(&instance.arn, &scope),
            self.all_principals(&instance.identity_store_id, PrincipalKind::Group),
            self.all_principals(&instance.identity_store_id, PrincipalKind::User)
        )?;
        let assignments = self.assignments_of_all(&instance.arn, &groups, &users).await?;
        Ok(SsoState {
            instance: Some(instance),
            permission_sets,
            groups,
            users,
            assignments,
        })
    }

    /// Every group (by display name) or user (by user name), with its id.
    async fn all_principals(&self, store: &str, kind: PrincipalKind) -> Result<BTreeMap<String, String>, AwsError> {
        Ok(match kind {
            PrincipalKind::Group => {
                let groups: Vec<_> = self
                    .store
                    .list_groups()
                    .identity_store_id(store)
                    .max_results(100)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .ctx(STORE, "ListGroups")?;
                let mut found = BTreeMap::new();
                let listed = groups
                    .iter()
                    .filter_map(|g| Some((g.display_name()?.to_owned(), g.group_id().to_owned())));
                super::principals::insert_once(&mut found, "ListGroups", listed)?;
                found
            }
            PrincipalKind::User => {
                let users: Vec<_> = self
                    .store
                    .list_users()
                    .identity_store_id(store)
                    .max_results(100)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .ctx(STORE, "ListUsers")?;
                let mut found = BTreeMap::new();
                let listed = users
                    .iter()
                    .filter_map(|u| Some((u.user_name()?.to_owned(), u.user_id().to_owned())));
                super::principals::insert_once(&mut found, "ListUsers", listed)?;
                found
            }
        })
    }
}
