//! `HyperTransport`: the default transport on hyper 1, hyper-util's pooled client, rustls
//! (ring) and tokio. HTTP/1.1 and HTTP/2 by ALPN, keep-alive, OS roots plus extra CAs,
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, connect and request timeouts, a response size cap.

mod classify;
mod connector;
mod tls;

use crate::error::{ErrorKind, TransportError};
use crate::request::is_loopback_host;
use crate::transport::Transport;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

type HttpsConnector = hyper_rustls::HttpsConnector<connector::Connector>;

/// A problem in the transport's configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An extra CA bundle could not be read or holds no usable certificate.
    #[error("CA bundle: {0}")]
    CaBundle(String),
    /// The TLS configuration is not valid.
    #[error("TLS configuration: {0}")]
    Tls(String),
    /// The proxy URL is not valid.
    #[error("proxy URL `{url}`: {reason}")]
    Proxy {
        /// The URL given (credentials removed).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where the proxy setting comes from. `Debug` shows a proxy URL without its credentials.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Proxy {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (upper or lower case), as curl
    /// reads them. Loopback destinations never use it.
    #[default]
    FromEnv,
    /// No proxy.
    None,
    /// This proxy URL for every destination except those of `no_proxy` (NO_PROXY syntax:
    /// comma-separated hosts, domains, IPs or CIDR blocks).
    Url {
        /// `http://[user:password@]host:port`.
        url: String,
        /// Destinations that bypass the proxy.
        no_proxy: String,
    },
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::None => f.write_str("None"),
            Self::Url { url, no_proxy } => f
                .debug_struct("Url")
                .field("url", &redact_userinfo(url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// `scheme://user:password@host` as `scheme://<redacted>@host`.
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}<redacted>{}", &rest[at..])
        }
        None => url.to_owned(),
    }
}

/// Builds a [`HyperTransport`].
#[derive(Debug, Clone)]
#[must_use]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    max_body_bytes: u64,
    native_roots: bool,
    extra_ca_pem: Vec<Vec<u8>>,
    allow_insecure_http: bool,
    proxy: Proxy,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Some(Duration::from_secs(120)),
            max_body_bytes: 64 * 1024 * 1024,
            native_roots: true,
            extra_ca_pem: Vec::new(),
            allow_insecure_http: false,
            proxy: Proxy::FromEnv,
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 32,
        }
    }
}

impl HyperTransportBuilder {
    /// Limit for DNS + TCP connect + proxy tunnel. Default 10 s.
    pub fn connect_timeout(mut self, limit: Duration) -> Self {
        self.connect_timeout = limit;
        self
    }

    /// Limit for a whole request, from sending to the last byte of the body. Default 120 s;
    /// `None` for no limit.
    pub fn request_timeout(mut self, limit: Option<Duration>) -> Self {
        self.request_timeout = limit;
        self
    }

    /// Largest response body accepted. Default 64 MiB.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Trust the operating system's root certificates (default true).
    pub fn native_roots(mut self, enabled: bool) -> Self {
        self.native_roots = enabled;
        self
    }

