//! The transport seam of jc-bulk.
//!
//! [`Transport`] sends one `http::Request<Bytes>` and returns one `http::Response<Bytes>`; it is
//! the only thing the SDK needs from the network, so any HTTP stack, a recorder or a mock can
//! stand in. [`HyperTransport`] (feature `hyper`, on by default) is the production one. Policies
//! are layers that wrap any transport: [`Retry`], [`RateLimit`], [`Timeout`], [`Trace`] and
//! [`BearerAuth`]; [`Stack`] assembles them around any inner transport in one documented order.
//! A [`TransportError`] always says whether the request may have reached the server
//! ([`Delivery`]), which decides whether a job-creating POST can be re-sent.
//!
//! A custom transport that records the paths it is sent, wrapped in the retry layer:
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use jc_transport::{Retry, RetryPolicy, Transport, TransportError};
//! use std::sync::Mutex;
//!
//! #[derive(Default)]
//! struct Recorder(Mutex<Vec<String>>);
//!
//! #[async_trait::async_trait]
//! impl Transport for Recorder {
//!     async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
//!         self.0.lock().unwrap().push(request.uri().path().to_owned());
//!         Ok(Response::new(Bytes::from_static(b"[]")))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let transport = Retry::new(Recorder::default(), RetryPolicy::default());
//! let request = Request::get("https://console.jumpcloud.com/api/v2/bulk/userstates")
//!     .body(Bytes::new())
//!     .unwrap();
//! let response = transport.send(request).await.unwrap();
//! assert_eq!(response.body().as_ref(), b"[]");
//! # });
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod auth;
mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
mod rate_limit;
mod redact;
mod request;
mod retry;
mod setting;
mod stack;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
mod timeout;
mod trace;
mod transport;

pub use auth::{
    BearerAuth, Secret, ServiceAccount, TokenRefusal, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME,
    MIN_TOKEN_LIFETIME,
};
pub use error::{BoxError, Delivery, ErrorKind, TransportError};
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use hyper_transport::{BuildError, HyperTransport, HyperTransportBuilder, Proxy};
pub use rate_limit::{RateLimit, RateLimitConfig, MAX_RATE, MIN_RATE};
pub use redact::{redact, secret_forms};
pub use request::{request_id, Attempt, Deadline, Idempotency, REQUEST_ID_HEADERS};
pub use retry::{retry_after, Retry, RetryPolicy, DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS};
pub use setting::{InvalidSetting, MAX_DURATION};
pub use stack::{Stack, DEFAULT_ATTEMPT_TIMEOUT};
pub use timeout::Timeout;
pub use trace::Trace;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use transport::MockTransport;
pub use transport::Transport;
