//! The name of every operation's variant: what the all-variants plan must cover.

use crate::plan::{
    AccountOp, BudgetsCall, CloudTrailOp, CloudWatchOp, IamOp, LogsOp, Op, OrganizationsOp, RootAccessOp, S3Op, SnsOp,
    SsoCall,
};

/// How many variants [`variant`] names: every `Op`, each service's call.
pub const VARIANTS: usize = 67;

/// The name of an operation's variant. Exhaustive, so a new variant stops the build
/// here: name it, count it in [`VARIANTS`] and give [`super::ops::every_op`] one of it (the test then
/// shows how its JSON looks, and the view must say so too).
#[allow(clippy::too_many_lines)]
pub fn variant(op: &Op) -> &'static str {
    match op {
        Op::Organizations(call) => match call {
            OrganizationsOp::EnablePolicyType { .. } => "organizations.EnablePolicyType",
            OrganizationsOp::CreateOrganizationalUnit { .. } => "organizations.CreateOrganizationalUnit",
            OrganizationsOp::CreatePolicy { .. } => "organizations.CreatePolicy",
            OrganizationsOp::UpdatePolicy { .. } => "organizations.UpdatePolicy",
            OrganizationsOp::AttachPolicy { .. } => "organizations.AttachPolicy",
            OrganizationsOp::DetachPolicy { .. } => "organizations.DetachPolicy",
            OrganizationsOp::DeletePolicy { .. } => "organizations.DeletePolicy",
            OrganizationsOp::TagResource { .. } => "organizations.TagResource",
            OrganizationsOp::EnableAwsServiceAccess { .. } => "organizations.EnableAwsServiceAccess",
            OrganizationsOp::CreateAccount { .. } => "organizations.CreateAccount",
            OrganizationsOp::MoveAccount { .. } => "organizations.MoveAccount",
        },
        Op::Cloudwatch(call) => match call {
            CloudWatchOp::PutMetricAlarm { .. } => "cloudwatch.PutMetricAlarm",
            CloudWatchOp::DeleteAlarm { .. } => "cloudwatch.DeleteAlarm",
            CloudWatchOp::TagResource { .. } => "cloudwatch.TagResource",
        },
        Op::Sns(call) => match call {
            SnsOp::CreateTopic { .. } => "sns.CreateTopic",
            SnsOp::SetTopicPolicy { .. } => "sns.SetTopicPolicy",
            SnsOp::TagResource { .. } => "sns.TagResource",
            SnsOp::Subscribe { .. } => "sns.Subscribe",
        },
        Op::S3(call) => match call {
            S3Op::CreateBucket { .. } => "s3.CreateBucket",
            S3Op::TagBucket { .. } => "s3.TagBucket",
            S3Op::PutPublicAccessBlock { .. } => "s3.PutPublicAccessBlock",
            S3Op::PutBucketEncryption { .. } => "s3.PutBucketEncryption",
            S3Op::PutBucketPolicy { .. } => "s3.PutBucketPolicy",
            S3Op::PutBucketVersioning { .. } => "s3.PutBucketVersioning",
            S3Op::PutObjectLockConfiguration { .. } => "s3.PutObjectLockConfiguration",
            S3Op::PutLifecycleRule { .. } => "s3.PutLifecycleRule",
            S3Op::PutBucketLogging { .. } => "s3.PutBucketLogging",
        },
        Op::Cloudtrail(call) => match call {
            CloudTrailOp::CreateTrail { .. } => "cloudtrail.CreateTrail",
            CloudTrailOp::UpdateTrail { .. } => "cloudtrail.UpdateTrail",
            CloudTrailOp::PutEventSelectors { .. } => "cloudtrail.PutEventSelectors",
            CloudTrailOp::StartLogging { .. } => "cloudtrail.StartLogging",
            CloudTrailOp::AddTags { .. } => "cloudtrail.AddTags",
        },
        Op::Logs(call) => match call {
            LogsOp::CreateLogGroup { .. } => "logs.CreateLogGroup",
            LogsOp::TagResource { .. } => "logs.TagResource",
            LogsOp::PutMetricFilter { .. } => "logs.PutMetricFilter",
        },
        Op::Iam(call) => match call {
            IamOp::CreateRole { .. } => "iam.CreateRole",
            IamOp::PutRolePermissionsBoundary { .. } => "iam.PutRolePermissionsBoundary",
            IamOp::UpdateAssumeRolePolicy { .. } => "iam.UpdateAssumeRolePolicy",
            IamOp::TagRole { .. } => "iam.TagRole",
            IamOp::PutRolePolicy { .. } => "iam.PutRolePolicy",
        },
        Op::Sso(op) => match &op.call {
            SsoCall::CreatePermissionSet { .. } => "sso.CreatePermissionSet",
            SsoCall::UpdatePermissionSet { .. } => "sso.UpdatePermissionSet",
            SsoCall::AttachManagedPolicy { .. } => "sso.AttachManagedPolicy",
            SsoCall::DetachManagedPolicy { .. } => "sso.DetachManagedPolicy",
            SsoCall::AttachCustomerManagedPolicy { .. } => "sso.AttachCustomerManagedPolicy",
            SsoCall::DetachCustomerManagedPolicy { .. } => "sso.DetachCustomerManagedPolicy",
            SsoCall::PutInlinePolicy { .. } => "sso.PutInlinePolicy",
            SsoCall::DeleteInlinePolicy { .. } => "sso.DeleteInlinePolicy",
            SsoCall::PutPermissionsBoundary { .. } => "sso.PutPermissionsBoundary",
            SsoCall::DeletePermissionsBoundary { .. } => "sso.DeletePermissionsBoundary",
            SsoCall::ProvisionPermissionSet { .. } => "sso.ProvisionPermissionSet",
            SsoCall::CreateAccountAssignment { .. } => "sso.CreateAccountAssignment",
            SsoCall::DeleteAccountAssignment { .. } => "sso.DeleteAccountAssignment",
            SsoCall::DeletePermissionSet { .. } => "sso.DeletePermissionSet",
            SsoCall::TagResource { .. } => "sso.TagResource",
        },
        Op::Budgets(op) => match &op.call {
            BudgetsCall::CreateBudget { .. } => "budgets.CreateBudget",
            BudgetsCall::UpdateBudget { .. } => "budgets.UpdateBudget",
            BudgetsCall::CreateNotification { .. } => "budgets.CreateNotification",
            BudgetsCall::DeleteNotification { .. } => "budgets.DeleteNotification",
            BudgetsCall::CreateSubscriber { .. } => "budgets.CreateSubscriber",
            BudgetsCall::DeleteSubscriber { .. } => "budgets.DeleteSubscriber",
            BudgetsCall::TagResource { .. } => "budgets.TagResource",
            BudgetsCall::DeleteBudget { .. } => "budgets.DeleteBudget",
        },
        Op::Account(call) => match call {
            AccountOp::PutAlternateContact { .. } => "account.PutAlternateContact",
        },
        Op::RootAccess(call) => match call {
            RootAccessOp::EnableOrganizationsRootCredentialsManagement => {
                "root_access.EnableOrganizationsRootCredentialsManagement"
            }
            RootAccessOp::EnableOrganizationsRootSessions => "root_access.EnableOrganizationsRootSessions",
            RootAccessOp::DeleteRootCredential { .. } => "root_access.DeleteRootCredential",
        },
    }
}
