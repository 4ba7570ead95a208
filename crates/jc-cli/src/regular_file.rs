//! Files jcbulk reads whole (the config, a secret file, a journal) must be regular files of a
//! bounded size: a FIFO would block forever, `/dev/zero` would fill the memory, a directory is a
//! typo. Each is refused with exit 2, naming the flag (or setting) and the file.

use crate::exit::{CliError, CliResult};
use std::io::{BufRead, Read};
use std::path::Path;

/// The largest config file read (1 MiB).
pub const MAX_CONFIG: u64 = 1 << 20;
/// The largest secret file read (8 KiB).
pub const MAX_SECRET: u64 = 8 << 10;
/// The longest journal line read (1 MiB).
pub const MAX_JOURNAL_LINE: u64 = 1 << 20;

/// What `metadata` says the file is, when it is not a regular file.
fn kind(metadata: &std::fs::Metadata) -> Option<&'static str> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Opens `path` for reading if it is a regular file (checked before opening, so that a FIFO
/// is never opened, and again on the open file); `what` names the flag or setting.
///
/// # Errors
/// Not a regular file, or cannot be opened (exit 2).
pub fn open(what: &str, path: &Path) -> CliResult<std::fs::File> {
    let refuse = |why: String| CliError::invalid(format!("{what} {}: {why}", path.display()));
    let metadata = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?;
    if let Some(kind) = kind(&metadata) {
        return Err(refuse(format!("{kind}, not a regular file")));
    }
    let file = std::fs::File::open(path).map_err(|e| refuse(e.to_string()))?;
    let opened = file.metadata().map_err(|e| refuse(e.to_string()))?;
    if let Some(kind) = kind(&opened) {
        return Err(refuse(format!("{kind}, not a regular file")));
    }
    Ok(file)
}

/// The whole of `path`, a regular file of at most `cap` bytes.
///
/// # Errors
/// Not a regular file, larger than `cap`, or unreadable (exit 2).
pub fn read(what: &str, path: &Path, cap: u64) -> CliResult<Vec<u8>> {
    let file = open(what, path)?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::invalid(format!("{what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > cap {
        return Err(CliError::invalid(format!(
            "{what} {}: larger than {cap} bytes; this is not the file meant",
            path.display()
        )));
    }
    Ok(bytes)
}

/// The whole of `path` as text (see [`read`]).
///
/// # Errors
/// As [`read`], or not UTF-8 (exit 2).
pub fn read_text(what: &str, path: &Path, cap: u64) -> CliResult<String> {
    String::from_utf8(read(what, path, cap)?)
        .map_err(|_| CliError::invalid(format!("{what} {}: not UTF-8 text", path.display())))
}

/// Refuses `path` when it exists and is not a regular file (a file about to be created or
/// appended to: a journal).
///
/// # Errors
/// It exists and is not a regular file (exit 2).
pub fn regular_if_present(what: &str, path: &Path) -> CliResult<()> {
    match std::fs::metadata(path) {
        Ok(metadata) => match kind(&metadata) {
            Some(kind) => Err(CliError::invalid(format!(
                "{what} {}: {kind}, not a regular file",
                path.display()
            ))),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

/// Every line `reader` gives (each at most `cap` bytes, its `\n` kept), read one at a time so
/// that no line over the cap is ever held whole; `what` and `path` name it in errors.
///
/// # Errors
/// A line over `cap`, not UTF-8, or unreadable (exit 2).
pub fn lines_of(reader: impl Read, what: &str, path: &Path, cap: u64) -> CliResult<Vec<String>> {
    let mut reader = std::io::BufReader::new(reader);
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let read = (&mut reader)
            .take(cap + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| CliError::invalid(format!("{what} {}: {e}", path.display())))?;
        if read == 0 {
            return Ok(lines);
        }
        if line.len() as u64 > cap {
            return Err(CliError::invalid(format!(
                "{what} {}: line {} is longer than {cap} bytes; this is not a journal",
                path.display(),
                lines.len() + 1
            )));
        }
        let text = String::from_utf8(line).map_err(|_| {
            CliError::invalid(format!(
                "{what} {}: line {} is not UTF-8 text",
                path.display(),
                lines.len() + 1
            ))
        })?;
        lines.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_a_bounded_size() {
        let dir = tempfile::tempdir().unwrap();
        let error = read("--x", dir.path(), 10).unwrap_err();
        assert!(error.message.contains("a directory"), "{}", error.message);
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 11]).unwrap();
        let error = read("--x", &big, 10).unwrap_err();
        assert!(error.message.starts_with("--x "), "{}", error.message);
        assert!(
            error.message.contains("larger than 10 bytes"),
            "{}",
            error.message
        );
        assert_eq!(read("--x", &big, 11).unwrap().len(), 11);
        #[cfg(unix)]
        {
            let error = read("--x", Path::new("/dev/zero"), 10).unwrap_err();
            assert!(error.message.contains("a device"), "{}", error.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !status.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to check
        }
        let error = read("--x", &fifo, 10).unwrap_err();
        assert!(error.message.contains("FIFO"), "{}", error.message);
    }

    #[test]
    fn lines_are_read_one_at_a_time_under_a_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("j");
        std::fs::write(&file, "one\ntwo\nthree").unwrap();
        let lines = |cap| lines_of(open("--j", &file).unwrap(), "--j", &file, cap);
        assert_eq!(lines(10).unwrap(), ["one\n", "two\n", "three"]);
        std::fs::write(&file, format!("one\n{}\n", "x".repeat(20))).unwrap();
        let error = lines(10).unwrap_err();
        assert!(error.message.contains("line 2"), "{}", error.message);
    }
}
