//! Typed `filter=field:op:value` parameters of GET /bulk/userstates ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 5).

use std::fmt;

/// One filter. Build it with the operator functions: `Filter::eq("state", "SUSPENDED")`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    field: String,
    op: &'static str,
    value: String,
}

impl Filter {
    fn new(field: impl Into<String>, op: &'static str, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            op,
            value: value.into(),
        }
    }

    /// `field` equals `value`.
    pub fn eq(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "eq", value)
    }

    /// `field` differs from `value`.
    pub fn ne(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "ne", value)
    }

    /// `field` is greater than `value`.
    pub fn gt(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "gt", value)
    }

    /// `field` is at least `value`.
    pub fn ge(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "ge", value)
    }

    /// `field` is less than `value`.
    pub fn lt(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "lt", value)
    }

    /// `field` is at most `value`.
    pub fn le(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(field, "le", value)
    }

    /// `field` is between `low` and `high`, both included.
    pub fn between(
        field: impl Into<String>,
        low: impl fmt::Display,
        high: impl fmt::Display,
    ) -> Self {
        Self::new(field, "between", format!("{low},{high}"))
    }

    /// `field` contains `text`.
    pub fn search(field: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(field, "search", text)
    }

    /// `field` is one of `values`.
    pub fn is_in<I, S>(field: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let joined: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
        Self::new(field, "in", joined.join("|"))
    }

    /// Changes to `state`.
    pub fn state(state: jc_models::StateChange) -> Self {
        Self::eq("state", state.as_str())
    }

    /// Parses `field:op:value`.
    ///
    /// # Errors
    /// Text without two colons, or an unknown operator.
    pub fn parse(text: &str) -> Result<Self, String> {
        const OPS: [&str; 9] = [
            "eq", "ne", "gt", "ge", "lt", "le", "between", "search", "in",
        ];
        let mut parts = text.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(field), Some(op), Some(value)) if !field.is_empty() => {
                let op = OPS.iter().find(|known| **known == op).ok_or_else(|| {
                    format!(
                        "unknown filter operator `{op}`; use one of {}",
                        OPS.join(", ")
                    )
                })?;
                Ok(Self::new(field, op, value))
            }
            _ => Err(format!("`{text}` is not a filter: expected FIELD:OP:VALUE")),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.field, self.op, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_render_as_field_op_value() {
        assert_eq!(
            Filter::eq("state", "SUSPENDED").to_string(),
            "state:eq:SUSPENDED"
        );
        assert_eq!(
            Filter::between("scheduledDate", "a", "b").to_string(),
            "scheduledDate:between:a,b"
        );
        assert_eq!(
            Filter::is_in("systemUserId", ["a", "b"]).to_string(),
            "systemUserId:in:a|b"
        );
        assert_eq!(
            Filter::state(jc_models::StateChange::Activated).to_string(),
            "state:eq:ACTIVATED"
        );
        assert_eq!(
            Filter::parse("scheduledDate:ge:2026-01-01T00:00:00Z")
                .unwrap()
                .to_string(),
            "scheduledDate:ge:2026-01-01T00:00:00Z"
        );
        assert!(Filter::parse("state:like:x").is_err());
        assert!(Filter::parse("state").is_err());
    }
}
