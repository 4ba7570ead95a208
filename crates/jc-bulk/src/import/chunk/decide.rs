//! What an error means for the records it touched: not submitted (provably not applied), failed
//! (JumpCloud refused them), or unknown (they may have been applied); and whether it stops the
//! import. One place for the decision that the submit and wait stages both need.

use crate::error::Error;
use crate::import::outcome::Outcome;

/// The outcome of every record of a chunk whose submission failed with `error`, and whether
/// to stop submitting (401, 403, 404: every further chunk would fail the same way).
pub(super) fn submission_failed(error: &Error) -> (Outcome, Option<String>) {
    let not_submitted = || Outcome::NotSubmitted {
        reason: error.to_string(),
    };
    let unknown = || {
        Outcome::Unknown {
        job_id: None,
        reason: format!(
            "the submission may have reached JumpCloud ({error}); check the org before sending these records again"
        ),
    }
    };
    match error {
        Error::Api(api) => match api.status.as_u16() {
            401 | 403 | 404 => (
                not_submitted(),
                Some(format!("JumpCloud refused the submission: {error}")),
            ),
            429 | 503 => (not_submitted(), None),
            400..=499 => (
                Outcome::Failed {
                    job_id: None,
                    reason: api.summary(),
                },
                None,
            ),
            _ => (unknown(), None),
        },
        Error::Transport(transport) if transport.is_not_sent() => (not_submitted(), None),
        Error::InvalidInput(_) | Error::Config(_) | Error::Setting(_) => (not_submitted(), None),
        _ => (unknown(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use jc_transport::{ErrorKind, TransportError};

    fn api(status: u16) -> Error {
        let response = http::Response::builder()
            .status(status)
            .body(Bytes::from_static(br#"{"message":"no"}"#))
            .unwrap();
        Error::Api(Box::new(crate::response::api_error(&response)))
    }

    fn kind(outcome: &Outcome) -> &'static str {
        outcome.name()
    }

    #[test]
    fn a_refused_submission_is_not_submitted_and_auth_stops_the_import() {
        for status in [401, 403, 404] {
            let (outcome, stop) = submission_failed(&api(status));
            assert_eq!(kind(&outcome), "not_submitted", "{status}");
            assert!(stop.is_some(), "{status} stops every further chunk");
        }
        for status in [429, 503] {
            let (outcome, stop) = submission_failed(&api(status));
            assert_eq!((kind(&outcome), stop), ("not_submitted", None), "{status}");
        }
    }

    #[test]
    fn a_rejected_body_fails_and_a_lost_answer_is_unknown() {
        let (outcome, stop) = submission_failed(&api(400));
        assert_eq!((kind(&outcome), stop), ("failed", None));
        for status in [500, 502, 504] {
            let (outcome, _) = submission_failed(&api(status));
            assert_eq!(
                kind(&outcome),
                "unknown",
                "{status}: it may have been applied"
            );
        }
        let lost = TransportError::maybe_sent(ErrorKind::Io, "reset after writing");
        assert_eq!(kind(&submission_failed(&lost.into()).0), "unknown");
        let refused = TransportError::not_sent(ErrorKind::Connect, "refused");
        assert_eq!(kind(&submission_failed(&refused.into()).0), "not_submitted");
    }
}
