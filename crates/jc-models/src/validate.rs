//! Client-side validation of request bodies ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 8 and 13).
//!
//! `validate()` reports every violation of a record at once, each naming the field by its JSON
//! path (`addresses[0].country`). The CLI's dry run and the mock server both use it.

use std::fmt;

/// A request body that can be checked before it is sent.
pub trait Validate {
    /// Every violation of the contract's rules, or `Ok(())`.
    fn validate(&self) -> Result<(), Violations>;
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The field is required and absent or blank.
    Required,
    /// The text is longer than the schema allows (lengths count characters).
    TooLong {
        /// The schema's `maxLength`.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// The number is below the schema's `minimum`.
    TooSmall {
        /// The schema's `minimum`.
        min: i64,
        /// The value given.
        value: i64,
    },
    /// Any other rule; the text says which.
    Invalid(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("is required"),
            Self::TooLong { max, len } => {
                write!(f, "is {len} characters long; at most {max} are allowed")
            }
            Self::TooSmall { min, value } => write!(f, "is {value}; it must be at least {min}"),
            Self::Invalid(reason) => f.write_str(reason),
        }
    }
}

/// One broken rule: the field's JSON path and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the field, e.g. `email` or `addresses[1].postalCode`.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.problem)
    }
}

/// Every violation of one record, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join(.0))]
pub struct Violations(pub Vec<Violation>);

fn join(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Violations {
    /// The violations.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// True when some violation concerns `field` (exact JSON path).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|v| v.field == field)
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Collects violations while a record is checked.
#[derive(Debug, Default)]
pub(crate) struct Checker {
    found: Vec<Violation>,
}

impl Checker {
    pub(crate) fn push(&mut self, field: impl Into<String>, problem: Problem) {
        self.found.push(Violation {
            field: field.into(),
            problem,
        });
    }

    /// The text must be present and not blank.
    pub(crate) fn required(&mut self, field: &str, value: Option<&str>) {
        if value.is_none_or(|text| text.trim().is_empty()) {
            self.push(field, Problem::Required);
        }
    }

    /// The text, when present, has at most `max` characters.
    pub(crate) fn max_len(&mut self, field: impl Into<String>, value: Option<&str>, max: usize) {
        if let Some(text) = value {
            let len = text.chars().count();
            if len > max {
                self.push(field, Problem::TooLong { max, len });
            }
        }
    }

    /// The number, when present, is at least `min`.
    pub(crate) fn min(&mut self, field: impl Into<String>, value: Option<i64>, min: i64) {
        if let Some(value) = value {
            if value < min {
                self.push(field, Problem::TooSmall { min, value });
            }
        }
    }

    /// The text, when present, looks like an e-mail address (`local@domain`, no spaces).
    pub(crate) fn email(&mut self, field: &str, value: Option<&str>) {
        if let Some(text) = value.filter(|text| !text.trim().is_empty()) {
            if !looks_like_email(text) {
                self.push(
                    field,
                    Problem::Invalid(format!("`{text}` is not an e-mail address")),
                );
            }
        }
    }

    pub(crate) fn finish(self) -> Result<(), Violations> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.found))
        }
    }
}

/// `local@domain` with both parts non-empty, one `@`, no white space, a dot-free local part
/// allowed, and a domain without leading or trailing dot.
pub fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        assert!(looks_like_email("a@b.example"));
        assert!(looks_like_email("first.last+tag@example.com"));
        for bad in ["", "a", "@b", "a@", "a@@b", "a b@c", "a@.b", "a@b."] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn violations_display_every_field() {
        let mut checker = Checker::default();
        checker.required("username", None);
        checker.max_len("email", Some("xx"), 1);
        checker.min("unix_uid", Some(0), 1);
        let text = checker.finish().unwrap_err().to_string();
        assert_eq!(
            text,
            "username is required; email is 2 characters long; at most 1 are allowed; \
             unix_uid is 0; it must be at least 1"
        );
    }
}
