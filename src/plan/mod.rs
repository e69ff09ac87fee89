//! The plan as data: what differs between the baseline and the live organization, and
//! the changes that would make them match. Each change carries its kind, its address,
//! the reason, before and after, and the AWS operation ([`ops`]) that makes it.
//!
//! The kinds' planners (`src/kinds/`) build plans; renderers (`src/render/`) and apply
//! read them. Nothing here knows a kind by name.

mod address;
mod graph;
pub mod impact;
mod need;
pub mod ops;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::policy::diff::StatementDiff;
pub use address::{AddrMap, Address, BadAddress};
pub use graph::GraphError;
pub use need::Need;
pub use ops::*;

/// What a change does. Each action carries the symbol plans show it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Take over a resource that exists and matches the baseline's name: add plinth's
    /// ownership tag and nothing else (a difference is a separate update after it).
    Adopt,
    Enable,
    Create,
    Update,
    Attach,
    Detach,
    Delete,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Adopt => "=",
            Action::Enable | Action::Create | Action::Attach => "+",
            Action::Update => "~",
            Action::Detach | Action::Delete => "-",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Adopt => "adopt",
            Action::Enable => "enable",
            Action::Create => "create",
            Action::Update => "update",
            Action::Attach => "attach",
            Action::Detach => "detach",
            Action::Delete => "delete",
        }
    }
    pub const ALL: [Action; 7] = [
        Action::Adopt,
        Action::Enable,
        Action::Create,
        Action::Update,
        Action::Attach,
        Action::Detach,
        Action::Delete,
    ];
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value of the plan as JSON: a change's before and after, a saved plan's fingerprint.
/// Plan values are plain data (string keys, no fallible `Serialize`), so this cannot fail;
/// if it ever did, that is plinth's bug, never a `null` that would compare equal to
/// another failure.
pub fn value<T: Serialize + ?Sized>(v: &T) -> Value {
    serde_json::to_value(v).expect("plan values are plain data and serialise")
}

/// One change in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The kind the change belongs to: `scp`, `trail`, `organizational_units`.
    pub kind: String,
    /// Stable name of the resource or relation, starting with the kind: `scp.region_deny`,
    /// `scp.region_deny -> ou:Workloads/Prod`, `organizational_units.Workloads`.
    pub address: Address,
    pub action: Action,
    /// Why: what differs between the baseline and the live state.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<Value>,
    /// For policy updates: the statements that differ.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub statement_diff: Vec<StatementDiff>,
    /// Addresses of changes that must succeed first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<Address>,
    pub op: Op,
    /// The member account the change acts in, through a session there
    /// (`aws::member`); `None` for the management account, where plinth runs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub account: Option<String>,
    /// The accounts the change reaches and what they gain or lose ([`impact`]); none for
    /// changes that reach no account's permissions (a trail, an alarm, a budget).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub impact: Option<impact::Impact>,
    /// Changes of kinds planned later that this one waits for if they are planned:
    /// [`Plan::finish`] moves those into `depends_on` and drops the rest.
    #[serde(skip)]
    if_planned: Vec<Address>,
}

impl Change {
    pub fn new(address: Address, action: Action, reason: impl Into<String>, op: Op) -> Change {
        Change {
            kind: address.kind().to_owned(),
            address,
            action,
            reason: reason.into(),
            before: None,
            after: None,
            statement_diff: Vec::new(),
            depends_on: Vec::new(),
            op,
            account: None,
            impact: None,
            if_planned: Vec::new(),
        }
    }

    pub fn before(mut self, v: Option<Value>) -> Change {
        self.before = v;
        self
    }

    pub fn after(mut self, v: Option<Value>) -> Change {
        self.after = v;
        self
    }

    pub fn depends_on(mut self, deps: Vec<Address>) -> Change {
        self.depends_on = deps;
        self
    }

    /// Wait for changes a kind later in the registry may plan (the billing topic, for
    /// the trail's root-usage alarm): kept if they are in the finished plan, dropped if
    /// not, since then what they would make exists already.
    pub fn depends_on_if_planned(mut self, deps: Vec<Address>) -> Change {
        self.if_planned = deps;
        self
    }

    /// Act in member account `account` (its session's credentials) instead of the
    /// management account.
    pub fn in_account(mut self, account: impl Into<String>) -> Change {
        self.account = Some(account.into());
        self
    }

