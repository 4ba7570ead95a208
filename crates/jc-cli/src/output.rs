//! Output of lists and summaries in the chosen format: table, json, ndjson, csv.

use crate::cli::Format;
use crate::report::neutralize;
use serde_json::Value;
use std::io::Write;

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A cell for a terminal: control characters (escape sequences a server could send to move the
/// cursor, clear the screen or retitle the window) are shown escaped, never run.
fn safe(text: String) -> String {
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Prints `items` (JSON objects): a table of `columns`, a JSON array, NDJSON, or CSV.
///
/// # Errors
/// A write error on stdout.
pub fn items(format: Format, columns: &[&str], items: &[Value]) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(items)?),
        Format::Ndjson => {
            for item in items {
                writeln!(out, "{}", serde_json::to_string(item)?)?;
            }
            Ok(())
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer
                .write_record(columns)
                .map_err(std::io::Error::other)?;
            for item in items {
                let row: Vec<String> = columns
                    .iter()
                    .map(|c| neutralize(&cell(&item[*c])).into_owned())
                    .collect();
                writer.write_record(row).map_err(std::io::Error::other)?;
            }
            writer.flush()
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| columns.iter().map(|c| safe(cell(&item[*c]))).collect())
                .collect();
            let widths: Vec<usize> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    rows.iter()
                        .map(|r| r[i].chars().count())
                        .chain([c.len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            };
            writeln!(out, "{}", line(columns.to_vec()))?;
            for row in &rows {
                writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
            }
            if rows.is_empty() {
                writeln!(out, "(none)")?;
            }
            Ok(())
        }
    }
}

/// Prints one object: key/value lines for a table, else like [`items`] with one item (JSON as
/// an object, not an array).
///
/// # Errors
/// A write error on stdout.
pub fn object(format: Format, value: &Value) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(value)?),
        Format::Ndjson => writeln!(out, "{}", serde_json::to_string(value)?),
        Format::Csv => {
            drop(out);
            let columns: Vec<&str> = value
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            items(Format::Csv, &columns, std::slice::from_ref(value))
        }
        Format::Table => {
            if let Some(map) = value.as_object() {
                let width = map.keys().map(String::len).max().unwrap_or(0);
                for (key, val) in map {
                    writeln!(out, "{key:<width$}  {}", safe(cell(val)))?;
                }
            }
            Ok(())
        }
    }
}

/// A list printed item by item as the items come (`--no-wait` prints each job id the moment it
/// exists): CSV and NDJSON lines, a JSON array closed by [`Streamed::end`], or table rows of
/// fixed width.
pub struct Streamed {
    format: Format,
    columns: Vec<&'static str>,
    count: usize,
}

impl Streamed {
    /// A list of `columns` in `format`; nothing is printed before the first item.
    pub fn new(format: Format, columns: &[&'static str]) -> Self {
        Self {
            format,
            columns: columns.to_vec(),
            count: 0,
        }
    }

    /// Prints one item (and, before the first, the header or the opening bracket).
    ///
    /// # Errors
    /// A write error on stdout.
    pub fn item(&mut self, item: &Value) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        let first = self.count == 0;
        self.count += 1;
        let cells: Vec<String> = self.columns.iter().map(|c| cell(&item[*c])).collect();
        match self.format {
            Format::Json => {
                let separator = if first { "[\n  " } else { ",\n  " };
                write!(out, "{separator}{}", serde_json::to_string(item)?)?;
            }
            Format::Ndjson => writeln!(out, "{}", serde_json::to_string(item)?)?,
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(&mut out);
                if first {
                    writer
                        .write_record(&self.columns)
                        .map_err(std::io::Error::other)?;
                }
                let safe_cells = cells.iter().map(|c| neutralize(c).into_owned());
                writer
                    .write_record(safe_cells)
                    .map_err(std::io::Error::other)?;
                writer.flush()?;
            }
            Format::Table => {
                if first {
                    writeln!(
                        out,
                        "{}",
                        self.columns
                            .iter()
                            .map(|c| format!("{c:<26}"))
                            .collect::<String>()
                            .trim_end()
                    )?;
                }
                let row: String = cells
                    .into_iter()
                    .map(|c| format!("{:<26}", safe(c)))
                    .collect();
                writeln!(out, "{}", row.trim_end())?;
            }
        }
        out.flush()
    }

    /// Ends the list (closes the JSON array; says `(none)` for an empty table).
    ///
    /// # Errors
    /// A write error on stdout.
    pub fn end(self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match (self.format, self.count) {
            (Format::Json, 0) => writeln!(out, "[]"),
            (Format::Json, _) => writeln!(out, "\n]"),
            (Format::Csv, 0) => writeln!(out, "{}", self.columns.join(",")),
            (Format::Table, 0) => writeln!(out, "(none)"),
            _ => Ok(()),
        }
    }
}

/// Writes `text` and a line break to stdout. A closed pipe (`jcbulk ... | head`) comes back as
/// an error that [`crate::exit::CliError`] turns into a quiet end.
///
/// # Errors
/// A write error on stdout.
pub fn line(text: impl std::fmt::Display) -> std::io::Result<()> {
    writeln!(std::io::stdout().lock(), "{text}")
}

/// Every item of a paged list until it ends or fails: the items read, and the error that cut
/// the list short (the items are printed all the same, then the error).
pub async fn collect_until_error<T>(
    stream: impl futures::Stream<Item = Result<T, jc_bulk::Error>>,
) -> (Vec<T>, Option<jc_bulk::Error>) {
    use futures::StreamExt;
    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => items.push(item),
            Err(error) => return (items, Some(error)),
        }
    }
    (items, None)
}

/// The exit after printing a list that may have been cut short by `error` (exit 1, with how
/// many items were printed).
pub fn list_end(printed: usize, error: Option<jc_bulk::Error>) -> crate::exit::CliResult {
    match error {
        None => Ok(crate::exit::Exit::Ok),
        Some(error) => Err(crate::exit::CliError::other(format!(
            "{error} ({printed} items were printed before it)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(safe("\u{1b}[2Jgone".into()), "\\u{1b}[2Jgone");
        assert_eq!(safe("a\tb\nc".into()), "a\\tb\\nc");
        assert_eq!(safe("plain text, é".into()), "plain text, é");
    }
}
