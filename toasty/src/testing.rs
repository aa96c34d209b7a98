//! Testing your application's code: what `#[toasty::test]` runs.
//!
//! A test function marked `#[toasty::test]` gets a fresh, isolated database with its
//! models' schema pushed, on memdb and on every other backend the environment
//! configures, one after the other, each reported by name:
//!
//! ```
//! #[derive(Debug, toasty::Model)]
//! struct User {
//!     #[key]
//!     #[auto]
//!     id: u64,
//!     #[unique]
//!     email: String,
//! }
//!
//! #[toasty::test(models(User))]
//! async fn emails_are_unique(db: &mut toasty::Db) -> toasty::Result<()> {
//!     toasty::create!(User { email: "a@x" }).exec(db).await?;
//!     let again = toasty::create!(User { email: "a@x" }).exec(db).await;
//!     assert!(again.unwrap_err().is_unique_violation());
//!     Ok(())
//! }
//! ```
//!
//! * **Backends** ([`backends`]): memdb always (`memory:`, or `memory:kv` with
//!   `#[toasty::test(kv)]`); in-memory SQLite when `toasty` has its `sqlite` feature;
//!   PostgreSQL and MySQL when `TOASTY_TEST_POSTGRES_URL` / `TOASTY_TEST_MYSQL_URL` are
//!   set (the variables `scripts/test` exports). `TOASTY_TEST_BACKENDS=sqlite,postgres`
//!   narrows the list. A backend that is not configured is skipped with a line saying
//!   why; under `CI=true`, a backend named in `TOASTY_TEST_BACKENDS` that cannot be
//!   used fails the test instead.
//! * **Isolation**: memdb and SQLite databases are private to the test; on a server
//!   every table gets a prefix unique to the test run, and is dropped afterwards.
//! * **Models**: `models(A, B)`, or every model of the test's crate (registered by
//!   `#[derive(Model)]`).
//! * **Fixtures**: `fixtures(seed_users, seed_orders)` names `async fn(&mut Db) ->
//!   toasty::Result<()>` functions run, in order, before the body on each backend; a
//!   failing fixture is reported by name. [`fixture!`](crate::fixture) declares one
//!   from a list of records, and names the failing record (row and text).
//! * **Differential mode** ([`TestRun::differential`]): `#[toasty::test(differential)]`
//!   compares what the body returns (its `Debug` form) on every backend with memdb's,
//!   and with `differential(tables)` also every table's contents afterwards; the first
//!   difference is reported as a diff naming both backends.

mod backends;
mod registry;
mod report;

pub use backends::{backends, TestBackend};
pub use registry::registered_models;
#[doc(hidden)]
pub use registry::RegisteredModel;

use crate::{Db, ModelSet, Result};
use std::future::Future;
use std::pin::Pin;
use toasty_core::stmt;

/// Declares a fixture: an `async fn NAME(db: &mut toasty::Db) -> toasty::Result<()>`
/// that creates the listed records in order. A record that fails is named in the error
/// (fixture, row number and the record as written), so a broken fixture is easy to
/// find.
///
/// ```
/// #[derive(Debug, toasty::Model)]
/// struct User {
///     #[key]
///     #[auto]
///     id: u64,
///     #[unique]
///     email: String,
/// }
///
/// toasty::fixture!(two_users {
///     User { email: "ada@example.com" },
///     User { email: "grace@example.com" },
/// });
///
/// #[toasty::test(models(User), fixtures(two_users))]
/// async fn both_are_there(db: &mut toasty::Db) -> toasty::Result<()> {
///     assert_eq!(User::all().count().exec(db).await?, 2);
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! fixture {
    ($name:ident { $($model:path { $($body:tt)* }),* $(,)? }) => {
        async fn $name(db: &mut $crate::Db) -> $crate::Result<()> {
            let mut row = 0usize;
            $(
                row += 1;
                $crate::testing::fixture_row(
                    stringify!($name),
                    row,
                    stringify!($model { $($body)* }),
                    $crate::create!($model { $($body)* }).exec(&mut *db).await,
                )?;
            )*
            let _ = row;
            Ok(())
        }
    };
}

/// The result of one fixture record, with the record named in an error. Used by
/// [`fixture!`](crate::fixture).
pub fn fixture_row<T>(fixture: &str, row: usize, record: &str, result: Result<T>) -> Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(toasty_core::Error::new(
            e.kind(),
            format!(
                "row {row} of fixture `{fixture}` ({record}): {}",
                e.message()
            ),
        )),
    }
}

