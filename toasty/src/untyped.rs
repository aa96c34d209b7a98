//! Untyped access to the engine, for tools that build models and statements at runtime
//! (the differential harness, admin tools). Every call goes through the same verify,
//! lower, simplify, plan and exec stages as the typed API, on a [`Db`] or inside a
//! [`Transaction`].
//!
//! Records are `Vec<Value>` in field order; models are addressed by
//! [`toasty_core::schema::app::ModelId`] (see [`crate::schema::Schema::model_id`]).

use crate::engine::{Outcome, Statement};
use crate::stmt::paginate::fetch_rows;
use crate::{Db, Error, Executor, Result, Transaction, Value};
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, Direction, OrderBy};

/// A record with its loaded relations: values in field order, and per relation position
/// (the order of the model's relation fields) the related records if loaded. See
/// [`Db::exec_query_including`].
#[derive(Debug, Clone, PartialEq)]
pub struct UntypedRecord {
    /// The values, in field order.
    pub values: Vec<Value>,
    /// Per relation position: `Some(records)` if loaded, `None` if not.
    pub relations: Vec<Option<Vec<UntypedRecord>>>,
}

impl From<crate::engine::Record> for UntypedRecord {
    fn from(record: crate::engine::Record) -> Self {
        UntypedRecord {
            values: record.values,
            relations: record
                .relations
                .into_iter()
                .map(|slot| {
                    slot.map(|related| {
                        related
                            .into_records()
                            .into_iter()
                            .map(UntypedRecord::from)
                            .collect()
                    })
                })
                .collect(),
        }
    }
}

/// The records of an outcome as untyped records.
fn untyped_records(o: Outcome) -> Result<Vec<UntypedRecord>> {
    o.into_records()
        .map(|records| records.into_iter().map(UntypedRecord::from).collect())
        .ok_or_else(|| Error::driver("expected records from the driver but got a count"))
}

/// A record to create with the records related to it (see [`Db::exec_create`]).
#[derive(Debug, Clone, PartialEq)]
pub struct UntypedCreate {
    /// One value per field (`None`: not given).
    pub values: Vec<Option<Value>>,
    /// `(relation position, record)`: records created with this one; their foreign
    /// keys (or this record's, for a `#[belongs_to]`) are filled in.
    pub nested: Vec<(usize, UntypedCreate)>,
}

impl UntypedCreate {
    fn into_node(self) -> crate::engine::CreateNode {
        crate::engine::CreateNode {
            values: self.values,
            nested: self
                .nested
                .into_iter()
                .map(|(r, c)| (r, c.into_node()))
                .collect(),
        }
    }
}

/// What an update gives a `#[has_one]` relation (see [`Db::exec_update_has_one`]).
#[derive(Debug, Clone, PartialEq)]
pub enum UntypedHasOne {
    /// A new record, created with the update (its foreign key is filled in).
    Create(UntypedCreate),
    /// An existing record: its primary key, `(field, value)` pairs.
    Link(Vec<(usize, Value)>),
    /// No record (an optional relation).
    Unset,
}

/// One page of untyped records. See [`Db::exec_page`].
#[derive(Debug, Clone, PartialEq)]
pub struct UntypedPage {
    /// The records, in the query's order.
    pub rows: Vec<Vec<Value>>,
    /// `true` if more records lie beyond this page in the direction it was fetched.
    pub more: bool,
}

/// One model-level statement of an untyped batch ([`Db::exec_untyped_batch`]).
#[derive(Debug, Clone, PartialEq)]
pub enum UntypedStatement {
    /// Records a query selects (whole, or the fields `select: Select::Fields(..)` names,
    /// in that order).
    Query(stmt::Query),
    /// The number of records a query matches (limit and offset are not allowed here).
    Count(stmt::Query),
    /// Inserts records.
    Insert(stmt::Insert),
    /// Updates the records a selection matches.
    Update(stmt::Update),
    /// Deletes the records a selection matches.
    Delete(stmt::Delete),
}

/// What one statement of an untyped batch produced.
#[derive(Debug, Clone, PartialEq)]
pub enum UntypedOutcome {
    /// Records in field order (a query; an insert's stored records).
    Records(Vec<Vec<Value>>),
    /// A number (a count; records updated or deleted).
    Count(u64),
}

fn into_statement(s: UntypedStatement) -> Statement {
    match s {
        UntypedStatement::Query(mut q) => {
            // Records, or the fields a projection names.
            if q.select == stmt::Select::Count {
                q.select = stmt::Select::Records;
            }
            Statement::Query(q, Vec::new())
        }
        UntypedStatement::Count(mut q) => {
            q.select = stmt::Select::Count;
            Statement::Query(q, Vec::new())
        }
        UntypedStatement::Insert(i) => Statement::Insert(i),
        UntypedStatement::Update(mut u) => {
            u.returning = false;
            Statement::Update(u, Box::default())
        }
        UntypedStatement::Delete(d) => Statement::Delete(d),
    }
}

