//! The bytes under the CSV parser: a reader that counts physical lines (LF and CRLF, blank lines,
//! line breaks inside quoted fields), follows quoting to find a quoted field still open at the
//! end, refuses a record over the size limit before the parser buffers it, hashes the content,
//! and can copy every byte it reads to a spool file. The CSV parser's own line numbers are wrong
//! for CRLF files and after blank lines; these are the lines an editor shows.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};

/// Limits on the input (the `--csv` file or standard input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one record (one row, with its quoted line breaks) may have. 1 MiB.
    pub max_record_bytes: u64,
    /// The most columns a row may have. 10,000.
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_record_bytes: 1 << 20,
            max_columns: 10_000,
        }
    }
}

/// What the reader has seen so far; shared with the CSV file that asks for line numbers.
#[derive(Debug, Default)]
pub struct Seen {
    /// Bytes read.
    offset: u64,
    /// Line breaks read so far.
    newlines: u64,
    /// `(offset, start of the run of CR/LF bytes that ends with it)` of each LF not yet passed
    /// by a record: bounded by the parser's read-ahead.
    pending: VecDeque<(u64, u64)>,
    /// Line breaks before the first pending one.
    passed: u64,
    /// Where the current run of CR/LF bytes started.
    run: Option<u64>,
    /// Inside a quoted field, and the line where it opened.
    quoted: Option<u64>,
    /// The previous byte.
    previous: Option<u8>,
    /// Bytes since the last line break outside quotes: the record being read.
    record_bytes: u64,
    /// The line the current record started on.
    record_line: u64,
    /// FNV-1a of every byte.
    hash: u64,
    /// Why reading stopped early.
    refused: Option<(u64, String)>,
}

impl Seen {
    fn new() -> Self {
        Self {
            hash: 0xcbf2_9ce4_8422_2325,
            record_line: 1,
            ..Self::default()
        }
    }

    fn take(&mut self, byte: u8) {
        let offset = self.offset;
        self.offset += 1;
        self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        self.record_bytes += 1;
        if byte == b'\r' || byte == b'\n' {
            let run = *self.run.get_or_insert(offset);
            if byte == b'\n' {
                self.pending.push_back((offset, run));
                self.newlines += 1;
                if self.quoted.is_none() {
                    self.record_bytes = 0;
                    self.record_line = self.newlines + 1;
                }
            }
        } else {
            self.run = None;
        }
        if byte == b'"' {
            let at_field_start = matches!(self.previous, None | Some(b',' | b'\n' | b'\r' | b'"'));
            self.quoted = match self.quoted {
                Some(_) => None,
                None if at_field_start => Some(self.newlines + 1),
                None => None,
            };
        }
        self.previous = Some(byte);
    }

    /// The physical line (from 1) of the first byte of content at or after `offset`, where the
    /// parser started a record: line breaks and blank lines before it are passed over.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        while let Some(&(at, run)) = self.pending.front() {
            if at < offset || run <= offset {
                self.pending.pop_front();
                self.passed += 1;
            } else {
                break;
            }
        }
        self.passed + 1
    }

    /// The line where a quoted field opened that was still open when the input ended.
    pub fn unclosed_quote(&self) -> Option<u64> {
        self.quoted
    }

    /// Why the reader stopped early: (line, message).
    pub fn refused(&self) -> Option<&(u64, String)> {
        self.refused.as_ref()
    }

    /// The content hash (FNV-1a 64 of every byte) and size read so far.
    pub fn fingerprint(&self) -> (u64, u64) {
        (self.hash, self.offset)
    }
}

/// A handle on what a [`Tracked`] reader has seen.
#[derive(Debug, Clone)]
pub struct Tracker(Arc<Mutex<Seen>>);

impl Tracker {
    /// The state, locked.
    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A reader that tracks lines, quotes and record sizes, hashes, and optionally spools.
pub struct Tracked<R> {
    inner: R,
    spool: Option<Box<dyn Write + Send>>,
    seen: Tracker,
    limits: Limits,
}

impl<R: Read> Tracked<R> {
    /// Tracks `inner`; every byte read is also written to `spool`, if any.
    pub fn new(inner: R, spool: Option<Box<dyn Write + Send>>, limits: Limits) -> Self {
        Self {
            inner,
            spool,
            seen: Tracker(Arc::new(Mutex::new(Seen::new()))),
            limits,
        }
    }

