//! Proptest strategies for harness cases: schemas, values and operation sequences.
//!
//! Edge cases are weighted up: empty strings and bytes, unicode, trailing spaces, case
//! variants, `%` and `_`, integer boundaries, `-0.0`, NULL. Values are drawn from small
//! pools so that equalities, ties and unique violations actually happen.
//!
//! A case is seed data, then a mix of single operations, atomic batches (of several
//! models, bulk creates among them) and transactions (with nested ones inside, and
//! creates that collide with seed records so that a failing statement aborts the
//! transaction).
//!
//! About a third of the cases relate their models ([`relate`]): one-to-many, one-to-one
//! and one-sided `#[belongs_to]`, optional (a nullable foreign key) or required,
//! self-referencing, several relations between the same two models, composite foreign
//! keys, foreign keys that reuse an existing field (the child's key too), eager
//! relations. Seeds are created parents first, children pointing at seed parents (some
//! parents get none, some children point at no parent); the operations add nested
//! creates, queries that include relation paths, operations scoped to one parent
//! (the foreign key equal to its key, and a random filter), filters through relations
//! (`.any(..)`, `.all(..)`, comparisons through `#[belongs_to]` / `#[has_one]` paths,
//! nested up to two relations deep) and deletes of parents.

use super::case::{
    Case, Filter, HasOneTo, IndexSpec, KeySpec, Lit, ModelSpec, NestedRow, Op, Order, RelKind,
    RelSpec,
};
use proptest::prelude::*;
use toasty_core::stmt::{BinaryOp, PatternOp};
use toasty_core::{Type, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS};

/// What the generator may produce for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenConfig {
    /// The target can assign auto-increment keys.
    pub auto_increment: bool,
    /// Bias every filter towards a key or index equality (for key-value targets).
    pub kv_friendly: bool,
    /// The target stores strings containing NUL.
    pub nul_in_strings: bool,
    /// Most models per case (1 to 4).
    pub max_models: usize,
    /// Most operations per case (a transaction or a batch counts as one).
    pub max_ops: usize,
    /// Generate transactions (begin .. commit/rollback, with savepoints inside).
    pub transactions: bool,
    /// Generate atomic batches.
    pub batches: bool,
    /// Generate related models (in about a third of the cases).
    pub relations: bool,
    /// Mix in hostile operations ([`super::hostile`]): sizes at and past every limit.
    pub hostile: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            auto_increment: true,
            kv_friendly: false,
            nul_in_strings: true,
            max_models: 3,
            max_ops: 12,
            transactions: true,
            batches: true,
            relations: true,
            hostile: false,
        }
    }
}

/// Cases for `config`.
pub fn case(config: GenConfig) -> impl Strategy<Value = Case> {
    let max_models = config.max_models.clamp(1, 4);
    let edges = if config.relations {
        prop::option::weighted(
            0.35,
            (
                prop::collection::vec(edge_pick(), 1..=3),
                prop::option::weighted(0.6, any::<(u8, u8, u8)>()),
            ),
        )
        .boxed()
    } else {
        Just(None).boxed()
    };
    (prop::collection::vec(model(config), 1..=max_models), edges)
        .prop_map(|(models, edges)| match edges {
            Some((edges, via)) => {
                let models = relate(models, &edges);
                match via {
                    Some(pick) => add_via(models, pick),
                    None => models,
                }
            }
            None => models,
        })
        .prop_flat_map(move |models| {
            // Seed data first (so reads find records), parents before children, then a
            // random mix.
            let seeds: Vec<BoxedStrategy<Op>> = seed_order(&models)
                .into_iter()
                .map(|mi| seed(&models, mi, config))
                .collect();
            let chunks =
                prop::collection::vec(chunk(models.clone(), config), 1..=config.max_ops.max(1));
            // Chunks before seeds: shrinking goes in tuple order, and dropping whole chunks
            // first is what makes a case small fast.
            (Just(models), chunks, seeds).prop_map(|(models, chunks, mut seeds)| {
                seeds.extend(chunks.into_iter().flatten());
                Case { models, ops: seeds }
            })
        })
}

/// The seed create of model `mi`: 2 to 6 records with distinct keys; a model with a
/// required `#[has_one]` is created with its child (nested), as it must be.
fn seed(models: &[ModelSpec], mi: usize, config: GenConfig) -> BoxedStrategy<Op> {
    let m = models[mi].clone();
    let refs = auto_refs(models, mi);
    let all = models.to_vec();
    let rows =
        prop::collection::vec(row_in(models, mi, config), 2..=6).prop_map(move |mut rows| {
            distinct_seed_keys(&all, mi, &refs, &mut rows);
            rows
        });
    let needs: Vec<usize> = required_has_one(&m);
    if needs.is_empty() {
        return rows
            .prop_map(move |rows| Op::Create { model: mi, rows })
            .boxed();
    }
    // One child per required `#[has_one]` (keys drawn from a wide pool so they do not
    // collide).
    let children: Vec<BoxedStrategy<(usize, NestedRow)>> = needs
        .iter()
        .map(|&r| {
            let target = m.relations[r].kind.target();
            let skip = fk_of(models, mi, r);
            nested_row(models, target, config, 2, skip)
                .prop_map(move |n| (r, n))
                .boxed()
        })
        .collect();
    (rows, prop::collection::vec(children, 6))
        .prop_map(move |(rows, children)| Op::CreateNested {
            model: mi,
            rows: rows
                .into_iter()
                .zip(children)
                .map(|(values, nested)| NestedRow { values, nested })
                .collect(),
        })
        .boxed()
}

/// The positions of the required `#[has_one]` relations of `m`.
fn required_has_one(m: &ModelSpec) -> Vec<usize> {
    m.relations
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            matches!(
                r.kind,
                RelKind::HasOne {
                    optional: false,
                    ..
                }
            )
        })
        .map(|(i, _)| i)
        .collect()
}

/// Models in seed order: parents before their children where the relations allow.
fn seed_order(models: &[ModelSpec]) -> Vec<usize> {
    let parents = |mi: usize| -> Vec<usize> {
        models[mi]
            .relations
            .iter()
            .filter_map(|r| match &r.kind {
                RelKind::BelongsTo { target, .. } if *target != mi => Some(*target),
                _ => None,
            })
            .collect()
    };
    let mut order: Vec<usize> = Vec::with_capacity(models.len());
    while order.len() < models.len() {
        let next = (0..models.len())
            .filter(|m| !order.contains(m))
            .find(|&m| parents(m).iter().all(|p| order.contains(p)))
            .or_else(|| (0..models.len()).find(|m| !order.contains(m)));
        match next {
            Some(m) => order.push(m),
            None => break,
        }
    }
    order
}

/// One random relation edge, resolved against the models by [`relate`].
#[derive(Debug, Clone, Copy)]
struct EdgePick {
    child: u8,
    parent: u8,
    /// 0..5: `#[has_many]`, 5..8: `#[has_one]`, else none (a one-sided `#[belongs_to]`).
    kind: u8,
    /// 0..4: required, 4..7: every foreign-key field nullable, 7: the first only.
    nullable: u8,
    /// 0..2: reuse an existing field of the child as the foreign key where one fits.
    reuse: u8,
    /// 0..2: the `#[belongs_to]` is eager; 2..4: the `#[has_*]` is.
    eager: u8,
    /// A `#[has_one]` is `Option<..>`.
    optional: bool,
}

fn edge_pick() -> impl Strategy<Value = EdgePick> {
    (
        any::<u8>(),
        any::<u8>(),
        0u8..10,
        0u8..8,
        0u8..10,
        0u8..10,
        any::<bool>(),
    )
        .prop_map(
            |(child, parent, kind, nullable, reuse, eager, optional)| EdgePick {
                child,
                parent,
                kind,
                nullable,
                reuse,
                eager,
                optional,
            },
        )
}

