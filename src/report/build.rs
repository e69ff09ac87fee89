//! The report from what was read: plain data in, plain data out.

use std::collections::BTreeMap;

use super::{AccountInfo, AlarmStatus, Effective, Grant, InForce, OuNode, PolicyInfo, Report, SetInfo, TrailStatus};
use crate::observed::{Alarm, Boundary, EffectivePolicy, OrgState, PrincipalKind, SsoState, TrailInfo};
use crate::types::policy_types::{PolicyType, Syntax};

/// The policy types whose effective policy each account is asked for: the management
/// policy types (`DescribeEffectivePolicy` takes no SCP or RCP) enabled on the root, in
/// the order of the types' table.
pub fn effective_types(org: &OrgState) -> Vec<PolicyType> {
    PolicyType::ALL
        .into_iter()
        .filter(|t| matches!(t.rules().syntax, Syntax::Management { .. }) && org.policies_of(*t).enabled)
        .collect()
}

/// Assemble the report. `alarms` come with their state (`OK`, `ALARM`, …); `effective`
/// holds each account's effective policy of each of [`effective_types`] (an account or
/// type missing there shows nothing for it, not `none`).
pub fn build(
    org: &OrgState,
    sso: &SsoState,
    trails: &[TrailInfo],
    alarms: &[(Alarm, String)],
    effective: &[EffectivePolicy],
) -> Report {
    let (policies, attached) = policies(org);
    let here = |id: &str, via: &str| -> Vec<InForce> {
        attached
            .get(id)
            .into_iter()
            .flatten()
            .map(|p| InForce {
                policy_id: (*p).to_owned(),
                via: via.to_owned(),
            })
            .collect()
    };
    let types = effective_types(org);
    let by_account = effective_by_account(&types, effective);
    let places = Places {
        here: &here,
        effective: &by_account,
    };
    let root = node(org, &org.root_id, "", "Root", here(&org.root_id, "root"), &places);
    Report {
        format_version: super::FORMAT_VERSION,
        organization_id: org.organization_id.clone(),
        management_account_id: org.management_account_id.clone(),
        root,
        policies,
        effective_policy_types: types.iter().map(|t| t.rules().noun.to_owned()).collect(),
        trails: trails.iter().map(trail_status).collect(),
        billing_alarms: alarms.iter().map(|(a, state)| alarm_status(a, state)).collect(),
        permission_sets: permission_sets(sso),
        access: access(sso),
        notes: notes(org, sso),
    }
}

/// Every policy read, of every type in the types' table's order, and the ids of the
/// policies attached directly to each target.
fn policies(org: &OrgState) -> (Vec<PolicyInfo>, BTreeMap<&str, Vec<&str>>) {
    let mut policies = Vec::new();
    let mut attached: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for policy_type in PolicyType::ALL {
        let view = org.policies_of(policy_type);
        let rules = policy_type.rules();
        for p in view.policies {
            policies.push(PolicyInfo {
                id: p.id.clone(),
                name: p.name.clone(),
                policy_type: rules.noun.to_owned(),
                owned: p.owned,
                aws_managed: p.aws_managed,
                managed_by: p.managed_by.as_ref().map(ToString::to_string),
                restricts_management_account: rules.affects_management_account,
            });
            for t in &p.targets {
                attached.entry(t.as_str()).or_default().push(p.id.as_str());
            }
        }
    }
    (policies, attached)
}

/// Each account's effective policies, in the order of `types`; a document that is not
/// JSON is kept as a string.
fn effective_by_account<'a>(
    types: &[PolicyType],
    effective: &'a [EffectivePolicy],
) -> BTreeMap<&'a str, Vec<Effective>> {
    let mut by_account: BTreeMap<&str, Vec<Effective>> = BTreeMap::new();
    for t in types {
        for e in effective.iter().filter(|e| e.policy_type == *t) {
            by_account.entry(e.account_id.as_str()).or_default().push(Effective {
                policy_type: t.rules().noun.to_owned(),
                api: t.api().to_owned(),
                document: e
                    .content
                    .as_ref()
                    .map(|c| serde_json::from_str(c).unwrap_or_else(|_| serde_json::Value::String(c.clone()))),
            });
        }
    }
    by_account
}

/// IAM Identity Center's permission sets by name, each with its session (`PT1H` when
/// unset), its policies as `path/name` and its permissions boundary.
fn permission_sets(sso: &SsoState) -> Vec<SetInfo> {
    let mut sets: Vec<SetInfo> = sso
        .permission_sets
        .iter()
        .map(|s| {
            let d = s.details.clone().unwrap_or_default();
            SetInfo {
                name: s.name.clone(),
                session_duration: s.session_duration.clone().unwrap_or_else(|| "PT1H".to_owned()),
                managed_policies: d.managed_policies,
                customer_managed_policies: d
                    .customer_managed_policies
                    .iter()
                    .map(|(name, path)| format!("{}{name}", path.trim_start_matches('/')))
                    .collect(),
                inline_policy: d.inline_policy.is_some(),
                permissions_boundary: d.permissions_boundary.map(|b| match b {
                    Boundary::ManagedPolicy { arn } => arn,
                    Boundary::CustomerManagedPolicy { name, path } => format!("{}{name}", path.trim_start_matches('/')),
                }),
                owned: s.owned,
            }
        })
        .collect();
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    sets
}

