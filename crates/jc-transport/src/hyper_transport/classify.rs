//! Maps hyper's errors to `TransportError`s, deciding whether the request may have been sent.

use super::connector::ProxyError;
use crate::error::{ErrorKind, TransportError};
use std::error::Error as StdError;

/// Every error of the chain, looking inside (nested) `io::Error`s, whose `source()` skips the
/// wrapped error itself.
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut found = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        found.push(current);
        let wrapped = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref);
        next = match wrapped {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
    }
    found
}

fn connect_kind(error: &(dyn StdError + 'static)) -> ErrorKind {
    let links = chain(error);
    if links.iter().any(|e| e.is::<rustls::Error>()) {
        ErrorKind::Tls
    } else if links.iter().any(|e| e.is::<ProxyError>()) {
        ErrorKind::Proxy
    } else if links.iter().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    }) {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connect
    }
}

/// The most specific message of the chain (the innermost one), with the outermost for context.
fn describe(error: &(dyn StdError + 'static)) -> String {
    let links = chain(error);
    let outer = error.to_string();
    match links.last() {
        Some(inner) if inner.to_string() != outer => format!("{outer}: {inner}"),
        _ => outer,
    }
}

/// Classifies an error of the pooled client.
///
/// Only connector errors (DNS, TCP connect, TLS handshake, proxy tunnel) prove the request was
/// not sent. Anything later, hyper's "canceled" included (it is also what a connection that
/// dies with a request in flight reports), may have reached the server. hyper-util already
/// re-sends, by itself, a request canceled before it was written on a reused connection.
pub(crate) fn client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    let message = describe(&error);
    if error.is_connect() {
        TransportError::not_sent(connect_kind(&error), message).with_source(error)
    } else {
        TransportError::maybe_sent(ErrorKind::Io, message).with_source(error)
    }
}
