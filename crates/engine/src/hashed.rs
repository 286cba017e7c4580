//! Lookup tables keyed by the 64-bit hash of a string rather than by the string: a million
//! catalog tracks would otherwise hold a million small key strings (a `HashMap<String, _>`
//! entry costs about 100 bytes with its key; an entry here costs 16). A hash can collide, so
//! a lookup yields candidates that the caller checks against the real key.

use std::hash::{DefaultHasher, Hash, Hasher};

/// The 64-bit hash of a key (SipHash with fixed keys: the same in every process).
pub(crate) fn hash_key(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Values by key hash, sorted for binary search; a key's values keep the order they were
/// pushed in.
#[derive(Debug, Default)]
pub(crate) struct HashedTable {
    entries: Vec<(u64, u32)>,
}

impl HashedTable {
    /// A table of `(key hash, value)` pairs, in any order.
    pub(crate) fn new(mut entries: Vec<(u64, u32)>) -> Self {
        // Stable, so that each key's values stay in the order given.
        entries.sort_by_key(|e| e.0);
        entries.shrink_to_fit();
        HashedTable { entries }
    }

    /// The values whose key hashes as `key` does: those of `key`, and rarely of another key
    /// with the same hash.
    pub(crate) fn candidates(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        let h = hash_key(key);
        let start = self.entries.partition_point(|e| e.0 < h);
        self.entries[start..]
            .iter()
            .take_while(move |e| e.0 == h)
            .map(|e| e.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_the_values_of_the_key_in_pushed_order() {
        let keys = ["b", "a", "b", "c", "b"];
        let table = HashedTable::new(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (hash_key(k), i as u32))
                .collect(),
        );
        assert_eq!(table.candidates("b").collect::<Vec<_>>(), [0, 2, 4]);
        assert_eq!(table.candidates("a").collect::<Vec<_>>(), [1]);
        assert_eq!(table.candidates("zz").count(), 0);
        assert_eq!(hash_key("b"), hash_key("b"));
        assert_ne!(hash_key("a"), hash_key("b"));
    }
}
