//! The adapters of one run, made once from one SDK configuration and all reporting to
//! its call counter. Kinds read through them (`observe`); apply writes through them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::account::AccountApi;
use super::budgets::Budgets;
use super::cloudtrail::CloudTrail;
use super::cloudwatch::CloudWatch;
use super::iam::Iam;
use super::logs::Logs;
use super::member::{DEFAULT_ROLE, MemberSessions};
use super::organizations::Organizations;
use super::root_access::RootAccess;
use super::s3::S3;
use super::sns::Sns;
use super::sso::Sso;
use super::{Aws, AwsError, ErrorKind};
use crate::diag::{Diagnostic, Diagnostics};

pub struct Clients {
    pub aws: Aws,
    pub organizations: Organizations,
    /// us-east-1: billing metrics and plinth's alarms live there.
    pub cloudwatch: CloudWatch,
    pub sns: Sns,
    pub cloudtrail: CloudTrail,
    pub s3: S3,
    pub logs: Logs,
    pub iam: Iam,
    /// AWS Budgets, in the management account.
    pub budgets: Budgets,
    /// The Account Management API: alternate contacts.
    pub account: AccountApi,
    /// IAM's centralized root access.
    pub root_access: RootAccess,
    /// IAM Identity Center clients by region (the instance's), made when first needed.
    sso: Mutex<BTreeMap<String, Arc<Sso>>>,
    /// Sessions in member accounts, through the role the run names
    /// ([`Clients::use_member_role`]; AWS's `OrganizationAccountAccessRole` otherwise).
    members: std::sync::OnceLock<MemberSessions>,
}

impl Clients {
    pub fn new(aws: Aws) -> Clients {
        Clients {
            organizations: aws.organizations(),
            cloudwatch: aws.cloudwatch_us_east_1(),
            sns: aws.sns_us_east_1(),
            cloudtrail: aws.cloudtrail_us_east_1(),
            s3: aws.s3_us_east_1(),
            logs: aws.logs_us_east_1(),
            iam: aws.iam(),
            budgets: aws.budgets(),
            account: aws.account(),
            root_access: aws.root_access(),
            sso: Mutex::default(),
            members: std::sync::OnceLock::new(),
            aws,
        }
    }

    /// The IAM Identity Center adapter of a region; one per region, shared (it carries the
    /// service's rate limiter).
    pub fn sso(&self, region: &str) -> Arc<Sso> {
        let mut clients = self.sso.lock().unwrap_or_else(PoisonError::into_inner);
        clients
            .entry(region.to_owned())
            .or_insert_with(|| Arc::new(self.aws.sso(region)))
            .clone()
    }

    /// Act in member accounts through `role` (with `external_id` when its trust asks
    /// one). The first call of a run decides; the engine makes it from the baseline's
    /// `[organization]` before the first read.
    pub fn use_member_role(&self, role: &str, external_id: Option<String>) {
        let _ = self.members.set(MemberSessions::new(&self.aws, role, external_id));
    }

    /// The member sessions of this run.
    pub fn members(&self) -> &MemberSessions {
        self.members
            .get_or_init(|| MemberSessions::new(&self.aws, DEFAULT_ROLE, None))
    }

    /// The adapters acting in member account `account`, through its session (made or
    /// renewed when needed). A refused `AssumeRole` is the error.
    pub async fn member(&self, account: &str) -> Result<Clients, AwsError> {
        Ok(Clients::new(self.members().aws(account).await?))
    }

    /// A failed call as a diagnostic saying what plinth was doing; transport failures
    /// name the endpoint they could not reach.
    pub fn failure(&self, what: &str, e: AwsError) -> Diagnostics {
        let endpoint = self.aws.sdk.endpoint_url();
        failure(what, e.at_endpoint(endpoint), endpoint)
    }
}

fn failure(what: &str, e: AwsError, endpoint: Option<&str>) -> Diagnostics {
    if e.no_credentials {
        return Diagnostic::error("no AWS credentials found")
            .causes(e.causes())
            .hint(
                "plinth uses the standard AWS credential chain: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, \
                 a profile (`--profile` or `AWS_PROFILE`), IAM Identity Center (`aws sso login`), web identity, \
                 or instance metadata",
            )
            .into();
    }
    let hint = match (e.kind(), e.code.as_deref()) {
        (ErrorKind::AccessDenied, _) => Some("plinth needs the read permissions listed in README.md".to_owned()),
        (
            _,
            Some("ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId" | "UnrecognizedClientException"),
        ) => Some("refresh the credentials (for SSO: `aws sso login`) and run again".to_owned()),
        (_, None) => Some(match endpoint {
            Some(_) => "check the network and `--endpoint-url`".to_owned(),
            None => "check the network, the region and any proxy (`HTTPS_PROXY`)".to_owned(),
        }),
        _ => None,
    };
    let d = Diagnostic::error(what.to_owned()).causes(e.causes());
    match hint {
        Some(h) => d.hint(h).into(),
        None => d.into(),
    }
}
