//! The test world of the engine's tests: a baseline per policy kind, a small organization
//! as plain data, and [`apply`], which carries out a plan's operations on it as AWS would.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::baseline;
use crate::diag::SourceFile;
use crate::kinds::{Baseline, Observed, compute};
use crate::observed::{Account, OrgState, PolicySet, Scp};
use crate::plan::{Op, OrganizationsOp, Plan, PlanOptions, Ref};
use crate::types::policy_types::PolicyType;

pub(super) const HEAD: &str = r#"
[organization]
management_account_id = "123456789012"
"#;

pub(super) const TAGS: &str =
    r#"{"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]}}}}"#;

/// A backup policy: AWS's documented shape, one plan backing up tagged resources nightly.
pub(super) const BACKUP: &str = r#"{"plans": {"nightly": {"regions": {"@@assign": ["us-east-1"]}, "rules": {"daily": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}, "target_backup_vault_name": {"@@assign": "Default"}}}, "selections": {"tags": {"tagged": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/backup"}, "tag_key": {"@@assign": "backup"}, "tag_value": {"@@assign": ["daily"]}}}}}}}"#;

pub(super) struct Case {
    pub(super) kind: &'static str,
    /// Where the type's addresses start (`rcp`, `management_policy.backup`), and the
    /// declared policy's address below it.
    pub(super) base: &'static str,
    pub(super) key: &'static str,
    pub(super) policy_type: PolicyType,
    pub(super) section: &'static str,
}

