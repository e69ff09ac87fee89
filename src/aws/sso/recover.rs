//! What a retried IAM Identity Center write finds. The SDK retries a call whose answer
//! was lost; a CreatePermissionSet that went through the first time then meets
//! `ConflictException` for its name. That is the set plinth made, if it carries plinth's
//! tag: plinth takes its ARN and goes on. A conflict with no such set is the other kind
//! (a write still propagating), retried with backoff.

use super::{SERVICE, Sso};
use crate::aws::{AwsError, retry_eventually};

impl Sso {
    /// The ARN of the permission set `name` after `CreatePermissionSet` answered `first`
    /// (a conflict): plinth's own set of that name, or the result of trying again.
    pub(super) async fn recover_created_set<F, Fut, O>(
        &self,
        instance: &str,
        name: &str,
        first: AwsError,
        create: F,
    ) -> Result<String, AwsError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<O, AwsError>>,
        O: CreatedSet,
    {
        if let Some(arn) = self.set_named(instance, name).await? {
            if self.is_owned(instance, &arn, name).await? {
                tracing::info!(
                    permission_set = name,
                    "a retried CreatePermissionSet had already created it"
                );
                return Ok(arn);
            }
            return Err(AwsError {
                message: format!(
                    "a permission set named `{name}` appeared meanwhile, and it is not plinth's (no `managed-by=plinth` tag, or another tool's sign); plinth leaves it alone"
                ),
                ..first
            });
        }
        let out = retry_eventually(&["ConflictException"], create).await?;
        out.arn()
            .ok_or_else(|| AwsError::other(SERVICE, "CreatePermissionSet", "AWS returned no permission set ARN"))
    }

    /// The ARN of the permission set called `name`, if there is one.
    async fn set_named(&self, instance: &str, name: &str) -> Result<Option<String>, AwsError> {
        for arn in self.permission_set_arns(instance).await? {
            if self.describe(instance, &arn).await?.name == name {
                return Ok(Some(arn));
            }
        }
        Ok(None)
    }
}

/// The answer of CreatePermissionSet, as far as recovery needs it.
pub(super) trait CreatedSet {
    fn arn(&self) -> Option<String>;
}

impl CreatedSet for aws_sdk_ssoadmin::operation::create_permission_set::CreatePermissionSetOutput {
    fn arn(&self) -> Option<String> {
        self.permission_set()
            .and_then(|p| p.permission_set_arn())
            .map(str::to_owned)
    }
}
