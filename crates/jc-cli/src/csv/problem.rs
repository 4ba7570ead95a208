//! Problems of the input, located by line and column.

use std::fmt;

/// One problem of the input, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line number (1 is the header).
    pub line: u64,
    /// The column or field, when the problem has one.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}: {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A problem of `line` (and `column`).
pub(crate) fn problem(line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}
