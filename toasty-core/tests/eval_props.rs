//! Property tests of the reference evaluator (`toasty_core::stmt::eval`).
//!
//! * Differential: `eval::eval` / `eval::matches` agree with an independent model written
//!   directly over `Option<i64>` / `Option<String>` with its own three-valued logic.
//! * Metamorphic (SQLancer's TLP): for every predicate `p`, each row is in exactly one of
//!   rows(p), rows(NOT p) and rows(p IS NULL).
//! * Sorting: `cmp_rows` is a total order, agrees with the model's order, puts NULLs first
//!   ascending and last descending.

use proptest::prelude::*;
use std::cmp::Ordering;
use toasty_core::stmt::{eval, BinaryOp, Direction, Expr, OrderBy, PatternOp};
use toasty_core::Value;

/// A row of the model table: column 0 is a nullable integer, column 1 a nullable string.
type Row = (Option<i64>, Option<String>);

fn to_values(row: &Row) -> Vec<Value> {
    vec![
        row.0.map_or(Value::Null, Value::I64),
        row.1.clone().map_or(Value::Null, Value::String),
    ]
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

fn int_value() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => prop::sample::select(vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]),
        3 => -3i64..=3,
        2 => any::<i64>(),
    ]
}

fn opt_int() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![1 => Just(None), 4 => int_value().prop_map(Some)]
}

const STRINGS: &[&str] = &[
    "", "a", "A", "b", "ab", "Ab", "aB", "AB", "abc", "a ", "a  ", " a", "é", "É", "e\u{301}",
    "日本", "🦀", "%", "_", "a%", "%a", "a_", "_a", "a%b", "a_b", "50%_off", "ß", "SS",
];

fn str_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(STRINGS).prop_map(str::to_string),
        2 => "[aAbB%_ é]{0,4}",
        1 => any::<String>(),
    ]
}

fn opt_str() -> impl Strategy<Value = Option<String>> {
    prop_oneof![1 => Just(None), 4 => str_value().prop_map(Some)]
}

fn row() -> impl Strategy<Value = Row> {
    (opt_int(), opt_str())
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(row(), 0..24)
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop::sample::select(BinaryOp::ALL.to_vec())
}

fn pattern_op() -> impl Strategy<Value = PatternOp> {
    prop::sample::select(vec![
        PatternOp::StartsWith,
        PatternOp::EndsWith,
        PatternOp::Contains,
    ])
}

/// A predicate over the model table, in the model's own vocabulary.
#[derive(Debug, Clone)]
enum P {
    /// A boolean literal or NULL used as a predicate.
    Const(Option<bool>),
    /// `int op literal`, or `literal op int` when `flipped`.
    CmpInt(BinaryOp, Option<i64>, bool),
    /// `str op literal`, or `literal op str` when `flipped`.
    CmpStr(BinaryOp, Option<String>, bool),
    InInt(Vec<Option<i64>>),
    InStr(Vec<Option<String>>),
    IsNullInt,
    IsNullStr,
    Pattern(PatternOp, String),
    And(Vec<P>),
    Or(Vec<P>),
    Not(Box<P>),
}

fn leaf() -> impl Strategy<Value = P> {
    prop_oneof![
        1 => prop::option::of(any::<bool>()).prop_map(P::Const),
        4 => (binary_op(), opt_int(), any::<bool>()).prop_map(|(o, l, f)| P::CmpInt(o, l, f)),
        4 => (binary_op(), opt_str(), any::<bool>()).prop_map(|(o, l, f)| P::CmpStr(o, l, f)),
        2 => prop::collection::vec(opt_int(), 0..4).prop_map(P::InInt),
        2 => prop::collection::vec(opt_str(), 0..4).prop_map(P::InStr),
        1 => Just(P::IsNullInt),
        1 => Just(P::IsNullStr),
        3 => (pattern_op(), str_value()).prop_map(|(o, p)| P::Pattern(o, p)),
    ]
}

fn predicate() -> impl Strategy<Value = P> {
    leaf().prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(P::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(P::Or),
            inner.prop_map(|p| P::Not(Box::new(p))),
        ]
    })
}

// ---------------------------------------------------------------------------------------
// Translation to the AST under test
// ---------------------------------------------------------------------------------------

fn int_lit(v: &Option<i64>) -> Value {
    v.map_or(Value::Null, Value::I64)
}

fn str_lit(v: &Option<String>) -> Value {
    v.clone().map_or(Value::Null, Value::String)
}

fn cmp_expr(op: BinaryOp, column: usize, lit: Value, flipped: bool) -> Expr {
    if flipped {
        // `lit op' col` with op' the commuted operator means the same as `col op lit`;
        // the model evaluates `col op lit`, so this also tests `BinaryOp::commute`.
        Expr::binary(op.commute(), Expr::Value(lit), Expr::Column(column))
    } else {
        Expr::binary(op, Expr::Column(column), Expr::Value(lit))
    }
}

