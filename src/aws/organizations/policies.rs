//! Organizations reads of policies of one type (SCPs, RCPs, management policies): every
//! policy of the type, which plinth owns (by tag), the content and targets it needs, and
//! what a target carries when a plan needs it.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_organizations::types::PolicyType;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{CONCURRENCY, Organizations, SERVICE};
use crate::aws::{AwsError, Context};
use crate::observed::{Scp, ownership};
use crate::types::policy_types::PolicyType as OrgPolicyType;

impl Organizations {
    /// Every policy of a type, with ownership (tags of customer-managed ones), the content
    /// of owned ones and of any whose name the baseline uses, and the targets of owned ones.
    pub(super) async fn read_policies(
        &self,
        policy_type: OrgPolicyType,
        names: &[String],
        scope: &super::ReadScope,
    ) -> Result<Vec<Scp>, AwsError> {
        let everything = scope.everything;
        let mut scps = self.read_policy_summaries(policy_type).await?;
        let customer: Vec<String> = scps.iter().filter(|p| !p.aws_managed).map(|p| p.id.clone()).collect();
        let tags: HashMap<String, Vec<(String, String)>> = stream::iter(customer)
            .map(|id| async move { self.tags(&id).await.map(|t| (id, t)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        for p in &mut scps {
            let tags = tags.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let o = ownership(&p.name, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            p.owned = o.owned;
            p.managed_by = o.managed_by;
        }
        let owned: BTreeSet<String> = scps.iter().filter(|p| p.owned).map(|p| p.id.clone()).collect();
        let detail: Vec<String> = scps
            .iter()
            .filter(|p| p.owned || (everything && !p.aws_managed) || names.contains(&p.name))
            .map(|p| p.id.clone())
            .collect();
        let contents = stream::iter(detail)
            .map(|id| async move { self.policy_content(&id).await.map(|c| (id, c)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect::<HashMap<String, String>>();
        // Targets of owned SCPs, and of those the baseline names (it may adopt them).
        let with_targets: Vec<String> = scps
            .iter()
            .filter(|p| {
                owned.contains(&p.id)
                    || (!p.aws_managed && (everything || names.contains(&p.name)))
                    || (p.aws_managed && scope.aws_managed_targets)
            })
            .map(|p| p.id.clone())
            .collect();
        let targets = stream::iter(with_targets)
            .map(|id| async move { self.policy_targets(&id).await.map(|t| (id, t)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect::<HashMap<String, Vec<String>>>();
        let (contents, targets) = futures::try_join!(contents, targets)?;
        for p in &mut scps {
            p.content = contents.get(&p.id).cloned();
            if let Some(t) = targets.get(&p.id) {
                p.targets.clone_from(t);
                p.targets_read = true;
            }
        }
        Ok(scps)
    }

    pub(super) async fn read_policy_summaries(&self, policy_type: OrgPolicyType) -> Result<Vec<Scp>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_policies()
            .filter(PolicyType::from(policy_type.api()))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListPolicies")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.policies())
            .map(|p| Scp {
                id: p.id().unwrap_or_default().to_owned(),
                name: p.name().unwrap_or_default().to_owned(),
                description: p.description().unwrap_or_default().to_owned(),
                aws_managed: p.aws_managed(),
                owned: false,
                managed_by: None,
                content: None,
                targets: vec![],
                targets_read: false,
            })
            .collect())
    }

    /// Whether the policy `name` is plinth's: its tag, and no sign of another tool.
    pub(super) async fn is_owned(&self, policy_id: &str, name: &str) -> Result<bool, AwsError> {
        let tags = self.tags(policy_id).await?;
        Ok(ownership(name, tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))).owned)
    }

    /// A policy's tags, as (key, value).
    pub(super) async fn tags(&self, policy_id: &str) -> Result<Vec<(String, String)>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_tags_for_resource()
            .resource_id(policy_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListTagsForResource")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.tags())
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    async fn policy_content(&self, policy_id: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .describe_policy()
            .policy_id(policy_id)
            .send()
            .await
            .ctx(SERVICE, "DescribePolicy")?;
        Ok(out.policy().and_then(|p| p.content()).unwrap_or_default().to_owned())
    }

    async fn policy_targets(&self, policy_id: &str) -> Result<Vec<String>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_targets_for_policy()
            .policy_id(policy_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListTargetsForPolicy")?;
        let mut ids: Vec<String> = pages
            .iter()
            .flat_map(|p| p.targets())
            .filter_map(|t| t.target_id().map(str::to_owned))
            .collect();
        ids.sort();
        Ok(ids)
    }

    pub(super) async fn policies_for_target(
        &self,
        target_id: &str,
        policy_type: OrgPolicyType,
    ) -> Result<Vec<String>, AwsError> {
        let pages: Vec<_> = self
            .client
            .list_policies_for_target()
            .target_id(target_id)
            .filter(PolicyType::from(policy_type.api()))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .ctx(SERVICE, "ListPoliciesForTarget")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.policies())
            .filter_map(|p| p.id().map(str::to_owned))
            .collect())
    }
}
