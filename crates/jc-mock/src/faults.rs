//! Fault injection, deterministic from a seed.
//!
//! Each request's fate depends only on the seed, the request itself (method, path, query, body)
//! and how many times that same request was seen before, so a run with a fixed seed injects the
//! same faults into the same requests whatever the interleaving of concurrent clients.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::Duration;

/// Which faults to inject, and how often.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Seed of every decision.
    pub seed: u64,
    /// Share of requests (0.0..=1.0) answered with one of `statuses` instead of being served.
    pub error_rate: f64,
    /// The statuses injected; 429 carries `Retry-After: retry_after_secs`. Default 429, 500,
    /// 502, 503.
    pub statuses: Vec<u16>,
    /// `Retry-After` of an injected 429, in seconds. Default 1.
    pub retry_after_secs: u64,
    /// Share of requests that are served (a job is created) and whose connection is then
    /// dropped without an answer, so the client cannot know the outcome.
    pub drop_rate: f64,
    /// Share of requests that are served and whose response body is cut off halfway.
    pub truncate_rate: f64,
    /// Latency added to every request.
    pub latency: Duration,
    /// Up to this much more latency, drawn per request.
    pub jitter: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            error_rate: 0.0,
            statuses: vec![429, 500, 502, 503],
            retry_after_secs: 1,
            drop_rate: 0.0,
            truncate_rate: 0.0,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
        }
    }
}

impl FaultConfig {
    /// No faults, with this seed for when some are switched on.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// Answer `rate` of requests with an injected error status.
    #[must_use]
    pub fn error_rate(mut self, rate: f64) -> Self {
        self.error_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// Inject these statuses.
    #[must_use]
    pub fn statuses(mut self, statuses: Vec<u16>) -> Self {
        self.statuses = statuses;
        self
    }

    /// Drop the connection after serving `rate` of requests.
    #[must_use]
    pub fn drop_rate(mut self, rate: f64) -> Self {
        self.drop_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// Truncate the body of `rate` of responses.
    #[must_use]
    pub fn truncate_rate(mut self, rate: f64) -> Self {
        self.truncate_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// Add `fixed` plus up to `jitter` latency to every request.
    #[must_use]
    pub fn latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.latency = fixed;
        self.jitter = jitter;
        self
    }

    fn is_active(&self) -> bool {
        self.error_rate > 0.0
            || self.drop_rate > 0.0
            || self.truncate_rate > 0.0
            || !self.latency.is_zero()
            || !self.jitter.is_zero()
    }
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Served normally.
    None,
    /// Answered with this status, not served.
    Status(u16),
    /// Served, then the connection is dropped without an answer.
    Drop,
    /// Served, and the body is cut off halfway.
    Truncate,
}

/// The decision and the latency for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The fault.
    pub fault: Fault,
    /// Latency to add before answering.
    pub delay: Duration,
}

/// Decides faults per request.
#[derive(Debug)]
pub(crate) struct Faults {
    config: FaultConfig,
    seen: Mutex<HashMap<u64, u64>>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        Self {
            config,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// The fate of a request.
    pub(crate) fn decide(&self, method: &str, path: &str, query: &str, body: &[u8]) -> Decision {
        let none = Decision {
            fault: Fault::None,
            delay: Duration::ZERO,
        };
        if !self.config.is_active() {
            return none;
        }
        let mut hasher = DefaultHasher::new();
        (self.config.seed, method, path, query, body).hash(&mut hasher);
        let content = hasher.finish();
        let occurrence = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let count = seen.entry(content).or_insert(0);
            *count += 1;
            *count
        };
        let mut rng =
            fastrand::Rng::with_seed(content ^ occurrence.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let roll = rng.f64();
        let c = &self.config;
        let fault = if roll < c.error_rate && !c.statuses.is_empty() {
            Fault::Status(c.statuses[rng.usize(..c.statuses.len())])
        } else if roll < c.error_rate + c.drop_rate {
            Fault::Drop
        } else if roll < c.error_rate + c.drop_rate + c.truncate_rate {
            Fault::Truncate
        } else {
            Fault::None
        };
        let jitter_nanos = u64::try_from(c.jitter.as_nanos()).unwrap_or(u64::MAX);
        let delay = c.latency + Duration::from_nanos(rng.u64(0..=jitter_nanos));
        Decision { fault, delay }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64) -> Vec<Decision> {
        let faults = Faults::new(
            FaultConfig::seeded(seed)
                .error_rate(0.3)
                .drop_rate(0.1)
                .truncate_rate(0.1)
                .latency(Duration::from_millis(1), Duration::from_millis(5)),
        );
        (0..200)
            .map(|i| faults.decide("GET", &format!("/r/{}", i % 7), "", b""))
            .collect()
    }

    #[test]
    fn same_seed_same_faults_other_seed_other_faults() {
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let decisions = run(42);
        let errors = decisions
            .iter()
            .filter(|d| matches!(d.fault, Fault::Status(_)))
            .count();
        assert!((30..=90).contains(&errors), "{errors} of 200 at a 30% rate");
        assert!(decisions
            .iter()
            .all(|d| d.delay >= Duration::from_millis(1) && d.delay <= Duration::from_millis(6)));
    }

    #[test]
    fn repeats_of_one_request_get_fresh_draws() {
        let faults = Faults::new(FaultConfig::seeded(1).error_rate(0.5));
        let fates: Vec<_> = (0..64)
            .map(|_| faults.decide("POST", "/x", "", b"[]").fault)
            .collect();
        assert!(
            fates.contains(&Fault::None),
            "a retried request eventually passes"
        );
        assert!(fates.iter().any(|f| matches!(f, Fault::Status(_))));
    }
}
