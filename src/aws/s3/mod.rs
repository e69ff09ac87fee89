//! S3: the trail's log bucket (us-east-1): existence, tags, public access block, default
//! encryption and bucket policy, four reads in all.
//!
//! Bucket names are global: anyone may hold the baseline's. Every request on the bucket
//! but `CreateBucket` (which cannot) carries `ExpectedBucketOwner`, the management
//! account, so S3 answers `AccessDenied` for another account's bucket, whatever its tags
//! and policy let this account do; after a create, the requests that follow carry it.

mod archive;

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

pub(super) const SERVICE: &str = super::Service::S3.sdk_name();

pub struct S3 {
    client: Client,
}

impl S3 {
    pub fn new(client: Client) -> Self {
        S3 { client }
    }

    /// The bucket, read as one of account `owner`'s (`ExpectedBucketOwner`): another
    /// account's is [`Bucket::OtherAccount`], never read further.
    pub async fn read_bucket(&self, bucket: &str, owner: &str) -> Result<Bucket, AwsError> {
        let policy = match self.read_policy(bucket, owner).await? {
            Policy::Read(policy) => policy,
            Policy::Missing => return Ok(Bucket::Missing),
            Policy::OtherAccount(error) => return Ok(Bucket::OtherAccount { error }),
        };
        let (pab, encryption, tagging) = futures::join!(
            async {
                self.client
                    .get_public_access_block()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetPublicAccessBlock")
            },
            async {
                self.client
                    .get_bucket_encryption()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .send()
                    .await
                    .ctx(SERVICE, "GetBucketEncryption")
            },
            async {
                self.client
                    .get_bucket_tagging()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
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

    /// The bucket policy, asked as account `owner`'s bucket.
    async fn read_policy(&self, bucket: &str, owner: &str) -> Result<Policy, AwsError> {
        match self
            .client
            .get_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .ctx(SERVICE, "GetBucketPolicy")
        {
            Ok(out) => Ok(Policy::Read(out.policy().map(str::to_owned))),
            Err(e) if e.is("NoSuchBucketPolicy") => Ok(Policy::Read(None)),
            Err(e) if e.is_not_found() => Ok(Policy::Missing),
            // What S3 answers for another account's bucket, its policy whatever it is.
            Err(e) if e.is_access_denied() || e.is("AllAccessDisabled") => Ok(Policy::OtherAccount(e.to_string())),
            Err(e) => Err(e),
        }
    }

    pub async fn execute(&self, op: &S3Op) -> Result<Option<String>, AwsError> {
        match op {
            S3Op::TagBucket { bucket, expected_owner } => self.tag_bucket(bucket, expected_owner).await?,
            S3Op::CreateBucket { bucket, object_lock } => self.create_bucket(bucket, *object_lock).await?,
            S3Op::PutPublicAccessBlock { bucket, expected_owner } => {
                self.put_public_access_block(bucket, expected_owner).await?;
            }
            S3Op::PutBucketEncryption {
                bucket,
                kms_key,
                expected_owner,
            } => {
                self.put_bucket_encryption(bucket, kms_key.as_deref(), expected_owner)
                    .await?;
            }
            S3Op::PutBucketPolicy {
                bucket,
                policy,
                expected_owner,
            } => self.put_bucket_policy(bucket, policy, expected_owner).await?,
            S3Op::PutBucketVersioning { bucket, expected_owner } => self.put_versioning(bucket, expected_owner).await?,
            S3Op::PutObjectLockConfiguration {
                bucket,
                retention,
                expected_owner,
            } => self.put_object_lock(bucket, retention, expected_owner).await?,
            S3Op::PutLifecycleRule {
                bucket,
                rule,
                expected_owner,
            } => self.put_lifecycle_rule(bucket, rule, expected_owner).await?,
            S3Op::PutBucketLogging {
                bucket,
                logging,
                expected_owner,
            } => self.put_logging(bucket, logging, expected_owner).await?,
        }
        Ok(None)
    }

    /// Adds plinth's ownership tag. PutBucketTagging replaces the set: every tag but
    /// plinth's own is kept.
    async fn tag_bucket(&self, bucket: &str, expected_owner: &str) -> Result<(), AwsError> {
        let mut tags: Vec<Tag> = match self
            .client
            .get_bucket_tagging()
            .bucket(bucket)
            .expected_bucket_owner(expected_owner)
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
            .expected_bucket_owner(expected_owner)
            .tagging(tagging)
            .send()
            .await
            .ctx(SERVICE, "PutBucketTagging")
            .map(drop)
    }

    async fn create_bucket(&self, bucket: &str, object_lock: bool) -> Result<(), AwsError> {
        // us-east-1 takes no location constraint; the tag comes in the same call.
        // No `ExpectedBucketOwner` here (S3 takes none): a bucket someone else holds
        // fails with `BucketAlreadyExists`, and the changes after this one carry it.
        let owner = owner_tag()?;
        let created = self
            .client
            .create_bucket()
            .bucket(bucket)
            .create_bucket_configuration(CreateBucketConfiguration::builder().tags(owner).build())
            .set_object_lock_enabled_for_bucket(object_lock.then_some(true))
            .send()
            .await
            .ctx(SERVICE, "CreateBucket");
        match created {
            // A retry of a create whose answer was lost (`BucketAlreadyOwnedByYou`).
            Err(e) if e.is_already_exists() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn put_public_access_block(&self, bucket: &str, expected_owner: &str) -> Result<(), AwsError> {
        let all = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.client
            .put_public_access_block()
            .bucket(bucket)
            .expected_bucket_owner(expected_owner)
            .public_access_block_configuration(all)
            .send()
            .await
            .ctx(SERVICE, "PutPublicAccessBlock")
            .map(drop)
    }

    async fn put_bucket_encryption(
        &self,
        bucket: &str,
        kms_key: Option<&str>,
        expected_owner: &str,
    ) -> Result<(), AwsError> {
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
            .expected_bucket_owner(expected_owner)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .ctx(SERVICE, "PutBucketEncryption")
            .map(drop)
    }

    async fn put_bucket_policy(&self, bucket: &str, policy: &str, expected_owner: &str) -> Result<(), AwsError> {
        self.client
            .put_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(expected_owner)
            .policy(policy)
            .send()
            .await
            .ctx(SERVICE, "PutBucketPolicy")
            .map(drop)
    }
}

/// The bucket policy, or why there is none to read.
enum Policy {
    Read(Option<String>),
    Missing,
    /// S3's refusal: the bucket is not the expected owner's.
    OtherAccount(String),
}

/// plinth's ownership tag, `managed-by=plinth`.
fn owner_tag() -> Result<Tag, AwsError> {
    Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "PutBucketTagging", e.to_string()))
}
