//! [`Update`]: setting fields on one record or on every record a query selects.

use super::{Expr, Query};
use crate::engine::{Outcome, Statement};
use crate::{Db, Error, Model, Result, Value};
use toasty_core::stmt;

/// An update in progress. Generated `<Model>Update` builders wrap this with a typed setter
/// per non-key field.
///
/// Built from an instance (`user.update()`, which also updates the local value on
/// success and fails with not-found if the record is gone) or from a query
/// (`User::update_by_email(..)`).
pub struct Update<'a, M> {
    selection: Query<M>,
    assignments: Vec<(usize, Value)>,
    target: Option<&'a mut M>,
    error: Option<Error>,
}

impl<M> std::fmt::Debug for Update<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update")
            .field("selection", &self.selection)
            .field("assignments", &self.assignments)
            .finish()
    }
}

impl<'a, M: Model> Update<'a, M> {
    /// Updates every record `query` selects.
    pub fn from_query(query: Query<M>) -> Update<'static, M> {
        Update {
            selection: query,
            assignments: Vec::new(),
            target: None,
            error: None,
        }
    }

    /// Updates `record` (by primary key) and keeps it in step.
    pub fn from_record(record: &'a mut M) -> Update<'a, M> {
        let key = record.primary_key();
        let filter = M::PRIMARY_KEY
            .iter()
            .zip(key)
            .map(|(&f, v)| stmt::Expr::eq(stmt::Expr::Field(f), stmt::Expr::Value(v)))
            .collect();
        Update {
            selection: Query::from_filter(Expr::from_untyped(stmt::Expr::And(filter))),
            assignments: Vec::new(),
            target: Some(record),
            error: None,
        }
    }

    /// Sets field `field` (generated setters call this).
    pub fn set<T>(&mut self, field: usize, value: Expr<T>) {
        match value.untyped {
            stmt::Expr::Value(v) => {
                self.assignments.retain(|(f, _)| *f != field);
                self.assignments.push((field, v));
            }
            _ => {
                self.error = Some(Error::invalid_statement(format!(
                    "a `{}` field can only be updated to a value, not an expression",
                    M::NAME
                )))
            }
        }
    }

    /// Returns `true` if field `field` has been assigned.
    pub fn is_set(&self, field: usize) -> bool {
        self.assignments.iter().any(|(f, _)| *f == field)
    }

    /// Runs the update.
    pub async fn exec(self, db: &mut Db) -> Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.selection.limit.is_some() || self.selection.offset.is_some() {
            return Err(Error::invalid_statement(format!(
                "cannot update `{}` records with limit/offset; select the records first and \
                 update them one by one",
                M::NAME
            )));
        }
        if self.assignments.is_empty() {
            return Ok(());
        }
        let selection = self.selection.into_stmt(db, stmt::Select::Records)?;
        let stmt = stmt::Update {
            selection,
            assignments: self.assignments.clone(),
            returning: false,
        };
        let outcome = db.exec_stmt(Statement::Update(stmt)).await?;
        if let Some(target) = self.target {
            let n = match outcome {
                Outcome::Count(n) => n,
                Outcome::Records(r) => r.len() as u64,
                Outcome::RecordSet(set) => set.len() as u64,
            };
            if n == 0 {
                return Err(Error::not_found(format!(
                    "the `{}` record to update no longer exists",
                    M::NAME
                )));
            }
            for (field, value) in self.assignments {
                target.assign(field, value)?;
            }
        }
        Ok(())
    }
}
