//! One operation of every variant, some more than once to show their optional fields
//! set and not.

use super::values::{
    alarm, budget, budgets, customer_boundary, id, managed_boundary, notification, permission_set, planned, s,
    selectors_advanced, selectors_basic, sso, subscriber, trail,
};
use crate::observed::{ContactSpec, ContactType, MetricFilter, PrincipalKind, RootCredential, SubscriberKind};
use crate::plan::{
    AccountOp, BudgetsCall, CloudTrailOp, CloudWatchOp, IamOp, LogsOp, MetricFilterSpec, Op, OrganizationsOp,
    RootAccessOp, S3Op, SnsOp, SsoCall,
};
use crate::types::policy_types::PolicyType;

fn organizations() -> Vec<Op> {
    use OrganizationsOp as O;
    vec![
        O::EnablePolicyType {
            root_id: s("r-root"),
            policy_type: s("SERVICE_CONTROL_POLICY"),
        },
        O::CreateOrganizationalUnit {
            parent: id("r-root"),
            name: s("Workloads"),
        },
        O::CreatePolicy {
            policy_type: PolicyType::Scp,
            name: s("region-deny"),
            description: s("Deny other regions"),
            content: s(r#"{"Version":"2012-10-17","Statement":[]}"#),
        },
        O::CreatePolicy {
            policy_type: PolicyType::Backup,
            name: s("backup"),
            description: s(""),
            content: s("{}"),
        },
        O::UpdatePolicy {
            policy_id: s("p-1"),
            description: s("Deny other regions"),
            content: s("{}"),
        },
        O::AttachPolicy {
            policy: planned("scp.region-deny"),
            target: id("ou-work"),
        },
        O::DetachPolicy {
            policy_id: s("p-1"),
            target_id: s("ou-work"),
        },
        O::DeletePolicy { policy_id: s("p-2") },
        O::TagResource { resource_id: s("p-3") },
        O::EnableAwsServiceAccess {
            service_principal: s("cloudtrail.amazonaws.com"),
        },
        O::CreateAccount {
            name: s("payments"),
            email: s("payments@example.com"),
        },
        O::MoveAccount {
            account: planned("account.payments"),
            source: id("r-root"),
            destination: planned("organizational_units.Workloads"),
        },
    ]
    .into_iter()
    .map(Op::Organizations)
    .collect()
}

fn services() -> Vec<Op> {
    vec![
        Op::Cloudwatch(CloudWatchOp::PutMetricAlarm {
            alarm: Box::new(alarm()),
            linked_account: None,
        }),
        Op::Cloudwatch(CloudWatchOp::PutMetricAlarm {
            alarm: Box::new(alarm()),
            linked_account: Some(planned("account.payments")),
        }),
        Op::Cloudwatch(CloudWatchOp::DeleteAlarm { name: s("plinth-old") }),
        Op::Cloudwatch(CloudWatchOp::TagResource {
            alarm_arn: s("arn:aws:cloudwatch:us-east-1:111111111111:alarm:a"),
        }),
        Op::Sns(SnsOp::CreateTopic {
            name: s("plinth-billing"),
            policy: s("{}"),
        }),
        Op::Sns(SnsOp::SetTopicPolicy {
            topic_arn: s("arn:aws:sns:us-east-1:111111111111:plinth-billing"),
            policy: s("{}"),
        }),
        Op::Sns(SnsOp::TagResource {
            topic_arn: s("arn:aws:sns:us-east-1:111111111111:plinth-billing"),
        }),
        Op::Sns(SnsOp::Subscribe {
            topic_arn: s("arn:aws:sns:us-east-1:111111111111:plinth-billing"),
            protocol: s("email"),
            endpoint: s("ops@example.com"),
        }),
    ]
}

/// CloudTrail's, CloudWatch Logs' and IAM's calls.
fn trail_services() -> Vec<Op> {
    vec![
        Op::Cloudtrail(CloudTrailOp::CreateTrail { settings: trail() }),
        Op::Cloudtrail(CloudTrailOp::UpdateTrail {
            settings: trail(),
            logs: false,
        }),
        Op::Cloudtrail(CloudTrailOp::PutEventSelectors {
            trail: s("plinth-org-trail"),
            selectors: selectors_basic(),
        }),
        Op::Cloudtrail(CloudTrailOp::PutEventSelectors {
            trail: s("plinth-org-trail"),
            selectors: selectors_advanced(),
        }),
        Op::Cloudtrail(CloudTrailOp::StartLogging {
            trail: s("plinth-org-trail"),
        }),
        Op::Cloudtrail(CloudTrailOp::AddTags {
            trail_arn: s("arn:aws:cloudtrail:us-east-1:111111111111:trail/t"),
        }),
        Op::Logs(LogsOp::CreateLogGroup {
            name: s("plinth-trail"),
        }),
        Op::Logs(LogsOp::TagResource {
            arn: s("arn:aws:logs:us-east-1:111111111111:log-group:plinth-trail"),
        }),
        Op::Logs(LogsOp::PutMetricFilter {
            filter: Box::new(MetricFilterSpec {
                log_group: s("plinth-trail"),
                filter_name: s("plinth-root-usage"),
                filter: MetricFilter {
                    pattern: s("{ $.userIdentity.type = \"Root\" }"),
                    metric_name: s("RootUsage"),
                    metric_namespace: s("plinth"),
                    metric_value: s("1"),
                },
            }),
        }),
        Op::Iam(IamOp::CreateRole {
            name: s("plinth-trail-logs"),
            trust_policy: s("{}"),
            permissions_boundary: None,
        }),
        Op::Iam(IamOp::CreateRole {
            name: s("plinth-trail-logs"),
            trust_policy: s("{}"),
            permissions_boundary: Some(s("arn:aws:iam::111111111111:policy/b")),
        }),
        Op::Iam(IamOp::PutRolePermissionsBoundary {
            name: s("plinth-trail-logs"),
            boundary: s("arn:aws:iam::111111111111:policy/b"),
        }),
        Op::Iam(IamOp::UpdateAssumeRolePolicy {
            name: s("plinth-trail-logs"),
            trust_policy: s("{}"),
        }),
        Op::Iam(IamOp::TagRole {
            name: s("plinth-trail-logs"),
        }),
        Op::Iam(IamOp::PutRolePolicy {
            role: s("plinth-trail-logs"),
            policy_name: s("logs"),
            policy: s("{}"),
        }),
    ]
}

fn identity_center() -> Vec<Op> {
    use SsoCall as C;
    let set = || s("arn:aws:sso:::permissionSet/ssoins-1/ps-1");
    [
        C::CreatePermissionSet {
            spec: Box::new(permission_set(None, false)),
        },
        C::CreatePermissionSet {
            spec: Box::new(permission_set(Some(managed_boundary()), true)),
        },
        C::UpdatePermissionSet {
            permission_set: set(),
            description: None,
            session_duration: s("PT1H"),
            relay_state: Some(s("https://example.com/")),
        },
        C::AttachManagedPolicy {
            permission_set: set(),
            policy_arn: s("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        },
        C::DetachManagedPolicy {
            permission_set: set(),
            policy_arn: s("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        },
        C::AttachCustomerManagedPolicy {
            permission_set: set(),
            name: s("extra"),
            path: s("/"),
        },
        C::DetachCustomerManagedPolicy {
            permission_set: set(),
            name: s("extra"),
            path: s("/"),
        },
        C::PutInlinePolicy {
            permission_set: set(),
            policy: s("{}"),
        },
        C::DeleteInlinePolicy { permission_set: set() },
        C::PutPermissionsBoundary {
            permission_set: set(),
            boundary: customer_boundary(),
        },
        C::DeletePermissionsBoundary { permission_set: set() },
        C::ProvisionPermissionSet { permission_set: set() },
        C::CreateAccountAssignment {
            permission_set: planned("sso.PowerUser"),
            account: id("222222222222"),
            principal_kind: PrincipalKind::Group,
            principal_id: s("g-1"),
        },
        C::DeleteAccountAssignment {
            permission_set: set(),
            account: s("222222222222"),
            principal_kind: PrincipalKind::User,
            principal_id: s("u-1"),
        },
        C::DeletePermissionSet { permission_set: set() },
        C::TagResource { permission_set: set() },
    ]
    .into_iter()
    .map(sso)
    .collect()
}

fn billing_and_accounts() -> Vec<Op> {
    use BudgetsCall as B;
    let mut ops: Vec<Op> = [
        B::CreateBudget {
            spec: Box::new(budget(Some(100.0), None, None)),
            linked_account: None,
        },
        B::CreateBudget {
            spec: Box::new(budget(None, Some("222222222222"), Some(3))),
            linked_account: Some(planned("account.payments")),
        },
        B::UpdateBudget {
            spec: Box::new(budget(Some(12.25), None, None)),
        },
        B::CreateNotification {
            budget: s("plinth-monthly"),
            notification: notification(),
        },
        B::DeleteNotification {
            budget: s("plinth-monthly"),
            notification: notification(),
        },
        B::CreateSubscriber {
            budget: s("plinth-monthly"),
            notification: notification(),
            subscriber: subscriber(SubscriberKind::Sns),
        },
        B::DeleteSubscriber {
            budget: s("plinth-monthly"),
            notification: notification(),
            subscriber: subscriber(SubscriberKind::Email),
        },
        B::TagResource {
            budget_arn: s("arn:aws:budgets::111111111111:budget/plinth-monthly"),
        },
        B::DeleteBudget {
            budget: s("plinth-old"),
        },
    ]
    .into_iter()
    .map(budgets)
    .collect();
    let contact = ContactSpec {
        name: s("Security team"),
        title: s("Security"),
        email: s("security@example.com"),
        phone: s("+1 555 0100"),
    };
    for (account, contact_type) in [
        (None, ContactType::Security),
        (Some(id("222222222222")), ContactType::Billing),
        (Some(planned("account.payments")), ContactType::Operations),
    ] {
        ops.push(Op::Account(AccountOp::PutAlternateContact {
            account,
            contact_type,
            contact: contact.clone(),
        }));
    }
    ops.push(Op::RootAccess(
        RootAccessOp::EnableOrganizationsRootCredentialsManagement,
    ));
    ops.push(Op::RootAccess(RootAccessOp::EnableOrganizationsRootSessions));
    for credential in [
        RootCredential::Password,
        RootCredential::AccessKey(s("AKIA1")),
        RootCredential::SigningCertificate(s("cert-1")),
        RootCredential::MfaDevice(s("arn:aws:iam::222222222222:mfa/root")),
    ] {
        ops.push(Op::RootAccess(RootAccessOp::DeleteRootCredential {
            account: s("222222222222"),
            credential,
        }));
    }
    ops
}

/// Every operation, some more than once to show their optional fields set and not.
/// S3's calls: the trail's bucket, and the log archive's.
fn s3() -> Vec<Op> {
    vec![
        Op::S3(S3Op::CreateBucket {
            bucket: s("trail"),
            object_lock: false,
        }),
        Op::S3(S3Op::CreateBucket {
            bucket: s("archive"),
            object_lock: true,
        }),
        Op::S3(S3Op::TagBucket {
            bucket: s("trail"),
            expected_owner: s("111111111111"),
        }),
        Op::S3(S3Op::PutPublicAccessBlock {
            bucket: s("trail"),
            expected_owner: s("111111111111"),
        }),
        Op::S3(S3Op::PutBucketEncryption {
            bucket: s("trail"),
            kms_key: None,
            expected_owner: s("111111111111"),
        }),
        Op::S3(S3Op::PutBucketEncryption {
            bucket: s("trail"),
            kms_key: Some(s("arn:aws:kms:us-east-1:111111111111:key/k")),
            expected_owner: s("111111111111"),
        }),
        Op::S3(S3Op::PutBucketPolicy {
            bucket: s("trail"),
            policy: s("{}"),
            expected_owner: s("111111111111"),
        }),
        Op::S3(S3Op::PutBucketVersioning {
            bucket: s("archive"),
            expected_owner: s("222222222222"),
        }),
        Op::S3(S3Op::PutObjectLockConfiguration {
            bucket: s("archive"),
            retention: crate::observed::Retention {
                mode: s("COMPLIANCE"),
                days: Some(365),
                years: None,
            },
            expected_owner: s("222222222222"),
        }),
        Op::S3(S3Op::PutLifecycleRule {
            bucket: s("archive"),
            rule: crate::observed::LifecycleRule {
                transition: Some(crate::observed::Transition {
                    days: 90,
                    storage_class: s("GLACIER_IR"),
                }),
                expiration_days: Some(2555),
                noncurrent_expiration_days: Some(2555),
                enabled: true,
                whole_bucket: true,
            },
            expected_owner: s("222222222222"),
        }),
        Op::S3(S3Op::PutBucketLogging {
            bucket: s("archive"),
            logging: crate::observed::BucketLogging {
                target_bucket: s("archive-access-logs"),
                target_prefix: s("archive/"),
            },
            expected_owner: s("222222222222"),
        }),
    ]
}

pub fn every_op() -> Vec<Op> {
    let mut ops = organizations();
    ops.extend(services());
    ops.extend(s3());
    ops.extend(trail_services());
    ops.extend(identity_center());
    ops.extend(billing_and_accounts());
    ops
}
