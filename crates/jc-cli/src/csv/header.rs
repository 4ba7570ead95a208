//! The header row: every column known, none repeated.

use super::columns::{classify, Column, Kind};
use super::problem::{problem, Problem};
use std::collections::HashMap;

/// The header, understood.
#[derive(Debug, Clone)]
pub struct Header {
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<Column>,
    pub(super) kind: Kind,
}

impl Header {
    /// The column names as written (BOM removed).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// What each column feeds, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The position of the `jcbulk_base` column, if the file has one.
    pub fn base(&self) -> Option<usize> {
        self.columns.iter().position(|c| *c == Column::Base)
    }
}

/// Understands the header row: every column must be known.
///
/// # Errors
/// Every unknown column, or a first row that holds no column name at all (no header).
pub fn parse_header(kind: Kind, record: &::csv::StringRecord) -> Result<Header, Vec<Problem>> {
    let names: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = if i == 0 {
                n.trim_start_matches('\u{feff}')
            } else {
                n
            };
            // An attribute's name is exact (spaces kept); any other name is trimmed.
            match super::columns::attribute_name(n) {
                Some(_) => n.trim_start().to_owned(),
                None => n.trim().to_owned(),
            }
        })
        .collect();
    let classified: Vec<Option<Column>> = names.iter().map(|n| classify(kind, n)).collect();
    if classified.iter().all(Option::is_none) {
        let example = match kind {
            Kind::Create => {
                "username,email,firstname,lastname (see `jcbulk users template create`)"
            }
            Kind::Update => "id,department (see `jcbulk users template update`)",
            Kind::Target => "id",
        };
        return Err(vec![problem(1, None, format!("no header row: the first line holds no column name; expected names such as {example}"))]);
    }
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, (name, column)) in names.iter().zip(&classified).enumerate() {
        if column.is_none() {
            problems.push(problem(1, Some(name), "unknown column"));
        }
        // Attribute names and entry types are case-sensitive: `attributes.Case` and
        // `attributes.case` are two columns (an export may write both, for two users).
        let key = match column {
            Some(Column::Attribute(attribute)) => format!("attributes.{attribute}"),
            Some(Column::Phone(kind)) => format!("phonenumbers.{kind}"),
            Some(Column::Address(kind, field)) => format!("addresses.{kind}.{field}"),
            _ => name.to_ascii_lowercase(),
        };
        if let Some(first) = seen.insert(key, i) {
            problems.push(problem(
                1,
                Some(name),
                format!("repeats column {}", first + 1),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Header {
        names,
        columns: classified.into_iter().flatten().collect(),
        kind,
    })
}
