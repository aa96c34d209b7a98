//! [`Delete`]: removes the records a query selects.

use super::batch::{exec_one, BatchItem, Prepared};
use super::{BatchStatement, Query};
use crate::engine::{Outcome, Statement};
use crate::{Executor, Model, Result};
use toasty_core::stmt;

/// Deletes every record matched by a query. Created by [`Query::delete`], by
/// `instance.delete()` and by the generated `delete_by_*` methods.
#[derive(Debug)]
pub struct Delete<M> {
    query: Query<M>,
}

impl<M> Clone for Delete<M> {
    fn clone(&self) -> Self {
        Delete {
            query: self.query.clone(),
        }
    }
}

impl<M: Model> Delete<M> {
    /// Deletes what `query` matches. Its order is ignored; a limit or offset is refused at
    /// `exec` (`InvalidStatement`) because not every database can delete a slice.
    pub fn from_query(query: Query<M>) -> Self {
        Delete { query }
    }

    /// Runs the delete and returns how many records it removed. Deleting records that
    /// do not exist is not an error (it returns 0).
    pub async fn exec(self, db: &mut dyn Executor) -> Result<u64> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for Delete<M> {
    type Output = u64;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), u64>> {
        let mut selection = self.query.into_stmt(db, stmt::Select::Records)?;
        selection.order_by.clear();
        Ok(Prepared::Run(
            BatchStatement(Statement::Delete(stmt::Delete { selection })),
            (),
        ))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<u64> {
        Ok(outcome.count())
    }
}
