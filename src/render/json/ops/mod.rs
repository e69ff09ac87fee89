//! The operations of format 1: a mirror of `plan::Op` and its services' calls, field for
//! field, so that renaming an internal field cannot change the public format. Each
//! conversion matches exhaustively: a new internal call needs its line here.

mod budgets;
mod s3;
mod services;
mod sso;

use serde::Serialize;

use self::budgets::BudgetsView;
use self::s3::S3View;
use self::services::{CloudTrailView, CloudWatchView, IamView, LogsView, SnsView};
use self::sso::SsoView;
use super::specs::{ContactSpecView, ContactTypeView, RootCredentialView};
use crate::plan::{AccountOp, Op, OrganizationsOp, Ref, RootAccessOp};

/// A resource that exists (`{"id": …}`) or that an earlier change creates
/// (`{"planned": address}`).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefView<'a> {
    Id(&'a str),
    Planned(&'a str),
}

impl<'a> From<&'a Ref> for RefView<'a> {
    fn from(r: &'a Ref) -> Self {
        match r {
            Ref::Id(id) => RefView::Id(id),
            Ref::Planned(address) => RefView::Planned(address.as_str()),
        }
    }
}

/// A change's operation: `service` names the service, `call` the API call.
#[derive(Serialize)]
#[serde(tag = "service", rename_all = "snake_case")]
pub enum OpView<'a> {
    Organizations(OrganizationsView<'a>),
    Cloudwatch(CloudWatchView<'a>),
    Sns(SnsView<'a>),
    S3(S3View<'a>),
    Cloudtrail(CloudTrailView<'a>),
    Logs(LogsView<'a>),
    Iam(IamView<'a>),
    Sso(SsoView<'a>),
    Budgets(BudgetsView<'a>),
    Account(AccountView<'a>),
    RootAccess(RootAccessView<'a>),
}

impl<'a> From<&'a Op> for OpView<'a> {
    fn from(op: &'a Op) -> Self {
        match op {
            Op::Organizations(c) => OpView::Organizations(c.into()),
            Op::Cloudwatch(c) => OpView::Cloudwatch(c.into()),
            Op::Sns(c) => OpView::Sns(c.into()),
            Op::S3(c) => OpView::S3(c.into()),
            Op::Cloudtrail(c) => OpView::Cloudtrail(c.into()),
            Op::Logs(c) => OpView::Logs(c.into()),
            Op::Iam(c) => OpView::Iam(c.into()),
            Op::Sso(c) => OpView::Sso(c.into()),
            Op::Budgets(c) => OpView::Budgets(c.into()),
            Op::Account(c) => OpView::Account(c.into()),
            Op::RootAccess(c) => OpView::RootAccess(c.into()),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum OrganizationsView<'a> {
    EnablePolicyType {
        root_id: &'a str,
        policy_type: &'a str,
    },
    CreateOrganizationalUnit {
        parent: RefView<'a>,
        name: &'a str,
    },
    /// `policy_type` is the API's name of the type (`SERVICE_CONTROL_POLICY`).
    CreatePolicy {
        policy_type: &'static str,
        name: &'a str,
        description: &'a str,
        content: &'a str,
    },
    UpdatePolicy {
        policy_id: &'a str,
        description: &'a str,
        content: &'a str,
    },
    AttachPolicy {
        policy: RefView<'a>,
        target: RefView<'a>,
    },
    DetachPolicy {
        policy_id: &'a str,
        target_id: &'a str,
    },
    DeletePolicy {
        policy_id: &'a str,
    },
    TagResource {
        resource_id: &'a str,
    },
    EnableAwsServiceAccess {
        service_principal: &'a str,
    },
    CreateAccount {
        name: &'a str,
        email: &'a str,
    },
    MoveAccount {
        account: RefView<'a>,
        source: RefView<'a>,
        destination: RefView<'a>,
    },
}

impl<'a> From<&'a OrganizationsOp> for OrganizationsView<'a> {
    fn from(op: &'a OrganizationsOp) -> Self {
        use OrganizationsOp as O;
        use OrganizationsView as V;
        match op {
            O::EnablePolicyType { root_id, policy_type } => V::EnablePolicyType { root_id, policy_type },
            O::CreateOrganizationalUnit { parent, name } => V::CreateOrganizationalUnit {
                parent: parent.into(),
                name,
            },
            O::CreatePolicy {
                policy_type,
                name,
                description,
                content,
            } => V::CreatePolicy {
                policy_type: policy_type.api(),
                name,
                description,
                content,
            },
            O::UpdatePolicy {
                policy_id,
                description,
                content,
            } => V::UpdatePolicy {
                policy_id,
                description,
                content,
            },
            O::AttachPolicy { policy, target } => V::AttachPolicy {
                policy: policy.into(),
                target: target.into(),
            },
            O::DetachPolicy { policy_id, target_id } => V::DetachPolicy { policy_id, target_id },
            O::DeletePolicy { policy_id } => V::DeletePolicy { policy_id },
            O::TagResource { resource_id } => V::TagResource { resource_id },
            O::EnableAwsServiceAccess { service_principal } => V::EnableAwsServiceAccess { service_principal },
            O::CreateAccount { name, email } => V::CreateAccount { name, email },
            O::MoveAccount {
                account,
                source,
                destination,
            } => V::MoveAccount {
                account: account.into(),
                source: source.into(),
                destination: destination.into(),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum AccountView<'a> {
    PutAlternateContact {
        account: Option<RefView<'a>>,
        contact_type: ContactTypeView,
        contact: ContactSpecView<'a>,
    },
}

impl<'a> From<&'a AccountOp> for AccountView<'a> {
    fn from(op: &'a AccountOp) -> Self {
        match op {
            AccountOp::PutAlternateContact {
                account,
                contact_type,
                contact,
            } => AccountView::PutAlternateContact {
                account: account.as_ref().map(Into::into),
                contact_type: (*contact_type).into(),
                contact: contact.into(),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum RootAccessView<'a> {
    EnableOrganizationsRootCredentialsManagement,
    EnableOrganizationsRootSessions,
    DeleteRootCredential {
        account: &'a str,
        credential: RootCredentialView<'a>,
    },
}

impl<'a> From<&'a RootAccessOp> for RootAccessView<'a> {
    fn from(op: &'a RootAccessOp) -> Self {
        match op {
            RootAccessOp::EnableOrganizationsRootCredentialsManagement => {
                RootAccessView::EnableOrganizationsRootCredentialsManagement
            }
            RootAccessOp::EnableOrganizationsRootSessions => RootAccessView::EnableOrganizationsRootSessions,
            RootAccessOp::DeleteRootCredential { account, credential } => RootAccessView::DeleteRootCredential {
                account,
                credential: credential.into(),
            },
        }
    }
}
