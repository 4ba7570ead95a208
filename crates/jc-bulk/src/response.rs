//! Pure decoding of responses: `http::Response<Bytes>` to a typed value or an [`Error`].
//!
//! Non-2xx bodies of any shape become an [`ApiError`] without losing anything ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 9): `Error`, `ErrorDetails`, `{"message"}`, `{"message","error"}`, or not JSON.

use crate::error::{ApiError, Error};
use bytes::Bytes;
use http::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::SystemTime;

/// Largest part of a body kept in errors.
const KEEP: usize = 4096;

fn lossy_prefix(body: &[u8], max: usize) -> String {
    let cut = &body[..body.len().min(max)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > max {
        text.push('…');
    }
    text
}

fn text_field(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Reads any non-2xx answer into an [`ApiError`].
pub(crate) fn api_error(response: &Response<Bytes>) -> ApiError {
    let body = response.body();
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let object = json.as_ref().filter(|v| v.is_object());
    let code = object.and_then(|v| match v.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    ApiError {
        status: response.status(),
        code,
        message: object.and_then(|v| text_field(v, "message")),
        status_text: object.and_then(|v| text_field(v, "status")),
        error: object.and_then(|v| text_field(v, "error")),
        details: object
            .and_then(|v| v.get("details")?.as_array().cloned())
            .unwrap_or_default(),
        body: lossy_prefix(body, KEEP),
        request_id: jc_transport::request_id(response.headers()).map(str::to_owned),
        retry_after: jc_transport::retry_after(response.headers(), SystemTime::now()),
        token_endpoint: response
            .extensions()
            .get::<jc_transport::TokenRefusal>()
            .is_some(),
    }
}

/// `Ok(())` for a 2xx answer, else the [`ApiError`].
///
/// # Errors
/// Any non-2xx status.
pub(crate) fn check_status(response: &Response<Bytes>) -> Result<(), Error> {
    if response.status().is_success() {
        Ok(())
    } else {
        Err(Error::Api(Box::new(api_error(response))))
    }
}

/// Decodes a 2xx JSON answer into `T`, naming the JSON path of any mismatch.
///
/// # Errors
/// A non-2xx status, or a body that is not a `T`.
pub fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    response: &Response<Bytes>,
) -> Result<T, Error> {
    check_status(response)?;
    let body = response.body();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        Error::Decode {
            operation,
            path,
            source: error.into_inner(),
            excerpt: lossy_prefix(body, 200),
        }
    })
}

/// Decodes an answer that has no body worth reading (204).
///
/// # Errors
/// A non-2xx status.
pub fn decode_empty(response: &Response<Bytes>) -> Result<(), Error> {
    check_status(response)
}

/// Decodes the answer to a job submission: `{jobId}` with a non-empty id (201 or 200).
///
/// # Errors
/// A non-2xx status, or no job id in the body.
pub fn decode_job_id(
    operation: &'static str,
    response: &Response<Bytes>,
) -> Result<jc_models::JobId, Error> {
    let job: jc_models::JobIdBody = decode_json(operation, response)?;
    match job.job_id.filter(|id| !id.trim().is_empty()) {
        Some(id) => Ok(jc_models::JobId::new(id)),
        None => Err(Error::Decode {
            operation,
            path: "jobId".into(),
            source: serde::de::Error::custom("the answer has no jobId"),
            excerpt: lossy_prefix(response.body(), 200),
        }),
    }
}

/// The `rel="next"` target of a `Link` header, if any ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 4).
pub(crate) fn next_link(response: &Response<Bytes>) -> Option<String> {
    let header = response.headers().get(http::header::LINK)?.to_str().ok()?;
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            p.trim()
                .replace(' ', "")
                .eq_ignore_ascii_case("rel=\"next\"")
                || p.trim().eq_ignore_ascii_case("rel=next")
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}

/// Internals that the fuzz tests drive directly; not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    /// See the crate-private `next_link`.
    pub fn next_link(response: &http::Response<bytes::Bytes>) -> Option<String> {
        super::next_link(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn answer(status: u16, body: &str) -> Response<Bytes> {
        let mut response = Response::new(Bytes::from(body.to_owned()));
        *response.status_mut() = StatusCode::from_u16(status).unwrap();
        response
    }

    #[test]
    fn every_error_body_shape_is_kept_section_9() {
        let error = api_error(&answer(
            400,
            r#"{"code":400,"message":"bad","status":"Bad Request","details":[{"x":1}]}"#,
        ));
        assert_eq!(
            (error.code, error.message.as_deref()),
            (Some(400), Some("bad"))
        );
        assert_eq!(error.status_text.as_deref(), Some("Bad Request"));
        assert_eq!(error.details.len(), 1);

        let error = api_error(&answer(
            401,
            r#"{"message":"Unauthorized: no organization selected"}"#,
        ));
        assert_eq!(error.summary(), "Unauthorized: no organization selected");

        let error = api_error(&answer(500, r#"{"message":"","error":"boom"}"#));
        assert_eq!(error.error.as_deref(), Some("boom"));
        assert_eq!(error.summary(), "boom");

        let error = api_error(&answer(502, "<html>Bad Gateway</html>"));
        assert_eq!(error.message, None);
        assert_eq!(error.body, "<html>Bad Gateway</html>");
        assert_eq!(error.summary(), "<html>Bad Gateway</html>");

        let error = api_error(&answer(503, ""));
        assert_eq!(error.summary(), "Service Unavailable");

        let error = api_error(&answer(400, r#"{"code":"400","message":7}"#));
        assert_eq!(
            (error.code, error.message.as_deref()),
            (Some(400), Some("7"))
        );
    }

    #[test]
    fn decode_errors_name_the_path_and_keep_an_excerpt() {
        let error = decode_json::<Vec<jc_models::JobWorkresult>>(
            "results",
            &answer(200, r#"[{"id":"a"},{"id":5}]"#),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("[1].id"), "{text}");
        assert!(text.contains(r#"[{"id":"a"}"#), "{text}");
    }

    #[test]
    fn job_id_must_be_present() {
        assert_eq!(
            decode_job_id("create", &answer(201, r#"{"jobId":"j1"}"#)).unwrap(),
            "j1"
        );
        assert_eq!(
            decode_job_id("create", &answer(200, r#"{"jobId":"j1"}"#)).unwrap(),
            "j1"
        );
        assert!(decode_job_id("create", &answer(201, "{}")).is_err());
    }

    #[test]
    fn next_link_is_found() {
        let mut response = answer(200, "[]");
        response.headers_mut().insert(
            http::header::LINK,
            r#"<https://x/api/v2/bulk/userstates?skip=100&limit=100>; rel="next", <https://x/p1>; rel="prev""#.parse().unwrap(),
        );
        assert_eq!(
            next_link(&response).as_deref(),
            Some("https://x/api/v2/bulk/userstates?skip=100&limit=100")
        );
    }
}
