//! Sending a membership plan from the command line: through the SDK's paced, bounded stream,
//! with a progress bar, and Ctrl-C or SIGTERM stopping what is not yet sent (those changes end
//! `not_sent`; what is in flight finishes). Shared by `groups add|remove|sync` and the `groups`
//! column of `users create|update`.

use crate::exit::{CliError, CliResult};
use crate::interrupt::first_signal;
use crate::progress::Progress;
use futures::StreamExt;
use jc_bulk::groups::{ChangeOptions, ChangeOutcome, EdgeOp, MemberPlan};
use jc_bulk::{CallOptions, Client, ImportControl};
use std::collections::HashMap;

/// What became of each change of a plan, by `(group id, user id, op)`.
#[derive(Debug, Default)]
pub struct Applied {
    /// Every change's outcome (no-ops and refusals included).
    pub outcomes: HashMap<(String, String, EdgeOp), ChangeOutcome>,
    /// True when a signal stopped the sending.
    pub interrupted: bool,
}

impl Applied {
    /// The outcome of one change, if it was in the plan.
    pub fn outcome(&self, group: &str, user: &str, op: EdgeOp) -> Option<&ChangeOutcome> {
        self.outcomes.get(&(group.to_owned(), user.to_owned(), op))
    }
}

/// The options of `--edge-concurrency`.
///
/// # Errors
/// Out of range (exit 2).
pub fn options(concurrency: u32) -> CliResult<ChangeOptions> {
    ChangeOptions::default()
        .with_concurrency(concurrency as usize)
        .map_err(|e| CliError::invalid(format!("--edge-concurrency: {e}")))
}

/// Sends `plan` and collects every outcome.
pub async fn apply(
    client: &Client,
    plan: MemberPlan,
    options: &ChangeOptions,
    quiet: bool,
) -> Applied {
    let progress = Progress::new(plan.changes.len() as u64, quiet);
    let call = CallOptions::new();
    let control = ImportControl::default();
    let groups = client.groups(&call);
    let mut stream = std::pin::pin!(groups.apply(plan, options, &control));
    let mut applied = Applied::default();
    let mut signal = std::pin::pin!(first_signal());
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(result) => {
                    if !matches!(result.outcome, ChangeOutcome::NotSent { .. }) {
                        progress.advance(1);
                    }
                    let change = result.change;
                    applied.outcomes.insert((change.group_id, change.user_id, change.op), result.outcome);
                }
                None => break,
            },
            () = &mut signal, if !applied.interrupted => {
                applied.interrupted = true;
                control.stop_submitting();
                if !quiet {
                    eprintln!("interrupted: sending no more changes; the report lists what was done and what was not sent");
                }
            }
        }
    }
    progress.finish();
    applied
}

/// `1h 02m 03s`-style.
pub fn duration(seconds: f64) -> String {
    let total = seconds.ceil() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}
