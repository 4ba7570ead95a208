//! `Timeout`: a limit on each attempt. Put it inside `Retry`, so backoff sleeps do not count.

use crate::error::{ErrorKind, TransportError};
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response};
use std::time::Duration;

/// A transport that fails an attempt of its inner transport after a duration.
///
/// The request may have been written by then, so the error is
/// [`Delivery::MaybeSent`](crate::Delivery::MaybeSent).
#[derive(Debug, Clone)]
pub struct Timeout<T> {
    inner: T,
    limit: Duration,
}

impl<T> Timeout<T> {
    /// Wraps `inner` with a per-attempt limit.
    pub fn new(inner: T, limit: Duration) -> Self {
        Self { inner, limit }
    }
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Timeout<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        match tokio::time::timeout(self.limit, self.inner.send(request)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TransportError::maybe_sent(
                ErrorKind::Timeout,
                format!("no response within {} ms", self.limit.as_millis()),
            )),
        }
    }
}
