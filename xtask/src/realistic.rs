//! The `realistic` scenario of `cargo xtask bench` (issue 15): what a user feels. `jcbulk users
//! create` with its **default flags** (20 requests/s, default waits) imports 20,000 users
//! against `jcbulk mock --process-rate R --latency-ms 50`, for R = 2000 and 500 records/s; the
//! raw lower-bound client runs against the same server, for its CPU time.
//!
//! Reported per rate: wall / server-bound time (users / R), requests / the protocol's floor
//! (one POST per job and one read per results page once the job has settled), the client's CPU
//! time (user + system) per record, and that CPU over the lower bound's.

use crate::bench::{measure_cpu, mock_requests, start_mock_with};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command};

/// Users imported per rate.
pub(crate) const USERS: usize = 20_000;
/// The server rates, records per second.
const RATES: [u32; 2] = [2000, 500];
/// Records per job and per results page (CONTRACT.md sections 1-2), and the CLI's default
/// request rate.
const JOB: usize = 800;
const PAGE: usize = 100;
const DEFAULT_MAX_RPS: f64 = 20.0;

/// One POST per job and one read per page of its results.
pub(crate) fn floor(users: usize) -> usize {
    let jobs = users.div_ceil(JOB);
    let pages: usize = (0..jobs)
        .map(|j| (users - j * JOB).min(JOB).div_ceil(PAGE))
        .sum();
    jobs + pages
}

fn stop(mut mock: Child) {
    let _ = mock.kill();
    let _ = mock.wait();
}

/// One run of `command` (given the mock's base URL and key) against a fresh slow mock:
/// (wall s, peak RSS KiB, stdout, CPU s, requests the mock answered).
fn against_mock(
    jcbulk: &Path,
    rate: u32,
    command: impl FnOnce(&str, &str) -> Command,
) -> Result<(f64, u64, String, f64, u64), String> {
    let rate = rate.to_string();
    let (mock, base, key) =
        start_mock_with(jcbulk, &["--process-rate", &rate, "--latency-ms", "50"])?;
    let run = measure_cpu(&mut command(&base, &key));
    let requests = mock_requests(&base);
    stop(mock);
    let (wall, peak, out, cpu) = run?;
    Ok((wall.as_secs_f64(), peak, out, cpu, requests?))
}

/// The scenario at one rate.
fn at_rate(
    jcbulk: &Path,
    xtask: &Path,
    csv: &Path,
    chunks: &Path,
    rate: u32,
) -> Result<Value, String> {
    eprintln!(
        "bench: realistic, {USERS} users, server at {rate} records/s: jcbulk (default flags)"
    );
    let (wall, peak, out, cpu, requests) = against_mock(jcbulk, rate, |base, key| {
        let mut command = Command::new(jcbulk);
        command
            .args(["users", "create", "--csv"])
            .arg(csv)
            .args(["-o", "json", "-q"])
            .env("JC_BASE_URL", base)
            .env("JC_API_KEY", key);
        command
    })?;
    let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
    if summary["applied"].as_u64() != Some(USERS as u64) {
        return Err(format!(
            "the realistic import did not apply every user: {summary}"
        ));
    }
    eprintln!("bench: realistic, server at {rate} records/s: lower bound");
    let (bound_wall, _, _, bound_cpu, bound_requests) = against_mock(jcbulk, rate, |base, key| {
        let mut command = Command::new(xtask);
        command
            .args([
                "lower-bound",
                "--base",
                base,
                "--key",
                key,
                "--concurrency",
                "4",
                "--chunks",
            ])
            .arg(chunks);
        command
    })?;
    let server_bound = USERS as f64 / f64::from(rate);
    let floor = floor(USERS) as f64;
    let wall_target = 1.15 * server_bound.max(floor / DEFAULT_MAX_RPS);
    Ok(json!({
        "process_rate": rate,
        "latency_ms": 50,
        "users": USERS,
        "server_bound_s": server_bound,
        "floor_requests": floor,
        "wall_s": wall,
        "wall_over_server_bound": wall / server_bound,
        "wall_target_s": wall_target,
        "requests": requests,
        "requests_over_floor": requests as f64 / floor,
        "cpu_s": cpu,
        "cpu_us_per_record": cpu / USERS as f64 * 1e6,
        "peak_rss_mb": peak as f64 / 1024.0,
        "lower_bound": {"wall_s": bound_wall, "requests": bound_requests, "cpu_s": bound_cpu},
        "cpu_over_lower_bound": if bound_cpu > 0.0 { cpu / bound_cpu } else { 0.0 },
    }))
}

/// The scenario at every rate; `dir` receives the data files.
pub(crate) fn run(jcbulk: &Path, xtask: &Path, dir: &Path) -> Result<Vec<Value>, String> {
    let chunks = dir.join(format!("chunks-{USERS}"));
    let csv = crate::bench::write_data(dir, USERS, Some(&chunks))?;
    RATES
        .iter()
        .map(|&rate| at_rate(jcbulk, xtask, &csv, &chunks, rate))
        .collect()
}

/// Prints the scenario's lines of the bench table.
pub(crate) fn print(runs: &[Value]) {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    println!("realistic (default flags, --latency-ms 50)  wall s  /server  requests  /floor  CPU us/rec  /bound CPU");
    for run in runs {
        println!(
            "  {:>6} users at {:>5} records/s       {:>7.2}  {:>6.2}x  {:>8}  {:>5.2}x  {:>10.1}  {:>9.2}x  (wall target {:.1} s)",
            run["users"],
            run["process_rate"],
            f(run, "wall_s"),
            f(run, "wall_over_server_bound"),
            run["requests"],
            f(run, "requests_over_floor"),
            f(run, "cpu_us_per_record"),
            f(run, "cpu_over_lower_bound"),
            f(run, "wall_target_s"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_floor_is_one_post_per_job_and_one_read_per_page() {
        assert_eq!(super::floor(20_000), 25 + 25 * 8);
        assert_eq!(super::floor(8_000), 10 + 10 * 8);
        assert_eq!(super::floor(100_000), 1_125);
        assert_eq!(super::floor(850), 2 + 8 + 1);
    }
}
