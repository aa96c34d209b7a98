//! Loading relations for a statement's records ([`crate::engine::plan::Load`]).
//!
//! One relation level is one read of the related model: its records whose fields match
//! the keys of every record at that level (`target IN (keys)`, split only past the
//! bind-parameter budget), compiled and run like any query, so on a key-value store it
//! goes through the index on the foreign key (a batched key lookup for a
//! `#[belongs_to]`). The records found are then handed to the records they relate to,
//! and the nested relations are loaded the same way for all of them together.

use super::kv_items::KeyOf;
use crate::engine::plan::{Include, Load};
use crate::engine::{Outcome, Record, Statement};
use crate::observe::Run;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use toasty_core::driver::{Capability, Connection};
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
                        .flat_map(|slot| slot.iter_mut().flatten())
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
            let mut group_of: HashMap<KeyOf, usize, foldhash::fast::RandomState> =
                HashMap::default();
            let mut keys: Vec<Vec<Value>> = Vec::new();
            let mut holders: Vec<usize> = Vec::new();
            let mut record_group: Vec<Option<usize>> = Vec::with_capacity(records.len());
            for r in records.iter() {
                let group = if r.is_loaded(inc.relation) {
                    None
                } else {
                    key_of(r, &inc.source_fields).map(|k| {
                        let key = KeyOf(k);
                        let g = match group_of.get(&key) {
                            Some(&g) => g,
                            None => {
                                let g = keys.len();
                                keys.push(key.0.clone());
                                holders.push(0);
                                group_of.insert(key, g);
                                g
                            }
                        };
                        holders[g] += 1;
                        g
                    })
                };
                record_group.push(group);
            }
            let found = read(conn, schema, cap, inc, keys, sent).await?;
            let mut groups: Vec<Vec<Record>> = vec![Vec::new(); holders.len()];
            // One key buffer for every lookup, so finding a record's group allocates
            // nothing.
            let mut probe = KeyOf(Vec::with_capacity(inc.target_fields.len()));
            for rec in found {
                probe.0.clear();
                probe.0.extend(
                    inc.target_fields
                        .iter()
                        .map(|&f| rec.values.get(f).cloned().unwrap_or(Value::Null)),
                );
                if probe.0.iter().any(Value::is_null) {
                    continue;
                }
                if let Some(&g) = group_of.get(&probe) {
                    groups[g].push(rec);
                }
            }
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
                    None => Vec::new(),
                };
                *r.slot(inc.relation) = Some(related);
            }
            if !inc.nested.is_empty() {
                let mut children: Vec<&mut Record> = records
                    .iter_mut()
                    .filter_map(|r| r.relations.get_mut(inc.relation))
                    .flat_map(|slot| slot.iter_mut().flatten())
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
        let found = read(&mut *conn, schema, cap, step, frontier, &mut *sent).await?;
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
        *r.slot(inc.relation) = Some(distinct);
    }
    Ok(())
}

/// The records of `inc.target` whose target fields equal one of `keys`: one query, or
/// one per [`MAX_KEY_VALUES`] values.
async fn read(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    inc: &Include,
    keys: Vec<Vec<Value>>,
    sent: &mut Run,
) -> Result<Vec<Record>> {
    let mut found = Vec::new();
    let per_query = (MAX_KEY_VALUES / inc.target_fields.len().max(1)).max(1);
    let mut keys = keys.into_iter().peekable();
    while keys.peek().is_some() {
        let part: Vec<Vec<Value>> = keys.by_ref().take(per_query).collect();
        let filter = match inc.target_fields.as_slice() {
            [field] => Expr::InList {
                expr: Box::new(Expr::Field(*field)),
                list: part.into_iter().filter_map(|mut k| k.pop()).collect(),
            },
            fields => Expr::Or(
                part.into_iter()
                    .map(|k| {
                        Expr::And(
                            fields
                                .iter()
                                .zip(k)
                                .map(|(&f, v)| Expr::eq(Expr::Field(f), Expr::Value(v)))
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
        found.extend(
            outcome.into_records().ok_or_else(|| {
                Error::driver("a relation read returned a count instead of records")
            })?,
        );
    }
    Ok(found)
}
