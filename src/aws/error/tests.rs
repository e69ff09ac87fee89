//! [`AwsError`] made from the SDK's errors: code, class and message; the SDK's error kept
//! as the source; and what of its chain reaches a person.

use std::error::Error as _;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

use super::{AwsError, ErrorKind};

type Sdk = SdkError<GetCallerIdentityError, Response>;

fn answer(status: u16, body: &str) -> Response {
    Response::new(StatusCode::try_from(status).expect("a status"), SdkBody::from(body))
}

fn refused(code: &str) -> Sdk {
    let meta = ErrorMetadata::builder()
        .code(code)
        .message("User: x is not authorized")
        .build();
    SdkError::service_error(GetCallerIdentityError::generic(meta), answer(403, "<Error/>"))
}

#[test]
fn aws_answers_keep_code_class_message_and_the_sdk_error_as_source() {
    let e = AwsError::new("STS", "GetCallerIdentity", refused("AccessDenied"));
    assert_eq!(e.code.as_deref(), Some("AccessDenied"));
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert!(e.is_access_denied() && !e.is_not_found() && !e.is_throttled() && !e.is_already_exists());
    assert_eq!(
        e.to_string(),
        "STS.GetCallerIdentity: AccessDenied: User: x is not authorized"
    );
    let source = e.source().expect("the SDK's error");
    assert!(source.downcast_ref::<Sdk>().is_some(), "{source:?}");
    // AWS's answer says it all: nothing more to print.
    assert_eq!(e.causes(), [e.to_string()]);
}

#[test]
fn equality_is_on_the_data_not_the_source() {
    let from_aws = AwsError::new("STS", "GetCallerIdentity", refused("AccessDenied"));
    let by_hand = AwsError {
        code: Some("AccessDenied".into()),
        ..AwsError::other("STS", "GetCallerIdentity", "User: x is not authorized")
    };
    assert!(by_hand.source.is_none());
    assert_eq!(from_aws, by_hand);
    assert_ne!(
        from_aws,
        AwsError {
            code: Some("AccessDeniedException".into()),
            ..by_hand
        }
    );
}

#[test]
fn an_error_plinth_raises_has_no_code_class_or_source() {
    let e = AwsError::other("Organizations", "resolve", "not created earlier");
    assert_eq!(e.kind(), ErrorKind::Other);
    assert!(e.source().is_none());
    assert_eq!(e.to_string(), "Organizations.resolve: not created earlier");
}

#[test]
fn why_no_credentials_were_found_is_told_beneath_the_sdks_words() {
    let reason = std::io::Error::new(std::io::ErrorKind::NotFound, "failed to read `~/.aws/sso/cache/x.json`");
    let credentials = CredentialsError::provider_error(reason);
    let sdk: Sdk = SdkError::dispatch_failure(ConnectorError::other(Box::new(credentials), None));
    let e = AwsError::new("STS", "GetCallerIdentity", sdk);
    assert!(e.no_credentials);
    assert_eq!(
        e.to_string(),
        "STS.GetCallerIdentity: an error occurred while loading credentials"
    );
    assert_eq!(
        e.causes(),
        [
            "STS.GetCallerIdentity: an error occurred while loading credentials",
            "failed to read `~/.aws/sso/cache/x.json`",
        ]
    );
}

#[test]
fn an_unreadable_answer_is_told_in_the_chains_words_never_with_its_body() {
    // An answer that could not be read, holding what must never be printed.
    let body = "<AssumeRootResponse><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey>";
    let sdk: Sdk = SdkError::response_error("failed to parse the answer", answer(200, body));
    let e = AwsError::new("STS", "AssumeRoot", sdk);
    assert_eq!(e.code, None);
    assert_eq!(
        e.to_string(),
        "STS.AssumeRoot: response error: failed to parse the answer"
    );
    for shown in [e.to_string(), format!("{e:?}"), e.causes().join("\n")] {
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
    }
}
