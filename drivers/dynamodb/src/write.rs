//! Writes: `TransactWrite` (`TransactWriteItems`), and `Insert`, `UpdateByKey`,
//! `DeleteByKey`, with the meaning memdb's kv persona gives them
//! (`toasty_memdb::ops::transact_write`, `insert`, `update`, `delete`).
//!
//! Every item of a `TransactWrite` becomes one action of one `TransactWriteItems`
//! request (a write of one item uses the single-item API with the same condition,
//! which DynamoDB bills at half the price):
//!
//! | item | action | condition | failed condition |
//! |---|---|---|---|
//! | `Put` | `Put` of the row's item | `attribute_not_exists(<partition key>)` | `UniqueViolation` |
//! | `Update` | `Update`: `SET` assigned values, `REMOVE` assigned NULLs (a `ConditionCheck` when nothing is assigned) | every column equals `expect` (`#c = :v`; NULL: `attribute_not_exists(#c)`) | `SerializationFailure` |
//! | `Delete` | `Delete` | as `Update` | `SerializationFailure` |
//! | `Claim` | `Put` into the claim table: the values, and the key as `owner:<column>` | absent, or held by the same key | `UniqueViolation` |
//! | `Release` | `Delete` from the claim table (nothing, for values with NULL) | absent, or held by the same key | `SerializationFailure` |
//! | `Transfer` | `Put` into the claim table naming the `to` key | absent, or held by `from` or `to` | `UniqueViolation` |
//!
//! The error of a cancelled transaction is decided by the first item (in the order
//! given) whose cancellation reason is not `None`, as memdb decides by the first failing
//! item. Cancellations caused only by a concurrent transaction on the same items
//! (`TransactionConflict`) or by throttling are retried a few times with backoff: no
//! item was written, and the retry sees the other transaction's outcome (so of two
//! writers racing for one unique value, the loser gets `UniqueViolation`); when they
//! persist, the result is `SerializationFailure` (conflicts) or a `Driver` error
//! (throttling). Requests carry a `ClientRequestToken`, so an SDK retry of a request
//! that did commit is answered as a success instead of failing its own conditions.
//!
//! Before anything is sent, every item is checked as memdb checks it (row width, value
//! types and nullability, key arity, unique index positions, assignments) and two items
//! addressing one row or one claim are refused (`UniqueViolation` for two `Put`s of one
//! key or two `Claim`s of one value by different keys, `InvalidStatement` otherwise);
//! DynamoDB itself refuses two actions on one item. Items above 400 KB are
//! `ValueOutOfRange`; a request above DynamoDB's 4 MB is `Unsupported`.
//!
//! A `Release` whose claim is held by another key fails the write (memdb skips it).
//! The engine only releases values that the record it reads holds, and writes its
//! claims with it, so this happens only when that record changed meanwhile, and then
//! the record's own item fails too.

use crate::check;
use crate::connection::Ctx;
use crate::error::{service_error, Failure};
use crate::item::{claim_table, Item, TableMap};
use crate::read::batch_get;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use std::collections::HashMap;
use std::time::Duration;
use toasty_core::driver::{DeleteByKey, Insert, Response, TransactWrite, UpdateByKey, WriteItem};
use toasty_core::schema::db;
use toasty_core::{Error, Result, Value};

/// DynamoDB's limit on the size of one `TransactWriteItems` request.
const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// How many times a transaction cancelled only by conflicts or throttling is retried.
const CONFLICT_ATTEMPTS: u32 = 8;

/// What an action does, for the request and for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Put,
    Update,
    Delete,
    Check,
    Claim,
    Release,
}

/// One action of a write, ready to send.
struct Action {
    kind: Kind,
    table: String,
    /// The full item (`Put`, `Claim`) or the key (the others).
    item: Item,
    update: Option<String>,
    condition: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    /// The error when the condition fails.
    failed: Box<dyn Fn(&str) -> Error + Send + Sync>,
    size: usize,
}

