//! Backends on a database server shared by every test: the server comes from a URL in an
//! environment variable (set by `scripts/test`, by the user, or for compose.yaml) or,
//! with the `containers` feature and a Docker engine, from a container of this process's
//! own; each setup gets its own table prefix so tests run in parallel on one database.

use crate::{Availability, Backend};
use async_trait::async_trait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use toasty::{Db, ModelSet, Result};
use toasty_core::driver::Driver;

/// Makes a driver for a URL.
pub type DriverFactory = fn(&str) -> Result<Arc<dyn Driver>>;

/// A backend on a shared server.
pub struct ServerBackend {
    name: &'static str,
    env_var: &'static str,
    factory: DriverFactory,
    driver: std::sync::OnceLock<std::result::Result<Arc<dyn Driver>, String>>,
}

impl ServerBackend {
    /// A backend called `name` whose URL is in `env_var`.
    pub const fn new(name: &'static str, env_var: &'static str, factory: DriverFactory) -> Self {
        ServerBackend {
            name,
            env_var,
            factory,
            driver: std::sync::OnceLock::new(),
        }
    }

    fn driver(&self) -> std::result::Result<Arc<dyn Driver>, String> {
        self.driver
            .get_or_init(|| {
                let url = match std::env::var(self.env_var) {
                    Ok(url) => url,
                    Err(_) => self.container_url()?,
                };
                (self.factory)(&url).map_err(|e| format!("{}: {e}", self.env_var))
            })
            .clone()
    }

    /// Without a URL: a container for this process (feature `containers`, a Docker
    /// engine, and the backend not skipped on purpose), else why there is no server.
    #[cfg(feature = "containers")]
    fn container_url(&self) -> std::result::Result<String, String> {
        let service = crate::containers::Service::parse(self.name);
        match service {
            Some(service) if std::env::var_os(self.skip_var()).is_none() => {
                crate::containers::child::url_for(service)
                    .map_err(|why| format!("{}; and no container: {why}", self.missing()))
            }
            _ => Err(self.missing()),
        }
    }

    /// Without a URL (and without the `containers` feature): why there is no server.
    #[cfg(not(feature = "containers"))]
    fn container_url(&self) -> std::result::Result<String, String> {
        Err(self.missing())
    }

    fn skip_var(&self) -> String {
        format!(
            "TOASTY_TEST_SKIP_{}",
            self.name.to_uppercase().replace('-', "_")
        )
    }

    fn missing(&self) -> String {
        match std::env::var(self.skip_var()) {
            Ok(why) => format!("{} is not set ({why})", self.env_var),
            Err(_) => format!(
                "{} is not set; run the tests with scripts/test, which provisions a server, or \
                 point {} at one (with Docker: `cargo run -p toasty-conformance --features \
                 containers -- containers {}` prints it)",
                self.env_var, self.env_var, self.name
            ),
        }
    }
}

/// A prefix unique to this process and setup call (identifiers stay short: databases
/// limit them to 63 or 64 characters).
pub fn unique_prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("t{}_{n}_", std::process::id())
}

#[async_trait]
impl Backend for ServerBackend {
    fn name(&self) -> &str {
        self.name
    }

    fn availability(&self) -> Availability {
        match self.driver() {
            Ok(_) => Availability::Available,
            Err(why) => Availability::Unavailable(why),
        }
    }

    async fn setup(&self, models: ModelSet, _test: &str) -> Result<Db> {
        let driver = self.driver().map_err(toasty::Error::config)?;
        let db = Db::builder()
            .models(models)
            .table_prefix(unique_prefix())
            .build_shared(driver)
            .await?;
        db.push_schema().await?;
        Ok(db)
    }
}
