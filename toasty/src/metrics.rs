//! Counters and latency histograms of what a [`crate::Db`] did, per phase and per kind
//! of statement and driver operation.
//!
//! Collection is off unless the `Db` is built with [`crate::Builder::metrics`]`(true)`;
//! off, each statement pays one branch on a field it already reads. On, every
//! statement adds a handful of relaxed atomic increments and clock readings, with no
//! lock and no allocation. [`crate::Db::metrics`] takes a [`Metrics`] snapshot at any
//! time (every clone of a `Db` shares one registry); its `Display` prints a table:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> toasty::Result<()> {
//! # #[derive(Debug, toasty::Model)]
//! # struct User { #[key] #[auto] id: u64, name: String }
//! use toasty::metrics::{Phase, StatementKind};
//!
//! let mut db = toasty::Db::builder()
//!     .models(toasty::models!(User))
//!     .metrics(true)
//!     .connect("memory:")
//!     .await?;
//! db.push_schema().await?;
//! let ada = toasty::create!(User { name: "Ada" }).exec(&mut db).await?;
//! User::get_by_id(&mut db, ada.id).await?;
//!
//! let m = db.metrics();
//! assert_eq!(m.statement(StatementKind::Create).count(), 1);
//! assert_eq!(m.statement(StatementKind::Query).rows(), 1);
//! assert_eq!(m.operation("insert").count(), 1);
//! assert_eq!(m.phase(Phase::Plan).count(), 2);
//! println!("{m}");
//! # Ok(())
//! # }
//! ```
//!
//! What is counted:
//!
//! * **statements** by [`StatementKind`]: how many ran, how many failed, the records they
//!   returned or the count they produced (`rows`), and their duration from the moment
//!   the engine got them (planning, waiting for a connection, driver operations,
//!   loading relations) to their outcome;
//! * **driver operations** by name (`insert`, `select`, `get by key`, `query by
//!   partition key`, `transactional write`, `raw sql`, ...; see
//!   [`Metrics::operations`]): count, failures, rows and duration. Transaction control
//!   (`BEGIN`, `COMMIT`, savepoints) and DDL are not counted;
//! * **phases** ([`Phase`]): a duration sample each time a phase runs, so
//!   `phase(p).sum()` is the total time spent in it. `Build` and `Load` are the typed
//!   API's own work (building the statement from the builder, turning outcomes into
//!   models); statements of the untyped API have neither.
//!
//! Histograms have power-of-two buckets in nanoseconds (1 ns .. ~9 minutes), so a
//! quantile is exact to within a factor of two; `count`, `sum` and `max` are exact.
//!
//! With the `metrics` feature, the same measurements also go to the [`metrics`] crate's
//! facade (for a Prometheus or StatsD exporter the application installs), under these
//! names, when collection is on:
//!
//! | name | type | labels |
//! |---|---|---|
//! | `toasty_statements_total` | counter | `kind` |
//! | `toasty_statement_errors_total` | counter | `kind` |
//! | `toasty_statement_rows_total` | counter | `kind` |
//! | `toasty_statement_duration_seconds` | histogram | `kind` |
//! | `toasty_driver_operations_total` | counter | `op` |
//! | `toasty_driver_operation_errors_total` | counter | `op` |
//! | `toasty_driver_operation_duration_seconds` | histogram | `op` |
//! | `toasty_phase_duration_seconds` | histogram | `phase` |
//!
//! [`metrics`]: https://docs.rs/metrics

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use toasty_core::driver::Operation;

/// Power-of-two buckets: bucket `i` holds samples of at most `2^i` ns (the last one
/// everything longer).
const BUCKETS: usize = 40;

/// A phase of running a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Building the model-level statement from a typed builder (before the engine).
    Build,
    /// Compiling a statement into a plan: verify, lower, simplify, plan.
    Plan,
    /// One driver operation, from the call to its answer.
    Driver,
    /// Turning a statement's outcome into models (or the value the terminal returns).
    Load,
}

impl Phase {
    /// Every phase, in the order a statement goes through them.
    pub const ALL: [Phase; 4] = [Phase::Build, Phase::Plan, Phase::Driver, Phase::Load];

