//! Who the client is ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24): an API key (`x-api-key`), or a service account
//! (OAuth 2.0 client credentials, `Authorization: Bearer`) handled by a
//! [`jc_transport::BearerAuth`] layer over whatever transport the client uses.

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
        /// The token endpoint; `None`: the region's (see [`token_url_for`](crate::token_url_for)).
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
