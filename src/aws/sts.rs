//! STS: who the credentials belong to.

use super::{AwsError, Context};

/// The caller's account and ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

pub struct Sts {
    client: aws_sdk_sts::Client,
}

impl Sts {
    pub fn new(client: aws_sdk_sts::Client) -> Self {
        Sts { client }
    }

    pub async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let out = self
            .client
            .get_caller_identity()
            .send()
            .await
            .ctx(super::Service::Sts.sdk_name(), "GetCallerIdentity")?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
        })
    }
}
