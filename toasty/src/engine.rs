//! The engine: a statement is compiled into a [`Plan`] (verify -> lower -> simplify ->
//! plan) and the plan runs on the one connection it is handed.
//!
//! * [`verify`] type-checks a model-level statement against the app schema;
//! * [`lower`] turns it into table-level operations (fields -> columns, auto values);
//! * [`simplify`] folds constants and flattens boolean structure; [`single_row`] drops
//!   the limit and order of a read that pins the whole primary key;
//! * [`plan_kv`] finds key-value access paths; [`compile`] builds the [`Plan`];
//! * [`exec`] runs a plan's steps on a connection: the only code that calls a driver
//!   for a statement (`db` sends DDL and transaction control itself).
//!
//! The engine must not know any database's SQL; that belongs to `toasty-sql`. It never
//! sees a `Db` or a pool: whoever calls it decides on which connection, and inside which
//! transaction, a plan runs.

mod cascade;
mod compile;
mod create;
mod exec;
mod explain;
mod has_one_update;
mod key_size;
mod lower;
mod plan;
mod plan_kv;
mod related_filter;
mod schema_check;
mod shape;
mod shape_cache;
mod simplify;
mod single_row;
mod verify;

pub(crate) use compile::compile;
pub(crate) use exec::{run, run_batch};
pub use plan::Plan;
pub(crate) use schema_check::check_schema;
pub(crate) use shape_cache::{compile_cached, Caches, Pinned};
pub use shape_cache::{CacheStats, StatementCache, DEFAULT_CAPACITY as DEFAULT_CACHE_CAPACITY};

use toasty_core::stmt;
use toasty_core::Value;

/// A model-level statement.
#[derive(Debug, Clone)]
pub(crate) enum Statement {
    /// A query, and the relation paths to load with its records (`.include(..)`; each
    /// path is relation positions from the queried model).
    Query(stmt::Query, Vec<Vec<usize>>),
    /// An insert without related records (the untyped API).
    Insert(stmt::Insert),
    /// Records created with the records related to them (the typed API).
    Create(CreateTree),
    /// An update, and the `#[has_one]` relations it points at other records
    /// (`user.update().profile(..)`).
    Update(stmt::Update, Box<[HasOneChange]>),
    Delete(stmt::Delete),
}

impl Statement {
    /// The model the statement is about.
    pub(crate) fn model(&self) -> toasty_core::schema::app::ModelId {
        match self {
            Statement::Query(q, _) => q.model,
            Statement::Insert(i) => i.model,
            Statement::Create(c) => c.model,
            Statement::Update(u, _) => u.selection.model,
            Statement::Delete(d) => d.selection.model,
        }
    }

    /// The kind of statement, for logs.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Statement::Query(..) => "query",
            Statement::Insert(_) | Statement::Create(_) => "create",
            Statement::Update(..) => "update",
            Statement::Delete(_) => "delete",
        }
    }
}

/// Records of one model to create, each with records of related models created with it
/// (`create!(User { todos: [{ .. }] })`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateTree {
    pub(crate) model: toasty_core::schema::app::ModelId,
    pub(crate) rows: Vec<CreateNode>,
}

/// One record to create: a value per field (`None`: not given) and, per relation
/// position, records created with it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateNode {
    pub(crate) values: Vec<Option<Value>>,
    pub(crate) nested: Vec<(usize, CreateNode)>,
}

/// A `#[has_one]` relation an update points elsewhere: the relation's position among
/// the model's relations, and what it gets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HasOneChange {
    pub(crate) relation: usize,
    pub(crate) to: HasOneTo,
}

/// What an update gives a `#[has_one]` relation (see [`HasOneChange`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HasOneTo {
    /// A new record, created with the update.
    Create(CreateNode),
    /// An existing record: its primary key, `(field, value)` pairs.
    Link(Vec<(usize, Value)>),
    /// No record (an optional relation).
    Unset,
}

/// A record with its loaded relations: values in field order, and per relation position
/// the related records if the statement loaded them. Not part of the public API
/// (generated code loads models from it).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The values, in field order.
    pub values: Vec<Value>,
    /// Per relation position: `Some(records)` if loaded, `None` if not.
    pub relations: Vec<Option<Related>>,
}

