//! The Organizations adapter's error paths, on mocked SDK responses: throttling,
//! pagination, eventual consistency and errors AWS reports.

use std::time::Duration;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::attach_policy::AttachPolicyOutput;
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::operation::list_policies::ListPoliciesOutput;
use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
use aws_sdk_organizations::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_organizations::types::{Account, Organization, OrganizationFeatureSet, PolicySummary, Root};
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use plinth::aws::organizations::{OrgSummary, Organizations, ReadScope};
use plinth::plan::{OrganizationsOp, Ref};

fn json_error(status: u16, code: &str, message: &str) -> (u16, Option<String>) {
    (status, Some(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)))
}

/// plinth's own retry policy, with a short backoff so the test is quick.
fn fast_retries(b: aws_sdk_organizations::config::Builder) -> aws_sdk_organizations::config::Builder {
    b.retry_config(plinth::aws::retry_config().with_initial_backoff(Duration::from_millis(1)))
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
}

#[tokio::test]
async fn throttling_is_retried_with_backoff() {
    let (status, body) = json_error(400, "TooManyRequestsException", "Rate exceeded");
    let describe = mock!(Client::describe_organization)
        .sequence()
        .http_status(status, body.clone())
        .times(3)
        .output(|| {
            DescribeOrganizationOutput::builder()
                .organization(
                    Organization::builder()
                        .id("o-1")
                        .master_account_id("123456789012")
                        .feature_set(OrganizationFeatureSet::All)
                        .build(),
                )
                .build()
        })
        .build();
    let client = mock_client!(aws_sdk_organizations, RuleMode::Sequential, &[&describe], fast_retries);
    let summary = Organizations::new(client)
        .describe_organization()
        .await
        .expect("retried to success");
    assert_eq!(
        summary,
        Some(OrgSummary {
            id: "o-1".into(),
            management_account_id: "123456789012".into(),
            all_features: true
        })
    );
    assert_eq!(describe.num_calls(), 4);
}

#[tokio::test]
async fn errors_carry_the_aws_code_and_message() {
    let (status, body) = json_error(
        400,
        "AccessDeniedException",
        "not authorized to perform organizations:DescribeOrganization",
    );
    let describe = mock!(Client::describe_organization)
        .sequence()
        .http_status(status, body)
        .build();
    let client = mock_client!(aws_sdk_organizations, RuleMode::Sequential, &[&describe], fast_retries);
    let err = Organizations::new(client).describe_organization().await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(
        err.to_string(),
        "Organizations.DescribeOrganization: AccessDeniedException: not authorized to perform organizations:DescribeOrganization"
    );
    assert_eq!(describe.num_calls(), 1, "access denied is not retried");
}

#[tokio::test]
async fn no_organization_is_none_not_an_error() {
    let (status, body) = json_error(400, "AWSOrganizationsNotInUseException", "not in an organization");
    let describe = mock!(Client::describe_organization)
        .sequence()
        .http_status(status, body)
        .build();
    let client = mock_client!(aws_sdk_organizations, RuleMode::Sequential, &[&describe], fast_retries);
    assert_eq!(Organizations::new(client).describe_organization().await.unwrap(), None);
}

#[tokio::test]
async fn every_page_is_read() {
    let roots = mock!(Client::list_roots).then_output(|| {
        ListRootsOutput::builder()
            .roots(Root::builder().id("r-1").build())
            .build()
    });
    let ous = mock!(Client::list_organizational_units_for_parent)
        .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build());
    let accounts_page_1 = mock!(Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(Account::builder().id("111111111111").name("a").build())
                .next_token("page-2")
                .build()
        });
    let accounts_page_2 = mock!(Client::list_accounts)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(Account::builder().id("222222222222").name("b").build())
                .build()
        });
    let policies_page_1 = mock!(Client::list_policies)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListPoliciesOutput::builder()
                .policies(
                    PolicySummary::builder()
                        .id("p-1")
                        .name("one")
                        .aws_managed(false)
                        .build(),
                )
                .next_token("next")
                .build()
        });
    let policies_page_2 = mock!(Client::list_policies)
        .match_requests(|r| r.next_token() == Some("next"))
        .then_output(|| {
            ListPoliciesOutput::builder()
                .policies(
                    PolicySummary::builder()
                        .id("p-2")
                        .name("two")
                        .aws_managed(false)
                        .build(),
                )
                .build()
        });
    let tags = mock!(Client::list_tags_for_resource).then_output(|| ListTagsForResourceOutput::builder().build());
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[
            &roots,
            &ous,
            &accounts_page_1,
            &accounts_page_2,
            &policies_page_1,
            &policies_page_2,
            &tags
        ],
        fast_retries
    );
    let summary = OrgSummary {
        id: "o-1".into(),
        management_account_id: "111111111111".into(),
        all_features: true,
    };
    let state = Organizations::new(client)
        .read(&summary, &ReadScope::default())
        .await
        .unwrap();
    assert_eq!(state.accounts.len(), 2);
    assert_eq!(
        state.scps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert!(!state.scp_enabled);
    // Tags were read once per customer-managed SCP; nothing owned, so no content read.
    assert_eq!(tags.num_calls(), 2);
}

