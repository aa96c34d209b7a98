//! Hostile operations: the inputs a new user tries just outside the comfortable envelope
//! of [`super::gen`], at and around every documented limit of `toasty::limits`.
//!
//! With [`GenConfig::hostile`](super::gen::GenConfig) set, about one operation in four
//! of a case is one of these:
//!
//! * an `OR` of up to [`or_limit`]` + 1` equalities (the last is one node past
//!   `MAX_FILTER_NODES`, so every backend must refuse it alike);
//! * a filter nested around `MAX_FILTER_DEPTH` (one level below, at, and above it) and
//!   far beyond it (thousands of levels: refused, never a stack overflow);
//! * an `IN` list of 1,000 values, of exactly `MAX_FILTER_VALUES`, and of one more;
//! * a create of hundreds to thousands of records (beyond the bind-parameter limits of
//!   every SQL database, and beyond a key-value store's 100 items per write);
//! * strings of 255 and 256 characters in keyed and indexed fields (`MAX_KEYED_LEN`),
//!   and of 64 KiB and 1 MiB in other fields;
//! * `limit`, `offset` and page sizes at `MAX_LIMIT`, past it, and 0;
//! * relative numeric updates (`field.add(v)`) of every record, or of 2, 101 or 1,000
//!   records by key (past a key-value store's 100 items per write), by 1 or by the
//!   type's maximum (so that all but a few records stay in range: `ValueOutOfRange`,
//!   nothing written, however many records matched).
//!
//! Sizes are deterministic functions of a few generated choices, so shrinking works on
//! the choices (and [`super::diff::minimize`] drops whole operations first).

use super::case::{auto_refs, ArithLit, Filter, Lit, ModelSpec, Op, Order, RelKind};
use super::gen::{nth_lit, GenConfig};
use proptest::prelude::*;
use toasty::limits::{
    MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_KEYED_LEN, MAX_LIMIT,
};
use toasty_core::stmt::BinaryOp;
use toasty_core::Type;

/// The widest `OR` of equalities within `MAX_FILTER_NODES` (an `or` node plus three
/// nodes per equality: the comparison, the field and the value).
pub fn or_limit() -> usize {
    (MAX_FILTER_NODES - 1) / 3
}

/// A hostile operation on model `mi` of `models`.
pub fn op(models: &[ModelSpec], mi: usize, config: GenConfig) -> BoxedStrategy<Op> {
    let m = models[mi].clone();
    let refs = auto_refs(models).into_iter().nth(mi).unwrap_or_default();
    let fks: Vec<usize> = m
        .relations
        .iter()
        .flat_map(|r| match &r.kind {
            RelKind::BelongsTo { key, .. } => key.clone(),
            _ => Vec::new(),
        })
        .collect();
    // Filters test a plain field when there is one (foreign keys refer to records of
    // other models, keys are what key-value stores can serve).
    let field = (0..m.fields.len())
        .find(|f| !fks.contains(f) && !m.key_fields().contains(f))
        .unwrap_or(0);
    let key_order: Vec<Order> = m
        .key_fields()
        .into_iter()
        .map(|field| Order { field, desc: false })
        .collect();

    let (mo, ro) = (m.clone(), refs.clone());
    let or_chain =
        prop::sample::select(vec![2, 100, 1_000, or_limit(), or_limit() + 1]).prop_map(move |n| {
            Op::Count {
                model: mi,
                filter: Filter::Or(
                    (0..n)
                        .map(|i| Filter::Cmp(field, BinaryOp::Eq, nth_lit(&mo, &ro, field, i)))
                        .collect(),
                ),
            }
        });

    let (mo, ro) = (m.clone(), refs.clone());
    let deep = prop::sample::select(vec![
        MAX_FILTER_DEPTH - 1,
        MAX_FILTER_DEPTH,
        MAX_FILTER_DEPTH + 1,
        1_000,
        5_000,
    ])
    .prop_map(move |depth| Op::Count {
        model: mi,
        filter: nested(&mo, &ro, field, depth),
    });

    let (mo, ro) = (m.clone(), refs.clone());
    let in_list = prop::sample::select(vec![1_000, MAX_FILTER_VALUES, MAX_FILTER_VALUES + 1])
        .prop_map(move |n| Op::Count {
            model: mi,
            filter: Filter::InList(field, (0..n).map(|i| nth_lit(&mo, &ro, field, i)).collect()),
        });

    let (mo, ro, fo) = (m.clone(), refs.clone(), fks.clone());
    let big_create = (
        prop::sample::select(vec![101usize, 1_000, 7_000]),
        0usize..1_000,
    )
        .prop_map(move |(n, base)| Op::Create {
            model: mi,
            rows: (0..n).map(|i| row(&mo, &ro, &fo, base + i)).collect(),
        });

    let (mo, ro, fo) = (m.clone(), refs.clone(), fks.clone());
    let strings: Vec<usize> = (0..m.fields.len())
        .filter(|&f| m.fields[f].ty == Type::String && !fks.contains(&f))
        .collect();
    let long_string = (
        prop::sample::select(if strings.is_empty() {
            vec![usize::MAX]
        } else {
            strings
        }),
        prop::sample::select(vec![
            MAX_KEYED_LEN,
            MAX_KEYED_LEN + 1,
            64 * 1024,
            1024 * 1024,
        ]),
        prop::sample::select(vec!['a', 'é', '🎉']),
        0usize..1_000,
    )
        .prop_map(move |(f, len, ch, base)| {
            let mut r = row(&mo, &ro, &fo, base);
            if let Some(slot) = r.get_mut(f) {
                *slot = Some(Lit::Str(std::iter::repeat_n(ch, len).collect()));
            }
            Op::Create {
                model: mi,
                rows: vec![r],
            }
        });

    let edges = vec![0, MAX_LIMIT - 1, MAX_LIMIT, MAX_LIMIT + 1, u64::MAX];
    let ord = key_order.clone();
    let big_limit = (
        prop::sample::select(edges.clone()),
        prop::option::of(prop::sample::select(edges)),
    )
        .prop_map(move |(limit, offset)| Op::Query {
            model: mi,
            filter: Filter::True,
            order: ord.clone(),
            limit: Some(limit),
            offset,
            select: None,
        });
    let ord = key_order;
    let big_page = prop::sample::select(vec![
        0usize,
        (MAX_LIMIT - 1) as usize,
        MAX_LIMIT as usize,
        usize::MAX,
    ])
    .prop_map(move |per_page| Op::Paginate {
        model: mi,
        filter: Filter::True,
        order: ord.clone(),
        per_page,
        moves: vec![true],
    });

    let numeric = (0..m.fields.len()).find(|&f| {
        let spec = &m.fields[f];
        (spec.ty.is_integer() || spec.ty.is_float())
            && !spec.nullable
            && !fks.contains(&f)
            && !m.key_fields().contains(&f)
            && refs.get(f).copied().flatten().is_none()
    });
    let (mo, ro) = (m.clone(), refs.clone());
    let big_arith = (
        prop::sample::select(vec![None, Some(2usize), Some(101), Some(1_000)]),
        any::<bool>(),
    )
        .prop_map(move |(n, by_max)| {
            let Some(f) = numeric else {
                return Op::Count {
                    model: mi,
                    filter: Filter::True,
                };
            };
            let ty = mo.fields[f].ty;
            let amount = match (by_max, ty.is_float()) {
                (false, false) => Lit::Int(1),
                (false, true) => Lit::Float(1.0),
                (true, false) => Lit::Int(ty.int_range().map_or(i64::MAX, |(_, hi)| hi)),
                (true, true) if ty == Type::F32 => Lit::Float(f32::MAX as f64),
                (true, true) => Lit::Float(f64::MAX),
            };
            let filter = match n {
                None => Filter::True,
                Some(n) => Filter::Or((0..n).map(|i| key_of(&mo, &ro, i)).collect()),
            };
            Op::Update {
                model: mi,
                filter,
                set: vec![],
                arith: vec![(f, ArithLit { sub: false, amount })],
                returning: false,
            }
        });

    // Key-value stores cannot scan: every filter here would be refused before it says
    // anything about limits, so they get the writes and the limits only.
    if config.kv_friendly {
        prop_oneof![
            big_create,
            long_string,
            deep,
            or_chain,
            in_list,
            big_limit,
            big_page,
            big_arith,
        ]
        .boxed()
    } else {
        prop_oneof![
            2 => or_chain,
            2 => deep,
            2 => in_list,
            2 => big_create,
            2 => long_string,
            1 => big_limit,
            1 => big_page,
            2 => big_arith,
        ]
        .boxed()
    }
}

