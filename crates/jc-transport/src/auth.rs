//! Service-account authentication as a layer ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24): [`BearerAuth`] wraps any
//! transport, fetches an OAuth 2.0 client-credentials token through that same transport (proxy,
//! CA, timeouts, retries), puts `Authorization: Bearer` on every request, refreshes the token
//! before it expires, one fetch at a time, and on a 401 fetches a new one once and re-sends (a
//! 401 is proof the request was not applied). The secret and the tokens are [`Secret`]s and are
//! scrubbed from every response.

use crate::error::{ErrorKind, TransportError};
use crate::request::{clone_request, Idempotency};
use crate::transport::Transport;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// A secret string: `Debug` and `Display` print `<redacted>`; only [`Secret::expose`] gives it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Arc::from(text.into()))
    }

    /// The text. Only for the header or body that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A service account: client id, secret, and the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: Secret,
    /// The token endpoint (`https://admin-oauth.id.jumpcloud.com/oauth2/token` for the US).
    pub token_url: String,
}

#[derive(Debug)]
struct Token {
    value: Secret,
    refresh_at: Instant,
}

/// Base64 (standard alphabet, padded) of `bytes`, for HTTP Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A transport that authenticates every request of its inner transport as a service account.
#[derive(Debug, Clone)]
pub struct BearerAuth<T> {
    inner: T,
    account: Arc<ServiceAccount>,
    token: Arc<Mutex<Option<Token>>>,
    fetches: Arc<AtomicU64>,
}

impl<T: Transport> BearerAuth<T> {
    /// Wraps `inner`; tokens are fetched through `inner` too.
    pub fn new(inner: T, account: ServiceAccount) -> Self {
        Self {
            inner,
            account: Arc::new(account),
            token: Arc::new(Mutex::new(None)),
            fetches: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Tokens fetched so far.
    pub fn token_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The current token, fetched when there is none, it is about to expire, or it is `stale`
    /// (the one a 401 answered). One fetch at a time: concurrent callers wait for it.
    async fn token(
        &self,
        stale: Option<&Secret>,
    ) -> Result<Result<Secret, Response<Bytes>>, TransportError> {
        let mut current = self.token.lock().await;
        if let Some(token) = current.as_ref() {
            let fresh = Instant::now() < token.refresh_at;
            if fresh && stale != Some(&token.value) {
                return Ok(Ok(token.value.clone()));
            }
        }
        match self.fetch().await? {
            Ok(token) => {
                let value = token.value.clone();
                *current = Some(token);
                Ok(Ok(value))
            }
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// Asks the token endpoint; a refusal comes back as a 401 answer for the caller.
    async fn fetch(&self) -> Result<Result<Token, Response<Bytes>>, TransportError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let account = &self.account;
        let basic =
            base64(format!("{}:{}", account.client_id, account.client_secret.expose()).as_bytes());
        let mut authorization = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|_| {
            TransportError::not_sent(
                ErrorKind::InvalidRequest,
                "the client id or secret cannot go in a header",
            )
        })?;
        authorization.set_sensitive(true);
        let mut request = Request::post(&account.token_url)
            .header(http::header::AUTHORIZATION, authorization)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json")
            .body(Bytes::from_static(
                b"grant_type=client_credentials&scope=api",
            ))
            .map_err(|e| {
                TransportError::not_sent(ErrorKind::InvalidRequest, format!("token request: {e}"))
            })?;
        // Asking for a token twice does no harm.
        request.extensions_mut().insert(Idempotency::Idempotent);
        let response = self.inner.send(request).await?;
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
        let token = body["access_token"].as_str().filter(|t| !t.is_empty());
        match (response.status().is_success(), token) {
            (true, Some(token)) => {
                let lifetime = Duration::from_secs(body["expires_in"].as_u64().unwrap_or(3600));
                let margin = Duration::from_secs(30).min(lifetime / 10);
                Ok(Ok(Token {
                    value: Secret::new(token),
                    refresh_at: Instant::now() + lifetime.saturating_sub(margin),
                }))
            }
            _ => Ok(Err(refused(
                response.status(),
                &body,
                &account.client_secret,
            ))),
        }
    }

    async fn send_with(
        &self,
        request: &Request<Bytes>,
        token: &Secret,
    ) -> Result<Response<Bytes>, TransportError> {
        let mut attempt = clone_request(request);
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                TransportError::not_sent(
                    ErrorKind::InvalidRequest,
                    "the token cannot go in a header",
                )
            })?;
        value.set_sensitive(true);
        attempt
            .headers_mut()
            .insert(http::header::AUTHORIZATION, value);
        attempt.headers_mut().remove("x-api-key");
        let response = self.inner.send(attempt).await?;
        Ok(scrub(response, &[token, &self.account.client_secret]))
    }
}

/// A token-endpoint refusal as an API 401, with the endpoint's `error` and `error_description`,
/// so that callers treat it as the authentication failure it is (nothing reaches the API).
fn refused(status: StatusCode, body: &serde_json::Value, secret: &Secret) -> Response<Bytes> {
    let error = body["error"].as_str().unwrap_or("token request refused");
    let description = body["error_description"].as_str().unwrap_or_default();
    let message =
        format!("the service-account token endpoint answered {status}: {error} {description}")
            .replace(secret.expose(), "<redacted>");
    let body = serde_json::json!({ "message": message.trim(), "error": error });
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// The response without any occurrence of `secrets` in its body.
fn scrub(response: Response<Bytes>, secrets: &[&Secret]) -> Response<Bytes> {
    let (parts, body) = response.into_parts();
    let mut text = body.to_vec();
    for secret in secrets {
        let needle = secret.expose().as_bytes();
        if needle.is_empty() {
            continue;
        }
        while let Some(at) = text.windows(needle.len()).position(|w| w == needle) {
            text.splice(at..at + needle.len(), b"<redacted>".iter().copied());
        }
    }
    Response::from_parts(parts, Bytes::from(text))
}

#[async_trait::async_trait]
impl<T: Transport> Transport for BearerAuth<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let token = match self.token(None).await? {
            Ok(token) => token,
            Err(refusal) => return Ok(refusal),
        };
        let response = self.send_with(&request, &token).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        // The token may have expired or been revoked: one new token, one more try.
        match self.token(Some(&token)).await? {
            Ok(fresh) => self.send_with(&request, &fresh).await,
            Err(refusal) => Ok(refusal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_basic_credentials() {
        assert_eq!(base64(b"aladdin:opensesame"), "YWxhZGRpbjpvcGVuc2VzYW1l");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn secrets_never_show() {
        let secret = Secret::new("s3cr3t");
        assert!(!format!("{secret:?} {secret}").contains("s3cr3t"));
    }
}
