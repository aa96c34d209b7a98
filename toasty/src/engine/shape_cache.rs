//! The implicit statement cache: compiled plans kept per statement shape (see
//! [`super::shape`]) and reused with a new statement's values.
//!
//! A statement is always resolved (`now()`, relation filters) and verified first, so a
//! cached plan never skips a check on the values. Then, for an SQL driver:
//!
//! * hit: the cached plan is copied and the statement's values are put into its
//!   parameter slots (lower, simplify and plan are skipped);
//! * miss: the statement is compiled as usual; the plan is kept as a template only if
//!   the values [`super::shape::parameters`] finds in it are exactly the statement's
//!   values in shape order (else the shape is remembered as not cacheable), so a
//!   template's slots are the statement's parameters and nothing else.
//!
//! Key-value plans are not cached (their fetch keys repeat filter values). The cache is
//! bounded per `Db` ([`StatementCache::new`]): past its capacity the least recently used
//! shape is dropped.

use super::plan::{Plan, Step};
use super::shape::{self, ShapeKey};
use super::Statement;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use toasty_core::driver::{self, Capability, Operation, Template};
use toasty_core::schema::Schema;
use toasty_core::{Error, Result};

/// The default number of shapes a `Db` keeps.
pub const DEFAULT_CAPACITY: usize = 512;

/// Compiled plans by statement shape, shared by a `Db`'s clones, transactions and
/// connections. Not part of the public API (see `Builder::statement_cache`).
#[doc(hidden)]
#[derive(Debug)]
pub struct StatementCache {
    capacity: AtomicUsize,
    map: Mutex<Map>,
}

#[derive(Debug, Default)]
struct Map {
    entries: HashMap<ShapeKey, Slot, BuildHasherDefault<FxHasher>>,
    /// Incremented on every use; an entry's `used` is the tick of its last use.
    tick: u64,
    hits: u64,
    misses: u64,
}

#[derive(Debug)]
struct Slot {
    entry: Entry,
    used: u64,
}

#[derive(Debug, Clone)]
enum Entry {
    /// A plan whose parameter slots hold the values of the statement that made it.
    Template(Arc<Cached>),
    /// Statements of this shape compile to plans that are not templates.
    Uncached,
}

/// The Fx hash (rustc's): a multiply and a rotate per word. Shape keys are short and
/// not chosen by an attacker to collide (they come from the application's statement
/// shapes, not from values), so SipHash's protection buys nothing here and cost about a
/// fifth of a cache hit.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// How often the cache was used (for tests and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Statements whose plan came from the cache.
    pub hits: u64,
    /// Cacheable statements that were compiled (first of their shape, or evicted).
    pub misses: u64,
    /// Shapes held now.
    pub len: usize,
}

impl StatementCache {
    /// A cache of at most `capacity` shapes; `0` turns caching off.
    pub fn new(capacity: usize) -> StatementCache {
        StatementCache {
            capacity: AtomicUsize::new(capacity),
            map: Mutex::new(Map::default()),
        }
    }

    /// The most shapes kept.
    pub fn capacity(&self) -> usize {
        self.capacity.load(Ordering::Relaxed)
    }

    /// Keeps at most `capacity` shapes from now on (`0`: off, and emptied). Shapes past
    /// a smaller capacity are dropped as new ones arrive.
    pub fn set_capacity(&self, capacity: usize) {
        self.capacity.store(capacity, Ordering::Relaxed);
        if capacity == 0 {
            self.clear();
        }
    }

    /// Drops every cached shape (the counters stay).
    pub fn clear(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.entries.clear();
        }
    }

    /// Use counts and size.
    pub fn stats(&self) -> CacheStats {
        match self.map.lock() {
            Ok(map) => CacheStats {
                hits: map.hits,
                misses: map.misses,
                len: map.entries.len(),
            },
            Err(_) => CacheStats::default(),
        }
    }

    fn get(&self, key: &ShapeKey) -> Option<Entry> {
        let mut map = self.map.lock().ok()?;
        map.tick += 1;
        let tick = map.tick;
        let found = map.entries.get_mut(key).map(|slot| {
            slot.used = tick;
            slot.entry.clone()
        });
        match &found {
            Some(Entry::Template(_)) => map.hits += 1,
            Some(Entry::Uncached) => {}
            None => map.misses += 1,
        }
        found
    }

    fn put(&self, key: ShapeKey, entry: Entry) {
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        let capacity = self.capacity();
        if capacity == 0 {
            return;
        }
        while map.entries.len() >= capacity && !map.entries.contains_key(&key) {
            // Least recently used out: a scan, only when a new shape arrives at capacity.
            let oldest = map
                .entries
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(oldest) => map.entries.remove(&oldest),
                None => break,
            };
        }
        map.tick += 1;
        let used = map.tick;
        map.entries.insert(key, Slot { entry, used });
    }
}

/// Where compiled plans are looked up: the `Db`'s shared cache and, for a
/// [`crate::Prepared`] statement, the shapes it keeps for itself.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caches<'a> {
    pub(crate) shared: Option<&'a StatementCache>,
    pub(crate) pinned: Option<&'a Pinned>,
}

/// The plans of a prepared statement, by shape: never evicted, at most
/// [`Pinned::MAX_SHAPES`] (a prepared statement usually has one shape; an optional
/// argument that is sometimes `None` gives two).
#[derive(Debug, Default)]
pub(crate) struct Pinned {
    shapes: Mutex<Vec<(ShapeKey, Entry)>>,
}

