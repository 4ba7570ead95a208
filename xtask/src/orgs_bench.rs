//! The `orgs` scenario of `cargo xtask bench` (issue 23): 10 orgs x 2,000 users created with
//! `--orgs all` against `jcbulk mock --orgs 10 --process-rate 2000 --latency-ms 50`, default
//! flags. Targets: requests <= 1.05 x (the sum of the per-org bulk floors + the org list
//! pages); wall <= 1.15 x max(the sum of the floors / the default max-rps, the server-bound
//! time of all the records). Beside it: the same work as 10 sequential single-org runs.

use crate::bench::{measure, mock_requests, start_mock_with};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::Command;

const ORGS: usize = 10;
const USERS: usize = 2_000;
const RATE: f64 = 2_000.0;
const DEFAULT_MAX_RPS: f64 = 20.0;

fn users_file(dir: &Path) -> Result<std::path::PathBuf, String> {
    let file = dir.join("orgs-users.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| e.to_string())?);
    writeln!(out, "username,email").map_err(|e| e.to_string())?;
    for i in 0..USERS {
        writeln!(out, "m{i:05},m{i:05}@example.com").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(file)
}

fn mock_args() -> Vec<String> {
    [
        "--orgs",
        &ORGS.to_string(),
        "--process-rate",
        &RATE.to_string(),
        "--latency-ms",
        "50",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// Runs the scenario.
pub(crate) fn run(jcbulk: &Path, dir: &Path) -> Result<Value, String> {
    let file = users_file(dir)?;
    let csv = file.to_string_lossy().into_owned();
    let args = mock_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let floor_each = crate::realistic::floor(USERS);
    let floor = ORGS * floor_each + 1;
    let server_bound = (ORGS * USERS) as f64 / RATE;
    eprintln!("bench: orgs, {ORGS} orgs x {USERS} users with --orgs all");
    let (mut mock, base, key) = start_mock_with(jcbulk, &args)?;
    let fanned = (|| {
        let before = mock_requests(&base)?;
        let (wall, peak, out) = measure(
            Command::new(jcbulk)
                .args([
                    "users", "--orgs", "all", "create", "--csv", &csv, "-o", "json", "-q",
                ])
                .env("JC_BASE_URL", &base)
                .env("JC_API_KEY", &key),
        )?;
        let requests = mock_requests(&base)? - before;
        let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
        let applied: u64 = summary
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["applied"].as_u64().unwrap_or(0))
            .sum();
        Ok::<_, String>((wall.as_secs_f64(), peak, requests, applied))
    })();
    let orgs: Vec<String> = {
        let out = Command::new(jcbulk)
            .args(["orgs", "list", "-o", "json"])
            .env("JC_BASE_URL", &base)
            .env("JC_API_KEY", &key)
            .output()
            .map_err(|e| e.to_string())?;
        let listed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["id"].as_str().map(str::to_owned))
            .collect()
    };
    let _ = mock.kill();
    let _ = mock.wait();
    let (wall, peak, requests, applied) = fanned?;
    eprintln!("bench: orgs, the same as {ORGS} sequential single-org runs");
    let (mut mock, base, key) = start_mock_with(jcbulk, &args)?;
    let sequential = (|| {
        let before = mock_requests(&base)?;
        let started = std::time::Instant::now();
        for org in &orgs {
            measure(
                Command::new(jcbulk)
                    .args([
                        "users", "--org-id", org, "create", "--csv", &csv, "-o", "json", "-q",
                    ])
                    .env("JC_BASE_URL", &base)
                    .env("JC_API_KEY", &key),
            )?;
        }
        Ok::<_, String>((
            started.elapsed().as_secs_f64(),
            mock_requests(&base)? - before,
        ))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    let (sequential_wall, sequential_requests) = sequential?;
    let target_requests = 1.05 * floor as f64;
    let target_wall = 1.15 * (floor as f64 / DEFAULT_MAX_RPS).max(server_bound);
    Ok(json!({
        "orgs": ORGS,
        "users_per_org": USERS,
        "applied": applied,
        "requests": requests,
        "floor": floor,
        "target_requests": target_requests,
        "wall_s": wall,
        "target_wall_s": target_wall,
        "peak_rss_mb": peak as f64 / 1024.0,
        "within": requests as f64 <= target_requests && wall <= target_wall,
        "sequential": {"wall_s": sequential_wall, "requests": sequential_requests},
    }))
}

/// Prints the scenario's line of the table.
pub(crate) fn print(report: &Value) {
    let f = |k: &str| report[k].as_f64().unwrap_or(0.0);
    println!(
        "orgs {} x {} users, --orgs all  {:>8.2} s (<= {:.1})  requests {} (<= {:.0}; floor {})  applied {}  {}; 10 sequential runs: {:.2} s, {} requests",
        report["orgs"], report["users_per_org"], f("wall_s"), f("target_wall_s"), report["requests"],
        f("target_requests"), report["floor"], report["applied"],
        if report["within"] == true { "within" } else { "OVER" },
        report["sequential"]["wall_s"].as_f64().unwrap_or(0.0), report["sequential"]["requests"]
    );
}
