//! DynamoDB: the table that holds plinth's apply locks, and the conditional writes that
//! make taking a lock atomic.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus, Tag,
};

use super::{AwsError, Context};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE};

const SERVICE: &str = super::Service::DynamoDb.sdk_name();

/// One lock item: who holds it, the lease it promised to renew within, and the record
/// version number it last wrote. A waiter never compares clocks with the holder: it
/// takes a lock over only once the version number stayed the same for a whole lease on
/// its own clock (the lease algorithm of AWS's DynamoDB lock client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRecord {
    pub holder: String,
    /// Seconds since the epoch, on the holder's clock: for people reading the lock.
    pub acquired_at: i64,
    pub expires_at: i64,
    /// Changes on every renewal; empty for a lock written by an older plinth.
    pub rvn: String,
    /// How long the holder may go without renewing, in seconds.
    pub lease_secs: u64,
}

impl LockRecord {
    fn item(&self, lock_id: &str) -> std::collections::HashMap<String, AttributeValue> {
        [
            ("lock_id", AttributeValue::S(lock_id.into())),
            ("holder", AttributeValue::S(self.holder.clone())),
            ("acquired_at", n(self.acquired_at)),
            ("expires_at", n(self.expires_at)),
            ("rvn", AttributeValue::S(self.rvn.clone())),
            ("lease_secs", n(self.lease_secs as i64)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn from_item(item: &std::collections::HashMap<String, AttributeValue>) -> LockRecord {
        let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        let i = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0)
        };
        LockRecord {
            holder: s("holder"),
            acquired_at: i("acquired_at"),
            expires_at: i("expires_at"),
            rvn: s("rvn"),
            // A lock of an older plinth: its own ten minutes.
            lease_secs: u64::try_from(i("lease_secs")).ok().filter(|l| *l > 0).unwrap_or(600),
        }
    }
}

#[derive(Clone)]
pub struct Dynamo {
    client: Client,
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl Dynamo {
    pub fn new(client: Client) -> Self {
        Dynamo { client }
    }

    /// Create the lock table (on-demand capacity) if it is missing, and wait until it is active.
    pub async fn ensure_table(&self, table: &str) -> Result<(), AwsError> {
        match self
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .ctx(SERVICE, "DescribeTable")
        {
            Ok(out) if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.is_not_found() => {
                tracing::info!(table, "creating the lock table");
                let created = self
                    .client
                    .create_table()
                    .table_name(table)
                    .attribute_definitions(
                        AttributeDefinition::builder()
                            .attribute_name("lock_id")
                            .attribute_type(ScalarAttributeType::S)
                            .build()
                            .expect("name and type are set"),
                    )
                    .key_schema(
                        KeySchemaElement::builder()
                            .attribute_name("lock_id")
                            .key_type(KeyType::Hash)
                            .build()
                            .expect("name and type are set"),
                    )
                    .billing_mode(BillingMode::PayPerRequest)
                    .tags(
                        Tag::builder()
                            .key(OWNER_TAG_KEY)
                            .value(OWNER_TAG_VALUE)
                            .build()
                            .expect("key and value are set"),
                    )
                    .send()
                    .await
                    .ctx(SERVICE, "CreateTable");
                match created {
                    // Another run created it at the same moment: wait for it like ours.
                    Err(e) if e.is("ResourceInUseException") => {}
                    other => {
                        other?;
                    }
                }
            }
            Err(e) => return Err(e),
        }
        // Until the table is active: a poll a second (with jitter) for about a minute.
        use backon::{ConstantBuilder, Retryable};
        const NOT_ACTIVE: &str = "TableNotActive";
        let active = || async {
            let out = self
                .client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .ctx(SERVICE, "DescribeTable")?;
            match out.table().and_then(|t| t.table_status()) {
                Some(TableStatus::Active) => Ok(()),
                _ => Err(AwsError {
                    code: Some(NOT_ACTIVE.into()),
                    ..AwsError::other(
                        SERVICE,
                        "DescribeTable",
                        format!("table `{table}` did not become active within a minute"),
                    )
                }),
            }
        };
        let polls = ConstantBuilder::default()
            .with_delay(Duration::from_secs(1))
            .with_jitter()
            .with_max_times(60);
        active.retry(polls).when(|e| e.is(NOT_ACTIVE)).await
    }

    /// Write the lock if there is none: one conditional write. `Ok(None)` when taken,
    /// `Ok(Some(record))` with the lock that is there otherwise.
    pub async fn try_acquire(
        &self,
        table: &str,
        lock_id: &str,
        record: &LockRecord,
    ) -> Result<Option<LockRecord>, AwsError> {
        let put = self
            .client
            .put_item()
            .table_name(table)
            .set_item(Some(record.item(lock_id)))
            .condition_expression("attribute_not_exists(lock_id)")
            .send()
            .await
            .ctx(SERVICE, "PutItem");
        match put {
            Ok(_) => Ok(None),
            Err(e) if e.is("ConditionalCheckFailedException") => match self.read(table, lock_id).await? {
                Some(there) => Ok(Some(there)),
                // Released in between: try once more.
                None => Box::pin(self.try_acquire(table, lock_id, record)).await,
            },
            Err(e) => Err(e),
        }
    }

    /// The lock as it is now (a consistent read).
    pub async fn read(&self, table: &str, lock_id: &str) -> Result<Option<LockRecord>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(table)
            .key("lock_id", AttributeValue::S(lock_id.into()))
            .consistent_read(true)
            .send()
            .await
            .ctx(SERVICE, "GetItem")?;
        Ok(out.item().map(LockRecord::from_item))
    }