/// Adds the relations `edges` describe to `models`: a `#[belongs_to]` on the child (its
/// foreign-key fields appended, or reusing a field of the same type), and maybe a
/// `#[has_many]` / `#[has_one]` on the parent paired with it, with the index it needs.
/// The result always forms a valid schema: foreign keys of the target's key types, an
/// index led by the foreign key (unique for a `#[has_one]`), explicit `pair` only where
/// several `#[belongs_to]` could pair, no eager cycle, no cycle of required
/// `#[has_one]` (a record could never be created), and no field referring to the
/// `#[auto]` keys of two models (their values are only comparable through one model).
fn relate(mut models: Vec<ModelSpec>, edges: &[EdgePick]) -> Vec<ModelSpec> {
    let n = models.len();
    for e in edges {
        let c = e.child as usize % n;
        let t = e.parent as usize % n;
        let parent_key: Vec<(usize, Type)> = models[t]
            .key_fields()
            .into_iter()
            .map(|k| (k, models[t].fields[k].ty))
            .collect();
        let used: Vec<usize> = models[c]
            .relations
            .iter()
            .flat_map(|r| match &r.kind {
                RelKind::BelongsTo { key, .. } => key.clone(),
                _ => Vec::new(),
            })
            .collect();
        let mut key = Vec::with_capacity(parent_key.len());
        for (i, (_, ty)) in parent_key.iter().enumerate() {
            // A required self-reference makes every delete of the model a cascade around
            // a cycle (refused): mostly optional.
            let nullable = match e.nullable {
                0 => false,
                1..=3 if c != t => false,
                4..=6 => true,
                _ => i == 0,
            };
            let reuse = if e.reuse < 2 {
                (0..models[c].fields.len()).find(|&f| {
                    models[c].fields[f].ty == *ty
                        && !models[c].is_auto(f)
                        && !key.contains(&f)
                        && !used.contains(&f)
                })
            } else {
                None
            };
            let f = match reuse {
                Some(f) => f,
                None => {
                    models[c].fields.push(spec(*ty, nullable));
                    models[c].fields.len() - 1
                }
            };
            key.push(f);
        }
        let b = models[c].relations.len();
        models[c].relations.push(RelSpec {
            kind: RelKind::BelongsTo {
                key: key.clone(),
                target: t,
            },
            eager: e.eager < 2,
        });
        let has = match e.kind {
            0..=4 => RelKind::HasMany {
                target: c,
                pair: Some(b),
            },
            5..=7 => {
                // A required `#[has_one]` that would need itself (directly or around
                // a cycle) to be created is made optional.
                let optional = e.optional || needs_has_one(&models, c, t);
                RelKind::HasOne {
                    target: c,
                    pair: Some(b),
                    optional,
                }
            }
            _ => continue,
        };
        let unique = matches!(has, RelKind::HasOne { .. });
        ensure_index(&mut models[c], &key, unique);
        models[t].relations.push(RelSpec {
            kind: has,
            eager: (2..4).contains(&e.eager),
        });
    }
    // `pair` only where several `#[belongs_to]` point back.
    for mi in 0..n {
        for r in 0..models[mi].relations.len() {
            let (target, pair) = match &models[mi].relations[r].kind {
                RelKind::HasMany { target, pair } | RelKind::HasOne { target, pair, .. } => {
                    (*target, *pair)
                }
                RelKind::BelongsTo { .. } | RelKind::Via { .. } => continue,
            };
            let candidates = models[target]
                .relations
                .iter()
                .filter(|b| matches!(b.kind, RelKind::BelongsTo { target, .. } if target == mi))
                .count();
            if candidates == 1 && pair.is_some() {
                match &mut models[mi].relations[r].kind {
                    RelKind::HasMany { pair, .. } | RelKind::HasOne { pair, .. } => *pair = None,
                    RelKind::BelongsTo { .. } | RelKind::Via { .. } => {}
                }
            }
        }
    }
    // No eager cycles: keep an eager flag only if the eager graph stays acyclic.
    let mut eager: Vec<(usize, usize)> = Vec::new();
    for (mi, m) in models.iter_mut().enumerate() {
        for rel in m.relations.iter_mut().filter(|r| r.eager) {
            let target = rel.kind.target();
            if reaches(&eager, target, mi) {
                rel.eager = false;
            } else {
                eager.push((mi, target));
            }
        }
    }
    models
}

/// Adds a `#[has_many(via = ..)]` relation to the model `pick.0` picks, through the
/// direct relation `pick.1` picks and then a direct relation of its target (any kinds:
/// the siblings of a record, the parents of its children, the children of its
/// parent, ...). Nothing is added when the path has no second step.
fn add_via(mut models: Vec<ModelSpec>, pick: (u8, u8, u8)) -> Vec<ModelSpec> {
    let direct = |m: &ModelSpec| -> Vec<usize> {
        (0..m.relations.len())
            .filter(|&r| !m.relations[r].kind.is_via())
            .collect()
    };
    let n = models.len();
    let a = pick.0 as usize % n;
    let first = direct(&models[a]);
    if first.is_empty() {
        return models;
    }
    let r1 = first[pick.1 as usize % first.len()];
    let b = models[a].relations[r1].kind.target();
    let second = direct(&models[b]);
    if second.is_empty() {
        return models;
    }
    let r2 = second[pick.2 as usize % second.len()];
    let target = models[b].relations[r2].kind.target();
    models[a].relations.push(RelSpec {
        kind: RelKind::Via {
            path: vec![r1, r2],
            target,
        },
        eager: false,
    });
    models
}

/// `true` if `to` is reachable from `from` over `edges` (or `from == to`).
fn reaches(edges: &[(usize, usize)], from: usize, to: usize) -> bool {
    let mut seen = vec![from];
    let mut i = 0;
    while i < seen.len() {
        let m = seen[i];
        if m == to {
            return true;
        }
        for &(a, b) in edges {
            if a == m && !seen.contains(&b) {
                seen.push(b);
            }
        }
        i += 1;
    }
    false
}

/// `true` if creating a `child` record needs a `parent` record created with it (through
/// required `#[has_one]` relations), so a required `#[has_one]` from `parent` to
/// `child` would make both impossible to create.
fn needs_has_one(models: &[ModelSpec], child: usize, parent: usize) -> bool {
    let edges: Vec<(usize, usize)> = models
        .iter()
        .enumerate()
        .flat_map(|(mi, m)| {
            required_has_one(m)
                .into_iter()
                .map(move |r| (mi, m.relations[r].kind.target()))
        })
        .collect();
    reaches(&edges, child, parent)
}

/// Makes sure `m` has an index led by `key` (exactly `key` and unique when `unique`).
fn ensure_index(m: &mut ModelSpec, key: &[usize], unique: bool) {
    let mut wanted = key.to_vec();
    wanted.sort_unstable();
    let same = |fields: &[usize]| {
        let mut f = fields.to_vec();
        f.sort_unstable();
        f == wanted
    };
    let leads = |fields: &[usize]| {
        fields.len() >= wanted.len() && {
            let mut f = fields[..wanted.len()].to_vec();
            f.sort_unstable();
            f == wanted
        }
    };
    if unique {
        if same(&m.key_fields()) || m.indices.iter().any(|i| i.unique && same(&i.fields)) {
            return;
        }
        if let Some(i) = m.indices.iter_mut().find(|i| same(&i.fields)) {
            i.unique = true;
            return;
        }
    } else if leads(&m.key_fields()) || m.indices.iter().any(|i| leads(&i.fields)) {
        return;
    }
    m.indices.push(IndexSpec {
        fields: key.to_vec(),
        unique,
    });
}

/// Per field of model `mi`: the model whose `#[auto]` key the field holds as a foreign
/// key (see [`super::case::auto_refs`]).
fn auto_refs(models: &[ModelSpec], mi: usize) -> Vec<Option<usize>> {
    super::case::auto_refs(models)
        .into_iter()
        .nth(mi)
        .unwrap_or_default()
}

/// The foreign-key fields that relation `r` of model `mi` fills in the records created
/// through it: for a `#[belongs_to]`, fields of `mi`; otherwise fields of the target.
fn fk_of(models: &[ModelSpec], mi: usize, r: usize) -> Vec<usize> {
    match super::case::foreign_key(models, mi, r) {
        Some((_, _, fk)) => fk.into_iter().map(|(c, _)| c).collect(),
        None => Vec::new(),
    }
}

/// Which record a foreign key refers to.
#[derive(Debug, Clone, Copy)]
enum FkPick {
    /// The i-th seed record of the parent (it may not exist).
    Parent(usize),
    /// NULL in the nullable foreign-key fields.
    Null,
    /// A key no record has (yet).
    Stray(usize),
}

fn fk_pick() -> impl Strategy<Value = FkPick> {
    prop_oneof![
        8 => (0usize..6).prop_map(FkPick::Parent),
        1 => Just(FkPick::Null),
        1 => (0usize..24).prop_map(FkPick::Stray),
    ]
}

