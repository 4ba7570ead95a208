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
