//! `TransportError`: what went wrong, and whether the request may have reached the server.

use std::fmt;

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether a failed request may have reached the server. Retry decisions and the SDK's
/// "outcome unknown" reports depend on it ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Provably not sent: the server cannot have acted on it (DNS, connect, TLS handshake,
    /// a refused URL, a closed pool). Safe to re-send, whatever the method.
    NotSent,
    /// Written, or possibly written: the server may have acted on it (a reset or a timeout
    /// after writing, a response that could not be read). Re-sending a POST could act twice.
    MaybeSent,
}

/// What kind of failure it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Resolving the host or connecting failed.
    Connect,
    /// The TLS handshake failed (untrusted certificate, protocol mismatch).
    Tls,
    /// A proxy refused or failed the tunnel.
    Proxy,
    /// The URL is not allowed: plain `http://` to a host that is not loopback, or no host.
    InsecureUrl,
    /// The request could not be built or encoded.
    InvalidRequest,
    /// The connection failed while the request or response was under way.
    Io,
    /// A timeout fired (connect, attempt or whole request).
    Timeout,
    /// The response body is larger than the configured cap.
    BodyTooLarge,
    /// The transport was shut down or a test double ran out of answers.
    Closed,
}

impl ErrorKind {
    /// True when trying again may succeed: connect failures, timeouts, resets and other
    /// connection errors, proxy failures. False for what no retry can change: an insecure or
    /// invalid URL, a request that cannot be built, a body over the cap, a TLS failure (an
    /// untrusted certificate, a protocol mismatch), a closed transport.
    pub fn is_transient(self) -> bool {
        match self {
            Self::Connect | Self::Proxy | Self::Io | Self::Timeout => true,
            Self::Tls
            | Self::InsecureUrl
            | Self::InvalidRequest
            | Self::BodyTooLarge
            | Self::Closed => false,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect error",
            Self::Tls => "TLS error",
            Self::Proxy => "proxy error",
            Self::InsecureUrl => "insecure or invalid URL",
            Self::InvalidRequest => "invalid request",
            Self::Io => "connection error",
            Self::Timeout => "timeout",
            Self::BodyTooLarge => "response body too large",
            Self::Closed => "transport closed",
        })
    }
}

/// A request that did not produce a response.
///
/// Every HTTP status, 4xx and 5xx included, is a response (`Ok`); this error is only for
/// requests that got no response at all.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message} ({})", match .delivery {
    Delivery::NotSent => "the request was not sent",
    Delivery::MaybeSent => "the request may have reached the server",
})]
pub struct TransportError {
    kind: ErrorKind,
    delivery: Delivery,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl TransportError {
    /// An error of `kind` with the given delivery and message.
    pub fn new(kind: ErrorKind, delivery: Delivery, message: impl Into<String>) -> Self {
        Self {
            kind,
            delivery,
            message: message.into(),
            source: None,
        }
    }

    /// A request that provably was not sent.
    pub fn not_sent(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind, Delivery::NotSent, message)
    }

    /// A request that may have reached the server.
    pub fn maybe_sent(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind, Delivery::MaybeSent, message)
    }

    /// Attaches the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the request may have reached the server.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// True when the request provably was not sent (safe to re-send any method).
    pub fn is_not_sent(&self) -> bool {
        self.delivery == Delivery::NotSent
    }

    /// True when the server may have acted on the request.
    pub fn may_have_been_sent(&self) -> bool {
        self.delivery == Delivery::MaybeSent
    }

    /// True when trying again may succeed (see [`ErrorKind::is_transient`]).
    pub fn is_transient(&self) -> bool {
        self.kind.is_transient()
    }

    /// True for timeouts.
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    /// The message, without the delivery note.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_whether_the_request_was_sent() {
        let not_sent = TransportError::not_sent(ErrorKind::Connect, "connection refused");
        assert_eq!(
            not_sent.to_string(),
            "connect error: connection refused (the request was not sent)"
        );
        assert!(not_sent.is_not_sent() && !not_sent.may_have_been_sent());
        let maybe = TransportError::maybe_sent(ErrorKind::Io, "connection reset");
        assert!(maybe
            .to_string()
            .ends_with("(the request may have reached the server)"));
    }

    #[test]
    fn only_transient_kinds_are_worth_retrying() {
        for kind in [
            ErrorKind::Connect,
            ErrorKind::Proxy,
            ErrorKind::Io,
            ErrorKind::Timeout,
        ] {
            assert!(kind.is_transient(), "{kind}");
        }
        for kind in [
            ErrorKind::Tls,
            ErrorKind::InsecureUrl,
            ErrorKind::InvalidRequest,
            ErrorKind::BodyTooLarge,
            ErrorKind::Closed,
        ] {
            assert!(!kind.is_transient(), "{kind}");
        }
    }
}
