//! `RateLimit`: a client-side token bucket with a concurrency cap that slows down on 429 and
//! recovers slowly (additive increase, multiplicative decrease), since JumpCloud publishes no
//! limits.

use crate::error::TransportError;
use crate::setting::{check_count, check_f64, InvalidSetting};
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Settings of [`RateLimit`]. Fields are private: the checked setters refuse rates and factors
/// that would overflow a wait or stop the limiter (`InvalidSetting`).
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// Requests per second at most (the ceiling the rate recovers to); `None`: no rate limit.
    requests_per_second: Option<f64>,
    burst: u32,
    max_concurrency: usize,
    min_rate: f64,
    decrease_factor: f64,
    increase_share: f64,
}

/// The lowest rate a limit may be set to: one request in 1,000 seconds.
pub const MIN_RATE: f64 = 0.001;
/// The highest rate a limit may be set to (use [`RateLimitConfig::unlimited`] for none).
pub const MAX_RATE: f64 = 1_000_000.0;

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            requests_per_second: Some(20.0),
            burst: 10,
            max_concurrency: 16,
            min_rate: 0.5,
            decrease_factor: 0.5,
            increase_share: 0.02,
        }
    }
}

impl RateLimitConfig {
    /// `rate` requests per second (0.001 to 1,000,000) with a burst of `burst` (1 to 10,000),
    /// the other settings default.
    ///
    /// # Errors
    /// A rate or burst outside its range (0, negative, NaN and infinities included).
    pub fn per_second(rate: f64, burst: u32) -> Result<Self, InvalidSetting> {
        let rate = check_f64("requests_per_second", rate, MIN_RATE, MAX_RATE)?;
        let burst = check_count("burst", burst, 1, 10_000)?;
        let defaults = Self::default();
        Ok(Self {
            requests_per_second: Some(rate),
            burst,
            min_rate: defaults.min_rate.min(rate),
            ..defaults
        })
    }

    /// No rate limit, only the concurrency cap.
    pub fn unlimited() -> Self {
        Self {
            requests_per_second: None,
            ..Self::default()
        }
    }

    /// Another concurrency cap (1 to 100,000 requests in flight). Default 16.
    ///
    /// # Errors
    /// A cap outside the range.
    pub fn with_max_concurrency(mut self, max: usize) -> Result<Self, InvalidSetting> {
        self.max_concurrency = check_count("max_concurrency", max, 1, 100_000)?;
        Ok(self)
    }

    /// How the rate answers a 429: multiplied by `decrease_factor` (0.01 to 1), never below
    /// `min_rate` (0.001 up to the rate); each success adds back `increase_share` (0 to 1) of the
    /// ceiling. Defaults 0.5, 0.5/s and 0.02.
    ///
    /// # Errors
    /// A value outside its range.
    pub fn with_adaptation(
        mut self,
        decrease_factor: f64,
        min_rate: f64,
        increase_share: f64,
    ) -> Result<Self, InvalidSetting> {
        let ceiling = self.requests_per_second.unwrap_or(MAX_RATE);
        self.decrease_factor = check_f64("decrease_factor", decrease_factor, 0.01, 1.0)?;
        self.min_rate = check_f64("min_rate", min_rate, MIN_RATE, ceiling)?;
        self.increase_share = check_f64("increase_share", increase_share, 0.0, 1.0)?;
        Ok(self)
    }

    /// Requests per second at most; `None` when unlimited.
    pub fn requests_per_second(&self) -> Option<f64> {
        self.requests_per_second
    }

    /// Requests that may start at once after a quiet spell.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Requests in flight at most.
    pub fn max_concurrency(&self) -> usize {
        self.max_concurrency
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
        let burst = f64::from(self.config.burst);
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(burst);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(
                Duration::try_from_secs_f64((1.0 - bucket.tokens) / bucket.rate)
                    .unwrap_or(Duration::from_secs(1000)),
            )
        }
    }

    fn observe(&self, status: StatusCode) {
        let config = &self.config;
        let mut bucket = self.bucket();
        if status == StatusCode::TOO_MANY_REQUESTS {
            bucket.rate = (bucket.rate * config.decrease_factor).max(config.min_rate);
            bucket.tokens = bucket.tokens.min(0.0);
        } else if status.is_success() {
            if let Some(ceiling) = config.requests_per_second {
                bucket.rate = (bucket.rate + ceiling * config.increase_share).min(ceiling);
            }
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
    /// Wraps `inner`.
    pub fn new(inner: T, config: RateLimitConfig) -> Self {
        Self {
            inner,
            shared: Arc::new(Shared {
                bucket: Mutex::new(Bucket {
                    tokens: f64::from(config.burst),
                    last: Instant::now(),
                    rate: config.requests_per_second.unwrap_or(f64::INFINITY),
                }),
                in_flight: Semaphore::new(config.max_concurrency),
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
        if self.shared.config.requests_per_second.is_some() {
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