impl Action {
    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn transact_item(&self) -> Result<TransactWriteItem> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| {
            Error::driver(format!("building a DynamoDB write failed: {e}"))
        };
        let item = Some(self.item.clone());
        Ok(match self.kind {
            Kind::Put | Kind::Claim => TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(item)
                        .condition_expression(&self.condition)
                        .set_expression_attribute_names(self.names())
                        .set_expression_attribute_values(self.values())
                        .build()
                        .map_err(built)?,
                )
                .build(),
            Kind::Update => TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(&self.table)
                        .set_key(item)
                        .set_update_expression(self.update.clone())
                        .condition_expression(&self.condition)
                        .set_expression_attribute_names(self.names())
                        .set_expression_attribute_values(self.values())
                        .build()
                        .map_err(built)?,
                )
                .build(),
            Kind::Delete | Kind::Release => TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(item)
                        .condition_expression(&self.condition)
                        .set_expression_attribute_names(self.names())
                        .set_expression_attribute_values(self.values())
                        .build()
                        .map_err(built)?,
                )
                .build(),
            Kind::Check => TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(item)
                        .condition_expression(&self.condition)
                        .set_expression_attribute_names(self.names())
                        .set_expression_attribute_values(self.values())
                        .build()
                        .map_err(built)?,
                )
                .build(),
        })
    }
}

/// The condition "every column of the item with `key` equals `expect`".
fn expect_condition(
    map: &TableMap<'_>,
    expect: &[Value],
    names: &mut HashMap<String, String>,
    values: &mut HashMap<String, AttributeValue>,
) -> Result<(String, usize)> {
    if expect.len() != map.def.columns.len() {
        return Err(Error::invalid_statement(format!(
            "the expected row of a transactional write on `{}` has {} values but the table \
             has {} columns",
            map.def.name,
            expect.len(),
            map.def.columns.len()
        )));
    }
    let mut parts = Vec::with_capacity(expect.len());
    let mut size = 0;
    for (col, value) in expect.iter().enumerate() {
        let name = format!("#c{col}");
        names.insert(name.clone(), map.attr(col).to_string());
        // A value the column cannot hold can never be what is stored.
        let encoded = match map.encode(col, value) {
            Ok(v) => v,
            Err(_) => Some(AttributeValue::Null(true)),
        };
        match encoded {
            None => parts.push(format!("attribute_not_exists({name})")),
            Some(av) => {
                let placeholder = format!(":e{col}");
                size += crate::codec::attribute_size(map.attr(col), &av);
                parts.push(format!("{name} = {placeholder}"));
                values.insert(placeholder, av);
            }
        }
    }
    Ok((parts.join(" AND "), size))
}

fn changed(table: &str, key: &[Value]) -> impl Fn(&str) -> Error + Send + Sync {
    let table = table.to_string();
    let key = format!("{key:?}");
    move |why: &str| {
        Error::serialization_failure(format!(
            "the `{table}` record with primary key {key} changed since it was read (it holds \
             other values now, or no longer exists{}); retry",
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ))
    }
}

fn duplicate_key(table: &str, key: &[Value]) -> Error {
    Error::unique_violation(format!(
        "a row with primary key {key:?} already exists in `{table}`"
    ))
}

