//! The apply lock's fence, in the client layer: while a run holds the apply lock, every
//! call of its clients asks the lock first, so no write reaches AWS once the lease is
//! lapsed or lost, however long the change that makes it has been running.
//!
//! Two pieces, set on every client but the lock's own (its renewals and release must go
//! on): [`Guard`], an interceptor that asks the [`Fence`] once per call before the call is
//! built, and [`Checked`], which wraps the HTTP client and asks again right before each
//! attempt leaves, after the rate limiter's wait (a retry, or a request that queued for
//! seconds, is asked again). A refused call is not sent: it fails with [`Stopped`], which
//! [`super::AwsError`] carries as `fenced`, and is never retried.
//!
//! The lock decides ([`Gate`]): a write is refused once the lease is lapsed or lost; every
//! call, reads too, once it is lost, so a change waiting on AWS (an account being created,
//! assignments being deleted) stops at its next poll.

use std::sync::{Arc, Mutex, PoisonError};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::counter::is_read;

/// What the lock says about a call now: `Err` with the reason when it may not be sent.
/// Its argument tells whether the call writes.
pub type Gate = Arc<dyn Fn(bool) -> Result<(), String> + Send + Sync>;

/// The gate every fenced client of a run asks; open while no lock is held. Clones share it.
#[derive(Clone, Default)]
pub struct Fence {
    gate: Arc<Mutex<Option<Gate>>>,
}

impl std::fmt::Debug for Fence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.current().is_some() {
            "Fence(armed)"
        } else {
            "Fence(open)"
        })
    }
}

/// A call the fence refused: it was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; plinth stopped before `{operation}`")]
pub struct Stopped {
    pub reason: String,
    pub operation: String,
}

impl Fence {
    /// From now on every call asks `gate`, until the returned guard is dropped.
    pub fn arm(&self, gate: Gate) -> Armed {
        *self.gate.lock().unwrap_or_else(PoisonError::into_inner) = Some(gate);
        Armed(self.clone())
    }

    fn current(&self) -> Option<Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether a call of `operation` may be sent now.
    pub fn check(&self, operation: &str) -> Result<(), Stopped> {
        match self.current() {
            None => Ok(()),
            Some(gate) => gate(!is_read(operation)).map_err(|reason| Stopped {
                reason,
                operation: operation.to_owned(),
            }),
        }
    }
}

/// While it lives, the fence asks the lock; dropped, the fence is open again.
#[must_use = "the fence opens again when this is dropped"]
pub struct Armed(Fence);

impl Drop for Armed {
    fn drop(&mut self) {
        *self.0.gate.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// The interceptor of a fenced client.
#[derive(Debug, Clone)]
pub struct Guard {
    fence: Fence,
}

impl Guard {
    pub fn new(fence: Fence) -> Guard {
        Guard { fence }
    }
}

/// Written on each request of a fenced client, for [`Checked`].
#[derive(Debug, Clone)]
struct Ask {
    fence: Fence,
    operation: String,
}

impl Intercept for Guard {
    fn name(&self) -> &'static str {
        "plinth: the apply lock's fence"
    }

    // Before the call is built and before the call counter sees it (an error here ends
    // the call before `read_before_serialization`): a refused call is not counted.
    fn modify_before_serialization(
        &self,
        _: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Metadata>() {
            Some(m) => self.fence.check(m.name()).map_err(Into::into),
            None => Ok(()),
        }
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            context.request_mut().add_extension(Ask {
                fence: self.fence.clone(),
                operation: m.name().to_owned(),
            });
        }
        Ok(())
    }
}

/// An HTTP client that asks the fence of each fenced request right before sending it.
#[derive(Debug, Clone)]
pub struct Checked {
    inner: SharedHttpClient,
}

impl Checked {
    pub fn wrap(inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(Checked { inner })
    }
}

impl HttpClient for Checked {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(CheckedConnector {
            inner: self.inner.http_connector(settings, components),
        })
    }
}

#[derive(Debug)]
struct CheckedConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for CheckedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if let Some(ask) = request.extension::<Ask>()
            && let Err(stopped) = ask.fence.check(&ask.operation)
        {
            return HttpConnectorFuture::ready(Err(ConnectorError::other(Box::new(stopped), None)));
        }
        self.inner.call(request)
    }
}

/// The [`Stopped`] in an error's source chain, if the fence refused the call.
pub(super) fn stopped_in<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Stopped> {
    let mut source = Some(err);
    while let Some(s) = source {
        if let Some(stopped) = s.downcast_ref::<Stopped>() {
            return Some(stopped);
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_fence_lets_everything_through_and_an_armed_one_asks_the_lock() {
        let fence = Fence::default();
        assert_eq!(fence.check("AttachPolicy"), Ok(()));
        let armed = fence.arm(Arc::new(|write| {
            if write {
                Err("the apply lock was lost (another run took it over)".into())
            } else {
                Ok(())
            }
        }));
        assert_eq!(fence.check("ListPolicies"), Ok(()));
        let e = fence.clone().check("AttachPolicy").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the apply lock was lost (another run took it over); plinth stopped before `AttachPolicy`"
        );
        // Reads are what `counter::is_read` says: `AssumeRoot` hands out a session.
        assert_eq!(fence.check("AssumeRoot"), Ok(()));
        assert!(fence.check("Publish").is_err());
        drop(armed);
        assert_eq!(fence.check("AttachPolicy"), Ok(()));
    }

    #[test]
    fn a_refusal_is_found_in_the_error_chain() {
        let stopped = Stopped {
            reason: "lost".into(),
            operation: "PutItem".into(),
        };
        let wrapped = ConnectorError::other(Box::new(stopped.clone()), None);
        assert_eq!(stopped_in(&wrapped), Some(&stopped));
        assert_eq!(stopped_in(&std::io::Error::other("no")), None);
    }
}
