//! Combining the outputs of an operation's statements into one [`Response`], the same
//! way for every SQL driver.

use toasty_core::driver::{Operation, Response};
use toasty_core::stmt::Select as Projection;
use toasty_core::Value;

/// Returns `true` when `op` answers with rows (reads, and writes with `returning`),
/// `false` when it answers with a count.
pub fn returns_rows(op: &Operation) -> bool {
    match op {
        Operation::Select(s) => s.projection == Projection::Records,
        Operation::Insert(i) => !i.returning.is_empty(),
        Operation::Update(u) => u.returning,
        Operation::GetByKey(_) | Operation::QueryPk(_) => true,
        Operation::CreateTable(_)
        | Operation::DropTable(_)
        | Operation::Delete(_)
        | Operation::UpdateByKey(_)
        | Operation::DeleteByKey(_) => false,
    }
}

/// Collects statement results into the operation's [`Response`]: rows are
/// concatenated in statement order; counts (affected rows or `COUNT(*)`) are added.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBuilder {
    rows: Option<Vec<Vec<Value>>>,
    count: u64,
}

impl ResponseBuilder {
    /// A builder for the response of `op`.
    pub fn new(op: &Operation) -> ResponseBuilder {
        ResponseBuilder {
            rows: returns_rows(op).then(Vec::new),
            count: 0,
        }
    }

    /// Adds rows returned by a statement.
    pub fn add_rows(&mut self, rows: Vec<Vec<Value>>) {
        self.count += rows.len() as u64;
        if let Some(all) = &mut self.rows {
            all.extend(rows);
        }
    }

    /// Adds a number of affected rows or a `COUNT(*)` result.
    pub fn add_count(&mut self, n: u64) {
        self.count += n;
    }

    /// The response.
    pub fn finish(self) -> Response {
        match self.rows {
            Some(rows) => Response::Rows(rows),
            None => Response::Count(self.count),
        }
    }
}
