//! Deciding whether a target's outcomes agree with the oracle's.
//!
//! Records compare as multisets unless the query is ordered; an ordered result must
//! also list its sort-key values in the same sequence (ties may come in any order).
//! Errors compare by kind only. A batch compares statement by statement; an operation
//! that ends a transaction, and a batch, also compare every table's contents seen right
//! after them. Records loaded with their relations compare as multisets at every level
//! (the records of a relation come in unspecified order); a nested create's records
//! compare in insert order, with their relations as multisets. A run that disagrees with
//! itself (a loaded relation that differs from the query of its records) diverges
//! whatever the other run did.

use super::case::{Case, Lit, Op, Order};
use super::exec::{Outcome, Run, Tables, Tree};
use std::cmp::Ordering;
use toasty::Value;

/// The result of comparing two runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every compared operation agreed.
    Agree {
        /// Operations compared.
        compared: usize,
        /// Operations the target does not support (only when allowed).
        not_applicable: usize,
    },
    /// The first disagreement.
    Diverge {
        /// The operation index (`None`: setup or final state).
        op: Option<usize>,
        /// What differed.
        message: String,
    },
}

/// Compares `target` with `oracle`. With `allow_unsupported`, an `Unsupported` error on
/// the target where the oracle succeeded is "not applicable" (used when the target is a
/// key-value store and the oracle an SQL one); after such a write the rest of the case
/// is not compared, since the states no longer match.
pub fn compare(case: &Case, oracle: &Run, target: &Run, allow_unsupported: bool) -> Verdict {
    match (&oracle.setup_error, &target.setup_error) {
        (Some((a, _)), Some((b, _))) if a == b => {
            return Verdict::Agree {
                compared: 0,
                not_applicable: 0,
            }
        }
        (None, Some((toasty::ErrorKind::Unsupported, _))) if allow_unsupported => {
            return Verdict::Agree {
                compared: 0,
                not_applicable: case.ops.len(),
            }
        }
        (None, None) => {}
        (o, t) => {
            return Verdict::Diverge {
                op: None,
                message: format!("setup differs: oracle {o:?}, target {t:?}"),
            }
        }
    }
    for (side, run) in [("target", target), ("oracle", oracle)] {
        if let Some((i, message)) = run.violations.first() {
            return Verdict::Diverge {
                op: Some(*i),
                message: format!("the {side} disagrees with itself: {message}"),
            };
        }
    }
    let mut compared = 0;
    let mut not_applicable = 0;
    for (i, (o, t)) in oracle.outcomes.iter().zip(&target.outcomes).enumerate() {
        if allow_unsupported && t.is_unsupported() && !o.is_unsupported() {
            not_applicable += 1;
            // A write, a batch that writes or a transaction the target could not run
            // leaves the two databases in different states.
            let is_write = case.ops.get(i).is_some_and(Op::may_write);
            if is_write {
                return Verdict::Agree {
                    compared,
                    not_applicable: not_applicable + case.ops.len() - i - 1,
                };
            }
            continue;
        }
        if let Err(message) = same_outcome(o, t) {
            return Verdict::Diverge {
                op: Some(i),
                message,
            };
        }
        compared += 1;
    }
    if oracle.outcomes.len() != target.outcomes.len() {
        return Verdict::Diverge {
            op: None,
            message: "the runs have different numbers of outcomes".into(),
        };
    }
    match (&oracle.final_state, &target.final_state) {
        (Some(_), None) | (None, Some(_)) => {
            return Verdict::Diverge {
                op: None,
                message: format!(
                    "the final contents could be read on one side only (oracle: {}, target: {})",
                    oracle.final_state.is_some(),
                    target.final_state.is_some()
                ),
            }
        }
        _ => {}
    }
    if let (Some(a), Some(b)) = (&oracle.final_state, &target.final_state) {
        for (m, (x, y)) in a.iter().zip(b).enumerate() {
            if !same_multiset(x, y) {
                return Verdict::Diverge {
                    op: None,
                    message: format!(
                        "final contents of m{m} differ:\n  oracle: {x:?}\n  target: {y:?}"
                    ),
                };
            }
        }
    }
    Verdict::Agree {
        compared,
        not_applicable,
    }
}

fn same_outcome(o: &Outcome, t: &Outcome) -> Result<(), String> {
    match (o, t) {
        (Outcome::Snapshot(a, x), Outcome::Snapshot(b, y)) => {
            same_outcome(a, b)?;
            return same_tables(x, y);
        }
        (Outcome::Batch(a), Outcome::Batch(b)) if a.len() == b.len() => {
            for (n, (x, y)) in a.iter().zip(b).enumerate() {
                same_outcome(x, y).map_err(|m| format!("batch statement #{n}: {m}"))?;
            }
            return Ok(());
        }
        _ => {}
    }
    let ok = match (o, t) {
        (Outcome::Error(a, _), Outcome::Error(b, _)) => a == b,
        (Outcome::Done, Outcome::Done) | (Outcome::Skipped, Outcome::Skipped) => true,
        (Outcome::Count(a), Outcome::Count(b)) => a == b,
        (Outcome::Created(a), Outcome::Created(b)) => a == b,
        (Outcome::Rows { rows: a, order }, Outcome::Rows { rows: b, .. }) => {
            same_multiset(a, b) && (order.is_empty() || same_order(a, b, order))
        }
        (Outcome::Pages(a), Outcome::Pages(b)) => a == b,
        (Outcome::Loaded { rows: a, order }, Outcome::Loaded { rows: b, .. }) => {
            same_trees(a, b) && (order.is_empty() || same_order(&values(a), &values(b), order))
        }
        (Outcome::CreatedTree(a), Outcome::CreatedTree(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| canonical(x) == canonical(y))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("oracle: {}\n  target: {}", show(o), show(t)))
    }
}