/// Builds the action of one `TransactWrite` item (`None`: nothing to do, a release of a
/// value with NULL).
fn action(schema: &db::Schema, item: WriteItem) -> Result<Option<(Action, Vec<u8>)>> {
    let def = schema.table(item.table())?;
    let map = TableMap::new(def);
    match item {
        WriteItem::Put { row, .. } => {
            if row.len() != def.columns.len() {
                return Err(Error::invalid_statement(format!(
                    "a put into `{}` has {} values but the table has {} columns",
                    def.name,
                    row.len(),
                    def.columns.len()
                )));
            }
            put_action(&map, &row).map(Some)
        }
        WriteItem::Update {
            key,
            expect,
            assignments,
            ..
        } => {
            check::check_assignments(def, &assignments)?;
            let key_item = map.key(&key)?;
            let id = row_id(&map, &key_item);
            let mut names = HashMap::new();
            let mut values = HashMap::new();
            let (condition, mut size) = expect_condition(&map, &expect, &mut names, &mut values)?;
            let mut set = Vec::new();
            let mut remove = Vec::new();
            for (col, value) in &assignments {
                let name = format!("#c{col}");
                names.insert(name.clone(), map.attr(*col).to_string());
                match map.encode(*col, value)? {
                    None => remove.push(name),
                    Some(av) => {
                        let placeholder = format!(":v{col}");
                        size += crate::codec::attribute_size(map.attr(*col), &av);
                        set.push(format!("{name} = {placeholder}"));
                        values.insert(placeholder, av);
                    }
                }
            }
            let mut update = Vec::new();
            if !set.is_empty() {
                update.push(format!("SET {}", set.join(", ")));
            }
            if !remove.is_empty() {
                update.push(format!("REMOVE {}", remove.join(", ")));
            }
            if size > crate::codec::MAX_ITEM_BYTES {
                return Err(Error::out_of_range(format!(
                    "a `{}` record takes {size} bytes as a DynamoDB item, but an item holds at \
                     most 400 KB",
                    def.name
                )));
            }
            Ok(Some((
                Action {
                    kind: if update.is_empty() {
                        Kind::Check
                    } else {
                        Kind::Update
                    },
                    table: def.name.clone(),
                    item: key_item,
                    update: (!update.is_empty()).then(|| update.join(" ")),
                    condition,
                    names,
                    values,
                    failed: Box::new(changed(&def.name, &key)),
                    size,
                },
                id,
            )))
        }
        WriteItem::Delete { key, expect, .. } => {
            let key_item = map.key(&key)?;
            let id = row_id(&map, &key_item);
            let mut names = HashMap::new();
            let mut values = HashMap::new();
            let (condition, size) = expect_condition(&map, &expect, &mut names, &mut values)?;
            Ok(Some((
                Action {
                    kind: Kind::Delete,
                    table: def.name.clone(),
                    item: key_item,
                    update: None,
                    condition,
                    names,
                    values,
                    failed: Box::new(changed(&def.name, &key)),
                    size,
                },
                id,
            )))
        }
        WriteItem::Claim {
            index, values, key, ..
        } => claim_action(&map, def, index, values, &key, None).map(Some),
        WriteItem::Transfer {
            index,
            values,
            from,
            to,
            ..
        } => claim_action(&map, def, index, values, &to, Some(&from)).map(Some),
        WriteItem::Release {
            index, values, key, ..
        } => {
            let ix = map.unique_index(index)?;
            if values.len() != ix.columns.len() {
                return Err(Error::invalid_statement(format!(
                    "a claim on the unique index `{}` has {} values but the index has {} \
                     columns",
                    ix.name,
                    values.len(),
                    ix.columns.len()
                )));
            }
            check::check_key(def, &key)?;
            // No claim exists for values with NULL (or that the columns cannot hold).
            let Ok(Some(claim_key)) = map.claim_key(ix, &values) else {
                return Ok(None);
            };
            let owner = map.owner(&key)?;
            let (condition, names, cond_values) = owner_condition(&map, ix, &[owner]);
            let table = claim_table(def, ix);
            let id = claim_id(&table, &map, ix, &claim_key);
            let (iname, shown) = (ix.name.clone(), format!("{values:?}"));
            Ok(Some((
                Action {
                    kind: Kind::Release,
                    table,
                    item: claim_key,
                    update: None,
                    condition,
                    names,
                    values: cond_values,
                    failed: Box::new(move |_why: &str| {
                        Error::serialization_failure(format!(
                            "the value {shown} of the unique index `{iname}` is held by \
                             another record than the one giving it up; the record changed \
                             since it was read: retry"
                        ))
                    }),
                    size: 0,
                },
                id,
            )))
        }
    }
}

