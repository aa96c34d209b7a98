//! `GetByKey` (`BatchGetItem`) and `QueryPk` (`Query` on the table or a global secondary
//! index), with the meaning memdb's kv persona gives them (`toasty_memdb::ops::get`,
//! `toasty_memdb::ops::query_pk`):
//!
//! * `GetByKey` returns the rows of the keys that exist, in the order of `keys`, each
//!   once; a key with NULL, or of a value no stored key can equal, matches nothing.
//!   Keys are read with strongly consistent reads, 100 per request, and
//!   `UnprocessedKeys` are asked again (with backoff) until every key is answered.
//! * `QueryPk` returns the rows whose partition attribute equals `partition`, narrowed
//!   by `sort`, ordered by the sort column (ties by primary key). The sort condition
//!   must be a DynamoDB key condition (`=`, `<`, `<=`, `>`, `>=` with a literal,
//!   `starts_with`, or an `And` of two comparisons), else `Unsupported`. It becomes a
//!   `KeyConditionExpression` (`BETWEEN` for a range, `begins_with` for a prefix) that
//!   selects a superset of the rows, and the condition itself is then evaluated on each
//!   row with `toasty_core::stmt::eval`, so exclusive bounds, cross-type literals and
//!   NULL give exactly the contract's answer. Every page is read (`LastEvaluatedKey`).
//!   Queries of the table are strongly consistent; queries of an index are eventually
//!   consistent (DynamoDB offers nothing else for global secondary indexes).

use crate::codec::Lookup;
use crate::connection::Ctx;
use crate::error::Failure;
use crate::item::{Item, TableMap};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use std::collections::HashMap;
use std::time::Duration;
use toasty_core::driver::{GetByKey, QueryPk, Response};
use toasty_core::schema::db;
use toasty_core::stmt::{eval, BinaryOp, Expr, PatternOp};
use toasty_core::{Error, Result, Value};

/// Runs a get by key (see the module docs).
pub(crate) async fn get_by_key(ctx: &Ctx<'_>, def: &db::Table, op: GetByKey) -> Result<Response> {
    let map = TableMap::new(def);
    let mut keys: Vec<(Vec<u8>, Item)> = Vec::with_capacity(op.keys.len());
    for key in &op.keys {
        if let Some(item) = map.lookup_key(key)? {
            let id = map.key_id(&item);
            if !keys.iter().any(|(k, _)| *k == id) {
                keys.push((id, item));
            }
        }
    }
    let items = batch_get(ctx, &map, keys.iter().map(|(_, k)| k.clone()).collect()).await?;
    let mut found: HashMap<Vec<u8>, Item> = items
        .into_iter()
        .map(|item| (map.key_id(&item), item))
        .collect();
    let mut rows = Vec::with_capacity(found.len());
    for (id, _) in &keys {
        if let Some(item) = found.remove(id) {
            rows.push(map.row(&item)?);
        }
    }
    Ok(Response::Rows(rows))
}

/// Reads the items with `keys` (distinct, at most 100) with strongly consistent reads.
pub(crate) async fn batch_get(
    ctx: &Ctx<'_>,
    map: &TableMap<'_>,
    keys: Vec<Item>,
) -> Result<Vec<Item>> {
    let table = &map.def.name;
    let what = format!("get by key on `{table}`");
    if keys.len() == 1 {
        // One key: a plain GetItem, lighter than a batch for the service.
        let key = keys.into_iter().next().unwrap_or_default();
        let response = ctx
            .client
            .get_item()
            .table_name(table.clone())
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
        return Ok(response.item.into_iter().collect());
    }
    let mut out = Vec::with_capacity(keys.len());
    let mut pending = keys;
    let mut backoff = Duration::from_millis(20);
    while !pending.is_empty() {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(pending))
            .consistent_read(true)
            .build()
            .map_err(|e| Error::driver(format!("{what}: building the request failed: {e}")))?;
        let response = ctx
            .client
            .batch_get_item()
            .request_items(table.clone(), request)
            .send()
            .await
            .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
        if let Some(mut responses) = response.responses {
            if let Some(items) = responses.remove(table) {
                out.extend(items);
            }
        }
        pending = response
            .unprocessed_keys
            .and_then(|mut u| u.remove(table))
            .map(|k| k.keys)
            .unwrap_or_default();
        if !pending.is_empty() {
            // DynamoDB left keys unread (throttling, the 16 MB response limit).
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }
    Ok(out)
}

