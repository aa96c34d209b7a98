//! [`Plan`]: what a statement compiles to. Numbered steps whose inputs name earlier
//! steps' outputs, and how the outcome is read off them.
//!
//! A plan is data: it can be printed ([`Plan::explain`]), snapshot-tested and, later,
//! cached by statement shape. `exec` runs it on the one connection it is handed.

use super::plan_kv::Fetch;
use toasty_core::driver::{self, Operation};
use toasty_core::schema::app::ModelId;
use toasty_core::schema::db::TableId;
use toasty_core::{Type, Value};

/// The position of a step in [`Plan::steps`].
pub(crate) type StepId = usize;

/// A compiled statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) output: Output,
}

/// One step. Its output is the driver's response, rows, or write items.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// Runs one driver operation as it is (SQL kind).
    Op(Operation),
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
    Update {
        table: TableId,
        input: StepId,
        assignments: Vec<(usize, Value)>,
    },
    /// The rows of step `input` are deleted, each on condition that it is unchanged; their
    /// claims are released.
    Delete { table: TableId, input: StepId },
}

/// How the statement's outcome is read off the steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Output {
    /// The rows of `step` as records of `model`.
    Records { step: StepId, model: ModelId },
    /// The rows of `step` after `assignments`, as records of `model` (a key-value update
    /// with `returning`).
    Assigned {
        step: StepId,
        model: ModelId,
        assignments: Vec<(usize, Value)>,
    },
    /// A number: the count `step` answered, or the number of its rows.
    Count { step: StepId },
    /// The records an insert stored. When the database generates a field, each step in
    /// `steps` returns one value per row, in order, for `generated`.
    Inserted {
        records: Vec<Vec<Value>>,
        generated: Option<Generated>,
        steps: Vec<StepId>,
    },
}

/// A field whose value the database assigns (auto-increment), checked against its type
/// when it comes back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Generated {
    /// The field position.
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
        }
    }

    /// `true` if running the plan may change stored data.
    pub(crate) fn writes(&self) -> bool {
        self.steps.iter().any(|s| match s {
            Step::Op(op) => op.is_write(),
            Step::Write(_) => true,
            Step::Fetch { .. } | Step::Select { .. } => false,
        })
    }

    /// The number of driver writes the plan makes on an SQL driver.
    fn sql_writes(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Op(op) if op.is_write()))
            .count()
    }

    /// `true` when the checks after the write can fail (a generated value out of its
    /// field's range), so the write must be undoable.
    fn checks_after_write(&self) -> bool {
        matches!(&self.output, Output::Inserted { generated: Some(g), .. } if g.needs_check())
    }

    /// `true` when the plan, run outside a transaction, must run inside one to be
    /// all-or-nothing: more than one write, or a check after its write.
    pub(crate) fn needs_transaction(&self) -> bool {
        self.sql_writes() > 1 || (self.sql_writes() == 1 && self.checks_after_write())
    }

    /// `true` when `plans`, run as one batch outside a transaction, must run inside one.
    pub(crate) fn batch_needs_transaction(plans: &[Plan]) -> bool {
        let writes: usize = plans.iter().map(Plan::sql_writes).sum();
        writes > 1 || (writes == 1 && plans.iter().any(Plan::checks_after_write))
    }
}
