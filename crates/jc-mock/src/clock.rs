//! The mock's clock: real time plus an offset that tests can advance, so scheduled state
//! changes can come due without waiting.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// Now, shifted by an adjustable offset.
#[derive(Debug, Default)]
pub struct MockClock {
    offset: Mutex<Duration>,
}

impl MockClock {
    /// The mock's current time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let by = Duration::from_std(by).unwrap_or(Duration::MAX);
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset = offset.checked_add(&by).unwrap_or(Duration::MAX);
    }
}
