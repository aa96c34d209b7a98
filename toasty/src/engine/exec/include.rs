//! Loading relations for a statement's records ([`crate::engine::plan::Load`]).
//!
//! One relation level is one read of the related model: its records whose fields match
//! the keys of every record at that level (`target IN (keys)`, split only past the
//! bind-parameter budget), compiled and run like any query, so on a key-value store it
//! goes through the index on the foreign key (a batched key lookup for a
//! `#[belongs_to]`). The records found are then handed to the records they relate to,
//! and the nested relations are loaded the same way for all of them together.

use super::key_groups::KeyGroups;
use super::kv_items::KeyOf;
use crate::engine::plan::{Include, Load};
use crate::engine::{Outcome, Record, Related, Statement};
use crate::observe::Run;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use toasty_core::driver::{Capability, Connection, RowSet};
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, Expr};
use toasty_core::{Error, Result, Value};

/// The most key values one relation read holds (far below every bind-parameter limit).
const MAX_KEY_VALUES: usize = 10_000;

/// `outcome` with the relations of `load` loaded (a count is returned as it is).
pub(super) async fn load(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    outcome: Outcome,
    load: &Load,
    sent: &mut Run,
) -> Result<Outcome> {
    if let Outcome::Count(n) = outcome {
        return Ok(Outcome::Count(n));
    }
    let mut records = outcome.into_records().unwrap_or_default();
    {
        let mut refs: Vec<&mut Record> = records.iter_mut().collect();
        load_level(conn, schema, cap, &mut refs, &load.includes, sent).await?;
    }
    Ok(Outcome::Loaded(records))
}

type BoxFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

fn key_of(record: &Record, fields: &[usize]) -> Option<Vec<Value>> {
    let key: Vec<Value> = fields
        .iter()
        .map(|&f| record.values.get(f).cloned().unwrap_or(Value::Null))
        .collect();
    if key.iter().any(Value::is_null) {
        None
    } else {
        Some(key)
    }
}

fn load_level<'a, 'b: 'a>(
    conn: &'a mut dyn Connection,
    schema: &'a Schema,
    cap: &'a Capability,
    records: &'a mut [&'b mut Record],
    includes: &'a [Include],
    sent: &'a mut Run,
) -> BoxFuture<'a> {
    Box::pin(async move {
        for inc in includes {
            if !inc.via.is_empty() {
                load_via(&mut *conn, schema, cap, records, inc, &mut *sent).await?;
                if !inc.nested.is_empty() {
                    let mut children: Vec<&mut Record> = records
                        .iter_mut()
                        .filter_map(|r| r.relations.get_mut(inc.relation))
                        .flat_map(|slot| {
                            slot.iter_mut().flat_map(|rel| rel.records_mut().iter_mut())
                        })
                        .collect();
                    load_level(
                        &mut *conn,
                        schema,
                        cap,
                        &mut children,
                        &inc.nested,
                        &mut *sent,
                    )
                    .await?;
                }
                continue;
            }
            // The distinct keys of the records that still need the relation, in the
            // order first met; each such record's group; how many records hold each
            // group (the last one takes the related records by move).
            let mut key_groups = KeyGroups::new(inc.source_fields.len());
            let mut holders: Vec<usize> = Vec::new();
            let mut record_group: Vec<Option<usize>> = Vec::with_capacity(records.len());
            let mut probe: Vec<Value> = Vec::with_capacity(inc.source_fields.len());
            for r in records.iter() {
                let group = if r.is_loaded(inc.relation)
                    || !fill_key(&mut probe, &r.values, &inc.source_fields)
                {
                    None
                } else {
                    let g = key_groups.get_or_add(&probe);
                    if g == holders.len() {
                        holders.push(0);
                    }
                    if let Some(n) = holders.get_mut(g) {
                        *n += 1;
                    }
                    Some(g)
                };
                record_group.push(group);
            }
            let mut found = read(conn, schema, cap, inc, key_groups.keys(), sent).await?;
            let mut groups = group_found(schema, inc, &key_groups, &mut found)?;
            for (r, group) in records.iter_mut().zip(record_group) {
                if r.is_loaded(inc.relation) {
                    continue;
                }
                let related = match group {
                    Some(g) => {
                        holders[g] -= 1;
                        if holders[g] == 0 {
                            std::mem::take(&mut groups[g])
                        } else {
                            groups[g].clone()
                        }
                    }
                    None => Related::default(),
                };
                *r.slot(inc.relation) = Some(related);
            }
            if !inc.nested.is_empty() {
                let mut children: Vec<&mut Record> = records
                    .iter_mut()
                    .filter_map(|r| r.relations.get_mut(inc.relation))
                    .flat_map(|slot| slot.iter_mut().flat_map(|rel| rel.records_mut().iter_mut()))
                    .collect();
                load_level(
                    &mut *conn,
                    schema,
                    cap,
                    &mut children,
                    &inc.nested,
                    &mut *sent,
                )
                .await?;
            }
        }
        Ok(())
    })
}

