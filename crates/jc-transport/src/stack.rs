//! [`Stack`]: the standard layers around any transport, assembled in one documented order.

use crate::auth::{BearerAuth, ServiceAccount};
use crate::rate_limit::{RateLimit, RateLimitConfig};
use crate::retry::{Retry, RetryPolicy};
use crate::setting::{check_duration, InvalidSetting};
use crate::timeout::Timeout;
use crate::trace::Trace;
use crate::transport::Transport;
use std::sync::Arc;
use std::time::Duration;

/// The layers around an inner transport (tower's `ServiceBuilder`, with the order fixed).
///
/// From the outside in, a request goes through:
/// 1. **auth** ([`BearerAuth`], only with [`Stack::with_service_account`]): outermost, so that every
///    attempt of a retried request carries a valid token and a 401 is refreshed once;
/// 2. **[`Retry`]**: one logical request; its backoff sleeps and `Retry-After` waits happen here,
///    outside the rate limit and the attempt timeout;
/// 3. **[`Trace`]**: one log line per attempt;
/// 4. **[`RateLimit`]**: every attempt takes a token, so retries count against the rate;
/// 5. **[`Timeout`]**: per attempt, from the moment the attempt may go (not counting the wait
///    for a token or a backoff);
/// 6. the inner transport.
///
/// Each layer can be left out. The defaults are the ones jc-bulk uses: [`RetryPolicy::default`],
/// [`RateLimitConfig::default`] (20 requests per second, burst 10), 60 s per attempt, tracing on,
/// no service account.
///
/// ```
/// use jc_transport::{RetryPolicy, Stack, Transport};
/// # fn f(inner: impl Transport + 'static) -> Result<(), jc_transport::InvalidSetting> {
/// let stack = Stack::new().with_retry(Some(RetryPolicy::default().with_max_attempts(3)?));
/// let transport = stack.wrap(inner);
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Stack {
    auth: Option<ServiceAccount>,
    retry: Option<RetryPolicy>,
    trace: bool,
    rate_limit: Option<RateLimitConfig>,
    attempt_timeout: Option<Duration>,
}

/// The default per-attempt timeout of [`Stack::new`].
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for Stack {
    fn default() -> Self {
        Self {
            auth: None,
            retry: Some(RetryPolicy::default()),
            trace: true,
            rate_limit: Some(RateLimitConfig::default()),
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
        }
    }
}

impl Stack {
    /// The default layers (see the type's docs).
    pub fn new() -> Self {
        Self::default()
    }

    /// No layer at all: [`Stack::wrap`] returns the inner transport as it is.
    pub fn none() -> Self {
        Self {
            auth: None,
            retry: None,
            trace: false,
            rate_limit: None,
            attempt_timeout: None,
        }
    }

    /// Authenticate with a service account's bearer tokens (`None`: no auth layer; an API key
    /// is a header of each request, not a layer).
    pub fn with_service_account(mut self, account: Option<ServiceAccount>) -> Self {
        self.auth = account;
        self
    }

    /// The retry policy (`None`: every request is sent once).
    pub fn with_retry(mut self, policy: Option<RetryPolicy>) -> Self {
        self.retry = policy;
        self
    }

    /// Logs each attempt (on by default).
    pub fn with_trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// The rate limit (`None`: no limit on rate or concurrency).
    pub fn with_rate_limit(mut self, config: Option<RateLimitConfig>) -> Self {
        self.rate_limit = config;
        self
    }

    /// The per-attempt timeout, 1 ms to 1 day (`None`: attempts are not timed out here).
    ///
    /// # Errors
    /// A timeout outside the range.
    pub fn with_attempt_timeout(
        mut self,
        timeout: Option<Duration>,
    ) -> Result<Self, InvalidSetting> {
        let day = Duration::from_secs(24 * 3600);
        self.attempt_timeout = match timeout {
            Some(t) => Some(check_duration(
                "attempt_timeout",
                t,
                Duration::from_millis(1),
                day,
            )?),
            None => None,
        };
        Ok(self)
    }

    /// The retry policy, if retries are on.
    pub fn retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    /// The rate limit, if one is set.
    pub fn rate_limit(&self) -> Option<&RateLimitConfig> {
        self.rate_limit.as_ref()
    }

    /// Wraps `inner` in the layers, in the documented order.
    pub fn wrap<T: Transport + 'static>(self, inner: T) -> Arc<dyn Transport> {
        let mut transport: Arc<dyn Transport> = Arc::new(inner);
        if let Some(limit) = self.attempt_timeout {
            transport = Arc::new(Timeout::new(transport, limit));
        }
        if let Some(config) = self.rate_limit {
            transport = Arc::new(RateLimit::new(transport, config));
        }
        if self.trace {
            transport = Arc::new(Trace::new(transport));
        }
        if let Some(policy) = self.retry {
            transport = Arc::new(Retry::new(transport, policy));
        }
        if let Some(account) = self.auth {
            transport = Arc::new(BearerAuth::new(transport, account));
        }
        transport
    }
}
