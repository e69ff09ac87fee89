//! SNS (us-east-1): the billing topic, its tags, policy and subscriptions.

use aws_sdk_sns::Client;
use aws_sdk_sns::types::Tag;

use super::{AwsError, Context};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, Subscription, Topic, ownership};
use crate::plan::SnsOp;

const SERVICE: &str = super::Service::Sns.sdk_name();

pub struct Sns {
    client: Client,
}

impl Sns {
    pub fn new(client: Client) -> Self {
        Sns { client }
    }

    /// The topic with this ARN, or `None` when it does not exist.
    pub async fn read_topic(&self, arn: &str) -> Result<Option<Topic>, AwsError> {
        let attributes = match self
            .client
            .get_topic_attributes()
            .topic_arn(arn)
            .send()
            .await
            .ctx(SERVICE, "GetTopicAttributes")
        {
            Ok(out) => out.attributes().cloned().unwrap_or_default(),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let (tags, pages) = futures::try_join!(
            async {
                self.client
                    .list_tags_for_resource()
                    .resource_arn(arn)
                    .send()
                    .await
                    .ctx(SERVICE, "ListTagsForResource")
            },
            async {
                self.client
                    .list_subscriptions_by_topic()
                    .topic_arn(arn)
                    .into_paginator()
                    .send()
                    .try_collect()
                    .await
                    .ctx(SERVICE, "ListSubscriptionsByTopic")
            }
        )?;
        let Ownership { owned, managed_by } = ownership(
            arn.rsplit(':').next().unwrap_or_default(),
            tags.tags().iter().map(|t| (t.key(), t.value())),
        );
        let subscriptions = pages
            .iter()
            .flat_map(|p| p.subscriptions())
            .map(|s| Subscription {
                protocol: s.protocol().unwrap_or_default().to_owned(),
                endpoint: s.endpoint().unwrap_or_default().to_owned(),
                pending: s.subscription_arn() == Some("PendingConfirmation"),
            })
            .collect();
        Ok(Some(Topic {
            arn: arn.to_owned(),
            owned,
            managed_by,
            policy: attributes.get("Policy").cloned(),
            subscriptions,
        }))
    }

    /// Publish a message (not a plan change: used for drift notifications).
    pub async fn publish(&self, topic_arn: &str, subject: &str, message: &str) -> Result<(), AwsError> {
        self.client
            .publish()
            .topic_arn(topic_arn)
            .subject(subject)
            .message(message)
            .send()
            .await
            .ctx(SERVICE, "Publish")?;
        Ok(())
    }

    pub async fn execute(&self, op: &SnsOp) -> Result<Option<String>, AwsError> {
        match op {
            SnsOp::CreateTopic { name, policy } => {
                let out = self
                    .client
                    .create_topic()
                    .name(name)
                    .attributes("Policy", policy)
                    .tags(owner_tag()?)
                    .send()
                    .await
                    .ctx(SERVICE, "CreateTopic")?;
                Ok(out.topic_arn().map(str::to_owned))
            }
            SnsOp::SetTopicPolicy { topic_arn, policy } => {
                self.client
                    .set_topic_attributes()
                    .topic_arn(topic_arn)
                    .attribute_name("Policy")
                    .attribute_value(policy)
                    .send()
                    .await
                    .ctx(SERVICE, "SetTopicAttributes")?;
                Ok(None)
            }
            SnsOp::TagResource { topic_arn } => {
                self.client
                    .tag_resource()
                    .resource_arn(topic_arn)
                    .tags(owner_tag()?)
                    .send()
                    .await
                    .ctx(SERVICE, "TagResource")?;
                Ok(None)
            }
            SnsOp::Subscribe {
                topic_arn,
                protocol,
                endpoint,
            } => {
                self.client
                    .subscribe()
                    .topic_arn(topic_arn)
                    .protocol(protocol)
                    .endpoint(endpoint)
                    .send()
                    .await
                    .ctx(SERVICE, "Subscribe")?;
                Ok(None)
            }
        }
    }
}

/// plinth's ownership tag, `managed-by=plinth`.
fn owner_tag() -> Result<Tag, AwsError> {
    Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "TagResource", e.to_string()))
}
