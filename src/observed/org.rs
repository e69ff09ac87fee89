//! The organization's structure as plinth reads it, and what the baseline's targets mean
//! in it: OUs found name by name from the root, accounts by id, never a live name taken
//! for identity ([`OrgState::ou_at`], [`OrgState::resolve`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::OtherManager;
use crate::types::policy_types::PolicyType;
use crate::types::{OuPath, Target};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgState {
    pub organization_id: String,
    pub management_account_id: String,
    pub root_id: String,
    /// Whether the SERVICE_CONTROL_POLICY type is enabled on the root.
    pub scp_enabled: bool,
    pub ous: Vec<Ou>,
    pub accounts: Vec<Account>,
    pub scps: Vec<Scp>,
    /// SCP ids attached directly to each target a plan needed them of (root, OU or
    /// account id; `plan::Need`). A target without a list here is not known, never empty.
    pub attached: BTreeMap<String, Vec<String>>,
    /// Accounts directly in each OU plinth looked at (those IAM Identity Center
    /// assignments target, and everything below them), by OU id.
    #[serde(default)]
    pub ou_accounts: BTreeMap<String, Vec<String>>,
    /// Policies of the other types plinth read: those the baseline declares, and those
    /// enabled on the root (where plinth's orphans can be). SCPs keep the fields above.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policy_sets: BTreeMap<PolicyType, PolicySet>,
}

/// An account's effective policy of one management policy type: what AWS makes of the
/// policies of the type attached to the root, the account's OUs and the account
/// (`DescribeEffectivePolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePolicy {
    pub account_id: String,
    pub policy_type: PolicyType,
    /// The document as AWS gives it; `None` when no policy of the type reaches the account.
    pub content: Option<String>,
}

/// The policies of one type other than SCPs, as [`OrgState`] holds SCPs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicySet {
    /// Whether the type is enabled on the root.
    pub enabled: bool,
    pub policies: Vec<Scp>,
    /// Policy ids of the type attached directly to each target a plan needed them of
    /// (`plan::Need`). A target without a list here is not known, never empty.
    pub attached: BTreeMap<String, Vec<String>>,
}

/// The policies of one type, SCPs or another, as planners read them.
#[derive(Debug, Clone, Copy)]
pub struct PolicyView<'a> {
    pub policy_type: PolicyType,
    pub enabled: bool,
    pub policies: &'a [Scp],
    pub attached: &'a BTreeMap<String, Vec<String>>,
}

impl PolicyView<'_> {
    pub fn by_id(&self, id: &str) -> Option<&Scp> {
        self.policies.iter().find(|p| p.id == id)
    }
}

static NOTHING_ATTACHED: BTreeMap<String, Vec<String>> = BTreeMap::new();

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ou {
    pub id: String,
    /// Its own name, as AWS has it: anyone allowed to name an OU chooses it, `/` included.
    pub name: String,
    /// The OU or root it sits in.
    pub parent_id: String,
    /// Its ancestors' names and its own joined with `/`, `Workloads/Prod`: for people to
    /// read, never to find an OU by (a root-level OU may be named `Workloads/Prod`); a
    /// baseline path is resolved name by name from the root ([`OrgState::ou_at`]).
    pub path: String,
}

impl Ou {
    /// OUs from `(id, path)` pairs, parents before children, each placed under the OU of
    /// its parent path (or the root): for states built by hand, such as tests'.
    pub fn tree(root_id: &str, ous: &[(&str, &str)]) -> Vec<Ou> {
        let mut out: Vec<Ou> = Vec::new();
        for (id, path) in ous {
            let (parent, name) = match path.rsplit_once('/') {
                Some((parent, name)) => (
                    out.iter()
                        .find(|o| o.path == parent)
                        .map_or_else(|| root_id.to_owned(), |o| o.id.clone()),
                    name,
                ),
                None => (root_id.to_owned(), *path),
            };
            out.push(Ou {
                id: (*id).to_owned(),
                name: name.to_owned(),
                parent_id: parent,
                path: (*path).to_owned(),
            });
        }
        out
    }
}

/// The ids a name could mean, and the error that says so.
pub type Ambiguity = (Vec<String>, String);

