//! Project automation: `cargo xtask ci` runs exactly what CI runs.

use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <ci|fmt|lint|test>

  ci    cargo fmt --check, clippy -D warnings, jc-bulk without hyper, the workspace tests
        (what .ci/run runs)
  fmt   cargo fmt --all -- --check
  lint  cargo clippy --workspace --all-targets -- -D warnings
  test  cargo test --workspace --locked";

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let steps: &[&[&str]] = match task.as_str() {
        "ci" => &[FMT, CLIPPY, NO_HYPER, TEST],
        "fmt" => &[FMT],
        "lint" => &[CLIPPY],
        "test" => &[TEST],
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    for step in steps {
        if !run(step) {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
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
    match Command::new(cargo).args(args).status() {
        Ok(status) => status.success(),
        Err(error) => {
            eprintln!("xtask: cannot run cargo: {error}");
            false
        }
    }
}
