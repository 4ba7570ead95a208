//! Ctrl-C and SIGTERM during an import. The first Ctrl-C stops submitting and waits for the
//! jobs already submitted (within `--wait-timeout`); a second one, or SIGTERM, stops waiting:
//! what is still pending is reported unknown with its job id. Either way the event stream runs
//! to its end, so the report, the failed rows, the journal and the summary are complete, and the
//! exit code is 130.

use super::outputs::{Outputs, Run};
use futures::StreamExt;
use jc_bulk::Import;

use crate::interrupt::{Signal, Signals};

/// Consumes every event of `import` into `outputs`, answering signals on the way. True when
/// the import was interrupted.
pub async fn drive(mut import: Import, outputs: &mut Outputs, wait_timeout: u64) -> bool {
    let control = import.control();
    let mut signals = Signals::new();
    let mut interrupted = false;
    loop {
        let signal = async {
            match &mut signals {
                Some(signals) => signals.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = import.next() => match event {
                Some(event) => outputs.take(event),
                None => return interrupted,
            },
            // Rows that are never sent (unchanged, invalid) reach the report while the import
            // waits, not all at its end.
            () = tokio::time::sleep(std::time::Duration::from_millis(20)) => outputs.pump(),
            signal = signal => {
                match (signal, control.is_stopping()) {
                    (Signal::Interrupt, false) => {
                        control.stop_submitting();
                        eprintln!("stopping: waiting up to {wait_timeout} s for submitted jobs (Ctrl-C again to stop now)");
                    }
                    _ => {
                        control.stop_waiting();
                        eprintln!("stopping now: records still pending are reported unknown, with their job ids");
                    }
                }
                interrupted = true;
            }
        }
    }
}

/// After an interruption: every job id on stderr, so that `jobs results` or `--resume` can
/// settle what is unknown.
pub fn report_interruption(run: &Run) {
    let s = &run.summary;
    let jobs: Vec<String> = s.jobs.iter().map(ToString::to_string).collect();
    eprintln!(
        "jcbulk: interrupted: {} applied, {} failed, {} not submitted, {} unknown; jobs: {}",
        s.applied,
        s.failed,
        s.not_submitted,
        s.unknown,
        if jobs.is_empty() {
            "none".into()
        } else {
            jobs.join(" ")
        }
    );
}
