//! `cargo xtask bench`: release builds, the import scenario against the raw lower bound, the
//! memory scenario, and the microbenchmarks; prints a table and writes `target/bench/report.json`.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use crate::process::{measure, measure_cpu, mock_requests, start_mock, start_mock_with};

struct Options {
    users: usize,
    memory_rows: usize,
    micro: bool,
    realistic: bool,
    update_diff: bool,
    /// Users of the `groups` scenario (0 skips it).
    groups_users: usize,
    /// The `sync` scenario.
    sync: bool,
    /// The `orgs` scenario.
    orgs: bool,
}

/// Runs only the scenario `which` (`update-diff`, `groups`, `sync`, `orgs`).
fn only(options: &mut Options, which: &str) {
    options.realistic = false;
    options.micro = false;
    options.memory_rows = 0;
    options.users = 0;
    options.update_diff = which == "update-diff";
    if which != "groups" {
        options.groups_users = 0;
    }
    options.sync = which == "sync";
    options.orgs = which == "orgs";
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        users: 100_000,
        memory_rows: 1_000_000,
        micro: true,
        realistic: true,
        update_diff: true,
        groups_users: 10_000,
        sync: true,
        orgs: true,
    };
    let mut i = 0;
    while i < args.len() {
        let number = |i: usize| {
            args.get(i + 1)
                .and_then(|v| v.replace('_', "").parse().ok())
                .ok_or(format!("{} takes a number", args[i]))
        };
        match args[i].as_str() {
            "--users" => {
                options.users = number(i)?;
                i += 1;
            }
            "--memory-rows" => {
                options.memory_rows = number(i)?;
                i += 1;
            }
            "--no-micro" => options.micro = false,
            "--no-realistic" => options.realistic = false,
            "--no-update-diff" => options.update_diff = false,
            "--groups-users" => {
                options.groups_users = number(i)?;
                i += 1;
            }
            "--no-sync" => options.sync = false,
            "--no-orgs" => options.orgs = false,
            "--only-orgs" => only(&mut options, "orgs"),
            "--only-sync" => only(&mut options, "sync"),
            "--only-groups" => only(&mut options, "groups"),
            "--only-update-diff" => only(&mut options, "update-diff"),
            other => {
                return Err(format!(
                "unknown bench option {other} (--users N (0 skips), --memory-rows N (0 skips), --no-micro, --no-realistic, --no-update-diff, --only-update-diff, --groups-users N (0 skips), --only-groups, --no-sync, --only-sync, --no-orgs, --only-orgs)"
            ))
            }
        }
        i += 1;
    }
    Ok(options)
}

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The CSV of `n` users, and (optionally) the same users as pre-serialized 800-record bodies.
pub(crate) fn write_data(dir: &Path, n: usize, chunks: Option<&Path>) -> Result<PathBuf, String> {
    let csv = dir.join(format!("users-{n}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).map_err(|e| e.to_string())?);
    writeln!(out, "username,email,firstname,lastname").map_err(|e| e.to_string())?;
    for i in 0..n {
        writeln!(out, "user{i},user{i}@example.com,First{i},Last{i}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    if let Some(chunks) = chunks {
        let _ = std::fs::remove_dir_all(chunks);
        std::fs::create_dir_all(chunks).map_err(|e| e.to_string())?;
        for (c, start) in (0..n).step_by(800).enumerate() {
            let records: Vec<Value> = (start..(start + 800).min(n))
                .map(|i| json!({"username": format!("user{i}"), "email": format!("user{i}@example.com"), "firstname": format!("First{i}"), "lastname": format!("Last{i}")}))
                .collect();
            std::fs::write(
                chunks.join(format!("{c:06}.json")),
                serde_json::to_vec(&records).unwrap_or_default(),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(csv)
}

/// The CSV of `n` users of which every second row is invalid (an e-mail without `@`).
fn write_mixed(dir: &Path, n: usize) -> Result<PathBuf, String> {
    let csv = dir.join(format!("mixed-{n}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).map_err(|e| e.to_string())?);
    writeln!(out, "username,email,firstname,lastname").map_err(|e| e.to_string())?;
    for i in 0..n {
        let email = if i % 2 == 0 {
            format!("user{i}@example.com")
        } else {
            format!("user{i}")
        };
        writeln!(out, "user{i},{email},First{i},Last{i}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(csv)
}

/// `jcbulk users export -o csv` of an org of `users` seeded users: wall time, peak RSS, rows.
fn export(jcbulk: &Path, users: usize) -> Result<Value, String> {
    let seed = users.to_string();
    let (mut mock, base, key) = start_mock_with(jcbulk, &["--seed-users", &seed])?;
    let result = (|| {
        let (wall, peak, out) = measure(
            Command::new(jcbulk)
                .args([
                    "users",
                    "export",
                    "--for",
                    "update",
                    "-o",
                    "csv",
                    "-q",
                    "--max-rps",
                    "100000",
                ])
                .env("JC_BASE_URL", &base)
                .env("JC_API_KEY", &key),
        )?;
        let rows = out.lines().count().saturating_sub(1);
        Ok(
            json!({"wall_s": wall.as_secs_f64(), "users": rows, "users_per_s": rows as f64 / wall.as_secs_f64(), "requests": mock_requests(&base)?, "peak_rss_mb": peak as f64 / 1024.0}),
        )
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

fn import(jcbulk: &Path, csv: &Path, extra: &[&str]) -> Result<Value, String> {
    let (mut mock, base, key) = start_mock(jcbulk)?;
    let result = (|| {
        let (wall, peak, out) = measure(
            Command::new(jcbulk)
                .args(["users", "create", "--csv"])
                .arg(csv)
                .args(["-o", "json", "-q", "--max-rps", "100000"])
                .args(extra)
                .env("JC_BASE_URL", &base)
                .env("JC_API_KEY", &key),
        )?;
        let summary: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
        let users = summary["applied"].as_u64().unwrap_or(0);
        Ok(
            json!({"wall_s": wall.as_secs_f64(), "users": users, "users_per_s": users as f64 / wall.as_secs_f64(), "requests": mock_requests(&base)?, "peak_rss_mb": peak as f64 / 1024.0}),
        )
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

fn lower_bound(jcbulk: &Path, xtask: &Path, chunks: &Path) -> Result<Value, String> {
    let (mut mock, base, key) = start_mock(jcbulk)?;
    let result = (|| {
        let (_, _, out) = measure(
            Command::new(xtask)
                .args([
                    "lower-bound",
                    "--base",
                    &base,
                    "--key",
                    &key,
                    "--concurrency",
                    "4",
                    "--chunks",
                ])
                .arg(chunks),
        )?;
        let report: Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
        let wall = report["wall_ms"].as_f64().unwrap_or(0.0) / 1000.0;
        let users = report["records"].as_u64().unwrap_or(0);
        Ok(
            json!({"wall_s": wall, "users": users, "users_per_s": users as f64 / wall, "requests": report["requests"]}),
        )
    })();
    let _ = mock.kill();
    let _ = mock.wait();
    result
}

/// The throughput criterion printed for `bench` (elements per second, middle estimate).
fn micro(package: &str, bench: &str) -> Result<Value, String> {
    let output = Command::new(cargo())
        .args([
            "bench",
            "-p",
            package,
            "--bench",
            bench,
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        return Err(format!(
            "cargo bench -p {package} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("thrpt:"))
        .ok_or(format!("no throughput in:\n{text}"))?;
    let inside = line.split('[').nth(1).unwrap_or_default();
    let fields: Vec<&str> = inside.split_whitespace().collect();
    let (value, unit) = (
        fields.get(2).copied().unwrap_or("0"),
        fields.get(3).copied().unwrap_or("elem/s"),
    );
    let scale = match unit.trim_end_matches(']') {
        "Kelem/s" => 1e3,
        "Melem/s" => 1e6,
        "Gelem/s" => 1e9,
        _ => 1.0,
    };
    Ok(json!({"records_per_s": value.parse::<f64>().unwrap_or(0.0) * scale}))
}

/// Runs the benchmarks.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let status = Command::new(cargo())
        .args(["build", "--release", "-p", "jc-cli", "-p", "xtask"])
        .current_dir(root())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("release build failed".into());
    }
    let target = root().join("target");
    let (jcbulk, xtask) = (target.join("release/jcbulk"), target.join("release/xtask"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let chunks = dir.join(format!("chunks-{}", options.users));
    eprintln!("bench: writing {} users", options.users);
    let csv = write_data(&dir, options.users, Some(&chunks))?;

    // Best of two runs each, alternating, every run against a fresh mock process.
    let mut ours: Option<Value> = None;
    let mut bound: Option<Value> = None;
    let rounds = if options.users == 0 { 0 } else { 2 };
    for round in 1..=rounds {
        eprintln!("bench: import round {round}: jcbulk");
        let run = import(&jcbulk, &csv, &[])?;
        if ours
            .as_ref()
            .is_none_or(|b| run["wall_s"].as_f64() < b["wall_s"].as_f64())
        {
            ours = Some(run);
        }
        eprintln!("bench: import round {round}: lower bound");
        let run = lower_bound(&jcbulk, &xtask, &chunks)?;
        if bound
            .as_ref()
            .is_none_or(|b| run["wall_s"].as_f64() < b["wall_s"].as_f64())
        {
            bound = Some(run);
        }
    }
    let (ours, bound) = (ours.unwrap_or_default(), bound.unwrap_or_default());
    let ratio = ours["wall_s"].as_f64().unwrap_or(0.0) / bound["wall_s"].as_f64().unwrap_or(1.0);

    let realistic = if options.realistic {
        Some(crate::realistic::run(&jcbulk, &xtask, &dir)?)
    } else {
        None
    };

    let update_diff = if options.update_diff {
        Some(crate::update_diff::run(&jcbulk, &dir)?)
    } else {
        None
    };

    let groups = if options.groups_users > 0 {
        Some(crate::groups_bench::run(
            &jcbulk,
            &dir,
            options.groups_users,
        )?)
    } else {
        None
    };

    let sync = if options.sync {
        Some(crate::sync_bench::run(&jcbulk, &dir)?)
    } else {
        None
    };

    let orgs = if options.orgs {
        Some(crate::orgs_bench::run(&jcbulk, &dir)?)
    } else {
        None
    };

    let memory = if options.memory_rows > 0 {
        eprintln!("bench: memory scenario, {} rows", options.memory_rows);
        let csv = write_data(&dir, options.memory_rows, None)?;
        let run = import(&jcbulk, &csv, &[])?;
        let _ = std::fs::remove_file(&csv);
        Some(run)
    } else {
        None
    };
    let mixed = if options.memory_rows > 0 {
        eprintln!(
            "bench: mixed validity, {} rows, half invalid",
            options.memory_rows
        );
        let csv = write_mixed(&dir, options.memory_rows)?;
        let report = dir.join("mixed-report.csv");
        let report_arg = report.to_string_lossy().into_owned();
        let run = import(&jcbulk, &csv, &["--skip-invalid", "--report", &report_arg])?;
        let _ = std::fs::remove_file(&csv);
        let _ = std::fs::remove_file(&report);
        Some(run)
    } else {
        None
    };
    let exported = if options.memory_rows > 0 {
        eprintln!("bench: export of 100,000 users");
        Some(export(&jcbulk, 100_000)?)
    } else {
        None
    };
    let (csv_micro, decode_micro) = if options.micro {
        eprintln!("bench: microbenchmarks");
        (
            Some(micro("jc-cli", "csv_to_json")?),
            Some(micro("jc-bulk", "decode_results")?),
        )
    } else {
        (None, None)
    };

    let machine = json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_owned())),
    });
    let report = json!({
        "command": format!("cargo xtask bench {}", args.join(" ")),
        "machine": machine,
        "import": {"users": options.users, "jcbulk": ours, "lower_bound": bound, "ratio": ratio, "target_ratio": 1.25, "floor_requests": crate::realistic::floor(options.users), "requests_over_floor": ours["requests"].as_f64().unwrap_or(0.0) / crate::realistic::floor(options.users).max(1) as f64},
        "realistic": realistic,
        "update_diff": update_diff,
        "groups": groups,
        "sync": sync,
        "orgs": orgs,
        "memory": memory,
        "mixed_validity": mixed,
        "export": exported,
        "micro": {"csv_to_json": csv_micro, "decode_results": decode_micro, "target_csv_records_per_s": 200_000},
    });
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_vec_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;

    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    println!("scenario                         wall s   users/s    requests  peak RSS MB");
    println!(
        "import {:>7} users, jcbulk     {:>7.2}  {:>8.0}  {:>10}  {:>10.1}",
        options.users,
        f(&ours, "wall_s"),
        f(&ours, "users_per_s"),
        ours["requests"],
        f(&ours, "peak_rss_mb")
    );
    println!(
        "import {:>7} users, raw bound  {:>7.2}  {:>8.0}  {:>10}  {:>10}",
        options.users,
        f(&bound, "wall_s"),
        f(&bound, "users_per_s"),
        bound["requests"],
        "-"
    );
    println!("ratio jcbulk / lower bound       {ratio:.3} (target <= 1.25)");
    println!(
        "requests / floor ({} = one POST per job, one read per page)  {:.3} (target <= 1.15)",
        crate::realistic::floor(options.users),
        f(&report["import"], "requests_over_floor")
    );
    if let Some(runs) = &realistic {
        crate::realistic::print(runs);
    }
    if let Some(update_diff) = &update_diff {
        crate::update_diff::print(update_diff);
    }
    if let Some(groups) = &groups {
        crate::groups_bench::print(groups);
    }
    if let Some(sync) = &sync {
        crate::sync_bench::print(sync);
    }
    if let Some(orgs) = &orgs {
        crate::orgs_bench::print(orgs);
    }
    if let Some(memory) = &report["memory"].as_object() {
        let m = Value::Object((*memory).clone());
        println!(
            "memory {:>8} rows, jcbulk    {:>7.2}  {:>8.0}  {:>10}  {:>10.1} (target < 50)",
            options.memory_rows,
            f(&m, "wall_s"),
            f(&m, "users_per_s"),
            m["requests"],
            f(&m, "peak_rss_mb")
        );
    }
    if let Some(m) = &mixed {
        println!(
            "mixed {:>9} rows, half bad  {:>7.2}  {:>8.0}  {:>10}  {:>10.1} (target < 100)",
            options.memory_rows,
            f(m, "wall_s"),
            f(m, "users_per_s"),
            m["requests"],
            f(m, "peak_rss_mb")
        );
    }
    if let Some(e) = &exported {
        println!(
            "export   100000 users to CSV     {:>7.2}  {:>8.0}  {:>10}  {:>10.1} (target < 50)",
            f(e, "wall_s"),
            f(e, "users_per_s"),
            e["requests"],
            f(e, "peak_rss_mb")
        );
    }
    if let (Some(csv), Some(decode)) = (&csv_micro, &decode_micro) {
        println!("micro CSV row -> BulkUserCreate -> JSON: {:.0} records/s (one core; target >= 200,000)", f(csv, "records_per_s"));
        println!(
            "micro results decoding:                {:.0} results/s (one core)",
            f(decode, "records_per_s")
        );
    }
    println!("written: {}", dir.join("report.json").display());
    Ok(())
}
