//! The SCPs plinth generates from the `[scp]` section.

use serde_json::{Value, json};

use crate::kinds::Baseline;
use crate::types::{PrincipalPattern, Region};

/// Global services (and single global operations) exempt from the region deny, after
/// AWS's published "Deny access to AWS based on the requested AWS Region" example:
/// these have their endpoints in us-east-1 (or us-west-2) whatever region a user works
/// in, so denying them by region would break IAM, Organizations, billing and the rest.
pub const GLOBAL_SERVICE_ACTIONS: &[&str] = &[
    "a4b:*",
    "access-analyzer:*",
    "account:*",
    "acm:*",
    "activate:*",
    "artifact:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "billingconductor:*",
    "budgets:*",
    "ce:*",
    "chatbot:*",
    "chime:*",
    "cloudfront:*",
    "cloudtrail:LookupEvents",
    "compute-optimizer:*",
    "config:*",
    "consoleapp:*",
    "consolidatedbilling:*",
    "cur:*",
    "datapipeline:GetAccountLimits",
    "devicefarm:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "invoicing:*",
    "iq:*",
    "kms:*",
    "license-manager:ListReceivedLicenses",
    "lightsail:Get*",
    "mobileanalytics:*",
    "networkmanager:*",
    "notifications-contacts:*",
    "notifications:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "quicksight:DescribeAccountSubscription",
    "resource-explorer-2:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetMultiRegionAccessPoint",
    "s3:GetMultiRegionAccessPointPolicy",
    "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:GetStorageLensConfiguration",
    "s3:GetStorageLensDashboard",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:ListStorageLensConfigurations",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy",
    "savingsplans:*",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportapp:*",
    "supportplans:*",
    "sustainability:*",
    "tag:GetResources",
    "tax:*",
    "trustedadvisor:*",
    "vendor-insights:ListEntitledSecurityProfiles",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
];

/// What IAM Identity Center needs beyond `sso:*` when its region is outside the
/// allowed ones: the identity store and the directory behind it.
pub const IDENTITY_CENTER_ACTIONS: &[&str] = &["identitystore:*", "sso-directory:*"];

/// The region-deny SCP and the warnings it raises.
pub fn region_deny(allowed: &[Region], exempt: &[PrincipalPattern], home_region: &Region) -> (Value, Vec<String>) {
    let mut warnings = Vec::new();
    let mut not_action: Vec<&str> = GLOBAL_SERVICE_ACTIONS.to_vec();
    if !allowed.contains(home_region) {
        warnings.push(format!(
            "`scp.region_deny` does not allow the home region `{home_region}`, where IAM Identity Center lives; \
             plinth exempts `sso:*`, `identitystore:*` and `sso-directory:*` so people can still sign in"
        ));
        not_action.extend_from_slice(IDENTITY_CENTER_ACTIONS);
    }
    if !allowed.iter().any(|r| r.as_str() == "us-east-1") {
        warnings.push(
            "`scp.region_deny` does not allow `us-east-1`, where the organization trail, billing metrics and \
             billing alarms live; they keep working because they run in the management account, which SCPs \
             never restrict, but member accounts cannot use regional services in `us-east-1`"
                .to_owned(),
        );
    }
    not_action.sort_unstable();
    not_action.dedup();
    let mut regions: Vec<&str> = allowed.iter().map(Region::as_str).collect();
    regions.sort_unstable();
    regions.dedup();
    let mut condition = json!({ "StringNotEquals": { "aws:RequestedRegion": regions } });
    if !exempt.is_empty() {
        condition["ArnNotLike"] = json!({ "aws:PrincipalARN": principal_list(exempt) });
    }
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PlinthDenyOutsideAllowedRegions",
            "Effect": "Deny",
            "NotAction": not_action,
            "Resource": "*",
            "Condition": condition,
        }]
    });
    (doc, warnings)
}

