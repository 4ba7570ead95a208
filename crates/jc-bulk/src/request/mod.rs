//! Pure request builders: typed input plus the [`Endpoint`] to an `http::Request<Bytes>`, no I/O.
//!
//! Every request carries `x-api-key` (marked sensitive), `Accept: application/json`,
//! `User-Agent`, `Content-Type: application/json` when it has a body, and `x-org-id` when an org
//! is set ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md), "Operations"). Job submissions are marked
//! [`Idempotency::NonIdempotent`](jc_transport::Idempotency::NonIdempotent); reads and the DELETE are idempotent.

use crate::error::{Error, InvalidInput};
use crate::options::{
    CallOptions, CreateUsersOptions, ListScheduledOptions, Page, UpdateUsersOptions,
};
use bytes::Bytes;
use http::{HeaderValue, Method, Request};
use jc_models::{
    BulkScheduledStatechangeCreate, BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate,
    Validate,
};

mod endpoint;
pub mod v1;

pub use endpoint::{Endpoint, USER_AGENT};

/// Percent-encodes one path segment (ids given by callers).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    format!("{path}?{}", query.finish())
}

fn page_pairs(page: Page) -> Vec<(&'static str, String)> {
    vec![
        ("limit", page.limit().to_string()),
        ("skip", page.skip().to_string()),
    ]
}

fn check_records<T: Validate>(records: &[T], skip: bool) -> Result<(), Error> {
    if records.is_empty() {
        return Err(InvalidInput::Argument("a bulk job needs at least one record".into()).into());
    }
    if skip {
        return Ok(());
    }
    let broken: Vec<_> = records
        .iter()
        .enumerate()
        .filter_map(|(i, record)| record.validate().err().map(|v| (i, v)))
        .collect();
    if broken.is_empty() {
        Ok(())
    } else {
        Err(InvalidInput::Records(broken).into())
    }
}

fn suppress(flag: Option<bool>) -> Vec<(&'static str, String)> {
    flag.map(|f| vec![("suppressEmail", f.to_string())])
        .unwrap_or_default()
}

/// POST /bulk/users.
///
/// # Errors
/// No records, or records that fail `validate()` (unless skipped): every violation.
pub fn create_users(
    endpoint: &Endpoint,
    users: &[BulkUserCreate],
    options: &CreateUsersOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, !options.validate)?;
    let path = with_query("/bulk/users", &suppress(options.suppress_email));
    let mut request = endpoint.json(Method::POST, &path, users, options.org_id.as_deref())?;
    if let Some(source) = options.creation_source {
        request
            .headers_mut()
            .insert("creation-source", HeaderValue::from_static(source.as_str()));
    }
    Ok(request)
}

/// PATCH /bulk/users.
///
/// # Errors
/// No records, or records that fail `validate()` (unless skipped).
pub fn update_users(
    endpoint: &Endpoint,
    users: &[BulkUserUpdate],
    options: &UpdateUsersOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, !options.validate)?;
    let path = with_query("/bulk/users", &suppress(options.suppress_email));
    endpoint.json(Method::PATCH, &path, users, options.org_id.as_deref())
}

/// POST /bulk/user/expires.
///
/// # Errors
/// No records, or a record without an id.
pub fn expire_users(
    endpoint: &Endpoint,
    users: &[BulkUserExpire],
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, false)?;
    endpoint.json(
        Method::POST,
        "/bulk/user/expires",
        users,
        options.org_id.as_deref(),
    )
}

/// POST /bulk/user/unlocks.
///
/// # Errors
/// No records, or a record without an id.
pub fn unlock_users(
    endpoint: &Endpoint,
    users: &[BulkUserUnlock],
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, false)?;
    endpoint.json(
        Method::POST,
        "/bulk/user/unlocks",
        users,
        options.org_id.as_deref(),
    )
}

/// GET /bulk/users/{job_id}/results.
///
/// # Errors
/// An empty job id.
pub fn job_results(
    endpoint: &Endpoint,
    job_id: &str,
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    let path = with_query(
        &format!("/bulk/users/{}/results", encode_segment(job)),
        &page_pairs(page),
    );
    endpoint.request(Method::GET, &path, None, options.org_id.as_deref())
}

/// POST /bulk/userstates, after the checks of [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 8.
///
/// # Errors
/// A body that breaks section 8: every violation.
pub fn schedule_state_change(
    endpoint: &Endpoint,
    change: &BulkScheduledStatechangeCreate,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    change
        .validate()
        .map_err(|violations| InvalidInput::Records(vec![(0, violations)]))?;
    endpoint.json(
        Method::POST,
        "/bulk/userstates",
        change,
        options.org_id.as_deref(),
    )
}

