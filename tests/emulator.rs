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
