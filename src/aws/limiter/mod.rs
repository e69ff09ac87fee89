//! Client-side pacing at AWS's published quotas ([`super::quotas`], [`HEADROOM`] under):
//! every request waits for a token of its operation's bucket (and of its service's shared
//! bucket, for IAM Identity Center), so a run is paced instead of throttled.
//!
//! Two pieces, set on every client once, like interceptors: [`Tag`], an interceptor that
//! writes which operation a request is for onto the request, and [`Paced`], which wraps
//! the client's HTTP client and makes each request wait for its turn. (Interceptors alone
//! cannot wait: their hooks are synchronous; the HTTP client is the SDK's asynchronous
//! hook.) Every page of the SDK's paginators and every retry goes through them; no adapter
//! paces by hand. AWS may still throttle when others share the quota: [`Tag`] sees the
//! throttled answer and the bucket slows to [`DECREASE`] of its rate, then recovers over
//! [`RECOVERY`] (additive increase, multiplicative decrease), while the SDK retries the call;
//! `--max-rate` lowers a shared budget for good.
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
    /// After a throttled answer: the share of the rate left, and since when; it climbs
    /// back to the whole rate over [`RECOVERY`].
    slowed: Arc<Mutex<Option<(f64, Instant)>>>,
}

/// How long a bucket slowed by a throttled answer takes to climb back to its quota.
pub const RECOVERY: Duration = Duration::from_secs(15);
/// The share of its rate a bucket keeps at each throttled answer: the SDK's adaptive
/// retry mode (CUBIC) uses the same β. Halving for 30 s, as plinth first did, made each
/// stray throttled answer of a busy endpoint cost 7.5 s of a bucket's throughput; at 0.7
/// over 15 s it costs 2.25 s, and a quota truly shared still brings plinth below its
/// share within a few answers (`tests/pace.rs`).
pub const DECREASE: f64 = 0.7;
/// Throttled answers within this long of a decrease are the same congestion, not more of
/// it: a bucket with many calls in flight gets several at once, and slowing for each
/// (0.7 to the twelfth power is a tenth) made a few throttled reads of a converged plan
/// halve its speed.
pub const DECREASE_WINDOW: Duration = Duration::from_secs(1);
/// The share of a published quota plinth paces at. Calls paced exactly at the quota
/// reach AWS a little unevenly (scheduling, the network, a busy endpoint), and AWS's
/// bucket, with no slack left, answers the early ones "Rate exceeded"; 3 % under lets it
/// keep a little (at 20 a second, most of a token a second).
pub const HEADROOM: f64 = 0.97;
/// A bucket never slows below this share of its quota,
const FLOOR: f64 = 0.1;
/// nor to more than this between two calls (unless its quota is slower still): a call's
/// wait counts against its attempt timeout, and a few calls queue per service.
const LONGEST_SLOWED_INTERVAL: Duration = Duration::from_secs(5);

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
            slowed: Arc::default(),
        }
    }

    /// The share of the rate in force now: 1 unless AWS throttled lately.
    fn share(&self, now: Instant) -> f64 {
        let mut slowed = self.slowed.lock().unwrap_or_else(PoisonError::into_inner);
        match *slowed {
            Some((share, since)) => {
                let share = share + (1.0 - share) * (now - since).as_secs_f64() / RECOVERY.as_secs_f64();
                if share >= 1.0 {
                    *slowed = None;
                    1.0
                } else {
                    share
                }
            }
            None => 1.0,
        }
    }

    /// AWS throttled a call of this bucket anyway (others share the quota): slow to
    /// [`DECREASE`] of the rate in force (not below a tenth of the quota), then recover
    /// gradually.
    pub fn throttled(&self) {
        let now = Instant::now();
        let recent = self
            .slowed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|(_, since)| now - since < DECREASE_WINDOW);
        if recent {
            return;
        }
        let share = (self.share(now) * DECREASE).max(FLOOR);
        *self.slowed.lock().unwrap_or_else(PoisonError::into_inner) = Some((share, now));
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Wait for this call's turn.
    pub async fn acquire(&self) {
        let now = Instant::now();
        let share = self.share(now);
        // Slowed: no burst, and a longer interval.
        let (interval, tolerance) = if share < 1.0 {
            let slowed = self.interval.div_f64(share);
            (slowed.min(LONGEST_SLOWED_INTERVAL.max(self.interval)), Duration::ZERO)
        } else {
            (self.interval, self.tolerance)
        };
        let slot = {
            let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
            let due = tat.map_or(now, |t| t.max(now));
            let slot = due.checked_sub(tolerance).map_or(now, |s| s.max(now));
            *tat = Some(due + interval);
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
            rate: quota.rate * self.speedup * HEADROOM,
            ..quota
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(key.to_owned())
            .or_insert_with(|| RateLimiter::new(quota))
            .clone()
    }

    /// The buckets a call of `operation` of `service` (their names in the SDK) takes a
    /// token from: its service's shared one (or its `--max-rate` budget), then its own.
    fn buckets_for(&self, service: &str, operation: &str) -> Vec<RateLimiter> {
        let cap = budget(service).and_then(|b| self.max_rates.get(b));
        let capped = |q: Quota| match cap {
            Some(&rate) if rate < q.rate => Quota { rate, burst: 1 },
            _ => q,
        };
        let mut out = Vec::new();
        if let Some((bucket, quota)) = quotas::shared(service) {
            out.push(self.bucket(bucket, capped(quota)));
        } else if let Some(&rate) = cap {
            // A lowered budget for the whole service.
            out.push(self.bucket(service, Quota { rate, burst: 1 }));
        }
        if let Some(quota) = quotas::of(service, operation) {
            out.push(self.bucket(&format!("{service}.{operation}"), capped(quota)));
        }
        out
    }

    /// Wait until a call of `operation` of `service` may start.
    pub async fn acquire(&self, service: &str, operation: &str) {
        for bucket in self.buckets_for(service, operation) {
            bucket.acquire().await;
        }
    }

    /// AWS throttled a call of `operation` of `service` although it was paced: slow its
    /// buckets down, to recover gradually.
    pub fn throttled(&self, service: &str, operation: &str) {
        tracing::debug!(service, operation, "throttled: slowing down");
        for bucket in self.buckets_for(service, operation) {
            bucket.throttled();
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

/// The name `--max-rate` gives a service's budget, by the service's name in the SDK: its
/// IAM prefix, with the identity store counted as `sso` (the service table's column).
pub fn budget(service: &str) -> Option<&'static str> {
    super::Service::from_sdk(service).map(super::Service::max_rate_name)
}

/// Which call a request is for, written on the request by [`Tag`].
#[derive(Debug, Clone)]
struct Call {
    service: String,
    operation: String,
}

/// Whether an answer is AWS saying "slow down": HTTP 429, or a 400 or 503 whose body
/// names throttling (each protocol spells it its own way).
pub fn is_throttling(status: u16, body: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"Throttl",
        b"TooManyRequests",
        b"RequestLimitExceeded",
        b"SlowDown",
        b"Rate exceeded",
    ];
    status == 429 || (matches!(status, 400 | 503) && WORDS.iter().any(|w| body.windows(w.len()).any(|b| b == *w)))
}

/// Writes the operation's name onto each request, for [`Paced`]; tells the [`Pacer`]
/// when AWS throttled one anyway.
#[derive(Debug, Clone)]
pub struct Tag {
    pacer: Arc<Pacer>,
}

impl Tag {
    pub fn new(pacer: Arc<Pacer>) -> Tag {
        Tag { pacer }
    }
}

impl Intercept for Tag {
    fn name(&self) -> &'static str {
        "plinth: tag requests with their operation"
    }

    fn read_after_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let body = response.body().bytes().unwrap_or_default();
        if is_throttling(response.status().as_u16(), body)
            && let Some(m) = cfg.load::<Metadata>()
        {
            self.pacer.throttled(m.service(), m.name());
        }
        Ok(())
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
mod tests;