/// GET /bulk/userstates: one `filter` pair per filter (section 5), `userid`, `limit`, `skip`.
///
/// # Errors
/// Never in practice; kept for uniformity.
pub fn list_scheduled(
    endpoint: &Endpoint,
    options: &ListScheduledOptions,
    page: Page,
) -> Result<Request<Bytes>, Error> {
    let mut pairs: Vec<(&str, String)> = options
        .filters
        .iter()
        .map(|filter| ("filter", filter.to_string()))
        .collect();
    if let Some(user) = &options.user_id {
        pairs.push(("userid", user.clone()));
    }
    pairs.extend(page_pairs(page));
    endpoint.request(
        Method::GET,
        &with_query("/bulk/userstates", &pairs),
        None,
        options.org_id.as_deref(),
    )
}

/// DELETE /bulk/userstates/{id}.
///
/// # Errors
/// An empty id.
pub fn cancel_scheduled(
    endpoint: &Endpoint,
    scheduled_job_id: &str,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let id = non_empty("scheduled job id", scheduled_job_id)?;
    let path = format!("/bulk/userstates/{}", encode_segment(id));
    endpoint.request(Method::DELETE, &path, None, options.org_id.as_deref())
}

/// GET /bulk/userstates/eventlist/next for 1..=100 users, comma-joined (section 6).
///
/// # Errors
/// No user ids or more than 100.
pub fn next_scheduled(
    endpoint: &Endpoint,
    user_ids: &[String],
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    if user_ids.is_empty() || user_ids.len() > 100 {
        return Err(InvalidInput::Argument(format!(
            "eventlist/next takes 1 to 100 user ids per call, not {}",
            user_ids.len()
        ))
        .into());
    }
    let mut pairs = vec![("users", user_ids.join(","))];
    pairs.extend(page_pairs(page));
    endpoint.request(
        Method::GET,
        &with_query("/bulk/userstates/eventlist/next", &pairs),
        None,
        options.org_id.as_deref(),
    )
}

/// GET /jobs/{id} (legacy, deprecated: section 14).
///
/// # Errors
/// An empty id.
pub fn legacy_job(
    endpoint: &Endpoint,
    job_id: &str,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    endpoint.request(
        Method::GET,
        &format!("/jobs/{}", encode_segment(job)),
        None,
        options.org_id.as_deref(),
    )
}

/// GET /jobs/{id}/results (legacy, deprecated: section 14).
///
/// # Errors
/// An empty id.
pub fn legacy_job_results(
    endpoint: &Endpoint,
    job_id: &str,
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    let path = with_query(
        &format!("/jobs/{}/results", encode_segment(job)),
        &page_pairs(page),
    );
    endpoint.request(Method::GET, &path, None, options.org_id.as_deref())
}

fn non_empty<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(InvalidInput::Argument(format!("the {what} is empty")).into())
    } else {
        Ok(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiKey;
    use jc_models::{JobId, OrgId};

    fn endpoint() -> Endpoint {
        Endpoint::new("https://jumpcloud.invalid/api/v2/", ApiKey::from("k"))
            .unwrap()
            .with_org(Some(OrgId::new("org-1")))
    }

    #[test]
    fn a_create_is_a_non_idempotent_post_with_the_headers_of_the_contract() {
        let users = [BulkUserCreate::new("ada", "ada@example.com")];
        let request = create_users(&endpoint(), &users, &CreateUsersOptions::default()).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://jumpcloud.invalid/api/v2/bulk/users");
        let headers = request.headers();
        assert_eq!(headers["x-api-key"], "k");
        assert!(headers["x-api-key"].is_sensitive());
        assert_eq!(headers["x-org-id"], "org-1");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(
            request.extensions().get::<jc_transport::Idempotency>(),
            Some(&jc_transport::Idempotency::NonIdempotent)
        );
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!([{ "username": "ada", "email": "ada@example.com" }])
        );
    }

    #[test]
    fn a_results_page_encodes_the_job_id_and_pages_by_limit_and_skip() {
        let page = Page::new(100, 200).unwrap();
        let job = JobId::new("a/b c");
        let request = job_results(&endpoint(), &job, page, &CallOptions::default()).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://jumpcloud.invalid/api/v2/bulk/users/a%2Fb%20c/results?limit=100&skip=200"
        );
        assert!(request.body().is_empty());
    }

    #[test]
    fn invalid_records_are_refused_before_a_request_exists() {
        let users = [BulkUserCreate::new("", "not-an-email")];
        assert!(create_users(&endpoint(), &users, &CreateUsersOptions::default()).is_err());
    }
}