    /// Its name in lower case (`build`, `plan`, `driver`, `load`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Build => "build",
            Phase::Plan => "plan",
            Phase::Driver => "driver",
            Phase::Load => "load",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The kind of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatementKind {
    /// A read: `filter`, `get_by_*`, `count`, `paginate`, ...
    Query,
    /// `create!`, `create_many`, an untyped insert.
    Create,
    /// `update`, `update_by_*`.
    Update,
    /// `delete`, `delete_by_*`.
    Delete,
    /// A [`crate::batch`] (counted once, whatever it holds).
    Batch,
    /// Raw SQL ([`crate::sql`]).
    RawSql,
}

impl StatementKind {
    /// Every kind.
    pub const ALL: [StatementKind; 6] = [
        StatementKind::Query,
        StatementKind::Create,
        StatementKind::Update,
        StatementKind::Delete,
        StatementKind::Batch,
        StatementKind::RawSql,
    ];

    /// Its name in lower case (`query`, `create`, `update`, `delete`, `batch`, `raw sql`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Query => "query",
            StatementKind::Create => "create",
            StatementKind::Update => "update",
            StatementKind::Delete => "delete",
            StatementKind::Batch => "batch",
            StatementKind::RawSql => "raw sql",
        }
    }

    /// The kind named `name` (as the statement span's `kind` field spells it).
    pub(crate) fn from_name(name: &str) -> StatementKind {
        match name {
            "create" => StatementKind::Create,
            "update" => StatementKind::Update,
            "delete" => StatementKind::Delete,
            "batch" => StatementKind::Batch,
            "raw sql" => StatementKind::RawSql,
            _ => StatementKind::Query,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The names driver operations are counted under, in [`Metrics::operations`] order.
const OPERATIONS: [&str; 11] = [
    "insert",
    "select",
    "update",
    "delete",
    "get by key",
    "query by partition key",
    "update by key",
    "delete by key",
    "transactional write",
    "raw sql",
    "other",
];

const RAW_SQL: usize = 9;

/// The index an operation is counted under (taken before the operation is sent).
pub(crate) fn op_kind(op: &Operation) -> usize {
    match op {
        Operation::Insert(_) => 0,
        Operation::Select(_) => 1,
        Operation::Update(_) => 2,
        Operation::Delete(_) => 3,
        Operation::GetByKey(_) => 4,
        Operation::QueryPk(_) => 5,
        Operation::UpdateByKey(_) => 6,
        Operation::DeleteByKey(_) => 7,
        Operation::TransactWrite(_) => 8,
        Operation::Cached(c) => op_kind(c.template.op()),
        Operation::CreateTable(_) | Operation::DropTable(_) | Operation::Transaction(_) => 10,
    }
}

/// [`crate::engine::compile`], timed as [`Phase::Plan`] when `metrics` is given.
pub(crate) fn compile(
    metrics: Option<&Registry>,
    caches: crate::engine::Caches<'_>,
    schema: &toasty_core::schema::Schema,
    cap: &toasty_core::driver::Capability,
    stmt: crate::engine::Statement,
) -> toasty_core::Result<crate::engine::Plan> {
    let Some(m) = metrics else {
        return crate::engine::compile_cached(caches, schema, cap, stmt);
    };
    let start = Instant::now();
    let plan = crate::engine::compile_cached(caches, schema, cap, stmt);
    m.phase(Phase::Plan, start);
    plan
}

/// The live registry a `Db` records into (shared by its clones). Not part of the
/// public API: read it through [`crate::Db::metrics`].
#[doc(hidden)]
#[derive(Debug)]
pub struct Registry {
    phases: [AtomicHistogram; 4],
    statements: [AtomicCounts; 6],
    operations: [AtomicCounts; OPERATIONS.len()],
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            phases: std::array::from_fn(|_| AtomicHistogram::new()),
            statements: std::array::from_fn(|_| AtomicCounts::new()),
            operations: std::array::from_fn(|_| AtomicCounts::new()),
        }
    }

    /// Records one run of `phase` that started at `start`.
    pub(crate) fn phase(&self, phase: Phase, start: Instant) {
        let elapsed = start.elapsed();
        self.phases[phase.index()].record(elapsed);
        #[cfg(feature = "metrics")]
        metrics::histogram!("toasty_phase_duration_seconds", "phase" => phase.as_str())
            .record(elapsed.as_secs_f64());
    }

    /// Records one statement.
    pub(crate) fn statement(&self, kind: StatementKind, elapsed: Duration, rows: Option<u64>) {
        self.statements[kind.index()].record(elapsed, rows);
        #[cfg(feature = "metrics")]
        {
            let k = kind.as_str();
            metrics::counter!("toasty_statements_total", "kind" => k).increment(1);
            match rows {
                Some(rows) => {
                    metrics::counter!("toasty_statement_rows_total", "kind" => k).increment(rows)
                }
                None => {
                    metrics::counter!("toasty_statement_errors_total", "kind" => k).increment(1)
                }
            }
            metrics::histogram!("toasty_statement_duration_seconds", "kind" => k)
                .record(elapsed.as_secs_f64());
        }
    }

    /// Records one driver operation (`rows`: `None` if it failed); also a sample of
    /// [`Phase::Driver`].
    pub(crate) fn operation(&self, kind: usize, start: Instant, rows: Option<u64>) {
        self.operation_at(kind, start, rows);
    }

    /// Records one raw SQL operation.
    pub(crate) fn raw_sql(&self, start: Instant, rows: Option<u64>) {
        self.operation_at(RAW_SQL, start, rows);
    }

    fn operation_at(&self, index: usize, start: Instant, rows: Option<u64>) {
        let elapsed = start.elapsed();
        self.operations[index].record(elapsed, rows);
        self.phases[Phase::Driver.index()].record(elapsed);
        #[cfg(feature = "metrics")]
        {
            let op = OPERATIONS[index];
            metrics::counter!("toasty_driver_operations_total", "op" => op).increment(1);
            if rows.is_none() {
                metrics::counter!("toasty_driver_operation_errors_total", "op" => op).increment(1);
            }
            metrics::histogram!("toasty_driver_operation_duration_seconds", "op" => op)
                .record(elapsed.as_secs_f64());
            metrics::histogram!("toasty_phase_duration_seconds", "phase" => "driver")
                .record(elapsed.as_secs_f64());
        }
    }

    /// A snapshot of everything recorded so far.
    pub(crate) fn snapshot(&self) -> Metrics {
        Metrics {
            enabled: true,
            phases: std::array::from_fn(|i| self.phases[i].snapshot()),
            statements: std::array::from_fn(|i| self.statements[i].snapshot()),
            operations: std::array::from_fn(|i| self.operations[i].snapshot()),
        }
    }

    /// Sets every counter back to zero.
    pub(crate) fn reset(&self) {
        self.phases.iter().for_each(AtomicHistogram::reset);
        self.statements.iter().for_each(AtomicCounts::reset);
        self.operations.iter().for_each(AtomicCounts::reset);
    }
}

