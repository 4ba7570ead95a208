//! `RateLimit`: a client-side token bucket with a concurrency cap that slows down on 429 and
//! recovers slowly (additive increase, multiplicative decrease), since JumpCloud publishes no
//! limits.

use crate::error::TransportError;
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Settings of [`RateLimit`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// Requests per second at most (the ceiling the rate recovers to). Default 20.
    pub requests_per_second: f64,
    /// Requests that may start at once after a quiet spell. Default 10.
    pub burst: u32,
    /// Requests in flight at most. Default 16.
    pub max_concurrency: usize,
    /// The rate never drops below this. Default 0.5 per second.
    pub min_rate: f64,
    /// Factor applied to the rate on a 429. Default 0.5.
    pub decrease_factor: f64,
    /// Rate regained per successful response, as a share of the ceiling. Default 0.02.
    pub increase_share: f64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            requests_per_second: 20.0,
            burst: 10,
            max_concurrency: 16,
            min_rate: 0.5,
            decrease_factor: 0.5,
            increase_share: 0.02,
        }
    }
}

impl RateLimitConfig {
    /// `rate` requests per second with a burst of `burst`, the other settings default.
    pub fn per_second(rate: f64, burst: u32) -> Self {
        Self {
            requests_per_second: rate,
            burst: burst.max(1),
            ..Self::default()
        }
    }

    /// Another concurrency cap.
    #[must_use]
    pub fn with_max_concurrency(mut self, max: usize) -> Self {
        self.max_concurrency = max.max(1);
        self
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    rate: f64,
}

#[derive(Debug)]
struct Shared {
    config: RateLimitConfig,
    bucket: Mutex<Bucket>,
    in_flight: Semaphore,
}

impl Shared {
    fn bucket(&self) -> MutexGuard<'_, Bucket> {
        self.bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a token, or says how long until one is there.
    fn try_take(&self) -> Result<(), Duration> {
        let mut bucket = self.bucket();
        let now = Instant::now();
        let elapsed = now.duration_since(bucket.last).as_secs_f64();
        bucket.last = now;
        let burst = f64::from(self.config.burst.max(1));
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(burst);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / bucket.rate))
        }
    }

    fn observe(&self, status: StatusCode) {
        let config = &self.config;
        let mut bucket = self.bucket();
        if status == StatusCode::TOO_MANY_REQUESTS {
            bucket.rate = (bucket.rate * config.decrease_factor).max(config.min_rate);
            bucket.tokens = bucket.tokens.min(0.0);
        } else if status.is_success() {
            let step = config.requests_per_second * config.increase_share;
            bucket.rate = (bucket.rate + step).min(config.requests_per_second);
        }
    }
}

/// A transport that limits the request rate and concurrency of its inner transport.
///
/// Clones share one bucket and one concurrency cap, so one limit can span many clients.
#[derive(Debug, Clone)]
pub struct RateLimit<T> {
    inner: T,
    shared: Arc<Shared>,
}

impl<T> RateLimit<T> {
    /// Wraps `inner`. A rate that is not a positive finite number means no rate limit.
    pub fn new(inner: T, config: RateLimitConfig) -> Self {
        let rate = if config.requests_per_second.is_finite() && config.requests_per_second > 0.0 {
            config.requests_per_second
        } else {
            f64::INFINITY
        };
        let config = RateLimitConfig {
            requests_per_second: rate,
            min_rate: config.min_rate.clamp(f64::MIN_POSITIVE, rate),
            ..config
        };
        Self {
            inner,
            shared: Arc::new(Shared {
                bucket: Mutex::new(Bucket {
                    tokens: f64::from(config.burst.max(1)),
                    last: Instant::now(),
                    rate,
                }),
                in_flight: Semaphore::new(config.max_concurrency.max(1)),
                config,
            }),
        }
    }

    /// The rate now, in requests per second (lower after 429s).
    pub fn current_rate(&self) -> f64 {
        self.shared.bucket().rate
    }
}

#[async_trait::async_trait]
impl<T: Transport> Transport for RateLimit<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let _permit = self.shared.in_flight.acquire().await.map_err(|_| {
            TransportError::not_sent(crate::ErrorKind::Closed, "rate limiter closed")
        })?;
        if self.shared.config.requests_per_second.is_finite() {
            while let Err(wait) = self.shared.try_take() {
                tokio::time::sleep(wait).await;
            }
        }
        let outcome = self.inner.send(request).await;
        if let Ok(response) = &outcome {
            self.shared.observe(response.status());
        }
        outcome
    }
}
