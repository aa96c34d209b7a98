//! [`Plan`]: what a statement compiles to. Numbered steps whose inputs name earlier
//! steps' outputs, and how the outcome is read off them.
//!
//! A plan is data: it can be printed ([`Plan::explain`]), snapshot-tested and, later,
//! cached by statement shape. `exec` runs it on the one connection it is handed.

use super::plan_kv::Fetch;
use toasty_core::driver::{self, Operation};
use toasty_core::schema::app::ModelId;
use toasty_core::schema::db::TableId;
use toasty_core::stmt::Arith;
use toasty_core::{Type, Value};

/// The position of a step in [`Plan::steps`].
pub(crate) type StepId = usize;

/// A compiled statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) output: Output,
    /// Relations loaded for the records of the outcome, after the steps (and after a
    /// key-value write) have run.
    pub(crate) load: Option<Load>,
}

/// Relations to load for the records of a statement's outcome.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Load {
    /// The model of the outcome's records.
    pub(crate) model: ModelId,
    pub(crate) includes: Vec<Include>,
}

/// One relation to load: one read of the target model per level (its keys split only
/// past the bind-parameter budget), then the nested relations of the records found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Include {
    /// The relation's position among the model's relations.
    pub(crate) relation: usize,
    /// The related model.
    pub(crate) target: ModelId,
    /// Fields of a record whose values select the related records...
    pub(crate) source_fields: Vec<usize>,
    /// ...by equality with these fields of the target.
    pub(crate) target_fields: Vec<usize>,
    /// Relations of the related records to load in turn.
    pub(crate) nested: Vec<Include>,
    /// A `#[has_many(via = ..)]` relation: the direct relations of its path, each read
    /// in turn (one read per step); the distinct records of the last step are the
    /// relation's records. Empty for a direct relation.
    pub(crate) via: Vec<Include>,
}

/// Where a step's key values come from: the rows an earlier step produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeysFrom {
    /// The step whose rows hold the values.
    pub(crate) input: StepId,
    /// Columns of `input`'s rows...
    pub(crate) from: Vec<usize>,
    /// ...matched against these columns of this step's table.
    pub(crate) to: Vec<usize>,
}

/// A cell of an insert filled at exec time from a value an earlier step returned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fill {
    /// The row of this step's insert.
    pub(crate) row: usize,
    /// The position in the insert's `columns`.
    pub(crate) column: usize,
    /// The insert step whose `returning` holds the value...
    pub(crate) from: StepId,
    /// ...for this row of it.
    pub(crate) from_row: usize,
    /// The field the value goes into, checked against its type.
    pub(crate) check: Generated,
}

/// One step. Its output is the driver's response, rows, or write items.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// Runs one driver operation as it is (SQL kind).
    Op(Operation),
    /// An SQL insert some of whose cells are values earlier steps returned (the keys
    /// the database generated for the records this one refers to).
    Insert {
        op: driver::Insert,
        fills: Vec<Fill>,
    },
    /// An SQL select, update or delete whose filter also requires its columns `to` to
    /// equal the columns `from` of one of `input`'s rows (an `IN` list built at exec
    /// time, split past the bind-parameter budget). Skipped when `input` has no rows.
    OpWhereIn { op: Operation, keys: KeysFrom },
    /// Key-value read: the rows of `table` whose columns `to` equal the columns `from`
    /// of one of `input`'s rows, fetched through the index on them (exactly those rows,
    /// each once).
    FetchWhereIn { table: TableId, keys: KeysFrom },
    /// Key-value read: the rows of `table` that the fetches reach by key or partition;
    /// each fetch is split to the capability's batch sizes.
    Fetch { table: TableId, fetches: Vec<Fetch> },
    /// Applies `select` (filter, order, offset, limit) to the rows of `input` with the
    /// reference evaluator, after dropping rows fetched twice.
    Select {
        input: StepId,
        select: driver::Select,
    },
    /// Key-value write: items of the statement's one `TransactWrite`.
    Write(KvWrite),
    /// Looks at the rows step `input` read: when there are none, the rest of the plan
    /// is skipped (its steps produce no rows: [`OnEmpty::Stop`]) or the statement fails
    /// ([`OnEmpty::Fail`]), before anything after it is written.
    Check { input: StepId, on_empty: OnEmpty },
    /// Applies `arithmetic` to each row of `input` (rows of `table` in column order,
    /// read before an SQL update changes them) with [`Arith::apply`], and fails the
    /// statement with its error (`ValueOutOfRange`) before anything is written if a
    /// result leaves its field's type. Produces no rows.
    CheckArith {
        input: StepId,
        table: TableId,
        arithmetic: Vec<(usize, Arith)>,
    },
}

/// What a [`Step::Check`] does when its input has no rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OnEmpty {
    /// The remaining steps do not run (the statement matched nothing).
    Stop,
    /// The statement fails with `NotFound` and this message.
    Fail(String),
}

/// What a key-value write step writes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KvWrite {
    /// New rows (every column, in column order), each with a claim per unique index.
    Insert {
        table: TableId,
        rows: Vec<Vec<Value>>,
    },
    /// The rows of step `input` get `assignments`, each on condition that it is unchanged
    /// since it was read; unique values that change move their claims.
    /// `arithmetic` is computed by the engine from each row as read ([`Arith::apply`],
    /// before anything is written, so an overflow writes nothing); the condition that
    /// the row is unchanged makes the read and the write one atomic step.
    Update {
        table: TableId,
        input: StepId,
        assignments: Vec<(usize, Value)>,
        arithmetic: Vec<(usize, Arith)>,
    },
    /// The rows of step `input` are deleted, each on condition that it is unchanged; their
    /// claims are released.
    Delete { table: TableId, input: StepId },
    /// Like `Update`, for the children a cascading delete unlinks (sets their optional
    /// foreign key to NULL): a row that the same write deletes is only deleted.
    Unlink {
        table: TableId,
        input: StepId,
        assignments: Vec<(usize, Value)>,
    },
}