/// What a baseline OU path means in the live organization.
#[derive(Debug, Clone, PartialEq)]
pub enum OuLookup<'a> {
    Found(&'a Ou),
    Missing,
    /// More than one live OU could be meant (the ids, the one found name by name first
    /// when there is one), and the error that says so.
    Ambiguous {
        ids: Vec<String>,
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// The OU or root it sits in; read for accounts the baseline declares and those in
    /// the OUs plinth lists (`ou_accounts`).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Suspended or closing: it gets no new assignments or alarms from `root` and OU targets.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
}

/// An organization policy of any type (SCPs were the first plinth managed, hence the name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scp {
    pub id: String,
    pub name: String,
    pub description: String,
    pub aws_managed: bool,
    /// plinth's: carries `managed-by=plinth` and no sign of another tool ([`ownership`]).
    pub owned: bool,
    /// Another tool that manages it (see [`other_manager`]): never adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<OtherManager>,
    /// The document, read for owned SCPs and for any SCP whose name the baseline uses.
    pub content: Option<String>,
    /// Targets the SCP is attached to, read for owned SCPs and those the baseline names.
    pub targets: Vec<String>,
    /// Whether `targets` was read (all of them); when not, the policy may be attached
    /// anywhere, as far as a plan can tell.
    #[serde(default)]
    pub targets_read: bool,
}

/// How a baseline target maps onto the live organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Id(String),
    Unknown(String),
    /// Live names make it mean more than one resource (two accounts of one name, an OU
    /// named like a nested path): the candidates' ids, and the error. Planners leave the
    /// target's changes out of the plan and report it; never pick one.
    Ambiguous {
        ids: Vec<String>,
        why: String,
    },
}