/// The literals of the foreign key `key` (fields of `models[mi]`) to the key of model
/// `pm`: the i-th seed parent's key is what [`distinct_seed_keys`] gave it.
fn fk_lits(models: &[ModelSpec], mi: usize, key: &[usize], pm: usize, pick: FkPick) -> Vec<Lit> {
    let m = &models[mi];
    let parent = &models[pm];
    let parent_refs = auto_refs(models, pm);
    let null_ok = key
        .iter()
        .any(|&f| m.fields.get(f).is_some_and(|x| x.nullable));
    key.iter()
        .zip(parent.key_fields())
        .map(|(&f, p)| {
            let nullable = m.fields.get(f).is_some_and(|x| x.nullable);
            let symbolic = if parent.is_auto(p) {
                Some(pm)
            } else {
                parent_refs.get(p).copied().flatten()
            };
            match (pick, symbolic) {
                (FkPick::Null, _) if null_ok && nullable => Lit::Null,
                (FkPick::Stray(i), Some(x)) => Lit::AutoOf {
                    model: x,
                    n: 40 + i,
                },
                (FkPick::Stray(i), None) => bulk_value(parent.fields[p].ty, 500 + i),
                (_, Some(x)) => Lit::AutoOf {
                    model: x,
                    n: i_of(pick),
                },
                (_, None) => nth_value(parent.fields[p].ty, i_of(pick)),
            }
        })
        .collect()
}

fn i_of(pick: FkPick) -> usize {
    match pick {
        FkPick::Parent(i) | FkPick::Stray(i) => i,
        FkPick::Null => 0,
    }
}

/// A row of model `mi` whose foreign keys refer to seed parents (mostly).
fn row_in(models: &[ModelSpec], mi: usize, config: GenConfig) -> BoxedStrategy<Vec<Option<Lit>>> {
    let m = models[mi].clone();
    let refs = auto_refs(models, mi);
    let base = row(&m, &refs, config);
    let belongs: Vec<(Vec<usize>, usize)> = m
        .relations
        .iter()
        .filter_map(|r| match &r.kind {
            RelKind::BelongsTo { key, target } => Some((key.clone(), *target)),
            _ => None,
        })
        .collect();
    if belongs.is_empty() {
        return base;
    }
    let all = models.to_vec();
    (base, prop::collection::vec(fk_pick(), belongs.len()))
        .prop_map(move |(mut row, picks)| {
            for ((key, target), pick) in belongs.iter().zip(picks) {
                let lits = fk_lits(&all, mi, key, *target, pick);
                for (&f, l) in key.iter().zip(lits) {
                    if let Some(slot) = row.get_mut(f) {
                        *slot = Some(l);
                    }
                }
            }
            row
        })
        .boxed()
}

/// A record of model `mi` for a nested create, with records nested in it (`depth`
/// levels more at most; a required `#[has_one]` always). `skip`: the foreign-key
/// fields the relation it is nested through fills (left out).
fn nested_row(
    models: &[ModelSpec],
    mi: usize,
    config: GenConfig,
    depth: u32,
    skip: Vec<usize>,
) -> BoxedStrategy<NestedRow> {
    let m = models[mi].clone();
    // Keys and unique values mostly from a wide pool, so nested records rarely collide.
    let mut distinct: Vec<usize> = m
        .key_fields()
        .into_iter()
        .filter(|&f| !m.is_auto(f))
        .collect();
    for ix in &m.indices {
        if ix.unique {
            for &f in &ix.fields {
                if !distinct.contains(&f) {
                    distinct.push(f);
                }
            }
        }
    }
    // Foreign keys keep referring to parents.
    let fks: Vec<usize> = m
        .relations
        .iter()
        .flat_map(|r| match &r.kind {
            RelKind::BelongsTo { key, .. } => key.clone(),
            _ => Vec::new(),
        })
        .collect();
    distinct.retain(|f| !fks.contains(f));
    let wide: Vec<BoxedStrategy<Option<Lit>>> = distinct
        .iter()
        .map(|&f| {
            let ty = m.fields[f].ty;
            prop::option::weighted(0.95, (0usize..400).prop_map(move |i| bulk_value(ty, i))).boxed()
        })
        .collect();
    let refs = auto_refs(models, mi);
    let mut parts: Vec<BoxedStrategy<Option<(usize, NestedRow)>>> = Vec::new();
    for (r, rel) in m.relations.iter().enumerate() {
        // Nothing is created through a `via` relation.
        if rel.kind.is_via() {
            continue;
        }
        let target = rel.kind.target();
        let fk = fk_of(models, mi, r);
        let required = matches!(
            rel.kind,
            RelKind::HasOne {
                optional: false,
                ..
            }
        );
        if depth == 0 && !required {
            continue;
        }
        // A parent given inline for a foreign key the record it is nested in fills
        // would set it twice.
        if let RelKind::BelongsTo { key, .. } = &rel.kind {
            if key.iter().any(|f| skip.contains(f)) {
                continue;
            }
        }
        let below = depth.saturating_sub(1);
        // Fewer records deeper down.
        let scale = if depth >= 2 { 1.0 } else { 0.4 };
        let p = match rel.kind {
            // A parent given inline: its key becomes this record's foreign key.
            RelKind::BelongsTo { .. } => 0.25 * scale,
            RelKind::HasMany { .. } => 0.6 * scale,
            RelKind::HasOne { optional: true, .. } => 0.5 * scale,
            // Left out now and then: the create must fail.
            RelKind::HasOne {
                optional: false, ..
            } => 0.98,
            RelKind::Via { .. } => 0.0,
        };
        let child_skip = if rel.kind.is_belongs_to() {
            Vec::new()
        } else {
            fk
        };
        let one = nested_row(models, target, config, below, child_skip);
        if matches!(rel.kind, RelKind::HasMany { .. }) {
            // Up to two children, as separate entries.
            for extra in 0..2 {
                let w = if extra == 0 { p } else { 0.35 * scale };
                parts.push(
                    prop::option::weighted(w, one.clone())
                        .prop_map(move |o| o.map(|n| (r, n)))
                        .boxed(),
                );
            }
        } else {
            parts.push(
                prop::option::weighted(p, one)
                    .prop_map(move |o| o.map(|n| (r, n)))
                    .boxed(),
            );
        }
    }
    (
        row_in(models, mi, config),
        wide,
        parts,
        prop::bool::weighted(if depth >= 2 { 0.03 } else { 0.0 }),
    )
        .prop_map(move |(mut values, wide, nested, keep_fk)| {
            for (&f, v) in distinct.iter().zip(wide) {
                let symbolic = refs.get(f).copied().flatten().is_some();
                if let (Some(v), Some(slot), false) = (v, values.get_mut(f), symbolic) {
                    *slot = Some(v);
                }
            }
            let nested: Vec<(usize, NestedRow)> = nested.into_iter().flatten().collect();
            // Foreign keys the relations fill are left out (now and then one is given
            // anyway: the create must fail).
            let mut filled = skip.clone();
            for (r, _) in &nested {
                if let Some(RelKind::BelongsTo { key, .. }) = m.relations.get(*r).map(|x| &x.kind) {
                    filled.extend(key.iter().copied());
                }
            }
            if !keep_fk {
                for f in filled {
                    if let Some(slot) = values.get_mut(f) {
                        *slot = None;
                    }
                }
            }
            NestedRow { values, nested }
        })
        .boxed()
}

/// Relation paths from model `mi`: 1 or 2 paths of 1 to 3 relations.
fn include_paths(models: &[ModelSpec], mi: usize) -> BoxedStrategy<Vec<Vec<usize>>> {
    let all = models.to_vec();
    let path = prop::collection::vec(any::<u8>(), 1..=3).prop_map(move |picks| {
        let mut m = mi;
        let mut path = Vec::new();
        for p in picks {
            let rels = &all[m].relations;
            if rels.is_empty() {
                break;
            }
            let r = p as usize % rels.len();
            path.push(r);
            m = rels[r].kind.target();
        }
        path
    });
    prop::collection::vec(path, 1..=2)
        .prop_map(|paths| paths.into_iter().filter(|p| !p.is_empty()).collect())
        .boxed()
}