    /// Also trust the CA certificates of this PEM text.
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    /// Also trust the CA certificates of this PEM file.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn add_ca_file(self, path: impl AsRef<Path>) -> Result<Self, BuildError> {
        let path = path.as_ref();
        let pem = std::fs::read(path)
            .map_err(|error| BuildError::CaBundle(format!("{}: {error}", path.display())))?;
        Ok(self.add_ca_pem(pem))
    }

    /// Allow plain `http://` to hosts that are not loopback. Off by default: the API key would
    /// cross the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The proxy setting. Default: from the environment.
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// How long an idle pooled connection is kept. Default 60 s.
    pub fn pool_idle_timeout(mut self, idle: Duration) -> Self {
        self.pool_idle_timeout = idle;
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    /// A CA bundle without certificates, or a proxy URL that is not a URL.
    pub fn build(self) -> Result<HyperTransport, BuildError> {
        let tls = tls::client_config(&tls::Trust {
            native_roots: self.native_roots,
            extra_pem: self.extra_ca_pem.clone(),
        })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_keepalive(Some(Duration::from_secs(60)));
        let proxy = match &self.proxy {
            Proxy::None => None,
            Proxy::FromEnv => Some(connector::ProxyRules {
                matcher: Arc::new(Matcher::from_env()),
                bypass_loopback: true,
            }),
            Proxy::Url { url, no_proxy } => {
                let parsed: http::Uri =
                    url.parse()
                        .map_err(|error: http::uri::InvalidUri| BuildError::Proxy {
                            url: "(hidden)".into(),
                            reason: error.to_string(),
                        })?;
                if parsed.host().is_none() {
                    return Err(BuildError::Proxy {
                        url: "(hidden)".into(),
                        reason: "no host".into(),
                    });
                }
                let matcher = Matcher::builder()
                    .all(url.clone())
                    .no(no_proxy.clone())
                    .build();
                Some(connector::ProxyRules {
                    matcher: Arc::new(matcher),
                    bypass_loopback: false,
                })
            }
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(connector::Connector { http, proxy });
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(HyperTransport {
            client,
            settings: Arc::new(self),
        })
    }
}

/// The default [`Transport`]: a pooled hyper client over rustls.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<HttpsConnector, Full<Bytes>>,
    settings: Arc<HyperTransportBuilder>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A builder with the defaults.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// A transport with the defaults.
    ///
    /// # Errors
    /// See [`HyperTransportBuilder::build`].
    pub fn new() -> Result<Self, BuildError> {
        Self::builder().build()
    }

    /// Whether this transport sends to `uri`: https, or plain http only to loopback unless
    /// insecure HTTP was allowed. The same check runs before every request; callers can run it
    /// up front to refuse a base URL before anything is read or sent.
    ///
    /// # Errors
    /// [`ErrorKind::InsecureUrl`], not sent.
    pub fn check_url(&self, uri: &http::Uri) -> Result<(), TransportError> {
        let host = uri.host().ok_or_else(|| {
            TransportError::not_sent(ErrorKind::InsecureUrl, format!("`{uri}` has no host"))
        })?;
        match uri.scheme_str() {
            Some("https") => Ok(()),
            Some("http") if self.settings.allow_insecure_http || is_loopback_host(host) => Ok(()),
            Some("http") => Err(TransportError::not_sent(
                ErrorKind::InsecureUrl,
                format!(
                    "refusing plain http:// to `{host}`, which is not a loopback address: the API \
                     key would cross the network unencrypted (use https://, or allow insecure HTTP \
                     explicitly)"
                ),
            )),
            other => Err(TransportError::not_sent(
                ErrorKind::InsecureUrl,
                format!("unsupported URL scheme {:?}", other.unwrap_or("(none)")),
            )),
        }
    }

    async fn exchange(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let request = request.map(Full::new);
        let response = self
            .client
            .request(request)
            .await
            .map_err(classify::client_error)?;
        let limit = self.settings.max_body_bytes;
        let too_large = || {
            TransportError::maybe_sent(
                ErrorKind::BodyTooLarge,
                format!("the response body is larger than the {limit}-byte cap"),
            )
        };
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let (parts, body) = response.into_parts();
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        let collected = Limited::new(body, cap).collect().await.map_err(|error| {
            if error.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                TransportError::maybe_sent(
                    ErrorKind::Io,
                    format!("reading the response body failed: {error}"),
                )
                .with_source(error)
            }
        })?;
        Ok(Response::from_parts(parts, collected.to_bytes()))
    }
}

#[async_trait::async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.check_url(request.uri())?;
        match self.settings.request_timeout {
            None => self.exchange(request).await,
            Some(limit) => match tokio::time::timeout(limit, self.exchange(request)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(TransportError::maybe_sent(
                    ErrorKind::Timeout,
                    format!("no complete response within {} ms", limit.as_millis()),
                )),
            },
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn proxy_credentials_never_show_in_debug() {
        let proxy = Proxy::Url {
            url: "http://ann:s3cret@proxy.jumpcloud.invalid:3128/".into(),
            no_proxy: String::new(),
        };
        let builder = HyperTransport::builder().proxy(proxy.clone());
        for text in [format!("{proxy:?}"), format!("{builder:?}")] {
            assert!(!text.contains("s3cret") && !text.contains("ann"), "{text}");
            assert!(text.contains("proxy.jumpcloud.invalid"), "{text}");
        }
    }
}