    /// A handle to ask for lines and the fingerprint.
    pub fn tracker(&self) -> Tracker {
        self.seen.clone()
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if let Some((_, message)) = self.seen.seen().refused() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                message.clone(),
            ));
        }
        let read = self.inner.read(buffer)?;
        let mut seen = self.seen.seen();
        for &byte in &buffer[..read] {
            seen.take(byte);
            if seen.record_bytes > self.limits.max_record_bytes {
                let line = seen.record_line;
                let message = format!(
                    "the record starting on this line is over {} bytes (1 MiB): is this a CSV file?",
                    self.limits.max_record_bytes
                );
                seen.refused = Some((line, message.clone()));
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    message,
                ));
            }
        }
        drop(seen);
        if let Some(spool) = &mut self.spool {
            spool.write_all(&buffer[..read])?;
            if read == 0 {
                spool.flush()?;
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The physical line of each record `csv` reports in `text`.
    fn lines(text: &str) -> (Vec<u64>, Option<u64>) {
        let tracked = Tracked::new(text.as_bytes(), None, Limits::default());
        let tracker = tracked.tracker();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tracked);
        let mut record = csv::StringRecord::new();
        let mut found = Vec::new();
        while reader.read_record(&mut record).unwrap() {
            let byte = record.position().map_or(0, |p| p.byte());
            found.push(tracker.seen().line_at(byte));
        }
        let open = tracker.seen().unclosed_quote();
        (found, open)
    }

    #[test]
    fn physical_lines_with_lf_crlf_blank_lines_and_quoted_breaks() {
        assert_eq!(lines("a,b\n1,2\n3,4\n").0, [1, 2, 3]);
        assert_eq!(lines("a,b\r\n1,2\r\nx,y\r\n").0, [1, 2, 3]);
        assert_eq!(lines("a,b\n1,2\n\n\n3,4\n").0, [1, 2, 5]);
        assert_eq!(lines("a,b\r\n1,2\r\n\r\n\r\n3,4\r\n").0, [1, 2, 5]);
        assert_eq!(lines("\n\na,b\n1,2\n").0, [3, 4]);
        assert_eq!(lines("a,b\n\"x\ny\",2\n5,6\n").0, [1, 2, 4]);
        assert_eq!(lines("a,b\r\n\"x\r\ny\",2\r\n5,6").0, [1, 2, 4]);
    }

    #[test]
    fn an_unclosed_quote_is_found_with_its_line() {
        assert_eq!(lines("a,b\n1,\"open\n7,8\n").1, Some(2));
        assert_eq!(lines("a,b\n1,\"closed \"\"x\"\" \"\n7,8\n").1, None);
        assert_eq!(
            lines("a,b\n1,5'10\"\n7,8\n").1,
            None,
            "a quote inside a field is text"
        );
    }

    #[test]
    fn a_record_over_the_limit_stops_the_reader() {
        let limits = Limits {
            max_record_bytes: 100,
            max_columns: 10,
        };
        let text = format!("a,b\n1,2\n{}\n", "x".repeat(500));
        let mut tracked = Tracked::new(text.as_bytes(), None, limits);
        let mut sink = Vec::new();
        assert!(tracked.read_to_end(&mut sink).is_err());
        assert_eq!(tracked.tracker().seen().refused().unwrap().0, 3);
    }

    #[test]
    fn the_spool_gets_every_byte_and_the_fingerprint_follows_the_content() {
        let spool = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let text = "a,b\n1,2\n";
        let mut tracked = Tracked::new(
            text.as_bytes(),
            Some(Box::new(Shared(spool.clone()))),
            Limits::default(),
        );
        std::io::copy(&mut tracked, &mut std::io::sink()).unwrap();
        assert_eq!(spool.lock().unwrap().as_slice(), text.as_bytes());
        let (hash, size) = tracked.tracker().seen().fingerprint();
        assert_eq!(size, 8);
        let other = Tracked::new("a,b\n1,3\n".as_bytes(), None, Limits::default());
        let mut other_reader = other;
        std::io::copy(&mut other_reader, &mut std::io::sink()).unwrap();
        assert_ne!(other_reader.tracker().seen().fingerprint().0, hash);
    }
}