/// Compares every table's contents seen after an operation (errors by kind).
fn same_tables(o: &Tables, t: &Tables) -> Result<(), String> {
    match (o, t) {
        (Ok(a), Ok(b)) => {
            for (m, (x, y)) in a.iter().zip(b).enumerate() {
                if !same_multiset(x, y) {
                    return Err(format!(
                        "contents of m{m} after the operation differ:\n  oracle: {x:?}\n  \
                         target: {y:?}"
                    ));
                }
            }
            if a.len() != b.len() {
                return Err("the snapshots hold different numbers of tables".into());
            }
            Ok(())
        }
        (Err((a, _)), Err((b, _))) if a == b => Ok(()),
        (a, b) => Err(format!(
            "reading the tables after the operation: oracle {}, target {}",
            show_tables(a),
            show_tables(b)
        )),
    }
}

fn show_tables(t: &Tables) -> String {
    match t {
        Ok(tables) => format!("{tables:?}"),
        Err((kind, msg)) => format!("error {kind}: {msg}"),
    }
}

fn show(o: &Outcome) -> String {
    match o {
        Outcome::Error(kind, msg) => format!("error {kind}: {msg}"),
        other => format!("{other:?}"),
    }
}

fn same_order(a: &[Vec<Lit>], b: &[Vec<Lit>], order: &[Order]) -> bool {
    let keys = |rows: &[Vec<Lit>]| -> Vec<Vec<Lit>> {
        rows.iter()
            .map(|r| {
                order
                    .iter()
                    .map(|o| r.get(o.field).cloned().unwrap_or(Lit::Null))
                    .collect()
            })
            .collect()
    };
    keys(a) == keys(b)
}

fn values(trees: &[Tree]) -> Vec<Vec<Lit>> {
    trees.iter().map(|t| t.values.clone()).collect()
}

/// Multiset equality of records with their relations (multisets at every level).
pub fn same_trees(a: &[Tree], b: &[Tree]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a: Vec<Tree> = a.iter().map(canonical).collect();
    let mut b: Vec<Tree> = b.iter().map(canonical).collect();
    a.sort_by(tree_cmp);
    b.sort_by(tree_cmp);
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| tree_cmp(x, y) == Ordering::Equal)
}

/// `t` with the records of every relation sorted (recursively).
fn canonical(t: &Tree) -> Tree {
    Tree {
        values: t.values.clone(),
        relations: t
            .relations
            .iter()
            .map(|slot| {
                slot.as_ref().map(|list| {
                    let mut list: Vec<Tree> = list.iter().map(canonical).collect();
                    list.sort_by(tree_cmp);
                    list
                })
            })
            .collect(),
    }
}

fn tree_cmp(a: &Tree, b: &Tree) -> Ordering {
    row_cmp(&a.values, &b.values).then_with(|| {
        for (x, y) in a.relations.iter().zip(&b.relations) {
            let o = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => {
                    let mut o = x.len().cmp(&y.len());
                    for (p, q) in x.iter().zip(y) {
                        if o != Ordering::Equal {
                            break;
                        }
                        o = tree_cmp(p, q);
                    }
                    o
                }
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.relations.len().cmp(&b.relations.len())
    })
}

/// Multiset equality of record lists.
pub fn same_multiset(a: &[Vec<Lit>], b: &[Vec<Lit>]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(|x, y| row_cmp(x, y));
    b.sort_by(|x, y| row_cmp(x, y));
    a == b
}

fn row_cmp(a: &[Lit], b: &[Lit]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = lit_cmp(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn lit_cmp(a: &Lit, b: &Lit) -> Ordering {
    match (a, b) {
        (Lit::Auto(x), Lit::Auto(y)) => x.cmp(y),
        (Lit::Auto(_), _) => Ordering::Less,
        (_, Lit::Auto(_)) => Ordering::Greater,
        (Lit::AutoOf { model: m, n }, Lit::AutoOf { model: p, n: q }) => (m, n).cmp(&(p, q)),
        (Lit::AutoOf { .. }, _) => Ordering::Less,
        (_, Lit::AutoOf { .. }) => Ordering::Greater,
        _ => as_value(a).sort_cmp(&as_value(b)),
    }
}

fn as_value(l: &Lit) -> Value {
    match l {
        Lit::Null | Lit::Auto(_) | Lit::AutoOf { .. } | Lit::Now => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::I64(*i),
        Lit::BigUint(u) => Value::U64(*u),
        Lit::Float(f) => Value::F64(*f),
        Lit::Str(s) => Value::String(s.clone()),
        Lit::Bytes(b) => Value::Bytes(b.clone()),
        Lit::Uuid(u) => Value::Uuid(uuid::Uuid::from_u128(*u)),
        Lit::Timestamp(t) => Value::Timestamp(*t),
    }
}
