//! What an AWS error code means for plinth, whatever the service: [`ErrorKind`].
//!
//! Each service spells the same answer its own way (IAM `NoSuchEntity`, CloudTrail
//! `TrailNotFoundException`, SNS `NotFound`); callers ask the class and keep the code for
//! answers a class would blur. A class holds only codes that mean exactly it for every
//! call that can answer them: S3's `NoSuchBucketPolicy`, `NoSuchTagSet` and the like say
//! a bucket lacks a setting, not that what the call names is missing, and stay
//! [`ErrorKind::Other`], as do `BucketAlreadyExists` (another account holds the name: not
//! a create of plinth's already done), `ResourceInUseException`, `ConflictException` and
//! `ConditionalCheckFailedException`, which mean more than one thing.

/// The class of an AWS error, from its code ([`super::AwsError::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// What the call names does not exist.
    NotFound,
    /// What the call would create or add is there already.
    AlreadyExists,
    /// AWS asks the caller to slow down.
    Throttled,
    /// The caller is not allowed to make the call.
    AccessDenied,
    /// Any other code, or none (a transport failure, or an error plinth raised).
    Other,
}

/// "Does not exist", service by service.
const NOT_FOUND: &[&str] = &[
    // IAM
    "NoSuchEntity",
    // DynamoDB, Logs, IAM Identity Center, Identity Store, Account, and most JSON services
    "ResourceNotFoundException",
    // CloudWatch
    "ResourceNotFound",
    // CloudTrail
    "TrailNotFoundException",
    // S3: the bucket or the object itself
    "NoSuchBucket",
    "NoSuchKey",
    // SNS (query and JSON spellings); S3's HEAD answers
    "NotFound",
    // SNS, Budgets
    "NotFoundException",
    // Organizations
    "AccountNotFoundException",
    "ChildNotFoundException",
    "CreateAccountStatusNotFoundException",
    "EffectivePolicyNotFoundException",
    "HandshakeNotFoundException",
    "OrganizationalUnitNotFoundException",
    "ParentNotFoundException",
    "PolicyNotFoundException",
    "RootNotFoundException",
    "TargetNotFoundException",
];

/// "Already there", service by service.
const ALREADY_EXISTS: &[&str] = &[
    // IAM
    "EntityAlreadyExists",
    // Logs
    "ResourceAlreadyExistsException",
    // CloudTrail
    "TrailAlreadyExistsException",
    // Organizations
    "DuplicateAccountException",
    "DuplicateOrganizationalUnitException",
    "DuplicatePolicyAttachmentException",
    "DuplicatePolicyException",
    // Budgets
    "DuplicateRecordException",
    // S3: plinth's own bucket (never `BucketAlreadyExists`, another account's)
    "BucketAlreadyOwnedByYou",
];

/// "Slow down": the codes the SDK's retry strategy takes for throttling, less those that
/// also name a quota (`LimitExceededException`) or a transaction in progress.
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// "Not allowed": the call's credentials lack a permission.
const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    // SNS
    "AuthorizationError",
    // EC2
    "UnauthorizedOperation",
];

impl ErrorKind {
    /// The class of an AWS error code; [`ErrorKind::Other`] for no code.
    pub fn of(code: Option<&str>) -> ErrorKind {
        let Some(code) = code else { return ErrorKind::Other };
        [
            (NOT_FOUND, ErrorKind::NotFound),
            (ALREADY_EXISTS, ErrorKind::AlreadyExists),
            (THROTTLED, ErrorKind::Throttled),
            (ACCESS_DENIED, ErrorKind::AccessDenied),
        ]
        .into_iter()
        .find(|(codes, _)| codes.contains(&code))
        .map_or(ErrorKind::Other, |(_, kind)| kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: &str) -> ErrorKind {
        ErrorKind::of(Some(code))
    }

    #[test]
    fn each_services_not_found_is_not_found() {
        for code in [
            "NoSuchEntity",
            "ResourceNotFoundException",
            "TrailNotFoundException",
            "NoSuchBucket",
            "NotFound",
            "NotFoundException",
            "EffectivePolicyNotFoundException",
            "PolicyNotFoundException",
            "TargetNotFoundException",
        ] {
            assert_eq!(kind(code), ErrorKind::NotFound, "{code}");
        }
    }

    #[test]
    fn each_services_already_exists_is_already_exists() {
        for code in [
            "EntityAlreadyExists",
            "ResourceAlreadyExistsException",
            "TrailAlreadyExistsException",
            "DuplicatePolicyException",
            "DuplicateOrganizationalUnitException",
            "DuplicatePolicyAttachmentException",
            "DuplicateRecordException",
            "BucketAlreadyOwnedByYou",
        ] {
            assert_eq!(kind(code), ErrorKind::AlreadyExists, "{code}");
        }
    }

    #[test]
    fn each_protocols_throttling_is_throttled() {
        for code in [
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "SlowDown",
        ] {
            assert_eq!(kind(code), ErrorKind::Throttled, "{code}");
        }
    }

    #[test]
    fn refusals_are_access_denied() {
        for code in ["AccessDenied", "AccessDeniedException", "AuthorizationError"] {
            assert_eq!(kind(code), ErrorKind::AccessDenied, "{code}");
        }
    }

    #[test]
    fn codes_that_mean_more_than_one_thing_stay_other() {
        for code in [
            // A bucket without a policy, tags, a public access block or encryption exists.
            "NoSuchBucketPolicy",
            "NoSuchTagSet",
            "NoSuchPublicAccessBlockConfiguration",
            "ServerSideEncryptionConfigurationNotFoundError",
            // Another account's bucket: not plinth's create done.
            "BucketAlreadyExists",
            "ConflictException",
            "ResourceInUseException",
            "ConditionalCheckFailedException",
            // A quota, not a rate.
            "LimitExceededException",
            "ConstraintViolationException",
            "AWSOrganizationsNotInUseException",
            "PolicyNotAttachedException",
            "PolicyTypeAlreadyEnabledException",
            "ExpiredToken",
        ] {
            assert_eq!(kind(code), ErrorKind::Other, "{code}");
        }
    }

    #[test]
    fn no_code_is_other_and_codes_match_exactly() {
        assert_eq!(ErrorKind::of(None), ErrorKind::Other);
        assert_eq!(kind("accessdenied"), ErrorKind::Other);
        assert_eq!(kind("NoSuchEntityX"), ErrorKind::Other);
        assert_eq!(kind(""), ErrorKind::Other);
    }

    #[test]
    fn no_code_is_in_two_classes() {
        let all = [NOT_FOUND, ALREADY_EXISTS, THROTTLED, ACCESS_DENIED].concat();
        for code in &all {
            assert_eq!(all.iter().filter(|c| *c == code).count(), 1, "{code}");
        }
    }
}
