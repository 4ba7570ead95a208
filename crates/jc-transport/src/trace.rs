//! `Trace`: a `tracing` span per request. It records the method, path, attempt, status, latency
//! and the server's request id; never headers (so never `x-api-key`), the query or bodies.

use crate::error::TransportError;
use crate::request::{request_id, Attempt};
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response};
use tracing::{field::Empty, Instrument};

/// A transport that traces each request sent through its inner transport.
#[derive(Debug, Clone)]
pub struct Trace<T> {
    inner: T,
}

impl<T> Trace<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Self { inner }
    }
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Trace<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let attempt = request.extensions().get::<Attempt>().map_or(1, |a| a.0);
        let span = tracing::debug_span!(
            "http_request",
            method = %request.method(),
            path = %request.uri().path(),
            attempt,
            status = Empty,
            latency_ms = Empty,
            request_id = Empty,
        );
        let started = tokio::time::Instant::now();
        let outcome = self.inner.send(request).instrument(span.clone()).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("latency_ms", latency_ms);
        let _entered = span.enter();
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = request_id(response.headers()) {
                    span.record("request_id", id);
                }
                tracing::debug!(status = response.status().as_u16(), latency_ms, "response");
            }
            Err(error) => tracing::debug!(%error, latency_ms, "request failed"),
        }
        outcome
    }
}
