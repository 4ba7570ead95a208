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
/// A read, although a POST: marked [`Idempotency::Idempotent`](jc_transport::Idempotency), so
/// that the retry layer retries it on 502, 503 and 504 like any read.
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
    let mut request = endpoint.request_url(Method::POST, &url, Some(Bytes::from(body)), org)?;
    request
        .extensions_mut()
        .insert(jc_transport::Idempotency::Idempotent);
    Ok(request)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiKey;
    use jc_transport::Idempotency;

    fn endpoint() -> Endpoint {
        Endpoint::new("https://jumpcloud.invalid/api/v2", ApiKey::from("k")).unwrap()
    }

    /// Issue 19 defect 7: the search is a read; it is retried as one on 502, 503 and 504.
    #[test]
    fn the_search_is_a_post_that_is_retried_as_a_read() {
        let search = Search {
            limit: Some(100),
            skip: Some(200),
            ..Search::default()
        };
        let request = search_users(&endpoint(), &search, Some("org-1")).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri(),
            "https://jumpcloud.invalid/api/search/systemusers?limit=100&skip=200"
        );
        assert_eq!(Idempotency::of(&request), Idempotency::Idempotent);
        assert_eq!(request.headers()["x-org-id"], "org-1");
    }

    #[test]
    fn the_list_sorts_by_id_and_sends_each_filter_and_the_fields() {
        let filters = [
            "email:$eq:a@example.com".to_owned(),
            "state:$eq:ACTIVATED".into(),
        ];
        let page = Page::new(50, 100).unwrap();
        let request =
            list_users(&endpoint(), &filters, Some("username email"), page, None).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://jumpcloud.invalid/api/systemusers?limit=50&skip=100&sort=_id&fields=username+email&filter=email%3A%24eq%3Aa%40example.com&filter=state%3A%24eq%3AACTIVATED"
        );
        assert_eq!(Idempotency::of(&request), Idempotency::Idempotent);
    }

    #[test]
    fn a_get_encodes_and_trims_the_id() {
        let request = get_user(&endpoint(), " a/b ", None).unwrap();
        assert_eq!(
            request.uri(),
            "https://jumpcloud.invalid/api/systemusers/a%2Fb"
        );
    }
}
