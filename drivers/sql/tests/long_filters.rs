//! Long `AND`/`OR` lists: an `OR` of many equalities on one column is written as `IN`,
//! and lists longer than eight conditions as balanced parenthesized halves, so SQLite's
//! expression depth limit (1000) is never reached by a filter the engine accepts.
//! Snapshots live in `/snapshots/sql/` with the main corpus.

use toasty_core::driver::{Operation, Select};
use toasty_core::schema::db::{Column, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{Type, Value};
use toasty_sql::{Dialect, Serializer};

const T: TableId = TableId(0);
const ID: usize = 0;
const AGE: usize = 1;
const NAME: usize = 2;

fn schema() -> Schema {
    let col = |name: &str, ty: Type, nullable: bool| Column {
        name: name.into(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    };
    Schema {
        tables: vec![Table {
            id: T,
            name: "people".into(),
            columns: vec![
                col("id", Type::I64, false),
                col("age", Type::I32, true),
                col("name", Type::String, false),
            ],
            primary_key: vec![ID],
            indices: vec![],
        }],
    }
}

fn eq(c: usize, v: impl Into<Value>) -> Expr {
    Expr::eq(Expr::Column(c), Expr::Value(v.into()))
}

fn cmp(op: BinaryOp, c: usize, v: impl Into<Value>) -> Expr {
    Expr::binary(op, Expr::Column(c), Expr::Value(v.into()))
}

fn select(filter: Expr) -> Operation {
    Operation::Select(Select {
        table: T,
        filter,
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    })
}

fn render(op: &Operation) -> String {
    let schema = schema();
    let mut out = String::new();
    for dialect in Dialect::ALL {
        out.push_str(&format!("-- {}\n", dialect.name()));
        match Serializer::new(dialect).serialize(&schema, op) {
            Err(e) => out.push_str(&format!("error: {e}\n")),
            Ok(statements) => {
                for s in statements {
                    out.push_str(&s.sql);
                    out.push('\n');
                    let params: Vec<String> = s
                        .params
                        .iter()
                        .map(|p| match &p.array {
                            Some(elements) => format!("{elements:?}: {}[]", p.ty),
                            None => format!("{:?}: {}", p.value, p.ty),
                        })
                        .collect();
                    out.push_str(&format!("  params: [{}]\n", params.join(", ")));
                }
            }
        }
        out.push('\n');
    }
    out
}

fn corpus() -> Vec<(&'static str, Operation)> {
    use BinaryOp::*;
    // Ten equalities on `age` (one written value-first, one with NULL), with a
    // condition on another column in between: the equalities become one IN where the
    // first was.
    let mut mixed: Vec<Expr> = (0..5).map(|i| eq(AGE, i)).collect();
    mixed.push(eq(NAME, "x"));
    mixed.push(Expr::eq(Expr::Value(Value::I64(5)), Expr::Column(AGE)));
    mixed.push(eq(AGE, Value::Null));
    mixed.extend((6..9).map(|i| eq(AGE, i)));
    mixed.push(cmp(Gt, ID, 100i64));
    vec![
        ("long_or_equalities_as_in", select(Expr::Or(mixed))),
        // Below eight equalities of one column the OR is written as it is.
        (
            "long_or_few_equalities_stay",
            select(Expr::Or((0..7).map(|i| eq(AGE, i)).collect())),
        ),
        // Two columns with eight equalities each: two INs.
        (
            "long_or_two_columns_as_in",
            select(Expr::Or(
                (0..8)
                    .flat_map(|i| [eq(AGE, i), eq(NAME, format!("n{i}"))])
                    .collect(),
            )),
        ),
        // Twenty comparisons: balanced halves, never more than eight in a row.
        (
            "long_or_comparisons_balanced",
            select(Expr::Or((0..20).map(|i| cmp(Gt, AGE, i)).collect())),
        ),
        (
            "long_and_balanced",
            select(Expr::And((0..12).map(|i| cmp(Ne, AGE, i)).collect())),
        ),
        // Equalities under an AND are not merged.
        (
            "long_and_equalities_stay",
            select(Expr::And((0..9).map(|i| cmp(Eq, AGE, i)).collect())),
        ),
    ]
}

#[test]
fn long_filter_corpus() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../../snapshots/sql");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, op) in &corpus() {
            insta::assert_snapshot!(*name, render(op));
        }
    });
}

/// The deepest nesting of parentheses in `sql`.
fn paren_depth(sql: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for ch in sql.chars() {
        match ch {
            '(' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[test]
fn ten_thousand_comparisons_nest_logarithmically() {
    let op = select(Expr::Or(
        (0..10_000).map(|i| cmp(BinaryOp::Gt, AGE, i)).collect(),
    ));
    for dialect in Dialect::ALL {
        let statements = Serializer::new(dialect).serialize(&schema(), &op).unwrap();
        let sql = &statements[0].sql;
        assert_eq!(statements[0].params.len(), 10_000);
        // log2(10_000 / 8) halvings, plus the group and the comparison.
        assert!(paren_depth(sql) <= 16, "{dialect:?}: {}", paren_depth(sql));
        // No run of more than eight conditions at one level.
        assert!(!sql.contains(&" OR (\"age\" > ?)".repeat(8)), "{dialect:?}");
    }
}

#[test]
fn a_thousand_equalities_are_one_in_list() {
    let op = select(Expr::Or((0..1_000).map(|i| eq(AGE, i)).collect()));
    for dialect in Dialect::ALL {
        let statements = Serializer::new(dialect).serialize(&schema(), &op).unwrap();
        let s = &statements[0];
        assert!(!s.sql.contains(" OR "), "{dialect:?}: {}", &s.sql[..200]);
        if dialect == Dialect::Postgres {
            // One array parameter holding the thousand values, in order.
            assert_eq!(s.params.len(), 1);
            assert_eq!(s.sql.matches(" = ANY($1)").count(), 1, "{}", s.sql);
            let elements = s.params[0].array.as_ref().expect("an array parameter");
            assert_eq!(elements.len(), 1_000);
            assert_eq!(elements[999], Value::I64(999));
        } else {
            assert_eq!(s.params.len(), 1_000);
            assert_eq!(s.sql.matches(" IN (").count(), 1);
        }
    }
}