#[derive(Debug)]
struct AtomicHistogram {
    count: AtomicU64,
    sum_ns: AtomicU64,
    max_ns: AtomicU64,
    buckets: [AtomicU64; BUCKETS],
}

impl AtomicHistogram {
    fn new() -> AtomicHistogram {
        AtomicHistogram {
            count: AtomicU64::new(0),
            sum_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    fn record(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.count.fetch_add(1, Relaxed);
        self.sum_ns.fetch_add(ns, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> Histogram {
        Histogram {
            count: self.count.load(Relaxed),
            sum_ns: self.sum_ns.load(Relaxed),
            max_ns: self.max_ns.load(Relaxed),
            buckets: std::array::from_fn(|i| self.buckets[i].load(Relaxed)),
        }
    }

    fn reset(&self) {
        self.count.store(0, Relaxed);
        self.sum_ns.store(0, Relaxed);
        self.max_ns.store(0, Relaxed);
        self.buckets.iter().for_each(|b| b.store(0, Relaxed));
    }
}

/// The bucket of a sample of `ns` nanoseconds: the smallest `i` with `ns <= 2^i`.
fn bucket_of(ns: u64) -> usize {
    let i = if ns <= 1 {
        0
    } else {
        (64 - (ns - 1).leading_zeros()) as usize
    };
    i.min(BUCKETS - 1)
}

#[derive(Debug)]
struct AtomicCounts {
    errors: AtomicU64,
    rows: AtomicU64,
    duration: AtomicHistogram,
}

impl AtomicCounts {
    fn new() -> AtomicCounts {
        AtomicCounts {
            errors: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            duration: AtomicHistogram::new(),
        }
    }

    fn record(&self, elapsed: Duration, rows: Option<u64>) {
        match rows {
            Some(rows) => {
                self.rows.fetch_add(rows, Relaxed);
            }
            None => {
                self.errors.fetch_add(1, Relaxed);
            }
        }
        self.duration.record(elapsed);
    }

    fn snapshot(&self) -> Counts {
        Counts {
            errors: self.errors.load(Relaxed),
            rows: self.rows.load(Relaxed),
            duration: self.duration.snapshot(),
        }
    }

    fn reset(&self) {
        self.errors.store(0, Relaxed);
        self.rows.store(0, Relaxed);
        self.duration.reset();
    }
}

/// A snapshot of a `Db`'s metrics ([`crate::Db::metrics`]). Its `Display` is a table of
/// every phase, statement kind and operation that ran.
#[derive(Debug, Clone)]
pub struct Metrics {
    enabled: bool,
    phases: [Histogram; 4],
    statements: [Counts; 6],
    operations: [Counts; OPERATIONS.len()],
}

impl Metrics {
    /// A snapshot of a `Db` that does not collect metrics: everything zero.
    pub(crate) fn disabled() -> Metrics {
        Metrics {
            enabled: false,
            phases: std::array::from_fn(|_| Histogram::default()),
            statements: std::array::from_fn(|_| Counts::default()),
            operations: std::array::from_fn(|_| Counts::default()),
        }
    }

    /// `false` if the `Db` was not built with [`crate::Builder::metrics`]`(true)` (then
    /// every figure is zero).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The durations of one phase (a sample each time it ran).
    pub fn phase(&self, phase: Phase) -> &Histogram {
        &self.phases[phase.index()]
    }

    /// The statements of one kind.
    pub fn statement(&self, kind: StatementKind) -> &Counts {
        &self.statements[kind.index()]
    }

    /// The driver operations named `name` (`insert`, `select`, `update`, `delete`,
    /// `get by key`, `query by partition key`, `update by key`, `delete by key`,
    /// `transactional write`, `raw sql`); an unknown name gives zero counts.
    pub fn operation(&self, name: &str) -> &Counts {
        static NONE: Counts = Counts {
            errors: 0,
            rows: 0,
            duration: Histogram {
                count: 0,
                sum_ns: 0,
                max_ns: 0,
                buckets: [0; BUCKETS],
            },
        };
        OPERATIONS
            .iter()
            .position(|n| *n == name)
            .map_or(&NONE, |i| &self.operations[i])
    }

    /// Every driver operation name that ran at least once, with its counts.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Counts)> + '_ {
        OPERATIONS
            .iter()
            .zip(&self.operations)
            .filter(|(_, c)| c.count() > 0)
            .map(|(n, c)| (*n, c))
    }

    /// Every statement kind that ran at least once, with its counts.
    pub fn statements(&self) -> impl Iterator<Item = (StatementKind, &Counts)> + '_ {
        StatementKind::ALL
            .iter()
            .zip(&self.statements)
            .filter(|(_, c)| c.count() > 0)
            .map(|(k, c)| (*k, c))
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.enabled {
            return writeln!(
                f,
                "metrics are off (build the Db with .metrics(true) to collect them)"
            );
        }
        writeln!(
            f,
            "{:<24} {:>8} {:>6} {:>8} {:>10} {:>10} {:>10} {:>10}",
            "", "count", "errors", "rows", "total", "mean", "p99<=", "max"
        )?;
        let line = |f: &mut fmt::Formatter<'_>, name: &str, c: Option<&Counts>, h: &Histogram| {
            let (errors, rows) = c.map_or((String::new(), String::new()), |c| {
                (c.errors().to_string(), c.rows().to_string())
            });
            writeln!(
                f,
                "{:<24} {:>8} {:>6} {:>8} {:>10} {:>10} {:>10} {:>10}",
                name,
                h.count(),
                errors,
                rows,
                show(h.sum()),
                show(h.mean()),
                show(h.quantile(0.99)),
                show(h.max()),
            )
        };
        for phase in Phase::ALL {
            let h = self.phase(phase);
            if h.count() > 0 {
                line(f, &format!("phase {}", phase.as_str()), None, h)?;
            }
        }
        for (kind, c) in self.statements() {
            line(
                f,
                &format!("statement {}", kind.as_str()),
                Some(c),
                &c.duration,
            )?;
        }
        for (name, c) in self.operations() {
            line(f, &format!("op {name}"), Some(c), &c.duration)?;
        }
        Ok(())
    }
}

/// A duration for the table: µs with one decimal below 10 ms, else ms.
fn show(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10_000.0 {
        format!("{us:.1}µs")
    } else {
        format!("{:.1}ms", us / 1000.0)
    }
}

/// How many statements or operations of one kind ran, failed and returned rows, and
/// how long they took.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    errors: u64,
    rows: u64,
    duration: Histogram,
}

