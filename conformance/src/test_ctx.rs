//! [`Test`]: what a conformance test receives.

use crate::Backend;
use std::sync::Arc;
use toasty::{Db, ModelSet, Result};
use toasty_core::driver::Capability;

/// The context of one test on one backend.
pub struct Test {
    backend: Arc<dyn Backend>,
    name: String,
    capability: Option<Capability>,
}

impl Test {
    pub(crate) fn new(backend: Arc<dyn Backend>, name: &str) -> Self {
        Test {
            backend,
            name: name.to_string(),
            capability: None,
        }
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    /// `true` if the backend stores strings containing NUL.
    pub fn stores_nul(&self) -> bool {
        self.backend.stores_nul()
    }

    /// The test's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Opens an isolated database with `models` and their schema pushed.
    pub async fn setup_db(&mut self, models: ModelSet) -> Result<Db> {
        let db = self.backend.setup(models, &self.name).await?;
        self.capability = Some(db.capability().clone());
        Ok(db)
    }

    /// `true` when the backend is a key-value store (kv persona, DynamoDB). Only valid
    /// after [`Test::setup_db`].
    pub fn is_kv(&self) -> bool {
        self.capability.as_ref().is_some_and(|c| !c.is_sql())
    }

    /// `true` when the backend accepts SQL-kind operations.
    pub fn is_sql(&self) -> bool {
        self.capability.as_ref().is_some_and(|c| c.is_sql())
    }
}
