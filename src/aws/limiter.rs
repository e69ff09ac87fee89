//! Client-side pacing at AWS's published quotas ([`super::quotas`]): every request waits
//! for a token of its operation's bucket (and of its service's shared bucket, for IAM
//! Identity Center), so a run is paced instead of throttled.
//!
//! Two pieces, set on every client once, like interceptors: [`Tag`], an interceptor that
//! writes which operation a request is for onto the request, and [`Paced`], which wraps
//! the client's HTTP client and makes each request wait for its turn. (Interceptors alone
//! cannot wait: their hooks are synchronous; the HTTP client is the SDK's asynchronous
//! hook.) Every page of the SDK's paginators and every retry goes through them; no adapter
//! paces by hand. AWS may still throttle when others share the quota: the SDK's retries
//! (backoff with jitter) absorb that, and `--max-rate` lowers a shared budget.
//!
//! The buckets are hand-written rather than a crate: a few lines of GCRA on tokio's clock,
//! which lets tests run them with paused time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::time::Instant;

use super::quotas::{self, Quota};

/// A token bucket (GCRA): `rate` calls per second, `burst` at once after a pause. Clones
/// share the bucket.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    quota: Quota,
    interval: Duration,
    /// How far ahead of the schedule a call may go: `burst - 1` intervals.
    tolerance: Duration,
    /// The theoretical arrival time of the next call.
    tat: Arc<Mutex<Option<Instant>>>,
}

impl RateLimiter {
    /// Evenly spaced: `calls` per second, no burst.
    pub fn per_second(calls: u32) -> Self {
        RateLimiter::new(Quota {
            rate: f64::from(calls.max(1)),
            burst: 1,
        })
    }