/// A filter of model `mi`; for a child, now and then scoped to one parent (what
/// `parent.children()` selects: the foreign key equal to the parent's key) and a random
/// filter.
fn filter_in(models: &[ModelSpec], mi: usize, config: GenConfig) -> BoxedStrategy<Filter> {
    let m = models[mi].clone();
    let refs = auto_refs(models, mi);
    let base = filter(&m, &refs, config);
    let belongs: Vec<(Vec<usize>, usize)> = m
        .relations
        .iter()
        .filter_map(|r| match &r.kind {
            RelKind::BelongsTo { key, target } => Some((key.clone(), *target)),
            _ => None,
        })
        .collect();
    let related = if m.relations.is_empty() {
        None
    } else {
        // Filters through relations: alone, or with a filter of the model's own fields.
        let weight = if config.kv_friendly { 1 } else { 2 };
        let one = related_filter(models, mi, config, 2);
        Some((
            weight,
            prop_oneof![
                1 => one.clone(),
                1 => (one, base.clone()).prop_map(|(r, b)| Filter::And(vec![r, b])),
            ]
            .boxed(),
        ))
    };
    if belongs.is_empty() {
        return match related {
            Some((w, related)) => prop_oneof![3 => base, w => related].boxed(),
            None => base,
        };
    }
    let all = models.to_vec();
    let scoped = (
        prop::sample::select(belongs),
        (0usize..7).prop_map(FkPick::Parent),
        base.clone(),
    )
        .prop_map(move |((key, target), pick, rest)| {
            let lits = fk_lits(&all, mi, &key, target, pick);
            let mut parts: Vec<Filter> = key
                .iter()
                .zip(lits)
                .map(|(&f, l)| Filter::Cmp(f, BinaryOp::Eq, l))
                .collect();
            parts.push(rest);
            Filter::And(parts)
        });
    match related {
        Some((w, related)) => prop_oneof![3 => base, 2 => scoped.boxed(), w => related].boxed(),
        None => prop_oneof![3 => base, 2 => scoped].boxed(),
    }
}

/// A filter of model `mi` through one of its relations: `.any(..)` or `.all(..)` over
/// the relation's target (on a `#[belongs_to]` or `#[has_one]`, `.any` is what a
/// comparison through the path sends), the inner filter now and then itself through a
/// relation of the target (up to `depth` levels), and now and then negated.
fn related_filter(
    models: &[ModelSpec],
    mi: usize,
    config: GenConfig,
    depth: u32,
) -> BoxedStrategy<Filter> {
    let m = &models[mi];
    let inner_config = GenConfig {
        kv_friendly: false,
        ..config
    };
    let choices: Vec<BoxedStrategy<Filter>> = m
        .relations
        .iter()
        .enumerate()
        .map(|(r, rel)| {
            let t = rel.kind.target();
            let tm = &models[t];
            let own = filter(tm, &auto_refs(models, t), inner_config);
            let inner = if depth > 1 && !tm.relations.is_empty() {
                prop_oneof![
                    4 => own,
                    1 => related_filter(models, t, config, depth - 1),
                ]
                .boxed()
            } else {
                own
            };
            (inner, 0u8..10)
                .prop_map(move |(inner, pick)| match pick {
                    0..=5 => Filter::Any(r, Box::new(inner)),
                    6..=8 => Filter::All(r, Box::new(inner)),
                    _ => Filter::Not(Box::new(Filter::Any(r, Box::new(inner)))),
                })
                .boxed()
        })
        .collect();
    prop::strategy::Union::new(choices).boxed()
}