#[tokio::test]
async fn attach_right_after_enabling_scps_waits_for_aws_to_catch_up() {
    let (status, body) = json_error(400, "PolicyTypeNotEnabledException", "not enabled yet");
    let attach = mock!(Client::attach_policy)
        .sequence()
        .http_status(status, body)
        .output(|| AttachPolicyOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_organizations, RuleMode::Sequential, &[&attach], fast_retries);
    let op = OrganizationsOp::AttachPolicy {
        policy: Ref::Id("p-1".into()),
        target: Ref::Id("r-1".into()),
    };
    let resolve = |r: &Ref| match r {
        Ref::Id(id) => Some(id.clone()),
        Ref::Planned(_) => None,
    };
    Organizations::new(client)
        .execute(&op, &resolve)
        .await
        .expect("retried until visible");
    assert_eq!(attach.num_calls(), 2);
}

#[tokio::test]
async fn a_failed_account_creation_reports_the_reason() {
    use aws_sdk_organizations::operation::create_account::CreateAccountOutput;
    use aws_sdk_organizations::operation::describe_create_account_status::DescribeCreateAccountStatusOutput;
    use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
    use aws_sdk_organizations::types::{CreateAccountFailureReason, CreateAccountState, CreateAccountStatus};
    let create = mock!(Client::create_account).then_output(|| {
        CreateAccountOutput::builder()
            .create_account_status(
                CreateAccountStatus::builder()
                    .id("car-1")
                    .state(CreateAccountState::InProgress)
                    .build(),
            )
            .build()
    });
    let status = mock!(Client::describe_create_account_status).then_output(|| {
        DescribeCreateAccountStatusOutput::builder()
            .create_account_status(
                CreateAccountStatus::builder()
                    .id("car-1")
                    .state(CreateAccountState::Failed)
                    .failure_reason(CreateAccountFailureReason::EmailAlreadyExists)
                    .build(),
            )
            .build()
    });
    let none_earlier =
        mock!(Client::list_create_account_status).then_output(|| ListCreateAccountStatusOutput::builder().build());
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&create, &status, &none_earlier],
        fast_retries
    );
    let op = OrganizationsOp::CreateAccount {
        name: "payments".into(),
        email: "taken@example.com".into(),
    };
    let err = Organizations::new(client).execute(&op, &|_| None).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("EMAIL_ALREADY_EXISTS"));
    assert!(
        err.to_string().contains(
            "creating `payments` (taken@example.com) failed: the e-mail address is already used by another AWS account"
        ),
        "{err}"
    );
}

fn in_progress(id: &str) -> aws_sdk_organizations::types::CreateAccountStatus {
    use aws_sdk_organizations::types::{CreateAccountState, CreateAccountStatus};
    CreateAccountStatus::builder()
        .id(id)
        .account_name("payments")
        .state(CreateAccountState::InProgress)
        .build()
}

fn succeeded(
    id: &str,
) -> aws_sdk_organizations::operation::describe_create_account_status::DescribeCreateAccountStatusOutput {
    use aws_sdk_organizations::types::{CreateAccountState, CreateAccountStatus};
    aws_sdk_organizations::operation::describe_create_account_status::DescribeCreateAccountStatusOutput::builder()
        .create_account_status(
            CreateAccountStatus::builder()
                .id(id)
                .state(CreateAccountState::Succeeded)
                .account_id("444455556666")
                .build(),
        )
        .build()
}

