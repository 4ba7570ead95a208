//! Wall-clock arithmetic that cannot panic: the server's timestamps are compared with ours.

use std::time::SystemTime;

/// Milliseconds since the Unix epoch (negative before it), saturating.
pub(crate) fn unix_millis(at: SystemTime) -> i64 {
    match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn before_and_after_the_epoch() {
        let epoch = SystemTime::UNIX_EPOCH;
        assert_eq!(unix_millis(epoch + Duration::from_millis(1500)), 1500);
        assert_eq!(unix_millis(epoch - Duration::from_millis(1500)), -1500);
    }
}
