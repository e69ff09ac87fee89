//! The adapters of the management account's own services on mocked SDK responses: AWS
//! Budgets' pagination and throttling, the Account API's "no such contact", and root
//! sessions (a refused `AssumeRoot` reported while the other accounts are read, a missing
//! login profile, a delete that finds the credential gone).

use std::time::Duration;

use aws_sdk_budgets::operation::describe_budgets::DescribeBudgetsOutput;
use aws_sdk_budgets::operation::describe_notifications_for_budget::DescribeNotificationsForBudgetOutput;
use aws_sdk_budgets::operation::describe_subscribers_for_notification::DescribeSubscribersForNotificationOutput;
use aws_sdk_budgets::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_budgets::types::{
    Budget, BudgetType, ComparisonOperator, Notification, NotificationType, ResourceTag, Spend, Subscriber,
    SubscriptionType, TimeUnit,
};
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use plinth::aws::account::AccountApi;
use plinth::aws::budgets::Budgets;
use plinth::aws::root_access::RootAccess;
use plinth::observed::{ContactType, RootAudit, RootCredential, RootCredentials, SubscriberKind};
use plinth::plan::RootAccessOp;

fn json_error(code: &str, message: &str) -> (u16, Option<String>) {
    (400, Some(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)))
}

fn query_error(status: u16, code: &str, message: &str) -> (u16, Option<String>) {
    (
        status,
        Some(format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
        )),
    )
}

fn budget(name: &str) -> Budget {
    Budget::builder()
        .budget_name(name)
        .budget_limit(Spend::builder().amount("100.0").unit("USD").build().unwrap())
        .time_unit(TimeUnit::Monthly)
        .budget_type(BudgetType::Cost)
        .build()
        .unwrap()
}

#[tokio::test]
async fn budgets_are_read_across_pages_after_a_throttled_answer_and_only_plinths_in_detail() {
    let (status, body) = json_error("ThrottlingException", "Rate exceeded");
    let first = mock!(aws_sdk_budgets::Client::describe_budgets)
        .match_requests(|r| r.next_token().is_none())
        .sequence()
        .http_status(status, body)
        .output(|| {
            DescribeBudgetsOutput::builder()
                .budgets(budget("plinth-org"))
                .budgets(budget("team-budget"))
                .next_token("page-2")
                .build()
        })
        .build();
    let second = mock!(aws_sdk_budgets::Client::describe_budgets)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeBudgetsOutput::builder()
                .budgets(budget("plinth-sandbox"))
                .build()
        });
    let tags = mock!(aws_sdk_budgets::Client::list_tags_for_resource).then_output(|| {
        ListTagsForResourceOutput::builder()
            .resource_tags(
                ResourceTag::builder()
                    .key("managed-by")
                    .value("plinth")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let alert = Notification::builder()
        .notification_type(NotificationType::Forecasted)
        .comparison_operator(ComparisonOperator::GreaterThan)
        .threshold(100.0)
        .build()
        .unwrap();
    let notifications = mock!(aws_sdk_budgets::Client::describe_notifications_for_budget).then_output(move || {
        DescribeNotificationsForBudgetOutput::builder()
            .notifications(alert.clone())
            .build()
    });
    let subscribers = mock!(aws_sdk_budgets::Client::describe_subscribers_for_notification).then_output(|| {
        DescribeSubscribersForNotificationOutput::builder()
            .subscribers(
                Subscriber::builder()
                    .subscription_type(SubscriptionType::Email)
                    .address("finance@example.com")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_budgets,
        RuleMode::MatchAny,
        &[&first, &second, &tags, &notifications, &subscribers],
        |b| b
            .retry_config(plinth::aws::retry_config().with_initial_backoff(Duration::from_millis(1)))
            .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
    );
    let mut read = Budgets::new(client)
        .read_budgets("123456789012", "plinth-", &[])
        .await
        .expect("retried to success");
    read.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    let names: Vec<&str> = read.iter().map(|b| b.spec.name.as_str()).collect();
    assert_eq!(
        names,
        ["plinth-org", "plinth-sandbox"],
        "another's budget is not read in detail"
    );
    assert!(read.iter().all(|b| b.owned));
    assert_eq!(read[0].spec.limit_usd, Some(100.0));
    assert_eq!(read[0].spec.notifications[0].subscribers[0].kind, SubscriberKind::Email);
    assert_eq!(first.num_calls(), 2, "the throttled page was asked again");
    assert_eq!(second.num_calls(), 1);
    assert_eq!(tags.num_calls(), 2);
    assert_eq!(subscribers.num_calls(), 2);
}

#[tokio::test]
async fn a_contact_that_is_not_set_reads_as_none_and_a_refusal_keeps_its_code() {
    let (status, body) = json_error(
        "ResourceNotFoundException",
        "No contact of the inputted alternate contact type found.",
    );
    let missing = mock!(aws_sdk_account::Client::get_alternate_contact)
        .match_requests(|r| r.account_id() == Some("222222222222"))
        .then_http_response(move || {
            aws_smithy_runtime_api::http::Response::new(
                status.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
            )
        });
    let (status, body) = json_error("AccessDeniedException", "trusted access is not enabled");
    let denied = mock!(aws_sdk_account::Client::get_alternate_contact)
        .match_requests(|r| r.account_id() == Some("333333333333"))
        .then_http_response(move || {
            aws_smithy_runtime_api::http::Response::new(
                status.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
            )
        });
    let client = mock_client!(aws_sdk_account, RuleMode::MatchAny, &[&missing, &denied]);
    let api = AccountApi::new(client);
    assert_eq!(
        api.read_contact(Some("222222222222"), ContactType::Security)
            .await
            .unwrap(),
        None
    );
    let err = api
        .read_contact(Some("333333333333"), ContactType::Security)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
}

fn root_session_iam() -> aws_sdk_iam::Client {
    let (status, body) = query_error(404, "NoSuchEntity", "Login Profile for root cannot be found");
    let no_password = mock!(aws_sdk_iam::Client::get_login_profile).then_http_response(move || {
        aws_smithy_runtime_api::http::Response::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
        )
    });
    let keys = mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput::builder()
            .access_key_metadata(
                aws_sdk_iam::types::AccessKeyMetadata::builder()
                    .access_key_id("AKIAROOT1")
                    .build(),
            )
            .build()
            .unwrap()
    });
    let certificates = mock!(aws_sdk_iam::Client::list_signing_certificates).then_output(|| {
        aws_sdk_iam::operation::list_signing_certificates::ListSigningCertificatesOutput::builder()
            .set_certificates(Some(vec![]))
            .build()
            .unwrap()
    });
    let devices = mock!(aws_sdk_iam::Client::list_mfa_devices).then_output(|| {
        aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput::builder()
            .set_mfa_devices(Some(vec![]))
            .build()
            .unwrap()
    });
    let (status, body) = query_error(404, "NoSuchEntity", "The Access Key with id AKIAGONE cannot be found");
    let gone = mock!(aws_sdk_iam::Client::delete_access_key).then_http_response(move || {
        aws_smithy_runtime_api::http::Response::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
        )
    });
    mock_client!(
        aws_sdk_iam,
        RuleMode::MatchAny,
        &[&no_password, &keys, &certificates, &devices, &gone]
    )
}