/// The partition column and optional sort column of the table's key or of an index.
fn key_columns(def: &db::Table, index: Option<usize>) -> Result<(usize, Option<usize>)> {
    let columns = match index {
        None => &def.primary_key,
        Some(i) => {
            &def.indices
                .get(i)
                .ok_or_else(|| {
                    Error::invalid_statement(format!(
                        "index #{i} does not exist on table `{}`, which has {} indexes",
                        def.name,
                        def.indices.len()
                    ))
                })?
                .columns
        }
    };
    let partition = columns.first().copied().ok_or_else(|| {
        Error::invalid_statement(format!(
            "a key of table `{}` has no columns to query by",
            def.name
        ))
    })?;
    Ok((partition, columns.get(1).copied()))
}

/// Checks that `sort` is a DynamoDB key condition on `sort_col` (memdb's rule).
fn check_sort_condition(def: &db::Table, sort: &Expr, sort_col: Option<usize>) -> Result<usize> {
    let Some(col) = sort_col else {
        return Err(Error::unsupported(format!(
            "a query by partition key on `{}` has a sort-key condition, but the key it uses \
             has no sort column; filter the results instead",
            def.name
        )));
    };
    let ok = match sort {
        Expr::And(items) => items.len() == 2 && items.iter().all(|e| comparison(e, col).is_some()),
        e => comparison(e, col).is_some() || is_starts_with(e, col),
    };
    if ok {
        Ok(col)
    } else {
        Err(Error::unsupported(format!(
            "the sort-key condition {sort:?} on {} is not a DynamoDB key condition; use a \
             comparison (=, <, <=, >, >=) of the sort key with a literal, starts_with on it, \
             or an And of two comparisons",
            crate::check::column_label(def, col)
        )))
    }
}

