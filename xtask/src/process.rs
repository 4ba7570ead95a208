//! The processes a benchmark runs: a `jcbulk mock` on a free port, its request count, and a
//! measured child (wall time, peak RSS, CPU).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `jcbulk mock` process on a free port: (child, base URL, API key).
pub(crate) fn start_mock(jcbulk: &Path) -> Result<(Child, String, String), String> {
    start_mock_with(jcbulk, &[])
}

/// A `jcbulk mock` process with extra arguments (`--seed-users N`).
pub(crate) fn start_mock_with(
    jcbulk: &Path,
    extra: &[&str],
) -> Result<(Child, String, String), String> {
    let mut child = Command::new(jcbulk)
        .args(["mock", "--addr", "127.0.0.1:0", "-q"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let mut parts = line.split_whitespace();
    let (base, key) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    if base.is_empty() {
        return Err("the mock printed no URL".into());
    }
    Ok((child, base, key))
}

/// Requests the mock has received, from `GET /_mock/stats`.
pub(crate) fn mock_requests(base: &str) -> Result<u64, String> {
    mock_stats(base)?["requests"]
        .as_u64()
        .ok_or("no request count in the stats".into())
}

/// The mock's counters (`GET /_mock/stats`): requests, edges added and removed.
pub(crate) fn mock_stats(base: &str) -> Result<serde_json::Value, String> {
    let host = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    write!(stream, "GET /_mock/stats HTTP/1.0\r\nHost: {host}\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    stream
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(body).map_err(|e| format!("no stats in {text}: {e}"))
}

/// CPU seconds (user + system) of this process's waited-for children, from /proc/self/stat
/// (`cutime`, `cstime`, in clock ticks of 1/100 s, Linux's USER_HZ).
pub(crate) fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the line, 14 and 15 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(13) + ticks(14)) / 100.0
}

/// Runs a command; returns (wall time, peak RSS in KiB from /proc's VmHWM, stdout). Exit 3
/// (some records not applied) counts as a run, for the mixed-validity scenario.
pub(crate) fn measure(command: &mut Command) -> Result<(Duration, u64, String), String> {
    measure_cpu(command).map(|(wall, peak, out, _)| (wall, peak, out))
}

/// [`measure`], with the command's CPU seconds (user + system).
pub(crate) fn measure_cpu(command: &mut Command) -> Result<(Duration, u64, String, f64), String> {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id();
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut peak = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let out = reader.join().unwrap_or_default();
    if !status.success() && status.code() != Some(3) {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        return Err(format!("{command:?} failed ({status}): {err}"));
    }
    Ok((wall, peak, out, children_cpu() - cpu_before))
}
