//! SQLite: a fresh in-memory database for every test.

use crate::Backend;
use async_trait::async_trait;
use toasty::{Db, ModelSet, Result};
use toasty_sqlite::Sqlite;

/// In-memory SQLite, one database per setup.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteMemory;

#[async_trait]
impl Backend for SqliteMemory {
    fn name(&self) -> &str {
        "sqlite"
    }

    async fn setup(&self, models: ModelSet, _test: &str) -> Result<Db> {
        let db = Db::builder()
            .models(models)
            .build(Sqlite::in_memory()?)
            .await?;
        db.push_schema().await?;
        Ok(db)
    }
}
