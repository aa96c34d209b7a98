//! Deliberately wrong drivers, to prove the harness detects and shrinks divergences.

use crate::Backend;
use async_trait::async_trait;
use toasty::{Db, ModelSet, Result};
use toasty_core::driver::{Capability, Connection, Driver, Operation, Response, TransactionOp};
use toasty_core::schema::db;
use toasty_core::stmt::{BinaryOp, Direction, Expr};
use toasty_memdb::MemDb;

/// The bug to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `<` is served as `<=`.
    LtAsLe,
    /// Ascending order puts NULLs last (as PostgreSQL does natively).
    NullsLast,
    /// `ROLLBACK` commits and `ROLLBACK TO SAVEPOINT` releases: undone work stays.
    RollbackKeeps,
    /// An update that sets a column to NULL where it is one of a list of values (what a
    /// cascading delete sends to unlink the children of deleted parents) does nothing:
    /// the children keep pointing at deleted parents.
    UnlinkKeeps,
}

/// memdb (sql persona) with one injected fault.
#[derive(Debug, Clone)]
pub struct FaultyDriver {
    inner: MemDb,
    fault: Fault,
}

impl FaultyDriver {
    /// Wraps a fresh memdb.
    pub fn new(fault: Fault) -> Self {
        FaultyDriver {
            inner: MemDb::new(),
            fault,
        }
    }
}

#[async_trait]
impl Driver for FaultyDriver {
    fn capability(&self) -> &Capability {
        self.inner.capability()
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(FaultyConnection {
            inner: self.inner.connect().await?,
            fault: self.fault,
        }))
    }
}

struct FaultyConnection {
    inner: Box<dyn Connection>,
    fault: Fault,
}

#[async_trait]
impl Connection for FaultyConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        let op = match (self.fault, op) {
            (Fault::LtAsLe, Operation::Select(mut s)) => {
                s.filter = lt_as_le(s.filter);
                Operation::Select(s)
            }
            (Fault::NullsLast, Operation::Select(s)) if !s.order_by.is_empty() => {
                // Serve the query, then move NULLs of the first ascending key to the end.
                let key = s.order_by[0];
                let response = self
                    .inner
                    .exec(schema, Operation::Select(s))
                    .await?
                    .into_row_vecs();
                return Ok(match response {
                    Response::Rows(rows) if key.direction == Direction::Asc => {
                        let (nulls, mut rest): (Vec<_>, Vec<_>) = rows
                            .into_iter()
                            .partition(|r| r.get(key.target).is_some_and(|v| v.is_null()));
                        rest.extend(nulls);
                        Response::Rows(rest)
                    }
                    other => other,
                });
            }
            (Fault::RollbackKeeps, Operation::Transaction(TransactionOp::Rollback)) => {
                Operation::Transaction(TransactionOp::Commit)
            }
            (
                Fault::RollbackKeeps,
                Operation::Transaction(TransactionOp::RollbackToSavepoint(d)),
            ) => Operation::Transaction(TransactionOp::ReleaseSavepoint(d)),
            (Fault::UnlinkKeeps, Operation::Update(u)) if is_unlink(&u) => {
                return Ok(Response::Count(0));
            }
            (_, op) => op,
        };
        self.inner.exec(schema, op).await
    }
}

/// `SET c = NULL .. WHERE c IN (..)`, the unlink of a cascading delete.
fn is_unlink(u: &toasty_core::driver::Update) -> bool {
    let nulled = |c: usize| u.assignments.iter().any(|(a, v)| *a == c && v.is_null());
    match &u.filter {
        Expr::InList { expr, .. } => matches!(**expr, Expr::Column(c) if nulled(c)),
        _ => false,
    }
}

fn lt_as_le(mut e: Expr) -> Expr {
    e.walk_mut(&mut |node| {
        if let Expr::Binary { op, .. } = node {
            if *op == BinaryOp::Lt {
                *op = BinaryOp::Le;
            }
        }
    });
    e
}

/// A backend serving a [`FaultyDriver`].
#[derive(Debug, Clone, Copy)]
pub struct FaultyBackend(pub Fault);

#[async_trait]
impl Backend for FaultyBackend {
    fn name(&self) -> &str {
        match self.0 {
            Fault::LtAsLe => "faulty-lt-as-le",
            Fault::NullsLast => "faulty-nulls-last",
            Fault::RollbackKeeps => "faulty-rollback-keeps",
            Fault::UnlinkKeeps => "faulty-unlink-keeps",
        }
    }

    async fn setup(&self, models: ModelSet, _test: &str) -> Result<Db> {
        let db = Db::builder()
            .models(models)
            .build(FaultyDriver::new(self.0))
            .await?;
        db.push_schema().await?;
        Ok(db)
    }
}