#[tokio::test(start_paused = true)]
async fn a_request_an_earlier_run_sent_is_waited_on_not_sent_again() {
    use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
    let earlier = mock!(Client::list_create_account_status).then_output(|| {
        ListCreateAccountStatusOutput::builder()
            .create_account_statuses(in_progress("car-earlier"))
            .build()
    });
    let create = mock!(Client::create_account).then_output(|| unreachable!("never sent"));
    let status = mock!(Client::describe_create_account_status)
        .match_requests(|r| r.create_account_request_id() == Some("car-earlier"))
        .then_output(|| succeeded("car-earlier"));
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&earlier, &create, &status],
        fast_retries
    );
    let op = OrganizationsOp::CreateAccount {
        name: "payments".into(),
        email: "payments@example.com".into(),
    };
    let id = Organizations::new(client).execute(&op, &|_| None).await.unwrap();
    assert_eq!(id.as_deref(), Some("444455556666"));
    assert_eq!(create.num_calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_create_account_whose_answer_was_lost_is_found_not_sent_twice() {
    use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
    // Nothing under way at first; after the lost answer, the request is there.
    let listing = mock!(Client::list_create_account_status)
        .sequence()
        .output(|| ListCreateAccountStatusOutput::builder().build())
        .output(|| {
            ListCreateAccountStatusOutput::builder()
                .create_account_statuses(in_progress("car-lost"))
                .build()
        })
        .build();
    let create = mock!(Client::create_account)
        .sequence()
        .http_status(
            500,
            Some(r#"{"__type":"ServiceException","message":"try again"}"#.into()),
        )
        .build();
    let status = mock!(Client::describe_create_account_status).then_output(|| succeeded("car-lost"));
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&listing, &create, &status],
        fast_retries
    );
    let op = OrganizationsOp::CreateAccount {
        name: "payments".into(),
        email: "payments@example.com".into(),
    };
    let id = Organizations::new(client).execute(&op, &|_| None).await.unwrap();
    assert_eq!(id.as_deref(), Some("444455556666"));
    assert_eq!(
        create.num_calls(),
        1,
        "CreateAccount is sent once, never retried blindly"
    );
}

