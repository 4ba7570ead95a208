//! The TCP connector under TLS: direct, or through an HTTP proxy (CONNECT tunnel).

use crate::error::BoxError;
use crate::request::is_loopback_host;
use http::Uri;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::net::TcpStream;
use tower_service::Service;

/// Which proxy, if any, a destination goes through.
#[derive(Clone)]
pub(crate) struct ProxyRules {
    pub(crate) matcher: Arc<Matcher>,
    /// Loopback destinations never use the proxy (for proxies taken from the environment, so
    /// that a corporate `HTTPS_PROXY` does not swallow the local mock).
    pub(crate) bypass_loopback: bool,
}

/// An error from the proxy tunnel.
#[derive(Debug, thiserror::Error)]
#[error("proxy tunnel to {proxy} failed: {detail}")]
pub(crate) struct ProxyError {
    pub(crate) proxy: String,
    pub(crate) detail: String,
}

#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) http: HttpConnector,
    pub(crate) proxy: Option<ProxyRules>,
}

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self.proxy.as_ref().and_then(|rules| {
            let loopback = dst.host().is_some_and(is_loopback_host);
            if rules.bypass_loopback && loopback {
                None
            } else {
                rules.matcher.intercept(&dst)
            }
        });
        match intercept {
            None => {
                let connecting = self.http.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Some(proxy) => {
                let proxy_uri = proxy.uri().clone();
                let mut tunnel = Tunnel::new(proxy_uri.clone(), self.http.clone());
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    tunnel.call(dst).await.map_err(|error| {
                        Box::new(ProxyError {
                            proxy: redact_userinfo(&proxy_uri),
                            detail: error.to_string(),
                        }) as BoxError
                    })
                })
            }
        }
    }
}

/// The proxy URI without credentials, for messages.
fn redact_userinfo(uri: &Uri) -> String {
    match (uri.scheme_str(), uri.host()) {
        (Some(scheme), Some(host)) => match uri.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        },
        _ => "the proxy".into(),
    }
}
