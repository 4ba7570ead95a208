//! Error bodies the server answers with (`Error`, `ErrorDetails`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 9).

use serde_json::{Map, Value};

model! {
    /// The spec's `Error` body: `{code, message, status}` (named `ErrorBody` so that it does not
    /// collide with the error types of the crates that use it).
    pub struct ErrorBody {
        /// HTTP status code.
        pub code: i32,
        /// Error message.
        pub message: String,
        /// HTTP status description.
        pub status: String,
    }
}

model! {
    /// The spec's `ErrorDetails` body: `Error` plus `details`.
    pub struct ErrorDetails {
        /// HTTP status code.
        pub code: i32,
        /// Error message.
        pub message: String,
        /// HTTP status description.
        pub status: String,
        /// Detail objects in the shape of Google's `error_details.proto`.
        pub details: Vec<Map<String, Value>>,
    }
}

impl From<ErrorBody> for ErrorDetails {
    fn from(error: ErrorBody) -> Self {
        Self {
            code: error.code,
            message: error.message,
            status: error.status,
            details: None,
            extra: error.extra,
        }
    }
}