/// How the statement's outcome is read off the steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Output {
    /// The rows of `step` as records of `model`.
    Records { step: StepId, model: ModelId },
    /// The rows of `step` after `assignments` and `arithmetic`, as records of `model` (a
    /// key-value update with `returning`).
    Assigned {
        step: StepId,
        model: ModelId,
        assignments: Vec<(usize, Value)>,
        arithmetic: Vec<(usize, Arith)>,
    },
    /// `inner`, once every row `step` returned holds a value of its column's type in
    /// each of `columns` (an SQL update with arithmetic: the database computed the new
    /// values, and one outside the field's type fails the statement with
    /// `ValueOutOfRange`, undone by the transaction the plan runs in).
    Checked {
        step: StepId,
        columns: Vec<Generated>,
        inner: Box<Output>,
    },
    /// A number: the count `step` answered, or the number of its rows.
    Count { step: StepId },
    /// The rows of `step` as they are: the projected values of a `.select(..)` query,
    /// in projection order.
    Projected { step: StepId },
    /// The records a create stored: those of group `root`, with the records of the
    /// other groups (created with them) attached to their relations.
    Inserted {
        groups: Vec<InsertGroup>,
        root: usize,
    },
}

/// The records of one model that one create inserts together (one insert step, or
/// several past the bind-parameter limit).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InsertGroup {
    pub(crate) model: ModelId,
    /// The records as stored, in field order (generated fields NULL until read back).
    pub(crate) records: Vec<Vec<Value>>,
    /// When the database generates a field, each step in `steps` returns one value per
    /// row, in order, for it.
    pub(crate) generated: Option<Generated>,
    pub(crate) steps: Vec<StepId>,
    /// Fields of these records that copy a generated value of another group's record:
    /// `(row, field, group, row of that group)`.
    pub(crate) copies: Vec<(usize, usize, usize, usize)>,
    /// Where these records go in the outcome: record `j` into relation `relation` of
    /// record `owners[j]` of group `group`.
    pub(crate) attach: Option<Attach>,
}

/// See [`InsertGroup::attach`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attach {
    pub(crate) group: usize,
    pub(crate) relation: usize,
    pub(crate) owners: Vec<usize>,
}

/// A field whose value the database assigns (auto-increment, or the result of
/// arithmetic on the stored value), checked against its type when it comes back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Generated {
    /// The field position (for [`Output::Checked`]: the column position).
    pub(crate) field: usize,
    /// The field's type.
    pub(crate) ty: Type,
    /// `Model.field`, for messages.
    pub(crate) label: String,
}

impl Generated {
    /// `true` when a value the database assigns can fall outside the field's type (the
    /// database counts in 64 bits).
    pub(crate) fn needs_check(&self) -> bool {
        !matches!(self.ty, Type::I64 | Type::U64)
    }
}

impl Plan {
    /// A plan with one driver operation whose outcome is `output`.
    pub(crate) fn single(op: Operation, output: Output) -> Plan {
        Plan {
            steps: vec![Step::Op(op)],
            output,
            load: None,
        }
    }

    /// `true` if running the plan may change stored data.
    pub(crate) fn writes(&self) -> bool {
        self.steps.iter().any(|s| match s {
            Step::Op(op) | Step::OpWhereIn { op, .. } => op.is_write(),
            Step::Insert { .. } | Step::Write(_) => true,
            Step::Fetch { .. }
            | Step::FetchWhereIn { .. }
            | Step::Select { .. }
            | Step::Check { .. }
            | Step::CheckArith { .. } => false,
        })
    }

    /// The number of driver writes the plan makes on an SQL driver (at least; a step
    /// whose `IN` list is split makes more).
    fn sql_writes(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| match s {
                Step::Op(op) => op.is_write(),
                // Splitting or skipping is decided at exec time: count it as two so
                // the plan runs in a transaction.
                Step::OpWhereIn { op, .. } => op.is_write(),
                Step::Insert { .. } => true,
                _ => false,
            })
            .count()
            + self
                .steps
                .iter()
                .filter(|s| matches!(s, Step::OpWhereIn { op, .. } if op.is_write()))
                .count()
    }

    /// `true` when the checks after the write can fail (a generated value out of its
    /// field's range), so the write must be undoable.
    fn checks_after_write(&self) -> bool {
        match &self.output {
            Output::Checked { .. } => true,
            Output::Inserted { groups, .. } => groups
                .iter()
                .any(|g| g.generated.as_ref().is_some_and(Generated::needs_check)),
            _ => false,
        }
    }

    /// `true` when the plan, run outside a transaction, must run inside one to be
    /// all-or-nothing: more than one write, or a check after its write.
    pub(crate) fn needs_transaction(&self) -> bool {
        self.sql_writes() > 1
            || (self.sql_writes() == 1 && (self.checks_after_write() || self.checks_rows()))
    }

    /// `true` when a [`Step::Check`] decides on rows read before the writes, which must
    /// not change until the writes are done.
    fn checks_rows(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Check { .. }))
    }

    /// `true` when `plans`, run as one batch outside a transaction, must run inside one.
    pub(crate) fn batch_needs_transaction(plans: &[Plan]) -> bool {
        let writes: usize = plans.iter().map(Plan::sql_writes).sum();
        writes > 1
            || (writes == 1
                && plans
                    .iter()
                    .any(|p| p.checks_after_write() || p.checks_rows()))
    }
}
