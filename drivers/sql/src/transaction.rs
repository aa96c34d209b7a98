//! Interactive transactions: the SQL of each [`TransactionOp`] per dialect, and
//! [`TransactionState`], the bookkeeping every SQL driver does for the transaction its
//! connection is in.
//!
//! | step | SQLite | PostgreSQL | MySQL / MariaDB |
//! |---|---|---|---|
//! | begin | `BEGIN` (any level: SQLite is serializable) | `BEGIN [ISOLATION LEVEL ..][,] [READ ONLY]` | `[SET TRANSACTION ISOLATION LEVEL ..;] START TRANSACTION [READ ONLY]` |
//! | read-only | emulated: `PRAGMA query_only = ON` after `BEGIN`, `OFF` after the end | native | native |
//! | commit / rollback | `COMMIT` / `ROLLBACK` | same | same |
//! | savepoints | `SAVEPOINT toasty_spN`, `RELEASE SAVEPOINT toasty_spN`, `ROLLBACK TO SAVEPOINT toasty_spN` | same | same |
//!
//! A driver keeps one [`TransactionState`] per connection and runs transaction control
//! through [`TransactionState::plan`], which refuses misuse before anything is sent
//! (a second `Begin`, `Commit` without a transaction, an unknown savepoint) and never
//! commits a transaction the database has aborted.

use crate::{Dialect, Output, Serializer, Statement};
use toasty_core::driver::TransactionOp;
use toasty_core::{Error, ErrorKind, Result};

impl Serializer {
    /// The statements of one transaction-control step, for a read-write transaction
    /// (see [`TransactionState::plan`], which also ends SQLite's read-only emulation).
    pub(crate) fn transaction(&self, op: &TransactionOp) -> Result<Vec<Statement>> {
        let d = self.dialect;
        let one = |sql: String| vec![control(sql)];
        Ok(match *op {
            TransactionOp::Begin {
                isolation,
                read_only,
            } => match d {
                // SQLite transactions are serializable, which is at least as strong as
                // any level that can be asked for. Reads take a snapshot at the first
                // read; a write after another connection committed fails with
                // SQLITE_BUSY (a serialization failure) rather than losing an update.
                Dialect::Sqlite => {
                    let mut out = one("BEGIN".into());
                    if read_only {
                        // SQLite has no read-only transactions: `query_only` makes every
                        // write fail with SQLITE_READONLY until it is turned off again.
                        out.push(control("PRAGMA query_only = ON".into()));
                    }
                    out
                }
                Dialect::Postgres => {
                    let mut sql = String::from("BEGIN");
                    if let Some(level) = isolation {
                        sql.push_str(" ISOLATION LEVEL ");
                        sql.push_str(level.sql_name());
                    }
                    if read_only {
                        sql.push_str(if isolation.is_some() {
                            ", READ ONLY"
                        } else {
                            " READ ONLY"
                        });
                    }
                    one(sql)
                }
                Dialect::Mysql => {
                    // `SET TRANSACTION` (no SESSION / GLOBAL) applies to the next
                    // transaction only; `START TRANSACTION` has no isolation clause.
                    let mut out = Vec::with_capacity(2);
                    if let Some(level) = isolation {
                        out.push(control(format!(
                            "SET TRANSACTION ISOLATION LEVEL {}",
                            level.sql_name()
                        )));
                    }
                    out.push(control(if read_only {
                        "START TRANSACTION READ ONLY".into()
                    } else {
                        "START TRANSACTION".into()
                    }));
                    out
                }
            },
            TransactionOp::Commit => one("COMMIT".into()),
            TransactionOp::Rollback => one("ROLLBACK".into()),
            TransactionOp::Savepoint(n) => {
                one(format!("SAVEPOINT {}", TransactionOp::savepoint_name(n)))
            }
            TransactionOp::ReleaseSavepoint(n) => one(format!(
                "RELEASE SAVEPOINT {}",
                TransactionOp::savepoint_name(n)
            )),
            TransactionOp::RollbackToSavepoint(n) => one(format!(
                "ROLLBACK TO SAVEPOINT {}",
                TransactionOp::savepoint_name(n)
            )),
        })
    }

