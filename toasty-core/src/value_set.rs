//! [`ValueSet`]: distinct values under [`Value::same_as`], found in constant time.
//!
//! Deduplicating an `IN` list of 30,000 values (`toasty::limits::MAX_FILTER_VALUES`)
//! by comparing each value with every earlier one takes 450 million comparisons; this
//! set hashes values instead. Floats are hashed by their bits (`-0.0` as `0.0`) and
//! also looked up among the integers they equal (`1 == 1.0`; from 2^53 on, where
//! several integers round to one float, one by one).

use crate::Value;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Values in insertion order, distinct under [`Value::same_as`] when added with
/// [`ValueSet::insert`] (or a list with a hashed index of first positions, with
/// [`ValueSet::push`]).
#[derive(Debug, Default, Clone)]
pub struct ValueSet {
    values: Vec<Value>,
    /// Position of every value that is not a float, by its exact representation (for
    /// these, `same_as` is equality of representations).
    exact: HashMap<Exact, usize>,
    /// Position of every float but NaN (equal to nothing) by its bits, `-0.0` as `0.0`.
    floats: HashMap<u64, usize>,
}

impl ValueSet {
    /// An empty set.
    pub fn new() -> ValueSet {
        ValueSet::default()
    }

    /// The position of the first value `same_as` `v`, if any.
    pub fn position(&self, v: &Value) -> Option<usize> {
        let first = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match v {
            Value::F64(f) if f.is_nan() => None,
            Value::F64(f) => {
                let float = self.floats.get(&float_key(*f)).copied();
                // The integers equal to `f` (`a as f64 == f`): exactly `f` below 2^53,
                // several around larger values (rare: found one by one).
                let int = if f.fract() != 0.0 || !f.is_finite() {
                    None
                } else if f.abs() < TWO_POW_53 {
                    self.exact.get(&Exact(Value::I64(*f as i64))).copied()
                } else {
                    self.values
                        .iter()
                        .position(|x| matches!(x, Value::I64(_) | Value::U64(_)) && x.same_as(v))
                };
                first(float, int)
            }
            Value::I64(a) => first(
                self.exact.get(&Exact(v.clone())).copied(),
                self.floats.get(&float_key(*a as f64)).copied(),
            ),
            Value::U64(a) => first(
                self.exact.get(&Exact(v.clone())).copied(),
                self.floats.get(&float_key(*a as f64)).copied(),
            ),
            _ => self.exact.get(&Exact(v.clone())).copied(),
        }
    }

    /// `true` if a value `same_as` `v` is in the set.
    pub fn contains(&self, v: &Value) -> bool {
        self.position(v).is_some()
    }

    /// Adds `v` unless a value `same_as` it is there; returns `true` if it was added.
    pub fn insert(&mut self, v: Value) -> bool {
        if self.contains(&v) {
            return false;
        }
        self.push(v);
        true
    }

    /// Appends `v` even when a value `same_as` it is there (used as a list: positions
    /// count every value pushed, and [`ValueSet::position`] finds the first).
    pub fn push(&mut self, v: Value) {
        let i = self.values.len();
        if let Value::F64(f) = v {
            if !f.is_nan() {
                self.floats.entry(float_key(f)).or_insert(i);
            }
        } else {
            self.exact.entry(Exact(v.clone())).or_insert(i);
        }
        self.values.push(v);
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.values.len() {
            return;
        }
        self.values.truncate(len);
        self.floats.retain(|_, i| *i < len);
        self.exact.retain(|_, i| *i < len);
    }

    /// The value at position `i`.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.values.get(i)
    }

    /// The values, in insertion order.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.values.iter()
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `true` when the set holds no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, in insertion order.
    pub fn into_vec(self) -> Vec<Value> {
        self.values
    }
}