impl Counts {
    /// How many ran (successful or not).
    pub fn count(&self) -> u64 {
        self.duration.count
    }

    /// How many failed.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Records returned, or rows counted or affected, by those that succeeded.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Their durations.
    pub fn duration(&self) -> &Histogram {
        &self.duration
    }
}

/// A latency histogram: exact count, sum and maximum, and power-of-two buckets.
#[derive(Debug, Clone)]
pub struct Histogram {
    count: u64,
    sum_ns: u64,
    max_ns: u64,
    buckets: [u64; BUCKETS],
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            count: 0,
            sum_ns: 0,
            max_ns: 0,
            buckets: [0; BUCKETS],
        }
    }
}

impl Histogram {
    /// How many samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of the samples.
    pub fn sum(&self) -> Duration {
        Duration::from_nanos(self.sum_ns)
    }

    /// The mean sample (zero with no samples).
    pub fn mean(&self) -> Duration {
        Duration::from_nanos(self.sum_ns.checked_div(self.count).unwrap_or(0))
    }

    /// The longest sample.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    /// An upper bound of the `q` quantile (`0.0..=1.0`; `0.5` is the median): the upper
    /// edge of the bucket it falls in, capped at the maximum, so at most twice the
    /// true value. Zero with no samples.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let q = if q.is_nan() { 1.0 } else { q.clamp(0.0, 1.0) };
        let rank = ((q * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Duration::from_nanos(bucket_upper(i).min(self.max_ns));
            }
        }
        self.max()
    }

    /// The non-empty buckets: `(upper bound, samples)`, ascending; a sample falls in the
    /// first bucket whose bound is at least its duration.
    pub fn buckets(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        self.buckets
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (Duration::from_nanos(bucket_upper(i)), *n))
    }
}

