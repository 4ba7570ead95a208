//! Responses of the mock: JSON bodies and the contract's error bodies ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 9,
//! 17 and 18: every non-2xx answer has a JSON body; only 204 has none).

use http::StatusCode;
use serde_json::{json, Value};

/// A response before faults and encoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Option<Value>,
    pub(crate) retry_after: Option<u64>,
    /// `x-total-count` of a v2 list (section 35).
    pub(crate) total_count: Option<u64>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            retry_after: None,
            total_count: None,
        }
    }

    pub(crate) fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
            retry_after: None,
            total_count: None,
        }
    }

    /// The same reply with an `x-total-count` header.
    pub(crate) fn with_total(mut self, total: Option<u64>) -> Self {
        self.total_count = total;
        self
    }

    /// The spec's `Error` body: `{code, message, status}`.
    pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Self {
        Self::json(
            status,
            json!({
                "code": status.as_u16(),
                "message": message.into(),
                "status": status.canonical_reason().unwrap_or("Error"),
            }),
        )
    }

    /// The spec's `ErrorDetails` body for a 400: `Error` plus `details`.
    pub(crate) fn bad_request(message: impl Into<String>, details: Vec<Value>) -> Self {
        let status = StatusCode::BAD_REQUEST;
        Self::json(
            status,
            json!({
                "code": 400,
                "message": message.into(),
                "status": "Bad Request",
                "details": details,
            }),
        )
    }
}

/// A `details` entry in the shape of Google's `BadRequest.FieldViolation`.
pub(crate) fn field_violation(field: &str, description: &str) -> Value {
    json!({
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{ "field": field, "description": description }],
    })
}
