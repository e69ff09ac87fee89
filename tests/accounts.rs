//! Accounts as code against the emulator: created when missing, moved into their OU,
//! and given the rest of the baseline (SCPs, billing alarm) in the same run.

use crate::support;

use crate::support::{Emulator, TempBaseline, seed};
use plinth::plan::PlanOptions;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[organizational_units]]
path = "Workloads/Prod"

[[account]]
name = "payments-prod"
email = "aws+payments-prod@example.com"
ou = "Workloads/Prod"

[[account]]
name = "sandbox"
email = "sandbox@example.com"
ou = "Security"

[scp.deny_leave_organization]
attach = ["account:payments-prod"]

[billing]

[[billing.alarm]]
name = "payments-prod"
account = "payments-prod"
threshold_usd = 300
"#;

#[tokio::test]
async fn new_accounts_are_created_placed_and_given_the_baseline_in_one_run() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let addresses: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.address))
        .collect();
    for expected in [
        "+ account.payments-prod",
        "~ account.payments-prod -> ou:Workloads/Prod",
        "~ account.sandbox -> ou:Security",
        "+ scp.deny_leave_organization -> account:payments-prod",
        "+ billing.alarm.payments-prod",
    ] {
        assert!(
            addresses.iter().any(|a| a == expected),
            "{expected} missing from {addresses:#?}"
        );
    }
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");

    // The new account exists, sits in Workloads/Prod, carries the SCP, has its alarm.
    let accounts = org.list_accounts().send().await.unwrap();
    let new = accounts
        .accounts()
        .iter()
        .find(|a| a.name() == Some("payments-prod"))
        .expect("created");
    let new_id = new.id().unwrap();
    let parent = org.list_parents().child_id(new_id).send().await.unwrap();
    let prod = org
        .list_organizational_units_for_parent()
        .parent_id(&seeded.workloads_ou)
        .send()
        .await
        .unwrap();
    assert_eq!(parent.parents()[0].id(), prod.organizational_units()[0].id());
    let sandbox_parent = org
        .list_parents()
        .child_id(&seeded.sandbox_account)
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox_parent.parents()[0].id(), Some(seeded.security_ou.as_str()));
    let scp = support::live_scp(&org, "plinth-deny-leave-organization").await.unwrap();
    assert!(scp.targets.iter().any(|t| t == new_id));
    let cw = aws_sdk_cloudwatch::Client::new(&emu.sdk_config().await);
    let alarm = cw
        .describe_alarms()
        .alarm_names("plinth-billing-payments-prod")
        .send()
        .await
        .unwrap();
    let dims = alarm.metric_alarms()[0].dimensions();
    assert!(
        dims.iter()
            .any(|d| d.name() == Some("LinkedAccount") && d.value() == Some(new_id)),
        "{dims:?}"
    );

    // Converged: nothing more, no write; accounts are never closed.
    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions { allow_delete: true })
        .await
        .unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}

#[tokio::test]
async fn an_account_for_an_ou_nobody_declared_is_an_error() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[[account]]\nname = \"x\"\nemail = \"x@example.com\"\nou = \"Nowhere\"\n",
        &[],
    );
    let session = emu.session().await;
    let err = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("account `x` belongs in OU `Nowhere`, which is not in the organization"),
        "{err}"
    );
    assert!(err.contains("baseline.toml:7:6"), "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
