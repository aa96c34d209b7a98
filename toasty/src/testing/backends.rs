//! Which backends a `#[toasty::test]` runs on, from the environment.
//!
//! | backend | used when | URL |
//! |---|---|---|
//! | `memdb` | always (the oracle of differential mode) | `memory:` (`memory:kv` in kv mode) |
//! | `sqlite` | `toasty` is built with feature `sqlite` | `sqlite::memory:` |
//! | `postgres` | `TOASTY_TEST_POSTGRES_URL` is set | that URL |
//! | `mysql` | `TOASTY_TEST_MYSQL_URL` is set | that URL |
//! | `dynamodb` | kv mode, `TOASTY_TEST_DYNAMODB_URL` is set | an emulator's `http://..` endpoint (dummy credentials), or `dynamodb://<region>` for the real service |
//!
//! `TOASTY_TEST_BACKENDS` (comma-separated server names, or `all`), the variable
//! `scripts/test` uses for the servers it provisions, narrows the server backends;
//! memdb and SQLite need no server and always run. A backend left out for lack of
//! configuration is reported as skipped, with the reason; under `CI=true`, a server the
//! list names explicitly must run.
//! `TOASTY_TEST_SKIP_<NAME>=<why>` (what `scripts/test` exports for a server it could
//! not start outside CI) is reported as the skip reason. Key-value mode
//! (`#[toasty::test(kv)]`) runs memdb's kv persona and DynamoDB: the SQL backends do not
//! apply, and DynamoDB is left out of the default mode because it refuses the scans an
//! SQL-minded test is free to use.

use crate::{Db, ModelSet, Result};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use toasty_core::driver::Driver;

/// One backend a test runs on.
#[derive(Clone)]
pub struct TestBackend {
    /// The name in reports (`memdb`, `sqlite`, `postgres`, ...).
    pub name: String,
    target: Target,
    skip: Option<String>,
    must_run: bool,
}

#[derive(Clone)]
enum Target {
    Url(String),
    Driver(Arc<dyn Driver>),
    None,
}

impl std::fmt::Debug for TestBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestBackend")
            .field("name", &self.name)
            .field("skip", &self.skip)
            .finish()
    }
}

/// Table prefixes unique within this process.
static RUN: AtomicUsize = AtomicUsize::new(0);

impl TestBackend {
    /// A backend reached through a driver of your own (a test double, another driver).
    /// Each test run gets a fresh table prefix on it.
    pub fn driver(name: impl Into<String>, driver: Arc<dyn Driver>) -> TestBackend {
        TestBackend {
            name: name.into(),
            target: Target::Driver(driver),
            skip: None,
            must_run: false,
        }
    }

    fn url(name: &str, url: String) -> TestBackend {
        TestBackend {
            name: name.to_string(),
            target: Target::Url(url),
            skip: None,
            must_run: false,
        }
    }

    fn skipped(name: &str, why: String, must_run: bool) -> TestBackend {
        TestBackend {
            name: name.to_string(),
            target: Target::None,
            skip: Some(why),
            must_run,
        }
    }

    /// Why the backend is not used, if it is not.
    pub fn skip_reason(&self) -> Option<&str> {
        self.skip.as_deref()
    }

    /// `true` when a skip must fail the test (under `CI=true`, for a backend named in
    /// `TOASTY_TEST_BACKENDS`).
    pub fn must_run(&self) -> bool {
        self.must_run
    }

    /// A fresh database with `models` on this backend (tables not created yet).
    pub async fn open(&self, models: ModelSet) -> Result<Db> {
        let prefix = format!(
            "tt{}_{}_",
            std::process::id(),
            RUN.fetch_add(1, Ordering::Relaxed)
        );
        let builder = Db::builder().models(models).table_name_prefix(prefix);
        match &self.target {
            Target::Url(url) => builder.connect(url).await,
            Target::Driver(driver) => builder.build_shared(driver.clone()).await,
            Target::None => Err(toasty_core::Error::config(format!(
                "backend `{}` is not configured",
                self.name
            ))),
        }
    }
}

