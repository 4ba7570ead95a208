//! Who is calling and for which org ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 10).

use crate::config::Admin;
use crate::ids::is_object_id;
use crate::oauth::Tokens;
use crate::reply::{field_violation, Reply};
use http::{HeaderMap, StatusCode};
use serde_json::json;

/// The caller: an admin acting on one org.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) admin_index: usize,
    pub(crate) org: String,
}

pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Which admin calls: `x-api-key`, or `Authorization: Bearer` with a token the mock issued and
/// that has not expired (section 24). No org is needed (the org lists of sections 32-33).
pub(crate) fn identify(
    admins: &[Admin],
    tokens: &Tokens,
    headers: &HeaderMap,
) -> Result<usize, Reply> {
    let unauthorized = || Reply::error(StatusCode::UNAUTHORIZED, "Unauthorized");
    let bearer = header(headers, "authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let token_key;
    let key = match bearer {
        Some(token) => {
            token_key = tokens.admin_key(token).ok_or_else(unauthorized)?;
            token_key.as_str()
        }
        None => header(headers, "x-api-key").ok_or_else(unauthorized)?,
    };
    let admin_index = admins
        .iter()
        .position(|admin| admin.api_key == key)
        .ok_or_else(unauthorized)?;
    Ok(admin_index)
}

/// Checks the credentials and `x-org-id` (see [`identify`]). An empty `x-org-id` is the same as
/// none (section 17).
pub(crate) fn authenticate(
    admins: &[Admin],
    tokens: &Tokens,
    headers: &HeaderMap,
) -> Result<Caller, Reply> {
    let unauthorized = || Reply::error(StatusCode::UNAUTHORIZED, "Unauthorized");
    let admin_index = identify(admins, tokens, headers)?;
    let admin = &admins[admin_index];
    let org = match header(headers, "x-org-id") {
        None if admin.multi_tenant => {
            return Err(Reply::json(
                StatusCode::UNAUTHORIZED,
                json!({"message": "Unauthorized: no organization selected"}),
            ))
        }
        None => admin.orgs.first().cloned().ok_or_else(unauthorized)?,
        Some(org) if !is_object_id(org) => {
            return Err(Reply::bad_request(
                format!("invalid x-org-id `{org}`: expected 24 hexadecimal digits"),
                vec![field_violation("x-org-id", "not an organization id")],
            ))
        }
        Some(org) if !admin.orgs.iter().any(|o| o.eq_ignore_ascii_case(org)) => {
            return Err(Reply::error(
                StatusCode::NOT_FOUND,
                format!("organization {org} not found"),
            ))
        }
        Some(org) => org.to_ascii_lowercase(),
    };
    Ok(Caller { admin_index, org })
}
