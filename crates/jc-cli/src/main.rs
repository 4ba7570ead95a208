//! `jcbulk`: parse, run, exit with the command's code.

use jc_cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let parsed = jc_cli::command()
        .try_get_matches()
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            if let Some(hint) = jc_cli::usage_hint(&error) {
                eprintln!("\nhint: {hint}");
            }
            // Help and version are not errors; usage errors are exit 2.
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    jc_cli::init_logging(&cli.logging);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("jcbulk: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(jc_cli::run(&cli));
    if let Err(error) = &result {
        // A closed stdout pipe has an empty message: nothing to say.
        for line in error.message.lines() {
            eprintln!("jcbulk: {line}");
        }
    }
    ExitCode::from(jc_cli::exit_code(&result) as u8)
}
