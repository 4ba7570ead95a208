//! A second look at records whose submission may or may not have reached JumpCloud (unknown,
//! with no job id: a submission cut off before its answer, or a journalled chunk an earlier run
//! never heard back about).
//!
//! Creates are looked up by username: present means applied (confirmed by lookup); absent means
//! never applied, so they are sent again in a new job, journalled first. A record sent again
//! that fails because the user already exists was applied by the earlier attempt after all (it
//! was still being processed when it was looked up): looked up again, it is applied. Usernames
//! and e-mails are unique in an org, so no user is created twice. Updates, expiries and unlocks
//! are sent again only with [`ImportOptions::resend_unknown`] (their effect repeated is the
//! same). A lookup never decides that something was not applied, except as above.

use super::chunk::{outcomes_of, submit};
use super::options::ImportOptions;
use super::outcome::{ImportEvent, Outcome};
use super::record::{BulkRecord, RecordKey};
use crate::control::Phase;
use crate::ops::Users;
use crate::ops::{Resolution, ResolveOptions, UserKey};
use crate::options::CallOptions;
use crate::session::Session;
use jc_models::{JobId, UserId};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Positions (in the chunk) of the records whose outcome is unknown without a job.
fn unknown_without_job(outcomes: &[Outcome]) -> Vec<usize> {
    outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Outcome::Unknown { job_id: None, .. }))
        .map(|(i, _)| i)
        .collect()
}

/// The user id of each record's username, where one user has it.
async fn look_up(
    session: &Arc<Session>,
    options: &ImportOptions,
    keys: &[&RecordKey],
) -> Option<Vec<Option<UserId>>> {
    let call = CallOptions {
        org_id: options.org_id.clone(),
    };
    let names = keys
        .iter()
        .map(|k| UserKey::Username(k.username.clone().unwrap_or_default()));
    let found = Users::new(session, &call)
        .resolve(names, &ResolveOptions::default())
        .await
        .map_err(|error| tracing::warn!(%error, "cannot look up users with an unknown outcome"))
        .ok()?;
    Some(
        found
            .into_iter()
            .map(|r| match r {
                Resolution::Found(id) => Some(id),
                _ => None,
            })
            .collect(),
    )
}

fn confirmed(user_id: UserId, note: &str) -> Outcome {
    Outcome::Applied {
        job_id: None,
        user_id: Some(user_id),
        note: Some(note.to_owned()),
    }
}

fn already_exists(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Failed { reason, .. } if reason.to_lowercase().contains("already exist"))
}

/// Settles what can be settled of `outcomes` (the records `values` with `keys`); returns the
/// job of a re-sent batch, if one was created.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn settle_unknown<R: BulkRecord>(
    session: &Arc<Session>,
    values: &[R],
    keys: &[(u64, RecordKey)],
    outcomes: &mut [Outcome],
    options: &ImportOptions,
    chunk: usize,
    events: &mpsc::Sender<ImportEvent>,
    phase: &watch::Receiver<Phase>,
) -> Option<JobId> {
    let create = R::OPERATION == "create";
    let mut unknown = unknown_without_job(outcomes);
    if unknown.is_empty()
        || *phase.borrow() >= Phase::Draining
        || !(create || options.resend_unknown)
    {
        return None;
    }
    if create {
        let asked: Vec<&RecordKey> = unknown.iter().map(|&i| &keys[i].1).collect();
        let found = look_up(session, options, &asked).await?;
        for (&i, id) in unknown.iter().zip(&found) {
            if let Some(id) = id {
                outcomes[i] = confirmed(id.clone(), "confirmed by lookup: the user exists");
            }
        }
        unknown.retain(|&i| matches!(outcomes[i], Outcome::Unknown { .. }));
        if unknown.is_empty() {
            return None;
        }
    }
    let records: Vec<R> = unknown.iter().map(|&i| values[i].clone()).collect();
    let again: Vec<(u64, RecordKey)> = unknown.iter().map(|&i| keys[i].clone()).collect();
    let mut info =
        super::ChunkInfo::new(chunk, 0, again[0].0, again[again.len() - 1].0, again.len());
    info.again = true;
    let submitted = submit(session, &records, options, &mut info, phase).await;
    let (resent, job, _) =
        outcomes_of(session, submitted, chunk, &again, options, events, phase).await;
    for (&i, outcome) in unknown.iter().zip(resent) {
        outcomes[i] = outcome;
    }
    if create {
        let existing: Vec<usize> = unknown
            .iter()
            .copied()
            .filter(|&i| already_exists(&outcomes[i]))
            .collect();
        let asked: Vec<&RecordKey> = existing.iter().map(|&i| &keys[i].1).collect();
        match look_up(session, options, &asked).await {
            Some(found) => {
                for (&i, id) in existing.iter().zip(found) {
                    if let Some(id) = id {
                        outcomes[i] =
                            confirmed(id, "applied by the earlier attempt (confirmed by lookup)");
                    }
                }
            }
            // The earlier attempt probably applied them; without the lookup that would say so,
            // "failed" would be a guess.
            None => {
                for &i in &existing {
                    outcomes[i] = Outcome::Unknown {
                        job_id: outcomes[i].job_id().cloned(),
                        reason: "sent again, the user already existed (the earlier attempt probably applied it), and the lookup to confirm it failed; check with `jcbulk users get`".into(),
                    };
                }
            }
        }
    }
    job
}
