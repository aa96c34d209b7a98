//! PostgreSQL: a server named by `TOASTY_TEST_POSTGRES_URL`, one driver per process, a
//! table prefix per setup.

use crate::backends::server::ServerBackend;
use crate::{Availability, Backend};
use async_trait::async_trait;
use std::sync::Arc;
use toasty::{Db, ModelSet, Result};

static SERVER: ServerBackend = ServerBackend::new("postgres", "TOASTY_TEST_POSTGRES_URL", driver);

fn driver(url: &str) -> Result<Arc<dyn toasty_core::driver::Driver>> {
    Ok(Arc::new(toasty_postgres::Postgres::new(url)?))
}

/// The PostgreSQL backend (shares one driver, so one server, across the process).
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

#[async_trait]
impl Backend for Postgres {
    fn name(&self) -> &str {
        SERVER.name()
    }

    fn availability(&self) -> Availability {
        SERVER.availability()
    }

    fn stores_nul(&self) -> bool {
        false
    }

    async fn setup(&self, models: ModelSet, test: &str) -> Result<Db> {
        SERVER.setup(models, test).await
    }
}