fn principal_list(exempt: &[PrincipalPattern]) -> Vec<&str> {
    let mut v: Vec<&str> = exempt.iter().map(PrincipalPattern::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Protects exactly the baseline's trail (by ARN) and its log bucket from everyone but
/// the exempt principals. With the bucket in a log archive account, `writer` (the role
/// plinth acts through there) may also change the bucket's settings, never delete the
/// bucket, its policy or a log file.
pub fn cloudtrail_protection(
    trail_arn: &str,
    bucket: &str,
    exempt: &[PrincipalPattern],
    writer: Option<&PrincipalPattern>,
) -> Value {
    let condition = |doc: &mut Value, who: &[PrincipalPattern]| {
        if !who.is_empty() {
            doc["Condition"] = json!({ "ArnNotLike": { "aws:PrincipalARN": principal_list(who) } });
        }
    };
    let mut trail = json!({
        "Sid": "PlinthProtectOrganizationTrail",
        "Effect": "Deny",
        "Action": [
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:PutInsightSelectors",
            "cloudtrail:RemoveTags",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateTrail"
        ],
        "Resource": trail_arn,
    });
    condition(&mut trail, exempt);
    let deletes = ["s3:DeleteBucket", "s3:DeleteBucketPolicy"];
    let settings = [
        "s3:PutBucketAcl",
        "s3:PutBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
    ];
    let mut bucket_stmts = match writer {
        None => {
            let mut all: Vec<&str> = deletes.iter().chain(&settings).copied().collect();
            all.sort_unstable();
            let mut stmt = json!({
                "Sid": "PlinthProtectTrailBucket",
                "Effect": "Deny",
                "Action": all,
                "Resource": format!("arn:aws:s3:::{bucket}"),
            });
            condition(&mut stmt, exempt);
            vec![stmt]
        }
        Some(writer) => {
            let mut settings: Vec<&str> = settings.to_vec();
            settings.extend(["s3:PutBucketLogging", "s3:PutBucketObjectLockConfiguration"]);
            settings.sort_unstable();
            let mut delete = json!({
                "Sid": "PlinthProtectTrailBucket",
                "Effect": "Deny",
                "Action": deletes,
                "Resource": format!("arn:aws:s3:::{bucket}"),
            });
            condition(&mut delete, exempt);
            let mut change = json!({
                "Sid": "PlinthProtectTrailBucketSettings",
                "Effect": "Deny",
                "Action": settings,
                "Resource": format!("arn:aws:s3:::{bucket}"),
            });
            let mut writers = exempt.to_vec();
            writers.push(writer.clone());
            condition(&mut change, &writers);
            vec![delete, change]
        }
    };
    let mut objects = json!({
        "Sid": "PlinthProtectTrailLogs",
        "Effect": "Deny",
        "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"],
        "Resource": format!("arn:aws:s3:::{bucket}/*"),
    });
    condition(&mut objects, exempt);
    let mut statements = vec![trail];
    statements.append(&mut bucket_stmts);
    statements.push(objects);
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Denies leaving the organization.
pub fn deny_leave_organization() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PlinthDenyLeaveOrganization",
            "Effect": "Deny",
            "Action": "organizations:LeaveOrganization",
            "Resource": "*",
        }]
    })
}

