//! Everything that talks to AWS: client setup from the standard credential chain,
//! retries, the call counter, and one adapter per service. Nothing outside this module
//! calls the SDK.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod counter;
pub mod dynamodb;
pub mod iam;
pub mod limiter;
pub mod logs;
pub mod organizations;
pub mod s3;
pub mod sns;
pub mod sso;
pub mod sts;

use std::fmt;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use aws_types::region::Region;

pub use counter::{CallCounter, Counts};

/// How to reach AWS: from flags, else the SDK's own environment and config files.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    /// Overrides every service endpoint (a local emulator); `AWS_ENDPOINT_URL` works too.
    pub endpoint_url: Option<String>,
    /// Region when the chain has none.
    pub fallback_region: Option<String>,
}

/// plinth's retry policy for every client: the SDK's standard strategy (exponential
/// backoff with jitter, throttling and transient errors retried), with more attempts than
/// the default because Organizations and IAM Identity Center throttle hard.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(8)
        .with_max_backoff(Duration::from_secs(20))
}

/// Shared SDK configuration, the call counter every client reports to, and the rate
/// limiters of services with a limit shared across their APIs.
#[derive(Clone)]
pub struct Aws {
    pub sdk: SdkConfig,
    pub counter: CallCounter,
    /// IAM Identity Center: one limit for the admin API and the identity store.
    pub sso_limiter: limiter::RateLimiter,
}

impl Aws {
    pub async fn connect(options: &ConnectOptions) -> Aws {
        let fallback = options.fallback_region.clone().unwrap_or_else(|| "us-east-1".into());
        let region = RegionProviderChain::default_provider().or_else(Region::new(fallback));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .retry_config(retry_config())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        Aws::from_sdk(loader.load().await)
    }

    /// From a ready SDK configuration (tests use static credentials and an emulator).
    pub fn from_sdk(sdk: SdkConfig) -> Aws {
        Aws {
            sdk,
            counter: CallCounter::default(),
            sso_limiter: limiter::RateLimiter::per_second(sso::CALLS_PER_SECOND),
        }
    }

    /// An Organizations client. Organizations is a global service served from us-east-1.
    pub fn organizations(&self) -> organizations::Organizations {
        let conf = aws_sdk_organizations::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        organizations::Organizations::new(aws_sdk_organizations::Client::from_conf(conf))
    }

    /// CloudWatch in us-east-1, where billing metrics live, whatever the caller's region.
    pub fn cloudwatch_us_east_1(&self) -> cloudwatch::CloudWatch {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        cloudwatch::CloudWatch::new(aws_sdk_cloudwatch::Client::from_conf(conf))
    }

    /// SNS in us-east-1, next to the billing alarms.
    pub fn sns_us_east_1(&self) -> sns::Sns {
        let conf = aws_sdk_sns::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        sns::Sns::new(aws_sdk_sns::Client::from_conf(conf))
    }

    /// CloudTrail in us-east-1, the organization trail's home region.
    pub fn cloudtrail_us_east_1(&self) -> cloudtrail::CloudTrail {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        cloudtrail::CloudTrail::new(aws_sdk_cloudtrail::Client::from_conf(conf))
    }

    /// S3 in us-east-1, where plinth creates the trail's bucket. Path-style addressing
    /// when the endpoint is overridden (emulators do not resolve bucket subdomains).
    pub fn s3_us_east_1(&self) -> s3::S3 {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .force_path_style(self.sdk.endpoint_url().is_some())
            .interceptor(self.counter.clone())
            .build();
        s3::S3::new(aws_sdk_s3::Client::from_conf(conf))
    }

    /// CloudWatch Logs in us-east-1, next to the trail.
    pub fn logs_us_east_1(&self) -> logs::Logs {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        logs::Logs::new(aws_sdk_cloudwatchlogs::Client::from_conf(conf))
    }

    /// IAM, a global service served from us-east-1.
    pub fn iam(&self) -> iam::Iam {
        let conf = aws_sdk_iam::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        iam::Iam::new(aws_sdk_iam::Client::from_conf(conf))
    }

    /// DynamoDB in us-east-1, for the apply lock.
    pub fn dynamodb_us_east_1(&self) -> dynamodb::Dynamo {
        let conf = aws_sdk_dynamodb::config::Builder::from(&self.sdk)
            .region(Region::new("us-east-1"))
            .interceptor(self.counter.clone())
            .build();
        dynamodb::Dynamo::new(aws_sdk_dynamodb::Client::from_conf(conf))
    }

    /// IAM Identity Center (admin API and identity store) in its instance's region, the
    /// baseline's home region; both share one rate limiter.
    pub fn sso(&self, region: &str) -> sso::Sso {
        let admin = aws_sdk_ssoadmin::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_owned()))
            .interceptor(self.counter.clone())
            .build();
        let store = aws_sdk_identitystore::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_owned()))
            .interceptor(self.counter.clone())
            .build();
        sso::Sso::new(
            aws_sdk_ssoadmin::Client::from_conf(admin),
            aws_sdk_identitystore::Client::from_conf(store),
            self.sso_limiter.clone(),
        )
    }

    pub fn sts(&self) -> sts::Sts {
        let conf = aws_sdk_sts::config::Builder::from(&self.sdk)
            .interceptor(self.counter.clone())
            .build();
        sts::Sts::new(aws_sdk_sts::Client::from_conf(conf))
    }
}

/// A failed AWS call: which one, and what AWS said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AwsError {
    pub service: &'static str,
    pub operation: &'static str,
    /// AWS's error code, such as `ConstraintViolationException`; none for transport errors.
    pub code: Option<String>,
    pub message: String,
    /// The call never left: the credential chain found no usable credentials.
    pub no_credentials: bool,
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
        E: ProvideErrorMetadata + std::error::Error,
    {
        let code = err.code().map(str::to_owned);
        // A credential failure sits somewhere in the source chain of a dispatch failure.
        let mut source = err.source();
        let mut credentials = None;
        while let Some(s) = source {
            if let Some(c) = s.downcast_ref::<aws_credential_types::provider::error::CredentialsError>() {
                credentials = Some(c.to_string());
                break;
            }
            source = s.source();
        }
        let message = match (err.message(), &code, &credentials) {
            (Some(m), _, _) => m.to_owned(),
            (None, Some(_), _) => "no message".to_owned(),
            (None, None, Some(c)) => c.lines().next().unwrap_or_default().to_owned(),
            (None, None, None) => DisplayErrorContext(&err).to_string(),
        };
        AwsError {
            service,
            operation,
            code,
            message,
            no_credentials: credentials.is_some(),
        }
    }

    /// An error plinth itself raises about a call (no AWS error code).
    pub fn other(service: &'static str, operation: &'static str, message: impl Into<String>) -> Self {
        AwsError {
            service,
            operation,
            code: None,
            message: message.into(),
            no_credentials: false,
        }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

/// Shorthand to turn an SDK result into one with [`AwsError`].
pub trait Context<T> {
    fn ctx(self, service: &'static str, operation: &'static str) -> Result<T, AwsError>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: ProvideErrorMetadata + std::error::Error,
{
    fn ctx(self, service: &'static str, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::new(service, operation, e))
    }
}

/// Calls that AWS may refuse for a short while after a related write (eventual
/// consistency): retried a few times with backoff, then reported.
pub async fn retry_eventually<T, F, Fut>(codes: &[&str], mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    let mut delay = Duration::from_millis(500);
    for attempt in 1.. {
        match call().await {
            Err(e) if attempt < 6 && codes.iter().any(|c| e.is(c)) => {
                tracing::info!(error = %e, "not visible yet; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns")
}