/// Loads a `#[has_many(via = ..)]` relation: one read per step of its path, for every
/// record at once, then each record gets the distinct records its paths reach (by
/// primary key, in the order first reached).
async fn load_via(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    records: &mut [&mut Record],
    inc: &Include,
    sent: &mut Run,
) -> Result<()> {
    // Each step's records, by the key that reaches them.
    let mut maps: Vec<BTreeMap<KeyOf, Vec<Record>>> = Vec::with_capacity(inc.via.len());
    let mut frontier: Vec<Vec<Value>> = {
        let mut keys: BTreeMap<KeyOf, ()> = BTreeMap::new();
        let first = &inc.via[0];
        for r in records.iter().filter(|r| !r.is_loaded(inc.relation)) {
            if let Some(k) = key_of(r, &first.source_fields) {
                keys.insert(KeyOf(k), ());
            }
        }
        keys.into_keys().map(|k| k.0).collect()
    };
    for (n, step) in inc.via.iter().enumerate() {
        let flat: Vec<Value> = frontier.into_iter().flatten().collect();
        let found = into_records(read(&mut *conn, schema, cap, step, &flat, &mut *sent).await?)?;
        let mut map: BTreeMap<KeyOf, Vec<Record>> = BTreeMap::new();
        let mut next: BTreeMap<KeyOf, ()> = BTreeMap::new();
        for rec in found {
            if let Some(following) = inc.via.get(n + 1) {
                if let Some(k) = key_of(&rec, &following.source_fields) {
                    next.insert(KeyOf(k), ());
                }
            }
            if let Some(k) = key_of(&rec, &step.target_fields) {
                map.entry(KeyOf(k)).or_default().push(rec);
            }
        }
        maps.push(map);
        frontier = next.into_keys().map(|k| k.0).collect();
    }
    let pk = schema.model(inc.target)?.primary_key.clone();
    for r in records.iter_mut() {
        if r.is_loaded(inc.relation) {
            continue;
        }
        let mut reached: Vec<&Record> = Vec::new();
        if let Some(k) = key_of(r, &inc.via[0].source_fields) {
            reached.extend(maps[0].get(&KeyOf(k)).into_iter().flatten());
        }
        for (n, step) in inc.via.iter().enumerate().skip(1) {
            reached = reached
                .into_iter()
                .filter_map(|x| key_of(x, &step.source_fields))
                .flat_map(|k| maps[n].get(&KeyOf(k)).into_iter().flatten())
                .collect();
        }
        let mut seen: BTreeMap<KeyOf, ()> = BTreeMap::new();
        let mut distinct = Vec::new();
        for rec in reached {
            let key = key_of(rec, &pk).unwrap_or_default();
            if seen.insert(KeyOf(key), ()).is_none() {
                distinct.push(rec.clone());
            }
        }
        *r.slot(inc.relation) = Some(Related::of_records(distinct));
    }
    Ok(())
}