/// `col op value` (flipped to put the column first), if `e` is such a comparison.
fn comparison(e: &Expr, col: usize) -> Option<(BinaryOp, &Value)> {
    match e {
        Expr::Binary { op, lhs, rhs } if *op != BinaryOp::Ne => {
            match (lhs.as_ref(), rhs.as_ref()) {
                (Expr::Column(c), Expr::Value(v)) if *c == col => Some((*op, v)),
                (Expr::Value(v), Expr::Column(c)) if *c == col => Some((op.commute(), v)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_starts_with(e: &Expr, col: usize) -> bool {
    matches!(
        e,
        Expr::Pattern { op: PatternOp::StartsWith, expr, .. } if matches!(expr.as_ref(), Expr::Column(c) if *c == col)
    )
}

/// Checks that every column an expression names exists (memdb's `check_expr`).
fn check_expr(def: &db::Table, expr: &Expr) -> Result<()> {
    let mut result = Ok(());
    expr.walk(&mut |e| {
        if result.is_err() {
            return;
        }
        match e {
            Expr::Field(i) => {
                result = Err(Error::invalid_statement(format!(
                    "an expression on table `{}` refers to model field #{i}; drivers receive \
                     table-level expressions only (the engine must lower fields to columns)",
                    def.name
                )))
            }
            Expr::Column(i) => result = crate::check::column(def, *i).map(|_| ()),
            _ => {}
        }
    });
    result
}

/// A key condition in DynamoDB's terms.
enum KeyCond {
    /// No narrowing: the whole partition.
    All,
    /// Nothing can match.
    Empty,
    /// `#s <op> :lo`.
    Cmp(&'static str, AttributeValue),
    /// `#s BETWEEN :lo AND :hi`.
    Between(AttributeValue, AttributeValue),
    /// `begins_with(#s, :lo)`.
    Prefix(AttributeValue),
}

/// A DynamoDB key condition selecting a superset of the rows `sort` accepts.
fn key_condition(map: &TableMap<'_>, sort: &Expr, col: usize) -> KeyCond {
    let exact = |v: &Value| match map.lookup(col, v) {
        Ok(Lookup::Exact(av)) => Some(av),
        _ => None,
    };
    let one = |op: BinaryOp, v: &Value| -> KeyCond {
        if v.is_null() {
            return KeyCond::Empty;
        }
        // A literal with no exact counterpart in the column's encoding (2.5 for an
        // integer column): read the partition and let the evaluator decide.
        let Some(av) = exact(v) else {
            return KeyCond::All;
        };
        match op {
            BinaryOp::Eq => KeyCond::Cmp("=", av),
            BinaryOp::Lt => KeyCond::Cmp("<", av),
            BinaryOp::Le => KeyCond::Cmp("<=", av),
            BinaryOp::Gt => KeyCond::Cmp(">", av),
            BinaryOp::Ge => KeyCond::Cmp(">=", av),
            BinaryOp::Ne => KeyCond::All,
        }
    };
    match sort {
        Expr::And(items) => {
            let parts: Vec<(BinaryOp, &Value)> =
                items.iter().filter_map(|e| comparison(e, col)).collect();
            if parts.iter().any(|(_, v)| v.is_null()) {
                return KeyCond::Empty;
            }
            let lower = parts
                .iter()
                .find(|(op, _)| matches!(op, BinaryOp::Gt | BinaryOp::Ge));
            let upper = parts
                .iter()
                .find(|(op, _)| matches!(op, BinaryOp::Lt | BinaryOp::Le));
            match (lower, upper) {
                (Some((_, lo)), Some((_, hi))) => {
                    match lo.compare(hi) {
                        Some(std::cmp::Ordering::Greater) => return KeyCond::Empty,
                        None => return KeyCond::All,
                        _ => {}
                    }
                    match (exact(lo), exact(hi)) {
                        (Some(l), Some(h)) => KeyCond::Between(l, h),
                        _ => KeyCond::All,
                    }
                }
                // Two bounds on one side (or an equality): one of them narrows enough.
                _ => parts
                    .first()
                    .map(|(op, v)| one(*op, v))
                    .unwrap_or(KeyCond::All),
            }
        }
        Expr::Pattern {
            op: PatternOp::StartsWith,
            pattern,
            ..
        } => {
            let is_string = map
                .def
                .columns
                .get(col)
                .is_some_and(|c| c.ty == toasty_core::Type::String);
            if pattern.is_empty() || !is_string {
                KeyCond::All
            } else if pattern.starts_with('\0') {
                KeyCond::Prefix(AttributeValue::S(format!("\0\u{1}{pattern}")))
            } else {
                KeyCond::Prefix(AttributeValue::S(pattern.clone()))
            }
        }
        e => match comparison(e, col) {
            Some((op, v)) => one(op, v),
            None => KeyCond::All,
        },
    }
}

/// Runs a query by partition key (see the module docs).
pub(crate) async fn query_pk(ctx: &Ctx<'_>, def: &db::Table, op: QueryPk) -> Result<Response> {
    let map = TableMap::new(def);
    let (partition_col, sort_col) = key_columns(def, op.index)?;
    let mut sort_target = None;
    if let Some(sort) = &op.sort {
        check_expr(def, sort)?;
        sort_target = Some(check_sort_condition(def, sort, sort_col)?);
    }
    let partition = match map.lookup(partition_col, &op.partition)? {
        Lookup::Exact(av) => av,
        Lookup::Nothing => return Ok(Response::Rows(Vec::new())),
    };
    let cond = match (&op.sort, sort_target) {
        (Some(sort), Some(col)) => key_condition(&map, sort, col),
        _ => KeyCond::All,
    };
    let mut names = HashMap::from([("#p".to_string(), map.attr(partition_col).to_string())]);
    let mut values = HashMap::from([(":p".to_string(), partition)]);
    let mut expression = "#p = :p".to_string();
    if let (Some(col), true) = (sort_target, !matches!(cond, KeyCond::All)) {
        names.insert("#s".to_string(), map.attr(col).to_string());
    }
    match cond {
        KeyCond::All => {}
        KeyCond::Empty => return Ok(Response::Rows(Vec::new())),
        KeyCond::Cmp(op, v) => {
            expression.push_str(&format!(" AND #s {op} :lo"));
            values.insert(":lo".into(), v);
        }
        KeyCond::Between(lo, hi) => {
            expression.push_str(" AND #s BETWEEN :lo AND :hi");
            values.insert(":lo".into(), lo);
            values.insert(":hi".into(), hi);
        }
        KeyCond::Prefix(p) => {
            expression.push_str(" AND begins_with(#s, :lo)");
            values.insert(":lo".into(), p);
        }
    }
    let index_name = match op.index {
        Some(i) => def.indices.get(i).map(|ix| ix.name.clone()),
        None => None,
    };
    let what = match &index_name {
        Some(ix) => format!("query of index `{ix}` of `{}`", def.name),
        None => format!("query of `{}`", def.name),
    };
    let mut rows = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let response = ctx
            .client
            .query()
            .table_name(&def.name)
            .set_index_name(index_name.clone())
            .key_condition_expression(&expression)
            .set_expression_attribute_names(Some(names.clone()))
            .set_expression_attribute_values(Some(values.clone()))
            .consistent_read(index_name.is_none())
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
        for item in response.items.unwrap_or_default() {
            let row = map.row(&item)?;
            if let Some(sort) = &op.sort {
                if !eval::matches(sort, &row)? {
                    continue;
                }
            }
            rows.push(row);
        }
        match response.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => break,
        }
    }
    if let Some(c) = sort_col {
        let pk = def.primary_key.clone();
        rows.sort_by(|a, b| {
            cell(a, c).sort_cmp(cell(b, c)).then_with(|| {
                pk.iter()
                    .map(|&k| cell(a, k).sort_cmp(cell(b, k)))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
        });
    }
    Ok(Response::Rows(rows))
}

const NULL: Value = Value::Null;

fn cell(row: &[Value], col: usize) -> &Value {
    row.get(col).unwrap_or(&NULL)
}
