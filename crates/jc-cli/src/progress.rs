//! A progress bar on stderr for imports, driven by the SDK's import events. Only on a terminal
//! and without `-q`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jc_bulk::{ImportEvent, ImportSummary, JobProgress};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

/// The bar and what it counts.
pub struct Progress {
    bar: ProgressBar,
    state: Mutex<(u64, HashMap<usize, u64>)>,
}

impl Progress {
    /// A bar for `total` records; hidden unless stderr is a terminal and not quiet.
    pub fn new(total: u64, quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} records {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            bar,
            state: Mutex::new((0, HashMap::new())),
        }
    }

    /// Takes an import event.
    pub fn on_event(&self, event: &ImportEvent) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            ImportEvent::Submitted { chunk, .. } => {
                state.1.insert(*chunk, 0);
            }
            ImportEvent::Progress { chunk, progress } => {
                state.1.insert(*chunk, progress.done as u64);
            }
            ImportEvent::Settled { chunk, records, .. } => {
                state.1.remove(chunk);
                state.0 += *records as u64;
            }
            _ => return,
        }
        self.bar
            .set_position(state.0 + state.1.values().sum::<u64>());
    }

    /// Shows the counts so far.
    pub fn counts(&self, summary: &ImportSummary) {
        self.bar.set_message(format!(
            "applied {} failed {} not sent {} unknown {}",
            summary.applied, summary.failed, summary.not_submitted, summary.unknown
        ));
    }

    /// Takes one job's progress (`jobs wait`).
    pub fn job(&self, progress: &JobProgress) {
        self.bar.set_position(progress.done as u64);
    }

    /// Counts `n` more done (membership changes).
    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
