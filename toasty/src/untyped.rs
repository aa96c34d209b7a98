//! Untyped access to the engine, for tools that build models and statements at runtime
//! (the differential harness, admin tools). Every call goes through the same verify,
//! lower, simplify, plan and exec stages as the typed API.
//!
//! Records are `Vec<Value>` in field order; models are addressed by
//! [`toasty_core::schema::app::ModelId`] (see [`crate::schema::Schema::model_id`]).

use crate::engine::{Outcome, Statement};
use crate::stmt::paginate::fetch_rows;
use crate::{Db, Error, Result, Value};
use toasty_core::stmt::{self, Direction, OrderBy};

/// One page of untyped records. See [`Db::exec_page`].
#[derive(Debug, Clone, PartialEq)]
pub struct UntypedPage {
    /// The records, in the query's order.
    pub rows: Vec<Vec<Value>>,
    /// `true` if more records lie beyond this page in the direction it was fetched.
    pub more: bool,
}

impl Db {
    /// Runs a model-level query and returns the records (field order).
    pub async fn exec_query(&mut self, query: stmt::Query) -> Result<Vec<Vec<Value>>> {
        match self.exec_stmt(Statement::Query(query)).await? {
            Outcome::Records(rows) => Ok(rows),
            Outcome::RecordSet(set) => Ok(set.into_vecs()),
            Outcome::Count(_) => Err(Error::invalid_statement(
                "exec_query needs a query selecting records; use exec_count for counts",
            )),
        }
    }

    /// Counts the records a model-level query matches (limit and offset apply).
    pub async fn exec_count(&mut self, mut query: stmt::Query) -> Result<u64> {
        if query.limit.is_some() || query.offset.is_some() {
            query.select = stmt::Select::Records;
            return Ok(self.exec_query(query).await?.len() as u64);
        }
        query.select = stmt::Select::Count;
        match self.exec_stmt(Statement::Query(query)).await? {
            Outcome::Count(n) => Ok(n),
            Outcome::Records(rows) => Ok(rows.len() as u64),
            Outcome::RecordSet(set) => Ok(set.len() as u64),
        }
    }

    /// Inserts records and returns them as stored (with generated values).
    pub async fn exec_insert(&mut self, insert: stmt::Insert) -> Result<Vec<Vec<Value>>> {
        match self.exec_stmt(Statement::Insert(insert)).await? {
            Outcome::Records(rows) => Ok(rows),
            Outcome::RecordSet(set) => Ok(set.into_vecs()),
            Outcome::Count(_) => Err(Error::driver("an insert returned a count, not records")),
        }
    }

    /// Updates the records a selection matches; returns how many matched.
    pub async fn exec_update(&mut self, mut update: stmt::Update) -> Result<u64> {
        update.returning = false;
        match self.exec_stmt(Statement::Update(update)).await? {
            Outcome::Count(n) => Ok(n),
            Outcome::Records(rows) => Ok(rows.len() as u64),
            Outcome::RecordSet(set) => Ok(set.len() as u64),
        }
    }

    /// Deletes the records a selection matches; returns how many were deleted.
    pub async fn exec_delete(&mut self, delete: stmt::Delete) -> Result<u64> {
        match self.exec_stmt(Statement::Delete(delete)).await? {
            Outcome::Count(n) => Ok(n),
            Outcome::Records(rows) => Ok(rows.len() as u64),
            Outcome::RecordSet(set) => Ok(set.len() as u64),
        }
    }

    /// Fetches one page of a query with keyset pagination: the primary key is appended to
    /// the order, and the page holds up to `per_page` records after `cursor` (the sort
    /// values of the last record of the previous page), or before it when `backward`.
    /// Use [`Db::page_cursor`] to get a record's cursor.
    pub async fn exec_page(
        &mut self,
        mut query: stmt::Query,
        per_page: usize,
        cursor: Option<&[Value]>,
        backward: bool,
    ) -> Result<UntypedPage> {
        if per_page == 0 {
            return Err(Error::invalid_statement("a page needs at least one record"));
        }
        query.order_by = self.pagination_order(&query)?;
        let (rows, more) = fetch_rows(self, query, per_page, cursor, backward).await?;
        Ok(UntypedPage { rows, more })
    }

    /// The cursor of `record` for paginating `query` (see [`Db::exec_page`]).
    pub fn page_cursor(&self, query: &stmt::Query, record: &[Value]) -> Result<Vec<Value>> {
        let order = self.pagination_order(query)?;
        Ok(crate::stmt::paginate::cursor_values(&order, record))
    }

    fn pagination_order(&self, query: &stmt::Query) -> Result<Vec<OrderBy>> {
        let model = self.schema().model(query.model)?;
        let mut order = query.order_by.clone();
        for &k in &model.primary_key {
            if !order.iter().any(|o| o.target == k) {
                order.push(OrderBy {
                    target: k,
                    direction: Direction::Asc,
                });
            }
        }
        Ok(order)
    }
}
