//! The CIS AWS Foundations Benchmark's monitoring checks: a metric filter on the trail's
//! log group and an alarm on its metric for each, as `[trail] alarms` selects them.
//!
//! Each pattern is the benchmark's own, as AWS Security Hub checks it ("This control
//! fails if the exact metric filters prescribed by CIS are not used"): the patterns of
//! Security Hub's controls CloudWatch.1 to CloudWatch.14, which check CIS v1.2.0 3.1 to
//! 3.14 and v1.4.0 4.3 to 4.14 (Security Hub user guide, "Amazon CloudWatch controls",
//! read 2026-12), and CIS v1.4.0 4.15 for AWS Organizations changes. Root usage keeps
//! the pattern plinth has always written, the same filter with spaces around its
//! operators.

use super::ROOT_USAGE_PATTERN;

/// One monitoring check: its filter and metric, alarm, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// How a baseline names it in `alarms`.
    pub name: &'static str,
    /// The benchmark's recommendation: `CIS v1.4.0 4.3`.
    pub cis: &'static str,
    /// What it watches, for descriptions.
    pub title: &'static str,
    /// The metric the filter counts (namespace [`super::ROOT_NAMESPACE`]).
    pub metric: &'static str,
    pub pattern: &'static str,
}

impl Check {
    /// The metric filter's name on the log group: `plinth-<name>`.
    pub fn filter_name(&self) -> String {
        format!("plinth-{}", self.name)
    }

    /// The alarm's name: `plinth-trail-<name>`.
    pub fn alarm_name(&self) -> String {
        format!("{ALARM_PREFIX}{}", self.name)
    }
}

/// Every alarm of the checks is named with this prefix.
pub const ALARM_PREFIX: &str = "plinth-trail-";
/// Every metric filter of the checks is named with this prefix.
pub const FILTER_PREFIX: &str = "plinth-";

/// `alarms = ["cis"]`: every check below.
pub const ALL: &str = "cis";

pub const CHECKS: [Check; 15] = [
    Check {
        name: "unauthorized-api-calls",
        cis: "CIS v1.2.0 3.1, Security Hub CloudWatch.2",
        title: "unauthorized API calls",
        metric: "UnauthorizedAPICalls",
        pattern: r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#,
    },
    Check {
        name: "console-sign-in-without-mfa",
        cis: "CIS v1.2.0 3.2, Security Hub CloudWatch.3",
        title: "console sign-in without MFA",
        metric: "ConsoleSignInWithoutMfa",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    },
    Check {
        name: "root-usage",
        cis: "CIS v1.4.0 4.3, Security Hub CloudWatch.1",
        title: "use of the root user",
        metric: super::ROOT_METRIC,
        pattern: ROOT_USAGE_PATTERN,
    },
    Check {
        name: "iam-policy-changes",
        cis: "CIS v1.4.0 4.4, Security Hub CloudWatch.4",
        title: "IAM policy changes",
        metric: "IAMPolicyChanges",
        pattern: "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}",
    },
    Check {
        name: "cloudtrail-changes",
        cis: "CIS v1.4.0 4.5, Security Hub CloudWatch.5",
        title: "CloudTrail configuration changes",
        metric: "CloudTrailChanges",
        pattern: "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
    },
    Check {
        name: "console-authentication-failures",
        cis: "CIS v1.4.0 4.6, Security Hub CloudWatch.6",
        title: "console authentication failures",
        metric: "ConsoleAuthenticationFailures",
        pattern: r#"{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}"#,
    },
    Check {
        name: "kms-key-disabled-or-deleted",
        cis: "CIS v1.4.0 4.7, Security Hub CloudWatch.7",
        title: "disabling or scheduled deletion of customer managed KMS keys",
        metric: "KmsKeyDisabledOrScheduledForDeletion",
        pattern: "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    },
    Check {
        name: "s3-bucket-policy-changes",
        cis: "CIS v1.4.0 4.8, Security Hub CloudWatch.8",
        title: "S3 bucket policy changes",
        metric: "S3BucketPolicyChanges",
        pattern: "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
    },
    Check {
        name: "config-changes",
        cis: "CIS v1.4.0 4.9, Security Hub CloudWatch.9",
        title: "AWS Config configuration changes",
        metric: "ConfigChanges",
        pattern: "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
    },
    Check {
        name: "security-group-changes",
        cis: "CIS v1.4.0 4.10, Security Hub CloudWatch.10",
        title: "security group changes",
        metric: "SecurityGroupChanges",
        pattern: "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
    },
    Check {
        name: "network-acl-changes",
        cis: "CIS v1.4.0 4.11, Security Hub CloudWatch.11",
        title: "network ACL changes",
        metric: "NetworkAclChanges",
        pattern: "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}",
    },
    Check {
        name: "network-gateway-changes",
        cis: "CIS v1.4.0 4.12, Security Hub CloudWatch.12",
        title: "network gateway changes",
        metric: "NetworkGatewayChanges",
        pattern: "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
    },
    Check {
        name: "route-table-changes",
        cis: "CIS v1.4.0 4.13, Security Hub CloudWatch.13",
        title: "route table changes",
        metric: "RouteTableChanges",
        pattern: "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}",
    },
    Check {
        name: "vpc-changes",
        cis: "CIS v1.4.0 4.14, Security Hub CloudWatch.14",
        title: "VPC changes",
        metric: "VpcChanges",
        pattern: "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
    },
    Check {
        name: "organizations-changes",
        cis: "CIS v1.4.0 4.15",
        title: "AWS Organizations changes",
        metric: "OrganizationsChanges",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
    },
];

/// The root-usage check, which `root_usage_alarm = true` selects on its own.
pub const ROOT_USAGE: &Check = &CHECKS[2];

/// Every check's alarm name: what plinth reads, by name, whatever else has its prefix.
pub fn alarm_names() -> Vec<String> {
    CHECKS.iter().map(Check::alarm_name).collect()
}

/// The check named `name`.
pub fn check(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name)
}
