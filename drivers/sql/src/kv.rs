//! The key-value operations (`GetByKey`, `QueryPk`, `UpdateByKey`, `DeleteByKey`)
//! expressed as SQL, so SQL drivers accept every [`toasty_core::driver::Operation`].
//!
//! Each is rewritten into the equivalent SQL-kind operation with a key predicate and
//! serialized by [`crate::dml`]. Key lists are split so each statement stays within the
//! dialect's parameter limit.

use crate::check;
use crate::{Serializer, Statement};
use toasty_core::driver::{Delete, DeleteByKey, GetByKey, QueryPk, Select, Update, UpdateByKey};
use toasty_core::schema::db::Table;
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy, Select as Projection};
use toasty_core::{Error, Result, Value};

impl Serializer {
    /// `SELECT ... WHERE <key> IN (...)`; keys that do not exist yield no row.
    pub(crate) fn get_by_key(&self, table: &Table, op: &GetByKey) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        for filter in self.key_filters(table, &op.keys)? {
            let select = Select {
                table: table.id,
                filter,
                order_by: Vec::new(),
                limit: None,
                offset: None,
                projection: Projection::Records,
            };
            out.extend(self.select(None, table, &select)?);
        }
        Ok(out)
    }

    /// `SELECT ... WHERE partition = ? [AND sort IS NOT NULL] [AND <sort condition>]
    /// ORDER BY sort, primary key`: rows in sort-key order as a key-value store returns
    /// them, and only rows whose index key columns are set (a sparse index).
    pub(crate) fn query_pk(&self, table: &Table, op: &QueryPk) -> Result<Vec<Statement>> {
        let key = match op.index {
            None => &table.primary_key,
            Some(i) => {
                &table
                    .indices
                    .get(i)
                    .ok_or_else(|| {
                        Error::invalid_statement(format!(
                            "index #{i} does not exist on table `{}`",
                            table.name
                        ))
                    })?
                    .columns
            }
        };
        let partition = *key.first().ok_or_else(|| {
            Error::invalid_schema(format!("table `{}` has an empty key", table.name))
        })?;
        let sort_col = key.get(1).copied();
        let mut filter = Expr::eq(Expr::Column(partition), Expr::Value(op.partition.clone()));
        let nullable = |c: usize| table.columns.get(c).is_some_and(|col| col.nullable);
        if let (Some(_), Some(c)) = (op.index, sort_col.filter(|&c| nullable(c))) {
            // A row is in an index only when its index key columns are not NULL.
            filter = filter.and(Expr::IsNull(Box::new(Expr::Column(c))).not());
        }
        if let Some(sort) = &op.sort {
            filter = filter.and(sort.clone());
        }
        // Sort key ascending, ties by primary key, like memdb and DynamoDB (the partition
        // column is equal on every selected row and is left out).
        let mut order_by: Vec<OrderBy> = Vec::new();
        for c in sort_col.iter().chain(table.primary_key.iter()) {
            if *c != partition && !order_by.iter().any(|o| o.target == *c) {
                order_by.push(OrderBy {
                    target: *c,
                    direction: Direction::Asc,
                });
            }
        }
        let select = Select {
            table: table.id,
            filter,
            order_by,
            limit: None,
            offset: None,
            projection: Projection::Records,
        };
        self.select(None, table, &select)
    }

    /// `UPDATE ... WHERE <key> IN (...)`, reporting affected rows.
    pub(crate) fn update_by_key(&self, table: &Table, op: &UpdateByKey) -> Result<Vec<Statement>> {
        let cols: Vec<usize> = op.assignments.iter().map(|(c, _)| *c).collect();
        check::column_list(table, &cols, "assignments")?;
        for (col, value) in &op.assignments {
            check::value(table, *col, value)?;
        }
        for (col, _) in &op.assignments {
            if table.primary_key.contains(col) {
                let name = table
                    .columns
                    .get(*col)
                    .map(|c| c.name.as_str())
                    .unwrap_or("?");
                return Err(Error::unsupported(format!(
                    "an update by key cannot assign the primary key column `{}.{name}`; \
                     delete the row and insert it with the new key instead",
                    table.name
                )));
            }
        }
        let mut out = Vec::new();
        for filter in self.key_filters(table, &op.keys)? {
            let update = Update {
                table: table.id,
                filter,
                assignments: op.assignments.clone(),
                arithmetic: Vec::new(),
                returning: false,
            };
            out.extend(self.update(None, table, &update)?);
        }
        Ok(out)
    }

    /// `DELETE ... WHERE <key> IN (...)`, reporting affected rows.
    pub(crate) fn delete_by_key(&self, table: &Table, op: &DeleteByKey) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        for filter in self.key_filters(table, &op.keys)? {
            out.extend(self.delete(
                None,
                table,
                &Delete {
                    table: table.id,
                    filter,
                },
            )?);
        }
        Ok(out)
    }

    /// One filter per chunk of keys: `pk IN (...)` for a single-column key, an `OR` of
    /// `AND`ed equalities for a composite key. No keys: no filter (and no statement).
    fn key_filters(&self, table: &Table, keys: &[Vec<Value>]) -> Result<Vec<Expr>> {
        let pk = &table.primary_key;
        for key in keys {
            if key.len() != pk.len() {
                return Err(Error::invalid_statement(format!(
                    "a key of table `{}` needs {} values but {} were given",
                    table.name,
                    pk.len(),
                    key.len()
                )));
            }
        }
        let per_chunk = (self.dialect.max_params() / pk.len().max(1)).max(1);
        Ok(keys
            .chunks(per_chunk)
            .map(|chunk| match pk.as_slice() {
                [single] => Expr::InList {
                    expr: Box::new(Expr::Column(*single)),
                    list: chunk.iter().map(|k| k[0].clone()).collect(),
                },
                _ => Expr::Or(
                    chunk
                        .iter()
                        .map(|key| {
                            Expr::And(
                                pk.iter()
                                    .zip(key)
                                    .map(|(&c, v)| {
                                        Expr::binary(
                                            BinaryOp::Eq,
                                            Expr::Column(c),
                                            Expr::Value(v.clone()),
                                        )
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                ),
            })
            .collect())
    }
}
