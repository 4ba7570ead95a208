//! Odd but plausible answers, to test clients against servers that are not wrong enough to be
//! refused: a result dated at Go's zero time or far in the future, results listed in a new order
//! on every read, a record that never settles, a status word the client does not know, v1 lists
//! without `totalCount`, with a stale one, or with `results: null`. All off by default.

use serde_json::{json, Value};

/// What `totalCount` of a v1 list says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TotalCount {
    /// The number of matching users.
    #[default]
    Honest,
    /// No `totalCount` at all (it is optional in the v1 schema).
    Absent,
    /// Always this number, whatever the org holds.
    Stale(u64),
}

/// Odd answers of the mock (see the module documentation).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Quirks {
    /// Once the record at this index (of any job) settled, its `updatedAt` reads this text
    /// (`0001-01-01T00:00:00Z`, `2999-01-01T00:00:00Z`).
    pub odd_updated_at: Option<(usize, String)>,
    /// While a job is being processed, each read of its results lists them in another order
    /// (rotated), as a server that orders by something that changes would; once every record
    /// settled the order is stable again.
    pub reorder_results: bool,
    /// The record at `.1` of the org's job number `.0` (from 0, in submission order) is listed
    /// `pending` forever.
    pub stuck_record: Option<(usize, usize)>,
    /// Settled records are listed with this status instead of `finished` (`completed`).
    pub finished_status: Option<String>,
    /// What v1 lists say of their total, and the `x-total-count` header of the v2 group lists
    /// (`Absent`: no header).
    pub total_count: TotalCount,
    /// v1 lists answer `results: null`.
    pub null_results: bool,
}

impl Quirks {
    /// No quirk.
    pub fn new() -> Self {
        Self::default()
    }

    /// The record at `index` of every job is dated `updated_at` once settled.
    #[must_use]
    pub fn odd_updated_at(mut self, index: usize, updated_at: impl Into<String>) -> Self {
        self.odd_updated_at = Some((index, updated_at.into()));
        self
    }

    /// Results come in another order on every read while the job is being processed.
    #[must_use]
    pub fn reorder_results(mut self) -> Self {
        self.reorder_results = true;
        self
    }

    /// Record `index` of the org's job number `job` never settles.
    #[must_use]
    pub fn stuck_record(mut self, job: usize, index: usize) -> Self {
        self.stuck_record = Some((job, index));
        self
    }

    /// Settled records carry `status` instead of `finished`.
    #[must_use]
    pub fn finished_status(mut self, status: impl Into<String>) -> Self {
        self.finished_status = Some(status.into());
        self
    }

    /// v1 lists say this of their total.
    #[must_use]
    pub fn total_count(mut self, total: TotalCount) -> Self {
        self.total_count = total;
        self
    }

    /// v1 lists answer `results: null`.
    #[must_use]
    pub fn null_results(mut self) -> Self {
        self.null_results = true;
        self
    }

    /// True when no quirk is on.
    pub(crate) fn is_none(&self) -> bool {
        self.odd_updated_at.is_none()
            && !self.reorder_results
            && self.stuck_record.is_none()
            && self.finished_status.is_none()
    }

    /// A job's results (all of them, as JSON) as this server lists them: `job` is the job's
    /// number in its org, `read` counts the reads of results so far.
    pub(crate) fn results(&self, mut items: Vec<Value>, job: usize, read: u64) -> Vec<Value> {
        for (index, item) in items.iter_mut().enumerate() {
            let settled = item["status"] != json!("pending");
            if self.stuck_record == Some((job, index)) {
                item["status"] = json!("pending");
                continue;
            }
            if let (Some((odd, text)), true) = (&self.odd_updated_at, settled) {
                if *odd == index {
                    item["updatedAt"] = json!(text);
                }
            }
            if let (Some(status), true) = (&self.finished_status, item["status"] == "finished") {
                item["status"] = json!(status);
            }
        }
        let working = items.iter().any(|item| item["status"] == json!("pending"));
        if self.reorder_results && working {
            let by = usize::try_from(read.wrapping_mul(7919)).unwrap_or(0) % items.len();
            items.rotate_left(by);
        }
        items
    }

    /// The `x-total-count` of a v2 list of `total` items.
    pub(crate) fn total_header(&self, total: usize) -> Option<u64> {
        match self.total_count {
            TotalCount::Honest => Some(total as u64),
            TotalCount::Absent => None,
            TotalCount::Stale(stale) => Some(stale),
        }
    }

    /// A v1 list page: `total` matching users, this page's `results`.
    pub(crate) fn v1_page(&self, total: usize, results: Vec<Value>) -> Value {
        let results = if self.null_results {
            Value::Null
        } else {
            Value::Array(results)
        };
        match self.total_count {
            TotalCount::Honest => json!({ "totalCount": total, "results": results }),
            TotalCount::Absent => json!({ "results": results }),
            TotalCount::Stale(stale) => json!({ "totalCount": stale, "results": results }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"status": "finished", "meta": {"index": i}, "updatedAt": "2026-12-02T10:00:00Z"}))
            .collect()
    }

    #[test]
    fn each_quirk_changes_only_what_it_says() {
        let quirks = Quirks::new()
            .stuck_record(0, 1)
            .odd_updated_at(2, "0001-01-01T00:00:00Z")
            .finished_status("completed");
        let items = quirks.results(listed(3), 0, 0);
        assert_eq!(items[0]["status"], "completed");
        assert_eq!(items[1]["status"], "pending");
        assert_eq!(items[2]["updatedAt"], "0001-01-01T00:00:00Z");
        assert_eq!(quirks.results(listed(3), 1, 0)[1]["status"], "completed");
        let plain = Quirks::new().results(listed(3), 0, 0);
        assert_eq!(plain, listed(3));
    }

    #[test]
    fn reordered_results_differ_between_reads_and_keep_every_record() {
        let quirks = Quirks::new().reorder_results();
        let mut working = listed(10);
        working[9]["status"] = json!("pending");
        assert_eq!(
            quirks.results(listed(10), 0, 1),
            listed(10),
            "stable once settled"
        );
        let first = quirks.results(working.clone(), 0, 1);
        let second = quirks.results(working, 0, 2);
        assert_ne!(first, second);
        let mut indices: Vec<u64> = first
            .iter()
            .map(|r| r["meta"]["index"].as_u64().unwrap())
            .collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn v1_pages_say_what_the_quirk_says_of_their_total() {
        let page = |q: Quirks| q.v1_page(5, vec![json!({})]);
        assert_eq!(page(Quirks::new())["totalCount"], 5);
        assert!(page(Quirks::new().total_count(TotalCount::Absent))
            .get("totalCount")
            .is_none());
        assert_eq!(
            page(Quirks::new().total_count(TotalCount::Stale(100)))["totalCount"],
            100
        );
        assert!(page(Quirks::new().null_results())["results"].is_null());
    }
}
