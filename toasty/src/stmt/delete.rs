//! [`Delete`]: removes the records a query selects.

use super::Query;
use crate::engine::Statement;
use crate::{Db, Model, Result};
use toasty_core::stmt;

/// Deletes every record matched by a query. Created by [`Query::delete`], by
/// `instance.delete()` and by the generated `delete_by_*` methods.
#[derive(Debug)]
pub struct Delete<M> {
    query: Query<M>,
}

impl<M: Model> Delete<M> {
    /// Deletes what `query` matches. Its order is ignored; a limit or offset is refused at
    /// `exec` because not every database can delete a slice.
    pub fn from_query(query: Query<M>) -> Self {
        Delete { query }
    }

    /// Runs the delete. Deleting records that do not exist is not an error.
    pub async fn exec(self, db: &mut Db) -> Result<()> {
        let mut selection = self.query.into_stmt(db, stmt::Select::Records)?;
        if selection.limit.is_some() || selection.offset.is_some() {
            return Err(crate::Error::invalid_statement(format!(
                "cannot delete `{}` records with limit/offset; select the records first and \
                 delete them by key",
                M::NAME
            )));
        }
        selection.order_by.clear();
        db.exec_stmt(Statement::Delete(stmt::Delete { selection }))
            .await?;
        Ok(())
    }
}