fn into_untyped(o: Outcome) -> UntypedOutcome {
    match o {
        Outcome::Count(n) => UntypedOutcome::Count(n),
        other => UntypedOutcome::Records(other.into_rows().unwrap_or_default()),
    }
}

fn records(o: Outcome, what: &str) -> Result<Vec<Vec<Value>>> {
    match into_untyped(o) {
        UntypedOutcome::Records(rows) => Ok(rows),
        UntypedOutcome::Count(_) => Err(Error::invalid_statement(format!(
            "{what} needs a statement that returns records"
        ))),
    }
}

fn count(o: Outcome) -> u64 {
    match into_untyped(o) {
        UntypedOutcome::Records(rows) => rows.len() as u64,
        UntypedOutcome::Count(n) => n,
    }
}

async fn exec_query(e: &mut dyn Executor, query: stmt::Query) -> Result<Vec<Vec<Value>>> {
    let stmt = into_statement(UntypedStatement::Query(query));
    records(e.__session().exec(stmt).await?, "exec_query")
}

async fn exec_count(e: &mut dyn Executor, query: stmt::Query) -> Result<u64> {
    if query.limit.is_some() || query.offset.is_some() {
        return Ok(exec_query(e, query).await?.len() as u64);
    }
    let stmt = into_statement(UntypedStatement::Count(query));
    Ok(count(e.__session().exec(stmt).await?))
}

async fn exec_batch(
    e: &mut dyn Executor,
    stmts: Vec<UntypedStatement>,
) -> Result<Vec<UntypedOutcome>> {
    let stmts = stmts.into_iter().map(into_statement).collect();
    Ok(e.__session()
        .exec_batch(stmts)
        .await?
        .into_iter()
        .map(into_untyped)
        .collect())
}

async fn exec_page(
    e: &mut dyn Executor,
    mut query: stmt::Query,
    per_page: usize,
    cursor: Option<&[Value]>,
    backward: bool,
) -> Result<UntypedPage> {
    if per_page == 0 {
        return Err(Error::invalid_statement("a page needs at least one record"));
    }
    query.order_by = pagination_order(e.schema(), &query)?;
    let (rows, more) = fetch_rows(e, query, per_page, cursor, backward).await?;
    Ok(UntypedPage { rows, more })
}

