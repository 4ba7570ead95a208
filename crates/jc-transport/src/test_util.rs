//! Test doubles (feature `test-util`): [`ReplayTransport`] answers from a script and records
//! what it was sent; [`FnTransport`] answers with a closure. `MockTransport` (feature `mock`)
//! is the mockall mock of the trait.

use crate::error::{ErrorKind, TransportError};
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

/// A response with `status`, a JSON content type and `body`.
pub fn json_response(status: u16, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// Answers requests from a script, in order, and records every request.
///
/// When the script runs out, it answers a `Closed` error that says the request was not sent.
#[derive(Debug, Default)]
pub struct ReplayTransport {
    script: Mutex<VecDeque<Result<Response<Bytes>, TransportError>>>,
    recorded: Mutex<Vec<Request<Bytes>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ReplayTransport {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a response.
    #[must_use]
    pub fn respond(self, response: Response<Bytes>) -> Self {
        locked(&self.script).push_back(Ok(response));
        self
    }

    /// Appends a JSON response with `status`.
    #[must_use]
    pub fn json(self, status: u16, body: impl Into<Bytes>) -> Self {
        self.respond(json_response(status, body))
    }

    /// Appends an error.
    #[must_use]
    pub fn fail(self, error: TransportError) -> Self {
        locked(&self.script).push_back(Err(error));
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Request<Bytes>> {
        locked(&self.recorded)
            .iter()
            .map(crate::request::clone_request)
            .collect()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        locked(&self.recorded).len()
    }

    /// How many scripted answers are left.
    pub fn remaining(&self) -> usize {
        locked(&self.script).len()
    }
}

#[async_trait::async_trait]
impl Transport for ReplayTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        locked(&self.recorded).push(request);
        locked(&self.script).pop_front().unwrap_or_else(|| {
            Err(TransportError::not_sent(
                ErrorKind::Closed,
                "the replay script has no more answers",
            ))
        })
    }
}

/// A transport made of a closure from request to (future) response.
#[derive(Clone)]
pub struct FnTransport<F>(pub F);

impl<F> std::fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnTransport")
    }
}

#[async_trait::async_trait]
impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Response<Bytes>, TransportError>> + Send,
{
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (self.0)(request).await
    }
}
