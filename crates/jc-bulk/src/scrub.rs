//! Secrets never come back in: a server or proxy that echoes the request (its headers, its
//! body) into an error body, a `statusMsg` or a header would otherwise carry the API key into
//! reports, journals, logs and error messages. Every response is scrubbed of the client's
//! secrets before anything reads it, so no later code path has to remember.

use bytes::Bytes;
use http::{HeaderValue, Response};

/// What a secret is replaced with.
const REDACTED: &[u8] = b"<redacted>";

/// The position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&i| haystack[i] == first && &haystack[i..i + needle.len()] == needle)
}

/// Whether `text` may hold one of `secrets`: for UTF-8 text (every JSON body), std's substring
/// search (fast, one pass a secret); otherwise yes, and the byte scan decides.
fn may_hold(text: &[u8], secrets: &[Vec<u8>]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return true;
    };
    secrets
        .iter()
        .filter_map(|s| std::str::from_utf8(s).ok())
        .any(|secret| !secret.is_empty() && text.contains(secret))
        || secrets.iter().any(|s| std::str::from_utf8(s).is_err())
}

/// `text` with every occurrence of every secret replaced, or `None` when it holds none.
pub(crate) fn scrub_bytes(text: &[u8], secrets: &[Vec<u8>]) -> Option<Vec<u8>> {
    if !may_hold(text, secrets) {
        return None;
    }
    let mut current: Option<Vec<u8>> = None;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let source = current.as_deref().unwrap_or(text);
        let Some(mut at) = find(source, secret) else {
            continue;
        };
        let mut out = Vec::with_capacity(source.len());
        let mut rest = source;
        loop {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(REDACTED);
            rest = &rest[at + secret.len()..];
            match find(rest, secret) {
                Some(next) => at = next,
                None => break,
            }
        }
        out.extend_from_slice(rest);
        current = Some(out);
    }
    current
}

/// The response with every secret removed from its body and header values.
pub(crate) fn scrub_response(response: Response<Bytes>, secrets: &[Vec<u8>]) -> Response<Bytes> {
    let (mut parts, body) = response.into_parts();
    for value in parts.headers.values_mut() {
        if let Some(clean) = scrub_bytes(value.as_bytes(), secrets) {
            if let Ok(mut clean) = HeaderValue::from_bytes(&clean) {
                clean.set_sensitive(true);
                *value = clean;
            }
        }
    }
    let body = match scrub_bytes(&body, secrets) {
        Some(clean) => Bytes::from(clean),
        None => body,
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_of_every_secret_goes() {
        let secrets = vec![b"KEY123".to_vec(), b"tok".to_vec()];
        let text = br#"{"echo":"x-api-key: KEY123","again":"aKEY123b","t":"tok"}"#;
        let clean = String::from_utf8(scrub_bytes(text, &secrets).unwrap()).unwrap();
        assert_eq!(
            clean,
            r#"{"echo":"x-api-key: <redacted>","again":"a<redacted>b","t":"<redacted>"}"#
        );
        assert_eq!(scrub_bytes(b"nothing here", &secrets), None);
        assert_eq!(scrub_bytes(b"KEY12", &secrets), None);
    }

    #[test]
    fn headers_and_body_are_scrubbed() {
        let response = Response::builder()
            .header("x-echo", "KEY123")
            .body(Bytes::from_static(b"[KEY123]"))
            .unwrap();
        let clean = scrub_response(response, &[b"KEY123".to_vec()]);
        assert_eq!(clean.headers()["x-echo"], "<redacted>");
        assert_eq!(clean.body().as_ref(), b"[<redacted>]");
    }
}
