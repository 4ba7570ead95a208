//! The v1 reads of users ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 19-21).

use super::{encode_segment, Endpoint};
use crate::error::{Error, InvalidInput};
use crate::options::Page;
use bytes::Bytes;
use http::{Method, Request};
use jc_models::Search;

fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        out.append_pair(key, value);
    }
    out.finish()
}

/// `GET /systemusers?limit&skip&sort=_id[&fields][&filter...]`: `filters` are
/// `field:$op:value` (all must hold), `fields` space-separated names.
///
/// # Errors
/// No v1 root (see [`Endpoint::v1_base_url`]).
pub fn list_users(
    endpoint: &Endpoint,
    filters: &[String],
    fields: Option<&str>,
    page: Page,
    org: Option<&str>,
) -> Result<Request<Bytes>, Error> {
    let (limit, skip) = (page.limit().to_string(), page.skip().to_string());
    let mut pairs = vec![
        ("limit", limit.as_str()),
        ("skip", skip.as_str()),
        ("sort", "_id"),
    ];
    if let Some(fields) = fields {
        pairs.push(("fields", fields));
    }
    pairs.extend(filters.iter().map(|f| ("filter", f.as_str())));
    let url = format!("{}/systemusers?{}", endpoint.v1_base_url()?, query(&pairs));
    endpoint.request_url(Method::GET, &url, None, org)
}

/// `POST /search/systemusers` with `limit` and `skip` in the query and the body (section 20).
///
/// # Errors
/// No v1 root, or a body that cannot be encoded.
pub fn search_users(
    endpoint: &Endpoint,
    search: &Search,
    org: Option<&str>,
) -> Result<Request<Bytes>, Error> {
    let (limit, skip) = (
        search.limit.unwrap_or(100).to_string(),
        search.skip.unwrap_or(0).to_string(),
    );
    let url = format!(
        "{}/search/systemusers?{}",
        endpoint.v1_base_url()?,
        query(&[("limit", &limit), ("skip", &skip)])
    );
    let body = serde_json::to_vec(search)
        .map_err(|e| InvalidInput::Argument(format!("cannot encode the search: {e}")))?;
    endpoint.request_url(Method::POST, &url, Some(Bytes::from(body)), org)
}

/// `GET /systemusers/{id}`.
///
/// # Errors
/// No v1 root.
pub fn get_user(endpoint: &Endpoint, id: &str, org: Option<&str>) -> Result<Request<Bytes>, Error> {
    let url = format!(
        "{}/systemusers/{}",
        endpoint.v1_base_url()?,
        encode_segment(id.trim())
    );
    endpoint.request_url(Method::GET, &url, None, org)
}