    /// The statement that ends SQLite's read-only emulation (`PRAGMA query_only =
    /// OFF`); `None` on the dialects with native read-only transactions.
    fn end_read_only(&self) -> Option<Statement> {
        (self.dialect == Dialect::Sqlite).then(|| control("PRAGMA query_only = OFF".into()))
    }

    /// The statements that roll back the open transaction, `read_only` or not.
    fn rollback_statements(&self, read_only: bool) -> Result<Vec<Statement>> {
        let mut out = self.transaction(&TransactionOp::Rollback)?;
        if read_only {
            out.extend(self.end_read_only());
        }
        Ok(out)
    }
}

/// A transaction-control statement: no parameters, no result.
fn control(sql: String) -> Statement {
    Statement {
        sql,
        params: Vec::new(),
        output: Output::Nothing,
    }
}

/// What a driver knows about the user transaction its connection is in.
///
/// Every SQL driver keeps one per connection and
///
/// * runs each [`TransactionOp`] through [`TransactionState::plan`] and reports the
///   outcome with [`TransactionState::finish`];
/// * calls [`TransactionState::check_operation`] before any other operation;
/// * runs an operation of several statements inside a savepoint (or inline) instead of
///   its own `BEGIN` .. `COMMIT` while [`TransactionState::is_open`];
/// * reports failures of ordinary operations with [`TransactionState::note_error`]
///   (a serialization failure ends the transaction), and calls
///   [`TransactionState::mark_failed`] when its database refuses every statement after
///   an error until a rollback (PostgreSQL) or [`TransactionState::mark_ended`] when the
///   database rolled the whole transaction back on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionState {
    open: Option<Open>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Open {
    read_only: bool,
    /// Savepoint numbers, oldest first.
    savepoints: Vec<u32>,
    status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Statements run normally.
    Active,
    /// A statement failed and the database ignores everything until a rollback, to a
    /// savepoint or of the whole transaction (PostgreSQL).
    Failed,
    /// The database rolled the whole transaction back on its own (a serialization
    /// failure, a deadlock); only [`TransactionOp::Rollback`] is accepted.
    Ended,
}

/// How to carry out one [`TransactionOp`] (from [`TransactionState::plan`]).
#[derive(Debug)]
pub struct TransactionPlan {
    /// Run these in order, stopping at the first failure.
    pub statements: Vec<Statement>,
    /// If one of [`TransactionPlan::statements`] fails, run these, ignoring their
    /// errors, before reporting the failure: a `Begin` or `Commit` that failed half-way
    /// is rolled back so the connection is not left inside a transaction.
    pub cleanup: Vec<Statement>,
    /// When the statements succeed, report this error instead of success: a `Commit` of
    /// a transaction the database aborted runs a rollback and reports
    /// [`ErrorKind::TransactionAborted`].
    pub refusal: Option<Error>,
}

impl TransactionState {
    /// No transaction is open.
    pub fn new() -> TransactionState {
        TransactionState::default()
    }

    /// `true` while a user transaction is open on the connection (including one the
    /// database aborted, until it is rolled back).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// `true` while a read-only transaction is open.
    pub fn is_read_only(&self) -> bool {
        self.open.as_ref().is_some_and(|o| o.read_only)
    }

    /// How many savepoints are defined in the open transaction.
    pub fn savepoints(&self) -> usize {
        self.open.as_ref().map_or(0, |o| o.savepoints.len())
    }