impl Record {
    /// A record with no relation loaded.
    pub(crate) fn new(values: Vec<Value>) -> Record {
        Record {
            values,
            relations: Vec::new(),
        }
    }

    /// The slot of relation `relation`, grown to hold it.
    pub(crate) fn slot(&mut self, relation: usize) -> &mut Option<Related> {
        if self.relations.len() <= relation {
            self.relations.resize(relation + 1, None);
        }
        &mut self.relations[relation]
    }

    /// `true` if relation `relation` is loaded.
    pub(crate) fn is_loaded(&self, relation: usize) -> bool {
        matches!(self.relations.get(relation), Some(Some(_)))
    }
}

/// The records loaded for one relation of one record: `records` (each with the
/// relations loaded for it), then `rows`. Not part of the public API (generated code
/// builds the relation field from it).
///
/// Related records that load no relations of their own are kept as rows in one buffer
/// (`rows`): a relation of ten records then costs one allocation, not ten, and the
/// models are built straight from the buffer's slices.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Related {
    /// Records, each with the relations loaded for it.
    pub records: Vec<Record>,
    /// Records in field order with no relation loaded, after `records`.
    pub rows: toasty_core::driver::RowSet,
}

impl Related {
    /// Records, each with the relations loaded for it.
    pub(crate) fn of_records(records: Vec<Record>) -> Related {
        Related {
            records,
            rows: toasty_core::driver::RowSet::default(),
        }
    }

    /// Rows in field order, with no relation loaded.
    pub(crate) fn of_rows(rows: toasty_core::driver::RowSet) -> Related {
        Related {
            records: Vec::new(),
            rows,
        }
    }

    /// The number of related records.
    pub fn len(&self) -> usize {
        self.records.len() + self.rows.len()
    }

    /// `true` when no record is related.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records, each with its loaded relations (rows become records with none).
    pub fn into_records(self) -> Vec<Record> {
        let mut records = self.records;
        if !self.rows.is_empty() {
            records.extend(self.rows.into_vecs().into_iter().map(Record::new));
        }
        records
    }

    /// The records as a list that can take relations of their own (rows are turned
    /// into records first).
    pub(crate) fn records_mut(&mut self) -> &mut Vec<Record> {
        if !self.rows.is_empty() {
            let rows = std::mem::take(&mut self.rows);
            self.records
                .extend(rows.into_vecs().into_iter().map(Record::new));
        }
        &mut self.records
    }
}

/// What a statement produced: records in field order, or a number. Not part of the
/// public API (generated code passes it through).
#[doc(hidden)]
#[derive(Debug)]
pub enum Outcome {
    /// Records in field order.
    Records(Vec<Vec<Value>>),
    /// Records in field order, in one buffer (a read served by an SQL driver).
    RecordSet(toasty_core::driver::RowSet),
    /// Records with loaded relations.
    Loaded(Vec<Record>),
    /// A number.
    Count(u64),
}

impl Outcome {
    /// The number of records, or the count.
    pub(crate) fn count(&self) -> u64 {
        match self {
            Outcome::Records(rows) => rows.len() as u64,
            Outcome::RecordSet(set) => set.len() as u64,
            Outcome::Loaded(records) => records.len() as u64,
            Outcome::Count(n) => *n,
        }
    }

    /// The records' values in field order (relations dropped), or `None` for a count.
    pub(crate) fn into_rows(self) -> Option<Vec<Vec<Value>>> {
        match self {
            Outcome::Records(rows) => Some(rows),
            Outcome::RecordSet(set) => Some(set.into_vecs()),
            Outcome::Loaded(records) => Some(records.into_iter().map(|r| r.values).collect()),
            Outcome::Count(_) => None,
        }
    }

    /// The records with their loaded relations, or `None` for a count.
    pub(crate) fn into_records(self) -> Option<Vec<Record>> {
        match self {
            Outcome::Loaded(records) => Some(records),
            other => other
                .into_rows()
                .map(|rows| rows.into_iter().map(Record::new).collect()),
        }
    }
}