/// The exempt principals `scp.cloudtrail_protection` uses: its own, else region_deny's.
pub fn cloudtrail_exempt(baseline: &Baseline) -> Vec<PrincipalPattern> {
    let scp = &baseline.file.scp;
    if let Some(own) = scp
        .cloudtrail_protection
        .as_ref()
        .and_then(|c| c.get_ref().exempt_principals.as_ref())
    {
        return own.iter().map(|p| p.get_ref().clone()).collect();
    }
    scp.region_deny
        .as_ref()
        .map(|r| {
            r.get_ref()
                .exempt_principals
                .iter()
                .map(|p| p.get_ref().clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn with_a_log_archive_plinths_member_role_may_change_the_bucket_never_delete_it() {
        let exempt: PrincipalPattern = serde_json::from_value(json!("arn:aws:iam::*:role/BreakGlass")).unwrap();
        let writer = PrincipalPattern::new_unchecked("arn:aws:iam::*:role/OrganizationAccountAccessRole");
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
        let without = cloudtrail_protection(trail, "logs", std::slice::from_ref(&exempt), None);
        let sids = |d: &Value| -> Vec<String> {
            d["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(sids(&without), ["PlinthProtectOrganizationTrail", "PlinthProtectTrailBucket", "PlinthProtectTrailLogs"]);
        let with = cloudtrail_protection(trail, "logs", &[exempt], Some(&writer));
        assert_eq!(
            sids(&with),
            ["PlinthProtectOrganizationTrail", "PlinthProtectTrailBucket", "PlinthProtectTrailBucketSettings", "PlinthProtectTrailLogs"]
        );
        let who = |i: usize| with["Statement"][i]["Condition"]["ArnNotLike"]["aws:PrincipalARN"].clone();
        // Deleting the bucket, its policy or a log file: the break-glass role alone.
        assert_eq!(with["Statement"][1]["Action"], json!(["s3:DeleteBucket", "s3:DeleteBucketPolicy"]));
        assert_eq!(who(1), json!(["arn:aws:iam::*:role/BreakGlass"]));
        assert_eq!(who(3), json!(["arn:aws:iam::*:role/BreakGlass"]));
        // Changing its settings: plinth's member role too.
        assert_eq!(
            who(2),
            json!(["arn:aws:iam::*:role/BreakGlass", "arn:aws:iam::*:role/OrganizationAccountAccessRole"])
        );
        let settings = with["Statement"][2]["Action"].as_array().unwrap();
        for action in ["s3:PutBucketPolicy", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketLogging", "s3:PutLifecycleConfiguration"] {
            assert!(settings.contains(&json!(action)), "{action}");
        }
        assert!(crate::policy::minify(&with).len() < crate::policy::MAX_SCP_SIZE);
    }

    #[test]
    fn region_deny_fits_and_exempts_principals() {
        let allowed = [Region::us_east_1()];
        let (doc, warnings) = region_deny(&allowed, &[], &Region::us_east_1());
        assert!(warnings.is_empty());
        assert!(
            crate::policy::minify(&doc).len() < crate::policy::MAX_SCP_SIZE,
            "{}",
            crate::policy::minify(&doc).len()
        );
        assert_eq!(
            doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"],
            json!(["us-east-1"])
        );
        assert!(doc["Statement"][0]["Condition"].get("ArnNotLike").is_none());
        let exempt: crate::types::PrincipalPattern =
            serde_json::from_value(json!("arn:aws:iam::*:role/BreakGlass")).unwrap();
        let (with_exempt, _) = region_deny(&allowed, &[exempt], &Region::us_east_1());
        assert_eq!(
            with_exempt["Statement"][0]["Condition"]["ArnNotLike"]["aws:PrincipalARN"],
            json!(["arn:aws:iam::*:role/BreakGlass"])
        );
        let not_action = doc["Statement"][0]["NotAction"].as_array().unwrap();
        for needed in [
            "iam:*",
            "organizations:*",
            "sts:*",
            "route53:*",
            "cloudfront:*",
            "support:*",
            "budgets:*",
            "sso:*",
        ] {
            assert!(not_action.iter().any(|a| a == needed), "{needed}");
        }
        // A home region outside the allowed ones keeps Identity Center reachable, with a warning.
        let eu: Region = serde_json::from_value(json!("eu-west-1")).unwrap();
        let (doc, warnings) = region_deny(std::slice::from_ref(&eu), &[], &Region::us_east_1());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let not_action = doc["Statement"][0]["NotAction"].as_array().unwrap();
        assert!(not_action.iter().any(|a| a == "identitystore:*"));
    }
}
