//! DynamoDB: the table that holds plinth's apply locks, and the conditional writes that
//! make taking a lock atomic.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus, Tag,
};

use super::{AwsError, Context};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE};

const SERVICE: &str = "DynamoDB";

/// Who holds a lock, and until when (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub holder: String,
    pub acquired_at: i64,
    pub expires_at: i64,
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
            Err(e) if e.is("ResourceNotFoundException") => {
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
        for _ in 0..60 {
            let out = self
                .client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .ctx(SERVICE, "DescribeTable")?;
            if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Err(AwsError::other(
            SERVICE,
            "DescribeTable",
            format!("table `{table}` did not become active within a minute"),
        ))
    }

    /// Take the lock if it is free or expired: one conditional write. `Ok(None)` when taken,
    /// `Ok(Some(holder))` when someone else holds it.
    pub async fn try_acquire(
        &self,
        table: &str,
        lock_id: &str,
        holder: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Option<LockHolder>, AwsError> {
        let put = self
            .client
            .put_item()
            .table_name(table)
            .item("lock_id", AttributeValue::S(lock_id.into()))
            .item("holder", AttributeValue::S(holder.into()))
            .item("acquired_at", n(now))
            .item("expires_at", n(expires_at))
            .condition_expression("attribute_not_exists(lock_id) OR expires_at < :now")
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .ctx(SERVICE, "PutItem");
        match put {
            Ok(_) => Ok(None),
            Err(e) if e.is("ConditionalCheckFailedException") => {
                let out = self
                    .client
                    .get_item()
                    .table_name(table)
                    .key("lock_id", AttributeValue::S(lock_id.into()))
                    .consistent_read(true)
                    .send()
                    .await
                    .ctx(SERVICE, "GetItem")?;
                let item = out.item().cloned().unwrap_or_default();
                let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                let i = |k: &str| {
                    item.get(k)
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0)
                };
                Ok(Some(LockHolder {
                    holder: s("holder"),
                    acquired_at: i("acquired_at"),
                    expires_at: i("expires_at"),
                }))
            }
            Err(e) => Err(e),
        }
    }

    /// Push the expiry out, if this holder still holds the lock.
    pub async fn renew(&self, table: &str, lock_id: &str, holder: &str, expires_at: i64) -> Result<(), AwsError> {
        self.client
            .update_item()
            .table_name(table)
            .key("lock_id", AttributeValue::S(lock_id.into()))
            .update_expression("SET expires_at = :e")
            .condition_expression("holder = :h")
            .expression_attribute_values(":e", n(expires_at))
            .expression_attribute_values(":h", AttributeValue::S(holder.into()))
            .send()
            .await
            .ctx(SERVICE, "UpdateItem")?;
        Ok(())
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
            // It expired and someone else took it: nothing of ours to release.
            Err(e) if e.is("ConditionalCheckFailedException") => Ok(()),
            Err(e) => Err(e),
        }
    }
}
