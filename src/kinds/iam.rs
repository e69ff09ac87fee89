//! What each part of plinth needs of IAM: the actions it calls ([`IamActions`]) and, for
//! the writes whose resources plinth names itself or reads from the baseline, those
//! resources ([`Scope`]). `plinth iam-policy` (src/iam_policy.rs) turns them into the
//! policies of `deploy/iam/`: an action no scope names is allowed on `*`; a scoped one only
//! on its resources.

use super::BaselineFile;

/// IAM actions a part of plinth calls (or AWS checks behind a call, like `TagResource` for
/// a create with tags). The plan policy allows every `plan` action of the engine and the
/// kinds; the apply policy allows those and every `apply` and `delete` action.
#[derive(Debug, Clone, Copy)]
pub struct IamActions {
    /// Reads a plan makes.
    pub plan: &'static [&'static str],
    /// What only an apply needs: writes, and the reads that go with them. A write whose
    /// resource plinth knows is listed in a [`Scope`] instead, and only there.
    pub apply: &'static [&'static str],
    /// Writes that take a control away (delete, detach): only with `--allow-delete`, so
    /// a scheduled role without it (`plinth iam-policy apply --repair ...`) lacks them.
    pub delete: &'static [&'static str],
}

impl IamActions {
    pub const NONE: IamActions = IamActions {
        plan: &[],
        apply: &[],
        delete: &[],
    };
}

/// A kind's declarations, as the registry lists them.
#[derive(Debug, Clone, Copy)]
pub struct KindIam {
    pub kind: &'static str,
    /// The `--repair` value that repairs it.
    pub repaired_with: super::KindId,
    pub actions: IamActions,
    pub scopes: &'static [Scope],
    /// [`super::Kind::declared`] of the baseline's section.
    pub declared: fn(&BaselineFile) -> bool,
}

/// Which policy a scoped statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Both: the plan policy and the apply policy.
    Plan,
    /// The apply policy only.
    Apply,
    /// The apply policy, when it may delete ([`IamActions::delete`]).
    Delete,
}

/// One condition of a scoped statement: `{operator: {key: values}}`.
#[derive(Debug, Clone, Copy)]
pub struct Condition {
    pub operator: &'static str,
    pub key: &'static str,
    pub values: &'static [&'static str],
}

/// Actions allowed only on the resources plinth writes: a statement of its own.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The statement's `Sid`; unique across plinth.
    pub sid: &'static str,
    pub phase: Phase,
    /// Allowed only on `resources` (a read listed in [`IamActions`] too stays allowed on
    /// `*` as well).
    pub actions: &'static [&'static str],
    /// The resource ARNs (IAM wildcards allowed), from the names plinth fixes and, when
    /// there is one, the baseline's.
    pub resources: fn(&Names<'_>) -> Vec<String>,
    pub condition: Option<Condition>,
}

/// What resource ARNs are made of. Without a baseline (`deploy/iam/`), every name the
/// baseline would give is a wildcard; with one, the exact names it gives.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// The management account's id; `*` without a baseline.
    pub account: &'a str,
    pub baseline: Option<&'a BaselineFile>,
    /// The SNS topic `reconcile --notify-topic` publishes to, when known.
    pub notify_topic: Option<&'a str>,
}

impl Names<'_> {
    /// No baseline: names plinth fixes, wildcards for the rest.
    pub const GENERIC: Names<'static> = Names {
        account: "*",
        baseline: None,
        notify_topic: None,
    };

    /// An ARN of a resource in the management account, in us-east-1 where the service is
    /// regional (every regional resource plinth writes lives there).
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{region}:{}:{resource}", self.account)
    }
}
