//! The forms a secret takes on the wire, so that an echo of any of them can be removed: the text
//! itself, percent-encoded, base64 (standard and URL-safe, with or without padding) alone and
//! as the `client_id:secret` of HTTP Basic credentials.

/// Forms shorter than this are not scrubbed (they would erase ordinary text); the plain secret
/// always is.
const SHORTEST_FORM: usize = 6;

/// Base64 (standard alphabet, padded) of `bytes`, for HTTP Basic credentials.
pub(crate) fn base64(bytes: &[u8]) -> String {
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

/// `text` percent-encoded: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`, in upper case (`upper`)
/// or lower case.
fn percent(text: &str, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else if upper {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push_str(&format!("%{byte:02x}"));
        }
    }
    out
}

/// Every form of `secret` to remove from what a server sends back: the text, percent-encoded
/// (upper and lower case, and with `+` for spaces), base64 of the text and, with a
/// `client_id`, of `client_id:secret` (standard and URL-safe alphabets, without the padding, so
/// that padded and unpadded echoes both match). Longest first, so that a form inside another
/// is not scrubbed half. Empty for an empty secret.
pub fn secret_forms(secret: &str, client_id: Option<&str>) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![
        secret.to_owned(),
        percent(secret, true),
        percent(secret, false),
        form_encoded(secret),
    ];
    let mut encoded = vec![base64(secret.as_bytes())];
    if let Some(id) = client_id {
        encoded.push(base64(format!("{id}:{secret}").as_bytes()));
    }
    for text in encoded {
        let trimmed = text.trim_end_matches('=').to_owned();
        forms.push(trimmed.replace('+', "-").replace('/', "_"));
        forms.push(trimmed);
    }
    forms.retain(|form| form == secret || form.len() >= SHORTEST_FORM);
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    forms
}

/// `text` as an HTML form encodes it (`+` for a space).
fn form_encoded(text: &str) -> String {
    percent(text, true).replace("%20", "+")
}

/// `text` with every form of every secret replaced by `<redacted>`.
pub fn redact(text: &str, forms: &[String]) -> String {
    let mut out = text.to_owned();
    for form in forms.iter().filter(|f| !f.is_empty()) {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), "<redacted>");
        }
    }
    out
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
    fn every_form_of_the_secret_is_redacted() {
        let secret = "S3cret/with+odd=chars x";
        let forms = secret_forms(secret, Some("svc"));
        let basic = base64(format!("svc:{secret}").as_bytes());
        let echoes = [
            secret.to_owned(),
            format!("Basic {basic}"),
            base64(secret.as_bytes()),
            percent(secret, true),
            percent(secret, false),
            form_encoded(secret),
            basic
                .trim_end_matches('=')
                .replace('+', "-")
                .replace('/', "_"),
        ];
        for echo in echoes {
            let text = format!("before {echo} after");
            let clean = redact(&text, &forms);
            assert!(
                clean.starts_with("before ") && clean.ends_with(" after"),
                "{clean}"
            );
            assert!(clean.contains("<redacted>"), "{echo}: {clean}");
            assert!(!clean.contains("S3cret"), "{echo}: {clean}");
        }
        assert!(secret_forms("", Some("svc")).is_empty());
        // A one-letter secret is removed as itself, not as every short base64 fragment.
        assert_eq!(secret_forms("k", None), vec!["k".to_owned()]);
    }
}
