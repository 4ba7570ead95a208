//! `--orgs`: one command over many orgs with one credential (CONTRACT.md section 39). Each org
//! runs the very same command as a single-org run (`--org-id ID`), in its own `jcbulk`
//! process, up to `--org-concurrency` at a time: its own journal, report and exit code, and a
//! failure in one org stops nothing in the others. Output paths must name where each org's file
//! goes (`{org}`, `{org_name}`), or nothing runs. At the end: one summary row per org and the
//! exit code of the worst. `--max-rps` stays per credential: it is shared among the orgs that
//! run at once. Ctrl-C is passed on to every org that runs (each report complete, exit 130).

use crate::cli::Global;
use crate::config::format;
use crate::exit::{CliError, CliResult, Exit};
use futures::StreamExt;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

/// Flags whose value is a file the command writes.
const OUTPUT_FLAGS: [&str; 4] = ["--report", "--journal", "--failed-rows", "--out"];
/// Flags of the fan-out itself, not passed on (with their values).
const OWN_FLAGS: [&str; 5] = ["--orgs", "--org-concurrency", "--output", "-o", "--max-rps"];

/// An org to run in.
#[derive(Debug, Clone)]
struct Org {
    id: String,
    name: String,
}

/// A file-safe form of a name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "_".into()
    } else {
        safe
    }
}

/// The command line without the fan-out's own flags: `(flag, value)` pairs split.
fn passed_on(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
            continue;
        }
        let flag = arg.split('=').next().unwrap_or_default();
        if OWN_FLAGS.contains(&flag) {
            skip = !arg.contains('=');
            continue;
        }
        if arg.starts_with("-o") && arg.len() > 2 && !arg.starts_with("--") {
            continue; // `-ojson`
        }
        out.push(arg.clone());
    }
    out
}

/// The output paths of the command line: each must hold `{org}` or `{org_name}`.
fn check_placeholders(args: &[String]) -> CliResult<Vec<String>> {
    let mut paths = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (arg.as_str(), args.get(i + 1).cloned()),
        };
        if !OUTPUT_FLAGS.contains(&flag) {
            continue;
        }
        let value = value.unwrap_or_default();
        if !value.contains("{org}") && !value.contains("{org_name}") {
            return Err(CliError::invalid(format!(
                "{flag} {value}: with --orgs every org writes its own file: put {{org}} (the org id) or {{org_name}} in the path, e.g. {flag} reports/{{org}}.csv; nothing was run"
            )));
        }
        paths.push(value);
    }
    Ok(paths)
}

fn substitute(text: &str, org: &Org) -> String {
    text.replace("{org}", &org.id)
        .replace("{org_name}", &file_safe(&org.name))
}

/// The orgs `spec` names: `all` (listed), `@FILE` or `ID,ID`; names from the org list.
async fn orgs_of(global: &Global, spec: &str) -> CliResult<Vec<Org>> {
    let client = crate::config::client(global)?;
    let call = jc_bulk::CallOptions::new();
    let listed = client.orgs(&call).list().await;
    let name_of = |id: &str| {
        listed
            .as_ref()
            .ok()
            .and_then(|orgs| orgs.iter().find(|o| o.id.eq_ignore_ascii_case(id)))
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    };
    let ids: Vec<String> = match spec.trim() {
        "all" => listed
            .as_ref()
            .map_err(|e| CliError::other(format!("--orgs all: the orgs cannot be listed: {e}")))?
            .iter()
            .map(|o| o.id.clone())
            .collect(),
        text => {
            let text = match text.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|e| CliError::invalid(format!("--orgs @{file}: {e}")))?,
                None => text.to_owned(),
            };
            text.split([',', '\n', '\r', ' ', '\t'])
                .map(str::trim)
                .filter(|t| !t.is_empty() && !t.starts_with('#'))
                .map(str::to_owned)
                .collect()
        }
    };
    let mut seen = BTreeSet::new();
    let orgs: Vec<Org> = ids
        .into_iter()
        .filter(|id| seen.insert(id.to_ascii_lowercase()))
        .map(|id| Org {
            name: name_of(&id),
            id,
        })
        .collect();
    if orgs.is_empty() {
        return Err(CliError::invalid(format!("--orgs {spec}: no org")));
    }
    Ok(orgs)
}

/// What one org's run came to.
struct Ran {
    org: Org,
    code: i32,
    summary: Map<String, Value>,
    note: Option<String>,
    /// What a read printed (a list of users, groups, ...), kept whole for `-o json`.
    output: Option<Value>,
}

/// The pids of the children that run, to pass Ctrl-C on.
type Running = Arc<Mutex<Vec<u32>>>;