    /// Decides what to send for `op`. Misuse is refused here, before anything reaches
    /// the database: `Begin` while a transaction is open, any other step without one,
    /// or a savepoint that does not exist is [`ErrorKind::InvalidStatement`]; anything
    /// but a rollback in a transaction the database aborted is
    /// [`ErrorKind::TransactionAborted`] (a `Commit` there rolls back instead; see
    /// [`TransactionPlan::refusal`]).
    pub fn plan(&self, serializer: &Serializer, op: &TransactionOp) -> Result<TransactionPlan> {
        let open = match (&self.open, op) {
            (Some(_), TransactionOp::Begin { .. }) => {
                return Err(Error::invalid_statement(
                    "a transaction is already open on this connection; commit or roll it \
                     back first, or use a savepoint (a nested transaction) inside it",
                ))
            }
            (None, TransactionOp::Begin { read_only, .. }) => {
                return Ok(TransactionPlan {
                    statements: serializer.transaction(op)?,
                    cleanup: serializer.rollback_statements(*read_only)?,
                    refusal: None,
                });
            }
            (None, _) => {
                return Err(Error::invalid_statement(format!(
                    "no transaction is open on this connection, so there is nothing to {}; \
                     begin a transaction first",
                    step_name(op)
                )))
            }
            (Some(open), _) => open,
        };
        let rollback = serializer.rollback_statements(open.read_only)?;
        let plain = |statements| TransactionPlan {
            statements,
            cleanup: Vec::new(),
            refusal: None,
        };
        match *op {
            TransactionOp::Begin { .. } => Err(Error::invalid_statement(
                "a transaction is already open on this connection",
            )),
            TransactionOp::Commit if open.status != Status::Active => Ok(TransactionPlan {
                statements: rollback.clone(),
                cleanup: rollback,
                refusal: Some(Error::transaction_aborted(format!(
                    "the transaction was not committed because {}; it has been rolled \
                     back: begin a new transaction and run it again",
                    open.status.reason()
                ))),
            }),
            TransactionOp::Commit => {
                let mut statements = serializer.transaction(op)?;
                if open.read_only {
                    statements.extend(serializer.end_read_only());
                }
                Ok(TransactionPlan {
                    statements,
                    cleanup: rollback,
                    refusal: None,
                })
            }
            TransactionOp::Rollback => Ok(TransactionPlan {
                statements: rollback.clone(),
                cleanup: rollback,
                refusal: None,
            }),
            TransactionOp::Savepoint(_) | TransactionOp::ReleaseSavepoint(_)
                if open.status != Status::Active =>
            {
                Err(open.status.refusal())
            }
            TransactionOp::RollbackToSavepoint(_) if open.status == Status::Ended => {
                Err(open.status.refusal())
            }
            TransactionOp::Savepoint(_) => Ok(plain(serializer.transaction(op)?)),
            TransactionOp::ReleaseSavepoint(n) | TransactionOp::RollbackToSavepoint(n) => {
                if !open.savepoints.contains(&n) {
                    return Err(Error::invalid_statement(format!(
                        "savepoint {} does not exist in this transaction (it was never \
                         created, or was released or rolled back past), so there is \
                         nothing to {}",
                        TransactionOp::savepoint_name(n),
                        step_name(op)
                    )));
                }
                Ok(plain(serializer.transaction(op)?))
            }
        }
    }

    /// Records the outcome of running `op`'s plan (`ok`: every statement succeeded).
    /// After a `Commit` or a `Rollback` no transaction is open, whatever the outcome: a
    /// failed commit has been rolled back by the plan's cleanup.
    pub fn finish(&mut self, op: &TransactionOp, ok: bool) {
        match *op {
            TransactionOp::Begin { read_only, .. } => {
                self.open = ok.then_some(Open {
                    read_only,
                    savepoints: Vec::new(),
                    status: Status::Active,
                });
            }
            TransactionOp::Commit | TransactionOp::Rollback => self.open = None,
            TransactionOp::Savepoint(n) => {
                if let (Some(open), true) = (&mut self.open, ok) {
                    open.savepoints.push(n);
                }
            }
            TransactionOp::ReleaseSavepoint(n) => {
                if let (Some(open), true) = (&mut self.open, ok) {
                    // Releasing a savepoint also releases every later one.
                    if let Some(i) = open.savepoints.iter().rposition(|&s| s == n) {
                        open.savepoints.truncate(i);
                    }
                }
            }
            TransactionOp::RollbackToSavepoint(n) => {
                if let (Some(open), true) = (&mut self.open, ok) {
                    // The savepoint stays; later ones are gone; the transaction works
                    // again after a failed statement.
                    if let Some(i) = open.savepoints.iter().rposition(|&s| s == n) {
                        open.savepoints.truncate(i + 1);
                    }
                    open.status = Status::Active;
                }
            }
        }
    }

