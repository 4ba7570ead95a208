//! Who the client is (CONTRACT.md section 24): an API key (`x-api-key`), or a service account
//! (OAuth 2.0 client credentials, `Authorization: Bearer`) handled by a
//! [`jc_transport::BearerAuth`] layer over whatever transport the client uses.

use crate::client::Region;
use crate::secret::ApiKey;
use jc_transport::Secret;

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An administrator's API key.
    ApiKey(ApiKey),
    /// A service account.
    ServiceAccount {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: Secret,
        /// The token endpoint; `None`: the region's (see [`token_url_for`]).
        token_url: Option<String>,
    },
}

impl Credentials {
    /// A service account with the default token URL.
    pub fn service_account(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::ServiceAccount {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            token_url: None,
        }
    }

    /// A one-word name for logs: `api key` or `service account <id>`.
    pub fn describe(&self) -> String {
        match self {
            Self::ApiKey(_) => "an API key".into(),
            Self::ServiceAccount { client_id, .. } => format!("service account {client_id}"),
        }
    }
}

/// The token endpoint for `base_url`: the region's when it is a JumpCloud region's base URL,
/// else the base URL's origin with `/oauth2/token` (a local mock, a test server).
pub fn token_url_for(base_url: &str) -> String {
    for (region, token) in [
        (
            Region::Us,
            "https://admin-oauth.id.jumpcloud.com/oauth2/token",
        ),
        (
            Region::Eu,
            "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token",
        ),
        (
            Region::In,
            "https://admin-oauth.id.in.jumpcloud.com/oauth2/token",
        ),
    ] {
        if base_url.trim_end_matches('/') == region.base_url() {
            return token.to_owned();
        }
    }
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    let origin_end = base_url[after_scheme..]
        .find('/')
        .map_or(base_url.len(), |i| after_scheme + i);
    format!("{}/oauth2/token", &base_url[..origin_end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_follow_the_region_or_the_origin() {
        assert_eq!(
            token_url_for("https://console.eu.jumpcloud.com/api/v2"),
            "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token"
        );
        assert_eq!(
            token_url_for("http://127.0.0.1:8080/api/v2"),
            "http://127.0.0.1:8080/oauth2/token"
        );
    }
}
