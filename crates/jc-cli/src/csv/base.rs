//! The `jcbulk_base` column of `users export --for update`: what each row held at export time,
//! so that `users update` sends only the cells the admin changed, and leaves alone a value that
//! changed in JumpCloud since the export (issue 20).
//!
//! A base cell is `b1.` (or `b1s.` for a spreadsheet-safe export) followed by base64url text of
//! 8 bytes per non-empty exported cell: a 32-bit hash of the column's name, then a 32-bit hash of
//! the name and the value (FNV-1a). An empty cell has no entry, and neither has a column the
//! export did not write: both held nothing. Keyed by name, the base survives columns that are
//! moved, removed or added in a spreadsheet. It starts with a letter, so no spreadsheet runs it.

use base64::Engine;
use std::borrow::Cow;

const PLAIN: &str = "b1.";
const SAFE: &str = "b1s.";

/// How an exported file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marking {
    /// Cells as they are.
    #[default]
    Plain,
    /// `--spreadsheet-safe`: cells a spreadsheet would run start with `'`.
    SpreadsheetSafe,
}

/// What one exported row held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Base {
    entries: Vec<(u32, u32)>,
    /// How the row's cells were written.
    pub marking: Marking,
}

fn fnv(parts: &[&[u8]]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash = (hash ^ 0xff).wrapping_mul(0x0100_0193);
        }
        for byte in *part {
            hash = (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193);
        }
    }
    hash
}

fn name_hash(name: &str) -> u32 {
    fnv(&[name.as_bytes()])
}

fn value_hash(name: &str, value: &str) -> u32 {
    fnv(&[name.as_bytes(), value.as_bytes()])
}

impl Base {
    /// The base of a row of `cells` (column name, value; unprotected values).
    pub fn of<'a>(cells: impl IntoIterator<Item = (&'a str, &'a str)>, marking: Marking) -> Self {
        let mut entries: Vec<(u32, u32)> = cells
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name_hash(name), value_hash(name, value)))
            .collect();
        entries.sort_unstable();
        Self { entries, marking }
    }

    /// The cell's text.
    pub fn encode(&self) -> String {
        let bytes: Vec<u8> = self
            .entries
            .iter()
            .flat_map(|(name, value)| name.to_be_bytes().into_iter().chain(value.to_be_bytes()))
            .collect();
        let prefix = match self.marking {
            Marking::Plain => PLAIN,
            Marking::SpreadsheetSafe => SAFE,
        };
        format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    /// Reads a base cell; an empty cell is no base (the row was added after the export).
    ///
    /// # Errors
    /// Text that is not a base cell (edited, or from another tool).
    pub fn decode(text: &str) -> Result<Option<Self>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (marking, rest) = if let Some(rest) = text.strip_prefix(SAFE) {
            (Marking::SpreadsheetSafe, rest)
        } else if let Some(rest) = text.strip_prefix(PLAIN) {
            (Marking::Plain, rest)
        } else {
            return Err(unreadable());
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(rest)
            .map_err(|_| unreadable())?;
        if bytes.len() % 8 != 0 {
            return Err(unreadable());
        }
        let word = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let entries = bytes
            .chunks_exact(8)
            .map(|e| (word(&e[..4]), word(&e[4..])))
            .collect();
        Ok(Some(Self { entries, marking }))
    }

    /// Whether column `name` held `value` at export time (an empty value: it held nothing).
    pub fn held(&self, name: &str, value: &str) -> bool {
        let name_hash = name_hash(name);
        let start = self.entries.partition_point(|(n, _)| *n < name_hash);
        let mut held = self.entries[start..]
            .iter()
            .take_while(|(n, _)| *n == name_hash);
        if value.is_empty() {
            return held.next().is_none();
        }
        let value_hash = value_hash(name, value);
        held.any(|(_, v)| *v == value_hash)
    }
}

fn unreadable() -> String {
    format!("not a base written by `jcbulk users export --for update` (leave the {} column as exported, or empty for a new row)", super::BASE_COLUMN)
}

/// Whether a base cell marks its row as written by a spreadsheet-safe export.
pub(super) fn is_safe(cell: &str) -> bool {
    cell.trim_start().starts_with(SAFE)
}

/// Whether a spreadsheet would run a cell that starts with `c` as a formula.
fn runs(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell of a spreadsheet-safe export: `'` before a cell a spreadsheet would run, and before a
/// cell that starts with `'` (so that [`unprotect`] gives back exactly the value).
pub fn protect(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if runs(c) || c == '\'' => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The value of a cell of a spreadsheet-safe export ([`protect`] undone). A cell whose prefix a
/// spreadsheet already removed is taken as it is.
pub fn unprotect(cell: &str) -> &str {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some(c)) if runs(c) || c == '\'' => &cell[1..],
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_tells_what_each_column_held() {
        let cells = [("department", "R&D"), ("state", "SUSPENDED"), ("title", "")];
        let base = Base::of(cells, Marking::Plain);
        let text = base.encode();
        assert!(text.starts_with("b1."), "{text}");
        let read = Base::decode(&text).unwrap().unwrap();
        assert_eq!(read, base);
        assert!(read.held("department", "R&D"));
        assert!(!read.held("department", "Sales"));
        assert!(!read.held("department", ""));
        assert!(read.held("title", ""), "an empty cell held nothing");
        assert!(read.held("attributes.new", ""), "nor did a new column");
        assert!(!read.held("attributes.new", "x"));
        assert_eq!(Base::decode(" ").unwrap(), None);
        assert!(Base::decode("=1+1").is_err());
        assert!(Base::decode("b1.AAAA").is_err());
        let safe = Base::of([("a", "b")], Marking::SpreadsheetSafe).encode();
        assert!(safe.starts_with("b1s."), "{safe}");
        let read = Base::decode(&safe).unwrap().unwrap();
        assert_eq!(read.marking, Marking::SpreadsheetSafe);
    }

    #[test]
    fn protection_round_trips_every_value() {
        for value in [
            "=cmd|' /C calc'!A0",
            "+44 20 7946 0000",
            "-5",
            "@home",
            "\tx",
            "'quoted",
            "''",
            "'=x",
            "plain",
            "",
            "0012",
        ] {
            let protected = protect(value);
            if let Some(first) = protected.chars().next() {
                assert!(!runs(first), "{protected:?}");
            }
            assert_eq!(unprotect(&protected), value, "{value:?}");
        }
        // A prefix a spreadsheet removed on the way: the cell is taken as it is.
        assert_eq!(unprotect("+44 20"), "+44 20");
        assert_eq!(unprotect("'abc"), "'abc");
    }
}
