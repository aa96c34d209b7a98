//! [`Update`]: setting fields on one record or on every record a query selects.

use super::arith::Assignment;
use super::batch::{exec_one, BatchItem, Prepared};
use super::create::Node;
use super::related::Related;
use super::{BatchStatement, Expr, Query};
use crate::engine::{HasOneChange, HasOneTo, Outcome, Statement};
use crate::{Error, Executor, Model, Result, Value};
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
    arithmetic: Vec<(usize, stmt::Arith)>,
    target: Option<&'a mut M>,
    /// `#[has_one]` relations pointed at other records: `(relation position, value)`.
    has_one: Vec<(usize, HasOneSet)>,
    error: Option<Error>,
}

/// What an update gives a `#[has_one]` relation, before the schema is known.
#[derive(Debug, Clone)]
enum HasOneSet {
    Create(Node),
    Link(Vec<(usize, Value)>),
    Unset,
}

/// A query-based update (`User::filter(..).update()`, `update_by_*`) clones like any
/// builder. An update of a record holds the record mutably, so only one borrowing it
/// for `'static` (a leaked record) reaches this impl: its clone updates the same
/// record in the database but cannot keep the local value in step, so it fails with
/// `InvalidStatement` when run (clone a query-based update instead).
impl<M> Clone for Update<'static, M> {
    fn clone(&self) -> Self {
        Update {
            selection: self.selection.clone(),
            assignments: self.assignments.clone(),
            arithmetic: self.arithmetic.clone(),
            target: None,
            has_one: self.has_one.clone(),
            error: match (&self.error, &self.target) {
                (Some(e), _) => Some(Error::new(e.kind(), e.message())),
                (None, Some(_)) => Some(Error::invalid_statement(
                    "a clone of a record's update (`record.update()`) cannot keep the record \
                     in step; clone a query-based update (`Model::filter_by_..(..).update()`) \
                     instead",
                )),
                (None, None) => None,
            },
        }
    }
}

impl<M> std::fmt::Debug for Update<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update")
            .field("selection", &self.selection)
            .field("assignments", &self.assignments)
            .field("arithmetic", &self.arithmetic)
            .field("has_one", &self.has_one)
            .finish()
    }
}

impl<'a, M: Model> Update<'a, M> {
    /// Updates every record `query` selects.
    pub fn from_query(query: Query<M>) -> Update<'static, M> {
        Update {
            selection: query,
            assignments: Vec::new(),
            arithmetic: Vec::new(),
            target: None,
            has_one: Vec::new(),
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
            arithmetic: Vec::new(),
            target: Some(record),
            has_one: Vec::new(),
            error: None,
        }
    }

    /// Sets field `field` to a value, or changes it relative to its stored value
    /// (generated setters call this). A later call for the same field replaces an
    /// earlier one.
    pub fn assign<T>(&mut self, field: usize, assignment: Assignment<T>) {
        match assignment {
            Assignment::Set(value) => self.set(field, value),
            Assignment::Arith(change) => {
                self.assignments.retain(|(f, _)| *f != field);
                self.arithmetic.retain(|(f, _)| *f != field);
                self.arithmetic.push((field, change.into_untyped()));
            }
        }
    }

    /// Sets field `field` (generated setters call this).
    pub fn set<T>(&mut self, field: usize, value: Expr<T>) {
        match value.untyped.into_value() {
            Ok(v) => {
                self.assignments.retain(|(f, _)| *f != field);
                self.arithmetic.retain(|(f, _)| *f != field);
                self.assignments.push((field, v));
            }
            Err(_) => {
                self.error = Some(Error::invalid_statement(format!(
                    "a `{}` field can only be updated to a value, not an expression",
                    M::NAME
                )))
            }
        }
    }

    /// Points `#[has_one]` relation `relation` at another record (generated setters call
    /// this): a new one created with the update, an existing one (`&record`), or none
    /// (`None`, for an optional relation). The record's current child is deleted when its
    /// foreign key is required, and unlinked (NULL foreign key) when it is optional. A
    /// later call for the same relation replaces an earlier one.
    pub fn set_has_one<T: Model>(&mut self, relation: usize, value: Related<T>) {
        let set = match value {
            Related::Create(create) => HasOneSet::Create(create.node),
            Related::Key(key) if key.iter().all(|(_, v)| v.is_null()) => HasOneSet::Unset,
            Related::Key(key) => HasOneSet::Link(key),
        };
        self.has_one.retain(|(r, _)| *r != relation);
        self.has_one.push((relation, set));
    }

    /// Records an error reported when the statement runs (generated setters call this).
    pub fn set_error(&mut self, error: Error) {
        self.error = Some(error);
    }

    /// Returns `true` if field `field` has been assigned.
    pub fn is_set(&self, field: usize) -> bool {
        self.assignments.iter().any(|(f, _)| *f == field)
            || self.arithmetic.iter().any(|(f, _)| *f == field)
    }

    /// Runs the update and returns how many records it changed (the same on every
    /// backend: the records the selection matched). A limit or offset on the selection
    /// is refused (`InvalidStatement`). For a record (`record.update()`), the local value
    /// is updated too (fields changed relative to their stored value get the value the
    /// database computed), and a record that no longer exists is a not-found error.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<u64> {
        exec_one(self, db).await
    }
}

