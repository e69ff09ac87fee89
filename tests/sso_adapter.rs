//! The IAM Identity Center adapter's asynchronous operations and error paths, on mocked
//! SDK responses: status polling until AWS finishes, AWS's failure reasons,
//! `ConflictException` and throttling retried, pagination, and name resolution.

use std::time::Duration;

use aws_sdk_identitystore::operation::get_group_id::GetGroupIdOutput;
use aws_sdk_identitystore::operation::list_groups::ListGroupsOutput;
use aws_sdk_ssoadmin::Client;
use aws_sdk_ssoadmin::operation::create_account_assignment::CreateAccountAssignmentOutput;
use aws_sdk_ssoadmin::operation::delete_account_assignment::DeleteAccountAssignmentOutput;
use aws_sdk_ssoadmin::operation::describe_account_assignment_creation_status::DescribeAccountAssignmentCreationStatusOutput;
use aws_sdk_ssoadmin::operation::describe_account_assignment_deletion_status::DescribeAccountAssignmentDeletionStatusOutput;
use aws_sdk_ssoadmin::operation::describe_permission_set_provisioning_status::DescribePermissionSetProvisioningStatusOutput;
use aws_sdk_ssoadmin::operation::list_account_assignments_for_principal::ListAccountAssignmentsForPrincipalOutput;
use aws_sdk_ssoadmin::operation::list_instances::ListInstancesOutput;
use aws_sdk_ssoadmin::operation::list_permission_sets::ListPermissionSetsOutput;
use aws_sdk_ssoadmin::operation::provision_permission_set::ProvisionPermissionSetOutput;
use aws_sdk_ssoadmin::types::{
    AccountAssignmentForPrincipal, AccountAssignmentOperationStatus, InstanceMetadata, PermissionSetProvisioningStatus,
    PrincipalType, StatusValues,
};
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_mocks::{RuleMode, create_mock_http_client, mock, mock_client};
use plinth::aws::Context;
use plinth::aws::limiter::{Paced, Pacer, Tag};
use plinth::aws::sso::{Sso, SsoScope};
use plinth::observed::PrincipalKind;
use plinth::plan::{Ref, SsoCall, SsoOp};

const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-1";
const SET: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-1";

fn json_error(code: &str, message: &str) -> (u16, Option<String>) {
    (400, Some(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)))
}

fn fast_retries(b: aws_sdk_ssoadmin::config::Builder) -> aws_sdk_ssoadmin::config::Builder {
    b.retry_config(plinth::aws::retry_config().with_initial_backoff(Duration::from_millis(1)))
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
}

fn sso(admin: Client, store: aws_sdk_identitystore::Client) -> Sso {
    Sso::new(admin, store)
}

fn no_store() -> aws_sdk_identitystore::Client {
    mock_client!(aws_sdk_identitystore, [])
}

fn op(call: SsoCall) -> SsoOp {
    SsoOp {
        region: "us-east-1".into(),
        instance_arn: INSTANCE.into(),
        call,
    }
}

fn create_assignment() -> SsoOp {
    op(SsoCall::CreateAccountAssignment {
        permission_set: Ref::Id(SET.into()),
        account: Ref::Id("111111111111".into()),
        principal_kind: PrincipalKind::Group,
        principal_id: "g-1".into(),
    })
}

fn assignment_status(status: StatusValues, reason: Option<&str>) -> AccountAssignmentOperationStatus {
    AccountAssignmentOperationStatus::builder()
        .status(status)
        .request_id("req-1")
        .set_failure_reason(reason.map(str::to_owned))
        .build()
}

fn resolve(r: &Ref) -> Option<String> {
    match r {
        Ref::Id(id) => Some(id.clone()),
        Ref::Planned(_) => None,
    }
}