    pub fn impact(mut self, impact: Option<impact::Impact>) -> Change {
        self.impact = impact;
        self
    }
}

/// The change that puts a policy document in place when the live one (as AWS returns it)
/// is missing or means something else; `None` when they are equivalent. Create when there
/// is none, update otherwise, with before, after and the statement-level diff; `op` gets
/// the minified document to send.
pub fn policy_document_change(
    address: Address,
    live: Option<&str>,
    want: &Value,
    (missing, differs): (&str, &str),
    op: impl FnOnce(String) -> Op,
) -> Option<Change> {
    let live: Option<Value> = live.and_then(|p| serde_json::from_str(p).ok());
    if live
        .as_ref()
        .is_some_and(|l| crate::policy::normalize::equivalent(l, want))
    {
        return None;
    }
    let (action, reason) = match &live {
        None => (Action::Create, missing),
        Some(_) => (Action::Update, differs),
    };
    let mut change = Change::new(address, action, reason, op(crate::policy::minify(want)))
        .before(live.clone())
        .after(Some(want.clone()));
    if let Some(l) = &live {
        change.statement_diff = crate::policy::diff::diff(l, want);
    }
    Some(change)
}

/// A resource plinth owns that the baseline no longer declares. Kept unless the run
/// allows deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Orphan {
    pub address: Address,
    pub reason: String,
}

/// A target of the baseline that live names make ambiguous (two accounts of one name, an
/// OU named like a nested path): plinth cannot tell which resource the baseline means, so
/// the target's changes are left out of the plan, and nothing is detached from or deleted
/// in any resource it could mean. An error, reported with the plan; the rest of the plan
/// goes ahead, so one hostile name cannot stop the repair of the whole organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The target as the baseline writes it: `ou:Workloads/Prod`, `account:payments`.
    pub target: String,
    /// Where the baseline names it: `baseline.toml:12:14`.
    pub at: String,
    /// What is wrong, naming the live resources it could mean.
    pub error: String,
    /// The live ids it could mean.
    pub ids: Vec<String>,
    /// What resolves it, for a kind left out by its own error (a foreign bucket, another
    /// tool's tag); `None` for an ambiguous name, whose remedy the renderers state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Blocked {
    /// `` `ou:Workloads/Prod` (baseline.toml:13:11): why ``, hidden characters of live
    /// names shown as escapes (for logs; renderers escape for their own formats).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::diag::printable;
        write!(
            f,
            "`{}` ({}): {}",
            printable(&self.target),
            printable(&self.at),
            printable(&self.error)
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    #[serde(default)]
    pub orphans: Vec<Orphan>,
    /// Targets left out of the plan because live names make them ambiguous: errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<Blocked>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Facts worth knowing that need no change, such as subscriptions awaiting confirmation.
    #[serde(default)]
    pub notes: Vec<String>,
    /// What planning must read before it can decide ([`Need`]): the engine reads it and
    /// plans again. Never rendered nor saved.
    #[serde(skip)]
    pub needs: std::collections::BTreeSet<Need>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of each action, in a fixed order.
    pub fn summary(&self) -> BTreeMap<Action, usize> {
        let mut counts = BTreeMap::new();
        for c in &self.changes {
            *counts.entry(c.action).or_insert(0) += 1;
        }
        counts
    }

    pub fn find(&self, address: impl AsRef<str>) -> Option<&Change> {
        let address = address.as_ref();
        self.changes.iter().find(|c| c.address == address)
    }

    /// Add a change; [`Plan::finish`] checks that its address is the only one.
    pub fn add(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Record a blocked target once (several kinds may name the same one at one place).
    pub fn block(&mut self, blocked: Blocked) {
        if !self
            .blocked
            .iter()
            .any(|b| b.target == blocked.target && b.at == blocked.at)
        {
            self.blocked.push(blocked);
        }
    }

    /// Record what a decision needs read first; the engine reads it and plans again.
    pub fn need(&mut self, need: Need) {
        self.needs.insert(need);
    }

    /// Whether a live id is one a blocked target could mean: nothing is detached from it
    /// or deleted in it while the target is blocked.
    pub fn is_blocked(&self, id: &str) -> bool {
        self.blocked.iter().any(|b| b.ids.iter().any(|i| i == id))
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Delete owned resources the baseline no longer declares.
    pub allow_delete: bool,
}