/// A boxed future borrowing the database.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A fixture or a test body.
pub type TestFn<T> = for<'a> fn(&'a mut Db) -> BoxFuture<'a, T>;

/// What a test body may return: `()`, or a `Result` whose `Ok` value is compared in
/// differential mode.
pub trait TestReturn {
    /// `Ok(the value's Debug form)` or `Err(the failure)`.
    fn into_report(self) -> std::result::Result<String, String>;
}

impl TestReturn for () {
    fn into_report(self) -> std::result::Result<String, String> {
        Ok(String::new())
    }
}

impl<T: std::fmt::Debug, E: std::fmt::Display> TestReturn for std::result::Result<T, E> {
    fn into_report(self) -> std::result::Result<String, String> {
        match self {
            Ok(v) => Ok(format!("{v:#?}")),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// One `#[toasty::test]` function's run over the configured backends.
pub struct TestRun {
    name: String,
    models: Option<ModelSet>,
    crate_name: String,
    fixtures: Vec<(&'static str, TestFn<Result<()>>)>,
    differential: bool,
    compare_tables: bool,
    kv: bool,
    extra: Vec<TestBackend>,
}

impl TestRun {
    /// A run of the test `name` defined in module `module` (`module_path!()`).
    pub fn new(module: &str, name: &str) -> TestRun {
        TestRun {
            name: format!("{module}::{name}"),
            models: None,
            crate_name: module.split("::").next().unwrap_or(module).to_string(),
            fixtures: Vec::new(),
            differential: false,
            compare_tables: false,
            kv: false,
            extra: Vec::new(),
        }
    }

    /// The models to push (default: every model of the test's crate).
    pub fn models(mut self, models: ModelSet) -> Self {
        self.models = Some(models);
        self
    }

    /// Runs `fixture` (named `name` in reports) before the body, after earlier ones.
    pub fn fixture(mut self, name: &'static str, fixture: TestFn<Result<()>>) -> Self {
        self.fixtures.push((name, fixture));
        self
    }

    /// Compares the body's result on every backend with memdb's; with `tables`, every
    /// table's contents afterwards too.
    pub fn differential(mut self, tables: bool) -> Self {
        self.differential = true;
        self.compare_tables = tables;
        self
    }

    /// Uses memdb's key-value persona (`memory:kv`, DynamoDB's rules) instead of its
    /// SQL persona, and skips the SQL backends.
    pub fn kv(mut self) -> Self {
        self.kv = true;
        self
    }

    /// Adds a backend of the test's own (a driver of yours, a test double).
    pub fn backend(mut self, backend: TestBackend) -> Self {
        self.extra.push(backend);
        self
    }

    /// Runs `body` on every backend and panics with a report if any run failed (or, in
    /// differential mode, differed from memdb).
    pub fn run<T: TestReturn + 'static>(self, body: TestFn<T>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!(
                "toasty::test {}: cannot start a Tokio runtime: {e}",
                self.name
            ),
        };
        let outcome = runtime.block_on(self.run_all(body));
        if let Err(report) = outcome {
            panic!("{report}");
        }
    }

    async fn run_all<T: TestReturn + 'static>(
        self,
        body: TestFn<T>,
    ) -> std::result::Result<(), String> {
        let models = match &self.models {
            Some(m) => m.clone(),
            None => registered_models(&self.crate_name),
        };
        let mut list = backends(self.kv);
        list.extend(self.extra.iter().cloned());
        let mut results: Vec<(String, std::result::Result<String, String>)> = Vec::new();
        let mut failures = Vec::new();
        for backend in &list {
            if let Some(why) = backend.skip_reason() {
                if backend.must_run() {
                    failures.push(format!(
                        "[{}] cannot run under CI=true: {why}",
                        backend.name
                    ));
                } else {
                    eprintln!(
                        "toasty::test {} [{}] skipped: {why}",
                        self.name, backend.name
                    );
                }
                continue;
            }
            let result = self.run_on(backend, &models, body).await;
            match &result {
                Ok(_) => eprintln!("toasty::test {} [{}] ok", self.name, backend.name),
                Err(e) => {
                    eprintln!("toasty::test {} [{}] FAILED: {e}", self.name, backend.name);
                    failures.push(format!("[{}] {e}", backend.name));
                }
            }
            results.push((backend.name.clone(), result));
        }
        if self.differential {
            if let Some((oracle, Ok(expected))) = results.first() {
                for (name, result) in results.iter().skip(1) {
                    if let Ok(got) = result {
                        if got != expected {
                            failures.push(report::difference(oracle, expected, name, got));
                        }
                    }
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "toasty::test {} failed:\n{}",
                self.name,
                failures.join("\n")
            ))
        }
    }

