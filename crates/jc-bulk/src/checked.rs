//! Range checks of jc-bulk's own settings (chunk size, concurrency, wait intervals, timeouts):
//! each refuses a value with an [`InvalidSetting`] that names the setting and the range.

use jc_transport::{InvalidSetting, MAX_DURATION};
use std::time::Duration;

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