fn sts() -> aws_sdk_sts::Client {
    let (status, body) = query_error(
        403,
        "AccessDenied",
        "sts:AssumeRoot is denied by a service control policy",
    );
    let denied = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("333333333333"))
        .then_http_response(move || {
            aws_smithy_runtime_api::http::Response::new(
                status.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
            )
        });
    let granted = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("222222222222"))
        .then_output(|| {
            aws_sdk_sts::operation::assume_root::AssumeRootOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id("ASIAROOTSESSION")
                        .secret_access_key("secret")
                        .session_token("token")
                        .expiration(aws_smithy_types::DateTime::from_secs(4_000_000_000))
                        .build()
                        .unwrap(),
                )
                .build()
        });
    mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[&denied, &granted])
}

fn root_access() -> RootAccess {
    RootAccess::new(
        mock_client!(aws_sdk_iam, []),
        sts(),
        Box::new(|credentials| {
            assert_eq!(
                credentials.access_key_id(),
                "ASIAROOTSESSION",
                "the session's own credentials"
            );
            root_session_iam()
        }),
    )
}

#[tokio::test]
async fn a_refused_root_session_is_reported_and_the_other_accounts_are_read() {
    let mut audits = root_access()
        .audit(vec!["333333333333".into(), "222222222222".into()])
        .await
        .expect("a refusal is not a failure of the audit");
    audits.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        audits[0],
        (
            "222222222222".to_owned(),
            RootAudit::Credentials(RootCredentials {
                password: false,
                access_keys: vec!["AKIAROOT1".into()],
                signing_certificates: vec![],
                mfa_devices: vec![],
            })
        )
    );
    match &audits[1] {
        (account, RootAudit::Refused(why)) => {
            assert_eq!(account, "333333333333");
            assert!(why.contains("denied by a service control policy"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn deleting_a_credential_that_is_gone_already_succeeds() {
    let op = RootAccessOp::DeleteRootCredential {
        account: "222222222222".into(),
        credential: RootCredential::AccessKey("AKIAGONE".into()),
    };
    assert_eq!(root_access().execute(&op).await.unwrap(), None);
}

#[tokio::test]
async fn a_create_retried_after_a_lost_answer_finds_its_budget_and_a_repeated_delete_its_absence() {
    let (status, body) = json_error("DuplicateRecordException", "the budget already exists");
    let create = mock!(aws_sdk_budgets::Client::create_budget).then_http_response(move || {
        aws_smithy_runtime_api::http::Response::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
        )
    });
    let tags = mock!(aws_sdk_budgets::Client::list_tags_for_resource).then_output(|| {
        ListTagsForResourceOutput::builder()
            .resource_tags(
                ResourceTag::builder()
                    .key("managed-by")
                    .value("plinth")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let (status, body) = json_error("NotFoundException", "the budget doesn't exist");
    let delete = mock!(aws_sdk_budgets::Client::delete_budget).then_http_response(move || {
        aws_smithy_runtime_api::http::Response::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.clone().unwrap()),
        )
    });
    let budgets = Budgets::new(mock_client!(
        aws_sdk_budgets,
        RuleMode::MatchAny,
        &[&create, &tags, &delete]
    ));
    let resolve = |_: &plinth::plan::Ref| None;
    let spec = plinth::observed::BudgetSpec {
        name: "plinth-org".into(),
        limit_usd: Some(100.0),
        linked_account: None,
        auto_adjust_months: None,
        notifications: vec![],
    };
    let op = |call| plinth::plan::BudgetsOp {
        account_id: "123456789012".into(),
        call,
    };
    let created = budgets
        .execute(
            &op(plinth::plan::BudgetsCall::CreateBudget {
                spec: Box::new(spec),
                linked_account: None,
            }),
            &resolve,
        )
        .await
        .unwrap();
    assert_eq!(
        created.as_deref(),
        Some("arn:aws:budgets::123456789012:budget/plinth-org")
    );
    assert_eq!(tags.num_calls(), 1, "the existing budget's tag is checked");
    let deleted = budgets
        .execute(
            &op(plinth::plan::BudgetsCall::DeleteBudget {
                budget: "plinth-org".into(),
            }),
            &resolve,
        )
        .await;
    assert_eq!(deleted.unwrap(), None);
}
