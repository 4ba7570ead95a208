//! The reconcile stage: a second look at records whose submission may or may not have reached JumpCloud (unknown,
//! with no job id: a submission cut off before its answer, or a journalled chunk an earlier run
//! never heard back about).
//!
//! Creates are looked up by username. A user found confirms the create only if it is the one
//! this run (or the journalled earlier attempt) could have made: same username and e-mail, and
//! created (by the server's `created`, where given) no earlier than the chunk was first sent,
//! less [`CLOCK_SKEW`]. Any other user found leaves the record unknown, with a reason that says a
//! matching user exists but may not be this run's; its id is never reported as created. Absent
//! means never applied, so they are sent again in a new job, journalled first. A record sent again
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
use crate::ops::{UserKey, Users};
use crate::options::CallOptions;
use jc_models::{JobId, SystemUser, UserId};
use std::time::{Duration, SystemTime};

/// Positions (in the chunk) of the records whose outcome is unknown without a job.
fn unknown_without_job(outcomes: &[Outcome]) -> Vec<usize> {
    outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Outcome::Unknown { job_id: None, .. }))
        .map(|(i, _)| i)
        .collect()
}

/// How far the server's clock may be behind ours when its `created` is compared with the time
/// a chunk was first sent.
pub(crate) const CLOCK_SKEW: Duration = Duration::from_secs(120);

/// What a lookup found for one record.
enum Looked {
    /// No user has its username.
    Absent,
    /// The user this run (or the journalled earlier attempt) created.
    Ours(UserId),
    /// Someone has its username, but may not be the user this run created: evidence for the
    /// verdict.
    NotOurs { user_id: UserId, why: String },
}

/// Whether `user`, found by `key`'s username, is the one a chunk first sent at `since` could
/// have created; `Err(why)` when it may not be.
fn is_ours(user: &SystemUser, key: &RecordKey, since: Option<SystemTime>) -> Result<(), String> {
    let same = |a: Option<&str>, b: Option<&str>| {
        let norm = |t: Option<&str>| t.map(|t| t.trim().to_lowercase()).unwrap_or_default();
        norm(a) == norm(b)
    };
    if !same(user.username.as_deref(), key.username.as_deref()) {
        return Err("its username differs".into());
    }
    if !same(user.email.as_deref(), key.email.as_deref()) {
        return Err(format!(
            "its e-mail is `{}`, not `{}`",
            user.email.as_deref().unwrap_or_default(),
            key.email.as_deref().unwrap_or_default()
        ));
    }
    let created = user
        .created
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|text| {
            serde_json::from_value::<jc_models::ApiTime>(serde_json::json!(text))
                .ok()
                .and_then(|t| t.instant())
                .ok_or_else(|| format!("its creation time `{text}` cannot be read"))
        })
        .transpose()?;
    let (Some(created), Some(since)) = (created, since) else {
        return match (created, since) {
            (Some(_), None) => Err("when this chunk was first sent is not known".into()),
            _ => Ok(()),
        };
    };
    let earliest = crate::time::unix_millis(since.checked_sub(CLOCK_SKEW).unwrap_or(since));
    if created.timestamp_millis() < earliest {
        return Err(format!(
            "it was created at {}, before this chunk was first sent",
            created.to_rfc3339()
        ));
    }
    Ok(())
}

/// What a lookup by username finds for each record; `None` when the lookup fails.
async fn look_up(
    shared: &Shared,
    keys: &[&RecordKey],
    since: Option<SystemTime>,
) -> Option<Vec<Looked>> {
    let options = &shared.options;
    let call = CallOptions {
        org_id: options.org_id.clone(),
    };
    let names: Vec<UserKey> = keys
        .iter()
        .map(|k| UserKey::Username(k.username.clone().unwrap_or_default()))
        .collect();
    let found = Users::new(&shared.session, &call)
        .matching(&names)
        .await
        .map_err(|error| tracing::warn!(%error, "cannot look up users with an unknown outcome"))
        .ok()?;
    let looked = found
        .iter()
        .zip(keys)
        .map(|(users, key)| match users.as_slice() {
            [] => Looked::Absent,
            [user] => {
                let user_id = UserId::new(user.object_id().unwrap_or_default());
                match is_ours(user, key, since) {
                    Ok(()) => Looked::Ours(user_id),
                    Err(why) => Looked::NotOurs { user_id, why },
                }
            }
            [user, ..] => Looked::NotOurs {
                user_id: UserId::new(user.object_id().unwrap_or_default()),
                why: format!("{} users match its username", users.len()),
            },
        });
    Some(looked.collect())
}

