//! The least-privilege IAM policies plinth's own role needs, made from what the engine,
//! `plinth report` ([`REPORT`]) and every kind of the registry declare
//! ([`crate::kinds::Scope`]): `plinth iam-policy plan` and `plinth iam-policy apply` print
//! them; `deploy/iam/` holds them without a baseline.
//!
//! Each policy has a read statement on `*` (reads follow what the live organization holds:
//! `plinth import` lists every trail), a write statement on `*` for what names no resource
//! plinth could know before AWS creates it (policy, OU and permission-set ids), and one
//! statement per [`Scope`]: the writes whose resources plinth names itself (the trail's
//! log role, its alarms, budgets and lock table) or reads from the baseline (the bucket,
//! the trail, the billing topic). A scoped action is allowed nowhere else.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::kinds::iam::KindIam;
use crate::kinds::{self, BaselineFile};
use crate::kinds::{Condition, IamActions, Names, Phase, Scope};

/// What every run calls whatever the kinds: preflight, the organization's structure, the
/// apply lock, and drift notifications.
pub const ENGINE: IamActions = IamActions {
    plan: &[
        "sts:GetCallerIdentity",
        "organizations:DescribeOrganization",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListParents",
    ],
    // The lock and notifications are in `ENGINE_SCOPES`.
    apply: &[],
    delete: &[],
};

/// What `plinth report` reads beyond the engine's and the kinds' reads: each account's
/// effective management policies. Read-only, so in the plan policy (and the apply
/// policy, which holds every read).
pub const REPORT: &[&str] = &["organizations:DescribeEffectivePolicy"];

const ENGINE_SCOPES: &[Scope] = &[
    Scope {
        sid: "PlinthApplyLock",
        phase: Phase::Apply,
        actions: &[
            "dynamodb:DescribeTable",
            "dynamodb:CreateTable",
            "dynamodb:TagResource",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ],
        resources: lock_table,
        condition: None,
    },
    Scope {
        sid: "PlinthDriftNotifications",
        phase: Phase::Apply,
        actions: &["sns:Publish"],
        resources: notify_topic,
        condition: None,
    },
];

fn lock_table(n: &Names<'_>) -> Vec<String> {
    vec![n.arn("dynamodb", "us-east-1", &format!("table/{}", crate::lock::TABLE))]
}

/// `reconcile --notify-topic`'s topic when named; any topic of the account otherwise.
fn notify_topic(n: &Names<'_>) -> Vec<String> {
    vec![match n.notify_topic {
        Some(arn) => arn.to_owned(),
        None => format!("arn:aws:sns:*:{}:*", n.account),
    }]
}

/// Which kinds' writes an apply policy allows: all (`plinth apply`, a person), or those
/// of the kinds a scheduled `reconcile --repair KINDS` repairs, with deletes only when it
/// is given `--allow-delete`.
#[derive(Debug, Clone, Copy)]
pub struct Writes<'a> {
    /// The `--repair` kinds; `None` for every kind.
    pub kinds: Option<&'a BTreeSet<crate::kinds::KindId>>,
    /// Deletes and detaches ([`IamActions::delete`], [`Phase::Delete`] scopes).
    pub delete: bool,
}

impl Writes<'_> {
    /// Everything: the policy of `plinth apply`.
    pub const ALL: Writes<'static> = Writes {
        kinds: None,
        delete: true,
    };

    fn of(&self, k: &KindIam) -> bool {
        self.kinds.is_none_or(|kinds| kinds.contains(&k.repaired_with))
    }
}

/// A read by AWS's naming of its actions: what an apply reads as it goes (`sso:ListAccountAssignments`).
fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    ["List", "Describe", "Get"].iter().any(|p| verb.starts_with(p))
}