/// The filter selecting the `i`-th record created with distinct keys: every key field
/// equal to its `i`-th value (auto keys by creation index).
fn key_of(m: &ModelSpec, refs: &[Option<usize>], i: usize) -> Filter {
    Filter::And(
        m.key_fields()
            .into_iter()
            .map(|f| {
                let v = if m.is_auto(f) {
                    Lit::Auto(i)
                } else {
                    nth_lit(m, refs, f, i)
                };
                Filter::Cmp(f, BinaryOp::Eq, v)
            })
            .collect(),
    )
}

/// Alternating `OR` and `AND` levels around one equality, `depth` levels of the
/// expression tree deep as `toasty::limits::MAX_FILTER_DEPTH` counts them (the innermost
/// comparison and its field are two levels; each `AND`/`OR` adds one). Built without
/// recursion.
fn nested(m: &ModelSpec, refs: &[Option<usize>], field: usize, depth: usize) -> Filter {
    let lit = |i: usize| nth_lit(m, refs, field, i);
    let mut f = Filter::Cmp(field, BinaryOp::Eq, lit(0));
    for level in 0..depth.saturating_sub(2) {
        let other = Filter::Cmp(field, BinaryOp::Ne, lit(level + 1));
        f = if level % 2 == 0 {
            Filter::Or(vec![other, f])
        } else {
            Filter::And(vec![other, f])
        };
    }
    f
}

/// The `i`-th record of a big create: auto keys left to the database, the `i`-th value
/// of key and unique fields (distinct), one of 64 values of the others (in range for
/// every integer type), nullable foreign keys left out and required ones pointing at
/// the first record of their parent.
fn row(m: &ModelSpec, refs: &[Option<usize>], fks: &[usize], i: usize) -> Vec<Option<Lit>> {
    let keys = m.key_fields();
    (0..m.fields.len())
        .map(|f| {
            let distinct =
                keys.contains(&f) || m.indices.iter().any(|x| x.unique && x.fields.contains(&f));
            if m.is_auto(f) {
                None
            } else if fks.contains(&f) {
                if m.fields[f].nullable {
                    None
                } else {
                    Some(nth_lit(m, refs, f, 0))
                }
            } else if distinct {
                Some(nth_lit(m, refs, f, i))
            } else {
                Some(nth_lit(m, refs, f, i % 64))
            }
        })
        .collect()
}