/// The records of `inc.target` whose target fields equal one of `keys`: the outcome of
/// one query, or of one per [`MAX_KEY_VALUES`] values.
async fn read(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    inc: &Include,
    keys: &[Value],
    sent: &mut Run,
) -> Result<Vec<Outcome>> {
    let mut found = Vec::new();
    let width = inc.target_fields.len().max(1);
    // Whole keys only: `MAX_KEY_VALUES` values, rounded down to a multiple of the width.
    let per_query = (MAX_KEY_VALUES / width).max(1) * width;
    for part in keys.chunks(per_query) {
        let filter = match inc.target_fields.as_slice() {
            [field] => Expr::InList {
                expr: Box::new(Expr::Field(*field)),
                list: part.to_vec(),
            },
            fields => Expr::Or(
                part.chunks(width)
                    .map(|k| {
                        Expr::And(
                            fields
                                .iter()
                                .zip(k)
                                .map(|(&f, v)| Expr::eq(Expr::Field(f), Expr::Value(v.clone())))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        };
        let mut query = stmt::Query::all(inc.target);
        query.filter = Some(filter);
        let mut plan = crate::metrics::compile(
            sent.metrics.as_deref(),
            crate::engine::Caches::default(),
            schema,
            cap,
            Statement::Query(query, Vec::new()),
        )?;
        // Nested relations are loaded level by level by the caller.
        plan.load = None;
        let outcome = Box::pin(super::run(conn, schema, cap, plan, sent)).await?;
        if let Outcome::Count(_) = outcome {
            return Err(counted());
        }
        found.push(outcome);
    }
    Ok(found)
}

fn counted() -> Error {
    Error::driver("a relation read returned a count instead of records")
}

/// The records of relation reads' outcomes.
fn into_records(found: Vec<Outcome>) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for outcome in found {
        records.extend(outcome.into_records().ok_or_else(counted)?);
    }
    Ok(records)
}

/// Sets `key` to the values of `fields` in `row`; `false` if one is missing or NULL (the
/// row then relates to nothing).
fn fill_key(key: &mut Vec<Value>, row: &[Value], fields: &[usize]) -> bool {
    key.clear();
    for &f in fields {
        match row.get(f) {
            Some(v) if !v.is_null() => key.push(v.clone()),
            _ => return false,
        }
    }
    true
}

/// Calls `each` with every row of relation reads' outcomes, in order, as a slice to take
/// values out of.
fn for_each_row(found: &mut [Outcome], mut each: impl FnMut(&mut [Value])) {
    for outcome in found {
        match outcome {
            Outcome::Records(rows) => rows.iter_mut().for_each(|r| each(r)),
            Outcome::RecordSet(set) => set.rows_mut().for_each(&mut each),
            Outcome::Loaded(records) => records.iter_mut().for_each(|r| each(&mut r.values)),
            Outcome::Count(_) => {}
        }
    }
}

/// The related records found, one group per key of `keys` (rows that match none are
/// dropped). Each group is sized before it is filled. A relation with nested relations
/// to load gets records (which can hold them); otherwise each group's rows are moved
/// into one buffer.
fn group_found(
    schema: &Schema,
    inc: &Include,
    keys: &KeyGroups,
    found: &mut [Outcome],
) -> Result<Vec<Related>> {
    // Which group each row goes to, and how many rows each group gets. One key buffer
    // serves every lookup, so finding a row's group allocates nothing.
    let mut sizes = vec![0usize; keys.len()];
    let mut row_group: Vec<Option<usize>> = Vec::new();
    let mut probe: Vec<Value> = Vec::with_capacity(inc.target_fields.len());
    for_each_row(found, |row| {
        let group = if fill_key(&mut probe, row, &inc.target_fields) {
            keys.get(&probe)
        } else {
            None
        };
        if let Some(n) = group.and_then(|g| sizes.get_mut(g)) {
            *n += 1;
        }
        row_group.push(group);
    });
    let mut row_group = row_group.into_iter();
    let take = |v: &mut Value| std::mem::replace(v, Value::Null);
    if inc.nested.is_empty() {
        let width = schema.model(inc.target)?.fields.len();
        let mut sets: Vec<RowSet> = sizes
            .iter()
            .map(|&n| RowSet::with_capacity(width, n))
            .collect();
        for_each_row(found, |row| {
            if let Some(set) = row_group.next().flatten().and_then(|g| sets.get_mut(g)) {
                set.push_row(row.iter_mut().map(take));
            }
        });
        Ok(sets.into_iter().map(Related::of_rows).collect())
    } else {
        let mut lists: Vec<Vec<Record>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
        for_each_row(found, |row| {
            if let Some(list) = row_group.next().flatten().and_then(|g| lists.get_mut(g)) {
                list.push(Record::new(row.iter_mut().map(take).collect()));
            }
        });
        Ok(lists.into_iter().map(Related::of_records).collect())
    }
}
