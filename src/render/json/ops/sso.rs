//! IAM Identity Center's operations: on the organization's instance, the call's fields
//! beside the instance's.

use serde::Serialize;

use super::RefView;
use crate::plan::{SsoCall, SsoOp};
use crate::render::json::specs::{BoundaryView, PermissionSetView, PrincipalKindView};

#[derive(Serialize)]
pub struct SsoView<'a> {
    region: &'a str,
    instance_arn: &'a str,
    #[serde(flatten)]
    call: SsoCallView<'a>,
}

impl<'a> From<&'a SsoOp> for SsoView<'a> {
    fn from(op: &'a SsoOp) -> Self {
        SsoView {
            region: &op.region,
            instance_arn: &op.instance_arn,
            call: (&op.call).into(),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "call")]
pub enum SsoCallView<'a> {
    CreatePermissionSet {
        spec: PermissionSetView<'a>,
    },
    UpdatePermissionSet {
        permission_set: &'a str,
        description: Option<&'a str>,
        session_duration: &'a str,
        relay_state: Option<&'a str>,
    },
    AttachManagedPolicy {
        permission_set: &'a str,
        policy_arn: &'a str,
    },
    DetachManagedPolicy {
        permission_set: &'a str,
        policy_arn: &'a str,
    },
    AttachCustomerManagedPolicy {
        permission_set: &'a str,
        name: &'a str,
        path: &'a str,
    },
    DetachCustomerManagedPolicy {
        permission_set: &'a str,
        name: &'a str,
        path: &'a str,
    },
    PutInlinePolicy {
        permission_set: &'a str,
        policy: &'a str,
    },
    DeleteInlinePolicy {
        permission_set: &'a str,
    },
    PutPermissionsBoundary {
        permission_set: &'a str,
        boundary: BoundaryView<'a>,
    },
    DeletePermissionsBoundary {
        permission_set: &'a str,
    },
    ProvisionPermissionSet {
        permission_set: &'a str,
    },
    CreateAccountAssignment {
        permission_set: RefView<'a>,
        account: RefView<'a>,
        principal_kind: PrincipalKindView,
        principal_id: &'a str,
    },
    DeleteAccountAssignment {
        permission_set: &'a str,
        account: &'a str,
        principal_kind: PrincipalKindView,
        principal_id: &'a str,
    },
    DeletePermissionSet {
        permission_set: &'a str,
    },
    TagResource {
        permission_set: &'a str,
    },
}

impl<'a> From<&'a SsoCall> for SsoCallView<'a> {
    fn from(call: &'a SsoCall) -> Self {
        use SsoCall as C;
        use SsoCallView as V;
        match call {
            C::CreatePermissionSet { spec } => V::CreatePermissionSet {
                spec: spec.as_ref().into(),
            },
            C::UpdatePermissionSet {
                permission_set,
                description,
                session_duration,
                relay_state,
            } => V::UpdatePermissionSet {
                permission_set,
                description: description.as_deref(),
                session_duration,
                relay_state: relay_state.as_deref(),
            },
            C::AttachManagedPolicy {
                permission_set,
                policy_arn,
            } => V::AttachManagedPolicy {
                permission_set,
                policy_arn,
            },
            C::DetachManagedPolicy {
                permission_set,
                policy_arn,
            } => V::DetachManagedPolicy {
                permission_set,
                policy_arn,
            },
            C::AttachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => V::AttachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            },
            C::DetachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            } => V::DetachCustomerManagedPolicy {
                permission_set,
                name,
                path,
            },
            C::PutInlinePolicy { permission_set, policy } => V::PutInlinePolicy { permission_set, policy },
            C::DeleteInlinePolicy { permission_set } => V::DeleteInlinePolicy { permission_set },
            C::PutPermissionsBoundary {
                permission_set,
                boundary,
            } => V::PutPermissionsBoundary {
                permission_set,
                boundary: boundary.into(),
            },
            C::DeletePermissionsBoundary { permission_set } => V::DeletePermissionsBoundary { permission_set },
            C::ProvisionPermissionSet { permission_set } => V::ProvisionPermissionSet { permission_set },
            C::CreateAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => V::CreateAccountAssignment {
                permission_set: permission_set.into(),
                account: account.into(),
                principal_kind: (*principal_kind).into(),
                principal_id,
            },
            C::DeleteAccountAssignment {
                permission_set,
                account,
                principal_kind,
                principal_id,
            } => V::DeleteAccountAssignment {
                permission_set,
                account,
                principal_kind: (*principal_kind).into(),
                principal_id,
            },
            C::DeletePermissionSet { permission_set } => V::DeletePermissionSet { permission_set },
            C::TagResource { permission_set } => V::TagResource { permission_set },
        }
    }
}
