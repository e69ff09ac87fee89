//! The S3 adapter's reading of the trail bucket, on mocked SDK responses: the answers
//! that decide between "missing", "another account's" and "present", and the expected
//! owner every request on the bucket names.

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyOutput;
use aws_sdk_s3::operation::get_bucket_tagging::GetBucketTaggingOutput;
use aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockOutput;
use aws_sdk_s3::operation::put_bucket_encryption::PutBucketEncryptionOutput;
use aws_sdk_s3::operation::put_bucket_policy::PutBucketPolicyOutput;
use aws_sdk_s3::operation::put_bucket_tagging::PutBucketTaggingOutput;
use aws_sdk_s3::operation::put_public_access_block::PutPublicAccessBlockOutput;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use plinth::aws::s3::S3;
use plinth::observed::{Bucket, PublicAccessBlock};
use plinth::plan::S3Op;

const OWNER: &str = "123456789012";

fn s3_error(status: u16, code: &str) -> (u16, Option<String>) {
    (
        status,
        Some(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{code} said S3</Message></Error>"
        )),
    )
}

#[tokio::test]
async fn another_accounts_bucket_is_another_accounts_not_missing() {
    let (status, body) = s3_error(403, "AccessDenied");
    let policy = mock!(Client::get_bucket_policy)
        .sequence()
        .http_status(status, body)
        .build();
    let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&policy]);
    match S3::new(client).read_bucket("someone-elses", OWNER).await.unwrap() {
        Bucket::OtherAccount { error } => assert!(error.contains("S3.GetBucketPolicy: AccessDenied"), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_missing_bucket_is_missing() {
    let (status, body) = s3_error(404, "NoSuchBucket");
    let policy = mock!(Client::get_bucket_policy)
        .sequence()
        .http_status(status, body)
        .build();
    let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&policy]);
    assert_eq!(
        S3::new(client).read_bucket("nope", OWNER).await.unwrap(),
        Bucket::Missing
    );
}

#[tokio::test]
async fn a_bucket_without_policy_or_encryption_is_present_with_nothing_set() {
    let (s1, b1) = s3_error(404, "NoSuchBucketPolicy");
    let (s2, b2) = s3_error(404, "ServerSideEncryptionConfigurationNotFoundError");
    let policy = mock!(Client::get_bucket_policy).sequence().http_status(s1, b1).build();
    let pab = mock!(Client::get_public_access_block).then_output(|| {
        GetPublicAccessBlockOutput::builder()
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .build()
    });
    let enc = mock!(Client::get_bucket_encryption)
        .sequence()
        .http_status(s2, b2)
        .build();
    let (s3, b3) = s3_error(404, "NoSuchTagSet");
    let tags = mock!(Client::get_bucket_tagging).sequence().http_status(s3, b3).build();
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&policy, &pab, &enc, &tags]);
    assert_eq!(
        S3::new(client).read_bucket("mine", OWNER).await.unwrap(),
        Bucket::Present {
            // No tag set at all: not plinth's.
            owned: false,
            managed_by: None,
            public_access_block: Some(PublicAccessBlock::ALL),
            encryption: None,
            policy: None
        }
    );
}

#[tokio::test]
async fn every_request_on_the_bucket_but_its_creation_names_the_expected_owner() {
    // Each rule answers only a request that names the management account as the owner.
    let policy = mock!(Client::get_bucket_policy)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| GetBucketPolicyOutput::builder().policy("{}").build());
    let pab = mock!(Client::get_public_access_block)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| GetPublicAccessBlockOutput::builder().build());
    let (status, body) = s3_error(404, "ServerSideEncryptionConfigurationNotFoundError");
    let enc = mock!(Client::get_bucket_encryption)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .sequence()
        .http_status(status, body)
        .build();
    let tags = mock!(Client::get_bucket_tagging)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| {
            GetBucketTaggingOutput::builder()
                .set_tag_set(Some(vec![]))
                .build()
                .unwrap()
        });
    let put_tags = mock!(Client::put_bucket_tagging)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| PutBucketTaggingOutput::builder().build());
    let put_pab = mock!(Client::put_public_access_block)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| PutPublicAccessBlockOutput::builder().build());
    let put_enc = mock!(Client::put_bucket_encryption)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| PutBucketEncryptionOutput::builder().build());
    let put_policy = mock!(Client::put_bucket_policy)
        .match_requests(|r| r.expected_bucket_owner() == Some(OWNER))
        .then_output(|| PutBucketPolicyOutput::builder().build());
    let rules = [&policy, &pab, &enc, &tags, &put_tags, &put_pab, &put_enc, &put_policy];
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &rules);
    let s3 = S3::new(client);
    assert!(matches!(
        s3.read_bucket("mine", OWNER).await.unwrap(),
        Bucket::Present { .. }
    ));
    let (bucket, expected_owner) = ("mine".to_owned(), OWNER.to_owned());
    for op in [
        S3Op::TagBucket {
            bucket: bucket.clone(),
            expected_owner: expected_owner.clone(),
        },
        S3Op::PutPublicAccessBlock {
            bucket: bucket.clone(),
            expected_owner: expected_owner.clone(),
        },
        S3Op::PutBucketEncryption {
            bucket: bucket.clone(),
            kms_key: None,
            expected_owner: expected_owner.clone(),
        },
        S3Op::PutBucketPolicy {
            bucket: bucket.clone(),
            policy: "{}".into(),
            expected_owner: expected_owner.clone(),
        },
    ] {
        s3.execute(&op).await.unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
    for (rule, calls) in rules.iter().zip([1, 1, 1, 2, 1, 1, 1, 1]) {
        assert_eq!(rule.num_calls(), calls);
    }
}

/// `BucketAlreadyOwnedByYou` is a retried create done; `BucketAlreadyExists` is another
/// account holding the name, an error (never "already exists" done).
#[tokio::test]
async fn a_create_finding_its_own_bucket_is_done_and_another_accounts_an_error() {
    let (s1, b1) = s3_error(409, "BucketAlreadyOwnedByYou");
    let (s2, b2) = s3_error(409, "BucketAlreadyExists");
    let create = mock!(Client::create_bucket)
        .sequence()
        .http_status(s1, b1)
        .http_status(s2, b2)
        .build();
    let s3 = S3::new(mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&create]));
    let op = S3Op::CreateBucket {
        bucket: "trail-logs".into(),
        object_lock: false,
    };
    assert_eq!(s3.execute(&op).await.unwrap(), None);
    let err = s3.execute(&op).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("BucketAlreadyExists"));
    assert!(!err.is_already_exists(), "{err}");
}

/// Tags missing on a bucket are no tags; the bucket missing while its tags are read is
/// an error, not "no tags".
#[tokio::test]
async fn a_bucket_gone_while_its_tags_are_read_is_an_error_not_no_tags() {
    let (s1, b1) = s3_error(404, "NoSuchBucket");
    let tags = mock!(Client::get_bucket_tagging).sequence().http_status(s1, b1).build();
    let s3 = S3::new(mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&tags]));
    let op = S3Op::TagBucket {
        bucket: "trail-logs".into(),
        expected_owner: OWNER.into(),
    };
    let err = s3.execute(&op).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.operation, "GetBucketTagging");
}