#[tokio::test(start_paused = true)]
async fn assignment_creation_is_polled_until_aws_finishes() {
    let create = mock!(Client::create_account_assignment).then_output(|| {
        CreateAccountAssignmentOutput::builder()
            .account_assignment_creation_status(assignment_status(StatusValues::InProgress, None))
            .build()
    });
    let status = mock!(Client::describe_account_assignment_creation_status)
        .match_requests(|r| r.account_assignment_creation_request_id() == Some("req-1"))
        .sequence()
        .output(|| {
            DescribeAccountAssignmentCreationStatusOutput::builder()
                .account_assignment_creation_status(assignment_status(StatusValues::InProgress, None))
                .build()
        })
        .times(2)
        .output(|| {
            DescribeAccountAssignmentCreationStatusOutput::builder()
                .account_assignment_creation_status(assignment_status(StatusValues::Succeeded, None))
                .build()
        })
        .build();
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&create, &status]);
    sso(admin, no_store())
        .execute(&create_assignment(), &resolve)
        .await
        .expect("succeeds once AWS finishes");
    assert_eq!(create.num_calls(), 1);
    assert_eq!(status.num_calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failed_assignment_reports_the_aws_reason() {
    let create = mock!(Client::create_account_assignment).then_output(|| {
        CreateAccountAssignmentOutput::builder()
            .account_assignment_creation_status(assignment_status(StatusValues::InProgress, None))
            .build()
    });
    let status = mock!(Client::describe_account_assignment_creation_status).then_output(|| {
        DescribeAccountAssignmentCreationStatusOutput::builder()
            .account_assignment_creation_status(assignment_status(
                StatusValues::Failed,
                Some("Received a 404 status error: Not supported policy arn:aws:iam::aws:policy/Nope."),
            ))
            .build()
    });
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&create, &status]);
    let err = sso(admin, no_store())
        .execute(&create_assignment(), &resolve)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "SSO Admin.CreateAccountAssignment: FAILED: Received a 404 status error: Not supported policy arn:aws:iam::aws:policy/Nope."
    );
}

#[tokio::test(start_paused = true)]
async fn a_status_answer_without_a_status_is_an_error_never_success() {
    let create = mock!(Client::create_account_assignment).then_output(|| {
        CreateAccountAssignmentOutput::builder()
            .account_assignment_creation_status(assignment_status(StatusValues::InProgress, None))
            .build()
    });
    // AWS answers the poll, but says nothing of how it went.
    let status = mock!(Client::describe_account_assignment_creation_status).then_output(|| {
        DescribeAccountAssignmentCreationStatusOutput::builder()
            .account_assignment_creation_status(AccountAssignmentOperationStatus::builder().request_id("req-1").build())
            .build()
    });
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&create, &status]);
    let err = sso(admin, no_store())
        .execute(&create_assignment(), &resolve)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("answered request req-1 with no status; plinth cannot tell whether it succeeded"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn conflicts_are_retried_with_backoff() {
    let (status, body) = json_error(
        "ConflictException",
        "another operation on the permission set is in progress",
    );
    let delete = mock!(Client::delete_account_assignment)
        .sequence()
        .http_status(status, body)
        .times(2)
        .output(|| {
            DeleteAccountAssignmentOutput::builder()
                .account_assignment_deletion_status(assignment_status(StatusValues::InProgress, None))
                .build()
        })
        .build();
    let deleted = mock!(Client::describe_account_assignment_deletion_status).then_output(|| {
        DescribeAccountAssignmentDeletionStatusOutput::builder()
            .account_assignment_deletion_status(assignment_status(StatusValues::Succeeded, None))
            .build()
    });
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&delete, &deleted], fast_retries);
    sso(admin, no_store())
        .execute(
            &op(SsoCall::DeleteAccountAssignment {
                permission_set: SET.into(),
                account: "111111111111".into(),
                principal_kind: PrincipalKind::User,
                principal_id: "u-1".into(),
            }),
            &resolve,
        )
        .await
        .expect("retried past the conflicts");
    assert_eq!(delete.num_calls(), 3);
    assert_eq!(deleted.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn provisioning_waits_for_the_result_and_reports_failure() {
    let provision = mock!(Client::provision_permission_set).then_output(|| {
        ProvisionPermissionSetOutput::builder()
            .permission_set_provisioning_status(
                PermissionSetProvisioningStatus::builder()
                    .status(StatusValues::InProgress)
                    .request_id("prov-1")
                    .build(),
            )
            .build()
    });
    let status = mock!(Client::describe_permission_set_provisioning_status)
        .match_requests(|r| r.provision_permission_set_request_id() == Some("prov-1"))
        .sequence()
        .output(|| {
            DescribePermissionSetProvisioningStatusOutput::builder()
                .permission_set_provisioning_status(
                    PermissionSetProvisioningStatus::builder()
                        .status(StatusValues::InProgress)
                        .build(),
                )
                .build()
        })
        .output(|| {
            DescribePermissionSetProvisioningStatusOutput::builder()
                .permission_set_provisioning_status(
                    PermissionSetProvisioningStatus::builder()
                        .status(StatusValues::Failed)
                        .failure_reason("customer managed policy deny-billing does not exist in account 222222222222")
                        .build(),
                )
                .build()
        })
        .build();
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&provision, &status]);
    let err = sso(admin, no_store())
        .execute(
            &op(SsoCall::ProvisionPermissionSet {
                permission_set: SET.into(),
            }),
            &resolve,
        )
        .await
        .unwrap_err();
    assert_eq!(status.num_calls(), 2);
    assert!(
        err.to_string()
            .contains("customer managed policy deny-billing does not exist in account 222222222222"),
        "{err}"
    );
}

