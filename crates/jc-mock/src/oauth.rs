//! `POST /oauth2/token` ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24): client credentials with HTTP Basic auth and a
//! form body; tokens map to the admin the client acts as, and expire.

use crate::config::OAuthClient;
use crate::reply::Reply;
use http::{HeaderMap, StatusCode};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The path of the token endpoint (beside the API, not under its base path).
pub const TOKEN_PATH: &str = "/oauth2/token";

/// Issued tokens: token -> (API key of the admin, expiry).
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    issued: Mutex<HashMap<String, (String, Instant)>>,
    requests: std::sync::atomic::AtomicU64,
    next: std::sync::atomic::AtomicU64,
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in text.trim().bytes().filter(|b| *b != b'=') {
        let value = ALPHABET.iter().position(|c| *c == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

impl Tokens {
    /// Token requests received.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets every token (as if revoked).
    pub(crate) fn revoke_all(&self) {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The API key of the admin `token` acts as, if it is valid now.
    pub(crate) fn admin_key(&self, token: &str) -> Option<String> {
        let issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        let (key, expires) = issued.get(token)?;
        (Instant::now() < *expires).then(|| key.clone())
    }

    /// Answers a token request.
    pub(crate) fn token(
        &self,
        clients: &[OAuthClient],
        lifetime: u64,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Reply {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let basic = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(decode_base64)
            .and_then(|raw| String::from_utf8(raw).ok());
        let client = basic.as_deref().and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            clients
                .iter()
                .find(|c| c.client_id == id && c.client_secret == secret)
        });
        let Some(client) = client else {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client or wrong secret",
            );
        };
        let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = format!(
            "jcmock-token-{n}-{:x}",
            Instant::now().elapsed().as_nanos() ^ (n as u128 * 0x9e37_79b9)
        );
        let expires = Instant::now() + Duration::from_secs(lifetime);
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), (client.admin_api_key.clone(), expires));
        Reply::json(
            StatusCode::OK,
            json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": "api"}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn basic_credentials_decode() {
        assert_eq!(
            decode_base64("YWxhZGRpbjpvcGVuc2VzYW1l").unwrap(),
            b"aladdin:opensesame"
        );
    }
}
