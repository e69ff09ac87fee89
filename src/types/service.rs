//! Every AWS service plinth calls, in one table: the name the SDK gives it (what the call
//! counter records and the pacer is asked with), its IAM action prefix, the name
//! `--max-rate` lowers its budget by, and how many of its changes an apply runs at once.
//! A new service is one [`Service`] variant and its row in [`Service::row`]; the engine's
//! lanes, the counter's IAM actions, the quota table, `--max-rate` and each adapter's
//! `SERVICE` name all come from here.
//!
//! The table lives in `types`, a leaf of the layers, so that both `plan` (`Op::service`)
//! and `aws` (adapters, counter, pacer) can use it.

/// An AWS service plinth calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Organizations,
    Sso,
    IdentityStore,
    CloudWatch,
    CloudTrail,
    Sns,
    S3,
    Logs,
    Iam,
    DynamoDb,
    Sts,
    Budgets,
    Account,
}

/// A service's row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The name the SDK gives the service (its operations' metadata): `SSO Admin`.
    pub sdk: &'static str,
    /// The prefix of its IAM actions: `sso`.
    pub iam: &'static str,
    /// The name `--max-rate` lowers its budget by: its IAM prefix, but the identity store
    /// is `sso` (IAM Identity Center's APIs share one limit).
    pub max_rate: &'static str,
    /// Changes of the service an apply runs at once, in its lane.
    pub lane_width: usize,
}

/// Changes of one service other than IAM Identity Center that run at once (each waits
/// for its quota's token anyway; more would only queue against the attempt timeout).
const OTHER_CHANGES_AT_ONCE: usize = 4;
/// IAM Identity Center changes that run at once. Its requests wait for the service's rate
/// limiter inside the SDK call, where the wait counts against the attempt timeout: this
/// keeps the queue at about a second (20 requests at 20 per second).
const SSO_CHANGES_AT_ONCE: usize = 20;

const fn row(sdk: &'static str, iam: &'static str) -> Row {
    Row {
        sdk,
        iam,
        max_rate: iam,
        lane_width: OTHER_CHANGES_AT_ONCE,
    }
}

impl Service {
    /// Every service, in the order `--max-rate` lists them.
    pub const ALL: &'static [Service] = &[
        Service::Organizations,
        Service::Sso,
        Service::IdentityStore,
        Service::CloudWatch,
        Service::CloudTrail,
        Service::Sns,
        Service::S3,
        Service::Logs,
        Service::Iam,
        Service::DynamoDb,
        Service::Sts,
        Service::Budgets,
        Service::Account,
    ];

    /// The table.
    pub const fn row(self) -> Row {
        match self {
            Service::Organizations => row("Organizations", "organizations"),
            Service::Sso => Row {
                lane_width: SSO_CHANGES_AT_ONCE,
                ..row("SSO Admin", "sso")
            },
            Service::IdentityStore => Row {
                max_rate: "sso",
                ..row("identitystore", "identitystore")
            },
            Service::CloudWatch => row("CloudWatch", "cloudwatch"),
            Service::CloudTrail => row("CloudTrail", "cloudtrail"),
            Service::Sns => row("SNS", "sns"),
            Service::S3 => row("S3", "s3"),
            Service::Logs => row("CloudWatch Logs", "logs"),
            Service::Iam => row("IAM", "iam"),
            Service::DynamoDb => row("DynamoDB", "dynamodb"),
            Service::Sts => row("STS", "sts"),
            Service::Budgets => row("Budgets", "budgets"),
            Service::Account => row("Account", "account"),
        }
    }

    /// The name the SDK gives the service: `SSO Admin`.
    pub const fn sdk_name(self) -> &'static str {
        self.row().sdk
    }

    /// The prefix of its IAM actions: `sso`.
    pub const fn iam_prefix(self) -> &'static str {
        self.row().iam
    }

    /// Its budget's name for `--max-rate`.
    pub const fn max_rate_name(self) -> &'static str {
        self.row().max_rate
    }

    /// Changes of it an apply runs at once.
    pub const fn lane_width(self) -> usize {
        self.row().lane_width
    }

    /// The service the SDK names so.
    pub fn from_sdk(name: &str) -> Option<Service> {
        Service::ALL.iter().copied().find(|s| s.sdk_name() == name)
    }

    /// The names `--max-rate` takes, each once, in table order.
    pub fn max_rate_names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for s in Service::ALL {
            if !names.contains(&s.max_rate_name()) {
                names.push(s.max_rate_name());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_names_one_service() {
        for (i, a) in Service::ALL.iter().enumerate() {
            assert_eq!(Service::from_sdk(a.sdk_name()), Some(*a));
            for b in &Service::ALL[i + 1..] {
                assert_ne!(a.sdk_name(), b.sdk_name());
                assert_ne!(a.iam_prefix(), b.iam_prefix());
            }
        }
        assert_eq!(Service::from_sdk("CloudWatchLogs"), None);
        assert_eq!(Service::Logs.sdk_name(), "CloudWatch Logs");
    }

    #[test]
    fn max_rate_names_are_iam_prefixes_and_the_identity_store_shares_sso() {
        let names = Service::max_rate_names();
        assert_eq!(names.len(), Service::ALL.len() - 1);
        assert!(names.contains(&"account") && names.contains(&"budgets"));
        for s in Service::ALL {
            let shares = *s == Service::IdentityStore;
            assert_eq!(s.max_rate_name() == s.iam_prefix(), !shares, "{s:?}");
        }
        assert_eq!(Service::IdentityStore.max_rate_name(), Service::Sso.max_rate_name());
    }
}
