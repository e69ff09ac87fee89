//! S3: the trail's log bucket (us-east-1): existence, tags, public access block, default
//! encryption and bucket policy, four reads in all.

use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    CreateBucketConfiguration, PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
};

use super::{AwsError, Context};
use crate::observed::{
    Bucket, BucketEncryption, OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, PublicAccessBlock, ownership,
};
use crate::plan::S3Op;

const SERVICE: &str = "S3";

pub struct S3 {
    client: Client,
}

impl S3 {
    pub fn new(client: Client) -> Self {
        S3 { client }
    }

    pub async fn read_bucket(&self, bucket: &str) -> Result<Bucket, AwsError> {
        let policy = match self
            .client
            .get_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .ctx(SERVICE, "GetBucketPolicy")
        {
            Ok(out) => out.policy().map(str::to_owned),
            Err(e) if e.is("NoSuchBucketPolicy") => None,
            Err(e) if e.is("NoSuchBucket") => return Ok(Bucket::Missing),
            Err(e) if e.is("AccessDenied") || e.is("AllAccessDisabled") => {
                return Ok(Bucket::Unreadable { error: e.to_string() });
            }
            Err(e) => return Err(e),
        };
        let (pab, encryption, tagging) = futures::join!(
            async {
                self.client
                    .get_public_access_block()
                    .bucket(bucket)
                    .send()
                    .await
                    .ctx(SERVICE, "GetPublicAccessBlock")
            },
            async {
                self.client
                    .get_bucket_encryption()
                    .bucket(bucket)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketEncryption")
            },
            async {
                self.client
                    .get_bucket_tagging()
                    .bucket(bucket)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketTagging")
            }
        );
        let tags: Vec<(String, String)> = match tagging {
            Ok(out) => out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(e) if e.is("NoSuchTagSet") => vec![],
            Err(e) => return Err(e),
        };
        let Ownership { owned, managed_by } = ownership(bucket, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let public_access_block = match pab {
            Ok(out) => out.public_access_block_configuration().map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
            Err(e) if e.is("NoSuchPublicAccessBlockConfiguration") => None,
            Err(e) => return Err(e),
        };
        let encryption = match encryption {
            Ok(out) => out
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default())
                .map(|d| BucketEncryption {
                    algorithm: d.sse_algorithm().as_str().to_owned(),
                    kms_key: d.kms_master_key_id().map(str::to_owned),
                }),
            Err(e) if e.is("ServerSideEncryptionConfigurationNotFoundError") => None,
            Err(e) => return Err(e),
        };
        Ok(Bucket::Present {
            owned,
            managed_by,
            public_access_block,
            encryption,
            policy,
        })
    }

    pub async fn execute(&self, op: &S3Op) -> Result<Option<String>, AwsError> {
        match op {
            S3Op::TagBucket { bucket } => {
                // PutBucketTagging replaces the set: keep every tag but plinth's own.
                let mut tags: Vec<Tag> = match self
                    .client
                    .get_bucket_tagging()
                    .bucket(bucket)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketTagging")
                {
                    Ok(out) => out
                        .tag_set()
                        .iter()
                        .filter(|t| t.key() != OWNER_TAG_KEY)
                        .cloned()
                        .collect(),
                    Err(e) if e.is("NoSuchTagSet") => vec![],
                    Err(e) => return Err(e),
                };
                tags.push(owner_tag()?);
                let tagging = Tagging::builder()
                    .set_tag_set(Some(tags))
                    .build()
                    .map_err(|e| AwsError::other(SERVICE, "PutBucketTagging", e.to_string()))?;
                self.client
                    .put_bucket_tagging()
                    .bucket(bucket)
                    .tagging(tagging)
                    .send()
                    .await
                    .ctx(SERVICE, "PutBucketTagging")?;
            }
            S3Op::CreateBucket { bucket } => {
                // us-east-1 takes no location constraint; the tag comes in the same call.
                let owner = owner_tag()?;
                let created = self
                    .client
                    .create_bucket()
                    .bucket(bucket)
                    .create_bucket_configuration(CreateBucketConfiguration::builder().tags(owner).build())
                    .send()
                    .await
                    .ctx(SERVICE, "CreateBucket");
                match created {
                    // A retry of a create whose answer was lost.
                    Err(e) if e.is("BucketAlreadyOwnedByYou") => {}
                    other => {
                        other?;
                    }
                }
            }
            S3Op::PutPublicAccessBlock { bucket } => {
                let all = PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build();
                self.client
                    .put_public_access_block()
                    .bucket(bucket)
                    .public_access_block_configuration(all)
                    .send()
                    .await
                    .ctx(SERVICE, "PutPublicAccessBlock")?;
            }
            S3Op::PutBucketEncryption { bucket, kms_key } => {
                let default = match kms_key {
                    Some(key) => ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::AwsKms)
                        .kms_master_key_id(key),
                    None => ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256),
                }
                .build()
                .expect("the algorithm is set");
                let config = ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(default)
                            .bucket_key_enabled(kms_key.is_some())
                            .build(),
                    )
                    .build()
                    .expect("a rule is set");
                self.client
                    .put_bucket_encryption()
                    .bucket(bucket)
                    .server_side_encryption_configuration(config)
                    .send()
                    .await
                    .ctx(SERVICE, "PutBucketEncryption")?;
            }
            S3Op::PutBucketPolicy { bucket, policy } => {
                self.client
                    .put_bucket_policy()
                    .bucket(bucket)
                    .policy(policy)
                    .send()
                    .await
                    .ctx(SERVICE, "PutBucketPolicy")?;
            }
        }
        Ok(None)
    }
}

/// plinth's ownership tag, `managed-by=plinth`.
fn owner_tag() -> Result<Tag, AwsError> {
    Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "PutBucketTagging", e.to_string()))
}
