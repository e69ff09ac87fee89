//! Failures of AWS calls: [`AwsError`] (which call, what AWS said and its class
//! [`ErrorKind`], transport failures in words a person can act on, the SDK's error kept
//! as the source), the [`Context`] shorthand, the retry classifier that gives up at once
//! when nothing listens, and [`retry_eventually`] for eventual consistency.

mod kind;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use kind::ErrorKind;

/// Connection refused, or a host name that does not resolve: nothing to wait for, so the
/// call fails at once instead of after every retry (the SDK counts these as transient).
#[derive(Debug)]
pub(super) struct FailFast;

impl ClassifyRetry for FailFast {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if e.as_connector_error().is_some_and(|c| unreachable(c).is_some()) => {
                RetryAction::RetryForbidden
            }
            // The apply lock's fence refused the attempt: no retry sends it.
            Some(Err(e))
                if e.as_connector_error()
                    .is_some_and(|c| super::fence::stopped_in(c).is_some()) =>
            {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "plinth: no retry when nothing listens"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Why nothing could be reached, when the error chain says so: connection refused, or a
/// name that does not resolve.
fn unreachable(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Some("connection refused".into());
        }
        let text = s.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            return Some("the host name does not resolve".into());
        }
        source = s.source();
    }
    None
}

/// The credential chain's failure, where the error's source chain holds one (a dispatch
/// failure's).
fn credentials_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a aws_credential_types::provider::error::CredentialsError> {
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(c) = s.downcast_ref::<aws_credential_types::provider::error::CredentialsError>() {
            return Some(c);
        }
        source = s.source();
    }
    None
}

/// A transport failure in words a person can act on, from the error chain; `None` when
/// the chain has nothing better than the SDK's own text.
fn transport_message(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(why) = unreachable(err) {
        return Some(format!("cannot connect: {why}"));
    }
    let mut innermost = None;
    let mut timed_out = false;
    let mut source = Some(err);
    while let Some(s) = source {
        let text = s.to_string();
        timed_out |= text.contains("timed out") || text.contains("timeout");
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(format!("cannot connect: {}", io.to_string().to_lowercase()));
        }
        innermost = Some(text);
        source = s.source();
    }
    let innermost = innermost?;
    if timed_out && innermost.contains("all attempts") {
        // The whole call's deadline: the SDK's error names none of the attempts' answers.
        return Some(format!(
            "no answer in time, retries included ({innermost}): AWS was silent, or kept \
             answering with errors worth retrying, such as throttling; `--timeout` sets the limit"
        ));
    }
    if timed_out {
        return Some(format!("no answer in time ({innermost}); `--timeout` sets the limit"));
    }
    None
}

/// A failed AWS call: which one, and what AWS said.
///
/// Two errors are equal when their data is (the fields but `source`). `Debug` shows the
/// source's chain as text only: an SDK error may hold the raw response, and a response
/// may carry credentials (`AssumeRoot`).
#[derive(Clone)]
pub struct AwsError {
    pub service: &'static str,
    pub operation: &'static str,
    /// AWS's error code, such as `ConstraintViolationException`; none for transport errors.
    /// [`AwsError::kind`] is its class; the code tells apart answers a class would blur.
    pub code: Option<String>,
    pub message: String,
    /// The call never left: the credential chain found no usable credentials.
    pub no_credentials: bool,
    /// The call never left: the apply lock's fence refused it (the lease was lapsed or
    /// lost); `message` says why.
    pub fenced: bool,
    /// The SDK's error this one was made from ([`std::error::Error::source`]); none for
    /// errors plinth raises itself.
    pub source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl PartialEq for AwsError {
    fn eq(&self, other: &Self) -> bool {
        let data = |e: &AwsError| {
            (
                e.service,
                e.operation,
                e.code.clone(),
                e.message.clone(),
                e.no_credentials,
                e.fenced,
            )
        };
        data(self) == data(other)
    }
}

impl Eq for AwsError {}

impl fmt::Debug for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsError")
            .field("service", &self.service)
            .field("operation", &self.operation)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("no_credentials", &self.no_credentials)
            .field("fenced", &self.fenced)
            .field("source", &self.source.as_deref().map(|s| crate::diag::chain(s)))
            .finish()
    }
}