/// The `Put` of a full row, on condition that its key is new.
fn put_action(map: &TableMap<'_>, row: &[Value]) -> Result<(Action, Vec<u8>)> {
    let def = map.def;
    for (col, value) in row.iter().enumerate() {
        check::check_value(def, col, value)?;
    }
    let item = map.item(row)?;
    let id = row_id(map, &item);
    let size = item
        .iter()
        .map(|(n, v)| crate::codec::attribute_size(n, v))
        .sum();
    let pk0 = def.primary_key.first().copied().unwrap_or(0);
    let key = def.key_of(row);
    let table = def.name.clone();
    Ok((
        Action {
            kind: Kind::Put,
            table: def.name.clone(),
            item,
            update: None,
            condition: "attribute_not_exists(#k)".to_string(),
            names: HashMap::from([("#k".to_string(), map.attr(pk0).to_string())]),
            values: HashMap::new(),
            failed: Box::new(move |_why: &str| duplicate_key(&table, &key)),
            size,
        },
        id,
    ))
}

/// The action of a `Claim` by `key`, or of a `Transfer` to `key` from `from`: a `Put`
/// of the claim item naming `key`, on condition that the claim is free or held by `key`
/// (or by `from`).
fn claim_action(
    map: &TableMap<'_>,
    def: &db::Table,
    index: usize,
    values: Vec<Value>,
    key: &[Value],
    from: Option<&[Value]>,
) -> Result<(Action, Vec<u8>)> {
    let ix = map.unique_index(index)?;
    if values.len() != ix.columns.len() {
        return Err(Error::invalid_statement(format!(
            "a claim on the unique index `{}` has {} values but the index has {} \
                 columns",
            ix.name,
            values.len(),
            ix.columns.len()
        )));
    }
    if values.iter().any(Value::is_null) {
        return Err(Error::invalid_statement(format!(
            "a claim on the unique index `{}` contains NULL; an entry with NULL never \
                 conflicts, so it is not claimed",
            ix.name
        )));
    }
    for (&col, value) in ix.columns.iter().zip(&values) {
        check::check_value(def, col, value)?;
    }
    let claim_key = map.claim_key(ix, &values)?;
    let claim_key = claim_key.unwrap_or_default();
    let owner = map.owner(key)?;
    let mut holders = vec![owner.clone()];
    if let Some(from) = from {
        holders.push(map.owner(from)?);
    }
    let (condition, names, cond_values) = owner_condition(map, ix, &holders);
    let table = claim_table(def, ix);
    let id = claim_id(&table, map, ix, &claim_key);
    let mut item = claim_key;
    for (name, av) in owner {
        item.insert(name, av);
    }
    let size = item
        .iter()
        .map(|(n, v)| crate::codec::attribute_size(n, v))
        .sum();
    let columns: Vec<String> = ix
        .columns
        .iter()
        .map(|&c| map.attr(c).to_string())
        .collect();
    let (tname, iname) = (def.name.clone(), ix.name.clone());
    Ok((
        Action {
            kind: Kind::Claim,
            table,
            item,
            update: None,
            condition,
            names,
            values: cond_values,
            failed: Box::new(move |_why: &str| {
                Error::unique_violation(format!(
                    "({}) = {values:?} in `{tname}` is already held by another record, \
                         but the unique index `{iname}` allows each value once",
                    columns.join(", ")
                ))
            }),
            size,
        },
        id,
    ))
}

