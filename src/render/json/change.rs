//! A change as format 1 writes it: its action, the statement-level diff of a policy, its
//! impact on accounts, and its operation ([`super::ops`]).

use serde::Serialize;
use serde_json::Value;

use super::ops::OpView;
use crate::plan::impact::{Effect, Impact, ImpactAccount, Subject};
use crate::plan::{Action, Change};
use crate::policy::diff::StatementDiff;

#[derive(Serialize)]
pub struct ChangeView<'a> {
    kind: &'a str,
    address: &'a str,
    action: ActionView,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<&'a Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    statement_diff: Vec<StatementDiffView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<&'a str>,
    op: OpView<'a>,
    /// The member account the change acts in; absent for the management account.
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<ImpactView<'a>>,
}

impl<'a> From<&'a Change> for ChangeView<'a> {
    fn from(c: &'a Change) -> Self {
        ChangeView {
            kind: &c.kind,
            address: c.address.as_str(),
            action: c.action.into(),
            reason: &c.reason,
            before: c.before.as_ref(),
            after: c.after.as_ref(),
            statement_diff: c.statement_diff.iter().map(Into::into).collect(),
            depends_on: c.depends_on.iter().map(|a| a.as_str()).collect(),
            op: (&c.op).into(),
            account: c.account.as_deref(),
            impact: c.impact.as_ref().map(Into::into),
        }
    }
}

/// What a change does, by its name in format 1: the plan's `summary` counts by it too.
#[derive(Clone, Copy)]
pub enum ActionView {
    Adopt,
    Enable,
    Create,
    Update,
    Attach,
    Detach,
    Delete,
}

impl ActionView {
    pub fn name(self) -> &'static str {
        match self {
            ActionView::Adopt => "adopt",
            ActionView::Enable => "enable",
            ActionView::Create => "create",
            ActionView::Update => "update",
            ActionView::Attach => "attach",
            ActionView::Detach => "detach",
            ActionView::Delete => "delete",
        }
    }
}

impl Serialize for ActionView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl From<Action> for ActionView {
    fn from(a: Action) -> Self {
        match a {
            Action::Adopt => ActionView::Adopt,
            Action::Enable => ActionView::Enable,
            Action::Create => ActionView::Create,
            Action::Update => ActionView::Update,
            Action::Attach => ActionView::Attach,
            Action::Detach => ActionView::Detach,
            Action::Delete => ActionView::Delete,
        }
    }
}

/// How one statement of a policy differs: `{"change": "added" | "removed" | "changed", …}`.
#[derive(Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum StatementDiffView<'a> {
    Added {
        sid: Option<&'a str>,
        after: &'a Value,
    },
    Removed {
        sid: Option<&'a str>,
        before: &'a Value,
    },
    Changed {
        sid: &'a str,
        before: &'a Value,
        after: &'a Value,
    },
}

impl<'a> From<&'a StatementDiff> for StatementDiffView<'a> {
    fn from(d: &'a StatementDiff) -> Self {
        match d {
            StatementDiff::Added { sid, after } => StatementDiffView::Added {
                sid: sid.as_deref(),
                after,
            },
            StatementDiff::Removed { sid, before } => StatementDiffView::Removed {
                sid: sid.as_deref(),
                before,
            },
            StatementDiff::Changed { sid, before, after } => StatementDiffView::Changed { sid, before, after },
        }
    }
}

/// The accounts a change reaches and what they gain or lose.
#[derive(Serialize)]
pub struct ImpactView<'a> {
    subject: SubjectView,
    what: &'a str,
    effect: EffectView,
    accounts: Vec<ImpactAccountView<'a>>,
    ous: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    not_affected: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    gains: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    loses: &'a [String],
}

impl<'a> From<&'a Impact> for ImpactView<'a> {
    fn from(i: &'a Impact) -> Self {
        let Impact {
            subject,
            what,
            effect,
            accounts,
            ous,
            not_affected,
            gains,
            loses,
        } = i;
        ImpactView {
            subject: (*subject).into(),
            what,
            effect: (*effect).into(),
            accounts: accounts.iter().map(Into::into).collect(),
            ous,
            not_affected: not_affected.as_deref(),
            gains,
            loses,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectView {
    Policy,
    Access,
    Account,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        match s {
            Subject::Policy => SubjectView::Policy,
            Subject::Access => SubjectView::Access,
            Subject::Account => SubjectView::Account,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectView {
    Gain,
    Lose,
    Change,
    Move,
}

impl From<Effect> for EffectView {
    fn from(e: Effect) -> Self {
        match e {
            Effect::Gain => EffectView::Gain,
            Effect::Lose => EffectView::Lose,
            Effect::Change => EffectView::Change,
            Effect::Move => EffectView::Move,
        }
    }
}

/// An account a change reaches: its name, and its id unless the plan creates it.
#[derive(Serialize)]
pub struct ImpactAccountView<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

impl<'a> From<&'a ImpactAccount> for ImpactAccountView<'a> {
    fn from(a: &'a ImpactAccount) -> Self {
        ImpactAccountView {
            name: &a.name,
            id: a.id.as_deref(),
        }
    }
}
