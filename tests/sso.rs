//! IAM Identity Center end to end against the emulator: the real sso-admin and identity
//! store clients, permission sets and assignments created, every listed drift shown and
//! repaired, and a converged run that makes no write.

use crate::support;

use crate::support::{Emulator, IdentityCenter, MANAGEMENT_ACCOUNT, TempBaseline, seed};
use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
use plinth::plan::{Action, Plan, PlanOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[sso.permission_set]]
name = "AdministratorAccess"
description = "Full access, one hour at a time"
session_duration = "PT1H"
managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]

[[sso.permission_set]]
name = "PowerUser"
session_duration = "PT8H"
managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]
customer_managed_policies = [{ name = "deny-billing", path = "/" }]
inline_policy_file = "poweruser-inline.json"
permissions_boundary = { managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess" }

[[sso.assignment]]
permission_set = "AdministratorAccess"
groups = ["platform-admins"]
targets = ["ou:Security", "account:123456789012"]

[[sso.assignment]]
permission_set = "PowerUser"
groups = ["developers"]
users = ["alice"]
targets = ["ou:Workloads"]
"#;

const INLINE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "NoBilling", "Effect": "Deny", "Action": ["aws-portal:*", "billing:*"], "Resource": "*"}
  ]
}"#;

struct World {
    emu: Emulator,
    ic: IdentityCenter,
    b: TempBaseline,
    sandbox: String,
    audit: String,
    workloads_ou: String,
    security_ou: String,
    admins: String,
    developers: String,
}

async fn world() -> World {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let audit = support::create_account_in(&org, "audit", &seeded.root_id, &seeded.security_ou).await;
    let ic = IdentityCenter::of(&emu).await;
    let admins = ic.create_group("platform-admins").await;
    let developers = ic.create_group("developers").await;
    ic.create_group("contractors").await;
    ic.create_user("alice").await;
    World {
        b: TempBaseline::new(BASELINE, &[("poweruser-inline.json", INLINE)]),
        sandbox: seeded.sandbox_account,
        workloads_ou: seeded.workloads_ou,
        security_ou: seeded.security_ou,
        audit,
        emu,
        ic,
        admins,
        developers,
    }
}

async fn plan(w: &World, options: PlanOptions) -> Plan {
    w.emu
        .session()
        .await
        .plan(&w.b.load(), options)
        .await
        .unwrap_or_else(|d| panic!("{d}"))
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect()
}

async fn apply(w: &World, options: PlanOptions) -> Plan {
    let session = w.emu.session().await;
    let plan = session
        .plan(&w.b.load(), options)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    plan
}

/// A converged organization: empty plan, and the plan made no write call.
async fn assert_converged(w: &World) {
    let session = w.emu.session().await;
    let plan = session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", lines(&plan));
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
}

/// The plan shows exactly `expected`; applying it converges the organization again.
async fn repairs<S: AsRef<str>>(w: &World, expected: &[S]) -> Plan {
    let p = plan(w, PlanOptions::default()).await;
    let want: Vec<&str> = expected.iter().map(AsRef::as_ref).collect();
    assert_eq!(lines(&p), want);
    apply(w, PlanOptions::default()).await;
    assert_converged(w).await;
    p
}

async fn converged() -> World {
    let w = world().await;
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
    w
}

impl World {
    async fn arn(&self, name: &str) -> String {
        self.ic.permission_set(name).await.expect("permission set exists")
    }

    async fn assignments(&self, set: &str, account: &str) -> Vec<(String, String)> {
        let arn = self.arn(set).await;
        let out = self
            .ic
            .admin
            .list_account_assignments()
            .instance_arn(&self.ic.instance_arn)
            .account_id(account)
            .permission_set_arn(arn)
            .send()
            .await
            .unwrap();
        let mut found: Vec<(String, String)> = out
            .account_assignments()
            .iter()
            .map(|a| {
                (
                    a.principal_type().unwrap().as_str().to_owned(),
                    a.principal_id().unwrap().to_owned(),
                )
            })
            .collect();
        found.sort();
        found
    }

