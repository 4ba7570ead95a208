//! The `update-diff` scenarios of `cargo xtask bench` (issue 20): an update that reads every
//! user first and sends only the difference.
//!
//! - 20,000 rows, 10 % changing one field, against `jcbulk mock --seed-users 20000
//!   --process-rate 2000 --latency-ms 50`, with jcbulk's default flags: keyed by username and by
//!   id, each with and without a `jcbulk_base` column. Targets: requests <= 1.15 x (200 lookup
//!   requests + the bulk floor of the 2,000 changed records); wall <= 1.15 x requests / the
//!   default max-rps.
//! - The unedited round trip of an org of 100,000 users (export, then update from the same
//!   file): no record sent; wall and peak RSS (target under 150 MB).

use crate::bench::{measure, mock_requests, start_mock_with};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const USERS: usize = 20_000;
const DEPARTMENTS: [&str; 5] = ["Engineering", "Finance", "Sales", "Support", "Legal"];
const DEFAULT_MAX_RPS: f64 = 20.0;

/// `jcbulk users export --for update -o csv` into `out`.
fn export_to(
    jcbulk: &Path,
    base: &str,
    key: &str,
    out: &Path,
    fast: bool,
) -> Result<Value, String> {
    let mut command = Command::new(jcbulk);
    command
        .args(["users", "export", "--for", "update", "-o", "csv", "-q"])
        .env("JC_BASE_URL", base)
        .env("JC_API_KEY", key);
    if fast {
        command.args(["--max-rps", "100000"]);
    }
    let (wall, peak, text) = measure(&mut command)?;
    std::fs::write(out, text).map_err(|e| e.to_string())?;
    Ok(json!({"wall_s": wall.as_secs_f64(), "peak_rss_mb": peak as f64 / 1024.0}))
}

/// An exported file with the department of every tenth user changed.
fn edit_export(file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let department = rows
        .first()
        .and_then(|h| h.iter().position(|c| c == "department"))
        .ok_or("the export has no department column")?;
    for row in rows.iter_mut().skip(1).step_by(10) {
        row[department] = "Changed".into();
    }
    let mut writer = csv::Writer::from_path(file).map_err(|e| e.to_string())?;
    for row in rows {
        writer.write_record(row).map_err(|e| e.to_string())?;
    }
    writer.flush().map_err(|e| e.to_string())
}

