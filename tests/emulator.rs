//! The emulator's own shims, driven by the real SDK clients.

use crate::support;

use crate::support::{Emulator, seed};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StateValue, Statistic};
use aws_sdk_organizations::types::PolicyType;
use serde_json::Value;

/// The Rust CloudWatch client speaks Smithy rpc-v2-cbor, which moto does not; the
/// emulator translates. A round trip through PutMetricAlarm and DescribeAlarms proves
/// requests, responses, timestamps (CBOR tag 1) and errors all survive it.
#[tokio::test]
async fn cloudwatch_rpc_v2_cbor_round_trip() {
    let emu = Emulator::start();
    let cw = aws_sdk_cloudwatch::Client::new(&emu.sdk_config().await);

    cw.put_metric_alarm()
        .alarm_name("plinth-billing-org-monthly")
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .dimensions(Dimension::builder().name("Currency").value("USD").build())
        .statistic(Statistic::Maximum)
        .period(21_600)
        .evaluation_periods(1)
        .threshold(1000.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .alarm_actions("arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts")
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("PutMetricAlarm through the CBOR translation");

    let out = cw
        .describe_alarms()
        .alarm_name_prefix("plinth-")
        .max_records(100)
        .send()
        .await
        .expect("DescribeAlarms through the CBOR translation");
    let alarms = out.metric_alarms();
    assert_eq!(alarms.len(), 1);
    let a = &alarms[0];
    assert_eq!(a.alarm_name(), Some("plinth-billing-org-monthly"));
    assert_eq!(a.namespace(), Some("AWS/Billing"));
    assert_eq!(a.statistic(), Some(&Statistic::Maximum));
    assert_eq!(a.period(), Some(21_600));
    assert_eq!(a.threshold(), Some(1000.0));
    assert_eq!(a.treat_missing_data(), Some("notBreaching"));
    assert_eq!(a.dimensions()[0].value(), Some("USD"));
    assert_eq!(
        a.alarm_actions(),
        ["arn:aws:sns:us-east-1:123456789012:plinth-billing-alerts"]
    );
    assert!(
        a.state_value()
            .is_some_and(|s| matches!(s, StateValue::Ok | StateValue::InsufficientData))
    );
    // Timestamps arrive as CBOR tag 1 and parse into real dates (after 2020).
    let updated = a.alarm_configuration_updated_timestamp().expect("timestamp present");
    assert!(updated.secs() > 1_577_836_800, "{updated:?}");

    // Errors keep their code through the translation.
    let err = cw
        .set_alarm_state()
        .alarm_name("no-such-alarm")
        .state_value(StateValue::Alarm)
        .state_reason("test")
        .send()
        .await
        .expect_err("unknown alarm");
    use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
    assert_eq!(err.code(), Some("ResourceNotFound"), "{err:?}");
}

/// The emulator refuses what AWS refuses, so the policy kinds' scenarios prove plinth
/// orders its calls and sizes its documents itself: an attachment before the type is
/// enabled, a document over the type's size, detaching RCPFullAWSAccess.
#[tokio::test]
async fn the_emulator_enforces_the_rules_plinth_checks_before_calling() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let created = org
        .create_policy()
        .name("early")
        .description("")
        .r#type(PolicyType::TagPolicy)
        .content(support::policies::TAGS)
        .send()
        .await
        .unwrap();
    let id = created
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let early = org
        .attach_policy()
        .policy_id(&id)
        .target_id(&seeded.root_id)
        .send()
        .await;
    let code = early.unwrap_err().into_service_error().meta().code().map(str::to_owned);
    assert_eq!(code.as_deref(), Some("PolicyTypeNotEnabledException"));

    let huge: Value = serde_json::json!({"services": {"default": {"opt_out_policy": {"@@assign": "x".repeat(2_600)}}}});
    let too_big = org
        .create_policy()
        .name("huge")
        .description("")
        .r#type(PolicyType::AiservicesOptOutPolicy)
        .content(huge.to_string())
        .send()
        .await;
    let code = too_big
        .unwrap_err()
        .into_service_error()
        .meta()
        .code()
        .map(str::to_owned);
    assert_eq!(code.as_deref(), Some("ConstraintViolationException"));

    let detach = org
        .detach_policy()
        .policy_id("p-RCPFullAWSAccess")
        .target_id(&seeded.root_id)
        .send()
        .await;
    let code = detach
        .unwrap_err()
        .into_service_error()
        .meta()
        .code()
        .map(str::to_owned);
    assert_eq!(code.as_deref(), Some("ConstraintViolationException"));
}

/// AWS answers `ListAccounts` and `ListTargetsForPolicy` 20 items a page; so does the
/// emulator (moto answers 100 accounts, and every target at once), so counted reads are
/// AWS's.
#[tokio::test]
async fn organizations_listings_come_in_aws_page_sizes() {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    let seeded = seed(&org).await;
    let mut accounts = Vec::new();
    for i in 0..42 {
        accounts
            .push(support::create_account_in(&org, &format!("paged-{i}"), &seeded.root_id, &seeded.workloads_ou).await);
    }
    let first = org.list_accounts().send().await.unwrap();
    assert_eq!(first.accounts().len(), 20);
    assert!(first.next_token().is_some());
    let pages: Vec<_> = org.list_accounts().into_paginator().send().collect::<Vec<_>>().await;
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.as_ref()
                .unwrap()
                .accounts()
                .iter()
                .map(|a| a.id().unwrap().to_owned())
        })
        .collect();
    // The management account, `sandbox` and the 42: each once, 20 a page.
    let unique: std::collections::BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "{listed:?}");
    assert_eq!(listed.len(), 44);
    assert!(accounts.iter().all(|a| unique.contains(a)));
    assert_eq!(pages.len(), 3);
    // AWS takes 1 to 20 a page, and refuses more.
    let refused = org.list_accounts().max_results(21).send().await.unwrap_err();
    assert_eq!(
        refused.into_service_error().meta().code(),
        Some("InvalidInputException")
    );

    org.enable_policy_type()
        .root_id(&seeded.root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let policy = org
        .create_policy()
        .name("everywhere")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let id = policy
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    for a in &accounts {
        org.attach_policy().policy_id(&id).target_id(a).send().await.unwrap();
    }
    let first = org.list_targets_for_policy().policy_id(&id).send().await.unwrap();
    assert_eq!(first.targets().len(), 20);
    let pages: Vec<_> = org
        .list_targets_for_policy()
        .policy_id(&id)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut targets: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.as_ref()
                .unwrap()
                .targets()
                .iter()
                .map(|t| t.target_id().unwrap().to_owned())
        })
        .collect();
    assert_eq!(pages.len(), 3);
    targets.sort();
    accounts.sort();
    assert_eq!(targets, accounts);
    let refused = org
        .list_targets_for_policy()
        .policy_id(&id)
        .max_results(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused.into_service_error().meta().code(),
        Some("InvalidInputException")
    );
}