    async fn assign(&self, set: &str, account: &str, group: &str, create: bool) {
        let arn = self.arn(set).await;
        let a = &self.ic.admin;
        if create {
            a.create_account_assignment()
                .instance_arn(&self.ic.instance_arn)
                .permission_set_arn(arn)
                .target_type(TargetType::AwsAccount)
                .target_id(account)
                .principal_type(PrincipalType::Group)
                .principal_id(group)
                .send()
                .await
                .unwrap();
        } else {
            a.delete_account_assignment()
                .instance_arn(&self.ic.instance_arn)
                .permission_set_arn(arn)
                .target_type(TargetType::AwsAccount)
                .target_id(account)
                .principal_type(PrincipalType::Group)
                .principal_id(group)
                .send()
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn creates_permission_sets_and_assignments_then_writes_nothing() {
    let w = world().await;
    let p = plan(&w, PlanOptions::default()).await;
    let mut expected = vec![
        "+ sso.permission_set:AdministratorAccess".to_owned(),
        "+ sso.permission_set:PowerUser".to_owned(),
        format!("+ sso.assignment:AdministratorAccess group:platform-admins -> account:{MANAGEMENT_ACCOUNT}"),
        format!(
            "+ sso.assignment:AdministratorAccess group:platform-admins -> account:{}",
            w.audit
        ),
        format!("+ sso.assignment:PowerUser group:developers -> account:{}", w.sandbox),
        format!("+ sso.assignment:PowerUser user:alice -> account:{}", w.sandbox),
    ];
    let mut got = lines(&p);
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    let create = p.find("sso.assignment:PowerUser user:alice -> account:".to_owned().as_str());
    assert!(create.is_none(), "addresses name the account");
    let assignment = p
        .find(format!(
            "sso.assignment:PowerUser group:developers -> account:{}",
            w.sandbox
        ))
        .unwrap();
    assert_eq!(assignment.depends_on, ["sso.permission_set:PowerUser"]);

    let session = w.emu.session().await;
    let report = session.apply(&p).await;
    assert!(report.is_success(), "{report:#?}");
    let calls = session.aws.counter.snapshot();
    // The created sets are not provisioned separately: creating an assignment provisions.
    assert_eq!(calls.calls.get("SSO Admin.ProvisionPermissionSet"), None, "{calls:?}");

    // What AWS now holds.
    let arn = w.arn("PowerUser").await;
    let admin = &w.ic.admin;
    let inst = &w.ic.instance_arn;
    let ps = admin
        .describe_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(ps.permission_set().unwrap().session_duration(), Some("PT8H"));
    let tags = admin
        .list_tags_for_resource()
        .instance_arn(inst)
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "plinth")
    );
    let inline = admin
        .get_inline_policy_for_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(inline.inline_policy().unwrap()).unwrap();
    assert_eq!(doc["Statement"][0]["Sid"], "NoBilling");
    let boundary = admin
        .get_permissions_boundary_for_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        boundary.permissions_boundary().unwrap().managed_policy_arn(),
        Some("arn:aws:iam::aws:policy/PowerUserAccess")
    );
    assert_eq!(
        w.assignments("AdministratorAccess", &w.audit).await,
        [("GROUP".to_owned(), w.admins.clone())]
    );
    assert_eq!(w.assignments("PowerUser", &w.sandbox).await.len(), 2);

    assert_converged(&w).await;
}