/// The condition "the claim is free, or held by one of `holders`" (each the owner
/// attributes of a key).
fn owner_condition(
    map: &TableMap<'_>,
    ix: &db::Index,
    holders: &[Vec<(String, AttributeValue)>],
) -> (
    String,
    HashMap<String, String>,
    HashMap<String, AttributeValue>,
) {
    let mut names = HashMap::new();
    let mut values = HashMap::new();
    let first = ix.columns.first().copied().unwrap_or(0);
    names.insert("#x".to_string(), map.attr(first).to_string());
    let mut alternatives = vec!["attribute_not_exists(#x)".to_string()];
    for (h, owner) in holders.iter().enumerate() {
        let mut held = Vec::new();
        for (i, (name, av)) in owner.iter().enumerate() {
            names.insert(format!("#o{i}"), name.clone());
            values.insert(format!(":o{h}_{i}"), av.clone());
            held.push(format!("#o{i} = :o{h}_{i}"));
        }
        alternatives.push(format!("({})", held.join(" AND ")));
    }
    (alternatives.join(" OR "), names, values)
}

fn row_id(map: &TableMap<'_>, item: &Item) -> Vec<u8> {
    let mut id = b"row:".to_vec();
    id.extend_from_slice(map.def.name.as_bytes());
    id.push(0);
    id.extend(map.key_id(item));
    id
}

fn claim_id(table: &str, map: &TableMap<'_>, ix: &db::Index, key: &Item) -> Vec<u8> {
    let mut id = b"claim:".to_vec();
    id.extend_from_slice(table.as_bytes());
    id.push(0);
    id.extend(crate::codec::key_id(
        ix.columns.iter().map(|&c| key.get(map.attr(c))),
    ));
    id
}

/// Runs a transactional write (see the module docs).
pub(crate) async fn transact_write(
    ctx: &Ctx<'_>,
    schema: &db::Schema,
    op: TransactWrite,
) -> Result<Response> {
    let count = op.items.len() as u64;
    let mut actions: Vec<Action> = Vec::with_capacity(op.items.len());
    let mut seen: HashMap<Vec<u8>, (Kind, Vec<Value>)> = HashMap::new();
    for item in op.items {
        let (kind_of, key_of) = match &item {
            WriteItem::Put { table, row } => (
                Kind::Put,
                schema
                    .table(*table)
                    .map(|d| d.key_of(row))
                    .unwrap_or_default(),
            ),
            WriteItem::Claim { key, .. } => (Kind::Claim, key.clone()),
            WriteItem::Update { key, .. } => (Kind::Update, key.clone()),
            WriteItem::Delete { key, .. } => (Kind::Delete, key.clone()),
            WriteItem::Release { key, .. } => (Kind::Release, key.clone()),
            WriteItem::Transfer { to, .. } => (Kind::Claim, to.clone()),
        };
        let table_name = schema
            .table(item.table())
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let Some((action, id)) = action(schema, item)? else {
            continue;
        };
        if let Some((earlier, earlier_key)) = seen.get(&id) {
            return Err(match (earlier, kind_of) {
                (Kind::Put, Kind::Put) => duplicate_key(&table_name, &key_of),
                (Kind::Claim, Kind::Claim) if !same_key(earlier_key, &key_of) => {
                    (action.failed)("")
                }
                _ => Error::invalid_statement(format!(
                    "two items of one transactional write address the same `{table_name}` \
                     row or claim; each may appear once"
                )),
            });
        }
        seen.insert(id, (kind_of, key_of));
        actions.push(action);
    }
    run(ctx, actions, "transactional write").await?;
    Ok(Response::Count(count))
}

fn same_key(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}

