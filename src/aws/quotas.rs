//! AWS's published request-rate quotas for the calls plinth makes: one table, applied to
//! every client as token buckets (see [`super::limiter`]), so that a call waits for its
//! token instead of being throttled.
//!
//! Figures are per calling account and Region, from AWS's quota pages (late 2026):
//! - Organizations: "Quotas and service limits for AWS Organizations", throttling section
//!   (the per-account figures, the lower ones);
//! - IAM Identity Center: "AWS IAM Identity Center quotas" (20 calls per second, shared
//!   by the admin API and the identity store);
//! - CloudWatch: "Amazon CloudWatch endpoints and quotas" (AWS General Reference);
//! - CloudTrail: "Quotas in AWS CloudTrail";
//! - SNS: "Amazon Simple Notification Service endpoints and quotas";
//! - Account Management: "Quotas for AWS Account Management" (alternate contacts).
//!
//! Where AWS publishes no figure (IAM, STS, AWS Budgets, CloudWatch Logs, S3 control calls, DynamoDB's
//! control plane at this volume), [`DEFAULT`] applies: conservative, and far above what a
//! run of plinth needs there.

use super::Service;

/// A token bucket: `rate` calls per second on average, `burst` at once after a pause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub rate: f64,
    pub burst: u32,
}

const fn q(rate: f64, burst: u32) -> Quota {
    Quota { rate, burst }
}

/// For every operation of a service without a figure of its own.
pub const DEFAULT: Quota = q(10.0, 10);

/// Limits that every operation of a service shares, by its row of the service table:
/// (service, bucket, quota); services that name the same bucket share it. A call takes a
/// token from its service's shared bucket, then from its operation's.
pub const SHARED: &[(Service, &str, Quota)] = &[
    // One limit for the admin API and the identity store, evenly spaced.
    (Service::Sso, "iam-identity-center", q(20.0, 1)),
    (Service::IdentityStore, "iam-identity-center", q(20.0, 1)),
];

/// Per operation, by the service and the operation's name in the SDK.
pub const PER_OPERATION: &[(Service, &[&str], Quota)] = &[
    (Service::Organizations, &["ListAccounts"], q(8.0, 12)),
    (
        Service::Organizations,
        &[
            "ListAccountsForParent",
            "ListOrganizationalUnitsForParent",
            "ListPolicies",
            "ListPoliciesForTarget",
            "ListTargetsForPolicy",
            "ListRoots",
            "ListParents",
        ],
        q(5.0, 8),
    ),
    (Service::Organizations, &["DescribePolicy"], q(2.0, 2)),
    (Service::Organizations, &["ListTagsForResource"], q(10.0, 15)),
    (
        Service::Organizations,
        &[
            "CreatePolicy",
            "UpdatePolicy",
            "AttachPolicy",
            "DetachPolicy",
            "DeletePolicy",
        ],
        q(2.0, 3),
    ),
    (Service::Organizations, &["TagResource"], q(4.0, 6)),
    (Service::Organizations, &["MoveAccount"], q(2.0, 3)),
    (Service::Organizations, &["CreateAccount"], q(0.1, 3)),
    (Service::Organizations, &["DescribeCreateAccountStatus"], q(2.0, 3)),
    (
        Service::Organizations,
        &["EnableAWSServiceAccess", "EnablePolicyType", "CreateOrganizationalUnit"],
        q(1.0, 2),
    ),
    (Service::CloudWatch, &["PutMetricAlarm", "DeleteAlarms"], q(3.0, 3)),
    (Service::CloudWatch, &["DescribeAlarms"], q(9.0, 9)),
    (Service::CloudWatch, &["TagResource"], q(20.0, 20)),
    (Service::CloudWatch, &["ListTagsForResource"], q(10.0, 10)),
    (Service::CloudWatch, &["ListMetrics"], q(25.0, 25)),
    (
        Service::CloudTrail,
        &[
            "GetTrail",
            "GetTrailStatus",
            "GetEventSelectors",
            "ListTags",
            "DescribeTrails",
        ],
        q(10.0, 10),
    ),
    (
        Service::CloudTrail,
        &[
            "CreateTrail",
            "UpdateTrail",
            "StartLogging",
            "PutEventSelectors",
            "AddTags",
        ],
        q(1.0, 1),
    ),
    (Service::Sns, &["Subscribe"], q(100.0, 100)),
    (Service::Sns, &["ListSubscriptionsByTopic"], q(30.0, 30)),
    (Service::Account, &["PutAlternateContact"], q(5.0, 8)),
    (Service::Account, &["GetAlternateContact"], q(10.0, 15)),
];

/// The quota of an operation: its own figure, else the default (none for operations of a
/// service with a shared bucket and no figure of their own: the shared one paces them).
pub fn of(service: &str, operation: &str) -> Option<Quota> {
    let known = Service::from_sdk(service);
    PER_OPERATION
        .iter()
        .find(|(s, ops, _)| Some(*s) == known && ops.contains(&operation))
        .map(|(_, _, quota)| *quota)
        .or_else(|| shared(service).is_none().then_some(DEFAULT))
}

/// The shared bucket of a service, if it has one: its name and quota.
pub fn shared(service: &str) -> Option<(&'static str, Quota)> {
    SHARED
        .iter()
        .find(|(s, _, _)| s.sdk_name() == service)
        .map(|(_, bucket, quota)| (*bucket, *quota))
}

/// The table as JSON, for the emulator's quota enforcement (tests and the benchmark):
/// `{"operations": {"Organizations.AttachPolicy": {"rate", "burst"}}, "shared": {...},
/// "default": {...}}`.
pub fn as_json() -> serde_json::Value {
    let quota = |q: &Quota| serde_json::json!({ "rate": q.rate, "burst": q.burst });
    let mut operations = serde_json::Map::new();
    for (service, ops, q) in PER_OPERATION {
        for op in *ops {
            operations.insert(format!("{}.{op}", service.sdk_name()), quota(q));
        }
    }
    let shared: serde_json::Map<String, serde_json::Value> = SHARED
        .iter()
        .map(|(service, bucket, q)| {
            let mut v = quota(q);
            v["bucket"] = (*bucket).into();
            (service.sdk_name().to_owned(), v)
        })
        .collect();
    serde_json::json!({ "operations": operations, "shared": shared, "default": quota(&DEFAULT) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_figures_are_the_published_ones() {
        assert_eq!(of("Organizations", "AttachPolicy"), Some(q(2.0, 3)));
        assert_eq!(of("Organizations", "DescribePolicy"), Some(q(2.0, 2)));
        assert_eq!(of("Organizations", "ListAccountsForParent"), Some(q(5.0, 8)));
        assert_eq!(of("Organizations", "CreateAccount").map(|q| q.rate), Some(0.1));
        assert_eq!(of("CloudWatch", "PutMetricAlarm").map(|q| q.rate), Some(3.0));
        assert_eq!(of("CloudTrail", "UpdateTrail").map(|q| q.rate), Some(1.0));
        assert_eq!(of("IAM", "GetRole"), Some(DEFAULT));
        // IAM Identity Center: the shared bucket only.
        assert_eq!(of("SSO Admin", "ListPermissionSets"), None);
        assert_eq!(shared("identitystore"), shared("SSO Admin"));
    }

    #[test]
    fn no_operation_is_listed_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for (service, ops, _) in PER_OPERATION {
            for op in *ops {
                assert!(seen.insert((*service, *op)), "{service:?}.{op} is listed twice");
            }
        }
    }
}
