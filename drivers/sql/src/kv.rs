//! The key-value operations (`GetByKey`, `QueryPk`, `UpdateByKey`, `DeleteByKey`)
//! expressed as SQL, so SQL drivers accept every [`toasty_core::driver::Operation`].
//!
//! Each is rewritten into the equivalent SQL-kind operation with a key predicate and
//! serialized by [`crate::dml`]. Key lists are split so each statement stays within the
//! dialect's parameter limit.

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
            out.extend(self.select(table, &select)?);
        }
        Ok(out)
    }

    /// `SELECT ... WHERE partition = ? [AND <sort condition>] ORDER BY sort`, rows in
    /// sort-key order as a key-value store returns them.
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
        let mut filter = Expr::eq(Expr::Column(partition), Expr::Value(op.partition.clone()));
        if let Some(sort) = &op.sort {
            filter = filter.and(sort.clone());
        }
        let order_by = key
            .get(1)
            .map(|&c| {
                vec![OrderBy {
                    target: c,
                    direction: Direction::Asc,
                }]
            })
            .unwrap_or_default();
        let select = Select {
            table: table.id,
            filter,
            order_by,
            limit: None,
            offset: None,
            projection: Projection::Records,
        };
        self.select(table, &select)
    }

    /// `UPDATE ... WHERE <key> IN (...)`, reporting affected rows.
    pub(crate) fn update_by_key(&self, table: &Table, op: &UpdateByKey) -> Result<Vec<Statement>> {
        for (col, _) in &op.assignments {
            if table.primary_key.contains(col) {
                let name = table
                    .columns
                    .get(*col)
                    .map(|c| c.name.as_str())
                    .unwrap_or("?");
                return Err(Error::invalid_statement(format!(
                    "the primary key column `{}.{name}` cannot be assigned by an update by key",
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
                returning: false,
            };
            out.extend(self.update(table, &update)?);
        }
        Ok(out)
    }

    /// `DELETE ... WHERE <key> IN (...)`, reporting affected rows.
    pub(crate) fn delete_by_key(&self, table: &Table, op: &DeleteByKey) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        for filter in self.key_filters(table, &op.keys)? {
            out.extend(self.delete(
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