impl Pinned {
    const MAX_SHAPES: usize = 16;

    fn get(&self, key: &ShapeKey) -> Option<Entry> {
        let shapes = self.shapes.lock().ok()?;
        shapes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, entry)| entry.clone())
    }

    fn put(&self, key: ShapeKey, entry: Entry) {
        if let Ok(mut shapes) = self.shapes.lock() {
            if shapes.len() < Self::MAX_SHAPES && !shapes.iter().any(|(k, _)| *k == key) {
                shapes.push((key, entry));
            }
        }
    }

    /// The number of shapes kept.
    pub(crate) fn len(&self) -> usize {
        self.shapes.lock().map(|s| s.len()).unwrap_or(0)
    }
}

/// A cached plan.
#[derive(Debug)]
pub(crate) struct Cached {
    plan: Plan,
    /// When the plan is one SQL operation (a `Select`, `Update` or `Delete`): that
    /// operation, kept for the driver, which may keep its serialized form with it. A hit
    /// then sends [`Operation::Cached`] (the template and the new values) instead of a
    /// copy of the plan.
    op: Option<Arc<Template>>,
}

impl Cached {
    fn new(plan: Plan) -> Cached {
        let op = match plan.steps.as_slice() {
            [Step::Op(op @ (Operation::Select(_) | Operation::Update(_) | Operation::Delete(_)))] => {
                Some(Arc::new(Template::new(op.clone())))
            }
            _ => None,
        };
        Cached { plan, op }
    }
}

/// Compiles `stmt` through `caches` (see the module docs); without a cache, or when the
/// caches are off, the same as [`super::compile`].
pub(crate) fn compile_cached(
    caches: Caches<'_>,
    schema: &Schema,
    cap: &Capability,
    mut stmt: Statement,
) -> Result<Plan> {
    super::compile::prepare(schema, cap, &mut stmt)?;
    let shared = caches.shared.filter(|c| c.capacity() > 0);
    if !cap.is_sql() || (shared.is_none() && caches.pinned.is_none()) {
        return super::compile::compile_verified(schema, cap, stmt);
    }
    let Some(key) = shape::shape_of(&stmt) else {
        return super::compile::compile_verified(schema, cap, stmt);
    };
    let found = match caches.pinned.and_then(|p| p.get(&key)) {
        Some(entry) => Some(entry),
        None => {
            let found = shared.and_then(|c| c.get(&key));
            if let (Some(pinned), Some(entry)) = (caches.pinned, &found) {
                pinned.put(key.clone(), entry.clone());
            }
            found
        }
    };
    match found {
        Some(Entry::Template(template)) => instantiate(&template, &mut stmt),
        Some(Entry::Uncached) => super::compile::compile_verified(schema, cap, stmt),
        None => {
            let values = shape::values_of(&mut stmt);
            let mut plan = super::compile::compile_verified(schema, cap, stmt)?;
            let entry = match shape::parameters(&mut plan) {
                Some(found) if found == values => {
                    Entry::Template(Arc::new(Cached::new(plan.clone())))
                }
                _ => Entry::Uncached,
            };
            if let Some(pinned) = caches.pinned {
                pinned.put(key.clone(), entry.clone());
            }
            if let Some(shared) = shared {
                shared.put(key, entry);
            }
            Ok(plan)
        }
    }
}

/// The plan of `stmt` (a statement of the template's shape): the template's operation
/// with the statement's values ([`Operation::Cached`]) when it is one SQL operation,
/// else a copy of the template's plan with the statement's values put in.
pub(crate) fn instantiate(template: &Cached, stmt: &mut Statement) -> Result<Plan> {
    let values = shape::take_values(stmt);
    if let Some(op) = &template.op {
        return Ok(Plan {
            steps: vec![Step::Op(Operation::Cached(driver::Cached {
                template: op.clone(),
                params: values,
            }))],
            output: template.plan.output.clone(),
            load: template.plan.load.clone(),
        });
    }
    let mut plan = template.plan.clone();
    if shape::substitute(&mut plan, values) {
        Ok(plan)
    } else {
        Err(Error::driver(
            "a cached plan has a different number of parameters than its statement; \
             this is a bug in Toasty's statement cache, please report it",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::schema::app::ModelId;
    use toasty_core::stmt::Query;

    fn key(limit: u64) -> ShapeKey {
        let mut q = Query::all(ModelId(0));
        q.limit = Some(limit);
        shape::shape_of(&Statement::Query(q, Vec::new())).expect("cacheable")
    }

    #[test]
    fn least_recently_used_shape_is_dropped_at_capacity() {
        let cache = StatementCache::new(2);
        cache.put(key(1), Entry::Uncached);
        cache.put(key(2), Entry::Uncached);
        assert!(cache.get(&key(1)).is_some());
        cache.put(key(3), Entry::Uncached);
        assert!(
            cache.get(&key(2)).is_none(),
            "2 was the least recently used"
        );
        assert!(cache.get(&key(1)).is_some());
        assert!(cache.get(&key(3)).is_some());
        assert_eq!(cache.stats().len, 2);
        cache.clear();
        assert_eq!(cache.stats().len, 0);
    }
}
