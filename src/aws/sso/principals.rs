//! Group and user names to identity store ids: one listing while that is cheaper than
//! lookups, else `GetGroupId`/`GetUserId` per name.

use super::*;

impl Sso {
    /// Names to ids. Lists the identity store while listing costs fewer calls than
    /// looking each name up; looks up whatever the listing did not find.
    pub(super) async fn resolve(
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
        let complete = match kind {
            PrincipalKind::Group => {
                let mut pages = self
                    .store
                    .list_groups()
                    .identity_store_id(store)
                    .max_results(100)
                    .into_paginator()
                    .send();
                let mut complete = false;
                for _ in 0..budget {
                    let Some(page) = pages.next().await else { break };
                    let out = page.ctx(STORE, "ListGroups")?;
                    let listed = out
                        .groups()
                        .iter()
                        .filter_map(|g| Some((g.display_name()?.to_owned(), g.group_id().to_owned())));
                    insert_once(
                        &mut found,
                        "ListGroups",
                        listed.filter(|(name, _)| names.contains(name)),
                    )?;
                    complete = out.next_token().is_none_or(str::is_empty);
                    if complete || found.len() == names.len() {
                        break;
                    }
                }
                complete
            }
            PrincipalKind::User => {
                let mut pages = self
                    .store
                    .list_users()
                    .identity_store_id(store)
                    .max_results(100)
                    .into_paginator()
                    .send();
                let mut complete = false;
                for _ in 0..budget {
                    let Some(page) = pages.next().await else { break };
                    let out = page.ctx(STORE, "ListUsers")?;
                    let listed = out
                        .users()
                        .iter()
                        .filter_map(|u| Some((u.user_name()?.to_owned(), u.user_id().to_owned())));
                    insert_once(&mut found, "ListUsers", listed.filter(|(name, _)| names.contains(name)))?;
                    complete = out.next_token().is_none_or(str::is_empty);
                    if complete || found.len() == names.len() {
                        break;
                    }
                }
                complete
            }
        };
        // Listed everything, or found every name: a name not found does not exist.
        if complete || found.len() == names.len() {
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

    pub(super) async fn lookup(
        &self,
        store: &str,
        kind: PrincipalKind,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
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
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Adds listed (name, id) pairs to `found`. AWS keeps a group's display name and a user's
/// user name unique in an identity store; should a listing ever show one name twice, it
/// is an error, never a guess at which of the two an assignment means.
pub(super) fn insert_once(
    found: &mut BTreeMap<String, String>,
    operation: &'static str,
    listed: impl Iterator<Item = (String, String)>,
) -> Result<(), AwsError> {
    for (name, id) in listed {
        match found.get(&name) {
            Some(other) if *other != id => {
                return Err(AwsError::other(
                    STORE,
                    operation,
                    format!(
                        "two principals of the identity store are named `{name}` (`{other}` and `{id}`); plinth cannot tell which one the baseline means"
                    ),
                ));
            }
            _ => {
                found.insert(name, id);
            }
        }
    }
    Ok(())
}
