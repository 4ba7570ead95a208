//! Query strings: decoding, `limit`/`skip` ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 3) and `filter` (section 5).

use crate::reply::{field_violation, Reply};
use crate::store::ScheduledChange;
use jc_models::time::parse_datetime;

/// The decoded `name=value` pairs of a query string, in order.
pub(crate) fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Percent-decoding with `+` as space; invalid escapes are kept as they are.
pub(crate) fn decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every value of `name`.
pub(crate) fn all<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn number(pairs: &[(String, String)], name: &str) -> Result<Option<i64>, Reply> {
    match all(pairs, name).last() {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            Reply::bad_request(
                format!("{name} must be an integer, not `{text}`"),
                vec![field_violation(name, "not an integer")],
            )
        }),
    }
}

/// `limit` (1..=100, default 10) and `skip` (0 or more, default 0).
pub(crate) fn page(pairs: &[(String, String)]) -> Result<(usize, usize), Reply> {
    let limit = number(pairs, "limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(Reply::bad_request(
            format!("limit must be between 1 and 100, not {limit}"),
            vec![field_violation("limit", "out of range 1..=100")],
        ));
    }
    let skip = number(pairs, "skip")?.unwrap_or(0);
    if skip < 0 {
        return Err(Reply::bad_request(
            format!("skip must be 0 or more, not {skip}"),
            vec![field_violation("skip", "negative")],
        ));
    }
    Ok((limit as usize, usize::try_from(skip).unwrap_or(usize::MAX)))
}

/// A page of `items`.
pub(crate) fn slice<T: Clone>(items: &[T], limit: usize, skip: usize) -> Vec<T> {
    items.iter().skip(skip).take(limit).cloned().collect()
}

const FIELDS: [&str; 4] = ["state", "systemUserId", "scheduledDate", "scheduledJobId"];
const OPERATORS: [&str; 9] = [
    "eq", "ne", "gt", "ge", "lt", "le", "between", "search", "in",
];

/// One `field:op:value` filter of GET /bulk/userstates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    field: String,
    op: String,
    value: String,
}

fn starts_filter(segment: &str) -> bool {
    let mut parts = segment.splitn(3, ':');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(field), Some(op), Some(_)) if FIELDS.contains(&field) && OPERATORS.contains(&op)
    )
}

/// Parses the `filter` values: repeated pairs, or one comma-joined value (a comma inside a
/// value, as in `between:a,b`, stays with its filter).
pub(crate) fn filters(values: &[&str]) -> Result<Vec<Filter>, Reply> {
    let mut texts: Vec<String> = Vec::new();
    for value in values {
        for segment in value.split(',') {
            match texts.last_mut() {
                Some(last) if !starts_filter(segment) => {
                    last.push(',');
                    last.push_str(segment);
                }
                _ => texts.push(segment.to_owned()),
            }
        }
    }
    texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|text| {
            let mut parts = text.splitn(3, ':');
            let (field, op, value) = (parts.next(), parts.next(), parts.next());
            match (field, op, value) {
                (Some(field), Some(op), Some(value))
                    if FIELDS.contains(&field) && OPERATORS.contains(&op) =>
                {
                    if op == "between" && split_pair(value).is_none() {
                        return Err(bad_filter(&text, "between takes two values: low,high"));
                    }
                    Ok(Filter {
                        field: field.to_owned(),
                        op: op.to_owned(),
                        value: value.to_owned(),
                    })
                }
                _ => Err(bad_filter(
                    &text,
                    "expected field:operator:value with a field of state, systemUserId, \
                     scheduledDate, scheduledJobId and an operator of eq, ne, gt, ge, lt, le, \
                     between, search, in",
                )),
            }
        })
        .collect()
}

fn bad_filter(text: &str, why: &str) -> Reply {
    Reply::bad_request(
        format!("invalid filter `{text}`: {why}"),
        vec![field_violation("filter", why)],
    )
}

fn split_pair(value: &str) -> Option<(&str, &str)> {
    value.split_once(',').or_else(|| value.split_once('|'))
}

impl Filter {
    /// True when `change` passes this filter. Dates compare as instants, the rest as text.
    pub(crate) fn matches(&self, change: &ScheduledChange) -> bool {
        let actual = match self.field.as_str() {
            "state" => change.state.as_str().to_owned(),
            "systemUserId" => change.user_id.clone(),
            "scheduledJobId" => change.id.clone(),
            _ => jc_models::Timestamp::new(change.at).to_wire(),
        };
        let dates = self.field == "scheduledDate";
        let cmp = |expected: &str| -> Option<std::cmp::Ordering> {
            if dates {
                Some(change.at.cmp(&parse_datetime(expected)?))
            } else {
                Some(actual.as_str().cmp(expected))
            }
        };
        use std::cmp::Ordering::*;
        match self.op.as_str() {
            "eq" => cmp(&self.value) == Some(Equal),
            "ne" => cmp(&self.value) != Some(Equal),
            "gt" => cmp(&self.value) == Some(Greater),
            "ge" => matches!(cmp(&self.value), Some(Greater | Equal)),
            "lt" => cmp(&self.value) == Some(Less),
            "le" => matches!(cmp(&self.value), Some(Less | Equal)),
            "between" => split_pair(&self.value).is_some_and(|(low, high)| {
                matches!(cmp(low), Some(Greater | Equal)) && matches!(cmp(high), Some(Less | Equal))
            }),
            "search" => actual.to_lowercase().contains(&self.value.to_lowercase()),
            "in" => self.value.split('|').any(|v| cmp(v) == Some(Equal)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(decode("a%3Ab+c%2C"), "a:b c,");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("é%C3%A9%"), "éé%");
        assert_eq!(
            pairs("filter=state:eq:SUSPENDED&limit=5&x"),
            vec![
                ("filter".into(), "state:eq:SUSPENDED".into()),
                ("limit".into(), "5".into()),
                ("x".into(), String::new())
            ]
        );
    }

    #[test]
    fn comma_joined_filters_keep_commas_inside_values() {
        let parsed = filters(&[
            "state:eq:SUSPENDED,scheduledDate:between:2026-01-01T00:00:00Z,2026-02-01T00:00:00Z",
        ])
        .unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].value, "2026-01-01T00:00:00Z,2026-02-01T00:00:00Z");
        assert!(filters(&["name:eq:x"]).is_err());
        assert!(filters(&["state:like:x"]).is_err());
        assert!(filters(&["scheduledDate:between:2026-01-01"]).is_err());
    }
}
