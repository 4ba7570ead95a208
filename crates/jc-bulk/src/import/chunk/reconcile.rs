//! The reconcile stage: a second look at records whose submission may or may not have reached JumpCloud (unknown,
//! with no job id: a submission cut off before its answer, or a journalled chunk an earlier run
//! never heard back about).
//!
//! Creates are looked up by username: present means applied (confirmed by lookup); absent means
//! never applied, so they are sent again in a new job, journalled first. A record sent again
//! that fails because the user already exists was applied by the earlier attempt after all (it
//! was still being processed when it was looked up): looked up again, it is applied. Usernames
//! and e-mails are unique in an org, so no user is created twice. Updates, expiries and unlocks
//! are sent again only with [`ImportOptions::with_resend_unknown`](crate::ImportOptions::with_resend_unknown) (their effect repeated is the
//! same). A lookup never decides that something was not applied, except as above.

use super::Shared;
use crate::control::Phase;
use crate::import::outcome::Outcome;
use crate::import::record::{BulkRecord, RecordKey};
use crate::import::verdict::{decide, Evidence};
use crate::ops::{Resolution, ResolveOptions, UserKey, Users};
use crate::options::CallOptions;
use jc_models::UserId;

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
async fn look_up(shared: &Shared, keys: &[&RecordKey]) -> Option<Vec<Option<UserId>>> {
    let options = &shared.options;
    let call = CallOptions {
        org_id: options.org_id.clone(),
    };
    let names = keys
        .iter()
        .map(|k| UserKey::Username(k.username.clone().unwrap_or_default()));
    let found = Users::new(&shared.session, &call)
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

fn already_exists(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Failed { reason, .. } if reason.is_already_exists())
}

/// Settles by lookup what can be settled of the records whose outcome is unknown without a job
/// (creates found present are applied), and returns the positions (in the chunk) of those to
/// send again: creates found absent, and (with `resend_unknown`) updates, expiries and unlocks.
/// Nothing is sent again once the import is told to stop, or when the lookup fails.
pub(super) async fn to_resend<R: BulkRecord>(
    shared: &Shared,
    keys: &[(u64, RecordKey)],
    outcomes: &mut [Outcome],
) -> Vec<usize> {
    let create = R::OPERATION == "create";
    let mut unknown = unknown_without_job(outcomes);
    if unknown.is_empty()
        || *shared.phase.borrow() >= Phase::Draining
        || !(create || shared.options.resend_unknown)
    {
        return Vec::new();
    }
    if create {
        let asked: Vec<&RecordKey> = unknown.iter().map(|&i| &keys[i].1).collect();
        let Some(found) = look_up(shared, &asked).await else {
            return Vec::new();
        };
        for (&i, id) in unknown.iter().zip(&found) {
            if let Some(id) = id {
                let found = Evidence::Found {
                    user_id: id.clone(),
                    after_resend: false,
                };
                outcomes[i] = decide(found, None);
            }
        }
        unknown.retain(|&i| matches!(outcomes[i], Outcome::Unknown { .. }));
    }
    unknown
}

/// After creates were sent again: those that failed because the user already exists were
/// applied by the earlier attempt (still being processed when first looked up): confirmed by a
/// second lookup, or unknown when that lookup fails.
pub(super) async fn confirm_existing<R: BulkRecord>(
    shared: &Shared,
    keys: &[(u64, RecordKey)],
    outcomes: &mut [Outcome],
    resent: &[usize],
) {
    if R::OPERATION != "create" {
        return;
    }
    let existing: Vec<usize> = resent
        .iter()
        .copied()
        .filter(|&i| already_exists(&outcomes[i]))
        .collect();
    if existing.is_empty() {
        return;
    }
    let asked: Vec<&RecordKey> = existing.iter().map(|&i| &keys[i].1).collect();
    match look_up(shared, &asked).await {
        Some(found) => {
            for (&i, id) in existing.iter().zip(found) {
                if let Some(id) = id {
                    let found = Evidence::Found {
                        user_id: id,
                        after_resend: true,
                    };
                    outcomes[i] = decide(found, None);
                }
            }
        }
        // The earlier attempt probably applied them; without the lookup that would say so,
        // "failed" would be a guess.
        None => {
            for &i in &existing {
                let job_id = outcomes[i].job_id().cloned();
                outcomes[i] = decide(Evidence::ResentUnconfirmed, job_id.as_ref());
            }
        }
    }
}