#[tokio::test]
async fn assignment_removed_or_added_out_of_band() {
    let w = converged().await;
    // Removed: platform-admins lost AdministratorAccess in audit.
    w.assign("AdministratorAccess", &w.audit, &w.admins, false).await;
    // Added: developers got plinth's AdministratorAccess in sandbox.
    w.assign("AdministratorAccess", &w.sandbox, &w.developers, true).await;
    let p = plan(&w, PlanOptions::default()).await;
    assert_eq!(
        lines(&p),
        [
            format!(
                "+ sso.assignment:AdministratorAccess group:platform-admins -> account:{}",
                w.audit
            ),
            format!(
                "- sso.assignment:AdministratorAccess group:developers -> account:{}",
                w.sandbox
            ),
        ]
    );
    assert!(
        p.changes[1].reason.contains("which the baseline does not give it"),
        "{}",
        p.changes[1].reason
    );
    apply(&w, PlanOptions::default()).await;
    assert_eq!(
        w.assignments("AdministratorAccess", &w.sandbox).await,
        Vec::<(String, String)>::new()
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn assignments_of_other_permission_sets_are_never_touched() {
    let w = converged().await;
    // Someone's own permission set, assigned to a principal the baseline also names.
    let own =
        w.ic.admin
            .create_permission_set()
            .instance_arn(&w.ic.instance_arn)
            .name("Billing")
            .session_duration("PT2H")
            .send()
            .await
            .unwrap()
            .permission_set()
            .unwrap()
            .permission_set_arn()
            .unwrap()
            .to_owned();
    w.assign("Billing", &w.audit, &w.developers, true).await;
    assert_converged(&w).await;
    assert_eq!(w.assignments("Billing", &w.audit).await.len(), 1);
    assert!(!own.is_empty());
}

#[tokio::test]
async fn managed_policies_attached_or_detached_out_of_band() {
    let w = converged().await;
    let admin = w.arn("AdministratorAccess").await;
    let power = w.arn("PowerUser").await;
    w.ic.admin
        .attach_managed_policy_to_permission_set()
        .instance_arn(&w.ic.instance_arn)
        .permission_set_arn(&admin)
        .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    w.ic.admin
        .detach_managed_policy_from_permission_set()
        .instance_arn(&w.ic.instance_arn)
        .permission_set_arn(&power)
        .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
        .send()
        .await
        .unwrap();
    let p = plan(&w, PlanOptions::default()).await;
    assert_eq!(
        lines(&p),
        [
            "- sso.permission_set:AdministratorAccess -> arn:aws:iam::aws:policy/ReadOnlyAccess",
            "~ sso.permission_set:AdministratorAccess.provision",
            "+ sso.permission_set:PowerUser -> arn:aws:iam::aws:policy/PowerUserAccess",
            "~ sso.permission_set:PowerUser.provision",
        ]
    );
    let provision = p.find("sso.permission_set:PowerUser.provision").unwrap();
    assert_eq!(
        provision.depends_on,
        ["sso.permission_set:PowerUser -> arn:aws:iam::aws:policy/PowerUserAccess"]
    );
    let session = w.emu.session().await;
    let report = session.apply(&p).await;
    assert!(report.is_success(), "{report:#?}");
    let calls = session.aws.counter.snapshot();
    assert_eq!(
        calls.calls.get("SSO Admin.ProvisionPermissionSet"),
        Some(&2),
        "{calls:?}"
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn inline_policy_edited_or_deleted_and_session_duration_changed() {
    let w = converged().await;
    let power = w.arn("PowerUser").await;
    let a = &w.ic.admin;
    let inst = &w.ic.instance_arn;

    // The same policy, reordered and re-spaced, with a string for a one-item list: no change.
    a.put_inline_policy_to_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .inline_policy(
            r#"{"Statement":{"Resource":["*"],"Action":["billing:*","aws-portal:*"],"Effect":"Deny","Sid":"NoBilling"},"Version":"2012-10-17"}"#,
        )
        .send()
        .await
        .unwrap();
    let p = plan(&w, PlanOptions::default()).await;
    // Semantically equal, but the rewrite left the provisioned copy outdated.
    assert_eq!(lines(&p), ["~ sso.permission_set:PowerUser.provision"]);
    assert!(
        p.changes[0].reason.contains("1 account has an outdated copy"),
        "{}",
        p.changes[0].reason
    );
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;

    // Edited.
    a.put_inline_policy_to_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .inline_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    // Session duration changed.
    a.update_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .session_duration("PT12H")
        .send()
        .await
        .unwrap();
    let p = plan(&w, PlanOptions::default()).await;
    assert_eq!(
        lines(&p),
        [
            "~ sso.permission_set:PowerUser",
            "~ sso.permission_set:PowerUser.inline_policy",
            "~ sso.permission_set:PowerUser.provision",
        ]
    );
    assert_eq!(p.changes[0].reason, "session duration differs from the baseline");
    assert_eq!(p.changes[0].before.as_ref().unwrap()["session_duration"], "PT12H");
    assert_eq!(p.changes[0].after.as_ref().unwrap()["session_duration"], "PT8H");
    assert!(!p.changes[1].statement_diff.is_empty());
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;

    // Deleted.
    a.delete_inline_policy_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .send()
        .await
        .unwrap();
    repairs(
        &w,
        &[
            "+ sso.permission_set:PowerUser.inline_policy",
            "~ sso.permission_set:PowerUser.provision",
        ],
    )
    .await;
}

#[tokio::test]
async fn permissions_boundary_and_customer_managed_policies_drift() {
    let w = converged().await;
    let power = w.arn("PowerUser").await;
    let a = &w.ic.admin;
    let inst = &w.ic.instance_arn;
    a.delete_permissions_boundary_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .send()
        .await
        .unwrap();
    a.detach_customer_managed_policy_reference_from_permission_set()
        .instance_arn(inst)
        .permission_set_arn(&power)
        .customer_managed_policy_reference(
            aws_sdk_ssoadmin::types::CustomerManagedPolicyReference::builder()
                .name("deny-billing")
                .path("/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    repairs(
        &w,
        &[
            "+ sso.permission_set:PowerUser -> customer_managed:/deny-billing",
            "+ sso.permission_set:PowerUser.permissions_boundary",
            "~ sso.permission_set:PowerUser.provision",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_deleted_permission_set_comes_back_with_its_assignments() {
    let w = converged().await;
    w.assign("AdministratorAccess", &w.audit, &w.admins, false).await;
    w.assign("AdministratorAccess", MANAGEMENT_ACCOUNT, &w.admins, false)
        .await;
    let arn = w.arn("AdministratorAccess").await;
    w.ic.admin
        .delete_permission_set()
        .instance_arn(&w.ic.instance_arn)
        .permission_set_arn(arn)
        .send()
        .await
        .unwrap();
    let p = plan(&w, PlanOptions::default()).await;
    let mut got = lines(&p);
    got.sort();
    let mut want = vec![
        "+ sso.permission_set:AdministratorAccess".to_owned(),
        format!("+ sso.assignment:AdministratorAccess group:platform-admins -> account:{MANAGEMENT_ACCOUNT}"),
        format!(
            "+ sso.assignment:AdministratorAccess group:platform-admins -> account:{}",
            w.audit
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
}

#[tokio::test]
async fn an_account_moved_into_a_targeted_ou_gets_its_assignments() {
    let w = converged().await;
    let org = w.emu.organizations().await;
    org.move_account()
        .account_id(&w.sandbox)
        .source_parent_id(&w.workloads_ou)
        .destination_parent_id(&w.security_ou)
        .send()
        .await
        .unwrap();
    let p = plan(&w, PlanOptions::default()).await;
    assert_eq!(
        lines(&p),
        [
            format!(
                "+ sso.assignment:AdministratorAccess group:platform-admins -> account:{}",
                w.sandbox
            ),
            format!("- sso.assignment:PowerUser group:developers -> account:{}", w.sandbox),
            format!("- sso.assignment:PowerUser user:alice -> account:{}", w.sandbox),
        ]
    );
    apply(&w, PlanOptions::default()).await;
    assert_eq!(
        w.assignments("AdministratorAccess", &w.sandbox).await,
        [("GROUP".to_owned(), w.admins.clone())]
    );
    assert_converged(&w).await;
}

#[tokio::test]
async fn orphaned_permission_sets_are_deleted_only_when_allowed() {
    let w = converged().await;
    // The baseline drops PowerUser and its assignment.
    let text = BASELINE
        .split("[[sso.permission_set]]\nname = \"PowerUser\"")
        .next()
        .unwrap()
        .to_owned()
        + "\n[[sso.assignment]]\npermission_set = \"AdministratorAccess\"\ngroups = [\"platform-admins\"]\ntargets = [\"ou:Security\", \"account:123456789012\"]\n";
    w.b.rewrite(&text);
    let p = plan(&w, PlanOptions::default()).await;
    assert!(p.is_empty(), "{:?}", lines(&p));
    assert_eq!(p.orphans.len(), 1);
    assert_eq!(p.orphans[0].address, "sso.permission_set:PowerUser");
    assert!(p.orphans[0].reason.contains("--allow-delete"));

    let p = apply(&w, PlanOptions { allow_delete: true }).await;
    assert_eq!(lines(&p), ["- sso.permission_set:PowerUser"]);
    assert_eq!(p.changes[0].action, Action::Delete);
    assert!(w.ic.permission_set("PowerUser").await.is_none());
    let left =
        w.ic.admin
            .list_account_assignments_for_principal()
            .instance_arn(&w.ic.instance_arn)
            .principal_type(PrincipalType::Group)
            .principal_id(&w.developers)
            .send()
            .await
            .unwrap();
    assert!(left.account_assignments().is_empty(), "{left:?}");
    assert_converged(&w).await;
}

#[tokio::test]
async fn a_hand_made_permission_set_of_a_declared_name_is_adopted_then_corrected() {
    let w = world().await;
    let made =
        w.ic.admin
            .create_permission_set()
            .instance_arn(&w.ic.instance_arn)
            .name("PowerUser")
            .session_duration("PT1H")
            .send()
            .await
            .unwrap();
    let arn = made.permission_set().unwrap().permission_set_arn().unwrap().to_owned();
    let p = plan(&w, PlanOptions::default()).await;
    let adopt = p
        .changes
        .iter()
        .find(|c| c.address == "sso.permission_set:PowerUser (adopt)")
        .unwrap_or_else(|| panic!("{:#?}", lines(&p)));
    assert_eq!(adopt.action.symbol(), "=");
    // Every correction of the set waits for its tag.
    let corrections: Vec<_> = p
        .changes
        .iter()
        .filter(|c| {
            c.address.as_str().starts_with("sso.permission_set:PowerUser.")
                || c.address == "sso.permission_set:PowerUser"
        })
        .collect();
    assert!(!corrections.is_empty(), "{:#?}", lines(&p));
    for c in corrections {
        assert!(
            c.depends_on.contains(&adopt.address),
            "{} does not wait: {:?}",
            c.address,
            c.depends_on
        );
    }
    assert!(
        !lines(&p).iter().any(|l| l == "+ sso.permission_set:PowerUser"),
        "{:#?}",
        lines(&p)
    );
    apply(&w, PlanOptions::default()).await;
    assert_converged(&w).await;
    let tags =
        w.ic.admin
            .list_tags_for_resource()
            .instance_arn(&w.ic.instance_arn)
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "plinth"),
        "{tags:?}"
    );
}

#[tokio::test]
async fn a_permission_set_another_tool_manages_is_an_error() {
    let w = world().await;
    w.ic.admin
        .create_permission_set()
        .instance_arn(&w.ic.instance_arn)
        .name("PowerUser")
        .session_duration("PT1H")
        .tags(
            aws_sdk_ssoadmin::types::Tag::builder()
                .key("aws:cloudformation:stack-name")
                .value("identity")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let session = w.emu.session().await;
    let err = session
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("permission set `PowerUser` exists and plinth does not manage it"),
        "{err}"
    );
    assert!(
        err.contains("it is managed by CloudFormation stack `identity`"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn unknown_groups_and_users_are_plan_errors_with_locations() {
    let w = world().await;
    w.b.rewrite(
        &BASELINE
            .replace("\"developers\"", "\"devs\"")
            .replace("\"alice\"", "\"alise\""),
    );
    let session = w.emu.session().await;
    let err = session
        .plan(&w.b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: group `devs` is not in the identity store"),
        "{err}"
    );
    assert!(
        err.contains("error: user `alise` is not in the identity store"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:26:11"), "{err}");
    assert!(err.contains("baseline.toml:27:10"), "{err}");
    assert!(err.contains("hint: groups are named by display name"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn a_new_account_gets_its_assignments_in_the_same_run() {
    let w = converged().await;
    w.b.rewrite(&format!(
        "{BASELINE}\n[[account]]\nname = \"newbie\"\nemail = \"newbie@example.com\"\nou = \"Workloads\"\n"
    ));
    repairs(
        &w,
        &[
            "+ account.newbie",
            "~ account.newbie -> ou:Workloads",
            "+ sso.assignment:PowerUser group:developers -> account:newbie",
            "+ sso.assignment:PowerUser user:alice -> account:newbie",
        ],
    )
    .await;
    // newbie's OU is known from listing the targeted OU's accounts: no second read of it.
    let session = w.emu.session().await;
    session.plan(&w.b.load(), PlanOptions::default()).await.unwrap();
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.calls.get("Organizations.ListParents"), None, "{calls:?}");
    assert!(
        calls.calls.contains_key("Organizations.ListAccountsForParent"),
        "{calls:?}"
    );
}