/// 2^53: every integer of smaller magnitude is an exact `f64`, and no other integer
/// converts to one of them.
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// The key of a float: its bits, with `-0.0` as `0.0` (they are equal).
fn float_key(f: f64) -> u64 {
    if f == 0.0 {
        0.0f64.to_bits()
    } else {
        f.to_bits()
    }
}

impl<'a> IntoIterator for &'a ValueSet {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.values.iter()
    }
}

/// A value that is not a float, hashed and compared by representation.
#[derive(Debug, Clone)]
struct Exact(Value);

impl PartialEq for Exact {
    fn eq(&self, other: &Exact) -> bool {
        self.0 == other.0
    }
}

impl Eq for Exact {}

impl Hash for Exact {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Null => 0u8.hash(state),
            Value::Bool(b) => (1u8, b).hash(state),
            Value::I64(v) => (2u8, v).hash(state),
            Value::U64(v) => (3u8, v).hash(state),
            Value::String(s) => (4u8, s).hash(state),
            Value::Bytes(b) => (5u8, b).hash(state),
            Value::Uuid(u) => (6u8, u).hash(state),
            Value::Timestamp(t) => (7u8, t).hash(state),
            // Never stored here (see `ValueSet::insert`).
            Value::F64(f) => (8u8, f.to_bits()).hash(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedups_like_same_as() {
        let mut s = ValueSet::new();
        assert!(s.insert(Value::I64(1)));
        assert!(!s.insert(Value::F64(1.0)));
        assert!(s.insert(Value::F64(-0.0)));
        assert!(!s.insert(Value::I64(0)));
        assert!(!s.insert(Value::F64(0.0)));
        assert!(s.insert(Value::Timestamp(1)));
        assert!(s.insert(Value::String("a".into())));
        assert!(!s.insert(Value::String("a".into())));
        assert!(s.insert(Value::Null));
        assert!(!s.insert(Value::Null));
        assert_eq!(s.position(&Value::F64(1.0)), Some(0));
        assert_eq!(s.position(&Value::I64(0)), Some(1));
        assert_eq!(s.len(), 4 + 1);
    }

    #[test]
    fn a_list_finds_first_positions_and_truncates() {
        let mut s = ValueSet::new();
        for v in [1, 2, 1, 3] {
            s.push(Value::I64(v));
        }
        assert_eq!(s.position(&Value::I64(1)), Some(0));
        assert_eq!(s.position(&Value::I64(3)), Some(3));
        s.truncate(2);
        assert_eq!(s.position(&Value::I64(3)), None);
        assert_eq!(s.get(1), Some(&Value::I64(2)));
        s.push(Value::I64(3));
        assert_eq!(s.position(&Value::I64(3)), Some(2));
    }

    #[test]
    fn floats_and_integers_meet() {
        let mut s = ValueSet::new();
        s.push(Value::F64(2.0));
        s.push(Value::I64(9_007_199_254_740_993));
        s.push(Value::F64(f64::NAN));
        assert_eq!(s.position(&Value::I64(2)), Some(0));
        assert_eq!(s.position(&Value::F64(9_007_199_254_740_992.0)), Some(1));
        assert_eq!(s.position(&Value::F64(f64::NAN)), None);
        assert_eq!(s.position(&Value::F64(2.5)), None);
        for (i, v) in s.iter().enumerate() {
            if !matches!(v, Value::F64(f) if f.is_nan()) {
                assert_eq!(s.position(v), Some(i));
            }
        }
    }

    #[test]
    fn thirty_thousand_values_quickly() {
        let mut s = ValueSet::new();
        for i in 0..30_000 {
            s.insert(Value::I64(i % 20_000));
        }
        assert_eq!(s.len(), 20_000);
        assert_eq!(s.position(&Value::I64(19_999)), Some(19_999));
        let mut f = ValueSet::new();
        for i in 0..30_000 {
            f.insert(Value::F64((i % 20_000) as f64 / 4.0));
        }
        assert_eq!(f.len(), 20_000);
    }
}
