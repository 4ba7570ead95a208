//! Object ids: 24 hex digits, like JumpCloud's (MongoDB ObjectIds), unique per server.

use std::sync::atomic::{AtomicU64, Ordering};

/// Hands out ids. The first digits say what kind of object it is, the rest count up.
#[derive(Debug, Default)]
pub(crate) struct IdGen {
    next: AtomicU64,
}

/// The kinds of objects that get ids.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    User = 0xa1,
    Job = 0xb2,
    WorkResult = 0xc3,
    Scheduled = 0xd4,
    Group = 0xe5,
}

impl IdGen {
    pub(crate) fn next(&self, kind: Kind) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:02x}{:022x}", kind as u8, n)
    }
}

/// True for 24 hex digits.
pub(crate) fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_object_ids_and_unique() {
        let ids = IdGen::default();
        let a = ids.next(Kind::User);
        let b = ids.next(Kind::Job);
        assert!(is_object_id(&a) && is_object_id(&b));
        assert_ne!(a, b);
        assert!(a.starts_with("a1"));
        assert!(!is_object_id("not-an-id"));
    }
}