pub(super) const CASES: [Case; 6] = [
    Case {
        kind: "rcp",
        base: "rcp",
        key: "enforce_tls",
        policy_type: PolicyType::Rcp,
        section: "[rcp.enforce_tls]\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
    Case {
        kind: "ai_opt_out",
        base: "ai_opt_out",
        key: "policy",
        policy_type: PolicyType::AiOptOut,
        section: "[ai_opt_out]\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
    Case {
        kind: "tag_policy",
        base: "tag_policy",
        key: "cost-center",
        policy_type: PolicyType::Tag,
        section: "[[tag_policy]]\nname = \"cost-center\"\nfile = \"tags.json\"\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
    Case {
        kind: "ec2_declarative",
        base: "ec2_declarative",
        key: "policy",
        policy_type: PolicyType::Ec2Declarative,
        section: "[ec2_declarative]\nimds = \"required_v2\"\nserial_console = false\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
    Case {
        kind: "s3_policy",
        base: "s3_policy",
        key: "policy",
        policy_type: PolicyType::S3,
        section: "[s3_policy]\nblock_public_access = \"all\"\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
    Case {
        kind: "management_policy",
        base: "management_policy.backup",
        key: "nightly",
        policy_type: PolicyType::Backup,
        section: "[[management_policy]]\ntype = \"backup\"\nname = \"nightly\"\nfile = \"backup.json\"\nattach = [\"root\", \"ou:Workloads\"]\n",
    },
];

/// A baseline of `HEAD` and `section`, with the tag and backup policy files beside it.
pub(super) fn baseline(section: &str) -> Baseline {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tags.json"), TAGS).unwrap();
    std::fs::write(dir.path().join("backup.json"), BACKUP).unwrap();
    let path = dir.path().join("baseline.toml");
    let b = baseline::parse(SourceFile::new(path, format!("{HEAD}{section}"))).unwrap_or_else(|d| panic!("{d}"));
    drop(dir);
    b
}

/// An organization with the root, `Workloads` and two accounts; no policy type enabled.
pub(super) fn org() -> Observed {
    let account = |id: &str, name: &str| Account {
        id: id.into(),
        name: name.into(),
        email: String::new(),
        parent_id: None,
        suspended: false,
    };
    Observed {
        org: OrgState {
            organization_id: "o-abc".into(),
            management_account_id: "123456789012".into(),
            root_id: "r-root".into(),
            scp_enabled: false,
            ous: crate::observed::Ou::tree("r-root", &[("ou-w", "Workloads")]),
            accounts: vec![
                account("123456789012", "management"),
                account("222222222222", "sandbox"),
            ],
            scps: vec![],
            attached: BTreeMap::new(),
            ou_accounts: BTreeMap::new(),
            policy_sets: BTreeMap::new(),
        },
        ..Observed::default()
    }
}

pub(super) const TARGETS: [&str; 4] = ["r-root", "ou-w", "123456789012", "222222222222"];

pub(super) fn policy(id: &str, name: &str, content: &Value, owned: bool) -> Scp {
    Scp {
        id: id.into(),
        name: name.into(),
        description: String::new(),
        aws_managed: false,
        owned,
        managed_by: None,
        content: Some(content.to_string()),
        targets: vec![],
        targets_read: true,
    }
}

pub(super) fn set(o: &mut Observed, t: PolicyType) -> &mut PolicySet {
    o.org.policy_sets.entry(t).or_default()
}

/// Carry out a plan's operations on the in-memory organization, as AWS would.
pub(super) fn apply(o: &mut Observed, t: PolicyType, plan: &Plan) {
    let mut made: BTreeMap<String, String> = BTreeMap::new();
    for c in &plan.changes {
        let Op::Organizations(op) = &c.op else {
            panic!("{:?}", c.op)
        };
        let s = set(o, t);
        match op {
            OrganizationsOp::EnableAwsServiceAccess { .. } => o.ec2_declarative.trusted_access = true,
            OrganizationsOp::EnablePolicyType { policy_type, .. } => {
                assert_eq!(policy_type, t.api());
                s.enabled = true;
                if let Some(name) = t.rules().aws_default {
                    let mut p = policy(&format!("p-{name}"), name, &json!({}), false);
                    p.aws_managed = true;
                    p.targets = TARGETS.iter().map(|x| x.to_string()).collect();
                    s.policies.push(p);
                }
                for target in TARGETS {
                    let ids = t
                        .rules()
                        .aws_default
                        .map(|n| vec![format!("p-{n}")])
                        .unwrap_or_default();
                    s.attached.insert(target.into(), ids);
                }
            }
            OrganizationsOp::CreatePolicy {
                policy_type,
                name,
                description,
                content,
            } => {
                assert_eq!(*policy_type, t);
                let id = format!("p-{}", s.policies.len() + 100);
                let mut p = policy(&id, name, &serde_json::from_str::<Value>(content).unwrap(), true);
                p.description = description.clone();
                s.policies.push(p);
                made.insert(c.address.to_string(), id);
            }
            OrganizationsOp::UpdatePolicy {
                policy_id,
                description,
                content,
            } => {
                let p = s.policies.iter_mut().find(|p| p.id == *policy_id).unwrap();
                p.content = Some(content.clone());
                p.description = description.clone();
            }
            OrganizationsOp::AttachPolicy { policy, target } => {
                let id = match policy {
                    Ref::Id(id) => id.clone(),
                    Ref::Planned(a) => made[a.as_str()].clone(),
                };
                let Ref::Id(target) = target else { panic!() };
                assert!(s.enabled, "{} attached before its type is enabled", c.address);
                s.policies
                    .iter_mut()
                    .find(|p| p.id == id)
                    .unwrap()
                    .targets
                    .push(target.clone());
                s.attached.entry(target.clone()).or_default().push(id);
            }
            OrganizationsOp::DetachPolicy { policy_id, target_id } => {
                s.policies
                    .iter_mut()
                    .find(|p| p.id == *policy_id)
                    .unwrap()
                    .targets
                    .retain(|x| x != target_id);
                s.attached.get_mut(target_id).unwrap().retain(|x| x != policy_id);
            }
            OrganizationsOp::DeletePolicy { policy_id } => {
                assert!(
                    s.attached.values().all(|ids| !ids.contains(policy_id)),
                    "deleted while attached"
                );
                s.policies.retain(|p| p.id != *policy_id);
            }
            OrganizationsOp::TagResource { resource_id } => {
                s.policies.iter_mut().find(|p| p.id == *resource_id).unwrap().owned = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

pub(super) fn plan(b: &Baseline, o: &Observed, allow_delete: bool) -> Plan {
    compute(b, o, PlanOptions { allow_delete }).unwrap_or_else(|d| panic!("{d}"))
}

pub(super) fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {} {}", c.action.symbol(), c.action.as_str(), c.address))
        .collect()
}

/// The organization after applying the case's baseline from scratch.
pub(super) fn converged(case: &Case) -> (Baseline, Observed) {
    let b = baseline(case.section);
    let mut o = org();
    let first = plan(&b, &o, false);
    apply(&mut o, case.policy_type, &first);
    (b, o)
}

pub(super) fn ours(o: &mut Observed, t: PolicyType) -> &mut Scp {
    set(o, t).policies.iter_mut().find(|p| p.owned).unwrap()
}
