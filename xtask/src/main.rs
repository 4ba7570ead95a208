//! Project automation: `cargo xtask ci` runs exactly what CI runs; `bench` measures; `fuzz`
//! hammers the parsers.

mod bench;
mod groups_bench;
mod lower_bound;
mod man;
mod orgs_bench;
mod process;
mod realistic;
mod sync_bench;
mod update_diff;

use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <ci|fmt|lint|test|package|bench|fuzz|man>

  ci    cargo fmt --check, clippy -D warnings, jc-bulk without hyper, docs (warnings denied),
        the library crates packaged, the workspace tests
        (what .ci/run runs)
  package  cargo package of jc-models, jc-transport, jc-bulk and jc-mock
  fmt   cargo fmt --all -- --check
  lint  cargo clippy --workspace --all-targets -- -D warnings
  test  cargo test --workspace --locked
  bench [--users N] [--memory-rows N] [--no-micro] [--no-realistic] [--no-update-diff]
        [--only-update-diff] [--groups-users N] [--only-groups] [--no-sync] [--only-sync]
        [--no-orgs] [--only-orgs]
        release builds; import vs raw lower bound, memory, update-diff (partial updates),
        groups (memberships, export --with-groups), sync (desired state), orgs (many orgs), microbenchmarks; prints a table and writes target/bench/report.json
  fuzz  [--seconds N]  the fuzz tests with many cases, for a bounded time
  man   man pages of jcbulk and every subcommand into target/man/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().cloned().unwrap_or_default();
    let rest = args.get(1..).unwrap_or_default();
    let special = match task.as_str() {
        "bench" => Some(bench::run(rest)),
        "lower-bound" => Some(lower_bound::run(rest)),
        "fuzz" => Some(fuzz(rest)),
        "man" => Some(man::run().map(drop)),
        _ => None,
    };
    if let Some(outcome) = special {
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("xtask {task}: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let steps: &[&[&str]] = match task.as_str() {
        "ci" => &[FMT, CLIPPY, NO_HYPER, DOC, PACKAGE, TEST],
        "package" => &[PACKAGE],
        "fmt" => &[FMT],
        "lint" => &[CLIPPY],
        "test" => &[TEST],
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    for step in steps {
        if *step == PACKAGE {
            clear_stale_package_sources();
        }
        if !run(step) {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Removes cargo's extractions of our crates from the local registry it verifies packages
/// through (`$CARGO_HOME/registry/src/-<hash>/jc-*`): cargo never refreshes an extraction of an
/// unchanged version, so an old one would be verified against instead of the package just made.
fn clear_stale_package_sources() {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")));
    let Some(sources) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(&sources) else {
        return;
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for krate in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if krate.file_name().to_string_lossy().starts_with("jc-") {
                let _ = std::fs::remove_dir_all(krate.path());
            }
        }
    }
}

const FMT: &[&str] = &["fmt", "--all", "--", "--check"];
const CLIPPY: &[&str] = &[
    "clippy",
    "--workspace",
    "--all-targets",
    "--",
    "-D",
    "warnings",
];
const TEST: &[&str] = &["test", "--workspace", "--locked"];
/// The library crates, packaged (and built from their packages) in dependency order, so that a
/// crate that would not publish fails CI.
const PACKAGE: &[&str] = &[
    "package",
    "--locked",
    "-p",
    "jc-models",
    "-p",
    "jc-transport",
    "-p",
    "jc-bulk",
    "-p",
    "jc-mock",
];
const DOC: &[&str] = &["doc", "--workspace", "--no-deps", "--locked"];
const NO_HYPER: &[&str] = &[
    "check",
    "-p",
    "jc-bulk",
    "--no-default-features",
    "--locked",
];

fn run(args: &[&str]) -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: cargo {}", args.join(" "));
    // Docs are built with warnings denied, like everything else.
    match Command::new(cargo)
        .args(args)
        .env("RUSTDOCFLAGS", "-D warnings")
        .status()
    {
        Ok(status) => status.success(),
        Err(error) => {
            eprintln!("xtask: cannot run cargo: {error}");
            false
        }
    }
}

/// Runs the fuzz tests (`fuzz::` in the jc-e2e test binary) with many cases until `--seconds`
/// (default 60) have passed. Failures are kept by proptest as regression seeds.
fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds: u64 = match args {
        [flag, value] if flag == "--seconds" => value
            .parse()
            .map_err(|_| "--seconds takes a number".to_owned())?,
        [] => 60,
        _ => return Err("usage: cargo xtask fuzz [--seconds N]".into()),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut round = 0u64;
    while std::time::Instant::now() < deadline {
        round += 1;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "test",
                "--release",
                "-p",
                "jc-e2e",
                "--test",
                "it",
                "fuzz::",
                "--",
                "--quiet",
            ])
            .env("JC_FUZZ_CASES", "20000")
            .env("JC_FUZZ_SEED", round.to_string())
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!(
                "round {round} found a failing input (see the test output)"
            ));
        }
    }
    eprintln!("xtask fuzz: {round} rounds of 20,000 cases per target, no failure");
    Ok(())
}
