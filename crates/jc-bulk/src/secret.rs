//! The API key: a secret that never shows in `Debug` or `Display`.

use std::fmt;

/// A JumpCloud API key. `Debug` and `Display` print `ApiKey(<redacted>)`; only
/// [`ApiKey::expose`] gives the text, and only the request builder calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key text. Only for the `x-api-key` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for ApiKey {
    type Err = std::convert::Infallible;
    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(key))
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

#[cfg(test)]
mod tests {
    use super::ApiKey;

    #[test]
    fn never_shown() {
        let key = ApiKey::new("jc-secret-123");
        assert!(!format!("{key:?} {key}").contains("jc-secret-123"));
        assert_eq!(key.expose(), "jc-secret-123");
    }
}
