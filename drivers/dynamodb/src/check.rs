//! Admission and checks made before anything is sent: which operations DynamoDB serves,
//! the per-operation limits of the capability, table shapes, and the values written
//! (the same rules and error kinds as memdb's kv persona, so both backends refuse the
//! same things the same way).

use toasty_core::driver::{Capability, Operation};
use toasty_core::schema::db;
use toasty_core::{Error, Result, Value};

/// Checks that `op` is an operation DynamoDB serves, within the capability's limits.
pub(crate) fn admit(cap: &Capability, op: &Operation) -> Result<()> {
    match op {
        Operation::Transaction(_) => Err(Error::unsupported(format!(
            "{} has no interactive transactions (DynamoDB has none); group writes with \
             toasty::batch(...) instead, which runs as one atomic TransactWriteItems",
            cap.name
        ))),
        Operation::Select(_)
        | Operation::Update(_)
        | Operation::Delete(_)
        | Operation::Cached(_) => Err(Error::unsupported(format!(
            "{} cannot run a {}: DynamoDB serves only key and index access (get by key, \
                 query by partition key, writes by key); filter by a key or an indexed \
                 field, or use an SQL backend",
            cap.name,
            op.name()
        ))),
        Operation::Insert(insert) => within(
            cap,
            insert.rows.len(),
            cap.max_insert_rows,
            "rows in one insert",
            "TransactWriteItems accepts at most 100 actions",
        ),
        Operation::GetByKey(get) => within(
            cap,
            get.keys.len(),
            cap.max_get_keys,
            "keys in one get by key",
            "BatchGetItem reads at most 100 keys",
        ),
        Operation::UpdateByKey(update) => within(
            cap,
            update.keys.len(),
            cap.max_write_keys,
            "keys in one update by key",
            "BatchWriteItem writes at most 25 items",
        ),
        Operation::DeleteByKey(delete) => within(
            cap,
            delete.keys.len(),
            cap.max_write_keys,
            "keys in one delete by key",
            "BatchWriteItem writes at most 25 items",
        ),
        Operation::TransactWrite(write) => match cap.max_transact_items {
            Some(max) if write.items.len() > max => Err(Error::unsupported(format!(
                "{} items in one transactional write exceed the limit of {max} on {} \
                 (DynamoDB: TransactWriteItems accepts at most 100 actions); an atomic write \
                 cannot be split, so write fewer records in one batch",
                write.items.len(),
                cap.name
            ))),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

fn within(
    cap: &Capability,
    n: usize,
    max: Option<usize>,
    what: &str,
    dynamo_limit: &str,
) -> Result<()> {
    match max {
        Some(max) if n > max => Err(Error::unsupported(format!(
            "{n} {what} exceed the limit of {max} on {} (DynamoDB: {dynamo_limit}); the \
             engine must split the batch",
            cap.name
        ))),
        _ => Ok(()),
    }
}

/// Checks that `def` can be a DynamoDB table: at most two key columns in the primary key
/// and in each index, no auto-increment column, names DynamoDB accepts.
pub(crate) fn check_table(cap: &Capability, def: &db::Table) -> Result<()> {
    if let Some(max) = cap.max_key_columns {
        if def.primary_key.len() > max {
            return Err(Error::unsupported(format!(
                "table `{}` has a primary key of {} columns but {} allows at most {max} \
                 (DynamoDB keys are a partition key plus an optional sort key); use a key of \
                 at most {max} fields",
                def.name,
                def.primary_key.len(),
                cap.name
            )));
        }
        for index in &def.indices {
            if index.columns.len() > max {
                return Err(Error::unsupported(format!(
                    "index `{}` has {} columns but {} allows at most {max} (a DynamoDB global \
                     secondary index has a partition key plus an optional sort key)",
                    index.name,
                    index.columns.len(),
                    cap.name
                )));
            }
        }
    }
    if def.primary_key.is_empty() {
        return Err(Error::invalid_schema(format!(
            "table `{}` has no primary key; DynamoDB needs one",
            def.name
        )));
    }
    if let Some(col) = def.auto_increment_column() {
        let name = def.columns.get(col).map(|c| c.name.as_str()).unwrap_or("?");
        return Err(Error::unsupported(format!(
            "column `{}.{name}` is auto-increment, which {} cannot assign (DynamoDB has no \
             counters); use #[auto] on a uuid::Uuid key instead",
            def.name, cap.name
        )));
    }
    if def.indices.len() > 20 {
        return Err(Error::unsupported(format!(
            "table `{}` has {} indexes but a DynamoDB table has at most 20 global secondary \
             indexes",
            def.name,
            def.indices.len()
        )));
    }
    check_name(&def.name, "table")?;
    for index in &def.indices {
        check_name(&index.name, "index")?;
    }
    for column in &def.columns {
        if column.name.is_empty() || column.name.len() > 255 {
            return Err(Error::invalid_schema(format!(
                "column `{}.{}`: DynamoDB attribute names of keys hold 1 to 255 bytes",
                def.name, column.name
            )));
        }
    }
    Ok(())
}

/// DynamoDB's rule for table and index names: 3 to 255 of `a-z A-Z 0-9 _ - .`.
fn check_name(name: &str, what: &str) -> Result<()> {
    let ok = (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_schema(format!(
            "the {what} name `{name}` is not a valid DynamoDB name (3 to 255 characters of \
             a-z, A-Z, 0-9, `_`, `-`, `.`); rename it (#[table = \"..\"], \
             #[index(name = \"..\")] or a table prefix)"
        )))
    }
}

/// A readable name for column `col` ("column `users.email`").
pub(crate) fn column_label(def: &db::Table, col: usize) -> String {
    match def.columns.get(col) {
        Some(c) => format!("column `{}.{}`", def.name, c.name),
        None => format!("column #{col} of `{}`", def.name),
    }
}

/// The column at `col`, or `InvalidStatement`.
pub(crate) fn column(def: &db::Table, col: usize) -> Result<&db::Column> {
    def.columns.get(col).ok_or_else(|| {
        Error::invalid_statement(format!(
            "column #{col} does not exist in table `{}`, which has {} columns",
            def.name,
            def.columns.len()
        ))
    })
}

/// Checks that `value` may be stored in column `col`: NULL only in a nullable column
/// (`InvalidValue`), [`toasty_core::Type::check`] otherwise.
pub(crate) fn check_value(def: &db::Table, col: usize, value: &Value) -> Result<()> {
    let column = column(def, col)?;
    if value.is_null() {
        if column.nullable {
            return Ok(());
        }
        return Err(Error::invalid_value(format!(
            "{} is not nullable but was given NULL; provide a value or make the field an \
             Option",
            column_label(def, col)
        )));
    }
    column.ty.check_with(value, || column_label(def, col))
}

/// Checks column positions: in range and listed at most once.
pub(crate) fn check_column_list(def: &db::Table, cols: &[usize], what: &str) -> Result<()> {
    for (i, &c) in cols.iter().enumerate() {
        column(def, c)?;
        if cols[..i].contains(&c) {
            return Err(Error::invalid_statement(format!(
                "{} is listed twice in the {what}",
                column_label(def, c)
            )));
        }
    }
    Ok(())
}

/// Checks assignments: columns valid and once each, values fit, no key column
/// (`Unsupported`: DynamoDB cannot change an item's key).
pub(crate) fn check_assignments(def: &db::Table, assignments: &[(usize, Value)]) -> Result<()> {
    let cols: Vec<usize> = assignments.iter().map(|(c, _)| *c).collect();
    check_column_list(def, &cols, "assignments")?;
    for (col, value) in assignments {
        check_value(def, *col, value)?;
    }
    for (col, _) in assignments {
        if def.primary_key.contains(col) {
            return Err(Error::unsupported(format!(
                "an update by key cannot assign the key {}; delete the row and insert it with \
                 the new key instead",
                column_label(def, *col)
            )));
        }
    }
    Ok(())
}

/// Checks a primary key's arity.
pub(crate) fn check_key(def: &db::Table, key: &[Value]) -> Result<()> {
    if key.len() != def.primary_key.len() {
        return Err(Error::invalid_statement(format!(
            "a key of table `{}` has {} values but the primary key has {} columns",
            def.name,
            key.len(),
            def.primary_key.len()
        )));
    }
    Ok(())
}
