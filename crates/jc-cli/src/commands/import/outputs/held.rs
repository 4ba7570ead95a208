//! Report rows held for their groups (the `groups` column): written once the run added the
//! row's user to its groups, with the `groups` cell and, when a group was not added, a reason
//! that says which.

use super::Outputs;
use jc_bulk::groups::ChangeOutcome;
use std::collections::HashMap;

impl Outputs {
    /// Rows with a `groups` column whose groups resolved (line -> group names): their report
    /// rows wait for [`Outputs::groups_done`] once their user exists.
    pub fn hold_groups(&mut self, groups_of: HashMap<u64, Vec<String>>) {
        self.groups_of = groups_of;
    }

    /// The rows waiting for their groups: (line, user id).
    pub fn group_rows(&self) -> Vec<(u64, String)> {
        self.held
            .iter()
            .filter_map(|(line, (row, ..))| Some((*line, row.user_id.clone()?)))
            .collect()
    }

    /// What became of each waiting row's groups (line -> (group name, outcome)): the rows are
    /// written with their `groups` cell; a row one of whose groups failed or was not sent is
    /// a partial failure and its reason says which.
    pub fn groups_done(&mut self, mut results: HashMap<u64, Vec<(String, ChangeOutcome)>>) {
        self.groups_closed = true;
        for (line, (mut row, raw, failed)) in std::mem::take(&mut self.held) {
            let outcomes = results.remove(&line).unwrap_or_default();
            for (_, outcome) in &outcomes {
                *self.run.group_outcomes.entry(outcome.label()).or_default() += 1;
            }
            let missing: Vec<String> = outcomes
                .iter()
                .filter(|(_, o)| !o.is_success())
                .map(|(name, o)| format!("{name}: {}", o.reason().unwrap_or_default()))
                .collect();
            row.groups = Some(super::super::groups::cell(
                outcomes.iter().map(|(name, o)| (name.as_str(), o.label())),
            ));
            if !missing.is_empty() {
                self.run.groups_partial += 1;
                let done = if row.outcome == "unchanged" {
                    "unchanged"
                } else {
                    "applied"
                };
                let note = format!(
                    "the user was {done}, but not every group: {}",
                    missing.join("; ")
                );
                row.reason = Some(match row.reason.take() {
                    Some(reason) => format!("{reason}; {note}"),
                    None => note,
                });
            }
            self.write(row, raw.as_ref(), failed);
        }
    }
}