    /// Checks that an ordinary operation may run: inside an aborted transaction it
    /// fails with [`ErrorKind::TransactionAborted`] without reaching the database.
    pub fn check_operation(&self) -> Result<()> {
        match &self.open {
            Some(open) if open.status != Status::Active => Err(open.status.refusal()),
            _ => Ok(()),
        }
    }

    /// Records that an operation inside the open transaction failed with `error`: a
    /// [`ErrorKind::SerializationFailure`] ends the transaction (the database rolled it
    /// back, or it cannot commit), so only a rollback is accepted afterwards.
    pub fn note_error(&mut self, error: &Error) {
        if error.kind() == ErrorKind::SerializationFailure {
            self.mark_ended();
        }
    }

    /// Records that the database refuses every statement until the transaction is
    /// rolled back, or rolled back to a savepoint (PostgreSQL after any error).
    pub fn mark_failed(&mut self) {
        if let Some(open) = &mut self.open {
            if open.status == Status::Active {
                open.status = Status::Failed;
            }
        }
    }

    /// Records that the database rolled the whole transaction back on its own; only a
    /// rollback is accepted until then.
    pub fn mark_ended(&mut self) {
        if let Some(open) = &mut self.open {
            open.status = Status::Ended;
        }
    }

    /// Forgets the transaction (the connection closed, or the driver rolled it back
    /// itself).
    pub fn clear(&mut self) {
        self.open = None;
    }
}

impl Status {
    fn reason(self) -> &'static str {
        match self {
            Status::Active => "it is active",
            Status::Failed => "an earlier statement in it failed and the database aborted it",
            Status::Ended => {
                "the database rolled it back on its own (a serialization failure or deadlock: \
                 it conflicted with a concurrent transaction)"
            }
        }
    }

    fn refusal(self) -> Error {
        let advice = match self {
            Status::Failed => {
                "roll it back (or roll back to a savepoint taken before the failure) and try \
                 again"
            }
            _ => "roll it back and run the whole transaction again",
        };
        Error::transaction_aborted(format!(
            "this transaction cannot run more statements because {}; {advice}",
            self.reason()
        ))
    }
}