async fn run_org(org: Org, args: Vec<String>, rps: f64, shared: usize, running: Running) -> Ran {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("jcbulk"));
    let mut command = tokio::process::Command::new(exe);
    let mut argv: Vec<OsString> = args.iter().map(|a| substitute(a, &org).into()).collect();
    argv.extend(["--org-id".into(), org.id.clone().into()]);
    argv.extend(["--max-rps".into(), format!("{rps}").into()]);
    argv.extend(["--output".into(), "json".into()]);
    command
        .env(crate::shared_server::SHARED_SERVER_ENV, shared.to_string())
        .args(argv)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Ran {
                org,
                code: 1,
                summary: Map::new(),
                note: Some(format!("cannot start: {e}")),
                output: None,
            };
        }
    };
    let pid = child.id();
    if let Some(pid) = pid {
        running.lock().unwrap_or_else(|p| p.into_inner()).push(pid);
    }
    let output = child.wait_with_output().await;
    if let Some(pid) = pid {
        running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|p| *p != pid);
    }
    let (code, stdout, stderr) = match output {
        Ok(o) => (o.status.code().unwrap_or(130), o.stdout, o.stderr),
        Err(e) => (1, Vec::new(), e.to_string().into_bytes()),
    };
    for line in String::from_utf8_lossy(&stderr).lines() {
        eprintln!("[{}] {line}", org.id);
    }
    let (summary, output) = match serde_json::from_slice::<Value>(&stdout) {
        Ok(Value::Object(object)) => (object, None),
        Ok(other) => (Map::new(), Some(other)),
        Err(_) if stdout.is_empty() => (Map::new(), None),
        Err(_) => (
            Map::new(),
            Some(Value::String(String::from_utf8_lossy(&stdout).into_owned())),
        ),
    };
    Ran {
        org,
        code,
        summary,
        note: None,
        output,
    }
}

/// How bad an exit code is: interrupted, then errors, invalid input, partial, changes, success.
fn severity(code: i32) -> u8 {
    match code {
        0 => 0,
        4 => 1,
        3 => 2,
        2 => 3,
        130 => 5,
        _ => 4,
    }
}

fn exit_of(code: i32) -> Exit {
    match code {
        0 => Exit::Ok,
        2 => Exit::Invalid,
        3 => Exit::Partial,
        4 => Exit::Changes,
        130 => Exit::Interrupted,
        _ => Exit::Error,
    }
}

/// The marker of an org whose run finished (beside its journal), for `--resume`.
fn done_marker(journal: Option<&String>, org: &Org) -> Option<PathBuf> {
    journal.map(|j| PathBuf::from(format!("{}.org-done", substitute(j, org))))
}

/// How the orgs run: the command line passed on, the journal template, the share of the rate.
struct Fanout {
    passed: Vec<String>,
    journal: Option<String>,
    resume: bool,
    rps: f64,
    concurrency: usize,
}

impl Fanout {
    /// The command line of `org`: an org that never started has no journal to resume, so it
    /// runs afresh.
    fn args_of(&self, org: &Org) -> Vec<String> {
        let mut args = self.passed.clone();
        let started = self
            .journal
            .as_ref()
            .map(|j| PathBuf::from(substitute(j, org)))
            .is_some_and(|path| std::fs::metadata(path).is_ok_and(|m| m.len() > 0));
        if self.resume && !started {
            args.retain(|a| a != "--resume");
        }
        args
    }

