//! Everything that talks to AWS: client setup from the standard credential chain,
//! retries, the call counter, and one adapter per service. Nothing outside this module
//! calls the SDK.

pub mod account;
pub mod budgets;
pub mod clients;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod counter;
pub mod dynamodb;
mod error;
pub mod fence;
pub mod iam;
pub mod limiter;
pub mod logs;
pub mod member;
pub mod organizations;
pub mod quotas;
pub mod root_access;
pub mod s3;
pub mod sns;
pub mod sso;
pub mod sts;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use aws_types::region::Region;

pub use crate::types::service::Service;
pub use counter::{CallCounter, Counts};
use error::FailFast;
pub use error::{AwsError, Context, ErrorKind, retry_eventually};

/// How to reach AWS: from flags, else the SDK's own environment and config files.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    /// Overrides every service endpoint (a local emulator); `AWS_ENDPOINT_URL` works too.
    pub endpoint_url: Option<String>,
    /// Region when the chain has none.
    pub fallback_region: Option<String>,
    /// Longest an AWS call may take, retries included (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
    /// `--max-rate`: calls per second below AWS's quotas, by service (`organizations`,
    /// `sso`, `cloudwatch`, ...), for budgets shared with other tools.
    pub max_rates: std::collections::BTreeMap<String, f64>,
}

/// How long one AWS call may take, retries included, unless `--timeout` says otherwise:
/// an endpoint that accepts connections and never answers fails within it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);

/// plinth's retry policy for every client: the SDK's standard strategy (exponential
/// backoff with jitter, throttling and transient errors retried), with enough attempts
/// ([`MAX_ATTEMPTS`]) that the `--timeout` deadline, not a count, ends a call AWS keeps
/// throttling. (Not the SDK's adaptive mode: after a few throttled answers it charges each
/// retry five tokens at half a call per second, which made a lightly throttled read
/// outlast its deadline in tests/faults.rs; plinth's pacer slows down instead.)
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_max_backoff(MAX_BACKOFF)
}

/// Attempts of one call: more than backoff fits in the default deadline (at most
/// [`MAX_BACKOFF`] between attempts, about ten in 90 s), so a throttled call is retried
/// until its deadline. With eight, as plinth first allowed, a permission set failed on a
/// throttled answer in the 5,000-account benchmark, in the first seconds of its apply.
pub const MAX_ATTEMPTS: u32 = 30;
/// The longest wait between two attempts of a call.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The HTTPS client the SDK makes by default (rustls with aws-lc, the proxy from
/// `HTTPS_PROXY` and friends), made here so that clients can share and wrap it.
fn default_https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            aws_smithy_http_client::Connector::builder().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// Every call gives up after `timeout`, retries included; one attempt after a third of it.
pub fn timeout_config(timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5).min(timeout))
        .operation_attempt_timeout(timeout / 3)
        .operation_timeout(timeout)
        .build()
}

/// Shared SDK configuration, the call counter every client reports to, the pacer that
/// holds every client to AWS's request-rate quotas, and the apply lock's fence that every
/// client but the lock's own asks before each call.
#[derive(Clone)]
pub struct Aws {
    pub sdk: SdkConfig,
    pub counter: CallCounter,
    pub pacer: std::sync::Arc<limiter::Pacer>,
    pub fence: fence::Fence,
}

/// Whether a client is fenced: unless [`client!`] says `fenced = false`.
fn fenced(said: &[bool]) -> bool {
    said.iter().all(|f| *f)
}

/// `f(b)`, typed by `b` so that the closure given to [`client!`] needs no annotation.
fn with_config<B>(b: B, f: impl FnOnce(B) -> B) -> B {
    f(b)
}

/// Global services are served from us-east-1; plinth's own regional resources live there.
const US_EAST_1: &str = "us-east-1";