fn bucket_upper(i: usize) -> u64 {
    if i + 1 >= BUCKETS {
        u64::MAX
    } else {
        1u64 << i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_powers_of_two() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(2), 1);
        assert_eq!(bucket_of(3), 2);
        assert_eq!(bucket_of(4), 2);
        assert_eq!(bucket_of(1000), 10);
        assert_eq!(bucket_of(1024), 10);
        assert_eq!(bucket_of(1025), 11);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles_bound_the_samples() {
        let h = AtomicHistogram::new();
        for us in [1u64, 2, 3, 4, 100] {
            h.record(Duration::from_micros(us));
        }
        let s = h.snapshot();
        assert_eq!(s.count(), 5);
        assert_eq!(s.sum(), Duration::from_micros(110));
        assert_eq!(s.max(), Duration::from_micros(100));
        assert_eq!(s.mean(), Duration::from_micros(22));
        // The median sample is 3 µs: its bucket ends at 4,096 ns.
        assert_eq!(s.quantile(0.5), Duration::from_nanos(4096));
        assert_eq!(s.quantile(1.0), Duration::from_micros(100));
        assert_eq!(s.buckets().map(|(_, n)| n).sum::<u64>(), 5);
        h.reset();
        assert_eq!(h.snapshot().count(), 0);
        assert_eq!(h.snapshot().quantile(0.5), Duration::ZERO);
    }
}
