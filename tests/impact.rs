//! The blast radius of a plan against the emulator: the accounts a policy reaches through
//! an OU and everything below it, read with the plan's own calls, and nothing extra read
//! or written once converged.

use crate::support::{Emulator, MANAGEMENT_ACCOUNT, TempBaseline, create_account_in, seed};
use plinth::plan::impact::{Effect, Subject};
use plinth::plan::{Plan, PlanOptions};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[scp.deny_leave_organization]
attach = ["root"]

[[scp.custom]]
name = "deny-iam-users"
file = "deny-iam-users.json"
attach = ["ou:Workloads"]
"#;

const DENY_IAM_USERS: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}"#;

fn names(plan: &Plan, address: &str) -> (Effect, Vec<String>, Vec<String>, Option<String>) {
    let c = plan.find(address).unwrap_or_else(|| panic!("no {address}"));
    let i = c.impact.as_ref().unwrap_or_else(|| panic!("{address}: no impact"));
    assert_eq!(i.subject, Subject::Policy);
    let accounts = i.accounts.iter().map(|a| a.name.clone()).collect();
    (i.effect, accounts, i.ous.clone(), i.not_affected.clone())
}

#[tokio::test]
async fn a_policy_reaches_every_account_below_its_target_and_converged_plans_read_nothing_more() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    // Workloads holds sandbox and dev-1; Workloads/Prod below it holds prod-1; tools at the root.
    let prod = org
        .create_organizational_unit()
        .parent_id(&seeded.workloads_ou)
        .name("Prod")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    create_account_in(&org, "dev-1", &seeded.root_id, &seeded.workloads_ou).await;
    create_account_in(&org, "prod-1", &seeded.root_id, &prod).await;
    create_account_in(&org, "tools", &seeded.root_id, &seeded.root_id).await;
    let b = TempBaseline::new(BASELINE, &[("deny-iam-users.json", DENY_IAM_USERS)]);

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let (effect, accounts, ous, not_affected) = names(&plan, "scp.custom.deny-iam-users -> ou:Workloads");
    assert_eq!(effect, Effect::Gain);
    assert_eq!(accounts, ["dev-1", "prod-1", "sandbox"]);
    assert_eq!(ous, ["Workloads", "Workloads/Prod"]);
    assert_eq!(not_affected, None);
    let (_, accounts, ous, not_affected) = names(&plan, "scp.deny_leave_organization -> root");
    assert_eq!(accounts, ["dev-1", "prod-1", "sandbox", "tools"]);
    assert_eq!(ous, ["Workloads", "Workloads/Prod", "root"]);
    assert!(not_affected.unwrap().contains(MANAGEMENT_ACCOUNT));

    // The Markdown comment opens with the summary, widest first; JSON carries it per change.
    let md = plinth::render::markdown::plan(&plan);
    let summary = md.split("#### Impact").nth(1).expect("an impact section");
    let first = summary.lines().find(|l| l.starts_with("- ")).unwrap();
    assert!(first.starts_with("- 4 accounts in the root and 2 OUs"), "{first}");
    let json: serde_json::Value = serde_json::from_str(&plinth::render::json::plan(&plan)).unwrap();
    let attach = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "scp.custom.deny-iam-users -> ou:Workloads")
        .unwrap();
    assert_eq!(attach["impact"]["effect"], "gain");
    assert_eq!(attach["impact"]["accounts"].as_array().unwrap().len(), 3);

    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");
    let again = emu.session().await;
    let converged = again.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(converged.is_empty(), "{:#?}", converged.changes);
    let calls = again.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    // The OU target's accounts are two of the four parents: the plan walks the tree, each
    // parent listed once (root, Workloads, Workloads/Prod, Security), no `ListAccounts`.
    assert_eq!(calls.get("Organizations.ListAccountsForParent"), 4, "{calls:?}");
    assert_eq!(calls.get("Organizations.ListAccounts"), 0, "{calls:?}");
}