#[tokio::test]
async fn reads_page_through_assignments_and_retry_throttling() {
    let (status, body) = json_error("ThrottlingException", "Rate exceeded");
    let instances = mock!(Client::list_instances).then_output(|| {
        ListInstancesOutput::builder()
            .instances(
                InstanceMetadata::builder()
                    .instance_arn(INSTANCE)
                    .identity_store_id("d-1")
                    .build(),
            )
            .build()
    });
    let sets = mock!(Client::list_permission_sets)
        .sequence()
        .http_status(status, body)
        .output(|| ListPermissionSetsOutput::builder().build())
        .build();
    let assignment = |account: &str| {
        AccountAssignmentForPrincipal::builder()
            .account_id(account)
            .permission_set_arn(SET)
            .principal_type(PrincipalType::Group)
            .principal_id("g-1")
            .build()
    };
    let first = mock!(Client::list_account_assignments_for_principal)
        .match_requests(|r| r.next_token().is_none() && r.principal_id() == Some("g-1"))
        .then_output(move || {
            ListAccountAssignmentsForPrincipalOutput::builder()
                .account_assignments(assignment("111111111111"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::list_account_assignments_for_principal)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListAccountAssignmentsForPrincipalOutput::builder()
                .account_assignments(assignment("222222222222"))
                .build()
        });
    let other = mock!(Client::list_account_assignments_for_principal)
        .match_requests(|r| r.principal_id() == Some("g-2"))
        .then_output(|| ListAccountAssignmentsForPrincipalOutput::builder().build());
    let admin = mock_client!(
        aws_sdk_ssoadmin,
        RuleMode::MatchAny,
        &[&instances, &sets, &first, &second, &other],
        fast_retries
    );
    // Two names, one listing page allowed before lookups: "admins" is on it,
    // "auditors" is not, and is looked up by name.
    let groups = mock!(aws_sdk_identitystore::Client::list_groups).then_output(|| {
        ListGroupsOutput::builder()
            .groups(
                aws_sdk_identitystore::types::Group::builder()
                    .group_id("g-1")
                    .display_name("admins")
                    .identity_store_id("d-1")
                    .build()
                    .unwrap(),
            )
            .next_token("more")
            .build()
            .unwrap()
    });
    let lookup = mock!(aws_sdk_identitystore::Client::get_group_id).then_output(|| {
        GetGroupIdOutput::builder()
            .group_id("g-2")
            .identity_store_id("d-1")
            .build()
            .unwrap()
    });
    let store = mock_client!(aws_sdk_identitystore, RuleMode::MatchAny, &[&groups, &lookup]);
    let scope = SsoScope {
        groups: ["admins".to_owned(), "auditors".to_owned()].into(),
        ..SsoScope::default()
    };
    let state = sso(admin, store).read(&scope).await.expect("read");
    assert_eq!(sets.num_calls(), 2, "throttled once, then retried");
    assert_eq!(groups.num_calls(), 1);
    assert_eq!(lookup.num_calls(), 1);
    assert_eq!(state.groups["admins"], "g-1");
    assert_eq!(state.groups["auditors"], "g-2");
    let accounts: Vec<&str> = state
        .assignments
        .iter()
        .filter(|a| a.principal_id == "g-1")
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(accounts, ["111111111111", "222222222222"]);
}

#[tokio::test(start_paused = true)]
async fn at_most_ten_assignment_operations_are_in_flight() {
    use std::sync::{Arc, Mutex};
    let started: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let log = started.clone();
    let create = mock!(Client::create_account_assignment).then_output(move || {
        log.lock().unwrap().push(tokio::time::Instant::now());
        CreateAccountAssignmentOutput::builder()
            .account_assignment_creation_status(assignment_status(StatusValues::InProgress, None))
            .build()
    });
    // AWS finishes each one at the first poll, a second after it started.
    let status = mock!(Client::describe_account_assignment_creation_status).then_output(|| {
        DescribeAccountAssignmentCreationStatusOutput::builder()
            .account_assignment_creation_status(assignment_status(StatusValues::Succeeded, None))
            .build()
    });
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&create, &status]);
    let sso = sso(admin, no_store());
    let op = create_assignment();
    let all = futures::future::join_all((0..25).map(|_| sso.execute(&op, &resolve))).await;
    assert!(all.iter().all(Result::is_ok));
    let mut times = started.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 25);
    // Any 11 consecutive starts span at least the second one operation holds its slot.
    for w in times.windows(11) {
        assert!(w[10] - w[0] >= Duration::from_secs(1), "{w:?}");
    }
    // And the slots are used: 25 operations take three rounds, not 25.
    assert!(times[24] - times[0] < Duration::from_secs(4), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn every_call_waits_for_the_shared_rate_limiter() {
    let delete = mock!(Client::delete_inline_policy_from_permission_set).then_output(|| {
        aws_sdk_ssoadmin::operation::delete_inline_policy_from_permission_set::DeleteInlinePolicyFromPermissionSetOutput::builder().build()
    });
    // Paced the way `Aws` paces the real clients: tagged, and the HTTP client waits.
    let pacer = std::sync::Arc::new(Pacer::default());
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&delete], |b| {
        b.interceptor(Tag::new(pacer.clone()))
            .http_client(Paced::new(create_mock_http_client(), pacer.clone()))
    });
    let sso = Sso::new(admin, no_store());
    let op = op(SsoCall::DeleteInlinePolicy {
        permission_set: SET.into(),
    });
    let start = tokio::time::Instant::now();
    let all = futures::future::join_all((0..41).map(|_| sso.execute(&op, &resolve))).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(delete.num_calls(), 41);
    // 41 calls at 20 per second: two seconds, however many run concurrently.
    assert!(start.elapsed() >= Duration::from_secs(2), "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn every_page_of_the_sdk_paginators_waits_for_the_rate_limiter() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // 41 pages, each with a fresh token, the last without one.
    let page = AtomicUsize::new(0);
    let instances = mock!(Client::list_instances).then_output(move || {
        let n = page.fetch_add(1, Ordering::SeqCst);
        let out = ListInstancesOutput::builder();
        if n < 40 {
            out.next_token(format!("page-{}", n + 1)).build()
        } else {
            out.instances(
                InstanceMetadata::builder()
                    .instance_arn(INSTANCE)
                    .identity_store_id("d-1")
                    .build(),
            )
            .build()
        }
    });
    let pacer = std::sync::Arc::new(Pacer::default());
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&instances], |b| {
        b.interceptor(Tag::new(pacer.clone()))
            .http_client(Paced::new(create_mock_http_client(), pacer.clone()))
    });
    let start = tokio::time::Instant::now();
    let instance = Sso::new(admin, no_store()).instance().await.expect("listed");
    assert_eq!(instance.map(|i| i.arn), Some(INSTANCE.to_owned()));
    assert_eq!(instances.num_calls(), 41);
    // 41 requests at 20 per second: two seconds.
    assert!(start.elapsed() >= Duration::from_secs(2), "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_call_throttled_more_times_than_a_fixed_count_would_allow_still_succeeds() {
    // Twelve throttled answers in a row (plinth once gave up after eight): the deadline,
    // not a count of attempts, ends a throttled call.
    let (status, body) = json_error("ThrottlingException", "Rate exceeded");
    let instances = mock!(Client::list_instances)
        .sequence()
        .http_status(status, body)
        .times(12)
        .output(|| ListInstancesOutput::builder().build())
        .build();
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&instances], fast_retries);
    admin
        .list_instances()
        .send()
        .await
        .expect("retried through the throttling");
    assert_eq!(instances.num_calls(), 13);
}

