//! Every result of one job read so far, by record: a settled result is kept once read, whatever
//! later reads list (a page that moved, results listed in another order, a record that never
//! settles and holds the pages after it back). A record is known by its `meta.index`, else by
//! the result's `id`; results with neither are kept as listed.

use jc_models::JobWorkresult;
use std::collections::{BTreeMap, HashSet};

/// How a result is known across reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Index(u64),
    Id(String),
}

fn key(result: &JobWorkresult) -> Option<Key> {
    result
        .index()
        .map(Key::Index)
        .or_else(|| result.id.clone().map(Key::Id))
}

/// The settled results read so far, and the records whose settled answers disagreed.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    settled: BTreeMap<Key, JobWorkresult>,
    /// Records answered settled in two different ways (finished, then failed): a protocol
    /// anomaly that the import reports as such; both answers are handed out.
    conflicting: BTreeMap<Key, JobWorkresult>,
}

impl Merged {
    /// Takes in a page just read: its settled results are kept, and a result listed as still
    /// working whose record was read settled before is replaced by that settled result.
    pub(crate) fn fold(&mut self, page: &mut [JobWorkresult]) {
        for result in page.iter_mut() {
            let Some(key) = key(result) else {
                continue;
            };
            if result.is_terminal() {
                match self.settled.get(&key) {
                    Some(known) if known.is_failure() != result.is_failure() => {
                        self.conflicting.insert(key, result.clone());
                    }
                    Some(_) => {}
                    None => {
                        self.settled.insert(key, result.clone());
                    }
                }
            } else if let Some(known) = self.settled.get(&key) {
                *result = known.clone();
            }
        }
    }

    /// Every result known, one per record: the settled ones, then those of `listing` still
    /// working (or without a key) that are not settled; both answers of a conflicting record.
    pub(crate) fn all(&self, listing: &[JobWorkresult]) -> Vec<JobWorkresult> {
        let mut out: Vec<JobWorkresult> = self.settled.values().cloned().collect();
        out.extend(self.conflicting.values().cloned());
        let mut seen: HashSet<Key> = self.settled.keys().cloned().collect();
        for result in listing {
            let new = key(result).is_none_or(|key| seen.insert(key));
            if new {
                out.push(result.clone());
            }
        }
        out
    }

    /// [`Merged::all`], moved out rather than copied (the wait is over).
    pub(crate) fn take_all(&mut self, listing: Vec<JobWorkresult>) -> Vec<JobWorkresult> {
        let settled = std::mem::take(&mut self.settled);
        let mut seen: HashSet<Key> = settled.keys().cloned().collect();
        let mut out: Vec<JobWorkresult> = settled.into_values().collect();
        out.extend(std::mem::take(&mut self.conflicting).into_values());
        for result in listing {
            if key(&result).is_none_or(|key| seen.insert(key)) {
                out.push(result);
            }
        }
        out
    }

    /// Whether the pages of `listing` line up: no record is listed twice (a server that moved
    /// results between the reads of two pages lists some twice and some never).
    pub(crate) fn lines_up(listing: &[JobWorkresult]) -> bool {
        let mut seen = HashSet::new();
        listing.iter().filter_map(key).all(|key| seen.insert(key))
    }

    /// Settled results read so far (one per record).
    pub(crate) fn settled(&self) -> usize {
        self.settled.len()
    }

    /// Where the job stands by what was read, without copying a result: (listed, settled,
    /// failed). `listing` has been folded in, so a record listed as working is not settled here.
    pub(crate) fn counts(&self, listing: &[JobWorkresult]) -> (usize, usize, usize) {
        let loose = listing.iter().filter(|r| key(r).is_none());
        let (loose_done, loose_failed) = loose.fold((0, 0), |(d, f), r| {
            (
                d + usize::from(r.is_terminal()),
                f + usize::from(r.is_failure()),
            )
        });
        let working = listing
            .iter()
            .filter(|r| !r.is_terminal() && key(r).is_some())
            .count();
        let failed = self.settled.values().filter(|r| r.is_failure()).count() + loose_failed;
        let done = self.settled.len() + loose_done;
        (done + working, done, failed)
    }

    /// The settled results (for the server's timing of them).
    pub(crate) fn settled_results(&self) -> impl Iterator<Item = &JobWorkresult> {
        self.settled.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(index: u64, status: &str) -> JobWorkresult {
        serde_json::from_value(json!({"status": status, "meta": {"index": index}})).unwrap()
    }

    #[test]
    fn a_settled_result_is_kept_whatever_later_reads_list() {
        let mut merged = Merged::default();
        merged.fold(&mut [result(0, "pending"), result(1, "finished")]);
        let mut later = [result(1, "pending"), result(0, "finished")];
        merged.fold(&mut later);
        assert!(later[0].is_terminal(), "a stale listing is corrected");
        assert_eq!(merged.settled(), 2);
        let all = merged.all(&[result(2, "pending")]);
        assert_eq!(all.len(), 3);
        assert_eq!(merged.take_all(vec![result(2, "pending")]), all);
        assert_eq!(all.iter().filter(|r| r.is_terminal()).count(), 2);
    }

    #[test]
    fn one_result_per_record_unless_the_answers_disagree() {
        let mut merged = Merged::default();
        merged.fold(&mut [result(0, "finished"), result(0, "finished")]);
        assert_eq!(merged.all(&[result(0, "finished")]).len(), 1);
        merged.fold(&mut [result(0, "failed")]);
        assert_eq!(merged.all(&[]).len(), 2, "both answers go to the import");
    }
}