/// The IAM actions of a plan and of an apply, everything included: the lists of
/// [`IamActions`] and the actions of every [`Scope`] of the phase.
pub fn actions() -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let kinds = kinds::iam();
    let mut plan: BTreeSet<&str> = ENGINE.plan.iter().chain(REPORT).copied().collect();
    let mut apply = BTreeSet::new();
    for k in &kinds {
        plan.extend(k.actions.plan);
        apply.extend(k.actions.apply.iter().chain(k.actions.delete));
    }
    for (_, s) in scopes() {
        if s.phase == Phase::Plan {
            plan.extend(s.actions);
        } else {
            apply.extend(s.actions);
        }
    }
    apply.extend(plan.iter().copied());
    (plan, apply)
}

/// Every scoped statement with the kind that declares it (`None`: the engine's), the
/// engine's first, then the kinds' in planning order.
pub fn scopes() -> Vec<(Option<KindIam>, &'static Scope)> {
    let engine = ENGINE_SCOPES.iter().map(|s| (None, s));
    let kinds = kinds::iam()
        .into_iter()
        .flat_map(|k| k.scopes.iter().map(move |s| (Some(k), s)));
    engine.chain(kinds).collect()
}

/// The names resources are made of: the baseline's, or wildcards without one.
pub fn names<'a>(baseline: Option<&'a BaselineFile>, notify_topic: Option<&'a str>) -> Names<'a> {
    match baseline {
        Some(file) => Names {
            account: file.organization.management_account_id.get_ref().as_str(),
            baseline: Some(file),
            notify_topic,
        },
        None => Names {
            notify_topic,
            ..Names::GENERIC
        },
    }
}