/// What a step does, for messages.
fn step_name(op: &TransactionOp) -> &'static str {
    match op {
        TransactionOp::Begin { .. } => "begin",
        TransactionOp::Commit => "commit",
        TransactionOp::Rollback => "roll back",
        TransactionOp::Savepoint(_) => "create a savepoint in",
        TransactionOp::ReleaseSavepoint(_) => "release",
        TransactionOp::RollbackToSavepoint(_) => "roll back to",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::driver::IsolationLevel;

    fn sql(plan: &TransactionPlan) -> Vec<&str> {
        plan.statements.iter().map(|s| s.sql.as_str()).collect()
    }

    const BEGIN: TransactionOp = TransactionOp::Begin {
        isolation: None,
        read_only: false,
    };

    #[test]
    fn misuse_is_refused_before_anything_is_sent() {
        let s = Serializer::new(Dialect::Postgres);
        let mut state = TransactionState::new();
        for op in [
            TransactionOp::Commit,
            TransactionOp::Rollback,
            TransactionOp::Savepoint(1),
            TransactionOp::ReleaseSavepoint(1),
            TransactionOp::RollbackToSavepoint(1),
        ] {
            let e = state.plan(&s, &op).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{op:?}: {e}");
            assert!(e.message().contains("no transaction is open"), "{e}");
        }
        assert_eq!(sql(&state.plan(&s, &BEGIN).unwrap()), ["BEGIN"]);
        state.finish(&BEGIN, true);
        assert!(state.is_open());
        let e = state.plan(&s, &BEGIN).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement);
        let e = state
            .plan(&s, &TransactionOp::ReleaseSavepoint(1))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement);
        assert!(e.message().contains("toasty_sp1"), "{e}");
        // A failed begin leaves no transaction.
        let mut failed = TransactionState::new();
        failed.finish(&BEGIN, false);
        assert!(!failed.is_open());
    }

    #[test]
    fn savepoints_nest_and_unwind() {
        let s = Serializer::new(Dialect::Mysql);
        let mut state = TransactionState::new();
        state.finish(&BEGIN, true);
        for n in 1..=3 {
            let op = TransactionOp::Savepoint(n);
            assert_eq!(
                sql(&state.plan(&s, &op).unwrap()),
                [format!("SAVEPOINT toasty_sp{n}")]
            );
            state.finish(&op, true);
        }
        let back = TransactionOp::RollbackToSavepoint(2);
        assert_eq!(
            sql(&state.plan(&s, &back).unwrap()),
            ["ROLLBACK TO SAVEPOINT toasty_sp2"]
        );
        state.finish(&back, true);
        assert_eq!(state.savepoints(), 2);
        assert!(state
            .plan(&s, &TransactionOp::RollbackToSavepoint(3))
            .is_err());
        let release = TransactionOp::ReleaseSavepoint(1);
        state.finish(&release, true);
        assert_eq!(state.savepoints(), 0);
        // A savepoint that failed to be created does not exist.
        state.finish(&TransactionOp::Savepoint(1), false);
        assert_eq!(state.savepoints(), 0);
        state.finish(&TransactionOp::Commit, false);
        assert!(!state.is_open(), "a failed commit ends the transaction");
    }

    #[test]
    fn an_aborted_transaction_only_rolls_back() {
        let s = Serializer::new(Dialect::Postgres);
        let mut state = TransactionState::new();
        let begin = TransactionOp::Begin {
            isolation: Some(IsolationLevel::Serializable),
            read_only: false,
        };
        state.finish(&begin, true);
        state.finish(&TransactionOp::Savepoint(1), true);
        state.mark_failed();
        assert_eq!(
            state.check_operation().unwrap_err().kind(),
            ErrorKind::TransactionAborted
        );
        assert_eq!(
            state
                .plan(&s, &TransactionOp::Savepoint(2))
                .unwrap_err()
                .kind(),
            ErrorKind::TransactionAborted
        );
        // A commit rolls back and says so.
        let commit = state.plan(&s, &TransactionOp::Commit).unwrap();
        assert_eq!(sql(&commit), ["ROLLBACK"]);
        assert_eq!(
            commit.refusal.map(|e| e.kind()),
            Some(ErrorKind::TransactionAborted)
        );
        // Rolling back to a savepoint recovers from a failed statement ...
        let back = TransactionOp::RollbackToSavepoint(1);
        assert!(state.plan(&s, &back).is_ok());
        state.finish(&back, true);
        assert!(state.check_operation().is_ok());
        // ... but not from a serialization failure.
        state.note_error(&Error::serialization_failure("conflict"));
        assert_eq!(
            state.plan(&s, &back).unwrap_err().kind(),
            ErrorKind::TransactionAborted
        );
        assert_eq!(
            sql(&state.plan(&s, &TransactionOp::Rollback).unwrap()),
            ["ROLLBACK"]
        );
        // Other errors leave the transaction usable.
        let mut other = TransactionState::new();
        other.finish(&begin, true);
        other.note_error(&Error::unique_violation("dup"));
        assert!(other.check_operation().is_ok());
    }

    #[test]
    fn sqlite_read_only_emulation_is_turned_off_at_the_end() {
        let s = Serializer::new(Dialect::Sqlite);
        let mut state = TransactionState::new();
        let begin = TransactionOp::Begin {
            isolation: Some(IsolationLevel::ReadCommitted),
            read_only: true,
        };
        let plan = state.plan(&s, &begin).unwrap();
        assert_eq!(sql(&plan), ["BEGIN", "PRAGMA query_only = ON"]);
        let cleanup: Vec<&str> = plan.cleanup.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(cleanup, ["ROLLBACK", "PRAGMA query_only = OFF"]);
        state.finish(&begin, true);
        assert!(state.is_read_only());
        assert_eq!(
            sql(&state.plan(&s, &TransactionOp::Commit).unwrap()),
            ["COMMIT", "PRAGMA query_only = OFF"]
        );
        assert_eq!(
            sql(&state.plan(&s, &TransactionOp::Rollback).unwrap()),
            ["ROLLBACK", "PRAGMA query_only = OFF"]
        );
        let mut rw = TransactionState::new();
        rw.finish(&BEGIN, true);
        assert_eq!(
            sql(&rw.plan(&s, &TransactionOp::Commit).unwrap()),
            ["COMMIT"]
        );
    }
}
