//! The S3 adapter's reading of the trail bucket, on mocked SDK responses: the answers
//! that decide between "missing", "someone else's" and "present".

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockOutput;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use plinth::aws::s3::S3;
use plinth::observed::{Bucket, PublicAccessBlock};

fn s3_error(status: u16, code: &str) -> (u16, Option<String>) {
    (
        status,
        Some(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{code} said S3</Message></Error>"
        )),
    )
}

#[tokio::test]
async fn another_accounts_bucket_is_unreadable_not_missing() {
    let (status, body) = s3_error(403, "AccessDenied");
    let policy = mock!(Client::get_bucket_policy)
        .sequence()
        .http_status(status, body)
        .build();
    let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&policy]);
    match S3::new(client).read_bucket("someone-elses").await.unwrap() {
        Bucket::Unreadable { error } => assert!(error.contains("S3.GetBucketPolicy: AccessDenied"), "{error}"),
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
    assert_eq!(S3::new(client).read_bucket("nope").await.unwrap(), Bucket::Missing);
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
        S3::new(client).read_bucket("mine").await.unwrap(),
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