    pub fn new(quota: Quota) -> Self {
        let interval = Duration::from_secs_f64(1.0 / quota.rate.max(0.001));
        RateLimiter {
            quota,
            interval,
            tolerance: interval * quota.burst.max(1).saturating_sub(1),
            tat: Arc::default(),
        }
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Wait for this call's turn.
    pub async fn acquire(&self) {
        let slot = {
            let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let due = tat.map_or(now, |t| t.max(now));
            let slot = due.checked_sub(self.tolerance).map_or(now, |s| s.max(now));
            *tat = Some(due + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// How long a call that asked now would wait.
    pub fn backlog(&self) -> Duration {
        let tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        tat.and_then(|t| t.checked_sub(self.tolerance))
            .map_or(Duration::ZERO, |s| s.saturating_duration_since(now))
    }
}

/// Every bucket of a run, made from the quota table when first needed.
#[derive(Debug)]
pub struct Pacer {
    buckets: Mutex<BTreeMap<String, RateLimiter>>,
    /// `--max-rate`: lower budgets, by IAM service prefix (`organizations`, `sso`).
    max_rates: BTreeMap<String, f64>,
    /// Every rate multiplied by this: 1 against AWS; more in tests that seed a large
    /// organization through plinth against the emulator.
    speedup: f64,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer::new(BTreeMap::new())
    }
}

impl Pacer {
    /// At AWS's published quotas, lowered where `max_rates` says (calls per second, by
    /// the service's IAM prefix).
    pub fn new(max_rates: BTreeMap<String, f64>) -> Pacer {
        Pacer {
            buckets: Mutex::default(),
            max_rates,
            speedup: 1.0,
        }
    }

    /// Every quota `factor` times higher: for tests against the emulator that write far
    /// more than a test should wait for (pacing itself is tested at the real figures).
    pub fn faster(mut self, factor: f64) -> Pacer {
        self.speedup = factor;
        self
    }

    fn bucket(&self, key: &str, quota: Quota) -> RateLimiter {
        let quota = Quota {
            rate: quota.rate * self.speedup,
            ..quota
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(key.to_owned())
            .or_insert_with(|| RateLimiter::new(quota))
            .clone()
    }

    /// Wait until a call of `operation` of `service` (their names in the SDK) may start.
    pub async fn acquire(&self, service: &str, operation: &str) {
        let cap = budget(service).and_then(|b| self.max_rates.get(b));
        let capped = |q: Quota| match cap {
            Some(&rate) if rate < q.rate => Quota { rate, burst: 1 },
            _ => q,
        };
        if let Some((bucket, quota)) = quotas::shared(service) {
            self.bucket(bucket, capped(quota)).acquire().await;
        } else if let Some(&rate) = cap {
            // A lowered budget for the whole service.
            self.bucket(service, Quota { rate, burst: 1 }).acquire().await;
        }
        if let Some(quota) = quotas::of(service, operation) {
            self.bucket(&format!("{service}.{operation}"), capped(quota))
                .acquire()
                .await;
        }
    }

    /// The bucket with the longest queue, if any call waits: its name, its rate, and how
    /// long a call asking now would wait. What a long apply's progress line names.
    pub fn bottleneck(&self) -> Option<(String, f64, Duration)> {
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .iter()
            .map(|(name, b)| (name.clone(), b.quota().rate, b.backlog()))
            .filter(|(_, _, wait)| !wait.is_zero())
            .max_by_key(|(_, _, wait)| *wait)
    }
}

/// The name `--max-rate` gives a service's budget: its IAM prefix, with the identity
/// store counted as `sso` (IAM Identity Center's APIs share one limit).
pub fn budget(service: &str) -> Option<&'static str> {
    match service {
        "identitystore" => Some("sso"),
        other => super::counter::iam_prefix(other),
    }
}

/// Which call a request is for, written on the request by [`Tag`].
#[derive(Debug, Clone)]
struct Call {
    service: String,
    operation: String,
}

/// Writes the operation's name onto each request, for [`Paced`].
#[derive(Debug, Clone, Copy)]
pub struct Tag;

impl Intercept for Tag {
    fn name(&self) -> &'static str {
        "plinth: tag requests with their operation"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            context.request_mut().add_extension(Call {
                service: m.service().to_owned(),
                operation: m.name().to_owned(),
            });
        }
        Ok(())
    }
}

/// An HTTP client whose requests wait for their buckets in a shared [`Pacer`].
#[derive(Debug, Clone)]
pub struct Paced {
    inner: SharedHttpClient,
    pacer: Arc<Pacer>,
}

impl Paced {
    pub fn new(inner: SharedHttpClient, pacer: Arc<Pacer>) -> Paced {
        Paced { inner, pacer }
    }
}

impl HttpClient for Paced {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Arc<Pacer>,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let pacer = self.pacer.clone();
        let call = request.extension::<Call>().cloned();
        HttpConnectorFuture::new(async move {
            if let Some(call) = call {
                pacer.acquire(&call.service, &call.operation).await;
            }
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_calls_across_every_clone() {
        let limiter = RateLimiter::per_second(20);
        let start = Instant::now();
        let tasks: Vec<_> = (0..41)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap() - start);
        }
        times.sort();
        // 41 calls at 20 per second: the last starts two seconds after the first.
        assert_eq!(times[0], Duration::ZERO);
        assert_eq!(times[40], Duration::from_secs(2));
        // No second holds more than 20 starts.
        for w in times.windows(21) {
            assert!(w[20] - w[0] >= Duration::from_secs(1), "{w:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_limiter_does_not_bank_calls() {
        let limiter = RateLimiter::per_second(10);
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_the_rate_holds() {
        // AttachPolicy: 2 per second, burst 3.
        let limiter = RateLimiter::new(Quota { rate: 2.0, burst: 3 });
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..7 {
            limiter.acquire().await;
            times.push(Instant::now() - start);
        }
        let ms: Vec<u128> = times.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 0, 0, 500, 1000, 1500, 2000]);
        // After a pause the burst is back, and no more.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let start = Instant::now();
        for _ in 0..4 {
            limiter.acquire().await;
        }
        assert_eq!(Instant::now() - start, Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_applies_the_quota_table_and_max_rate() {
        let pacer = Pacer::new(BTreeMap::new());
        let start = Instant::now();
        // PutMetricAlarm: 3 per second, burst 3: nine calls take two seconds.
        for _ in 0..9 {
            pacer.acquire("CloudWatch", "PutMetricAlarm").await;
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
        // The bottleneck is named while calls queue.
        pacer.acquire("CloudWatch", "PutMetricAlarm").await;
        let (name, rate, _) = pacer.bottleneck().expect("a queue");
        assert_eq!((name.as_str(), rate), ("CloudWatch.PutMetricAlarm", 3.0));

        // `--max-rate organizations=1`: DescribePolicy (2 per second) goes at 1.
        let pacer = Pacer::new(BTreeMap::from([("organizations".to_owned(), 1.0)]));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire("Organizations", "DescribePolicy").await;
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
        // `--max-rate sso=10` lowers the bucket both IAM Identity Center APIs share.
        let pacer = Pacer::new(BTreeMap::from([("sso".to_owned(), 10.0)]));
        let start = Instant::now();
        for i in 0..4 {
            let service = if i % 2 == 0 { "SSO Admin" } else { "identitystore" };
            pacer.acquire(service, "ListGroups").await;
        }
        assert_eq!(Instant::now() - start, Duration::from_millis(300));
    }
}
