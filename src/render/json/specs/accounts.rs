//! What the operations on accounts and their access carry: permission sets and their
//! boundaries, principals, alternate contacts, root user credentials.

use serde::Serialize;

use super::strs;
use crate::observed::{Boundary, ContactSpec, ContactType, PermissionSetSpec, PrincipalKind, RootCredential};

#[derive(Serialize)]
pub struct PermissionSetView<'a> {
    name: &'a str,
    description: Option<&'a str>,
    session_duration: &'a str,
    relay_state: Option<&'a str>,
    managed_policies: Vec<&'a str>,
    /// `[name, path]` pairs.
    customer_managed_policies: Vec<(&'a str, &'a str)>,
    inline_policy: Option<&'a str>,
    permissions_boundary: Option<BoundaryView<'a>>,
}

impl<'a> From<&'a PermissionSetSpec> for PermissionSetView<'a> {
    fn from(p: &'a PermissionSetSpec) -> Self {
        let PermissionSetSpec {
            name,
            description,
            session_duration,
            relay_state,
            managed_policies,
            customer_managed_policies,
            inline_policy,
            permissions_boundary,
        } = p;
        PermissionSetView {
            name,
            description: description.as_deref(),
            session_duration,
            relay_state: relay_state.as_deref(),
            managed_policies: strs(managed_policies),
            customer_managed_policies: customer_managed_policies
                .iter()
                .map(|(name, path)| (name.as_str(), path.as_str()))
                .collect(),
            inline_policy: inline_policy.as_deref(),
            permissions_boundary: permissions_boundary.as_ref().map(Into::into),
        }
    }
}

/// `{"managed_policy": {"arn": …}}` or `{"customer_managed_policy": {"name": …, "path": …}}`.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryView<'a> {
    ManagedPolicy { arn: &'a str },
    CustomerManagedPolicy { name: &'a str, path: &'a str },
}

impl<'a> From<&'a Boundary> for BoundaryView<'a> {
    fn from(b: &'a Boundary) -> Self {
        match b {
            Boundary::ManagedPolicy { arn } => BoundaryView::ManagedPolicy { arn },
            Boundary::CustomerManagedPolicy { name, path } => BoundaryView::CustomerManagedPolicy { name, path },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKindView {
    Group,
    User,
}

impl From<PrincipalKind> for PrincipalKindView {
    fn from(k: PrincipalKind) -> Self {
        match k {
            PrincipalKind::Group => PrincipalKindView::Group,
            PrincipalKind::User => PrincipalKindView::User,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactTypeView {
    Security,
    Billing,
    Operations,
}

impl From<ContactType> for ContactTypeView {
    fn from(t: ContactType) -> Self {
        match t {
            ContactType::Security => ContactTypeView::Security,
            ContactType::Billing => ContactTypeView::Billing,
            ContactType::Operations => ContactTypeView::Operations,
        }
    }
}

#[derive(Serialize)]
pub struct ContactSpecView<'a> {
    name: &'a str,
    title: &'a str,
    email: &'a str,
    phone: &'a str,
}

impl<'a> From<&'a ContactSpec> for ContactSpecView<'a> {
    fn from(c: &'a ContactSpec) -> Self {
        let ContactSpec {
            name,
            title,
            email,
            phone,
        } = c;
        ContactSpecView {
            name,
            title,
            email,
            phone,
        }
    }
}

/// `{"kind": "password"}` or `{"kind": "access_key", "id": …}` and the like.
#[derive(Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RootCredentialView<'a> {
    Password,
    AccessKey(&'a str),
    SigningCertificate(&'a str),
    MfaDevice(&'a str),
}

impl<'a> From<&'a RootCredential> for RootCredentialView<'a> {
    fn from(c: &'a RootCredential) -> Self {
        match c {
            RootCredential::Password => RootCredentialView::Password,
            RootCredential::AccessKey(id) => RootCredentialView::AccessKey(id),
            RootCredential::SigningCertificate(id) => RootCredentialView::SigningCertificate(id),
            RootCredential::MfaDevice(serial) => RootCredentialView::MfaDevice(serial),
        }
    }
}