    /// One backend: a fresh database, the schema, the fixtures, the body, then the
    /// tables (differential mode) and the clean-up.
    async fn run_on<T: TestReturn + 'static>(
        &self,
        backend: &TestBackend,
        models: &ModelSet,
        body: TestFn<T>,
    ) -> std::result::Result<String, String> {
        let mut db = backend
            .open(models.clone())
            .await
            .map_err(|e| format!("could not open the database: {e}"))?;
        db.push_schema()
            .await
            .map_err(|e| format!("could not create the tables: {e}"))?;
        let fixtures = self.fixtures.clone();
        let compare_tables = self.compare_tables;
        // The body runs as a task so a panic is reported with the backend's name
        // instead of unwinding through the other backends' runs.
        let local = tokio::task::LocalSet::new();
        let (db, outcome) = local
            .run_until(async move {
                tokio::task::spawn_local(async move {
                    let outcome = run_body(&mut db, &fixtures, body, compare_tables).await;
                    (db, outcome)
                })
                .await
            })
            .await
            .map_err(panic_message)?;
        if let Err(e) = db.drop_schema().await {
            eprintln!(
                "toasty::test {} [{}] could not drop its tables: {e}",
                self.name, backend.name
            );
        }
        outcome
    }
}

async fn run_body<T: TestReturn>(
    db: &mut Db,
    fixtures: &[(&'static str, TestFn<Result<()>>)],
    body: TestFn<T>,
    compare_tables: bool,
) -> std::result::Result<String, String> {
    for (name, fixture) in fixtures {
        fixture(db)
            .await
            .map_err(|e| format!("fixture `{name}` failed: {e}"))?;
    }
    let mut out = body(db).await.into_report()?;
    if compare_tables {
        out.push_str(
            &dump_tables(db)
                .await
                .map_err(|e| format!("reading the tables: {e}"))?,
        );
    }
    Ok(out)
}

/// Every table's records, in primary-key order, as text.
async fn dump_tables(db: &mut Db) -> Result<String> {
    let models: Vec<(stmt::Query, String)> = db
        .schema()
        .app
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let order_by = m
                .primary_key
                .iter()
                .map(|&f| stmt::OrderBy {
                    target: f,
                    direction: stmt::Direction::Asc,
                })
                .collect();
            let query = stmt::Query {
                model: toasty_core::schema::app::ModelId(i),
                filter: None,
                order_by,
                limit: None,
                offset: None,
                select: stmt::Select::Records,
            };
            (query, m.name.clone())
        })
        .collect();
    let mut out = String::new();
    for (query, name) in models {
        let rows = db.exec_query(query).await?;
        out.push_str(&format!("\ntable of {name}: {rows:#?}"));
    }
    Ok(out)
}

fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return format!("the test task was cancelled: {e}");
    }
    let payload = e.into_panic();
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_string()
    }
}

pub use crate::stmt::now::FrozenNow;

/// Freezes [`crate::now()`]: every statement prepared on this thread while the guard
/// lives binds `micros` (microseconds since the epoch, UTC) for its `now()`, instead of
/// reading the clock. Dropping the guard restores the clock (or an outer freeze).
///
/// Statements are prepared on the thread that polls them first, so this is for
/// single-threaded runtimes (`#[tokio::test]`'s default, `#[toasty::test]`): it makes
/// `now()` deterministic, for example to compare two backends' results exactly (the
/// differential harness freezes it per operation).
///
/// ```
/// let frozen = toasty::testing::freeze_now(1_000_000);
/// // Statements run here bind 1970-01-01T00:00:01Z for every `toasty::now()`.
/// drop(frozen); // the clock again
/// ```
pub fn freeze_now(micros: i64) -> FrozenNow {
    crate::stmt::now::freeze(micros)
}
