//! Combining the outputs of an operation's statements into one [`Response`], the same
//! way for every SQL driver.

use std::cmp::Ordering;
use toasty_core::driver::{Operation, Response, RowSet};
use toasty_core::schema::db;
use toasty_core::stmt::Select as Projection;
use toasty_core::Value;

/// Returns `true` when `op` answers with rows (reads, and writes with `returning`),
/// `false` when it answers with a count.
pub fn returns_rows(op: &Operation) -> bool {
    match op {
        Operation::Select(s) => s.projection != Projection::Count,
        Operation::Insert(i) => !i.returning.is_empty(),
        Operation::Update(u) => u.returning,
        Operation::GetByKey(_) | Operation::QueryPk(_) => true,
        Operation::Cached(c) => returns_rows(c.template.op()),
        Operation::CreateTable(_)
        | Operation::DropTable(_)
        | Operation::Delete(_)
        | Operation::UpdateByKey(_)
        | Operation::DeleteByKey(_)
        | Operation::Transaction(_)
        | Operation::TransactWrite(_) => false,
    }
}

/// How the rows of a response are put in the order memdb defines.
#[derive(Debug, Clone, PartialEq)]
enum RowOrder {
    /// As the database returned them.
    AsReturned,
    /// `GetByKey`: in the order of the requested keys (`pk` are the key columns).
    Keys {
        pk: Vec<usize>,
        keys: Vec<Vec<Value>>,
    },
    /// `Update` with `returning`: by primary key.
    PrimaryKey { pk: Vec<usize> },
}

/// Collects statement results into the operation's [`Response`]: rows are
/// concatenated in statement order; counts (affected rows or `COUNT(*)`) are added.
///
/// Rows are then ordered as the reference driver orders them where SQL leaves the order
/// open: `GetByKey` rows follow the order of the requested keys, and `Update ...
/// RETURNING` rows are sorted by primary key.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBuilder {
    rows: Option<Vec<Vec<Value>>>,
    /// Rows kept in one buffer while they are the only rows and need no reordering.
    set: Option<RowSet>,
    count: u64,
    order: RowOrder,
}

impl ResponseBuilder {
    /// A builder for the response of `op` over `schema`.
    pub fn new(schema: &db::Schema, op: &Operation) -> ResponseBuilder {
        let pk_of = |id| {
            schema
                .table(id)
                .map(|t| t.primary_key.clone())
                .unwrap_or_default()
        };
        if let Operation::Cached(c) = op {
            return ResponseBuilder::new(schema, c.template.op());
        }
        let order = match op {
            Operation::GetByKey(g) => RowOrder::Keys {
                pk: pk_of(g.table),
                keys: g.keys.clone(),
            },
            Operation::Update(u) if u.returning => RowOrder::PrimaryKey { pk: pk_of(u.table) },
            _ => RowOrder::AsReturned,
        };
        ResponseBuilder {
            rows: returns_rows(op).then(Vec::new),
            set: None,
            count: 0,
            order,
        }
    }

    /// Adds rows returned by a statement, in one buffer. When these are the operation's
    /// only rows and their order is final, the response carries them as they are
    /// ([`Response::RowSet`]).
    pub fn add_row_set(&mut self, set: RowSet) {
        let alone = self.set.is_none()
            && self.rows.as_ref().is_some_and(|r| r.is_empty())
            && matches!(self.order, RowOrder::AsReturned);
        if alone {
            self.count += set.len() as u64;
            self.set = Some(set);
        } else {
            self.add_rows(set.into_vecs());
        }
    }

    /// Adds rows returned by a statement.
    pub fn add_rows(&mut self, rows: Vec<Vec<Value>>) {
        if let (Some(set), Some(all)) = (self.set.take(), &mut self.rows) {
            // A second result: one `Vec` per row for all of them (the set's rows are
            // counted already).
            all.extend(set.into_vecs());
        }
        self.count += rows.len() as u64;
        if let Some(all) = &mut self.rows {
            if all.is_empty() {
                // The common single-statement case: take the rows as they are.
                *all = rows;
            } else {
                all.extend(rows);
            }
        }
    }

    /// Adds a number of affected rows or a `COUNT(*)` result.
    pub fn add_count(&mut self, n: u64) {
        self.count += n;
    }

    /// The response.
    pub fn finish(self) -> Response {
        if let Some(set) = self.set {
            return Response::RowSet(set);
        }
        match self.rows {
            Some(mut rows) => {
                match &self.order {
                    RowOrder::AsReturned => {}
                    RowOrder::PrimaryKey { pk } => {
                        rows.sort_by(|a, b| cmp_key(pk, a, b));
                    }
                    RowOrder::Keys { pk, keys } => {
                        let position = |row: &Vec<Value>| {
                            keys.iter().position(|key| {
                                key.len() == pk.len()
                                    && pk
                                        .iter()
                                        .zip(key)
                                        .all(|(&c, v)| row.get(c).is_some_and(|x| x.same_as(v)))
                            })
                        };
                        rows.sort_by_cached_key(position);
                    }
                }
                Response::Rows(rows)
            }
            None => Response::Count(self.count),
        }
    }
}

fn cmp_key(pk: &[usize], a: &[Value], b: &[Value]) -> Ordering {
    for &c in pk {
        if let (Some(x), Some(y)) = (a.get(c), b.get(c)) {
            let ord = x.sort_cmp(y);
            if ord != Ordering::Equal {
                return ord;
            }
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::driver::{GetByKey, Update};
    use toasty_core::schema::db::{Column, Table, TableId};
    use toasty_core::stmt::Expr;
    use toasty_core::Type;

    fn schema() -> db::Schema {
        let col = |name: &str| Column {
            name: name.into(),
            ty: Type::I64,
            nullable: false,
            auto_increment: false,
            max_len: None,
        };
        db::Schema {
            tables: vec![Table {
                id: TableId(0),
                name: "t".into(),
                columns: vec![col("a"), col("b")],
                primary_key: vec![1],
                indices: vec![],
            }],
        }
    }

    fn row(a: i64, b: i64) -> Vec<Value> {
        vec![Value::I64(a), Value::I64(b)]
    }

    #[test]
    fn get_by_key_rows_follow_key_order() {
        let op = Operation::GetByKey(GetByKey {
            table: TableId(0),
            keys: vec![
                vec![Value::I64(3)],
                vec![Value::I64(1)],
                vec![Value::I64(2)],
            ],
        });
        let mut b = ResponseBuilder::new(&schema(), &op);
        b.add_rows(vec![row(0, 1), row(0, 2)]);
        b.add_rows(vec![row(0, 3)]);
        assert_eq!(
            b.finish(),
            Response::Rows(vec![row(0, 3), row(0, 1), row(0, 2)])
        );
    }

    #[test]
    fn update_returning_rows_sorted_by_key_and_counts_add_up() {
        let op = Operation::Update(Update {
            table: TableId(0),
            filter: Expr::true_(),
            assignments: vec![],
            arithmetic: Vec::new(),
            returning: true,
        });
        let mut b = ResponseBuilder::new(&schema(), &op);
        b.add_rows(vec![row(9, 5), row(8, -1)]);
        assert_eq!(b.finish(), Response::Rows(vec![row(8, -1), row(9, 5)]));

        let count = Operation::Update(Update {
            table: TableId(0),
            filter: Expr::true_(),
            assignments: vec![],
            arithmetic: Vec::new(),
            returning: false,
        });
        let mut b = ResponseBuilder::new(&schema(), &count);
        b.add_count(2);
        b.add_count(3);
        assert_eq!(b.finish(), Response::Count(5));
    }
}
