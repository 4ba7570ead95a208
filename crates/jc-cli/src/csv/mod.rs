//! CSV in: a header row of the bulk-user schemas' JSON field names (case-insensitive),
//! `attributes.NAME`, `phoneNumbers.TYPE`, `addresses.TYPE.FIELD`, `recoveryEmail.address`,
//! `mfa.FIELD`; JSON text in a column of an array or object field. Booleans take
//! true/false/yes/no/1/0; an empty cell leaves the field unset; a UTF-8 byte-order mark is
//! ignored. Rows stream: memory does not grow with the file.
//!
//! The module owns the column convention in both directions: [`columns`](self) is the one table
//! the reader and the export read; `emit` writes an exported user's cells with it.

mod base;
mod cells;
mod columns;
mod duplicates;
mod emit;
mod file;
mod header;
mod problem;

pub use base::{protect, unprotect, Base, Marking};
pub use cells::{can_clear, cell_edit};
pub use columns::{template, Column, Kind, Ty, BASE_COLUMN, CLEAR, GROUPS_COLUMN, READ_ONLY};
pub use duplicates::Duplicates;
pub use emit::{cells, order};
pub use file::{CsvFile, Row};
pub use header::{parse_header, Header};
pub use problem::Problem;