/// Sends `actions` as one atomic write, retrying cancellations caused only by conflicts
/// or throttling.
async fn run(ctx: &Ctx<'_>, actions: Vec<Action>, what: &str) -> Result<()> {
    if actions.is_empty() {
        return Ok(());
    }
    let size: usize = actions.iter().map(|a| a.size).sum();
    if size > MAX_REQUEST_BYTES {
        return Err(Error::unsupported(format!(
            "this write holds about {size} bytes, but one DynamoDB TransactWriteItems request \
             holds at most 4 MB; an atomic write cannot be split, so write fewer or smaller \
             records at once"
        )));
    }
    let items = actions
        .iter()
        .map(Action::transact_item)
        .collect::<Result<Vec<_>>>()?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        // One token per attempt: the SDK's own retries of this request reuse it (so a
        // commit whose answer was lost is answered as a success), while a new attempt
        // after a cancellation is evaluated afresh.
        let token = uuid::Uuid::new_v4().hyphenated().to_string();
        let outcome = if actions.len() == 1 {
            send_one(ctx, &actions[0], what).await
        } else {
            send_many(ctx, &actions, &items, &token, what).await
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(Retry::Transient(err)) if attempt < CONFLICT_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                drop(err);
            }
            Err(Retry::Transient(err)) | Err(Retry::Final(err)) => return Err(err),
        }
    }
}

/// A failed attempt: worth another try (a conflict, throttling), or final.
enum Retry {
    Transient(Error),
    Final(Error),
}

/// Exponential backoff with jitter: about 10 ms, 20 ms, ... up to 1 s.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64.saturating_mul(1 << attempt.min(7)).min(1000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(base / 2 + u64::from(nanos) % (base / 2 + 1))
}

async fn send_many(
    ctx: &Ctx<'_>,
    actions: &[Action],
    items: &[TransactWriteItem],
    token: &str,
    what: &str,
) -> std::result::Result<(), Retry> {
    let result = ctx
        .client
        .transact_write_items()
        .set_transact_items(Some(items.to_vec()))
        .client_request_token(token)
        .send()
        .await;
    let err = match result {
        Ok(_) => return Ok(()),
        Err(err) => err,
    };
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
        err.as_service_error()
    {
        let reasons = cancel.cancellation_reasons();
        let mut transient = false;
        for (i, reason) in reasons.iter().enumerate() {
            let code = reason.code().unwrap_or("None");
            let message = reason.message().unwrap_or_default();
            match code {
                "None" | "" => continue,
                "ConditionalCheckFailed" => {
                    let failed = actions
                        .get(i)
                        .map(|a| (a.failed)(message))
                        .unwrap_or_else(|| Error::driver("a condition failed"));
                    return Err(Retry::Final(failed));
                }
                "TransactionConflict"
                | "ThrottlingError"
                | "ProvisionedThroughputExceeded"
                | "RequestLimitExceeded" => transient = true,
                other => {
                    let table = actions.get(i).map(|a| a.table.as_str()).unwrap_or("?");
                    return Err(Retry::Final(service_error(
                        other,
                        message,
                        &format!("{what} (item #{i}, table `{table}`)"),
                        ctx.target,
                    )));
                }
            }
        }
        let message = cancel.message().unwrap_or_default().to_string();
        if transient || reasons.is_empty() {
            return Err(Retry::Transient(Error::serialization_failure(format!(
                "{what}: DynamoDB cancelled the transaction because concurrent transactions \
                 (or throttling) kept touching the same items ({message}); retry"
            ))));
        }
        return Err(Retry::Final(Error::driver(format!(
            "{what}: DynamoDB cancelled the transaction: {message}"
        ))));
    }
    let failure = Failure::from_sdk(&err);
    transient_or_final(failure, what, ctx.target)
}

fn transient_or_final(
    failure: Failure,
    what: &str,
    target: &str,
) -> std::result::Result<(), Retry> {
    let transient = matches!(
        failure.code(),
        Some("TransactionConflictException" | "TransactionInProgressException")
    );
    let err = failure.into_error(what, target);
    Err(if transient {
        Retry::Transient(err)
    } else {
        Retry::Final(err)
    })
}

