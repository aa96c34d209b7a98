//! Planning for key-value drivers: how a filter reaches rows through keys and indexes.
//!
//! A key-value driver can only fetch rows by full primary key ([`Fetch::Keys`]) or by the
//! partition key of the table or of a secondary index ([`Fetch::Partition`]). The planner
//! finds such an access path in the filter's top-level conjuncts (or in every branch of a
//! top-level OR, or of an OR that is one of the conjuncts); the engine then applies the whole filter, the order, the offset and the
//! limit to the fetched rows with the reference evaluator. A filter with no access path is
//! an `Unsupported` error that names the fields and the index to add: the engine never
//! scans a table silently.

use toasty_core::driver::Capability;
use toasty_core::schema::db::Table;
use toasty_core::stmt::{BinaryOp, Expr, PatternOp};
use toasty_core::{Error, Result, Value};

/// The most primary keys one fetch lists (as many as the values a filter may hold,
/// [`crate::limits::MAX_FILTER_VALUES`]).
const MAX_KEYS: usize = crate::limits::MAX_FILTER_VALUES;

/// One way to fetch candidate rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fetch {
    /// Rows with these full primary keys.
    Keys(Vec<Vec<Value>>),
    /// Rows whose partition column (of the table, or of index `index`) equals `value`,
    /// narrowed by an optional sort-key condition.
    Partition {
        index: Option<usize>,
        value: Value,
        sort: Option<Expr>,
    },
}

/// Finds the fetches that together cover every row `filter` can match.
pub(crate) fn plan_fetch(
    table: &Table,
    filter: &Expr,
    capability: &Capability,
    model_name: &str,
    field_names: &[String],
) -> Result<Vec<Fetch>> {
    if let Some(fetches) = access_path(table, filter) {
        return Ok(fetches);
    }
    Err(no_access_path(
        table,
        filter,
        capability,
        model_name,
        field_names,
    ))
}

fn access_path(table: &Table, filter: &Expr) -> Option<Vec<Fetch>> {
    if let Expr::Or(branches) = filter {
        let mut all = Vec::new();
        for b in branches {
            all.extend(access_path(table, b)?);
        }
        return Some(all);
    }
    let conjuncts: Vec<&Expr> = match filter {
        Expr::And(items) => items.iter().collect(),
        other => vec![other],
    };

    // 1. Every primary-key column pinned to one or more values: a batch get.
    let per_column: Option<Vec<Vec<Value>>> = table
        .primary_key
        .iter()
        .map(|&c| pinned_values(&conjuncts, c))
        .collect();
    if let Some(per_column) = per_column {
        // Pinning each key column to a list asks for every combination; past
        // `MAX_KEYS` of them, query by partition instead (below), which reads at most
        // the same records without building the product.
        let combinations = per_column
            .iter()
            .try_fold(1usize, |n, values| n.checked_mul(values.len()));
        if combinations.is_some_and(|n| n <= MAX_KEYS) {
            return Some(vec![Fetch::Keys(cartesian(&per_column))]);
        }
    }

    // 2. The table's partition key pinned: query the table.
    let sort_col = table.primary_key.get(1).copied();
    if let Some(&pk0) = table.primary_key.first() {
        if let Some(values) = pinned_values(&conjuncts, pk0) {
            let sort = sort_col.and_then(|c| sort_condition(&conjuncts, c));
            return Some(partition_fetches(None, values, sort));
        }
    }

    // 3. An index's first column pinned: query the index (unique indexes first).
    let mut order: Vec<usize> = (0..table.indices.len()).collect();
    order.sort_by_key(|&i| !table.indices[i].unique);
    for i in order {
        let index = &table.indices[i];
        let Some(&first) = index.columns.first() else {
            continue;
        };
        if let Some(values) = pinned_values(&conjuncts, first) {
            let sort_col = index.columns.get(1).copied();
            let sort = sort_col.and_then(|c| sort_condition(&conjuncts, c));
            // Like a DynamoDB GSI, an index leaves out rows whose sort column is NULL, so
            // it only serves queries that exclude such rows anyway.
            let sparse = sort_col
                .and_then(|c| table.columns.get(c))
                .is_some_and(|col| col.nullable);
            if sparse && sort.is_none() {
                continue;
            }
            return Some(partition_fetches(Some(i), values, sort));
        }
    }

    // 4. A conjunct that is an OR with an access path in every branch (`(a = 1 OR b = 2)
    //    AND c > 3`): its fetches cover every row the whole filter can match.
    conjuncts
        .iter()
        .filter(|c| matches!(c, Expr::Or(_)))
        .find_map(|c| access_path(table, c))
}

fn partition_fetches(index: Option<usize>, values: Vec<Value>, sort: Option<Expr>) -> Vec<Fetch> {
    values
        .into_iter()
        .map(|value| Fetch::Partition {
            index,
            value,
            sort: sort.clone(),
        })
        .collect()
}

