//! The one place that decides what became of a record. Every stage of an import gathers
//! [`Evidence`] (a refusal before sending, a failed submission, a job result, a lookup) and hands
//! it to [`decide`], which says applied, failed, not submitted or unknown, with a structured
//! [`Reason`]. Whether an error stops the import is decided here too ([`stops_import`]).

use crate::error::Error;
use crate::import::outcome::Outcome;
use crate::import::reason::{Reason, WaitEnd};
use jc_models::{JobId, JobWorkresult, UserId, WorkStatus};

/// What is known of one record.
pub(crate) enum Evidence<'a> {
    /// It failed validation before sending.
    Invalid(String),
    /// The import stopped on an error before it was sent.
    ImportStopped(&'a str),
    /// The import was told to stop before it was sent.
    Interrupted,
    /// Its submission failed with this error.
    SubmitFailed(&'a Error),
    /// The journal says an earlier run's submission may have reached JumpCloud.
    EarlierRun(String),
    /// It was submitted; the results were not awaited.
    NotAwaited,
    /// It was submitted; the results could not be read.
    ResultsUnreadable(&'a Error),
    /// The job's result for it (`None` when the job listed none), and how the wait ended.
    /// `known_user` is the id the record itself names (updates), used when the result has none.
    /// `listed`: the last read reached the end of the job's listing (a record without a result
    /// was not listed; otherwise it was not read).
    Result {
        result: Option<&'a JobWorkresult>,
        known_user: Option<&'a str>,
        wait: &'a WaitEnd,
        listed: bool,
    },
    /// The job's results broke the protocol for it.
    Anomaly(String),
    /// The task that settled its chunk failed.
    TaskFailed(String),
    /// A lookup found the user after the submission's answer was lost; `after_resend` when the
    /// record was sent again and failed as already existing.
    Found { user_id: UserId, after_resend: bool },
    /// Sent again, it failed as already existing; the lookup to confirm it failed.
    ResentUnconfirmed,
    /// A lookup found a user with its username that may not be the one this run created.
    NotOurs { user_id: UserId, why: String },
}

/// What `error` means for the records of a chunk whose submission it ended: 401, 403 and 404
/// refuse every record unseen; 429 and 503 provably did not apply; other 4xx are rejections; a
/// 5xx or an answer lost after sending may have been applied.
fn submission(error: &Error) -> Outcome {
    let not_sent = || Outcome::NotSubmitted {
        reason: Reason::NotSent {
            error: error.to_string(),
        },
    };
    let maybe = || Outcome::Unknown {
        job_id: None,
        reason: Reason::MaybeSent {
            error: error.to_string(),
        },
    };
    match error {
        Error::Api(api) => match api.status.as_u16() {
            401 | 403 | 404 | 429 | 503 => not_sent(),
            400..=499 => Outcome::Failed {
                job_id: None,
                reason: Reason::Rejected {
                    message: api.summary(),
                },
            },
            _ => maybe(),
        },
        Error::Transport(transport) if transport.is_not_sent() => not_sent(),
        Error::InvalidInput(_) | Error::Config(_) | Error::Setting(_) => not_sent(),
        _ => maybe(),
    }
}

/// A job result's outcome.
fn result(
    result: Option<&JobWorkresult>,
    known_user: Option<&str>,
    (wait, listed): (&WaitEnd, bool),
    job_id: Option<&JobId>,
) -> Outcome {
    let job_id = job_id.cloned();
    match result {
        Some(r) if r.is_failure() => Outcome::Failed {
            job_id,
            reason: Reason::Rejected {
                message: r.status_msg.clone().unwrap_or_default(),
            },
        },
        Some(r) if r.is_terminal() => Outcome::Applied {
            job_id,
            note: None,
            user_id: r.user_id().or(known_user).map(UserId::from),
        },
        Some(r) => {
            let status = r.status.as_ref().map(|s| s.as_str().to_owned());
            let reason = match (wait, &r.status) {
                (WaitEnd::Unrecognised, Some(WorkStatus::Other(_))) => Reason::UnrecognisedStatus {
                    status: status.unwrap_or_default(),
                },
                _ => Reason::Pending {
                    status,
                    wait: wait.clone(),
                },
            };
            Outcome::Unknown { job_id, reason }
        }
        None if listed => Outcome::Unknown {
            job_id,
            reason: Reason::NoResult { wait: wait.clone() },
        },
        None => Outcome::Unknown {
            job_id,
            reason: Reason::NotRead { wait: wait.clone() },
        },
    }
}

/// What became of a record, given what is known of it and its job (when one was created).
pub(crate) fn decide(evidence: Evidence<'_>, job_id: Option<&JobId>) -> Outcome {
    let unknown = |reason| Outcome::Unknown {
        job_id: job_id.cloned(),
        reason,
    };
    let not_submitted = |reason| Outcome::NotSubmitted { reason };
    match evidence {
        Evidence::Invalid(problem) => not_submitted(Reason::Invalid { problem }),
        Evidence::ImportStopped(cause) => not_submitted(Reason::ImportStopped {
            cause: cause.to_owned(),
        }),
        Evidence::Interrupted => not_submitted(Reason::Interrupted),
        Evidence::SubmitFailed(error) => submission(error),
        Evidence::EarlierRun(detail) => unknown(Reason::EarlierRun { detail }),
        Evidence::NotAwaited => match job_id {
            Some(job) => unknown(Reason::NotAwaited {
                job_id: job.clone(),
            }),
            None => unknown(Reason::ResultsUnreadable {
                error: "no job was created".into(),
            }),
        },
        Evidence::ResultsUnreadable(error) => unknown(Reason::ResultsUnreadable {
            error: error.to_string(),
        }),
        Evidence::Result {
            result: r,
            known_user,
            wait,
            listed,
        } => result(r, known_user, (wait, listed), job_id),
        Evidence::Anomaly(detail) => unknown(Reason::Anomaly { detail }),
        Evidence::TaskFailed(error) => unknown(Reason::TaskFailed { error }),
        Evidence::Found {
            user_id,
            after_resend,
        } => Outcome::Applied {
            job_id: None,
            user_id: Some(user_id),
            note: Some(if after_resend {
                Reason::AppliedByEarlierAttempt
            } else {
                Reason::ConfirmedByLookup
            }),
        },
        Evidence::ResentUnconfirmed => unknown(Reason::ResentUnconfirmed),
        Evidence::NotOurs { user_id, why } => unknown(Reason::MaybeNotOurs { user_id, why }),
    }
}

/// Why the import stops submitting after `error` (401, 403, 404: every further chunk would
/// fail the same way), if it does.
pub(crate) fn stops_import(error: &Error) -> Option<String> {
    match error {
        Error::Api(api) if api.token_endpoint => Some(format!("no token: {error}")),
        Error::Api(api) if matches!(api.status.as_u16(), 401 | 403 | 404) => {
            Some(format!("JumpCloud refused the submission: {error}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use jc_transport::{ErrorKind, TransportError};
    use serde_json::json;

    fn api(status: u16) -> Error {
        let response = http::Response::builder()
            .status(status)
            .body(Bytes::from_static(br#"{"message":"no"}"#))
            .unwrap();
        Error::Api(Box::new(crate::response::api_error(&response)))
    }

    fn submitted(error: &Error) -> &'static str {
        decide(Evidence::SubmitFailed(error), None).name()
    }

    #[test]
    fn a_refused_submission_is_not_submitted_and_auth_stops_the_import() {
        for status in [401, 403, 404] {
            assert_eq!(submitted(&api(status)), "not_submitted", "{status}");
            assert!(stops_import(&api(status)).is_some(), "{status} stops");
        }
        for status in [429, 503] {
            assert_eq!(submitted(&api(status)), "not_submitted", "{status}");
            assert_eq!(stops_import(&api(status)), None, "{status}");
        }
    }

    #[test]
    fn a_rejected_body_fails_and_a_lost_answer_is_unknown() {
        assert_eq!(submitted(&api(400)), "failed");
        assert_eq!(stops_import(&api(400)), None);
        for status in [500, 502, 504] {
            assert_eq!(
                submitted(&api(status)),
                "unknown",
                "{status}: maybe applied"
            );
        }
        let lost = TransportError::maybe_sent(ErrorKind::Io, "reset after writing");
        assert_eq!(submitted(&lost.into()), "unknown");
        let refused = TransportError::not_sent(ErrorKind::Connect, "refused");
        assert_eq!(submitted(&refused.into()), "not_submitted");
    }

    #[test]
    fn a_result_decides_by_its_status_and_keeps_the_wait_end_in_the_reason() {
        let job = JobId::new("j");
        let read = |value| serde_json::from_value::<JobWorkresult>(value).unwrap();
        let finished = read(json!({"status": "finished"}));
        let failed = read(json!({"status": "failed", "statusMsg": ""}));
        let pending = read(json!({"status": "pending"}));
        let wait = WaitEnd::Finished;
        let of = |result| {
            decide(
                Evidence::Result {
                    result,
                    known_user: Some("u1"),
                    wait: &wait,
                    listed: true,
                },
                Some(&job),
            )
        };
        assert_eq!(of(Some(&finished)).user_id(), Some(&UserId::from("u1")));
        let failure = of(Some(&failed));
        assert_eq!(failure.name(), "failed");
        assert_eq!(
            failure.reason().unwrap().to_string(),
            "JumpCloud rejected the record without a reason"
        );
        let still = of(Some(&pending));
        assert!(matches!(
            still.reason(),
            Some(Reason::Pending { status: Some(s), wait: WaitEnd::Finished }) if s == "pending"
        ));
        assert!(matches!(of(None).reason(), Some(Reason::NoResult { .. })));
        assert_eq!(of(None).job_id(), Some(&job));
    }

    /// Issue 19: "JumpCloud listed no result" only for a record JumpCloud's whole listing lacked;
    /// a record whose page was not read before the wait ended says so.
    #[test]
    fn a_record_whose_page_was_not_read_is_not_said_to_be_unlisted() {
        let wait = WaitEnd::TimedOut {
            waited: std::time::Duration::from_secs(8),
        };
        let of = |listed| {
            let evidence = Evidence::Result {
                result: None,
                known_user: None,
                wait: &wait,
                listed,
            };
            decide(evidence, Some(&JobId::new("j")))
                .reason()
                .unwrap()
                .to_string()
        };
        assert!(
            of(true).starts_with("JumpCloud listed no result"),
            "{}",
            of(true)
        );
        assert!(
            of(false).contains("not read before the wait ended"),
            "{}",
            of(false)
        );
        assert!(!of(false).contains("listed no result"), "{}", of(false));
    }

    #[test]
    fn a_lookup_applies_with_a_note_of_how() {
        let found = |after_resend| {
            decide(
                Evidence::Found {
                    user_id: UserId::from("u"),
                    after_resend,
                },
                None,
            )
        };
        assert_eq!(found(false).reason(), Some(&Reason::ConfirmedByLookup));
        assert_eq!(found(true).reason(), Some(&Reason::AppliedByEarlierAttempt));
        assert_eq!(found(true).name(), "applied");
    }
}