/// One action with the single-item API.
async fn send_one(ctx: &Ctx<'_>, action: &Action, what: &str) -> std::result::Result<(), Retry> {
    let c = ctx.client;
    let item = Some(action.item.clone());
    let result: std::result::Result<(), Failure> = match action.kind {
        Kind::Put | Kind::Claim => c
            .put_item()
            .table_name(&action.table)
            .set_item(item)
            .condition_expression(&action.condition)
            .set_expression_attribute_names(action.names())
            .set_expression_attribute_values(action.values())
            .send()
            .await
            .map(drop)
            .map_err(|e| Failure::from_sdk(&e)),
        Kind::Update => c
            .update_item()
            .table_name(&action.table)
            .set_key(item)
            .set_update_expression(action.update.clone())
            .condition_expression(&action.condition)
            .set_expression_attribute_names(action.names())
            .set_expression_attribute_values(action.values())
            .send()
            .await
            .map(drop)
            .map_err(|e| Failure::from_sdk(&e)),
        Kind::Delete | Kind::Release => c
            .delete_item()
            .table_name(&action.table)
            .set_key(item)
            .condition_expression(&action.condition)
            .set_expression_attribute_names(action.names())
            .set_expression_attribute_values(action.values())
            .send()
            .await
            .map(drop)
            .map_err(|e| Failure::from_sdk(&e)),
        Kind::Check => {
            // No single-item API checks a condition: a one-item transaction does.
            let items = [action.transact_item().map_err(Retry::Final)?];
            let token = uuid::Uuid::new_v4().hyphenated().to_string();
            return send_many(ctx, std::slice::from_ref(action), &items, &token, what).await;
        }
    };
    match result {
        Ok(()) => Ok(()),
        Err(Failure::Service { code, message }) if code == "ConditionalCheckFailedException" => {
            Err(Retry::Final((action.failed)(&message)))
        }
        Err(failure) => transient_or_final(failure, what, ctx.target),
    }
}

/// Runs an insert: every row is put on condition that its key is new, all or nothing
/// (memdb's `ops::insert` on the kv persona: no unique-index checks, no claims).
pub(crate) async fn insert(ctx: &Ctx<'_>, def: &db::Table, op: Insert) -> Result<Response> {
    let map = TableMap::new(def);
    check::check_column_list(def, &op.columns, "insert columns")?;
    check::check_column_list(def, &op.returning, "returning columns")?;
    let mut rows = Vec::with_capacity(op.rows.len());
    for given in op.rows {
        if given.len() != op.columns.len() {
            return Err(Error::invalid_statement(format!(
                "an insert into `{}` lists {} columns but a row has {} values",
                def.name,
                op.columns.len(),
                given.len()
            )));
        }
        let mut row = vec![Value::Null; def.columns.len()];
        for (&col, value) in op.columns.iter().zip(given) {
            if let Some(slot) = row.get_mut(col) {
                *slot = value;
            }
        }
        rows.push(row);
    }
    let mut actions = Vec::with_capacity(rows.len());
    let mut ids: Vec<Vec<u8>> = Vec::with_capacity(rows.len());
    for row in &rows {
        let (action, id) = put_action(&map, row)?;
        actions.push(action);
        ids.push(id);
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            let key = rows.get(i).map(|r| def.key_of(r)).unwrap_or_default();
            return Err(duplicate_key(&def.name, &key));
        }
    }
    run(ctx, actions, &format!("insert into `{}`", def.name)).await?;
    if op.returning.is_empty() {
        Ok(Response::Count(rows.len() as u64))
    } else {
        Ok(Response::Rows(
            rows.iter()
                .map(|row| {
                    op.returning
                        .iter()
                        .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
                        .collect()
                })
                .collect(),
        ))
    }
}

/// The existing items among `keys` (each once; keys with NULL match nothing).
async fn existing(ctx: &Ctx<'_>, map: &TableMap<'_>, keys: &[Vec<Value>]) -> Result<Vec<Item>> {
    let mut lookups: Vec<Item> = Vec::with_capacity(keys.len());
    let mut ids: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(item) = map.lookup_key(key)? {
            let id = map.key_id(&item);
            if !ids.contains(&id) {
                ids.push(id);
                lookups.push(item);
            }
        }
    }
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let found = batch_get(ctx, map, lookups).await?;
    Ok(found
        .into_iter()
        .map(|item| {
            map.def
                .primary_key
                .iter()
                .filter_map(|&c| {
                    let name = map.attr(c);
                    item.get(name).map(|v| (name.to_string(), v.clone()))
                })
                .collect()
        })
        .collect())
}

