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

use super::case::{Case, Filter, IndexSpec, KeySpec, Lit, ModelSpec, Op, Order};
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
        }
    }
}

/// Cases for `config`.
pub fn case(config: GenConfig) -> impl Strategy<Value = Case> {
    let max_models = config.max_models.clamp(1, 4);
    prop::collection::vec(model(config), 1..=max_models).prop_flat_map(move |models| {
        // Seed data first (so reads find records), then a random mix.
        let seeds: Vec<BoxedStrategy<Op>> = (0..models.len())
            .map(|mi| {
                let m = models[mi].clone();
                prop::collection::vec(row(&m, config), 2..=6)
                    .prop_map(move |mut rows| {
                        distinct_seed_keys(&m, &mut rows);
                        Op::Create { model: mi, rows }
                    })
                    .boxed()
            })
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
            3 => bulk_create(mi, &m),
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
fn bulk_create(mi: usize, m: &ModelSpec) -> BoxedStrategy<Op> {
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
                            if m.is_auto(f) {
                                None
                            } else if distinct.contains(&f) {
                                Some(bulk_value(m.fields[f].ty, base + j))
                            } else if pick == 9 && m.fields[f].nullable {
                                Some(Lit::Null)
                            } else {
                                Some(nth_value(m.fields[f].ty, pick))
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
            (row(&m, config), 0usize..2).prop_map(move |(mut row, seed)| {
                for &f in &fields {
                    if let (Some(slot), Some(spec)) = (row.get_mut(f), m.fields.get(f)) {
                        *slot = Some(nth_value(spec.ty, seed));
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
    let field = (prop::sample::select(Type::ALL.to_vec()), any::<bool>());
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
            for (ty, nullable) in extra {
                fields.push(spec(ty, nullable));
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
            }
        })
}

fn spec(ty: Type, nullable: bool) -> super::case::FieldSpec {
    super::case::FieldSpec { ty, nullable }
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
/// the seed batch is not rejected as a whole.
fn distinct_seed_keys(m: &ModelSpec, rows: &mut [Vec<Option<Lit>>]) {
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
            if let (Some(slot), Some(spec)) = (row.get_mut(f), m.fields.get(f)) {
                *slot = Some(nth_value(spec.ty, i));
            }
        }
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

/// A literal for field `f` of `m`: auto keys by creation index, NULL now and then.
fn field_value(m: &ModelSpec, f: usize, config: GenConfig) -> BoxedStrategy<Lit> {
    if m.is_auto(f) {
        return (0usize..6).prop_map(Lit::Auto).boxed();
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

fn leaf(m: &ModelSpec, config: GenConfig) -> BoxedStrategy<Filter> {
    let n = m.fields.len();
    let mc = m.clone();
    let cmp = (0..n, prop::sample::select(BinaryOp::ALL.to_vec())).prop_flat_map(move |(f, op)| {
        field_value(&mc, f, config).prop_map(move |v| Filter::Cmp(f, op, v))
    });
    let mc = m.clone();
    let in_list = (0..n).prop_flat_map(move |f| {
        prop::collection::vec(field_value(&mc, f, config), 0..4)
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

fn filter(m: &ModelSpec, config: GenConfig) -> BoxedStrategy<Filter> {
    let tree = leaf(m, config).prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            2 => prop::collection::vec(inner.clone(), 1..=3).prop_map(Filter::And),
            2 => prop::collection::vec(inner.clone(), 1..=3).prop_map(Filter::Or),
            1 => inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    });
    if !config.kv_friendly {
        return tree.boxed();
    }
    let access = access(m, config);
    prop_oneof![
        8 => (access, tree).prop_map(|(a, t)| Filter::And(vec![a, t])),
        1 => leaf(m, config),
    ]
    .boxed()
}

/// An equality on the partition key or an index's first field (what key-value stores
/// can serve).
fn access(m: &ModelSpec, config: GenConfig) -> BoxedStrategy<Filter> {
    let mut firsts = vec![0usize];
    for ix in &m.indices {
        if let Some(&f) = ix.fields.first() {
            firsts.push(f);
        }
    }
    let mc = m.clone();
    prop::sample::select(firsts)
        .prop_flat_map(move |f| {
            let v = if mc.is_auto(f) {
                (0usize..6).prop_map(Lit::Auto).boxed()
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

fn row(m: &ModelSpec, config: GenConfig) -> BoxedStrategy<Vec<Option<Lit>>> {
    let key = m.key_fields();
    let parts: Vec<BoxedStrategy<Option<Lit>>> = (0..m.fields.len())
        .map(|f| {
            if m.is_auto(f) {
                Just(None).boxed()
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
        let key_fields = m.key_fields();
        let non_key: Vec<usize> = (0..m.fields.len())
            .filter(|f| !key_fields.contains(f))
            .collect();
        let create = prop::collection::vec(row(&m, config), 1..=4)
            .prop_map(move |rows| Op::Create { model: mi, rows });
        let mk = m.clone();
        let get = (
            key_fields
                .iter()
                .map(|&f| field_value(&mk, f, config))
                .collect::<Vec<_>>(),
            prop::option::of(1u64..=2),
        )
            .prop_map(move |(key, limit)| Op::Get {
                model: mi,
                key,
                limit,
            });
        let query = (
            filter(&m, config),
            order(&m, false),
            order(&m, true),
            prop::option::of(0u64..5),
            prop::option::weighted(0.3, 0u64..3),
        )
            .prop_map(move |(filter, loose, strict, limit, offset)| Op::Query {
                model: mi,
                filter,
                order: if limit.is_some() || offset.is_some() {
                    strict
                } else {
                    loose
                },
                limit,
                offset,
            });
        let count = filter(&m, config).prop_map(move |filter| Op::Count { model: mi, filter });
        let paginate = (
            filter(&m, config),
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
        let delete = filter(&m, config).prop_map(move |filter| Op::Delete { model: mi, filter });
        let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
            (5, create.boxed()),
            (2, get.boxed()),
            (4, query.boxed()),
            (1, count.boxed()),
            (1, paginate.boxed()),
            (1, delete.boxed()),
        ];
        if !non_key.is_empty() {
            let mu = m.clone();
            let assignment = prop::sample::select(non_key).prop_flat_map(move |f| {
                let v = if mu.fields[f].nullable {
                    field_value(&mu, f, config)
                } else {
                    value(mu.fields[f].ty, config)
                };
                v.prop_map(move |v| (f, v))
            });
            let update = (filter(&m, config), prop::collection::vec(assignment, 1..=2)).prop_map(
                move |(filter, mut set)| {
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
                    }
                },
            );
            choices.push((2, update.boxed()));
        }
        prop::strategy::Union::new_weighted(choices)
    })
}
