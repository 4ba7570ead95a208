//! Service-account authentication as a layer ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24): [`BearerAuth`] wraps any
//! transport, fetches an OAuth 2.0 client-credentials token through that same transport (proxy,
//! CA, timeouts, retries), puts `Authorization: Bearer` on every request, refreshes the token
//! before it expires, one fetch at a time, and on a 401 fetches a new one once and re-sends (a
//! 401 is proof the request was not applied). The secret and the tokens are [`Secret`]s and are
//! scrubbed from every response.

use crate::error::{ErrorKind, TransportError};
use crate::redact::{redact, secret_forms};
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

/// The shortest token lifetime taken from a token endpoint: a shorter (or zero, or negative)
/// `expires_in` would mean a token fetch for every request.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// The longest token lifetime taken from a token endpoint (a day): a token is refreshed at
/// least this often, whatever `expires_in` says.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// The lifetime assumed when a token endpoint gives no usable `expires_in`.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The most of a token endpoint's error text that is kept.
const MAX_DESCRIPTION: usize = 300;

/// A token's lifetime from `expires_in` (RFC 6749 section 5.1: seconds): a number (integer or
/// not, as text or not) is clamped to [`MIN_TOKEN_LIFETIME`]..=[`MAX_TOKEN_LIFETIME`]; anything
/// else (absent, not a number) is [`DEFAULT_TOKEN_LIFETIME`]. Never panics, whatever the value.
pub(crate) fn token_lifetime(expires_in: &serde_json::Value) -> Duration {
    let seconds = match expires_in {
        serde_json::Value::Number(number) => number.as_f64(),
        serde_json::Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match seconds.filter(|s| !s.is_nan()) {
        Some(seconds) => {
            let (min, max) = (
                MIN_TOKEN_LIFETIME.as_secs_f64(),
                MAX_TOKEN_LIFETIME.as_secs_f64(),
            );
            Duration::from_secs_f64(seconds.clamp(min, max))
        }
        None => {
            tracing::warn!("the token endpoint gave no usable expires_in; assuming an hour");
            DEFAULT_TOKEN_LIFETIME
        }
    }
}

/// Marks a 401 answer that the service account's token endpoint gave (in the response's
/// extensions): the API itself was never contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRefusal;

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
        let basic = crate::redact::base64(
            format!("{}:{}", account.client_id, account.client_secret.expose()).as_bytes(),
        );
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
                let lifetime = token_lifetime(&body["expires_in"]);
                let margin = Duration::from_secs(30).min(lifetime / 10);
                let now = Instant::now();
                Ok(Ok(Token {
                    value: Secret::new(token),
                    refresh_at: now
                        .checked_add(lifetime.saturating_sub(margin))
                        .unwrap_or(now),
                }))
            }
            _ => Ok(Err(refused(response.status(), &body, &self.forms()))),
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
        let mut forms = self.forms();
        forms.extend(secret_forms(token.expose(), None));
        Ok(scrub(response, &forms))
    }

    /// Every form of the client secret (see [`secret_forms`]).
    fn forms(&self) -> Vec<String> {
        let account = &self.account;
        secret_forms(account.client_secret.expose(), Some(&account.client_id))
    }
}

/// A token-endpoint refusal as a 401 answer marked [`TokenRefusal`], with the endpoint's
/// `error` and `error_description` (every form of the secret removed, shortened), so that callers
/// treat it as the authentication failure it is and say where it came from.
fn refused(status: StatusCode, body: &serde_json::Value, forms: &[String]) -> Response<Bytes> {
    let error = body["error"].as_str().unwrap_or("token request refused");
    let description = body["error_description"].as_str().unwrap_or_default();
    let mut text = redact(&format!("{error} {description}"), forms);
    if text.chars().count() > MAX_DESCRIPTION {
        text = text.chars().take(MAX_DESCRIPTION).collect::<String>() + "...";
    }
    let message = format!(
        "the service-account token endpoint answered {status}: {}",
        text.trim()
    );
    let error = redact(error, forms);
    let body = serde_json::json!({ "message": message, "error": error });
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response.extensions_mut().insert(TokenRefusal);
    response
}

/// The response without any of the `forms` of the secrets in its body or header values.
fn scrub(response: Response<Bytes>, forms: &[String]) -> Response<Bytes> {
    let (mut parts, body) = response.into_parts();
    for value in parts.headers.values_mut() {
        let text = String::from_utf8_lossy(value.as_bytes());
        let clean = redact(&text, forms);
        if clean != text {
            if let Ok(mut clean) = HeaderValue::from_str(&clean) {
                clean.set_sensitive(true);
                *value = clean;
            }
        }
    }
    let text = String::from_utf8_lossy(&body);
    let clean = redact(&text, forms);
    if clean == text {
        return Response::from_parts(parts, body);
    }
    Response::from_parts(parts, Bytes::from(clean))
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
    fn any_expires_in_gives_a_lifetime_within_bounds() {
        use serde_json::json;
        let of = |v| token_lifetime(&v);
        assert_eq!(of(json!(7200)), Duration::from_secs(7200));
        assert_eq!(of(json!("7200")), Duration::from_secs(7200));
        assert_eq!(of(json!(0)), MIN_TOKEN_LIFETIME);
        assert_eq!(of(json!(-5)), MIN_TOKEN_LIFETIME);
        assert_eq!(of(json!(u64::MAX)), MAX_TOKEN_LIFETIME);
        assert_eq!(of(json!(9.3e18)), MAX_TOKEN_LIFETIME);
        assert_eq!(of(json!(1e308)), MAX_TOKEN_LIFETIME);
        assert_eq!(of(json!("1e999")), MAX_TOKEN_LIFETIME);
        assert_eq!(of(json!("-inf")), MIN_TOKEN_LIFETIME);
        assert_eq!(of(json!("NaN")), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(of(json!("soon")), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(of(json!(null)), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(of(json!([1])), DEFAULT_TOKEN_LIFETIME);
    }

    #[test]
    fn a_refusal_is_marked_scrubbed_and_short() {
        let forms = secret_forms("s3cr3t-value", Some("id"));
        let basic = crate::redact::base64(b"id:s3cr3t-value");
        let body = serde_json::json!({
            "error": "invalid_client",
            "error_description": format!("Authorization: Basic {basic} {}", "x".repeat(1000)),
        });
        let response = refused(StatusCode::UNAUTHORIZED, &body, &forms);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.extensions().get::<TokenRefusal>(),
            Some(&TokenRefusal)
        );
        let text = String::from_utf8_lossy(response.body()).to_string();
        assert!(!text.contains(basic.trim_end_matches('=')), "{text}");
        assert!(text.contains("<redacted>") && text.len() < 500, "{text}");
    }

    #[test]
    fn secrets_never_show() {
        let secret = Secret::new("s3cr3t");
        assert!(!format!("{secret:?} {secret}").contains("s3cr3t"));
    }
}