/// One step of a case: a single operation, a batch, or a whole transaction. A
/// transaction or a batch first tries to shrink to its bare operations (see [`wrap`]),
/// then shrinks inside.
fn chunk(models: Vec<ModelSpec>, config: GenConfig) -> BoxedStrategy<Vec<Op>> {
    let mut choices: Vec<(u32, BoxedStrategy<Vec<Op>>)> =
        vec![(16, op(models.clone(), config).prop_map(|o| vec![o]).boxed())];
    if config.batches {
        choices.push((3, batch(models.clone(), config)));
    }
    if config.transactions {
        choices.push((3, transaction(models, config)));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

/// `Begin`, a body (statements, batches, nested transactions; creates that collide with
/// seed records are weighted up so that failures abort the transaction), then `Commit`
/// or `Rollback`.
fn transaction(models: Vec<ModelSpec>, config: GenConfig) -> BoxedStrategy<Vec<Op>> {
    let body = prop::collection::vec(body_item(models, config, 2), 1..=5);
    let end = prop_oneof![3 => Just(Op::Commit), 2 => Just(Op::Rollback)];
    (wrap(), body, end)
        .prop_map(|(wrapped, items, end)| {
            let body = items.into_iter().flatten();
            if !wrapped {
                return body.collect();
            }
            let mut ops = vec![Op::Begin];
            ops.extend(body);
            ops.push(end);
            ops
        })
        .boxed()
}

/// Always `true` when generated, `false` once shrunk: whether a transaction or batch
/// keeps its wrapper. Shrinking tries the bare operations first, so a divergence that
/// does not need the transaction or the batch shrinks to plain operations.
fn wrap() -> impl Strategy<Value = bool> {
    prop::bool::weighted(1.0)
}

/// One item of a transaction's body; `levels` more nested transactions may open.
fn body_item(models: Vec<ModelSpec>, config: GenConfig, levels: u32) -> BoxedStrategy<Vec<Op>> {
    let mut choices: Vec<(u32, BoxedStrategy<Vec<Op>>)> = vec![
        (8, op(models.clone(), config).prop_map(|o| vec![o]).boxed()),
        (
            3,
            colliding_create(models.clone(), config)
                .prop_map(|o| vec![o])
                .boxed(),
        ),
    ];
    if config.batches {
        choices.push((2, batch(models.clone(), config)));
    }
    if levels > 0 {
        let body = prop::collection::vec(body_item(models, config, levels - 1), 1..=3);
        let end = prop_oneof![
            1 => Just(Op::ReleaseSavepoint),
            1 => Just(Op::RollbackToSavepoint),
        ];
        let nested = (wrap(), body, end).prop_map(|(wrapped, items, end)| {
            let body = items.into_iter().flatten();
            if !wrapped {
                return body.collect();
            }
            let mut ops = vec![Op::Savepoint];
            ops.extend(body);
            ops.push(end);
            ops
        });
        choices.push((3, nested.boxed()));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

/// A batch of 1 to 5 statements of any models: creates (sometimes bulk ones, large
/// enough that two of them pass the 100-item limit of a key-value transactional write),
/// updates, deletes, queries, counts and gets.
fn batch(models: Vec<ModelSpec>, config: GenConfig) -> BoxedStrategy<Vec<Op>> {
    let stmt = (0..models.len()).prop_flat_map(move |mi| {
        let refs = auto_refs(&models, mi);
        let m = models[mi].clone();
        let plain = op(models.clone(), config).prop_filter_map("not batchable", |o| {
            matches!(
                o,
                Op::Create { .. }
                    | Op::Get { .. }
                    | Op::Query { .. }
                    | Op::Count { .. }
                    | Op::Update { .. }
                    | Op::Delete { .. }
            )
            .then_some(o)
        });
        prop_oneof![
            10 => plain,
            3 => bulk_create(mi, &m, refs.clone()),
        ]
    });
    let kv = config.kv_friendly;
    (
        wrap(),
        prop::collection::vec(stmt, 1..=5),
        prop::bool::weighted(0.8),
    )
        .prop_map(move |(wrapped, ops, arrange)| {
            let ops = if kv && arrange { kv_order(ops) } else { ops };
            if wrapped {
                vec![Op::Batch(ops)]
            } else {
                ops
            }
        })
        .boxed()
}

/// An update with relative numeric changes (`field.add(v)`, `.subtract(v)`) of one or
/// two numeric fields, now and then with a plain assignment too: of one record by its
/// key (half of those returning the record, as `instance.update()` does), or of every
/// record a filter matches. Amounts are weighted towards 1 and towards each type's
/// extremes, so results leave the field's range (`ValueOutOfRange`, nothing written)
/// often, and an amount outside the type now and then.
fn arith_update(
    models: &[ModelSpec],
    mi: usize,
    numeric: Vec<usize>,
    assignment: BoxedStrategy<(usize, Lit)>,
    config: GenConfig,
) -> BoxedStrategy<Op> {
    let m = models[mi].clone();
    let refs = auto_refs(models, mi);
    let mc = m.clone();
    let change = prop::sample::select(numeric).prop_flat_map(move |f| {
        (any::<bool>(), arith_amount(mc.fields[f].ty))
            .prop_map(move |(sub, amount)| (f, super::case::ArithLit { sub, amount }))
    });
    let mk = m.clone();
    let by_key = (0usize..7).prop_map(move |i| {
        Filter::And(
            mk.key_fields()
                .into_iter()
                .map(|f| {
                    let v = if mk.is_auto(f) {
                        Lit::Auto(i)
                    } else {
                        nth_lit(&mk, &refs, f, i)
                    };
                    Filter::Cmp(f, BinaryOp::Eq, v)
                })
                .collect(),
        )
    });
    let filter = prop_oneof![
        1 => by_key.prop_map(|f| (f, true)),
        1 => filter_in(models, mi, config).prop_map(|f| (f, false)),
    ];
    (
        filter,
        prop::collection::vec(change, 1..=2),
        prop::collection::vec(assignment, 0..=1),
        any::<bool>(),
    )
        .prop_map(move |((filter, one), mut arith, mut set, returning)| {
            let mut seen = Vec::new();
            arith.retain(|(f, _)| {
                let new = !seen.contains(f);
                seen.push(*f);
                new
            });
            set.retain(|(f, _)| !seen.contains(f));
            Op::Update {
                model: mi,
                filter,
                set,
                arith,
                returning: one && returning,
            }
        })
        .boxed()
}

/// An amount for a relative change of a field of type `ty`.
fn arith_amount(ty: Type) -> BoxedStrategy<Lit> {
    if ty.is_float() {
        let max = if ty == Type::F32 {
            f32::MAX as f64
        } else {
            f64::MAX
        };
        return prop_oneof![
            40 => prop::sample::select(vec![1.0, -1.0, 0.5, 2.25, -1.5, 0.0, -0.0])
                .prop_map(Lit::Float),
            20 => prop::sample::select(vec![max, -max, max / 2.0, 1e10, -1e10])
                .prop_map(Lit::Float),
            2 => prop::sample::select(vec![0.1, f64::MAX, f64::NAN, f64::INFINITY])
                .prop_map(Lit::Float),
        ]
        .boxed();
    }
    let (lo, hi) = ty.int_range().unwrap_or((i64::MIN, i64::MAX));
    let mut edges = vec![hi, hi - 1, hi / 2 + 1];
    if lo < 0 {
        edges.extend([lo, lo + 1, lo / 2 - 1]);
    }
    let mut outside = vec![Lit::BigUint(u64::MAX)];
    if hi < i64::MAX {
        outside.push(Lit::Int(hi + 1));
    }
    if lo > i64::MIN {
        outside.push(Lit::Int(lo - 1));
    }
    prop_oneof![
        40 => prop::sample::select(vec![1i64, 2, 0, 3]).prop_map(Lit::Int),
        10 => (lo.max(-3)..=hi.min(3)).prop_map(Lit::Int),
        25 => prop::sample::select(edges).prop_map(Lit::Int),
        2 => prop::sample::select(outside),
    ]
    .boxed()
}

/// Orders a batch so that a key-value store can run it: a key-value batch cannot read
/// a table an earlier statement wrote, and an update or delete by filter reads its
/// table first. So reads come first, then one update or delete per model, then the
/// creates (left as generated, the order refuses most batches).
fn kv_order(ops: Vec<Op>) -> Vec<Op> {
    let mut reads = Vec::new();
    let mut changes: Vec<Op> = Vec::new();
    let mut creates = Vec::new();
    for op in ops {
        match op {
            Op::Create { .. } => creates.push(op),
            Op::Update { model, .. } | Op::Delete { model, .. } => {
                if !changes.iter().any(|c| c.model() == Some(model)) {
                    changes.push(op);
                }
            }
            other => reads.push(other),
        }
    }
    reads.extend(changes);
    reads.extend(creates);
    reads
}

/// A create of 5 to 80 valid rows with keys (and unique-index values) distinct from
/// each other and from the seed records, drawn from a base so that two bulk creates
/// sometimes overlap. The other values come from a seed, so the create shrinks in a few
/// steps (base, size, seed) instead of row by row.
fn bulk_create(mi: usize, m: &ModelSpec, refs: Vec<Option<usize>>) -> BoxedStrategy<Op> {
    let m = m.clone();
    let mut distinct: Vec<usize> = m
        .key_fields()
        .into_iter()
        .filter(|&f| !m.is_auto(f))
        .collect();
    for ix in &m.indices {
        if ix.unique {
            for &f in &ix.fields {
                if !distinct.contains(&f) {
                    distinct.push(f);
                }
            }
        }
    }
    (0usize..400, 5usize..=80, any::<u64>())
        .prop_map(move |(base, n, seed)| {
            let mut x = seed | 1;
            let rows = (0..n)
                .map(|j| {
                    (0..m.fields.len())
                        .map(|f| {
                            // xorshift: a cheap, deterministic pick per value.
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            let pick = (x % 10) as usize;
                            let parent = refs.get(f).copied().flatten();
                            if m.is_auto(f) {
                                None
                            } else if distinct.contains(&f) {
                                Some(match parent {
                                    Some(p) => Lit::AutoOf {
                                        model: p,
                                        n: 100 + base + j,
                                    },
                                    None => bulk_value(m.fields[f].ty, base + j),
                                })
                            } else if pick == 9 && m.fields[f].nullable {
                                Some(Lit::Null)
                            } else {
                                Some(nth_lit(&m, &refs, f, pick))
                            }
                        })
                        .collect()
                })
                .collect();
            Op::Create { model: mi, rows }
        })
        .boxed()
}

/// The `i`-th of a long list of distinct values of `ty`, disjoint from the seed values
/// where the type allows.
fn bulk_value(ty: Type, i: usize) -> Lit {
    match ty {
        Type::Bool => Lit::Bool(i % 2 == 1),
        Type::String => Lit::Str(format!("k{i}")),
        Type::Uuid => Lit::Uuid(1000 + i as u128),
        Type::Bytes => Lit::Bytes(vec![b'k', (i >> 8) as u8, i as u8]),
        Type::F32 | Type::F64 => Lit::Float(100.0 + i as f64),
        Type::Timestamp => Lit::Timestamp((100 + i as i64) * 1_000_001),
        t => {
            let (_, hi) = t.int_range().unwrap_or((0, i64::MAX));
            let span = (hi - 9).max(1) as u64;
            Lit::Int(10 + (i as u64 % span) as i64)
        }
    }
}

/// A create whose key (or unique value) is one of the first seed records': a unique
/// violation unless that record is gone.
fn colliding_create(models: Vec<ModelSpec>, config: GenConfig) -> BoxedStrategy<Op> {
    (0..models.len())
        .prop_flat_map(move |mi| {
            let m = models[mi].clone();
            let refs = auto_refs(&models, mi);
            let mut fields: Vec<usize> = m
                .key_fields()
                .into_iter()
                .filter(|&f| !m.is_auto(f))
                .collect();
            for ix in &m.indices {
                if ix.unique && ix.fields.len() == 1 {
                    fields.push(ix.fields[0]);
                }
            }
            (row_in(&models, mi, config), 0usize..2).prop_map(move |(mut row, seed)| {
                for &f in &fields {
                    if let Some(slot) = row.get_mut(f) {
                        *slot = Some(nth_lit(&m, &refs, f, seed));
                    }
                }
                Op::Create {
                    model: mi,
                    rows: vec![row],
                }
            })
        })
        .boxed()
}

const KEY_TYPES: [Type; 6] = [
    Type::I64,
    Type::String,
    Type::I32,
    Type::U64,
    Type::Uuid,
    Type::Bytes,
];

fn model(config: GenConfig) -> impl Strategy<Value = ModelSpec> {
    let key = if config.auto_increment {
        prop_oneof![
            2 => Just(KeySpec::AutoInt),
            1 => Just(KeySpec::AutoUuid),
            3 => Just(KeySpec::Single),
            2 => Just(KeySpec::Composite),
        ]
        .boxed()
    } else {
        prop_oneof![
            1 => Just(KeySpec::AutoUuid),
            3 => Just(KeySpec::Single),
            2 => Just(KeySpec::Composite),
        ]
        .boxed()
    };
    let key_ty = prop::sample::select(KEY_TYPES.to_vec());
    let auto_int_ty = prop::sample::select(vec![Type::I64, Type::U64, Type::I32]);
    // The third value picks `#[column(type = varchar(N))]` for some string fields, with
    // an N small enough that generated strings fall on both sides of it.
    let field = (
        prop::sample::select(Type::ALL.to_vec()),
        any::<bool>(),
        0u8..12,
    );
    (
        key,
        key_ty.clone(),
        key_ty,
        auto_int_ty,
        prop::collection::vec(field, 1..=5),
        prop::collection::vec((any::<u8>(), 0u8..100), 0..=3),
    )
        .prop_map(|(key, k0, k1, auto_ty, extra, index_picks)| {
            let mut fields = Vec::new();
            match key {
                KeySpec::AutoInt => fields.push(spec(auto_ty, false)),
                KeySpec::AutoUuid => fields.push(spec(Type::Uuid, false)),
                KeySpec::Single => fields.push(spec(k0, false)),
                KeySpec::Composite => {
                    fields.push(spec(k0, false));
                    fields.push(spec(k1, false));
                }
            }
            let first_extra = fields.len();
            for (ty, nullable, pick) in extra {
                let mut field = spec(ty, nullable);
                if ty == Type::String {
                    field.max_len = [1, 2, 4].get(usize::from(pick)).copied();
                }
                fields.push(field);
            }
            let mut indices: Vec<IndexSpec> = Vec::new();
            for (pick, kind) in index_picks {
                let span = fields.len() - first_extra;
                let f = first_extra + (pick as usize % span.max(1));
                let unique = kind < 35 && !fields[f].ty.is_float();
                let mut cols = vec![f];
                if (70..85).contains(&kind) && span > 1 {
                    let g = first_extra + ((pick as usize + 1) % span);
                    if g != f {
                        cols.push(g);
                    }
                }
                if !indices.iter().any(|i| i.fields == cols) {
                    indices.push(IndexSpec {
                        fields: cols,
                        unique,
                    });
                }
            }
            ModelSpec {
                fields,
                key,
                indices,
                relations: Vec::new(),
            }
        })
}

fn spec(ty: Type, nullable: bool) -> super::case::FieldSpec {
    super::case::FieldSpec {
        ty,
        nullable,
        max_len: None,
    }
}

/// A value of type `ty`, edge cases first.
pub fn value(ty: Type, config: GenConfig) -> BoxedStrategy<Lit> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Lit::Bool).boxed(),
        Type::F32 | Type::F64 => {
            let max = if ty == Type::F32 {
                f32::MAX as f64
            } else {
                f64::MAX
            };
            prop_oneof![
                60 => prop::sample::select(vec![0.0, -0.0, 1.0, -1.0, 1.5, -2.25, 0.5, 1e10, max, -max])
                    .prop_map(Lit::Float),
                30 => (-4i32..4).prop_map(|i| Lit::Float(i as f64 / 2.0)),
                2 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.1])
                    .prop_map(Lit::Float),
            ]
            .boxed()
        }
        Type::String => string(config).prop_map(Lit::Str).boxed(),
        Type::Bytes => prop_oneof![
            3 => prop::sample::select(vec![vec![], vec![0u8], vec![0, 0], vec![255], vec![1, 2]]),
            1 => prop::collection::vec(prop::sample::select(vec![0u8, 1, 127, 255]), 0..4),
        ]
        .prop_map(Lit::Bytes)
        .boxed(),
        Type::Uuid => prop_oneof![
            3 => (0u128..4).prop_map(Lit::Uuid),
            1 => Just(Lit::Uuid(u128::MAX)),
            1 => any::<u128>().prop_map(Lit::Uuid),
        ]
        .boxed(),
        Type::Timestamp => prop_oneof![
            40 => prop::sample::select(vec![0i64, -1, 1, 1_000_000, -86_400_000_000, TIMESTAMP_MIN_MICROS, TIMESTAMP_MAX_MICROS])
                .prop_map(Lit::Timestamp),
            30 => (-3i64..3).prop_map(|s| Lit::Timestamp(s * 1_000_001)),
            1 => prop::sample::select(vec![TIMESTAMP_MIN_MICROS - 1, TIMESTAMP_MAX_MICROS + 1])
                .prop_map(Lit::Timestamp),
            // `toasty::now()`, in filters, assignments and created rows alike.
            15 => Just(Lit::Now),
        ]
        .boxed(),
        int => {
            let (lo, hi) = int.int_range().unwrap_or((i64::MIN, i64::MAX));
            let mut edges = vec![lo, hi, 0, 1];
            if lo < 0 {
                edges.push(-1);
            }
            let small_lo = lo.max(-3);
            let small_hi = hi.min(3);
            let mut out_of_range = vec![Lit::BigUint(u64::MAX)];
            if hi < i64::MAX {
                out_of_range.push(Lit::Int(hi + 1));
            }
            if lo > i64::MIN {
                out_of_range.push(Lit::Int(lo - 1));
            }
            prop_oneof![
                60 => prop::sample::select(edges).prop_map(Lit::Int),
                120 => (small_lo..=small_hi).prop_map(Lit::Int),
                10 => (lo..=hi).prop_map(Lit::Int),
                1 => prop::sample::select(out_of_range),
            ]
            .boxed()
        }
    }
}

