//! memdb in its two personas: a fresh store for every test.

use crate::Backend;
use async_trait::async_trait;
use toasty::{Db, ModelSet, Result};
use toasty_memdb::MemDb;

/// memdb with the sql persona (the reference for SQL drivers).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemdbSql;

/// memdb with the kv persona (the reference for DynamoDB).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemdbKv;

#[async_trait]
impl Backend for MemdbSql {
    fn name(&self) -> &str {
        "memdb-sql"
    }

    async fn setup(&self, models: ModelSet, _test: &str) -> Result<Db> {
        let db = Db::builder().models(models).build(MemDb::new()).await?;
        db.push_schema().await?;
        Ok(db)
    }
}

#[async_trait]
impl Backend for MemdbKv {
    fn name(&self) -> &str {
        "memdb-kv"
    }

    async fn setup(&self, models: ModelSet, _test: &str) -> Result<Db> {
        let db = Db::builder().models(models).build(MemDb::kv()).await?;
        db.push_schema().await?;
        Ok(db)
    }
}
