//! The `groups` scenarios of `cargo xtask bench` (issue 21):
//!
//! - N users (default 10,000) into 3 groups where 20 % are already members, against `jcbulk
//!   mock --latency-ms 50` with jcbulk's default flags (`groups add GROUP --csv users.csv`, once
//!   per group). Targets: requests <= 1.05 x (group listing pages, member pages of the 3 groups
//!   and the needed changes) plus the user lookups; no request for the no-ops; wall <= 1.15 x
//!   requests / the default max-rps. Beside it, JumpCloud's module's count for the same work,
//!   computed from its call pattern (one group listing per row, then the change, existing
//!   members included).
//! - `users export --with-groups` of 100,000 users in 50 groups (each user in 2): requests,
//!   wall (with `--max-rps 100000`: the work itself) and peak RSS (target under 100 MB).

use crate::bench::{measure, mock_requests, start_mock_with};
use crate::process::mock_stats;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::Command;

const DEFAULT_MAX_RPS: f64 = 20.0;
const GROUPS: [&str; 3] = ["Engineering", "VPN", "Laptops"];

fn write_file(
    path: &Path,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    text(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())
}

/// N users into 3 groups, 20 % already members.
fn adds(jcbulk: &Path, dir: &Path, users: usize) -> Result<Value, String> {
    let seeded = users / 5;
    let groups_file = dir.join("groups-seed.csv");
    write_file(&groups_file, |out| {
        writeln!(out, "name,membershipMethod,members")?;
        let members: Vec<String> = (0..seeded).map(|i| format!("user{i:05}")).collect();
        for name in GROUPS {
            writeln!(out, "{name},STATIC,{}", members.join(";"))?;
        }
        Ok(())
    })?;
    let users_file = dir.join("groups-users.csv");
    write_file(&users_file, |out| {
        writeln!(out, "username")?;
        (0..users).try_for_each(|i| writeln!(out, "user{i:05}"))
    })?;
    let seed = users.to_string();
    let args = [
        "--seed-users",
        &seed,
        "--seed-groups",
        &groups_file.to_string_lossy(),
        "--latency-ms",
        "50",
    ];
    let (mut mock, base, key) = start_mock_with(jcbulk, &args)?;
    let result = (|| {
        let before = mock_requests(&base)?;
        let mut wall = 0.0;
        let mut peak: u64 = 0;
        for group in GROUPS {
            eprintln!("bench: groups, {users} users into {group}");
            let (took, rss, out) = measure(
                Command::new(jcbulk)
                    .args(["groups", "add", group, "--csv"])
                    .arg(&users_file)
                    .args(["-o", "json", "-q"])
                    .env("JC_BASE_URL", &base)
                    .env("JC_API_KEY", &key),
            )?;
            let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
            if summary["failed"].as_u64() != Some(0) || summary["not_sent"].as_u64() != Some(0) {
                return Err(format!(
                    "groups add {group} did not add every user: {summary}"
                ));
            }
            wall += took.as_secs_f64();
            peak = peak.max(rss);
        }
        let requests = mock_requests(&base)? - before;
        let stats = mock_stats(&base)?;
        let needed = GROUPS.len() * (users - seeded);
        let member_pages = GROUPS.len() * (seeded / 100 + 1);
        let lookups = GROUPS.len() * users.div_ceil(100);
        let listings = GROUPS.len();
        let floor = listings + member_pages + needed;
        let target_requests = 1.05 * floor as f64 + lookups as f64;
        let target_wall = 1.15 * requests as f64 / DEFAULT_MAX_RPS;
        // JumpCloud's module: for each (user, group) row, one listing of the org's groups,
        // then the POST, existing members included (they fail as "Already Exists").
        let module = 2 * GROUPS.len() * users;
        Ok(json!({
            "users": users,
            "groups": GROUPS.len(),
            "already_members": seeded * GROUPS.len(),
            "needed_changes": needed,
            "edges_added": stats["edges_added"],
            "requests": requests,
            "floor": floor,
            "lookups": lookups,
            "target_requests": target_requests,
            "wall_s": wall,
            "target_wall_s": target_wall,
            "peak_rss_mb": peak as f64 / 1024.0,
            "module_requests_computed": module,
            "within": requests as f64 <= target_requests && wall <= target_wall
                && stats["edges_added"].as_u64() == Some(needed as u64),
        }))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

/// `users export --with-groups` of `users` users in 50 groups, each user in two.
fn export(jcbulk: &Path, dir: &Path, users: usize) -> Result<Value, String> {
    let groups_file = dir.join("groups-export-seed.csv");
    write_file(&groups_file, |out| {
        writeln!(out, "name,membershipMethod,members")?;
        for g in 0..50 {
            let members: Vec<String> = (0..users)
                .filter(|i| i % 50 == g || (i * 7 + 3) % 50 == g)
                .map(|i| format!("user{i:05}"))
                .collect();
            writeln!(out, "Group {g:02},STATIC,{}", members.join(";"))?;
        }
        Ok(())
    })?;
    let seed = users.to_string();
    let args = [
        "--seed-users",
        &seed,
        "--seed-groups",
        &groups_file.to_string_lossy(),
    ];
    let (mut mock, base, key) = start_mock_with(jcbulk, &args)?;
    let result = (|| {
        eprintln!("bench: groups, export --with-groups of {users} users in 50 groups");
        let before = mock_requests(&base)?;
        let (wall, peak, out) = measure(
            Command::new(jcbulk)
                .args([
                    "users",
                    "export",
                    "--for",
                    "update",
                    "--with-groups",
                    "-o",
                    "csv",
                    "-q",
                ])
                .args(["--max-rps", "100000"])
                .env("JC_BASE_URL", &base)
                .env("JC_API_KEY", &key),
        )?;
        let requests = mock_requests(&base)? - before;
        let rows = out.lines().count().saturating_sub(1);
        Ok(json!({
            "users": users,
            "rows": rows,
            "requests": requests,
            "wall_s": wall.as_secs_f64(),
            "wall_at_default_rate_s": requests as f64 / DEFAULT_MAX_RPS,
            "peak_rss_mb": peak as f64 / 1024.0,
            "target_peak_rss_mb": 100,
        }))
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

/// Runs both `groups` scenarios.
pub(crate) fn run(jcbulk: &Path, dir: &Path, users: usize) -> Result<Value, String> {
    let adds = adds(jcbulk, dir, users)?;
    let export = export(jcbulk, dir, 100_000)?;
    Ok(json!({"adds": adds, "export": export}))
}

/// Prints the scenarios' lines of the table.
pub(crate) fn print(report: &Value) {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    let a = &report["adds"];
    println!(
        "groups add {} users x 3 groups (20% members) {:>8.1} s (<= {:.1})  requests {} (<= {:.0}; floor {})  edges added {}  peak {:.1} MB  JumpCloud module (computed): {} requests: {}",
        a["users"],
        f(a, "wall_s"),
        f(a, "target_wall_s"),
        a["requests"],
        f(a, "target_requests"),
        a["floor"],
        a["edges_added"],
        f(a, "peak_rss_mb"),
        a["module_requests_computed"],
        if a["within"] == true { "within" } else { "OVER" }
    );
    let e = &report["export"];
    println!(
        "export --with-groups {} users, 50 groups {:>8.2} s  requests {} ({:.0} s at 20/s)  peak {:.1} MB (target < 100)",
        e["users"],
        f(e, "wall_s"),
        e["requests"],
        f(e, "wall_at_default_rate_s"),
        f(e, "peak_rss_mb")
    );
}