/// The values a conjunct pins column `col` to (`col = v` or `col IN (..)`), NULLs removed
/// (they can never be equal to anything).
fn pinned_values(conjuncts: &[&Expr], col: usize) -> Option<Vec<Value>> {
    for c in conjuncts {
        match c {
            Expr::Binary {
                op: BinaryOp::Eq,
                lhs,
                rhs,
            } => match (&**lhs, &**rhs) {
                (Expr::Column(x), Expr::Value(v)) | (Expr::Value(v), Expr::Column(x))
                    if *x == col =>
                {
                    return Some(if v.is_null() { vec![] } else { vec![v.clone()] });
                }
                _ => {}
            },
            Expr::InList { expr, list } if matches!(&**expr, Expr::Column(x) if *x == col) => {
                // Hashed: an `IN` list may hold `MAX_FILTER_VALUES` values.
                let mut values = toasty_core::ValueSet::new();
                for v in list {
                    if !v.is_null() {
                        values.insert(v.clone());
                    }
                }
                return Some(values.into_vec());
            }
            _ => {}
        }
    }
    None
}

/// A key condition on the sort column, as DynamoDB accepts it: one comparison with a
/// literal, `starts_with`, or a pair of bounds.
fn sort_condition(conjuncts: &[&Expr], col: usize) -> Option<Expr> {
    let mut found = Vec::new();
    for c in conjuncts {
        match c {
            Expr::Binary { op, lhs, rhs } if *op != BinaryOp::Ne => match (&**lhs, &**rhs) {
                (Expr::Column(x), Expr::Value(v)) if *x == col && !v.is_null() => {
                    found.push((*c).clone())
                }
                (Expr::Value(v), Expr::Column(x)) if *x == col && !v.is_null() => found.push(
                    Expr::binary(op.commute(), Expr::Column(col), Expr::Value(v.clone())),
                ),
                _ => {}
            },
            Expr::Pattern {
                op: PatternOp::StartsWith,
                expr,
                ..
            } if matches!(&**expr, Expr::Column(x) if *x == col) => found.push((*c).clone()),
            _ => {}
        }
    }
    match found.len() {
        0 => None,
        1 => found.pop(),
        _ => {
            let lower = found.iter().find(|e| is_bound(e, true)).cloned();
            let upper = found.iter().find(|e| is_bound(e, false)).cloned();
            match (lower, upper) {
                (Some(l), Some(u)) => Some(Expr::And(vec![l, u])),
                _ => found.into_iter().next(),
            }
        }
    }
}

fn is_bound(e: &Expr, lower: bool) -> bool {
    match e {
        Expr::Binary { op, .. } => {
            if lower {
                matches!(op, BinaryOp::Gt | BinaryOp::Ge)
            } else {
                matches!(op, BinaryOp::Lt | BinaryOp::Le)
            }
        }
        _ => false,
    }
}

fn cartesian(per_column: &[Vec<Value>]) -> Vec<Vec<Value>> {
    let mut keys: Vec<Vec<Value>> = vec![Vec::new()];
    for values in per_column {
        let mut next = Vec::with_capacity(keys.len() * values.len());
        for key in &keys {
            for v in values {
                let mut k = key.clone();
                k.push(v.clone());
                next.push(k);
            }
        }
        keys = next;
    }
    keys
}

fn no_access_path(
    table: &Table,
    filter: &Expr,
    capability: &Capability,
    model_name: &str,
    field_names: &[String],
) -> Error {
    if filter.is_true() {
        return Error::unsupported(format!(
            "{} cannot list every `{model_name}` record: that needs a full table scan, which \
             Toasty never runs silently on a key-value store; filter by the primary key or an \
             indexed field",
            capability.name
        ));
    }
    let mut cols = Vec::new();
    filter.walk(&mut |e| {
        if let Expr::Column(c) = e {
            if !cols.contains(c) {
                cols.push(*c);
            }
        }
    });
    let names: Vec<String> = cols
        .iter()
        .map(|&c| {
            field_names
                .get(c)
                .cloned()
                .or_else(|| table.columns.get(c).map(|col| col.name.clone()))
                .unwrap_or_else(|| format!("#{c}"))
        })
        .collect();
    let key: Vec<String> = table
        .primary_key
        .iter()
        .filter_map(|&c| field_names.get(c).cloned())
        .collect();
    // Suggest an index on the first filtered field that is not already the partition
    // key or an index's first field; if they all are, the fix is the comparison.
    let served: Vec<usize> = table
        .primary_key
        .first()
        .into_iter()
        .chain(table.indices.iter().filter_map(|i| i.columns.first()))
        .copied()
        .collect();
    let suggestion = match cols.iter().position(|c| !served.contains(c)) {
        Some(i) => format!("add #[index] on `{}` (a missing index)", names[i]),
        None => "compare the key or indexed field with `eq` or `in_list` (ranges and `ne` \
                 need a full scan)"
            .to_string(),
    };
    Error::unsupported(format!(
        "{} cannot run this `{model_name}` query: it filters on {} but pins neither the \
         primary key ({}) nor the first field of an index with `eq`/`in_list`; {suggestion}, \
         or filter by the key",
        capability.name,
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        key.join(", ")
    ))
}
