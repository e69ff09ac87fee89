//! Client-side pacing: at most N requests per second, evenly spaced, shared by every
//! client of one AWS service (IAM Identity Center's admin API and identity store share
//! one limit).
//!
//! [`Paced`] wraps a client's HTTP client, so every request the SDK sends waits for its
//! turn: each page of the SDK's own paginators, each retry, each write. It is set on the
//! service's client configuration once, like an interceptor (interceptors cannot wait:
//! their hooks are synchronous), and no adapter code paces by hand.
//!
//! The limiter is hand-written rather than a crate: it is a dozen lines on tokio's clock,
//! which lets tests run it with paused time.

use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// An HTTP client whose requests wait for a shared [`RateLimiter`].
#[derive(Debug, Clone)]
pub struct Paced {
    inner: SharedHttpClient,
    limiter: RateLimiter,
}

impl Paced {
    pub fn new(inner: SharedHttpClient, limiter: RateLimiter) -> Paced {
        Paced { inner, limiter }
    }
}

impl HttpClient for Paced {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            limiter: self.limiter.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    limiter: RateLimiter,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let limiter = self.limiter.clone();
        HttpConnectorFuture::new(async move {
            limiter.acquire().await;
            inner.call(request).await
        })
    }
}

#[derive(Debug, Clone)]
pub struct RateLimiter {
    interval: Duration,
    /// The earliest moment the next call may start.
    next: Arc<Mutex<Option<Instant>>>,
}

impl RateLimiter {
    pub fn per_second(calls: u32) -> Self {
        RateLimiter {
            interval: Duration::from_secs(1) / calls.max(1),
            next: Arc::new(Mutex::new(None)),
        }
    }

    /// Wait for this call's turn.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
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
}