/// The account assignments with principals and permission sets by name (their id or
/// ARN when the name is not found), sorted, each once.
fn access(sso: &SsoState) -> Vec<Grant> {
    let set_names: BTreeMap<&str, &str> = sso
        .permission_sets
        .iter()
        .map(|s| (s.arn.as_str(), s.name.as_str()))
        .collect();
    let mut names: BTreeMap<(PrincipalKind, &str), &str> = BTreeMap::new();
    for (kind, by_name) in [(PrincipalKind::Group, &sso.groups), (PrincipalKind::User, &sso.users)] {
        for (name, id) in by_name {
            names.insert((kind, id.as_str()), name.as_str());
        }
    }
    let mut access: Vec<Grant> = sso
        .assignments
        .iter()
        .map(|a| Grant {
            principal_kind: a.principal_kind.as_str().to_owned(),
            principal: names
                .get(&(a.principal_kind, a.principal_id.as_str()))
                .map_or_else(|| a.principal_id.clone(), |n| (*n).to_owned()),
            account_id: a.account_id.clone(),
            permission_set: set_names
                .get(a.permission_set_arn.as_str())
                .map_or_else(|| a.permission_set_arn.clone(), |n| (*n).to_owned()),
        })
        .collect();
    access.sort();
    access.dedup();
    access
}

/// What the report cannot say: no access matrix without IAM Identity Center, no SCPs
/// when they are not enabled on the root.
fn notes(org: &OrgState, sso: &SsoState) -> Vec<String> {
    let mut notes = Vec::new();
    if sso.instance.is_none() {
        notes.push("IAM Identity Center is not enabled in the region read: no access matrix".to_owned());
    }
    if !org.scp_enabled {
        notes.push("service control policies are not enabled on the root".to_owned());
    }
    notes
}

/// A trail as the report shows it.
fn trail_status(t: &TrailInfo) -> TrailStatus {
    TrailStatus {
        name: t.settings.name.clone(),
        home_region: t.home_region.clone(),
        organization: t.settings.is_organization_trail,
        multi_region: t.settings.is_multi_region_trail,
        logging: t.logging,
        log_file_validation: t.settings.log_file_validation,
        bucket: t.settings.s3_bucket.clone(),
        owned: t.owned,
    }
}

/// A billing alarm as the report shows it, with its state; the account is its
/// `LinkedAccount` dimension (none for the whole bill).
fn alarm_status(a: &Alarm, state: &str) -> AlarmStatus {
    AlarmStatus {
        name: a.spec.name.clone(),
        account: a.spec.dimensions.get("LinkedAccount").cloned(),
        threshold_usd: a.spec.threshold,
        state: state.to_owned(),
        actions_enabled: a.spec.actions_enabled,
    }
}

/// What [`node`] looks up by target: the policies attached there (`here(id, via)`), and
/// each account's effective policies.
struct Places<'a> {
    here: &'a dyn Fn(&str, &str) -> Vec<InForce>,
    effective: &'a BTreeMap<&'a str, Vec<Effective>>,
}

/// The OU (or root) `id` at `path`, with `in_force` (what is attached here and above),
/// its accounts and its child OUs.
fn node(org: &OrgState, id: &str, path: &str, name: &str, in_force: Vec<InForce>, places: &Places<'_>) -> OuNode {
    let mut accounts: Vec<AccountInfo> = org
        .accounts
        .iter()
        .filter(|a| a.parent_id.as_deref() == Some(id) || (path.is_empty() && a.parent_id.is_none()))
        .map(|a| {
            let mut policies = in_force.clone();
            policies.extend((places.here)(&a.id, "account"));
            AccountInfo {
                id: a.id.clone(),
                name: a.name.clone(),
                email: a.email.clone(),
                management: a.id == org.management_account_id,
                suspended: a.suspended,
                policies,
                effective_policies: places.effective.get(a.id.as_str()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    accounts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut children: Vec<OuNode> = org
        .ous
        .iter()
        .filter(|o| o.parent_id == id)
        .map(|o| {
            let mut policies = in_force.clone();
            policies.extend((places.here)(&o.id, &format!("ou:{}", org.ou_label(&o.id))));
            node(org, &o.id, &o.path, &o.name, policies, places)
        })
        .collect();
    children.sort_by(|a, b| a.name.cmp(&b.name));
    OuNode {
        id: id.to_owned(),
        path: path.to_owned(),
        name: name.to_owned(),
        policies: in_force,
        accounts,
        children,
    }
}
