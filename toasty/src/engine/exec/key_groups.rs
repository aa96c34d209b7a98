//! [`KeyGroups`]: the distinct keys of the records at one relation level, each with
//! its group number, in the order first met.
//!
//! Loading a relation groups records by key twice: the records that need the relation
//! (by their source fields), then the related records found (by their target fields).
//! Keys are stored once, flat in one buffer, and found through a hash table of group
//! numbers, so looking up a key allocates nothing and a new key costs no allocation of
//! its own. Keys match by the contract's key order ([`super::kv_items::cmp_values`]):
//! `1` and `1.0` are the same key.

use super::kv_items::{cmp_values, hash_values};
use hashbrown::HashTable;
use std::hash::BuildHasher;
use toasty_core::Value;

/// Distinct keys of `width` values, numbered `0..len()` in the order first met.
pub(super) struct KeyGroups {
    width: usize,
    keys: Vec<Value>,
    table: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl KeyGroups {
    /// No keys yet; each key will have `width` values.
    pub(super) fn new(width: usize) -> KeyGroups {
        KeyGroups {
            width,
            keys: Vec::new(),
            table: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The number of distinct keys.
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    /// The group of `key`, if it was added.
    pub(super) fn get(&self, key: &[Value]) -> Option<usize> {
        let hash = self.hash(key);
        self.table
            .find(hash, |&g| cmp_values(self.key(g), key).is_eq())
            .copied()
    }

    /// The group of `key`, added (its values cloned) if it is new.
    pub(super) fn get_or_add(&mut self, key: &[Value]) -> usize {
        let hash = self.hash(key);
        if let Some(&g) = self
            .table
            .find(hash, |&g| cmp_values(self.key(g), key).is_eq())
        {
            return g;
        }
        let g = self.table.len();
        self.keys.extend(key.iter().take(self.width).cloned());
        let (keys, width, hasher) = (&self.keys, self.width, &self.hasher);
        self.table
            .insert_unique(hash, g, |&x| hash_with(hasher, key_at(keys, width, x)));
        g
    }

    /// The keys' values, key after key in group order.
    pub(super) fn keys(&self) -> &[Value] {
        &self.keys
    }

    fn key(&self, g: usize) -> &[Value] {
        key_at(&self.keys, self.width, g)
    }

    fn hash(&self, key: &[Value]) -> u64 {
        hash_with(&self.hasher, key)
    }
}

fn key_at(keys: &[Value], width: usize, g: usize) -> &[Value] {
    keys.get(g * width..(g + 1) * width).unwrap_or(&[])
}

fn hash_with(hasher: &foldhash::fast::RandomState, key: &[Value]) -> u64 {
    let mut state = hasher.build_hasher();
    hash_values(key, &mut state);
    std::hash::Hasher::finish(&state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_numbered_in_the_order_first_met() {
        let mut groups = KeyGroups::new(2);
        let a = [Value::I64(1), Value::String("a".into())];
        let b = [Value::I64(2), Value::String("a".into())];
        assert_eq!(groups.get_or_add(&a), 0);
        assert_eq!(groups.get_or_add(&b), 1);
        assert_eq!(groups.get_or_add(&a), 0);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.get(&b), Some(1));
        assert_eq!(
            groups.get(&[Value::I64(3), Value::String("a".into())]),
            None
        );
        assert_eq!(groups.keys(), [a, b].concat());
    }

    #[test]
    fn integers_and_equal_floats_are_the_same_key() {
        let mut groups = KeyGroups::new(1);
        assert_eq!(groups.get_or_add(&[Value::I64(7)]), 0);
        assert_eq!(groups.get(&[Value::F64(7.0)]), Some(0));
        assert_eq!(groups.get(&[Value::F64(7.5)]), None);
    }

    #[test]
    fn many_keys_survive_the_table_growing() {
        let mut groups = KeyGroups::new(1);
        for i in 0..10_000 {
            assert_eq!(groups.get_or_add(&[Value::I64(i)]), i as usize);
        }
        for i in 0..10_000 {
            assert_eq!(groups.get(&[Value::I64(i)]), Some(i as usize));
        }
    }
}
