//! Timestamps on the wire ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 7).
//!
//! [`Timestamp`] is what the SDK sends: a UTC instant, always written as RFC 3339 with a `Z`.
//! [`ApiTime`] is what the SDK receives: the server's text kept verbatim (so it round-trips),
//! plus the instant when the text could be read.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Reads an RFC 3339 date-time with any offset, or a date-time without zone (read as UTC).
///
/// Accepts a `T` or a space between date and time and optional fractional seconds.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

/// A UTC instant the SDK sends, such as `start_date`.
///
/// Serializes as RFC 3339 in UTC with millisecond precision and a `Z`
/// (`2026-01-01T09:00:00.000Z`, the form of the published samples). Deserializes leniently:
/// any RFC 3339 offset, or no zone at all (read as UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps a UTC instant.
    pub fn new(instant: DateTime<Utc>) -> Self {
        Self(instant)
    }

    /// Parses text with [`parse_datetime`].
    pub fn parse(text: &str) -> Option<Self> {
        parse_datetime(text).map(Self)
    }

    /// The instant.
    pub fn instant(&self) -> DateTime<Utc> {
        self.0
    }

    /// The wire form: RFC 3339, UTC, milliseconds, `Z`.
    pub fn to_wire(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(instant: DateTime<Utc>) -> Self {
        Self(instant)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = InvalidTimestamp;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).ok_or_else(|| InvalidTimestamp(text.to_owned()))
    }
}

/// Text that is not an RFC 3339 date-time nor a zone-less date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date-time (expected RFC 3339, e.g. 2026-01-01T09:00:00Z)")]
pub struct InvalidTimestamp(pub String);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A date-time as the server wrote it, kept verbatim, with the instant when it could be read.
///
/// Reading never fails on odd text: [`ApiTime::instant`] is `None` then, and the text is written
/// back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiTime {
    raw: String,
    instant: Option<DateTime<Utc>>,
}

impl ApiTime {
    /// Keeps `raw` and reads the instant from it where possible.
    pub fn from_raw(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let instant = parse_datetime(&raw);
        Self { raw, instant }
    }

    /// The text as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The instant, when the text was a date-time (a zone-less one is read as UTC).
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        self.instant
    }
}

impl From<DateTime<Utc>> for ApiTime {
    fn from(instant: DateTime<Utc>) -> Self {
        Self::from(Timestamp(instant))
    }
}

impl From<Timestamp> for ApiTime {
    fn from(timestamp: Timestamp) -> Self {
        Self {
            raw: timestamp.to_wire(),
            instant: Some(timestamp.0),
        }
    }
}

impl fmt::Display for ApiTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for ApiTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ApiTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_raw(text.into_owned()))
    }
}

#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
mod schema {
    use super::{ApiTime, Timestamp};
    use std::borrow::Cow;

    impl schemars::JsonSchema for Timestamp {
        fn schema_name() -> Cow<'static, str> {
            "Timestamp".into()
        }
        fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
            schemars::json_schema!({ "type": "string", "format": "date-time" })
        }
    }

    impl schemars::JsonSchema for ApiTime {
        fn schema_name() -> Cow<'static, str> {
            "ApiTime".into()
        }
        fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
            schemars::json_schema!({ "type": "string" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 1, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn timestamp_sends_rfc3339_utc_with_z() {
        let ts = Timestamp::new(at(2));
        assert_eq!(
            serde_json::to_string(&ts).unwrap(),
            "\"2020-01-01T02:00:00.000Z\""
        );
    }

    #[test]
    fn timestamp_reads_any_offset_and_zoneless_as_utc() {
        for text in [
            "2020-01-01T02:00:00Z",
            "2020-01-01T02:00:00.000Z",
            "2020-01-01T02:00:00+00:00",
            "2020-01-01T03:00:00+01:00",
            "2019-12-31T21:00:00-05:00",
            "2020-01-01T02:00:00",
            "2020-01-01 02:00:00.000",
        ] {
            assert_eq!(
                Timestamp::parse(text).map(|t| t.instant()),
                Some(at(2)),
                "{text}"
            );
        }
        assert!(Timestamp::parse("tomorrow").is_none());
        assert!(serde_json::from_str::<Timestamp>("\"tomorrow\"").is_err());
    }

    #[test]
    fn api_time_keeps_text_verbatim() {
        let odd: ApiTime = serde_json::from_str("\"sometime soon\"").unwrap();
        assert_eq!(odd.instant(), None);
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"sometime soon\"");
        let zoneless: ApiTime = serde_json::from_str("\"2020-01-01T02:00:00\"").unwrap();
        assert_eq!(zoneless.instant(), Some(at(2)));
        assert_eq!(zoneless.raw(), "2020-01-01T02:00:00");
    }
}
