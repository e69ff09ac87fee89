//! Organizations' effective management policies: what an account is under once AWS has
//! merged the policies of a type attached to the root, its OUs and the account itself
//! (`DescribeEffectivePolicy`; management policy types only, never SCPs or RCPs).

use aws_sdk_organizations::types::EffectivePolicyType;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{CONCURRENCY, Organizations, SERVICE};
use crate::aws::{AwsError, Context};
use crate::observed::EffectivePolicy;
use crate::types::policy_types::PolicyType;

impl Organizations {
    /// The effective policy of each type in `types` for each account in `accounts`: one
    /// call per account and type, [`CONCURRENCY`] at once, each paced at the operation's
    /// quota like every call. An account no policy of the type reaches has none
    /// (`EffectivePolicyNotFoundException`, which AWS also answers for a type not enabled
    /// on the root: ask only for enabled ones). In the order of `accounts`, then `types`.
    pub async fn effective_policies(
        &self,
        accounts: &[String],
        types: &[PolicyType],
    ) -> Result<Vec<EffectivePolicy>, AwsError> {
        let asks: Vec<(&String, PolicyType)> = accounts
            .iter()
            .flat_map(|a| types.iter().map(move |t| (a, *t)))
            .collect();
        stream::iter(asks)
            .map(|(account, policy_type)| async move {
                let answer = self
                    .client
                    .describe_effective_policy()
                    .policy_type(EffectivePolicyType::from(policy_type.api()))
                    .target_id(account)
                    .send()
                    .await
                    .ctx(SERVICE, "DescribeEffectivePolicy");
                let content = match answer {
                    Ok(out) => out
                        .effective_policy()
                        .and_then(|p| p.policy_content())
                        .map(str::to_owned),
                    // This code, not the class: an account AWS does not know
                    // (`TargetNotFoundException`) is an error, never "no policy".
                    Err(e) if e.is("EffectivePolicyNotFoundException") => None,
                    Err(e) => return Err(e),
                };
                Ok(EffectivePolicy {
                    account_id: account.clone(),
                    policy_type,
                    content,
                })
            })
            .buffered(CONCURRENCY)
            .try_collect()
            .await
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_organizations::Client;
    use aws_sdk_organizations::operation::describe_effective_policy::DescribeEffectivePolicyOutput;
    use aws_sdk_organizations::types::EffectivePolicy as SdkEffective;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    fn error(code: &str) -> Option<String> {
        Some(format!(r#"{{"__type":"{code}","message":"{code}"}}"#))
    }

    #[tokio::test]
    async fn none_reaching_an_account_is_none_and_any_other_error_fails_the_read() {
        let found = mock!(Client::describe_effective_policy)
            .match_requests(|r| r.target_id() == Some("111111111111"))
            .then_output(|| {
                DescribeEffectivePolicyOutput::builder()
                    .effective_policy(SdkEffective::builder().policy_content(r#"{"tags":{}}"#).build())
                    .build()
            });
        let none = mock!(Client::describe_effective_policy)
            .match_requests(|r| r.target_id() == Some("222222222222"))
            .sequence()
            .http_status(400, error("EffectivePolicyNotFoundException"))
            .times(2)
            .build();
        let denied = mock!(Client::describe_effective_policy)
            .match_requests(|r| r.target_id() == Some("333333333333"))
            .sequence()
            .http_status(400, error("AccessDeniedException"))
            .build();
        let unknown = mock!(Client::describe_effective_policy)
            .match_requests(|r| r.target_id() == Some("444444444444"))
            .sequence()
            .http_status(400, error("TargetNotFoundException"))
            .build();
        let client = mock_client!(
            aws_sdk_organizations,
            RuleMode::MatchAny,
            &[&found, &none, &denied, &unknown]
        );
        let org = Organizations::new(client);
        let accounts = ["111111111111".to_owned(), "222222222222".to_owned()];
        let read = org
            .effective_policies(&accounts, &[PolicyType::AiOptOut, PolicyType::Tag])
            .await
            .unwrap();
        let shown: Vec<(&str, PolicyType, Option<&str>)> = read
            .iter()
            .map(|e| (e.account_id.as_str(), e.policy_type, e.content.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("111111111111", PolicyType::AiOptOut, Some(r#"{"tags":{}}"#)),
                ("111111111111", PolicyType::Tag, Some(r#"{"tags":{}}"#)),
                ("222222222222", PolicyType::AiOptOut, None),
                ("222222222222", PolicyType::Tag, None),
            ]
        );
        assert_eq!(
            (found.num_calls(), none.num_calls()),
            (2, 2),
            "one call per account and type"
        );
        let err = org
            .effective_policies(&["333333333333".to_owned()], &[PolicyType::Tag])
            .await
            .unwrap_err();
        assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
        // An account AWS does not know is not found too, but not "no policy reaches it".
        let err = org
            .effective_policies(&["444444444444".to_owned()], &[PolicyType::Tag])
            .await
            .unwrap_err();
        assert!(err.is_not_found() && err.is("TargetNotFoundException"), "{err}");
    }
}
