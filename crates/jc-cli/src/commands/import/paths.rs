//! No output may be the input or another output: `--report`, `--failed-rows` and `--journal`
//! that resolve to `--csv` or to each other are refused before anything is read or sent. Files
//! that exist are compared by identity (device and inode: a symlink, a hard link or another
//! spelling of the same file is caught); files that do not exist yet by their absolute path.

use crate::cli::RunArgs;
use crate::exit::{CliError, CliResult};
use std::path::{Path, PathBuf};

/// What makes two paths the same file.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file: device and inode.
    Inode(u64, u64),
    /// A file to be created: its absolute path (the directory resolved).
    Path(PathBuf),
}

fn identity(path: &Path) -> Identity {
    if let Ok(metadata) = std::fs::metadata(path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return Identity::Inode(metadata.dev(), metadata.ino());
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            if let Ok(canonical) = path.canonicalize() {
                return Identity::Path(canonical);
            }
        }
    }
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    Identity::Path(parent.canonicalize().unwrap_or(parent).join(name))
}

/// Refuses (exit 2) any two of `--csv`, `--report`, `--failed-rows` and `--journal` that are
/// the same file.
///
/// # Errors
/// The pair, named by their flags.
pub fn refuse_clobbering(input: Option<&Path>, args: &RunArgs) -> CliResult<()> {
    let named: Vec<(&str, &Path)> = [
        ("--csv", input),
        ("--report", args.report.as_deref()),
        ("--failed-rows", args.failed_rows.as_deref()),
        ("--journal", args.journal.as_deref()),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.map(|p| (flag, p)))
    .collect();
    let identities: Vec<Identity> = named.iter().map(|(_, path)| identity(path)).collect();
    for (i, (first, first_path)) in named.iter().enumerate() {
        for (j, (second, second_path)) in named.iter().enumerate().skip(i + 1) {
            if identities[i] == identities[j] {
                return Err(CliError::invalid(format!(
                    "{first} {} and {second} {} are the same file: jcbulk would overwrite it; nothing was read or sent",
                    first_path.display(),
                    second_path.display()
                )));
            }
        }
    }
    Ok(())
}
