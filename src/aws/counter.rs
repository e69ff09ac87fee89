//! Counts every AWS API call plinth makes, per service and operation, with an SDK
//! interceptor attached to each client. Tests assert on the counts (a converged run
//! makes zero writes); `reconcile` reports them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

/// Whether an operation only reads. AWS names read operations `Describe*`, `List*`,
/// `Get*`; everything else changes something, but for `AssumeRoot`.
pub fn is_read(operation: &str) -> bool {
    // `AssumeRoot` and `AssumeRole` change nothing: they hand out a short session (for an
    // audit, for the reads and writes of a member account).
    operation == "AssumeRoot"
        || operation == "AssumeRole"
        || ["Describe", "List", "Get", "Lookup"]
            .iter()
            .any(|p| operation.starts_with(p))
}

/// The IAM prefix of a service, by its name in the SDK: `SSO Admin` → `sso` (the
/// service table's column).
pub fn iam_prefix(service: &str) -> Option<&'static str> {
    super::Service::from_sdk(service).map(super::Service::iam_prefix)
}

/// The IAM action that authorises a counted call (`S3.GetBucketEncryption` →
/// `s3:GetEncryptionConfiguration`), for checking plinth's least-privilege policies.
pub fn iam_action(call: &str) -> Option<String> {
    let (service, operation) = call.split_once('.')?;
    let prefix = iam_prefix(service)?;
    // S3's IAM actions are not always named after the API operation.
    let action = match (prefix, operation) {
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "PutPublicAccessBlock") => "PutBucketPublicAccessBlock",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "PutBucketEncryption") => "PutEncryptionConfiguration",
        ("s3", "GetObjectLockConfiguration") => "GetBucketObjectLockConfiguration",
        ("s3", "PutObjectLockConfiguration") => "PutBucketObjectLockConfiguration",
        ("s3", "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        ("s3", "PutBucketLifecycleConfiguration") => "PutLifecycleConfiguration",
        // AWS Budgets authorises its reads as `ViewBudget` and its writes as `ModifyBudget`.
        ("budgets", "DescribeBudgets" | "DescribeNotificationsForBudget" | "DescribeSubscribersForNotification") => {
            "ViewBudget"
        }
        (
            "budgets",
            "CreateBudget" | "UpdateBudget" | "DeleteBudget" | "CreateNotification" | "DeleteNotification"
            | "CreateSubscriber" | "DeleteSubscriber",
        ) => "ModifyBudget",
        (_, op) => op,
    };
    Some(format!("{prefix}:{action}"))
}

#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    inner: Arc<Mutex<Counts>>,
    /// This counter's calls are made in a member account (`aws::member`): they are
    /// counted in [`Counts::member_calls`] too.
    member: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Calls per `Service.Operation`, each counted once however many attempts it took.
    pub calls: BTreeMap<String, u64>,
    /// HTTP attempts, retries included.
    pub attempts: u64,
    /// Answers that were AWS saying "slow down" (each then retried by the SDK).
    pub throttled: u64,
    /// Of `calls`, those made in member accounts, through their roles (checked against
    /// the member role's policy, not plinth's own).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub member_calls: BTreeMap<String, u64>,
}

impl Counts {
    pub fn reads(&self) -> u64 {
        self.calls
            .iter()
            .filter(|(k, _)| is_read(op_of(k)))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn writes(&self) -> u64 {
        self.calls
            .iter()
            .filter(|(k, _)| !is_read(op_of(k)))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }
    /// The write calls, for error messages in tests.
    pub fn write_calls(&self) -> Vec<&str> {
        self.calls
            .keys()
            .filter(|k| !is_read(op_of(k)))
            .map(String::as_str)
            .collect()
    }
    pub fn get(&self, key: &str) -> u64 {
        self.calls.get(key).copied().unwrap_or(0)
    }
}

fn op_of(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

impl CallCounter {
    pub fn snapshot(&self) -> Counts {
        self.inner.lock().expect("counter lock").clone()
    }
    /// The same counter, for the clients of a member account's session.
    #[must_use]
    pub fn for_member_account(&self) -> CallCounter {
        CallCounter {
            inner: self.inner.clone(),
            member: true,
        }
    }

    pub fn reset(&self) {
        *self.inner.lock().expect("counter lock") = Counts::default();
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "plinth.CallCounter"
    }

    // Once per execution, after the operation's configuration (and its `Metadata`) is in
    // the bag; `read_before_execution` runs too early for client-level interceptors.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(md) = cfg.load::<Metadata>() {
            let key = format!("{}.{}", md.service(), md.name());
            tracing::debug!(call = %key, "aws call");
            let mut counts = self.inner.lock().expect("counter lock");
            if self.member {
                *counts.member_calls.entry(key.clone()).or_insert(0) += 1;
            }
            *counts.calls.entry(key).or_insert(0) += 1;
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.lock().expect("counter lock").attempts += 1;
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if super::limiter::is_throttling(response.status().as_u16(), response.body().bytes().unwrap_or_default()) {
            self.inner.lock().expect("counter lock").throttled += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_reads_and_writes() {
        let mut c = Counts::default();
        c.calls.insert("Organizations.ListPolicies".into(), 3);
        c.calls.insert("Organizations.DescribeOrganization".into(), 1);
        c.calls.insert("STS.GetCallerIdentity".into(), 1);
        c.calls.insert("Organizations.AttachPolicy".into(), 2);
        assert_eq!(c.reads(), 5);
        assert_eq!(c.writes(), 2);
        assert_eq!(c.write_calls(), ["Organizations.AttachPolicy"]);
    }
}
