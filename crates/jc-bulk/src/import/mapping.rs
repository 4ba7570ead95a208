//! Maps a job's results back to its records: by `meta.index`, then by username/e-mail (creates)
//! or user id (the rest), then by position when no result carries any hint ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 2 says results come in submission order).

use crate::import::outcome::Outcome;
use crate::import::reason::WaitEnd;
use crate::import::record::RecordKey;
use crate::import::verdict::{decide, Evidence};
use jc_models::{JobId, JobWorkresult};
use std::collections::HashMap;

fn lower(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
}

/// The result for each record (by its index in the chunk), where one was found.
fn assign<'a>(keys: &[RecordKey], results: &'a [JobWorkresult]) -> Vec<Option<&'a JobWorkresult>> {
    let mut slots: Vec<Option<&JobWorkresult>> = vec![None; keys.len()];
    let mut unplaced = Vec::new();
    for result in results {
        match result.index().and_then(|i| usize::try_from(i).ok()) {
            Some(i) if i < slots.len() && slots[i].is_none() => slots[i] = Some(result),
            _ => unplaced.push(result),
        }
    }
    if unplaced.is_empty() {
        return slots;
    }
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate().filter(|(i, _)| slots[*i].is_none()) {
        for text in [lower(&key.username), lower(&key.email), lower(&key.id)]
            .into_iter()
            .flatten()
        {
            by_key.entry(text).or_insert(i);
        }
    }
    let mut still = Vec::new();
    for result in unplaced {
        let hints = [result.username(), result.email(), result.user_id()];
        let found = hints
            .into_iter()
            .flatten()
            .find_map(|hint| by_key.get(&hint.trim().to_lowercase()).copied())
            .filter(|i| slots[*i].is_none());
        match found {
            Some(i) => slots[i] = Some(result),
            None => still.push(result),
        }
    }
    let no_hints = results
        .iter()
        .all(|r| r.meta.as_ref().is_none_or(|m| m.is_empty()));
    if no_hints && results.len() == keys.len() {
        for (slot, result) in slots.iter_mut().zip(results) {
            slot.get_or_insert(result);
        }
    }
    slots
}

/// What is wrong with the indices of `results` for a job of `records` records: an index
/// answered more than once (by index), and indices out of range.
fn anomalies(records: usize, results: &[JobWorkresult]) -> (HashMap<usize, usize>, Vec<u64>) {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    let mut out_of_range = Vec::new();
    for index in results.iter().filter_map(JobWorkresult::index) {
        match usize::try_from(index) {
            Ok(i) if i < records => *counts.entry(i).or_default() += 1,
            _ => out_of_range.push(index),
        }
    }
    counts.retain(|_, n| *n > 1);
    (counts, out_of_range)
}