/// The backends a test runs on, in order (memdb first), with skipped ones marked.
pub fn backends(kv: bool) -> Vec<TestBackend> {
    let ci = matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"));
    let listed: Option<Vec<String>> = std::env::var("TOASTY_TEST_BACKENDS")
        .ok()
        .filter(|v| v != "all" && !v.is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let named = |n: &str| listed.as_ref().is_some_and(|l| l.iter().any(|x| x == n));
    let wanted = |n: &str| listed.as_ref().is_none_or(|l| l.iter().any(|x| x == n));
    let mut out = vec![TestBackend::url(
        "memdb",
        if kv { "memory:kv" } else { "memory:" }.to_string(),
    )];
    if kv {
        if wanted("dynamodb") {
            out.push(dynamodb(ci && named("dynamodb")));
        }
        return out;
    }
    out.push(if cfg!(feature = "sqlite") {
        TestBackend::url("sqlite", "sqlite::memory:".to_string())
    } else {
        TestBackend::skipped(
            "sqlite",
            "toasty is built without its `sqlite` feature".to_string(),
            false,
        )
    });
    for (name, var, feature_on) in [
        (
            "postgres",
            "TOASTY_TEST_POSTGRES_URL",
            cfg!(feature = "postgres"),
        ),
        ("mysql", "TOASTY_TEST_MYSQL_URL", cfg!(feature = "mysql")),
    ] {
        if !wanted(name) {
            continue;
        }
        let skip_var = format!("TOASTY_TEST_SKIP_{}", name.to_uppercase());
        out.push(match std::env::var(var) {
            Ok(url) if feature_on => TestBackend::url(name, url),
            // The test crate chose not to build the driver: a choice, not a failure to
            // provision, so it is a skip even under CI.
            Ok(_) => TestBackend::skipped(
                name,
                format!("{var} is set but toasty is built without its `{name}` feature"),
                false,
            ),
            Err(_) => match std::env::var(&skip_var) {
                Ok(why) => TestBackend::skipped(name, why, false),
                Err(_) => {
                    TestBackend::skipped(name, format!("{var} is not set"), ci && named(name))
                }
            },
        });
    }
    out
}

/// The DynamoDB backend of kv mode, from `TOASTY_TEST_DYNAMODB_URL`.
fn dynamodb(must_run: bool) -> TestBackend {
    const VAR: &str = "TOASTY_TEST_DYNAMODB_URL";
    let url = match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            return match std::env::var("TOASTY_TEST_SKIP_DYNAMODB") {
                Ok(why) => TestBackend::skipped("dynamodb", why, false),
                Err(_) => TestBackend::skipped("dynamodb", format!("{VAR} is not set"), must_run),
            }
        }
    };
    match dynamodb_driver(&url) {
        Ok(Some(driver)) => TestBackend::driver("dynamodb", driver),
        // The test crate chose not to build the driver: a choice, not a failure to
        // provision, so it is a skip even under CI.
        Ok(None) => TestBackend::skipped(
            "dynamodb",
            format!("{VAR} is set but toasty is built without its `dynamodb` feature"),
            false,
        ),
        Err(e) => TestBackend::skipped("dynamodb", format!("{VAR}: {e}"), must_run),
    }
}

/// An emulator's endpoint (`http://127.0.0.1:8000`, dummy credentials) or a
/// `dynamodb://<region>` URL for the real service.
#[cfg(feature = "dynamodb")]
fn dynamodb_driver(url: &str) -> Result<Option<Arc<dyn Driver>>> {
    let driver = if url.to_ascii_lowercase().starts_with("dynamodb:") {
        toasty_dynamodb::DynamoDb::new(url)?
    } else {
        toasty_dynamodb::DynamoDb::emulator(url)?
    };
    Ok(Some(Arc::new(driver)))
}

#[cfg(not(feature = "dynamodb"))]
fn dynamodb_driver(_url: &str) -> Result<Option<Arc<dyn Driver>>> {
    Ok(None)
}