impl OrgState {
    /// The OU a baseline path means, found name by name from the root (a parent's id and
    /// a child's name at each step), never by comparing joined names. Ambiguous when two
    /// OUs answer one step, or when another live OU's names join to the same path (an OU
    /// named `Workloads/Prod` at the root, beside the real `Workloads` › `Prod`).
    pub fn ou_at(&self, path: &OuPath) -> OuLookup<'_> {
        let found = match self.ou_named(path) {
            Ok(found) => found,
            Err((ids, why)) => return OuLookup::Ambiguous { ids, why },
        };
        let shadows: Vec<&Ou> = self
            .ous
            .iter()
            .filter(|o| o.path == path.as_str() && found.is_none_or(|f| f.id != o.id))
            .collect();
        if shadows.is_empty() {
            return found.map_or(OuLookup::Missing, OuLookup::Found);
        }
        let mut ids: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
        ids.extend(shadows.iter().map(|o| o.id.clone()));
        let decoys = shadows
            .iter()
            .map(|o| format!("{} (named `{}`)", o.id, o.name))
            .collect::<Vec<_>>()
            .join(", ");
        let why = match found {
            Some(real) => format!(
                "OU path `{path}` is {} name by name from the root, but the names of {decoys} also join to it",
                real.id
            ),
            None => format!("no OU is at `{path}` name by name from the root, but the names of {decoys} join to it"),
        };
        OuLookup::Ambiguous { ids, why }
    }

    /// The OU at a baseline path name by name from the root alone (whatever other OUs'
    /// names join to); `Err` when two OUs answer one step, with their ids.
    pub fn ou_named(&self, path: &OuPath) -> Result<Option<&Ou>, Ambiguity> {
        let mut parent = self.root_id.as_str();
        let mut found: Option<&Ou> = None;
        for segment in path.segments() {
            let here: Vec<&Ou> = self
                .ous
                .iter()
                .filter(|o| o.parent_id == parent && o.name == segment)
                .collect();
            match here.as_slice() {
                [one] => {
                    parent = &one.id;
                    found = Some(one);
                }
                [] => {
                    found = None;
                    break;
                }
                many => {
                    let ids: Vec<String> = many.iter().map(|o| o.id.clone()).collect();
                    let why = format!(
                        "{} live OUs are named `{segment}` in the same parent: {}",
                        many.len(),
                        ids.join(", ")
                    );
                    return Err((ids, why));
                }
            }
        }
        Ok(found)
    }

    /// The live id of a target, or why there is none. An account name matches live
    /// names, which members can change: declared accounts are resolved by the kinds
    /// through their `[[account]]` (id or e-mail) before this.
    pub fn resolve(&self, target: &Target) -> Resolved {
        match target {
            Target::Root => Resolved::Id(self.root_id.clone()),
            Target::Ou(path) => match self.ou_at(path) {
                OuLookup::Found(ou) => Resolved::Id(ou.id.clone()),
                OuLookup::Missing => Resolved::Unknown(format!("no OU at path `{path}` in the organization")),
                OuLookup::Ambiguous { ids, why } => Resolved::Ambiguous { ids, why },
            },
            Target::Account(key) => {
                if key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit()) {
                    return match self.accounts.iter().find(|a| a.id == *key) {
                        Some(a) => Resolved::Id(a.id.clone()),
                        None => Resolved::Unknown(format!("no account `{key}` in the organization")),
                    };
                }
                let matches: Vec<&Account> = self.accounts.iter().filter(|a| a.name == *key).collect();
                match matches.as_slice() {
                    [one] => Resolved::Id(one.id.clone()),
                    [] => Resolved::Unknown(format!("no account named `{key}` in the organization")),
                    many => Resolved::Ambiguous {
                        ids: many.iter().map(|a| a.id.clone()).collect(),
                        why: format!(
                            "{} live accounts are named `{key}`: {}",
                            many.len(),
                            many.iter()
                                .map(|a| format!("{} ({})", a.id, a.email))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                }
            }
        }
    }

    /// The OU ids from `id` up to the root's child, nearest first (an account's parent
    /// chain when `id` is its parent); stops at an id it does not know.
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = id;
        while let Some(ou) = self.ous.iter().find(|o| o.id == at) {
            if out.contains(&ou.id.as_str()) {
                break;
            }
            out.push(ou.id.as_str());
            at = &ou.parent_id;
        }
        out
    }

    /// The baseline path of a live OU: its joined names, when they lead back to it and to
    /// nothing else ([`OrgState::ou_at`]); `None` for an OU that no baseline path can
    /// name unambiguously (a name with `/`, or one that shadows another).
    pub fn plain_path(&self, id: &str) -> Option<OuPath> {
        let ou = self.ous.iter().find(|o| o.id == id)?;
        let path = OuPath::parse(&ou.path).ok()?;
        matches!(self.ou_at(&path), OuLookup::Found(f) if f.id == ou.id).then_some(path)
    }

    /// A live OU as people read it: its path, followed by its id when the path does not
    /// name it alone ([`OrgState::plain_path`]) or holds a `(` (so that no name can read
    /// like another OU's label: `A (ou-1)` beside two OUs named `A`). Labels are unique:
    /// a plain one holds no `(`, and the others end with their own id.
    pub fn ou_label(&self, id: &str) -> String {
        match self.ous.iter().find(|o| o.id == id) {
            Some(ou) if !ou.path.contains('(') && self.plain_path(id).is_some() => ou.path.clone(),
            Some(ou) => format!("{} ({})", ou.path, ou.id),
            None => id.to_owned(),
        }
    }

    /// How a live target id reads in a plan: `root`, `ou:Path`, `account:id (name)`. An
    /// OU whose joined names do not lead back to it (a name with `/`) also shows its id.
    pub fn describe_target(&self, id: &str) -> String {
        if id == self.root_id {
            return "root".into();
        }
        if self.ous.iter().any(|o| o.id == id) {
            return format!("ou:{}", self.ou_label(id));
        }
        if let Some(a) = self.accounts.iter().find(|a| a.id == id) {
            return format!("account:{}", a.id);
        }
        id.to_owned()
    }

    pub fn scp_by_id(&self, id: &str) -> Option<&Scp> {
        self.scps.iter().find(|p| p.id == id)
    }

    /// Record what a target carries of a type, read because a plan needed it
    /// (`plan::Need::Attachments`). Ignored for a type plinth did not read.
    pub fn add_attached(&mut self, policy_type: PolicyType, target_id: String, policy_ids: Vec<String>) {
        let attached = match policy_type {
            PolicyType::Scp => &mut self.attached,
            other => match self.policy_sets.get_mut(&other) {
                Some(set) => &mut set.attached,
                None => return,
            },
        };
        attached.insert(target_id, policy_ids);
    }

    /// The policies of a type as read (none, when plinth did not read the type).
    pub fn policies_of(&self, policy_type: PolicyType) -> PolicyView<'_> {
        if policy_type == PolicyType::Scp {
            return PolicyView {
                policy_type,
                enabled: self.scp_enabled,
                policies: &self.scps,
                attached: &self.attached,
            };
        }
        match self.policy_sets.get(&policy_type) {
            Some(set) => PolicyView {
                policy_type,
                enabled: set.enabled,
                policies: &set.policies,
                attached: &set.attached,
            },
            None => PolicyView {
                policy_type,
                enabled: false,
                policies: &[],
                attached: &NOTHING_ATTACHED,
            },
        }
    }
}