fn to_expr(p: &P) -> Expr {
    match p {
        P::Const(b) => Expr::Value(b.map_or(Value::Null, Value::Bool)),
        P::CmpInt(op, l, flipped) => cmp_expr(*op, 0, int_lit(l), *flipped),
        P::CmpStr(op, l, flipped) => cmp_expr(*op, 1, str_lit(l), *flipped),
        P::InInt(list) => Expr::InList {
            expr: Box::new(Expr::Column(0)),
            list: list.iter().map(int_lit).collect(),
        },
        P::InStr(list) => Expr::InList {
            expr: Box::new(Expr::Column(1)),
            list: list.iter().map(str_lit).collect(),
        },
        P::IsNullInt => Expr::IsNull(Box::new(Expr::Column(0))),
        P::IsNullStr => Expr::IsNull(Box::new(Expr::Column(1))),
        P::Pattern(op, pat) => Expr::Pattern {
            op: *op,
            expr: Box::new(Expr::Column(1)),
            pattern: pat.clone(),
        },
        P::And(items) => Expr::And(items.iter().map(to_expr).collect()),
        P::Or(items) => Expr::Or(items.iter().map(to_expr).collect()),
        P::Not(inner) => Expr::Not(Box::new(to_expr(inner))),
    }
}

// ---------------------------------------------------------------------------------------
// The independent model
// ---------------------------------------------------------------------------------------

/// Three-valued truth: `None` is unknown.
type Truth = Option<bool>;

fn apply(op: BinaryOp, ord: Ordering) -> bool {
    match op {
        BinaryOp::Eq => ord.is_eq(),
        BinaryOp::Ne => ord.is_ne(),
        BinaryOp::Lt => ord.is_lt(),
        BinaryOp::Le => ord.is_le(),
        BinaryOp::Gt => ord.is_gt(),
        BinaryOp::Ge => ord.is_ge(),
    }
}

/// Strings compare by Unicode scalar value, case-sensitively, with no padding.
fn str_order(a: &str, b: &str) -> Ordering {
    a.chars().map(u32::from).cmp(b.chars().map(u32::from))
}

fn model_cmp<T>(
    op: BinaryOp,
    col: &Option<T>,
    lit: &Option<T>,
    ord: fn(&T, &T) -> Ordering,
) -> Truth {
    match (col, lit) {
        (Some(a), Some(b)) => Some(apply(op, ord(a, b))),
        _ => None,
    }
}