impl std::error::Error for AwsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}: ", self.service, self.operation)?;
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl AwsError {
    pub fn new<E>(service: &'static str, operation: &'static str, err: E) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let Some(stopped) = super::fence::stopped_in(&err).map(ToString::to_string) {
            return AwsError {
                fenced: true,
                source: Some(Arc::new(err)),
                ..AwsError::other(service, operation, stopped)
            };
        }
        let code = err.code().map(str::to_owned);
        let credentials = credentials_error(&err).map(ToString::to_string);
        let message = match (err.message(), &code, &credentials) {
            (Some(m), _, _) => m.to_owned(),
            (None, Some(_), _) => "no message".to_owned(),
            (None, None, Some(c)) => c.lines().next().unwrap_or_default().to_owned(),
            // The chain's words only: the SDK's `Debug` of an error holds the raw
            // response, which may carry credentials.
            (None, None, None) => transport_message(&err).unwrap_or_else(|| {
                crate::diag::chain(&err)
                    .join(": ")
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            }),
        };
        AwsError {
            service,
            operation,
            code,
            message,
            no_credentials: credentials.is_some(),
            fenced: false,
            source: Some(Arc::new(err)),
        }
    }

    /// A refused session in a member account, saying which account and role, for the
    /// changes that were to run there (the role missing, or an SCP denying
    /// `sts:AssumeRole`).
    #[must_use]
    pub fn in_member_account(mut self, account: &str, role_arn: &str) -> Self {
        self.message = format!(
            "cannot act in account {account} as `{role_arn}` (is the role there, and does no SCP deny `sts:AssumeRole`?): {}",
            self.message
        );
        self
    }

    /// An error plinth itself raises about a call (no AWS error code).
    pub fn other(service: &'static str, operation: &'static str, message: impl Into<String>) -> Self {
        AwsError {
            service,
            operation,
            code: None,
            message: message.into(),
            no_credentials: false,
            fenced: false,
            source: None,
        }
    }

    /// Whether AWS answered with exactly this code. For what a code means, whatever the
    /// service, ask [`AwsError::kind`]; this is for answers a class would blur (S3's
    /// `NoSuchTagSet`, `ConflictException`, `ConditionalCheckFailedException`).
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// The class of AWS's answer, from its code.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::of(self.code.as_deref())
    }

    /// What the call names does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// What the call would create or add is there already.
    pub fn is_already_exists(&self) -> bool {
        self.kind() == ErrorKind::AlreadyExists
    }

    /// AWS asked to slow down.
    pub fn is_throttled(&self) -> bool {
        self.kind() == ErrorKind::Throttled
    }

    /// The caller lacks a permission for the call.
    pub fn is_access_denied(&self) -> bool {
        self.kind() == ErrorKind::AccessDenied
    }

    /// What to tell a person, outermost first: this error's own line, then what its
    /// source chain knows beyond it. That is why no credentials were found, which the
    /// SDK's own words ("an error occurred while loading credentials") leave out; AWS's
    /// answers and transport failures say all in the line.
    pub fn causes(&self) -> Vec<String> {
        let mut causes = vec![self.to_string()];
        let credentials = self
            .source
            .as_deref()
            .and_then(|s| credentials_error(s as &(dyn std::error::Error + 'static)));
        if let Some(reason) = credentials.and_then(std::error::Error::source) {
            // One line each: the chain's own report lists each provider it tried on a line.
            for text in crate::diag::chain(reason) {
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    if !causes.iter().any(|c| c.contains(line)) {
                        causes.push(line.to_owned());
                    }
                }
            }
        }
        causes
    }

    /// The error of a later step of a change, saying what the change did before it:
    /// `deleted 3 of 10 assignments of the permission set, then: <message>`.
    #[must_use]
    pub fn after(mut self, done: impl fmt::Display) -> Self {
        self.message = format!("{done}, then: {}", self.message);
        self
    }

    /// Name the endpoint a call could not reach: `cannot connect to URL: connection refused`.
    pub fn at_endpoint(mut self, endpoint: Option<&str>) -> Self {
        if let (None, Some(url)) = (&self.code, endpoint)
            && let Some(why) = self.message.strip_prefix("cannot connect: ")
        {
            self.message = format!("cannot connect to {url}: {why}");
        }
        self
    }
}

/// Shorthand to turn an SDK result into one with [`AwsError`].
pub trait Context<T> {
    fn ctx(self, service: &'static str, operation: &'static str) -> Result<T, AwsError>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn ctx(self, service: &'static str, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::new(service, operation, e))
    }
}

/// Calls that AWS may refuse for a short while after a related write (eventual
/// consistency): retried five times, backing off with jitter from half a second, then
/// reported.
pub async fn retry_eventually<T, F, Fut>(codes: &[&str], call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    use backon::{ExponentialBuilder, Retryable};
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(500))
        .with_max_delay(Duration::from_secs(8))
        .with_max_times(5)
        .with_jitter();
    call.retry(backoff)
        .when(|e: &AwsError| codes.iter().any(|c| e.is(c)))
        .notify(|e: &AwsError, delay| tracing::info!(error = %e, "not visible yet; retrying in {delay:?}"))
        .await
}

#[cfg(test)]
mod tests;
