//! IAM: the role CloudTrail assumes to write to CloudWatch Logs.

use aws_sdk_iam::Client;
use aws_sdk_iam::types::Tag;

use super::{AwsError, Context};
use crate::observed::{OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, Role, ownership};
use crate::plan::IamOp;

const SERVICE: &str = super::Service::Iam.sdk_name();

pub struct Iam {
    client: Client,
}

/// IAM returns policy documents URL-encoded.
fn decode(document: &str) -> String {
    percent_encoding::percent_decode_str(document)
        .decode_utf8_lossy()
        .into_owned()
}

impl Iam {
    pub fn new(client: Client) -> Self {
        Iam { client }
    }

    /// The role and its inline policy `policy_name`, or `None` when the role does not exist.
    pub async fn read_role(&self, name: &str, policy_name: &str) -> Result<Option<Role>, AwsError> {
        let role = match self
            .client
            .get_role()
            .role_name(name)
            .send()
            .await
            .ctx(SERVICE, "GetRole")
        {
            Ok(out) => match out.role() {
                Some(r) => r.clone(),
                None => return Ok(None),
            },
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let inline_policy = match self
            .client
            .get_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .send()
            .await
            .ctx(SERVICE, "GetRolePolicy")
        {
            Ok(out) => Some(decode(out.policy_document())),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        let Ownership { owned, managed_by } = ownership(name, role.tags().iter().map(|t| (t.key(), t.value())));
        Ok(Some(Role {
            owned,
            managed_by,
            arn: role.arn().to_owned(),
            trust_policy: decode(role.assume_role_policy_document().unwrap_or_default()),
            inline_policy,
            permissions_boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_owned),
        }))
    }

    pub async fn execute(&self, op: &IamOp) -> Result<Option<String>, AwsError> {
        match op {
            IamOp::CreateRole {
                name,
                trust_policy,
                permissions_boundary,
            } => {
                let created = self
                    .client
                    .create_role()
                    .role_name(name)
                    .assume_role_policy_document(trust_policy)
                    .set_permissions_boundary(permissions_boundary.clone())
                    .description("Managed by plinth: CloudTrail delivers the organization trail to CloudWatch Logs")
                    .tags(owner_tag()?)
                    .send()
                    .await
                    .ctx(SERVICE, "CreateRole");
                match created {
                    Ok(out) => Ok(out.role().map(|r| r.arn().to_owned())),
                    // A retry of a create whose answer was lost: the role is there, tagged.
                    Err(e) if e.is_already_exists() => match self.read_role(name, "").await? {
                        Some(r) if r.owned => Ok(Some(r.arn)),
                        _ => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
            IamOp::UpdateAssumeRolePolicy { name, trust_policy } => {
                self.client
                    .update_assume_role_policy()
                    .role_name(name)
                    .policy_document(trust_policy)
                    .send()
                    .await
                    .ctx(SERVICE, "UpdateAssumeRolePolicy")?;
                Ok(None)
            }
            IamOp::PutRolePermissionsBoundary { name, boundary } => {
                self.client
                    .put_role_permissions_boundary()
                    .role_name(name)
                    .permissions_boundary(boundary)
                    .send()
                    .await
                    .ctx(SERVICE, "PutRolePermissionsBoundary")?;
                Ok(None)
            }
            IamOp::TagRole { name } => {
                self.client
                    .tag_role()
                    .role_name(name)
                    .tags(owner_tag()?)
                    .send()
                    .await
                    .ctx(SERVICE, "TagRole")?;
                Ok(None)
            }
            IamOp::PutRolePolicy {
                role,
                policy_name,
                policy,
            } => {
                self.client
                    .put_role_policy()
                    .role_name(role)
                    .policy_name(policy_name)
                    .policy_document(policy)
                    .send()
                    .await
                    .ctx(SERVICE, "PutRolePolicy")?;
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
        .map_err(|e| AwsError::other(SERVICE, "TagRole", e.to_string()))
}