/// The policy document for `phase` ([`Phase::Plan`]: reads only; otherwise the apply
/// policy, with the writes `writes` allows).
pub fn document(phase: Phase, names: &Names<'_>, writes: &Writes<'_>) -> Value {
    let (plan, _) = actions();
    let apply = phase != Phase::Plan;
    // A kind the baseline does not declare: its reads and deletes, no other write.
    let declared = |k: &KindIam| names.baseline.is_none_or(|b| (k.declared)(b));
    let wanted = |kind: &Option<KindIam>, s: &Scope| match s.phase {
        Phase::Plan => true,
        Phase::Apply => apply && kind.as_ref().is_none_or(|k| writes.of(k) && declared(k)),
        Phase::Delete => apply && writes.delete && kind.as_ref().is_none_or(|k| writes.of(k)),
    };
    let all = scopes();
    // An action any scope limits is allowed nowhere else (a read stays on `*` unless a
    // plan-phase scope limits it).
    let scoped: BTreeSet<&str> = all.iter().flat_map(|(_, s)| s.actions.iter().copied()).collect();
    let scoped_reads: BTreeSet<&str> = all
        .iter()
        .filter(|(_, s)| s.phase == Phase::Plan)
        .flat_map(|(_, s)| s.actions.iter().copied())
        .collect();
    let reads: Vec<&str> = plan.difference(&scoped_reads).copied().collect();
    let mut statements = vec![statement("PlinthRead", &reads, &["*".to_owned()], None)];
    if apply {
        let mut on_any = BTreeSet::new();
        for k in kinds::iam().iter().filter(|k| writes.of(k)) {
            let used = declared(k);
            on_any.extend(k.actions.apply.iter().filter(|a| used || is_read(a)));
            if writes.delete {
                on_any.extend(k.actions.delete);
            }
        }
        on_any.extend(ENGINE.apply);
        let on_any: Vec<&str> = on_any
            .into_iter()
            .filter(|a| !plan.contains(a) && !scoped.contains(a))
            .collect();
        if !on_any.is_empty() {
            statements.push(statement("PlinthWrite", &on_any, &["*".to_owned()], None));
        }
    }
    for (_, s) in all.iter().filter(|(k, s)| wanted(k, s)) {
        let resources = (s.resources)(names);
        if resources.is_empty() {
            continue; // the baseline has nothing this statement would be for
        }
        let mut actions = s.actions.to_vec();
        actions.sort_unstable();
        statements.push(statement(s.sid, &actions, &resources, s.condition));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The policy of the role plinth assumes in the log archive account (`[organization]
/// member_role`), for those whose role there is not an administrator's: the two buckets'
/// reads and writes ([`crate::kinds::cross::member_account`]), on the baseline's buckets
/// or, without one, on every bucket.
pub fn log_archive_document(baseline: Option<&BaselineFile>) -> Value {
    let (actions, resources) = crate::kinds::cross::member_account(baseline);
    json!({ "Version": "2012-10-17", "Statement": [statement("PlinthLogArchiveBuckets", actions, &resources, None)] })
}

fn statement(sid: &str, actions: &[&str], resources: &[String], condition: Option<Condition>) -> Value {
    let mut s = Map::new();
    s.insert("Sid".into(), json!(sid));
    s.insert("Effect".into(), json!("Allow"));
    s.insert("Action".into(), json!(actions));
    s.insert(
        "Resource".into(),
        match resources {
            [one] => json!(one),
            many => json!(many),
        },
    );
    if let Some(c) = condition {
        s.insert("Condition".into(), json!({ c.operator: { c.key: c.values } }));
    }
    Value::Object(s)
}

/// The document as `deploy/iam/` holds it: two-space JSON and a final newline.
pub fn to_text(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(doc: &Value) -> Vec<Value> {
        doc["Statement"].as_array().unwrap().clone()
    }

    #[test]
    fn every_sid_is_unique() {
        let mut sids = BTreeSet::new();
        for (_, s) in scopes() {
            assert!(sids.insert(s.sid), "two statements are named {}", s.sid);
        }
    }

    #[test]
    fn a_scoped_write_is_not_also_allowed_on_every_resource() {
        let doc = document(Phase::Apply, &Names::GENERIC, &Writes::ALL);
        let any: BTreeSet<String> = statements(&doc)
            .iter()
            .filter(|s| s["Resource"] == "*" && s["Condition"].is_null())
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        for (_, s) in scopes().into_iter().filter(|(_, s)| s.phase != Phase::Plan) {
            for a in s.actions {
                let read = actions().0.contains(a);
                assert!(read || !any.contains(*a), "{a} ({}) is also allowed on `*`", s.sid);
            }
        }
        for a in [
            "s3:PutBucketPolicy",
            "iam:PassRole",
            "iam:CreateRole",
            "cloudwatch:DeleteAlarms",
        ] {
            assert!(!any.contains(a), "{a} on `*`");
        }
    }

    #[test]
    fn the_plan_policy_has_no_write_and_its_root_session_is_for_the_audit_only() {
        let doc = document(Phase::Plan, &Names::GENERIC, &Writes::ALL);
        let ss = statements(&doc);
        assert!(ss.iter().all(|s| s["Sid"] != "PlinthWrite"), "{doc:#}");
        let root = ss.iter().find(|s| s["Action"] == json!(["sts:AssumeRoot"])).unwrap();
        assert_eq!(
            root["Condition"]["StringEquals"]["sts:TaskPolicyArn"],
            json!([crate::aws::root_access::AUDIT_TASK])
        );
        let apply = document(Phase::Apply, &Names::GENERIC, &Writes::ALL);
        let tasks: Vec<Value> = statements(&apply)
            .iter()
            .filter(|s| s["Action"] == json!(["sts:AssumeRoot"]))
            .map(|s| s["Condition"]["StringEquals"]["sts:TaskPolicyArn"].clone())
            .collect();
        assert_eq!(
            tasks,
            vec![
                json!([crate::aws::root_access::AUDIT_TASK]),
                json!([crate::aws::root_access::DELETE_TASK])
            ]
        );
    }

    fn sids_for(targets: &str) -> Vec<String> {
        let text = format!(
            "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[account]]\nname = \"payments\"\nid = \"111111111111\"\nemail = \"p@example.com\"\nou = \"Workloads\"\n\n[[sso.permission_set]]\nname = \"Dev\"\nmanaged_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n\n[[sso.assignment]]\npermission_set = \"Dev\"\ngroups = [\"developers\"]\ntargets = [{targets}]\n"
        );
        let b = crate::baseline::parse(crate::diag::SourceFile::new("baseline.toml", text))
            .unwrap_or_else(|d| panic!("{d}"));
        let doc = document(Phase::Apply, &names(Some(&b.file), None), &Writes::ALL);
        statements(&doc)
            .iter()
            .map(|s| s["Sid"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn identity_centers_roles_in_the_management_account_only_when_an_assignment_can_reach_it() {
        let has = |targets: &str| sids_for(targets).iter().any(|s| s == "PlinthIdentityCenterRoles");
        assert!(!has("\"account:payments\"\n"), "a declared member account only");
        assert!(!has("\"account:222222222222\"\n"), "another account's id");
        for reaches in [
            "\"root\"",
            "\"ou:Workloads\"",
            "\"account:123456789012\"",
            "\"account:undeclared\"",
        ] {
            assert!(has(reaches), "{reaches}");
        }
    }

    #[test]
    fn a_kind_the_baseline_does_not_declare_keeps_its_reads_and_deletes_only() {
        let text = "[organization]\nmanagement_account_id = \"123456789012\"\n\n[scp.deny_leave_organization]\nattach = [\"root\"]\n";
        let b = crate::baseline::parse(crate::diag::SourceFile::new("baseline.toml", text))
            .unwrap_or_else(|d| panic!("{d}"));
        let doc = document(Phase::Apply, &names(Some(&b.file), None), &Writes::ALL);
        let allowed: BTreeSet<String> = statements(&doc)
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        for absent in [
            "sso:CreateAccountAssignment",
            "sso:CreatePermissionSet",
            "sso:AttachManagedPolicyToPermissionSet",
            "organizations:CreateAccount",
            "organizations:MoveAccount",
            "account:PutAlternateContact",
            "iam:EnableOrganizationsRootSessions",
            "cloudtrail:CreateTrail",
            "s3:PutBucketPolicy",
        ] {
            assert!(!allowed.contains(absent), "{absent}");
        }
        // What plinth made before the section was removed can still be cleaned up.
        for kept in [
            "sso:DeletePermissionSet",
            "sso:DeleteAccountAssignment",
            "sso:ListAccountAssignments",
            "cloudwatch:DeleteAlarms",
            "organizations:CreatePolicy",
            "organizations:DeletePolicy",
        ] {
            assert!(allowed.contains(kept), "{kept}");
        }
    }

    #[test]
    fn without_a_baseline_the_names_plinth_fixes_are_kept_and_the_rest_are_wildcards() {
        let doc = document(Phase::Apply, &Names::GENERIC, &Writes::ALL);
        let resource = |sid: &str| {
            statements(&doc)
                .into_iter()
                .find(|s| s["Sid"] == sid)
                .unwrap_or_else(|| panic!("no {sid}"))["Resource"]
                .clone()
        };
        assert_eq!(
            resource("PlinthTrailLogsRole"),
            "arn:aws:iam::*:role/plinth-cloudtrail-logs-*"
        );
        assert_eq!(resource("PlinthTrailBucket"), "arn:aws:s3:::*");
        assert_eq!(
            resource("PlinthBillingAlarms"),
            "arn:aws:cloudwatch:us-east-1:*:alarm:plinth-billing-*"
        );
        assert_eq!(
            resource("PlinthBillingTopic"),
            "arn:aws:sns:us-east-1:*:plinth-billing-alerts"
        );
        assert_eq!(
            resource("PlinthApplyLock"),
            "arn:aws:dynamodb:us-east-1:*:table/plinth-locks"
        );
        assert_eq!(resource("PlinthDriftNotifications"), "arn:aws:sns:*:*:*");
    }
}
