//! IAM's centralized root access: the organization's features and member accounts' root
//! user credentials.

use serde::{Deserialize, Serialize};

/// Which of IAM's centralized root access features the organization has on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFeatures {
    /// `RootCredentialsManagement`: member accounts without root credentials.
    pub credentials_management: bool,
    /// `RootSessions`: privileged tasks through `sts:AssumeRoot`.
    pub root_sessions: bool,
}

/// What a member account's root user has that lets someone sign in or call AWS as it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootCredentials {
    pub password: bool,
    pub access_keys: Vec<String>,
    pub signing_certificates: Vec<String>,
    pub mfa_devices: Vec<String>,
}

impl RootCredentials {
    /// Each credential, one by one.
    pub fn each(&self) -> Vec<RootCredential> {
        let mut out = Vec::new();
        if self.password {
            out.push(RootCredential::Password);
        }
        out.extend(self.access_keys.iter().cloned().map(RootCredential::AccessKey));
        out.extend(
            self.signing_certificates
                .iter()
                .cloned()
                .map(RootCredential::SigningCertificate),
        );
        out.extend(self.mfa_devices.iter().cloned().map(RootCredential::MfaDevice));
        out
    }
}

/// One root user credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RootCredential {
    Password,
    AccessKey(String),
    SigningCertificate(String),
    MfaDevice(String),
}

impl RootCredential {
    /// How a plan names it: `password`, `access_key.AKIA…`.
    pub fn label(&self) -> String {
        match self {
            RootCredential::Password => "password".into(),
            RootCredential::AccessKey(id) => format!("access_key.{id}"),
            RootCredential::SigningCertificate(id) => format!("signing_certificate.{id}"),
            RootCredential::MfaDevice(serial) => format!("mfa_device.{serial}"),
        }
    }

    /// For people: `a console password`, `access key AKIA…`.
    pub fn describe(&self) -> String {
        match self {
            RootCredential::Password => "a console password".into(),
            RootCredential::AccessKey(id) => format!("access key `{id}`"),
            RootCredential::SigningCertificate(id) => format!("signing certificate `{id}`"),
            RootCredential::MfaDevice(serial) => format!("MFA device `{serial}`"),
        }
    }
}

/// The audit of one member account's root user: its credentials, or why AWS refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootAudit {
    Credentials(RootCredentials),
    /// `AssumeRoot` or a read was refused (an SCP, a permissions boundary).
    Refused(String),
}