/// The outcome a lookup gives a record whose create may or may not have been applied: applied
/// (ours), unknown (someone else's, maybe), or `None` (absent: unchanged).
fn settled_by(looked: Looked, after_resend: bool, job_id: Option<&JobId>) -> Option<Outcome> {
    let evidence = match looked {
        Looked::Absent => return None,
        Looked::Ours(user_id) => Evidence::Found {
            user_id,
            after_resend,
        },
        Looked::NotOurs { user_id, why } => Evidence::NotOurs { user_id, why },
    };
    Some(decide(evidence, job_id))
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
    since: Option<SystemTime>,
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
        let Some(found) = look_up(shared, &asked, since).await else {
            return Vec::new();
        };
        for (&i, looked) in unknown.iter().zip(found) {
            if let Some(outcome) = settled_by(looked, false, None) {
                outcomes[i] = outcome;
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
    (resent, since): (&[usize], Option<SystemTime>),
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
    match look_up(shared, &asked, since).await {
        Some(found) => {
            for (&i, looked) in existing.iter().zip(found) {
                let job_id = outcomes[i].job_id().cloned();
                if let Some(outcome) = settled_by(looked, true, job_id.as_ref()) {
                    outcomes[i] = outcome;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(username: &str, email: &str, created: Option<&str>) -> SystemUser {
        SystemUser {
            username: Some(username.into()),
            email: Some(email.into()),
            created: created.map(str::to_owned),
            ..SystemUser::default()
        }
    }

    fn key(username: &str, email: &str) -> RecordKey {
        RecordKey {
            username: Some(username.into()),
            email: Some(email.into()),
            id: None,
        }
    }

    fn at(text: &str) -> SystemTime {
        let time: jc_models::ApiTime = serde_json::from_value(serde_json::json!(text)).unwrap();
        SystemTime::from(time.instant().unwrap())
    }

    /// Issue 19 defect 1, the rule itself: same username and e-mail (any case), created no
    /// earlier than the first sending less the clock skew; a `created` without a known first
    /// sending (an old journal) proves nothing.
    #[test]
    fn only_a_user_created_after_the_chunk_was_first_sent_is_ours() {
        let sent = Some(at("2026-12-02T10:00:00Z"));
        let key = key("Ada", "ada@example.com");
        let ours = |u: &SystemUser, since| is_ours(u, &key, since);
        assert!(ours(
            &user("ada", "ADA@example.com", Some("2026-12-02T10:00:01Z")),
            sent
        )
        .is_ok());
        assert!(
            ours(
                &user("ada", "ada@example.com", Some("2026-12-02T09:59:00Z")),
                sent
            )
            .is_ok(),
            "within the skew"
        );
        let old = ours(
            &user("ada", "ada@example.com", Some("2026-12-02T09:50:00Z")),
            sent,
        );
        assert!(old
            .unwrap_err()
            .contains("before this chunk was first sent"));
        let other = ours(
            &user("ada", "lovelace@example.com", Some("2026-12-02T10:00:01Z")),
            sent,
        );
        assert!(other.unwrap_err().contains("e-mail"));
        assert!(
            ours(&user("ada", "ada@example.com", None), sent).is_ok(),
            "no created: names decide"
        );
        let unknown_since = ours(
            &user("ada", "ada@example.com", Some("2026-12-02T10:00:01Z")),
            None,
        );
        assert!(unknown_since.unwrap_err().contains("not known"));
        let garbled = ours(&user("ada", "ada@example.com", Some("yesterday")), sent);
        assert!(garbled.unwrap_err().contains("cannot be read"));
    }
}