#[tokio::test(start_paused = true)]
async fn a_status_without_a_state_is_an_error_not_success() {
    use aws_sdk_organizations::operation::create_account::CreateAccountOutput;
    use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
    let none_earlier =
        mock!(Client::list_create_account_status).then_output(|| ListCreateAccountStatusOutput::builder().build());
    let create = mock!(Client::create_account).then_output(|| {
        CreateAccountOutput::builder()
            .create_account_status(
                aws_sdk_organizations::types::CreateAccountStatus::builder()
                    .id("car-1")
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&none_earlier, &create],
        fast_retries
    );
    let op = OrganizationsOp::CreateAccount {
        name: "payments".into(),
        email: "payments@example.com".into(),
    };
    let err = Organizations::new(client).execute(&op, &|_| None).await.unwrap_err();
    assert!(err.to_string().contains("cannot tell whether it was created"), "{err}");
}

#[tokio::test]
async fn retried_writes_that_find_their_work_done_succeed() {
    use aws_sdk_organizations::operation::list_policies::ListPoliciesOutput;
    use aws_sdk_organizations::operation::list_tags_for_resource::ListTagsForResourceOutput;
    use aws_sdk_organizations::types::{PolicySummary, Tag};
    let (status, body) = (400, |code: &str| {
        Some(format!(r#"{{"__type":"{code}","message":"already"}}"#))
    });
    let create = mock!(Client::create_policy)
        .sequence()
        .http_status(status, body("DuplicatePolicyException"))
        .build();
    let listed = mock!(Client::list_policies).then_output(|| {
        ListPoliciesOutput::builder()
            .policies(PolicySummary::builder().id("p-ours").name("plinth-region-deny").build())
            .build()
    });
    let tags = mock!(Client::list_tags_for_resource).then_output(|| {
        ListTagsForResourceOutput::builder()
            .tags(Tag::builder().key("managed-by").value("plinth").build().unwrap())
            .build()
    });
    let attach = mock!(Client::attach_policy)
        .sequence()
        .http_status(status, body("DuplicatePolicyAttachmentException"))
        .build();
    let enable = mock!(Client::enable_policy_type)
        .sequence()
        .http_status(status, body("PolicyTypeAlreadyEnabledException"))
        .build();
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&create, &listed, &tags, &attach, &enable],
        fast_retries
    );
    let orgs = Organizations::new(client);
    let create = OrganizationsOp::CreatePolicy {
        policy_type: plinth::types::policy_types::PolicyType::Scp,
        name: "plinth-region-deny".into(),
        description: String::new(),
        content: "{}".into(),
    };
    assert_eq!(
        orgs.execute(&create, &|_| None).await.unwrap().as_deref(),
        Some("p-ours")
    );
    let attach = OrganizationsOp::AttachPolicy {
        policy: plinth::plan::Ref::Id("p-ours".into()),
        target: plinth::plan::Ref::Id("r-1".into()),
    };
    assert_eq!(
        orgs.execute(&attach, &|r| match r {
            plinth::plan::Ref::Id(i) => Some(i.clone()),
            plinth::plan::Ref::Planned(_) => None,
        })
        .await
        .unwrap(),
        None
    );
    let enable = OrganizationsOp::EnablePolicyType {
        root_id: "r-1".into(),
        policy_type: "SERVICE_CONTROL_POLICY".into(),
    };
    assert_eq!(orgs.execute(&enable, &|_| None).await.unwrap(), None);
}

/// CreateAccount goes without the SDK's retries: a throttled answer is plinth's to retry,
/// after looking for the request, and a refusal is not sent again.
#[tokio::test(start_paused = true)]
async fn a_throttled_create_account_is_sent_again_and_a_refused_one_is_not() {
    use aws_sdk_organizations::operation::create_account::CreateAccountOutput;
    use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
    let none_earlier =
        mock!(Client::list_create_account_status).then_output(|| ListCreateAccountStatusOutput::builder().build());
    let create = mock!(Client::create_account)
        .sequence()
        .http_status(400, json_error(400, "TooManyRequestsException", "Rate exceeded").1)
        .output(|| {
            CreateAccountOutput::builder()
                .create_account_status(in_progress("car-2"))
                .build()
        })
        .http_status(400, json_error(400, "AccessDeniedException", "not allowed").1)
        .build();
    let status = mock!(Client::describe_create_account_status).then_output(|| succeeded("car-2"));
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&none_earlier, &create, &status],
        fast_retries
    );
    let orgs = Organizations::new(client);
    let op = OrganizationsOp::CreateAccount {
        name: "payments".into(),
        email: "payments@example.com".into(),
    };
    let id = orgs.execute(&op, &|_| None).await.unwrap();
    assert_eq!(id.as_deref(), Some("444455556666"));
    assert_eq!(create.num_calls(), 2, "sent again after the throttled answer");
    assert_eq!(none_earlier.num_calls(), 2, "looked for the request before each send");
    let err = orgs.execute(&op, &|_| None).await.unwrap_err();
    assert!(err.is_access_denied(), "{err}");
    assert_eq!(create.num_calls(), 3, "a refusal is not sent again");
}

/// A repeated delete finds the policy gone: done. A detach of a policy from a target AWS
/// does not know is an error, though "not found" too: only "not attached" is done.
#[tokio::test]
async fn a_delete_finding_the_policy_gone_is_done_and_a_detach_from_an_unknown_target_is_not() {
    let gone = mock!(Client::delete_policy)
        .sequence()
        .http_status(400, json_error(400, "PolicyNotFoundException", "gone").1)
        .build();
    let detached = mock!(Client::detach_policy)
        .sequence()
        .http_status(400, json_error(400, "PolicyNotAttachedException", "not attached").1)
        .http_status(400, json_error(400, "TargetNotFoundException", "no such target").1)
        .build();
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &[&gone, &detached],
        fast_retries
    );
    let orgs = Organizations::new(client);
    let delete = OrganizationsOp::DeletePolicy {
        policy_id: "p-old".into(),
    };
    assert_eq!(orgs.execute(&delete, &|_| None).await.unwrap(), None);
    let detach = OrganizationsOp::DetachPolicy {
        policy_id: "p-old".into(),
        target_id: "ou-1".into(),
    };
    assert_eq!(orgs.execute(&detach, &|_| None).await.unwrap(), None);
    let err = orgs.execute(&detach, &|_| None).await.unwrap_err();
    assert!(err.is_not_found() && err.is("TargetNotFoundException"), "{err}");
}