#[tokio::test(start_paused = true)]
async fn a_call_throttled_until_its_deadline_fails_then() {
    let (status, body) = json_error("ThrottlingException", "Rate exceeded");
    let instances = mock!(Client::list_instances)
        .sequence()
        .http_status(status, body)
        .repeatedly()
        .build();
    let deadline = Duration::from_secs(90);
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&instances], |b| b
        .retry_config(plinth::aws::retry_config())
        .timeout_config(plinth::aws::timeout_config(deadline))
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new())));
    let started = tokio::time::Instant::now();
    let err = admin
        .list_instances()
        .send()
        .await
        .ctx("SSO Admin", "ListInstances")
        .expect_err("throttled to the end");
    let took = started.elapsed();
    assert!(took <= deadline + Duration::from_secs(1), "took {took:?}");
    // Backoff up to 20 s between attempts: several in the 90 s, fewer than the cap.
    let calls = instances.num_calls();
    assert!(
        (5..plinth::aws::MAX_ATTEMPTS as usize).contains(&calls),
        "{calls} attempts"
    );
    let said = err.to_string();
    assert!(said.contains("no answer in time, retries included"), "{said}");
    assert!(said.contains("such as throttling"), "{said}");
}

/// AWS keeps display names unique; a listing that shows one twice (a broken or emulated
/// store) is an error naming both ids, never the last one listed taken for the name.
#[tokio::test]
async fn a_name_listed_twice_is_an_error_not_a_guess() {
    let instances = mock!(Client::list_instances).then_output(|| {
        ListInstancesOutput::builder()
            .instances(
                InstanceMetadata::builder()
                    .instance_arn(INSTANCE)
                    .identity_store_id("d-1")
                    .build(),
            )
            .build()
    });
    let sets = mock!(Client::list_permission_sets).then_output(|| ListPermissionSetsOutput::builder().build());
    let admin = mock_client!(aws_sdk_ssoadmin, RuleMode::MatchAny, &[&instances, &sets]);
    let group = |id: &str| {
        aws_sdk_identitystore::types::Group::builder()
            .group_id(id)
            .display_name("admins")
            .identity_store_id("d-1")
            .build()
            .unwrap()
    };
    let groups = mock!(aws_sdk_identitystore::Client::list_groups).then_output(move || {
        ListGroupsOutput::builder()
            .groups(group("g-real"))
            .groups(group("g-impostor"))
            .build()
            .unwrap()
    });
    let store = mock_client!(aws_sdk_identitystore, RuleMode::MatchAny, &[&groups]);
    let scope = SsoScope {
        groups: ["admins".to_owned()].into(),
        ..SsoScope::default()
    };
    let err = sso(admin, store)
        .read(&scope)
        .await
        .expect_err("two groups named `admins`");
    let text = err.to_string();
    assert!(
        text.contains("`admins`") && text.contains("g-real") && text.contains("g-impostor"),
        "{text}"
    );
}