    /// Replace a lock whose holder is gone, only if it is still the one `seen` (same
    /// holder, same record version number). `Ok(false)` when it changed meanwhile.
    pub async fn take_over(
        &self,
        table: &str,
        lock_id: &str,
        seen: &LockRecord,
        record: &LockRecord,
    ) -> Result<bool, AwsError> {
        let mut put = self
            .client
            .put_item()
            .table_name(table)
            .set_item(Some(record.item(lock_id)))
            .expression_attribute_values(":h", AttributeValue::S(seen.holder.clone()));
        put = if seen.rvn.is_empty() {
            put.condition_expression("holder = :h AND attribute_not_exists(rvn)")
        } else {
            put.condition_expression("holder = :h AND rvn = :r")
                .expression_attribute_values(":r", AttributeValue::S(seen.rvn.clone()))
        };
        match put.send().await.ctx(SERVICE, "PutItem") {
            Ok(_) => Ok(true),
            Err(e) if e.is("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Renew: a new record version number and expiry, only if this holder still holds the
    /// lock at version `rvn`. `Ok(false)` when it does not (the lock was taken over).
    pub async fn renew(
        &self,
        table: &str,
        lock_id: &str,
        holder: &str,
        rvn: &str,
        next_rvn: &str,
        expires_at: i64,
    ) -> Result<bool, AwsError> {
        let update = self
            .client
            .update_item()
            .table_name(table)
            .key("lock_id", AttributeValue::S(lock_id.into()))
            .update_expression("SET expires_at = :e, rvn = :n")
            .condition_expression("holder = :h AND rvn = :r")
            .expression_attribute_values(":e", n(expires_at))
            .expression_attribute_values(":n", AttributeValue::S(next_rvn.into()))
            .expression_attribute_values(":h", AttributeValue::S(holder.into()))
            .expression_attribute_values(":r", AttributeValue::S(rvn.into()))
            .send()
            .await
            .ctx(SERVICE, "UpdateItem");
        match update {
            Ok(_) => Ok(true),
            Err(e) if e.is("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Let the lock go, if this holder still holds it.
    pub async fn release(&self, table: &str, lock_id: &str, holder: &str) -> Result<(), AwsError> {
        match self
            .client
            .delete_item()
            .table_name(table)
            .key("lock_id", AttributeValue::S(lock_id.into()))
            .condition_expression("holder = :h")
            .expression_attribute_values(":h", AttributeValue::S(holder.into()))
            .send()
            .await
            .ctx(SERVICE, "DeleteItem")
        {
            Ok(_) => Ok(()),
            // It was taken over: nothing of ours to release.
            Err(e) if e.is("ConditionalCheckFailedException") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Delete the lock whoever holds it, if it is still the one `seen` (`plinth
    /// force-unlock`). `Ok(false)` when it changed meanwhile.
    pub async fn force_release(&self, table: &str, lock_id: &str, seen: &LockRecord) -> Result<bool, AwsError> {
        let delete = self
            .client
            .delete_item()
            .table_name(table)
            .key("lock_id", AttributeValue::S(lock_id.into()))
            .condition_expression("holder = :h")
            .expression_attribute_values(":h", AttributeValue::S(seen.holder.clone()))
            .send()
            .await
            .ctx(SERVICE, "DeleteItem");
        match delete {
            Ok(_) => Ok(true),
            Err(e) if e.is("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(e),
        }
    }
}
