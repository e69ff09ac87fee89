//! `[contacts]` end to end against the emulator with the real Account Management client:
//! trusted access first, every account's contacts (the management account's without
//! `AccountId`, an account created in the same run included), converged with zero
//! writes, drift by hand repaired; and the emulator refuses what AWS refuses.

use crate::support::{Emulator, TempBaseline, seed};
use aws_sdk_account::types::AlternateContactType;
use plinth::plan::PlanOptions;

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[[account]]
name = "payments"
email = "aws+payments@example.com"
ou = "Workloads"

[contacts.security]
name = "Security Team"
title = "Security"
email = "security@example.com"
phone = "+1-555-0100"

[contacts.billing]
name = "Finance"
title = "Accounts payable"
email = "finance@example.com"
phone = "+1 (555) 0101"
"#;

async fn contact(emu: &Emulator, account: Option<&str>, t: AlternateContactType) -> Option<(String, String)> {
    let client = aws_sdk_account::Client::new(&emu.sdk_config().await);
    let out = client
        .get_alternate_contact()
        .set_account_id(account.map(str::to_owned))
        .alternate_contact_type(t)
        .send()
        .await
        .ok()?;
    let c = out.alternate_contact()?;
    Some((c.email_address()?.to_owned(), c.phone_number()?.to_owned()))
}

async fn account_ids(emu: &Emulator) -> Vec<String> {
    let org = emu.organizations().await;
    let out = org.list_accounts().send().await.unwrap();
    out.accounts().iter().map(|a| a.id().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_account_gets_the_contacts_and_a_converged_plan_writes_nothing() {
    let emu = Emulator::start();
    let seeded = seed(&emu.organizations().await).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let contacts: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.kind == "contacts")
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect();
    assert!(
        contacts[0].starts_with("+ contacts.trusted_access: `account.amazonaws.com` has no trusted access"),
        "{contacts:#?}"
    );
    // The management account's own contacts are read without trusted access; members'
    // cannot be until it is on, and the account this run creates gets its own too.
    assert!(
        contacts
            .iter()
            .any(|c| c
                .contains("contacts.security -> account:123456789012: account 123456789012 has no security contact")),
        "{contacts:#?}"
    );
    assert!(
        contacts.iter().any(|c| c.contains(&format!(
            "contacts.billing -> account:{}: the billing contact cannot be read until",
            seeded.sandbox_account
        ))),
        "{contacts:#?}"
    );
    assert!(
        contacts
            .iter()
            .any(|c| c.contains("contacts.security -> account:payments: account `payments` is created in this run")),
        "{contacts:#?}"
    );
    let report = session.apply(&plan).await;
    assert!(report.is_success(), "{report:#?}");

    let ids = account_ids(&emu).await;
    assert_eq!(ids.len(), 3, "management, sandbox, payments");
    for id in &ids {
        let account = (id != "123456789012").then_some(id.as_str());
        assert_eq!(
            contact(&emu, account, AlternateContactType::Security).await,
            Some(("security@example.com".into(), "+1-555-0100".into())),
            "{id}"
        );
        assert_eq!(
            contact(&emu, account, AlternateContactType::Billing).await,
            Some(("finance@example.com".into(), "+1 (555) 0101".into())),
            "{id}"
        );
        assert_eq!(
            contact(&emu, account, AlternateContactType::Operations).await,
            None,
            "undeclared types are left alone"
        );
    }

    // Converged: the trusted-access read and one read per account and declared type.
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let calls = session.aws.counter.snapshot();
    assert_eq!(calls.writes(), 0, "{:?}", calls.write_calls());
    assert_eq!(calls.get("Account.GetAlternateContact"), 3 * 2);

    // Drift by hand: the sandbox's security phone changed; shown field by field, repaired.
    let client = aws_sdk_account::Client::new(&emu.sdk_config().await);
    client
        .put_alternate_contact()
        .account_id(&seeded.sandbox_account)
        .alternate_contact_type(AlternateContactType::Security)
        .name("Security Team")
        .title("Security")
        .email_address("SECURITY@example.com")
        .phone_number("+1-555-9999")
        .send()
        .await
        .unwrap();
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let lines: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{} {}: {}", c.action.symbol(), c.address, c.reason))
        .collect();
    assert_eq!(
        lines,
        [format!(
            "~ contacts.security -> account:{}: phone is `+1-555-9999`, baseline says `+1-555-0100`",
            seeded.sandbox_account
        )],
        "an e-mail differing only in case is the same address"
    );
    assert!(session.apply(&plan).await.is_success());
    assert_eq!(
        contact(&emu, Some(&seeded.sandbox_account), AlternateContactType::Security).await,
        Some(("security@example.com".into(), "+1-555-0100".into()))
    );
}

#[tokio::test]
async fn the_emulator_refuses_member_contacts_without_trusted_access_as_aws_does() {
    let emu = Emulator::start();
    let seeded = seed(&emu.organizations().await).await;
    let client = aws_sdk_account::Client::new(&emu.sdk_config().await);
    let refused = |r: Result<_, aws_sdk_account::error::SdkError<_>>| match r {
        Ok(_) => panic!("accepted"),
        Err(e) => aws_sdk_account::error::ProvideErrorMetadata::code(&e).map(str::to_owned),
    };
    let put = |account: &str| {
        client
            .put_alternate_contact()
            .account_id(account)
            .alternate_contact_type(AlternateContactType::Security)
            .name("n")
            .title("t")
            .email_address("a@example.com")
            .phone_number("1")
            .send()
    };
    assert_eq!(
        refused(put(&seeded.sandbox_account).await).as_deref(),
        Some("AccessDeniedException")
    );
    emu.organizations()
        .await
        .enable_aws_service_access()
        .service_principal("account.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert!(put(&seeded.sandbox_account).await.is_ok());
    assert_eq!(
        refused(put("123456789012").await).as_deref(),
        Some("AccessDeniedException"),
        "own account: no AccountId"
    );
    assert_eq!(
        refused(put("999999999999").await).as_deref(),
        Some("AccessDeniedException"),
        "not a member"
    );
}

#[tokio::test]
async fn an_override_gives_an_ous_accounts_their_own_contact_new_accounts_included() {
    let emu = Emulator::start();
    let seeded = seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        &format!(
            "{BASELINE}\n[[contacts.override]]\ntargets = [\"ou:Workloads\"]\nsecurity = {{ name = \"Workloads Security\", title = \"Security\", email = \"workloads-security@example.com\", phone = \"+1-555-0200\" }}\n"
        ),
        &[],
    );
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());

    let workloads = Some(("workloads-security@example.com".to_owned(), "+1-555-0200".to_owned()));
    assert_eq!(
        contact(&emu, Some(&seeded.sandbox_account), AlternateContactType::Security).await,
        workloads
    );
    let payments = account_ids(&emu)
        .await
        .into_iter()
        .find(|id| *id != "123456789012" && *id != seeded.sandbox_account)
        .unwrap();
    assert_eq!(
        contact(&emu, Some(&payments), AlternateContactType::Security).await,
        workloads,
        "created in the same run, in Workloads"
    );
    assert_eq!(
        contact(&emu, None, AlternateContactType::Security).await,
        Some(("security@example.com".into(), "+1-555-0100".into())),
        "the management account is not in Workloads"
    );
    assert_eq!(
        contact(&emu, Some(&payments), AlternateContactType::Billing).await,
        Some(("finance@example.com".into(), "+1 (555) 0101".into())),
        "types the override does not set come from the section"
    );
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