fn string(config: GenConfig) -> BoxedStrategy<String> {
    let mut edges: Vec<&'static str> = vec![
        "", " ", "a", "A", "a ", " a", "ab", "aB", "Ab", "b", "%", "_", "a%", "_b", "a_b", "\\",
        "'", "é", "e\u{301}", "日本", "🎉", "ß", "SS", "zz", "~",
        // Characters outside the Basic Multilingual Plane right after common prefixes
        // (MariaDB's index range scan for `LIKE 'A%'` missed "A🎉").
        "A🎉", "a🎉", "ab𝄞", "A🎉b",
    ];
    if config.nul_in_strings {
        edges.push("a\0b");
    }
    prop_oneof![
        6 => prop::sample::select(edges).prop_map(str::to_string),
        2 => "[aAb %_\\\\é🎉]{0,3}",
    ]
    .boxed()
}

/// Gives seed rows distinct keys and distinct values in unique single-field indexes, so
/// the seed batch is not rejected as a whole; a unique foreign key (of a `#[has_one]`)
/// gets the i-th parent in row i.
fn distinct_seed_keys(
    models: &[ModelSpec],
    mi: usize,
    refs: &[Option<usize>],
    rows: &mut [Vec<Option<Lit>>],
) {
    let m = &models[mi];
    let mut fields: Vec<usize> = m
        .key_fields()
        .into_iter()
        .filter(|&f| !m.is_auto(f))
        .collect();
    for ix in &m.indices {
        if ix.unique && ix.fields.len() == 1 {
            fields.push(ix.fields[0]);
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        for &f in &fields {
            if let Some(slot) = row.get_mut(f) {
                *slot = Some(nth_lit(m, refs, f, i));
            }
        }
        for rel in &m.relations {
            let RelKind::BelongsTo { key, target } = &rel.kind else {
                continue;
            };
            let mut set = key.clone();
            set.sort_unstable();
            let unique = m.indices.iter().any(|ix| {
                let mut f = ix.fields.clone();
                f.sort_unstable();
                ix.unique && f == set
            });
            if !unique {
                continue;
            }
            let lits = fk_lits(models, mi, key, *target, FkPick::Parent(i));
            for (&f, l) in key.iter().zip(lits) {
                if let Some(slot) = row.get_mut(f) {
                    *slot = Some(l);
                }
            }
        }
    }
}

/// The primary key of the `i`-th seed record of model `mi` (as gets and filters name it:
/// symbolic for an `#[auto]` key).
fn seed_key(models: &[ModelSpec], mi: usize, i: usize) -> Vec<Lit> {
    let m = &models[mi];
    let refs = auto_refs(models, mi);
    m.key_fields()
        .into_iter()
        .map(|f| {
            if m.is_auto(f) {
                Lit::Auto(i)
            } else {
                nth_lit(m, &refs, f, i)
            }
        })
        .collect()
}

/// The `i`-th distinct value of field `f` of `m` (symbolic for a foreign key to an
/// `#[auto]` key).
pub fn nth_lit(m: &ModelSpec, refs: &[Option<usize>], f: usize, i: usize) -> Lit {
    match refs.get(f).copied().flatten() {
        Some(p) => Lit::AutoOf { model: p, n: i },
        None => nth_value(m.fields.get(f).map_or(Type::I64, |x| x.ty), i),
    }
}

/// The `i`-th of a list of distinct values of `ty` (from the same pools as
/// [`key_value`], so later gets and filters find them).
fn nth_value(ty: Type, i: usize) -> Lit {
    const STRINGS: [&str; 8] = ["a", "b", "A", "é", "", "a ", "ab", "🎉"];
    match ty {
        Type::Bool => Lit::Bool(i % 2 == 1),
        Type::String => Lit::Str(STRINGS[i % STRINGS.len()].to_string()),
        Type::Uuid => Lit::Uuid(i as u128),
        Type::Bytes => Lit::Bytes(vec![i as u8]),
        Type::F32 | Type::F64 => Lit::Float(i as f64),
        Type::Timestamp => Lit::Timestamp(i as i64 * 1_000_001),
        _ => Lit::Int(i as i64),
    }
}

/// A key value from a tiny pool, so that gets find records and inserts collide.
fn key_value(ty: Type, config: GenConfig) -> BoxedStrategy<Lit> {
    let pool = match ty {
        Type::String => prop::sample::select(vec!["a", "b", "A", "é", "", "a "])
            .prop_map(|s| Lit::Str(s.to_string()))
            .boxed(),
        Type::Uuid => (0u128..4).prop_map(Lit::Uuid).boxed(),
        Type::Bytes => prop::sample::select(vec![vec![], vec![0u8], vec![1], vec![0, 0]])
            .prop_map(Lit::Bytes)
            .boxed(),
        t if t.is_integer() => {
            let lo = t.int_range().map_or(0, |(lo, _)| lo.max(-2));
            (lo..5).prop_map(Lit::Int).boxed()
        }
        other => value(other, config),
    };
    prop_oneof![
        10 => pool,
        1 => value(ty, config),
    ]
    .boxed()
}

/// A literal for field `f` of `m`: auto keys by creation index (foreign keys to them
/// too), NULL now and then.
fn field_value(
    m: &ModelSpec,
    refs: &[Option<usize>],
    f: usize,
    config: GenConfig,
) -> BoxedStrategy<Lit> {
    if m.is_auto(f) {
        return (0usize..6).prop_map(Lit::Auto).boxed();
    }
    if let Some(p) = refs.get(f).copied().flatten() {
        let auto = (0usize..7).prop_map(move |n| Lit::AutoOf { model: p, n });
        return if m.fields[f].nullable {
            prop_oneof![8 => auto, 1 => Just(Lit::Null)].boxed()
        } else {
            auto.boxed()
        };
    }
    if m.key_fields().contains(&f) {
        return key_value(m.fields[f].ty, config);
    }
    let ty = m.fields[f].ty;
    prop_oneof![
        20 => value(ty, config),
        1 => Just(Lit::Null),
    ]
    .boxed()
}

fn leaf(m: &ModelSpec, refs: &[Option<usize>], config: GenConfig) -> BoxedStrategy<Filter> {
    let n = m.fields.len();
    let mc = m.clone();
    let rc = refs.to_vec();
    let cmp = (0..n, prop::sample::select(BinaryOp::ALL.to_vec())).prop_flat_map(move |(f, op)| {
        field_value(&mc, &rc, f, config).prop_map(move |v| Filter::Cmp(f, op, v))
    });
    let mc = m.clone();
    let rc = refs.to_vec();
    let in_list = (0..n).prop_flat_map(move |f| {
        prop::collection::vec(field_value(&mc, &rc, f, config), 0..4)
            .prop_map(move |list| Filter::InList(f, list))
    });
    let is_null = (0..n).prop_map(Filter::IsNull);
    let strings: Vec<usize> = (0..n).filter(|&f| m.fields[f].ty == Type::String).collect();
    let mut choices: Vec<(u32, BoxedStrategy<Filter>)> = vec![
        (6, cmp.boxed()),
        (2, in_list.boxed()),
        (1, is_null.boxed()),
        (1, Just(Filter::True).boxed()),
    ];
    if !strings.is_empty() {
        // `like` / `ilike` patterns built from wildcards, escapes and letters of both
        // cases (ASCII and not), so case folding and escaping are both exercised.
        let like = (
            prop::sample::select(strings.clone()),
            prop::sample::select(vec![PatternOp::Like, PatternOp::ILike]),
            prop::collection::vec(
                prop::sample::select(vec![
                    "%", "_", "a", "A", "b", " ", "é", "É", "🎉", "\\%", "\\_", "\\\\",
                ]),
                0..5,
            )
            .prop_map(|parts| parts.concat()),
        )
            .prop_map(|(f, op, p)| Filter::Pattern(f, op, p));
        choices.push((2, like.boxed()));
        let pattern = (
            prop::sample::select(strings),
            prop::sample::select(vec![
                PatternOp::StartsWith,
                PatternOp::EndsWith,
                PatternOp::Contains,
            ]),
            prop_oneof![
                3 => prop::sample::select(vec!["", "a", "A", "%", "_", "a%", "b", " ", "é", "🎉", "\\"])
                    .prop_map(str::to_string),
                1 => string(config),
            ],
        )
            .prop_map(|(f, op, p)| Filter::Pattern(f, op, p));
        choices.push((3, pattern.boxed()));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

fn filter(m: &ModelSpec, refs: &[Option<usize>], config: GenConfig) -> BoxedStrategy<Filter> {
    let tree = leaf(m, refs, config).prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            2 => prop::collection::vec(inner.clone(), 1..=3).prop_map(Filter::And),
            2 => prop::collection::vec(inner.clone(), 1..=3).prop_map(Filter::Or),
            1 => inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    });
    if !config.kv_friendly {
        return tree.boxed();
    }
    let access = access(m, refs, config);
    prop_oneof![
        8 => (access, tree).prop_map(|(a, t)| Filter::And(vec![a, t])),
        1 => leaf(m, refs, config),
    ]
    .boxed()
}

/// An equality on the partition key or an index's first field (what key-value stores
/// can serve).
fn access(m: &ModelSpec, refs: &[Option<usize>], config: GenConfig) -> BoxedStrategy<Filter> {
    let mut firsts = vec![0usize];
    for ix in &m.indices {
        if let Some(&f) = ix.fields.first() {
            firsts.push(f);
        }
    }
    let mc = m.clone();
    let rc = refs.to_vec();
    prop::sample::select(firsts)
        .prop_flat_map(move |f| {
            let v = if mc.is_auto(f) {
                (0usize..6).prop_map(Lit::Auto).boxed()
            } else if let Some(p) = rc.get(f).copied().flatten() {
                (0usize..7)
                    .prop_map(move |n| Lit::AutoOf { model: p, n })
                    .boxed()
            } else {
                key_value(mc.fields[f].ty, config)
            };
            prop_oneof![
                4 => v.clone().prop_map(move |v| Filter::Cmp(f, BinaryOp::Eq, v)),
                1 => prop::collection::vec(v, 0..3).prop_map(move |l| Filter::InList(f, l)),
            ]
        })
        .boxed()
}

/// A `.select(..)` projection for a query of `m` (a third of queries): one to three
/// field positions, any of them, repeats allowed.
fn projection(m: &ModelSpec) -> BoxedStrategy<Option<Vec<usize>>> {
    let n = m.fields.len();
    prop::option::weighted(0.35, prop::collection::vec(0..n, 1..=3)).boxed()
}

fn order(m: &ModelSpec, deterministic: bool) -> BoxedStrategy<Vec<Order>> {
    let n = m.fields.len();
    let key = m.key_fields();
    prop::collection::vec((0..n, any::<bool>()), 0..=2)
        .prop_map(move |keys| {
            let mut order: Vec<Order> = Vec::new();
            for (field, desc) in keys {
                if !order.iter().any(|o| o.field == field) {
                    order.push(Order { field, desc });
                }
            }
            if deterministic {
                for &k in &key {
                    if !order.iter().any(|o| o.field == k) {
                        order.push(Order {
                            field: k,
                            desc: false,
                        });
                    }
                }
            }
            order
        })
        .boxed()
}

fn row(
    m: &ModelSpec,
    refs: &[Option<usize>],
    config: GenConfig,
) -> BoxedStrategy<Vec<Option<Lit>>> {
    let key = m.key_fields();
    let parts: Vec<BoxedStrategy<Option<Lit>>> = (0..m.fields.len())
        .map(|f| {
            if m.is_auto(f) {
                Just(None).boxed()
            } else if refs.get(f).copied().flatten().is_some() {
                field_value(m, refs, f, config).prop_map(Some).boxed()
            } else if key.contains(&f) {
                key_value(m.fields[f].ty, config).prop_map(Some).boxed()
            } else if m.fields[f].nullable {
                prop_oneof![
                    3 => value(m.fields[f].ty, config).prop_map(Some),
                    1 => Just(None),
                    1 => Just(Some(Lit::Null)),
                ]
                .boxed()
            } else {
                prop_oneof![
                    150 => value(m.fields[f].ty, config).prop_map(Some),
                    1 => Just(None),
                ]
                .boxed()
            }
        })
        .collect();
    parts.boxed()
}

fn op(models: Vec<ModelSpec>, config: GenConfig) -> impl Strategy<Value = Op> {
    (0..models.len()).prop_flat_map(move |mi| {
        let m = models[mi].clone();
        let refs = auto_refs(&models, mi);
        let key_fields = m.key_fields();
        let non_key: Vec<usize> = (0..m.fields.len())
            .filter(|f| !key_fields.contains(f))
            .collect();
        let fks: Vec<usize> = m
            .relations
            .iter()
            .flat_map(|r| match &r.kind {
                RelKind::BelongsTo { key, .. } => key.clone(),
                _ => Vec::new(),
            })
            .collect();
        let create = prop::collection::vec(row_in(&models, mi, config), 1..=4)
            .prop_map(move |rows| Op::Create { model: mi, rows });
        let mk = m.clone();
        let get = (
            key_fields
                .iter()
                .map(|&f| field_value(&mk, &refs, f, config))
                .collect::<Vec<_>>(),
            prop::option::of(1u64..=2),
        )
            .prop_map(move |(key, limit)| Op::Get {
                model: mi,
                key,
                limit,
            });
        let query = (
            filter_in(&models, mi, config),
            order(&m, false),
            order(&m, true),
            prop::option::of(0u64..5),
            prop::option::weighted(0.3, 0u64..3),
            projection(&m),
        )
            .prop_map(
                move |(filter, loose, strict, limit, offset, select)| Op::Query {
                    model: mi,
                    filter,
                    order: if limit.is_some() || offset.is_some() {
                        strict
                    } else {
                        loose
                    },
                    limit,
                    offset,
                    select,
                },
            );
        let count =
            filter_in(&models, mi, config).prop_map(move |filter| Op::Count { model: mi, filter });
        let paginate = (
            filter_in(&models, mi, config),
            order(&m, false),
            1usize..4,
            prop::collection::vec(prop::bool::weighted(0.7), 0..4),
        )
            .prop_map(move |(filter, order, per_page, moves)| Op::Paginate {
                model: mi,
                filter,
                order,
                per_page,
                moves,
            });
        let delete =
            filter_in(&models, mi, config).prop_map(move |filter| Op::Delete { model: mi, filter });
        let related = !m.relations.is_empty();
        // A model that must be created with its `#[has_one]` is mostly created nested.
        let plain_create = if required_has_one(&m).is_empty() {
            5
        } else {
            1
        };
        let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
            (plain_create, create.boxed()),
            (2, get.boxed()),
            (4, query.boxed()),
            (1, count.boxed()),
            (1, paginate.boxed()),
            (if m.has_children() { 2 } else { 1 }, delete.boxed()),
        ];
        if config.hostile {
            choices.push((5, super::hostile::op(&models, mi, config)));
        }
        // Pointing a `#[has_one]` elsewhere: a new record (when its key is given, not
        // generated, so key-value snapshots can fetch it), an existing one (by a key
        // that may not exist), or none.
        for (r, rel) in m.relations.iter().enumerate() {
            let RelKind::HasOne {
                target, optional, ..
            } = rel.kind
            else {
                continue;
            };
            let tm = models[target].clone();
            let trefs = auto_refs(&models, target);
            let mut to: Vec<(u32, BoxedStrategy<HasOneTo>)> = vec![(
                3,
                tm.key_fields()
                    .iter()
                    .map(|&f| field_value(&tm, &trefs, f, config))
                    .collect::<Vec<_>>()
                    .prop_map(HasOneTo::Link)
                    .boxed(),
            )];
            if !tm.is_auto(0) && required_has_one(&tm).is_empty() {
                to.push((
                    3,
                    nested_row(&models, target, config, 0, fk_of(&models, mi, r))
                        .prop_map(HasOneTo::Create)
                        .boxed(),
                ));
            }
            if optional {
                to.push((2, Just(HasOneTo::Unset).boxed()));
            }
            let mk = m.clone();
            let key = key_fields
                .iter()
                .map(|&f| field_value(&mk, &refs, f, config))
                .collect::<Vec<_>>();
            let update =
                (key, prop::strategy::Union::new_weighted(to)).prop_map(move |(key, to)| {
                    Op::UpdateHasOne {
                        model: mi,
                        key,
                        set: Vec::new(),
                        relation: r,
                        to,
                    }
                });
            choices.push((3, update.boxed()));
        }
        if related {
            let nested =
                prop::collection::vec(nested_row(&models, mi, config, 2, Vec::new()), 1..=3)
                    .prop_map(move |rows| Op::CreateNested { model: mi, rows });
            choices.push((5, nested.boxed()));
            // Every record now and then (not on key-value stores, which cannot scan), or
            // seed records by key.
            let all = if config.kv_friendly { 0 } else { 2 };
            let ms = m.clone();
            let rs = refs.clone();
            let seeds = prop::collection::vec(0usize..6, 1..=4).prop_map(move |picks| {
                let list = picks
                    .into_iter()
                    .map(|i| {
                        if ms.is_auto(0) {
                            Lit::Auto(i)
                        } else {
                            nth_lit(&ms, &rs, 0, i)
                        }
                    })
                    .collect();
                Filter::InList(0, list)
            });
            let including = (
                prop_oneof![
                    all => Just(Filter::True),
                    2 => seeds,
                    3 => filter_in(&models, mi, config),
                ],
                order(&m, false),
                order(&m, true),
                prop::option::weighted(0.3, 0u64..5),
                include_paths(&models, mi),
            )
                .prop_map(move |(filter, loose, strict, limit, include)| {
                    Op::QueryIncluding {
                        model: mi,
                        filter,
                        order: if limit.is_some() { strict } else { loose },
                        limit,
                        include,
                    }
                });
            choices.push((5, including.boxed()));
        }
        if m.has_children() {
            // A delete of one or two parents (seed records, which have children).
            let mp = m.clone();
            let rp = refs.clone();
            let parent_delete = prop::collection::vec(0usize..6, 1..=2).prop_map(move |picks| {
                let one = |i: usize| {
                    Filter::And(
                        mp.key_fields()
                            .into_iter()
                            .map(|f| {
                                let v = if mp.is_auto(f) {
                                    Lit::Auto(i)
                                } else {
                                    nth_lit(&mp, &rp, f, i)
                                };
                                Filter::Cmp(f, BinaryOp::Eq, v)
                            })
                            .collect(),
                    )
                };
                Op::Delete {
                    model: mi,
                    filter: Filter::Or(picks.into_iter().map(one).collect()),
                }
            });
            choices.push((3, parent_delete.boxed()));
            // Linking seed records to a seed parent, or unlinking them (some keys name
            // no record; the parent may not exist either).
            let has: Vec<usize> = (0..m.relations.len())
                .filter(|&r| m.relations[r].kind.is_has())
                .collect();
            let all = models.clone();
            let link = (
                prop::sample::select(has),
                0usize..7,
                prop::collection::vec(0usize..8, 1..=3),
                any::<bool>(),
            )
                .prop_map(move |(rel, parent, picks, insert)| {
                    let target = all[mi].relations[rel].kind.target();
                    Op::Link {
                        model: mi,
                        rel,
                        parent: seed_key(&all, mi, parent),
                        children: picks
                            .into_iter()
                            .map(|j| seed_key(&all, target, j))
                            .collect(),
                        insert,
                    }
                });
            choices.push((5, link.boxed()));
        }
        if !non_key.is_empty() {
            let mu = m.clone();
            let ru = refs.clone();
            let numeric: Vec<usize> = non_key
                .iter()
                .copied()
                .filter(|&f| {
                    let spec = &m.fields[f];
                    (spec.ty.is_integer() || spec.ty.is_float())
                        && !spec.nullable
                        && !fks.contains(&f)
                        && refs.get(f).copied().flatten().is_none()
                })
                .collect();
            let assignment = prop::sample::select(non_key).prop_flat_map(move |f| {
                let v = if ru.get(f).copied().flatten().is_some() {
                    field_value(&mu, &ru, f, config)
                } else if fks.contains(&f) {
                    // Move a child to another parent (or none).
                    let pool = key_value(mu.fields[f].ty, config);
                    if mu.fields[f].nullable {
                        prop_oneof![4 => pool, 1 => Just(Lit::Null)].boxed()
                    } else {
                        pool
                    }
                } else if mu.fields[f].nullable {
                    field_value(&mu, &ru, f, config)
                } else {
                    value(mu.fields[f].ty, config)
                };
                v.prop_map(move |v| (f, v))
            });
            let assignment = assignment.boxed();
            let update = (
                filter_in(&models, mi, config),
                prop::collection::vec(assignment.clone(), 1..=2),
            )
                .prop_map(move |(filter, mut set)| {
                    // One assignment per field (a repeated field is rejected, which the
                    // regression suite covers).
                    let mut seen = Vec::new();
                    set.retain(|(f, _)| {
                        let new = !seen.contains(f);
                        seen.push(*f);
                        new
                    });
                    Op::Update {
                        model: mi,
                        filter,
                        set,
                        arith: vec![],
                        returning: false,
                    }
                });
            choices.push((2, update.boxed()));
            if !numeric.is_empty() {
                choices.push((3, arith_update(&models, mi, numeric, assignment, config)));
            }
        }
        prop::strategy::Union::new_weighted(choices)
    })
}
