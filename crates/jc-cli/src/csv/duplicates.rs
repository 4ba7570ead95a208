//! Duplicate rows: the identifying values (username, e-mail, id) seen on an earlier line.

use super::problem::{problem, Problem};

/// Finds rows that repeat an identifying value (username, e-mail, id) of an earlier row.
///
/// Keeps 16 bytes per value (a 64-bit hash of field and value, and the line), sorted once at the
/// end, so a million-row file costs about 32 MB during the check and nothing after it. Two
/// different values share a hash with a chance of about one in 10^8 for a million rows.
#[derive(Debug, Default)]
pub struct Duplicates {
    seen: Vec<u128>,
}

impl Duplicates {
    /// Notes the row's identifying values.
    pub fn add(&mut self, line: u64, identity: Vec<(&'static str, String)>) {
        for (field, value) in identity {
            let hash = fnv1a(&[field.as_bytes(), value.as_bytes()]);
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            self.seen.push(
                (u128::from(hash) << 64) | (u128::from(field_tag(field)) << 32) | u128::from(line),
            );
        }
    }

    /// A problem for every value seen on an earlier line.
    pub fn problems(mut self) -> Vec<Problem> {
        self.seen.sort_unstable();
        self.seen
            .windows(2)
            .filter(|pair| pair[0] >> 32 == pair[1] >> 32)
            .map(|pair| {
                let (first, line) = (pair[0] as u32, pair[1] as u32);
                let field = FIELD_TAGS[((pair[1] >> 32) as u32 as usize).min(FIELD_TAGS.len() - 1)];
                problem(
                    u64::from(line),
                    Some(field),
                    format!("duplicate row: the same {field} as line {first}"),
                )
            })
            .collect()
    }
}

/// FNV-1a (64 bit) of the parts, each followed by a separator byte.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.iter().chain([&0xff])) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

const FIELD_TAGS: [&str; 3] = ["username", "email", "id"];

fn field_tag(field: &str) -> u32 {
    FIELD_TAGS
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELD_TAGS.len() - 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_seen_on_an_earlier_line_is_a_problem_of_the_later_line() {
        let mut duplicates = Duplicates::default();
        duplicates.add(2, vec![("username", "ada".into()), ("email", "a@x".into())]);
        duplicates.add(3, vec![("username", "bob".into()), ("email", "b@x".into())]);
        duplicates.add(9, vec![("username", "ada".into()), ("email", "c@x".into())]);
        let problems = duplicates.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 9);
        assert_eq!(problems[0].column.as_deref(), Some("username"));
        assert!(
            problems[0].message.contains("line 2"),
            "{}",
            problems[0].message
        );
    }
}