/// A client of one SDK crate from the run's configuration (in `region`, when given):
/// counted, tagged for the rate limiter, fenced by the apply lock ([`fence`]; all but the
/// lock's own client, `fenced = false`), its HTTP requests paced, failing at once when the
/// endpoint cannot be reached ([`FailFast`]); an optional closure adds to its config.
macro_rules! client {
    ($aws:expr, $sdk:ident $(, region = $region:expr)? $(, fenced = $fenced:expr)? $(, with = $extra:expr)?) => {{
        let b = $sdk::config::Builder::from(&$aws.sdk)
            $( .region(Region::new($region.to_owned())) )?
            .interceptor($aws.counter.clone())
            .interceptor(limiter::Tag::new($aws.pacer.clone()))
            .http_client($aws.paced())
            .retry_classifier(FailFast);
        let b = if fenced(&[$($fenced)?]) { b.interceptor(fence::Guard::new($aws.fence.clone())) } else { b };
        $( let b = with_config(b, $extra); )?
        $sdk::Client::from_conf(b.build())
    }};
}

impl Aws {
    pub async fn connect(options: &ConnectOptions) -> Aws {
        let fallback = options.fallback_region.clone().unwrap_or_else(|| "us-east-1".into());
        let region = RegionProviderChain::default_provider().or_else(Region::new(fallback));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .retry_config(retry_config())
            .timeout_config(timeout_config(options.timeout.unwrap_or(DEFAULT_TIMEOUT)));
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        Aws::with_max_rates(loader.load().await, options.max_rates.clone())
    }

    /// From a ready SDK configuration (tests use static credentials and an emulator).
    /// Every client shares one HTTP client: the given one, else the SDK's default.
    pub fn from_sdk(sdk: SdkConfig) -> Aws {
        Aws::with_max_rates(sdk, Default::default())
    }

    /// From a ready SDK configuration, with budgets below AWS's quotas (`--max-rate`).
    pub fn with_max_rates(sdk: SdkConfig, max_rates: std::collections::BTreeMap<String, f64>) -> Aws {
        Aws::with_pacer(sdk, limiter::Pacer::new(max_rates))
    }

    /// From a ready SDK configuration and a pacer of one's own (tests).
    pub fn with_pacer(sdk: SdkConfig, pacer: limiter::Pacer) -> Aws {
        let sdk = match sdk.http_client() {
            Some(_) => sdk,
            None => sdk.into_builder().http_client(default_https_client()).build(),
        };
        // The SDK's upload stall protection fails a call whose endpoint accepts no byte of
        // the request for 5 s. An endpoint busy under load does that (the emulator did,
        // at 5,000 accounts: two `CreatePermissionSet`s failed as "no answer"), and the
        // attempt and operation timeouts (`--timeout`) already bound a stuck call.
        // plinth's request bodies are a few kilobytes at most: upload protection is off;
        // answers keep theirs.
        let sdk = sdk
            .into_builder()
            .stalled_stream_protection(
                aws_types::sdk_config::StalledStreamProtectionConfig::enabled()
                    .upload_enabled(false)
                    .build(),
            )
            .build();
        Aws {
            sdk,
            counter: CallCounter::default(),
            pacer: std::sync::Arc::new(pacer),
            fence: fence::Fence::default(),
        }
    }

    /// An Organizations client. Organizations is a global service served from us-east-1.
    pub fn organizations(&self) -> organizations::Organizations {
        organizations::Organizations::new(client!(self, aws_sdk_organizations, region = US_EAST_1))
    }

    /// CloudWatch in us-east-1, where billing metrics live, whatever the caller's region.
    pub fn cloudwatch_us_east_1(&self) -> cloudwatch::CloudWatch {
        cloudwatch::CloudWatch::new(client!(self, aws_sdk_cloudwatch, region = US_EAST_1))
    }

    /// SNS in us-east-1, next to the billing alarms.
    pub fn sns_us_east_1(&self) -> sns::Sns {
        sns::Sns::new(client!(self, aws_sdk_sns, region = US_EAST_1))
    }

    /// The Account Management API, a global service served from us-east-1.
    pub fn account(&self) -> account::AccountApi {
        account::AccountApi::new(client!(self, aws_sdk_account, region = US_EAST_1))
    }