/// What finishing an update needs: the record to keep in step, and the assignments.
#[doc(hidden)]
pub struct UpdateState<'a, M> {
    target: Option<&'a mut M>,
    assignments: Vec<(usize, Value)>,
    /// The fields changed relative to their stored value: read back from the record
    /// the update returns.
    arithmetic: Vec<usize>,
}

impl<'a, M: Model> BatchItem for Update<'a, M> {
    type Output = u64;
    type State = UpdateState<'a, M>;

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<UpdateState<'a, M>, u64>> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.assignments.is_empty() && self.arithmetic.is_empty() && self.has_one.is_empty() {
            return Ok(Prepared::Done(0));
        }
        let mut has_one = Vec::with_capacity(self.has_one.len());
        for (relation, set) in self.has_one {
            let to = match set {
                HasOneSet::Create(node) => HasOneTo::Create(node.resolve(db.schema())?),
                HasOneSet::Link(key) => HasOneTo::Link(key),
                HasOneSet::Unset => HasOneTo::Unset,
            };
            has_one.push(HasOneChange { relation, to });
        }
        let mut selection = self.selection.into_stmt(db, stmt::Select::Records)?;
        let mut assignments = self.assignments;
        // One `now()` for the statement and the local record alike.
        super::now::resolve_update(&mut assignments, &mut selection);
        let arithmetic: Vec<usize> = self.arithmetic.iter().map(|(f, _)| *f).collect();
        // A record changed relative to its stored values reads the new values back in
        // the same atomic step as the update (RETURNING, or the row the key-value write
        // is conditioned on).
        let returning = self.target.is_some() && !arithmetic.is_empty();
        let stmt = stmt::Update {
            selection,
            assignments: assignments.clone(),
            arithmetic: self.arithmetic,
            returning,
        };
        Ok(Prepared::Run(
            BatchStatement(Statement::Update(stmt, has_one.into())),
            UpdateState {
                target: self.target,
                assignments,
                arithmetic,
            },
        ))
    }

    fn __finish(state: UpdateState<'a, M>, outcome: Outcome) -> Result<u64> {
        let n = outcome.count();
        if let Some(target) = state.target {
            if n == 0 {
                return Err(Error::not_found(format!(
                    "the `{}` record to update no longer exists",
                    M::NAME
                )));
            }
            if !state.arithmetic.is_empty() {
                let mut rows = outcome.into_rows().unwrap_or_default();
                let Some(row) = rows.first_mut() else {
                    return Err(Error::driver(
                        "the update of a record did not return the record",
                    ));
                };
                for &field in &state.arithmetic {
                    let value = row
                        .get_mut(field)
                        .map(|v| std::mem::replace(v, Value::Null))
                        .unwrap_or(Value::Null);
                    target.assign(field, value)?;
                }
            }
            for (field, value) in state.assignments {
                target.assign(field, value)?;
            }
        }
        Ok(n)
    }
}
