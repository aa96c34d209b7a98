//! DynamoDB: an endpoint named by `TOASTY_TEST_DYNAMODB_URL` (moto or DynamoDB Local,
//! e.g. `http://127.0.0.1:8000`), one driver per process, a table prefix per setup.

use crate::backends::server::ServerBackend;
use crate::{Availability, Backend};
use async_trait::async_trait;
use std::sync::Arc;
use toasty::{Db, ModelSet, Result};

static SERVER: ServerBackend = ServerBackend::new("dynamodb", "TOASTY_TEST_DYNAMODB_URL", driver);

/// The endpoint of an emulator (dummy credentials, region us-east-1), or a
/// `dynamodb://<region>` URL for the real service with the machine's AWS configuration.
fn driver(url: &str) -> Result<Arc<dyn toasty_core::driver::Driver>> {
    let driver = if url.to_ascii_lowercase().starts_with("dynamodb:") {
        toasty_dynamodb::DynamoDb::new(url)?
    } else {
        toasty_dynamodb::DynamoDb::emulator(url)?
    };
    Ok(Arc::new(driver))
}

/// The DynamoDB backend (shares one driver, so one endpoint, across the process).
#[derive(Debug, Clone, Copy, Default)]
pub struct Dynamodb;

#[async_trait]
impl Backend for Dynamodb {
    fn name(&self) -> &str {
        SERVER.name()
    }

    fn availability(&self) -> Availability {
        SERVER.availability()
    }

    async fn setup(&self, models: ModelSet, test: &str) -> Result<Db> {
        SERVER.setup(models, test).await
    }
}