/// An action on an existing item, conditioned on it still existing.
fn by_key_action(map: &TableMap<'_>, kind: Kind, key: Item, update: Option<String>) -> Action {
    let pk0 = map.def.primary_key.first().copied().unwrap_or(0);
    let table = map.def.name.clone();
    Action {
        kind,
        table: map.def.name.clone(),
        item: key,
        update,
        condition: "attribute_exists(#k)".to_string(),
        names: HashMap::from([("#k".to_string(), map.attr(pk0).to_string())]),
        values: HashMap::new(),
        failed: Box::new(move |_why: &str| {
            Error::serialization_failure(format!(
                "a `{table}` record was deleted while it was being written; retry"
            ))
        }),
        size: 0,
    }
}

/// Runs an update by key: the keys that exist are updated, all or nothing; returns how
/// many existed (memdb's `ops::update::update_by_key` on the kv persona).
pub(crate) async fn update_by_key(
    ctx: &Ctx<'_>,
    def: &db::Table,
    op: UpdateByKey,
) -> Result<Response> {
    let map = TableMap::new(def);
    check::check_assignments(def, &op.assignments)?;
    let mut names = HashMap::new();
    let mut values = HashMap::new();
    let mut set = Vec::new();
    let mut remove = Vec::new();
    for (col, value) in &op.assignments {
        let name = format!("#c{col}");
        names.insert(name.clone(), map.attr(*col).to_string());
        match map.encode(*col, value)? {
            None => remove.push(name),
            Some(av) => {
                set.push(format!("{name} = :v{col}"));
                values.insert(format!(":v{col}"), av);
            }
        }
    }
    let mut update = Vec::new();
    if !set.is_empty() {
        update.push(format!("SET {}", set.join(", ")));
    }
    if !remove.is_empty() {
        update.push(format!("REMOVE {}", remove.join(", ")));
    }
    let what = format!("update by key of `{}`", def.name);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let found = existing(ctx, &map, &op.keys).await?;
        let n = found.len() as u64;
        if update.is_empty() || found.is_empty() {
            return Ok(Response::Count(n));
        }
        let actions = found
            .into_iter()
            .map(|key| {
                let mut a = by_key_action(&map, Kind::Update, key, Some(update.join(" ")));
                a.names.extend(names.clone());
                a.values.extend(values.clone());
                a
            })
            .collect();
        match run(ctx, actions, &what).await {
            Ok(()) => return Ok(Response::Count(n)),
            Err(e) if e.kind() == toasty_core::ErrorKind::SerializationFailure && attempt < 5 => {}
            Err(e) => return Err(e),
        }
    }
}

/// Runs a delete by key: the keys that exist are deleted, all or nothing; returns how
/// many existed (memdb's `ops::delete::delete_by_key`).
pub(crate) async fn delete_by_key(
    ctx: &Ctx<'_>,
    def: &db::Table,
    op: DeleteByKey,
) -> Result<Response> {
    let map = TableMap::new(def);
    for key in &op.keys {
        check::check_key(def, key)?;
    }
    let what = format!("delete by key of `{}`", def.name);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let found = existing(ctx, &map, &op.keys).await?;
        let n = found.len() as u64;
        if found.is_empty() {
            return Ok(Response::Count(0));
        }
        let actions = found
            .into_iter()
            .map(|key| by_key_action(&map, Kind::Delete, key, None))
            .collect();
        match run(ctx, actions, &what).await {
            Ok(()) => return Ok(Response::Count(n)),
            Err(e) if e.kind() == toasty_core::ErrorKind::SerializationFailure && attempt < 5 => {}
            Err(e) => return Err(e),
        }
    }
}