/// A file without a base: `KEY,department`, the seed's department except every tenth row.
fn write_plain(dir: &Path, by_id: bool) -> Result<PathBuf, String> {
    let file = dir.join(format!(
        "update-{}.csv",
        if by_id { "id" } else { "username" }
    ));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| e.to_string())?);
    writeln!(out, "{},department", if by_id { "id" } else { "username" })
        .map_err(|e| e.to_string())?;
    for i in 0..USERS {
        // The mock numbers its seed users a1000...001 upwards, in order.
        let key = if by_id {
            format!("a1{:022x}", i + 1)
        } else {
            format!("user{i:05}")
        };
        let department = if i % 10 == 0 {
            "Changed"
        } else {
            DEPARTMENTS[i % 5]
        };
        writeln!(out, "{key},{department}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(file)
}

/// One 20,000-row update against a fresh slow mock.
fn one(jcbulk: &Path, dir: &Path, by_id: bool, with_base: bool) -> Result<Value, String> {
    let seed = USERS.to_string();
    let args = [
        "--seed-users",
        &seed,
        "--process-rate",
        "2000",
        "--latency-ms",
        "50",
    ];
    let (mut mock, base, key) = start_mock_with(jcbulk, &args)?;
    let result = (|| {
        let file = if with_base {
            let file = dir.join("update-base.csv");
            export_to(jcbulk, &base, &key, &file, true)?;
            edit_export(&file)?;
            file
        } else {
            write_plain(dir, by_id)?
        };
        let before = mock_requests(&base)?;
        let mut command = Command::new(jcbulk);
        command
            .args(["users", "update", "--csv"])
            .arg(&file)
            .args(["-o", "json", "-q"])
            .env("JC_BASE_URL", &base)
            .env("JC_API_KEY", &key);
        if !by_id {
            command.args(["--match-by", "username"]);
        }
        let (wall, peak, out) = measure(&mut command)?;
        let requests = mock_requests(&base)? - before;
        let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
        let changed = summary["applied"].as_u64().unwrap_or(0) as usize;
        let floor = crate::realistic::floor(changed);
        let target_requests = 1.15 * (200 + floor) as f64;
        let target_wall = 1.15 * requests as f64 / DEFAULT_MAX_RPS;
        Ok(json!({
            "key": if by_id { "id" } else { "username" },
            "base": with_base,
            "wall_s": wall.as_secs_f64(),
            "requests": requests,
            "applied": changed,
            "unchanged": summary["unchanged"],
            "peak_rss_mb": peak as f64 / 1024.0,
            "target_requests": target_requests,
            "target_wall_s": target_wall,
            "within": requests as f64 <= target_requests && wall.as_secs_f64() <= target_wall,
        }))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

/// The unedited round trip of an org of `users` users.
fn round_trip(jcbulk: &Path, dir: &Path, users: usize) -> Result<Value, String> {
    let seed = users.to_string();
    let (mut mock, base, key) = start_mock_with(jcbulk, &["--seed-users", &seed])?;
    let result = (|| {
        let file = dir.join("round-trip.csv");
        let export = export_to(jcbulk, &base, &key, &file, true)?;
        let exported = mock_requests(&base)?;
        let (wall, peak, out) = measure(
            Command::new(jcbulk)
                .args(["users", "update", "--csv"])
                .arg(&file)
                .args(["-o", "json", "-q", "--max-rps", "100000"])
                .env("JC_BASE_URL", &base)
                .env("JC_API_KEY", &key),
        )?;
        let requests = mock_requests(&base)? - exported;
        let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
        let _ = std::fs::remove_file(&file);
        Ok(json!({
            "users": users,
            "export": export,
            "export_requests": exported,
            "update_wall_s": wall.as_secs_f64(),
            "update_peak_rss_mb": peak as f64 / 1024.0,
            "update_requests": requests,
            "applied": summary["applied"],
            "unchanged": summary["unchanged"],
            "jobs": summary["jobs"],
        }))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

/// Runs every `update-diff` scenario.
pub(crate) fn run(jcbulk: &Path, dir: &Path) -> Result<Value, String> {
    let mut runs = Vec::new();
    for (by_id, with_base) in [(false, false), (true, false), (false, true), (true, true)] {
        eprintln!(
            "bench: update-diff, {USERS} rows by {}, {} base",
            if by_id { "id" } else { "username" },
            if with_base { "with a" } else { "no" }
        );
        runs.push(one(jcbulk, dir, by_id, with_base)?);
    }
    eprintln!("bench: update-diff, the unedited round trip of 100,000 users");
    let trip = round_trip(jcbulk, dir, 100_000)?;
    Ok(json!({"updates": runs, "round_trip": trip}))
}

/// Prints the scenarios' lines of the table.
pub(crate) fn print(report: &Value) {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    for run in report["updates"].as_array().into_iter().flatten() {
        println!(
            "update-diff 20000 by {:<8} {:<7} {:>7.2}  requests {:>5} (<= {:.0})  applied {}  unchanged {}  wall <= {:.1} s: {}",
            run["key"].as_str().unwrap_or_default(),
            if run["base"] == true { "base" } else { "no base" },
            f(run, "wall_s"),
            run["requests"],
            f(run, "target_requests"),
            run["applied"],
            run["unchanged"],
            f(run, "target_wall_s"),
            if run["within"] == true { "within" } else { "OVER" }
        );
    }
    let trip = &report["round_trip"];
    println!(
        "round trip 100000 users: export {:.2} s ({:.1} MB), update {:.2} s, {:.1} MB, {} requests, {} applied, {} unchanged",
        f(&trip["export"], "wall_s"),
        f(&trip["export"], "peak_rss_mb"),
        f(trip, "update_wall_s"),
        f(trip, "update_peak_rss_mb"),
        trip["update_requests"],
        trip["applied"],
        trip["unchanged"]
    );
}