    /// Runs `orgs`, a few at a time; Ctrl-C is passed on to the running ones and no other
    /// starts. Every org's outcome, and whether it was interrupted.
    async fn run(&self, orgs: Vec<Org>) -> (Vec<Ran>, bool) {
        let running: Running = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let runs = orgs.into_iter().map(|org| {
            let (args, running, stop, rps) =
                (self.args_of(&org), running.clone(), stop.clone(), self.rps);
            let shared = self.concurrency;
            async move {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let note = Some("not started: interrupted".into());
                    return Ran {
                        org,
                        code: 130,
                        summary: Map::new(),
                        note,
                        output: None,
                    };
                }
                run_org(org, args, rps, shared, running).await
            }
        });
        let mut stream =
            std::pin::pin!(futures::stream::iter(runs).buffer_unordered(self.concurrency));
        let mut signal = std::pin::pin!(crate::interrupt::first_signal());
        let mut ran = Vec::new();
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(r) => ran.push(r),
                    None => break,
                },
                () = &mut signal, if !stop.load(std::sync::atomic::Ordering::SeqCst) => {
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                    let pids = running.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    for pid in pids {
                        let _ = std::process::Command::new("kill").args(["-INT", &pid.to_string()]).status();
                    }
                }
            }
        }
        (ran, stop.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// Runs the command line once per org of `spec`.
///
/// # Errors
/// A path without a placeholder or an unknown org list (exit 2), the orgs cannot be listed.
pub async fn run(global: &Global, spec: &str) -> CliResult {
    let args: Vec<String> = std::env::args().skip(1).collect();
    check_placeholders(&args)?;
    let journal = args
        .iter()
        .position(|a| a == "--journal")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--journal=").map(str::to_owned))
        });
    let resume = args.iter().any(|a| a == "--resume");
    let orgs = orgs_of(global, spec).await?;
    let passed = passed_on(&args);
    let concurrency = (global.org_concurrency as usize)
        .clamp(1, 32)
        .min(orgs.len());
    let rps = global.max_rps / concurrency as f64;
    let mut skipped = Vec::new();
    let mut todo = Vec::new();
    for org in orgs {
        match done_marker(journal.as_ref(), &org).filter(|m| resume && m.exists()) {
            Some(_) => skipped.push(org),
            None => todo.push(org),
        }
    }
    let plan = Fanout {
        passed,
        journal: journal.clone(),
        resume,
        rps,
        concurrency,
    };
    let (mut ran, interrupted) = plan.run(todo).await;
    for r in &ran {
        if matches!(r.code, 0 | 3 | 4) {
            if let Some(marker) = done_marker(journal.as_ref(), &r.org) {
                let _ = std::fs::write(marker, r.code.to_string());
            }
        }
    }
    ran.extend(skipped.into_iter().map(|org| Ran {
        org,
        code: 0,
        summary: Map::new(),
        note: Some("finished in an earlier run (--resume)".into()),
        output: None,
    }));
    summary(global, ran, interrupted)
}

/// One row per org: id, name, exit code, the command's own counts; the worst exit code.
fn summary(global: &Global, mut ran: Vec<Ran>, interrupted: bool) -> CliResult {
    ran.sort_by(|a, b| a.org.id.cmp(&b.org.id));
    let mut columns: Vec<String> = vec!["org_id".into(), "name".into(), "exit_code".into()];
    let mut counts = BTreeSet::new();
    for r in &ran {
        counts.extend(
            r.summary
                .iter()
                .filter(|(_, v)| v.is_number())
                .map(|(k, _)| k.clone()),
        );
    }
    columns.extend(counts.iter().cloned());
    columns.push("note".into());
    let rows: Vec<Value> = ran
        .iter()
        .map(|r| {
            let mut row = Map::new();
            row.insert("org_id".into(), json!(r.org.id));
            row.insert("name".into(), json!(r.org.name));
            row.insert("exit_code".into(), json!(r.code));
            for key in &counts {
                row.insert(
                    key.clone(),
                    r.summary.get(key).cloned().unwrap_or(Value::Null),
                );
            }
            row.insert("note".into(), json!(r.note));
            if let Some(output) = &r.output {
                row.insert("output".into(), output.clone());
            }
            Value::Object(row)
        })
        .collect();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let format = format(global);
    crate::output::items(format, &names, &rows)?;
    let printed = ran.iter().any(|r| r.output.is_some());
    if printed && format != crate::cli::Format::Json && !global.quiet {
        eprintln!("each org's output is in the `output` field of `-o json`");
    }
    let worst = ran
        .iter()
        .map(|r| r.code)
        .max_by_key(|c| severity(*c))
        .unwrap_or(0);
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        exit_of(worst)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn own_flags_are_not_passed_on_and_paths_need_a_placeholder() {
        let args = strings(&[
            "users",
            "--orgs",
            "all",
            "create",
            "--csv",
            "u.csv",
            "-o",
            "table",
            "--org-concurrency=2",
            "--report",
            "r/{org}.csv",
        ]);
        assert_eq!(
            passed_on(&args),
            strings(&[
                "users",
                "create",
                "--csv",
                "u.csv",
                "--report",
                "r/{org}.csv"
            ])
        );
        assert!(check_placeholders(&args).is_ok());
        let bad = strings(&["users", "create", "--report=r.csv"]);
        assert!(check_placeholders(&bad)
            .unwrap_err()
            .message
            .contains("{org}"));
        let org = Org {
            id: "0a01".into(),
            name: "Acme / EU".into(),
        };
        assert_eq!(
            substitute("r/{org_name}-{org}.csv", &org),
            "r/Acme___EU-0a01.csv"
        );
        assert_eq!(severity(130).max(severity(1)), 5);
    }
}
