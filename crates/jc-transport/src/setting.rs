//! Checked settings: every option struct whose values can be invalid (rates, factors, durations,
//! counts) has private fields and setters that return [`InvalidSetting`] instead of storing a
//! value that would make the library panic or spin later.

use std::time::Duration;

/// A setting refused by a checked setter: which one, the value given, and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting} must be {expected}, not {value}")]
pub struct InvalidSetting {
    /// The setting's name (`max_attempts`, `requests_per_second`, ...).
    pub setting: &'static str,
    /// The value given, as text.
    pub value: String,
    /// What it must be.
    pub expected: String,
}

impl InvalidSetting {
    /// A refusal of `value` for `setting`, which must be `expected`.
    pub fn new(setting: &'static str, value: impl ToString, expected: impl Into<String>) -> Self {
        Self {
            setting,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// The longest duration any setting takes: 30 days. Longer ones overflow instants on some
/// platforms and are never what a person means.
pub const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

/// `value` if it is a finite number in `min..=max`.
///
/// # Errors
/// NaN, an infinity, or a number outside the range.
pub(crate) fn check_f64(
    setting: &'static str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<f64, InvalidSetting> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidSetting::new(
            setting,
            value,
            format!("a number from {min} to {max}"),
        ))
    }
}

/// `value` if it is in `min..=max`.
///
/// # Errors
/// A count outside the range.
pub(crate) fn check_count<T>(
    setting: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<T, InvalidSetting>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if value >= min && value <= max {
        Ok(value)
    } else {
        Err(InvalidSetting::new(
            setting,
            value,
            format!("from {min} to {max}"),
        ))
    }
}

/// `value` if it is in `min..=max` (`max` at most [`MAX_DURATION`]).
///
/// # Errors
/// A duration outside the range.
pub(crate) fn check_duration(
    setting: &'static str,
    value: Duration,
    min: Duration,
    max: Duration,
) -> Result<Duration, InvalidSetting> {
    let max = max.min(MAX_DURATION);
    if value >= min && value <= max {
        Ok(value)
    } else {
        Err(InvalidSetting::new(
            setting,
            format!("{value:?}"),
            format!("from {min:?} to {max:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_setting_and_the_range() {
        assert_eq!(check_f64("rate", 2.0, 0.01, 10.0), Ok(2.0));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e-20, 11.0] {
            let error = check_f64("rate", bad, 0.01, 10.0).unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with("rate must be a number from 0.01 to 10"),
                "{error}"
            );
        }
        assert!(check_count("attempts", 0u32, 1, 100).is_err());
        assert!(check_duration("timeout", Duration::MAX, Duration::ZERO, Duration::MAX).is_err());
    }
}