    /// AWS Budgets, a global service served from us-east-1.
    pub fn budgets(&self) -> budgets::Budgets {
        budgets::Budgets::new(client!(self, aws_sdk_budgets, region = US_EAST_1))
    }

    /// CloudTrail in us-east-1, the organization trail's home region.
    pub fn cloudtrail_us_east_1(&self) -> cloudtrail::CloudTrail {
        cloudtrail::CloudTrail::new(client!(self, aws_sdk_cloudtrail, region = US_EAST_1))
    }

    /// S3 in us-east-1, where plinth creates the trail's bucket. Path-style addressing
    /// when the endpoint is overridden (emulators do not resolve bucket subdomains).
    pub fn s3_us_east_1(&self) -> s3::S3 {
        let path_style = self.sdk.endpoint_url().is_some();
        s3::S3::new(client!(
            self,
            aws_sdk_s3,
            region = US_EAST_1,
            with = |b| b.force_path_style(path_style)
        ))
    }

    /// CloudWatch Logs in us-east-1, next to the trail.
    pub fn logs_us_east_1(&self) -> logs::Logs {
        logs::Logs::new(client!(self, aws_sdk_cloudwatchlogs, region = US_EAST_1))
    }

    /// IAM, a global service served from us-east-1.
    pub fn iam(&self) -> iam::Iam {
        iam::Iam::new(self.iam_client(None))
    }

    /// An IAM client, with the run's credentials or (for a root session) others.
    pub fn iam_client(&self, credentials: Option<aws_credential_types::Credentials>) -> aws_sdk_iam::Client {
        client!(
            self,
            aws_sdk_iam,
            region = US_EAST_1,
            with = |b| match credentials {
                Some(c) => b.credentials_provider(c),
                None => b,
            }
        )
    }

    /// IAM's centralized root access: the management account's IAM client, and STS in
    /// us-east-1 (`AssumeRoot` needs a Regional endpoint).
    pub fn root_access(&self) -> root_access::RootAccess {
        let aws = self.clone();
        root_access::RootAccess::new(
            self.iam_client(None),
            client!(self, aws_sdk_sts, region = US_EAST_1),
            Box::new(move |credentials| aws.iam_client(Some(credentials))),
        )
    }

    /// DynamoDB in us-east-1, for the apply lock: not fenced, so that the lock's renewals
    /// and its release go on whatever the fence says.
    pub fn dynamodb_us_east_1(&self) -> dynamodb::Dynamo {
        dynamodb::Dynamo::new(client!(self, aws_sdk_dynamodb, region = US_EAST_1, fenced = false))
    }

    /// IAM Identity Center (admin API and identity store) in its instance's region, the
    /// baseline's home region; every request of both waits for their one shared bucket.
    pub fn sso(&self, region: &str) -> sso::Sso {
        sso::Sso::new(
            client!(self, aws_sdk_ssoadmin, region = region),
            client!(self, aws_sdk_identitystore, region = region),
        )
    }

    /// The shared HTTP client, its requests paced at AWS's quotas, each fenced request
    /// asking the fence once more after its wait for the pacer, right before it leaves.
    fn paced(&self) -> limiter::Paced {
        let inner = self.sdk.http_client().unwrap_or_else(default_https_client);
        limiter::Paced::new(fence::Checked::wrap(inner), self.pacer.clone())
    }

    /// STS in the caller's region.
    pub fn sts(&self) -> sts::Sts {
        sts::Sts::new(client!(self, aws_sdk_sts))
    }

    /// An STS client in us-east-1, for sessions in member accounts ([`member`]).
    pub fn sts_client(&self) -> aws_sdk_sts::Client {
        client!(self, aws_sdk_sts, region = US_EAST_1)
    }

    /// Another account's: `sdk` (its credentials) with this one's call counter and lock
    /// fence, and a pacer of its own (AWS's quotas are per account).
    pub fn for_account(&self, sdk: SdkConfig, pacer: limiter::Pacer) -> Aws {
        Aws {
            sdk,
            counter: self.counter.for_member_account(),
            pacer: std::sync::Arc::new(pacer),
            fence: self.fence.clone(),
        }
    }
}
