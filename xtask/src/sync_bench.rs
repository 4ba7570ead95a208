//! The `sync` scenario of `cargo xtask bench` (issue 22): an org of 100,000 users (`jcbulk mock
//! --seed-users 100000 --latency-ms 50`) and a 100,000-row desired file in which 1 % of the
//! users change one field, 0.5 % are new and 0.5 % are missing (`--suspend-missing`), with
//! jcbulk's default flags.
//!
//! Targets: the plan costs <= 1.05 x the reads of one listing of the org (1,000 pages), wall
//! <= 1.15 x its requests / the default max-rps, peak RSS under 200 MB; the apply costs <= 1.15
//! x (its re-reads and the bulk floor of the changes). Beside them, the same work with JumpCloud's
//! module's call pattern (the org listed again for every row) and with one GET per user
//! (Terraform's), computed.

use crate::bench::{measure, mock_requests, start_mock_with};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::Command;

const USERS: usize = 100_000;
const DEPARTMENTS: [&str; 5] = ["Engineering", "Finance", "Sales", "Support", "Legal"];
const DEFAULT_MAX_RPS: f64 = 20.0;

/// The desired file: every 100th user changes department, every 200th (offset 1) is missing,
/// and 500 new users.
fn desired(file: &Path) -> Result<(usize, usize, usize), String> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).map_err(|e| e.to_string())?);
    let (mut changed, mut missing) = (0, 0);
    writeln!(out, "username,email,department").map_err(|e| e.to_string())?;
    for i in 0..USERS {
        if i % 200 == 1 {
            missing += 1;
            continue;
        }
        let department = if i % 100 == 0 {
            changed += 1;
            "Changed"
        } else {
            DEPARTMENTS[i % 5]
        };
        writeln!(out, "user{i:05},user{i:05}@example.com,{department}")
            .map_err(|e| e.to_string())?;
    }
    let new = USERS / 200;
    for i in 0..new {
        writeln!(out, "new{i:05},new{i:05}@example.com,Engineering").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok((changed, missing, new))
}

fn jcbulk_cmd(jcbulk: &Path, base: &str, key: &str, args: &[&str]) -> Command {
    let mut command = Command::new(jcbulk);
    command
        .args(args)
        .env("JC_BASE_URL", base)
        .env("JC_API_KEY", key);
    command
}

/// Runs the scenario.
pub(crate) fn run(jcbulk: &Path, dir: &Path) -> Result<Value, String> {
    let file = dir.join("sync-desired.csv");
    let (changed, missing, new) = desired(&file)?;
    let plan_file = dir.join("sync-plan.json");
    let seed = USERS.to_string();
    let (mut mock, base, key) =
        start_mock_with(jcbulk, &["--seed-users", &seed, "--latency-ms", "50"])?;
    let result = (|| {
        eprintln!("bench: sync, plan of {USERS} rows against {USERS} users");
        let before = mock_requests(&base)?;
        let csv = file.to_string_lossy().into_owned();
        let out = plan_file.to_string_lossy().into_owned();
        let (wall, peak, text) = measure(&mut jcbulk_cmd(
            jcbulk,
            &base,
            &key,
            &[
                "sync",
                "plan",
                "--csv",
                &csv,
                "--suspend-missing",
                "--out",
                &out,
                "-o",
                "json",
                "-q",
            ],
        ))?;
        let plan_requests = mock_requests(&base)? - before;
        let plan: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        let counts = plan["counts"].clone();
        eprintln!("bench: sync, apply");
        let before = mock_requests(&base)?;
        let (apply_wall, apply_peak, applied) = measure(&mut jcbulk_cmd(
            jcbulk,
            &base,
            &key,
            &["sync", "apply", &out, "-o", "json", "-q"],
        ))?;
        let apply_requests = mock_requests(&base)? - before;
        let applied: Value =
            serde_json::from_str(&applied).map_err(|e| format!("{e}: {applied}"))?;
        let listing = USERS.div_ceil(100) + 1;
        let target_plan = 1.05 * listing as f64;
        let target_plan_wall = 1.15 * plan_requests as f64 / DEFAULT_MAX_RPS;
        let touched = changed + missing;
        let rereads = touched.div_ceil(100) + new.div_ceil(100);
        let floor = crate::realistic::floor(new) + crate::realistic::floor(touched);
        let target_apply = 1.15 * (rereads + floor) as f64;
        Ok(json!({
            "users": USERS,
            "changed": changed, "missing": missing, "new": new,
            "plan": {
                "counts": counts,
                "requests": plan_requests,
                "target_requests": target_plan,
                "wall_s": wall.as_secs_f64(),
                "target_wall_s": target_plan_wall,
                "peak_rss_mb": peak as f64 / 1024.0,
                "within": (plan_requests as f64) <= target_plan && wall.as_secs_f64() <= target_plan_wall && (peak as f64 / 1024.0) < 200.0,
            },
            "apply": {
                "outcomes": applied["outcomes"],
                "requests": apply_requests,
                "rereads": rereads,
                "floor": floor,
                "target_requests": target_apply,
                "wall_s": apply_wall.as_secs_f64(),
                "peak_rss_mb": apply_peak as f64 / 1024.0,
                "within": (apply_requests as f64) <= target_apply,
            },
            // JumpCloud's module lists the org again for every row; Terraform reads each user.
            "module_requests_computed": USERS * listing + touched + new,
            "terraform_requests_computed": USERS + touched + new,
        }))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    let _ = std::fs::remove_file(&file);
    result
}

/// Prints the scenario's lines of the table.
pub(crate) fn print(report: &Value) {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    let (p, a) = (&report["plan"], &report["apply"]);
    println!(
        "sync plan 100000 rows / 100000 users {:>8.2} s (<= {:.1})  requests {} (<= {:.0})  peak {:.1} MB (< 200): {}",
        f(p, "wall_s"), f(p, "target_wall_s"), p["requests"], f(p, "target_requests"), f(p, "peak_rss_mb"),
        if p["within"] == true { "within" } else { "OVER" }
    );
    println!(
        "sync apply ({} changed, {} new, {} missing) {:>8.2} s  requests {} (<= {:.0}: re-reads {} + floor {})  peak {:.1} MB: {}",
        report["changed"], report["new"], report["missing"], f(a, "wall_s"), a["requests"], f(a, "target_requests"),
        a["rereads"], a["floor"], f(a, "peak_rss_mb"), if a["within"] == true { "within" } else { "OVER" }
    );
    println!(
        "sync peers (computed): JumpCloud module {} requests, one GET per user (Terraform) {} requests",
        report["module_requests_computed"], report["terraform_requests_computed"]
    );
}