/// The outcome of each record of a chunk whose job `job_id` returned `results`; `wait` says how
/// the wait ended, `listed_all` whether the last read reached the end of the job's listing (a
/// record without a result was then not listed; otherwise its page was not read). Protocol anomalies (an index answered several times, an index out of range)
/// make the affected records unknown with the anomaly as the reason, and are logged as a warning.
pub(crate) fn outcomes(
    keys: &[RecordKey],
    results: &[JobWorkresult],
    job_id: &JobId,
    wait: &WaitEnd,
    listed_all: bool,
) -> Vec<Outcome> {
    let (repeated, out_of_range) = anomalies(keys.len(), results);
    let mut notes: Vec<String> = repeated
        .iter()
        .map(|(i, n)| format!("the server answered index {i} {n} times"))
        .collect();
    if !out_of_range.is_empty() {
        notes.push(format!(
            "the server answered indices out of range for a job of {} records: {out_of_range:?}",
            keys.len()
        ));
    }
    notes.sort();
    if !notes.is_empty() {
        tracing::warn!(%job_id, anomalies = %notes.join("; "), "protocol anomaly in job results");
    }
    assign(keys, results)
        .into_iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (slot, key))| {
            let evidence = match slot {
                _ if repeated.contains_key(&i) => Evidence::Anomaly(format!(
                    "the server answered index {i} {} times: which answer holds is not known",
                    repeated[&i]
                )),
                None if !notes.is_empty() => Evidence::Anomaly(format!(
                    "JumpCloud listed no result for this record: {}",
                    notes.join("; ")
                )),
                result => Evidence::Result {
                    result,
                    known_user: key.id.as_deref(),
                    wait,
                    listed: listed_all,
                },
            };
            decide(evidence, Some(job_id))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::reason::Reason;
    use serde_json::json;

    fn key(username: &str) -> RecordKey {
        RecordKey {
            username: Some(username.into()),
            email: Some(format!("{username}@example.com")),
            id: None,
        }
    }

    fn result(value: serde_json::Value) -> JobWorkresult {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn by_index_then_by_name_then_missing() {
        let keys = [key("a"), key("b"), key("c"), key("d")];
        let results = [
            result(json!({"status": "finished", "meta": {"index": 1, "userId": "u-b"}})),
            result(
                json!({"status": "failed", "statusMsg": "dup", "meta": {"email": "A@example.com"}}),
            ),
            result(json!({"status": "finished", "meta": {"index": 9, "username": "c"}})),
        ];
        let outcomes = outcomes(&keys, &results, &JobId::new("j"), &WaitEnd::Finished, true);
        assert_eq!(
            outcomes[0],
            Outcome::Failed {
                job_id: Some("j".into()),
                reason: Reason::Rejected {
                    message: "dup".into()
                }
            }
        );
        assert_eq!(
            outcomes[1],
            Outcome::Applied {
                job_id: Some("j".into()),
                note: None,
                user_id: Some("u-b".into())
            }
        );
        assert_eq!(outcomes[2].name(), "applied");
        assert_eq!(outcomes[3].name(), "unknown");
    }

    #[test]
    fn by_position_when_results_carry_no_hints() {
        let keys = [key("a"), key("b")];
        let results = [
            result(json!({"status": "failed", "statusMsg": "x"})),
            result(json!({"status": "finished"})),
        ];
        let outcomes = outcomes(&keys, &results, &JobId::new("j"), &WaitEnd::Finished, true);
        assert_eq!(outcomes[0].name(), "failed");
        assert_eq!(outcomes[1].name(), "applied");
    }

    #[test]
    fn an_index_answered_three_times_is_an_anomaly_not_a_pending_record() {
        let keys = [key("a"), key("b"), key("c")];
        let results = [
            result(json!({"status": "finished", "meta": {"index": 0}})),
            result(json!({"status": "finished", "meta": {"index": 0}})),
            result(json!({"status": "finished", "meta": {"index": 0}})),
            result(json!({"status": "finished", "meta": {"index": 7}})),
        ];
        let outcomes = outcomes(&keys, &results, &JobId::new("j"), &WaitEnd::Finished, true);
        for outcome in &outcomes {
            let reason = outcome.reason().unwrap().to_string();
            assert_eq!(outcome.name(), "unknown");
            assert!(reason.contains("index 0 3 times"), "{reason}");
            assert!(!reason.contains("pending"), "{reason}");
        }
        assert!(outcomes[1]
            .reason()
            .unwrap()
            .to_string()
            .contains("out of range"));
    }

    #[test]
    fn a_pending_result_is_unknown() {
        let outcomes = outcomes(
            &[key("a")],
            &[result(json!({"status": "pending", "meta": {"index": 0}}))],
            &JobId::new("j"),
            &WaitEnd::TimedOut {
                waited: std::time::Duration::from_secs(60),
            },
            true,
        );
        assert!(
            matches!(&outcomes[0], Outcome::Unknown { reason, .. } if reason.to_string().contains("wait ended after 60s") && reason.to_string().contains("pending"))
        );
    }
}
