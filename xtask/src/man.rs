//! `cargo xtask man`: a man page for `jcbulk` and every subcommand (clap_mangen), written to
//! `target/man/` (`jcbulk.1`, `jcbulk-users-create.1`, ...).

use std::path::{Path, PathBuf};

fn write(
    command: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), String> {
    // clap takes static names; this tool runs once and exits.
    let command = command
        .clone()
        .name(&*Box::leak(name.to_owned().into_boxed_str()));
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(|e| format!("{name}: {e}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).map_err(|e| format!("{}: {e}", path.display()))?;
    written.push(path);
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        write(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

/// Writes every page; returns their paths.
pub fn run() -> Result<Vec<PathBuf>, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|root| root.join("target").join("man"))
        .ok_or("no workspace root")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    write(&jc_cli::command(), "jcbulk", &dir, &mut written)?;
    eprintln!("xtask man: {} pages in {}", written.len(), dir.display());
    Ok(written)
}
