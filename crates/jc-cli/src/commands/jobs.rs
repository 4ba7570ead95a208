//! `jcbulk jobs ...`.

use crate::cli::{Global, JobsCommand};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use crate::output;
use futures::StreamExt;
use jc_bulk::{CallOptions, Page, WaitOptions};
use jc_models::JobWorkresult;
use serde_json::{json, Value};
use std::time::Duration;

const COLUMNS: [&str; 7] = [
    "index",
    "status",
    "username",
    "email",
    "userId",
    "statusMsg",
    "id",
];

fn row(result: &JobWorkresult) -> Value {
    json!({
        "index": result.index(),
        "status": result.status.as_ref().map(|s| s.as_str().to_owned()),
        "username": result.username(),
        "email": result.email(),
        "userId": result.user_id(),
        "statusMsg": result.status_msg,
        "id": result.id,
    })
}

/// Runs a `jobs` command.
///
/// # Errors
/// A client error.
pub async fn run(global: &Global, command: &JobsCommand) -> CliResult {
    let client = client(global)?;
    let call = CallOptions::new();
    match command {
        JobsCommand::Results {
            job_id,
            all,
            limit,
            skip,
        } => {
            let (results, cut): (Vec<JobWorkresult>, _) = if *all {
                output::collect_until_error(client.job_results(job_id, &call)).await
            } else {
                let page = Page::new(*limit, *skip)?;
                (client.job_results_page(job_id, page, &call).await?, None)
            };
            let rows: Vec<Value> = results.iter().map(row).collect();
            output::items(format(global), &COLUMNS, &rows)?;
            output::list_end(rows.len(), cut)
        }
        JobsCommand::Wait {
            job_id,
            expected,
            wait_timeout,
        } => {
            let progress = crate::progress::Progress::new(*expected as u64, global.quiet);
            let wait = WaitOptions::new()
                .with_timeout(Some(Duration::from_secs(*wait_timeout)))
                .map_err(|e| CliError::invalid(e.to_string()))?;
            let mut waiter = client.wait_for_job(job_id, *expected, &wait);
            while let Some(now) = waiter.next().await {
                progress.job(&now);
            }
            progress.finish();
            let results = waiter.take_result().ok_or_else(|| {
                CliError::other("internal error: the wait ended without a result")
            })??;
            let failed = results.iter().filter(|r| r.is_failure()).count();
            let summary = json!({
                "job_id": job_id,
                "records": results.len(),
                "finished": results.len() - failed,
                "failed": failed,
            });
            output::object(format(global), &summary)?;
            Ok(if failed == 0 { Exit::Ok } else { Exit::Partial })
        }
        JobsCommand::Get { id } => {
            let details = client.legacy().job(id, &call).await?;
            output::object(
                format(global),
                &serde_json::to_value(details).unwrap_or_default(),
            )?;
            Ok(Exit::Ok)
        }
    }
}
