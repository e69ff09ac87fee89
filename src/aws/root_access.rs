//! IAM's centralized root access, from the management account: the organization's
//! features (`ListOrganizationsFeatures`, `EnableOrganizations…`), and member accounts'
//! root user credentials, read and deleted in short `sts:AssumeRoot` sessions scoped by
//! AWS's root-task policies. The session's credentials live in this adapter only, for the
//! calls of one task, and are never logged (the SDK redacts them).

use aws_credential_types::Credentials;
use aws_sdk_sts::types::PolicyDescriptorType;
use futures::{StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{RootAudit, RootCredential, RootCredentials, RootFeatures};
use crate::plan::RootAccessOp;

const IAM: &str = super::Service::Iam.sdk_name();
const STS: &str = super::Service::Sts.sdk_name();
/// AWS's task policies for root sessions.
pub const AUDIT_TASK: &str = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";
pub const DELETE_TASK: &str = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials";
/// A root session lasts at most 15 minutes; one task takes seconds.
const SESSION_SECONDS: i32 = 900;
/// Member accounts audited at once (each: one `AssumeRoot` and four IAM reads).
const CONCURRENCY: usize = 8;

/// Makes the IAM client of a root session from its credentials.
pub type SessionClient = Box<dyn Fn(Credentials) -> aws_sdk_iam::Client + Send + Sync>;

pub struct RootAccess {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    session_client: SessionClient,
}

impl RootAccess {
    /// `iam` and `sts` act as the caller (the management account); `session_client` makes
    /// an IAM client acting as a member account's root user (paced and counted like the rest).
    pub fn new(iam: aws_sdk_iam::Client, sts: aws_sdk_sts::Client, session_client: SessionClient) -> Self {
        RootAccess {
            iam,
            sts,
            session_client,
        }
    }

    /// The organization's root access features (trusted access for `iam.amazonaws.com`
    /// must be on: AWS refuses the call otherwise).
    pub async fn features(&self) -> Result<RootFeatures, AwsError> {
        let out = self
            .iam
            .list_organizations_features()
            .send()
            .await
            .ctx(IAM, "ListOrganizationsFeatures")?;
        let on = |f: aws_sdk_iam::types::FeatureType| out.enabled_features().contains(&f);
        Ok(RootFeatures {
            credentials_management: on(aws_sdk_iam::types::FeatureType::RootCredentialsManagement),
            root_sessions: on(aws_sdk_iam::types::FeatureType::RootSessions),
        })
    }

    /// Each member account's root user credentials, concurrently; an account where AWS
    /// refuses the session or a read is `Refused` with AWS's words, and the others go on.
    pub async fn audit(&self, accounts: Vec<String>) -> Result<Vec<(String, RootAudit)>, AwsError> {
        futures::stream::iter(accounts)
            .map(|account| async move {
                match self.read_credentials(&account).await {
                    Ok(creds) => Ok((account, RootAudit::Credentials(creds))),
                    Err(e) if e.is_access_denied() => Ok((account, RootAudit::Refused(e.to_string()))),
                    Err(e) => Err(e),
                }
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// An IAM client acting as the root user of `account`, for one task.
    async fn session(&self, account: &str, task: &str) -> Result<aws_sdk_iam::Client, AwsError> {
        let task_policy = PolicyDescriptorType::builder().arn(task).build();
        let out = self
            .sts
            .assume_root()
            .target_principal(account)
            .task_policy_arn(task_policy)
            .duration_seconds(SESSION_SECONDS)
            .send()
            .await
            .ctx(STS, "AssumeRoot")?;
        let c = out
            .credentials()
            .ok_or_else(|| AwsError::other(STS, "AssumeRoot", "AWS answered without credentials"))?;
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "plinth-assume-root",
        );
        Ok((self.session_client)(credentials))
    }

    async fn read_credentials(&self, account: &str) -> Result<RootCredentials, AwsError> {
        let iam = self.session(account, AUDIT_TASK).await?;
        let password = match iam.get_login_profile().send().await.ctx(IAM, "GetLoginProfile") {
            Ok(_) => true,
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(e),
        };
        let (keys, certificates, devices) = futures::try_join!(
            async { iam.list_access_keys().send().await.ctx(IAM, "ListAccessKeys") },
            async {
                iam.list_signing_certificates()
                    .send()
                    .await
                    .ctx(IAM, "ListSigningCertificates")
            },
            async { iam.list_mfa_devices().send().await.ctx(IAM, "ListMFADevices") },
        )?;
        Ok(RootCredentials {
            password,
            access_keys: keys
                .access_key_metadata()
                .iter()
                .filter_map(|k| k.access_key_id().map(str::to_owned))
                .collect(),
            signing_certificates: certificates
                .certificates()
                .iter()
                .map(|c| c.certificate_id().to_owned())
                .collect(),
            mfa_devices: devices
                .mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_owned())
                .collect(),
        })
    }

    pub async fn execute(&self, op: &RootAccessOp) -> Result<Option<String>, AwsError> {
        match op {
            RootAccessOp::EnableOrganizationsRootCredentialsManagement => {
                self.iam
                    .enable_organizations_root_credentials_management()
                    .send()
                    .await
                    .ctx(IAM, "EnableOrganizationsRootCredentialsManagement")?;
            }
            RootAccessOp::EnableOrganizationsRootSessions => {
                self.iam
                    .enable_organizations_root_sessions()
                    .send()
                    .await
                    .ctx(IAM, "EnableOrganizationsRootSessions")?;
            }
            RootAccessOp::DeleteRootCredential { account, credential } => {
                let iam = self.session(account, DELETE_TASK).await?;
                let done = match credential {
                    RootCredential::Password => iam
                        .delete_login_profile()
                        .send()
                        .await
                        .ctx(IAM, "DeleteLoginProfile")
                        .map(drop),
                    RootCredential::AccessKey(id) => iam
                        .delete_access_key()
                        .access_key_id(id)
                        .send()
                        .await
                        .ctx(IAM, "DeleteAccessKey")
                        .map(drop),
                    RootCredential::SigningCertificate(id) => iam
                        .delete_signing_certificate()
                        .certificate_id(id)
                        .send()
                        .await
                        .ctx(IAM, "DeleteSigningCertificate")
                        .map(drop),
                    RootCredential::MfaDevice(serial) => iam
                        .deactivate_mfa_device()
                        .serial_number(serial)
                        .send()
                        .await
                        .ctx(IAM, "DeactivateMFADevice")
                        .map(drop),
                };
                match done {
                    // Gone already (a retried delete whose answer was lost): what was asked holds.
                    Err(e) if e.is_not_found() => {}
                    other => other?,
                }
            }
        }
        Ok(None)
    }
}