fn model_in<T>(col: &Option<T>, list: &[Option<T>], eq: fn(&T, &T) -> bool) -> Truth {
    let x = col.as_ref()?;
    let mut unknown = false;
    for item in list {
        match item {
            Some(y) if eq(x, y) => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown {
        None
    } else {
        Some(false)
    }
}

fn literal_match(op: PatternOp, s: &str, pat: &str) -> bool {
    let (s, p) = (s.as_bytes(), pat.as_bytes());
    match op {
        PatternOp::StartsWith => s.len() >= p.len() && &s[..p.len()] == p,
        PatternOp::EndsWith => s.len() >= p.len() && &s[s.len() - p.len()..] == p,
        PatternOp::Contains => p.is_empty() || s.windows(p.len()).any(|w| w == p),
        // `pattern_op` generates only the literal tests.
        PatternOp::Like | PatternOp::ILike => unreachable!("like patterns are not generated"),
    }
}

fn model_eval(p: &P, row: &Row) -> Truth {
    match p {
        P::Const(b) => *b,
        P::CmpInt(op, lit, _) => model_cmp(*op, &row.0, lit, |a, b| a.cmp(b)),
        P::CmpStr(op, lit, _) => {
            model_cmp(*op, &row.1, lit, |a: &String, b: &String| str_order(a, b))
        }
        P::InInt(list) => model_in(&row.0, list, |a, b| a == b),
        P::InStr(list) => model_in(&row.1, list, |a, b| a == b),
        P::IsNullInt => Some(row.0.is_none()),
        P::IsNullStr => Some(row.1.is_none()),
        P::Pattern(op, pat) => row.1.as_ref().map(|s| literal_match(*op, s, pat)),
        P::And(items) => {
            let results: Vec<Truth> = items.iter().map(|i| model_eval(i, row)).collect();
            if results.contains(&Some(false)) {
                Some(false)
            } else if results.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
        P::Or(items) => {
            let results: Vec<Truth> = items.iter().map(|i| model_eval(i, row)).collect();
            if results.contains(&Some(true)) {
                Some(true)
            } else if results.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        P::Not(inner) => model_eval(inner, row).map(|b| !b),
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The evaluator gives the same truth value as the model on every row, so `matches`
    /// selects exactly the rows the model selects.
    #[test]
    fn matches_agrees_with_the_model(table in rows(), p in predicate()) {
        let expr = to_expr(&p);
        let mut selected = Vec::new();
        let mut expected = Vec::new();
        for (i, row) in table.iter().enumerate() {
            let values = to_values(row);
            let got = eval::eval(&expr, &values).unwrap();
            let want = model_eval(&p, row);
            prop_assert_eq!(&got, &want.map_or(Value::Null, Value::Bool), "row {:?}", row);
            if eval::matches(&expr, &values).unwrap() {
                selected.push(i);
            }
            if want == Some(true) {
                expected.push(i);
            }
        }
        prop_assert_eq!(selected, expected);
    }

    /// TLP: rows(p), rows(NOT p) and rows(p IS NULL) partition the table.
    #[test]
    fn ternary_logic_partitioning(table in rows(), p in predicate()) {
        let expr = to_expr(&p);
        let negated = Expr::Not(Box::new(expr.clone()));
        let unknown = Expr::IsNull(Box::new(expr.clone()));
        let (mut a, mut b, mut c) = (0, 0, 0);
        for row in &table {
            let values = to_values(row);
            let hits = [
                eval::matches(&expr, &values).unwrap(),
                eval::matches(&negated, &values).unwrap(),
                eval::matches(&unknown, &values).unwrap(),
            ];
            prop_assert_eq!(hits.iter().filter(|h| **h).count(), 1, "row {:?}", row);
            a += usize::from(hits[0]);
            b += usize::from(hits[1]);
            c += usize::from(hits[2]);
        }
        prop_assert_eq!(a + b + c, table.len());
    }
}

fn order_by() -> impl Strategy<Value = Vec<OrderBy>> {
    let key = (0usize..2, prop::bool::ANY).prop_map(|(target, asc)| OrderBy {
        target,
        direction: if asc { Direction::Asc } else { Direction::Desc },
    });
    prop::collection::vec(key, 1..3)
}

/// The model's order of one column (NULL first), before applying the direction.
fn model_key_order(key: &OrderBy, a: &Row, b: &Row) -> Ordering {
    let ord = match key.target {
        0 => a.0.cmp(&b.0),
        _ => match (&a.1, &b.1) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => str_order(x, y),
        },
    };
    match key.direction {
        Direction::Asc => ord,
        Direction::Desc => ord.reverse(),
    }
}

fn model_order(keys: &[OrderBy], a: &Row, b: &Row) -> Ordering {
    keys.iter()
        .map(|k| model_key_order(k, a, b))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Sorting with `cmp_rows` (stable) gives the same sequence as the model's order.
    #[test]
    fn cmp_rows_agrees_with_the_model(table in rows(), keys in order_by()) {
        let mut got: Vec<Vec<Value>> = table.iter().map(to_values).collect();
        got.sort_by(|a, b| eval::cmp_rows(&keys, a, b));
        let mut want = table.clone();
        want.sort_by(|a, b| model_order(&keys, a, b));
        let want: Vec<Vec<Value>> = want.iter().map(to_values).collect();
        prop_assert_eq!(got, want);
    }

    /// Ascending puts NULLs first, descending puts them last.
    #[test]
    fn nulls_first_ascending_last_descending(table in rows(), target in 0usize..2) {
        for direction in [Direction::Asc, Direction::Desc] {
            let keys = [OrderBy { target, direction }];
            let mut sorted: Vec<Vec<Value>> = table.iter().map(to_values).collect();
            sorted.sort_by(|a, b| eval::cmp_rows(&keys, a, b));
            let nulls: Vec<bool> = sorted.iter().map(|r| r[target].is_null()).collect();
            let n = nulls.iter().filter(|x| **x).count();
            let expected: Vec<bool> = match direction {
                Direction::Asc => (0..nulls.len()).map(|i| i < n).collect(),
                Direction::Desc => (0..nulls.len()).map(|i| i >= nulls.len() - n).collect(),
            };
            prop_assert_eq!(nulls, expected, "{:?}", direction);
        }
    }

    /// `cmp_rows` is a total order: reflexive, antisymmetric and transitive.
    #[test]
    fn cmp_rows_is_a_total_order(a in row(), b in row(), c in row(), keys in order_by()) {
        let (a, b, c) = (to_values(&a), to_values(&b), to_values(&c));
        let cmp = |x: &[Value], y: &[Value]| eval::cmp_rows(&keys, x, y);
        prop_assert_eq!(cmp(&a, &a), Ordering::Equal);
        prop_assert_eq!(cmp(&a, &b), cmp(&b, &a).reverse());
        prop_assert_eq!(cmp(&b, &c), cmp(&c, &b).reverse());
        for (x, y, z) in [(&a, &b, &c), (&a, &c, &b), (&b, &a, &c), (&b, &c, &a), (&c, &a, &b), (&c, &b, &a)] {
            if cmp(x, y).is_le() && cmp(y, z).is_le() {
                prop_assert!(cmp(x, z).is_le(), "{:?} <= {:?} <= {:?}", x, y, z);
            }
            if cmp(x, y).is_eq() && cmp(y, z).is_eq() {
                prop_assert!(cmp(x, z).is_eq());
            }
        }
    }
}