fn pagination_order(schema: &Schema, query: &stmt::Query) -> Result<Vec<OrderBy>> {
    let model = schema.model(query.model)?;
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

macro_rules! untyped_api {
    ($ty:ty) => {
        impl $ty {
            /// Runs a model-level query and returns the records (field order), or with
            /// `select: Select::Fields(..)` the projected values of each record.
            pub async fn exec_query(&mut self, query: stmt::Query) -> Result<Vec<Vec<Value>>> {
                exec_query(self, query).await
            }

            /// Runs a model-level query and loads the relation paths `include` (each a
            /// list of relation positions from the queried model) with the records.
            pub async fn exec_query_including(
                &mut self,
                query: stmt::Query,
                include: Vec<Vec<usize>>,
            ) -> Result<Vec<UntypedRecord>> {
                let mut query = query;
                query.select = stmt::Select::Records;
                let outcome = self
                    .__session()
                    .exec(Statement::Query(query, include))
                    .await?;
                untyped_records(outcome)
            }

            /// Creates records of `model`, each with the records nested in it, as one
            /// atomic statement, and returns them as stored with the nested records in
            /// their relations.
            pub async fn exec_create(
                &mut self,
                model: toasty_core::schema::app::ModelId,
                rows: Vec<UntypedCreate>,
            ) -> Result<Vec<UntypedRecord>> {
                let tree = crate::engine::CreateTree {
                    model,
                    rows: rows.into_iter().map(UntypedCreate::into_node).collect(),
                };
                let outcome = self.__session().exec(Statement::Create(tree)).await?;
                untyped_records(outcome)
            }

            /// Counts the records a model-level query matches (limit and offset apply).
            pub async fn exec_count(&mut self, query: stmt::Query) -> Result<u64> {
                exec_count(self, query).await
            }

            /// Inserts records and returns them as stored (with generated values).
            pub async fn exec_insert(&mut self, insert: stmt::Insert) -> Result<Vec<Vec<Value>>> {
                let stmt = into_statement(UntypedStatement::Insert(insert));
                records(self.__session().exec(stmt).await?, "exec_insert")
            }

            /// Updates the records a selection matches; returns how many matched. A
            /// limit or offset is refused (`InvalidStatement`).
            pub async fn exec_update(&mut self, update: stmt::Update) -> Result<u64> {
                let stmt = into_statement(UntypedStatement::Update(update));
                Ok(count(self.__session().exec(stmt).await?))
            }

            /// Updates the records a selection matches and returns them as stored after
            /// the update (field order), the way `instance.update()` reads its record
            /// back, relative changes included.
            pub async fn exec_update_returning(
                &mut self,
                mut update: stmt::Update,
            ) -> Result<Vec<Vec<Value>>> {
                update.returning = true;
                records(
                    self.__session()
                        .exec(Statement::Update(update, Box::new([])))
                        .await?,
                    "exec_update_returning",
                )
            }

            /// Updates the one record a selection pins by its whole primary key and
            /// points `#[has_one]` relations (`(relation position, value)`) at other
            /// records, as one atomic statement (see docs/semantics.md); returns how
            /// many records matched (0 or 1).
            pub async fn exec_update_has_one(
                &mut self,
                update: stmt::Update,
                has_one: Vec<(usize, UntypedHasOne)>,
            ) -> Result<u64> {
                let mut update = update;
                update.returning = false;
                let changes: Vec<crate::engine::HasOneChange> = has_one
                    .into_iter()
                    .map(|(relation, to)| crate::engine::HasOneChange {
                        relation,
                        to: match to {
                            UntypedHasOne::Create(c) => {
                                crate::engine::HasOneTo::Create(c.into_node())
                            }
                            UntypedHasOne::Link(key) => crate::engine::HasOneTo::Link(key),
                            UntypedHasOne::Unset => crate::engine::HasOneTo::Unset,
                        },
                    })
                    .collect();
                let stmt = Statement::Update(update, changes.into());
                Ok(count(self.__session().exec(stmt).await?))
            }

            /// Deletes the records a selection matches; returns how many were deleted.
            pub async fn exec_delete(&mut self, delete: stmt::Delete) -> Result<u64> {
                let stmt = into_statement(UntypedStatement::Delete(delete));
                Ok(count(self.__session().exec(stmt).await?))
            }

            /// Links (`insert`) or unlinks records through relation `relation` of
            /// `model`, as `parent.children().insert(..)` / `.remove(..)` do: `parent`
            /// holds the source record's `(field position, value)` pairs (its primary
            /// key), `children` the primary keys of the records. One update or delete;
            /// the same errors as the typed methods (`InvalidStatement` on a
            /// `#[belongs_to]` or `via` relation).
            pub async fn exec_link(
                &mut self,
                model: toasty_core::schema::app::ModelId,
                relation: usize,
                parent: Vec<(usize, Value)>,
                children: Vec<Vec<Value>>,
                insert: bool,
            ) -> Result<()> {
                let schema = Executor::schema(self);
                let name = schema.model(model)?.name.clone();
                let scope = crate::stmt::scope::Scope::named(name, relation, parent);
                match crate::stmt::link::untyped_link(schema, &scope, children, insert)? {
                    Some(stmt) => self.__session().exec(into_statement(stmt)).await.map(drop),
                    None => Ok(()),
                }
            }

            /// Runs statements as one atomic batch (see [`crate::batch`]): all of them
            /// take effect or none does.
            pub async fn exec_untyped_batch(
                &mut self,
                stmts: Vec<UntypedStatement>,
            ) -> Result<Vec<UntypedOutcome>> {
                exec_batch(self, stmts).await
            }

            /// Fetches one page of a query with keyset pagination: the primary key is
            /// appended to the order, and the page holds up to `per_page` records after
            /// `cursor` (the sort values of the last record of the previous page), or
            /// before it when `backward`. Use `page_cursor` to get a record's cursor.
            pub async fn exec_page(
                &mut self,
                query: stmt::Query,
                per_page: usize,
                cursor: Option<&[Value]>,
                backward: bool,
            ) -> Result<UntypedPage> {
                exec_page(self, query, per_page, cursor, backward).await
            }

            /// Compiles `stmt` for this driver without running it: `Ok` when it would
            /// reach the driver, else the error running it gives before anything is sent
            /// (an invalid or out-of-range value, a refused shape). A batch compiles its
            /// statements in order before running any, so its error is the first such
            /// error. Tools that predict outcomes (the differential harness) use it.
            pub fn compile_untyped(&self, stmt: UntypedStatement) -> Result<()> {
                crate::engine::compile(
                    Executor::schema(self),
                    Executor::capability(self),
                    into_statement(stmt),
                )
                .map(drop)
            }

            /// The cursor of `record` for paginating `query` (see `exec_page`).
            pub fn page_cursor(&self, query: &stmt::Query, record: &[Value]) -> Result<Vec<Value>> {
                let order = pagination_order(Executor::schema(self), query)?;
                Ok(crate::stmt::paginate::cursor_values(&order, record))
            }
        }
    };
}

untyped_api!(Db);
untyped_api!(Transaction<'_>);
