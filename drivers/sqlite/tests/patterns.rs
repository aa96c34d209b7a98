//! Case-sensitive, literal pattern tests (`starts_with`, `ends_with`, `contains`) and
//! string comparisons, against a plain-Rust filter over the same strings.

mod common;

use common::*;
use proptest::prelude::*;
use toasty_core::driver::{Delete, Operation};
use toasty_core::stmt::{BinaryOp, Expr, PatternOp};
use toasty_core::Value;

fn pattern(op: PatternOp, p: &str) -> Expr {
    Expr::Pattern {
        op,
        expr: Box::new(Expr::Column(1)),
        pattern: p.to_string(),
    }
}

/// What the contract says: the ids of rows whose string matches.
fn expected(values: &[Option<String>], keep: impl Fn(&str) -> bool) -> Vec<i64> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.as_deref().is_some_and(&keep))
        .map(|(i, _)| i as i64)
        .collect()
}

async fn ids(db: &mut Db, filter: Expr) -> Vec<i64> {
    let mut ids: Vec<i64> = db
        .rows(Operation::Select(select(TEXTS, filter)))
        .await
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

async fn load(db: &mut Db, values: &[Option<String>]) {
    db.exec(Operation::Delete(Delete {
        table: TEXTS,
        filter: Expr::true_(),
    }))
    .await
    .unwrap();
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, v)| vec![Value::I64(i as i64), Value::from(v.clone())])
        .collect();
    db.insert(TEXTS, vec![0, 1], rows).await;
}

/// A plain-Rust version of a pattern operator.
type Matcher = fn(&str, &str) -> bool;

/// Checks every pattern operator (and its negation) and eq/lt for `p` over `values`.
async fn check(db: &mut Db, values: &[Option<String>], p: &str) {
    let cases: [(PatternOp, Matcher); 3] = [
        (PatternOp::StartsWith, |s, p| s.starts_with(p)),
        (PatternOp::EndsWith, |s, p| s.ends_with(p)),
        (PatternOp::Contains, |s, p| s.contains(p)),
    ];
    for (op, f) in cases {
        let want = expected(values, |s| f(s, p));
        assert_eq!(
            ids(db, pattern(op, p)).await,
            want,
            "{}: {op:?} {p:?}",
            db.label
        );
        let want_not = expected(values, |s| !f(s, p));
        assert_eq!(
            ids(db, pattern(op, p).not()).await,
            want_not,
            "{}: NOT {op:?} {p:?}",
            db.label
        );
    }
    let eq = Expr::binary(BinaryOp::Eq, Expr::Column(1), Expr::Value(p.into()));
    assert_eq!(
        ids(db, eq).await,
        expected(values, |s| s == p),
        "{}: = {p:?}",
        db.label
    );
    let lt = Expr::binary(BinaryOp::Lt, Expr::Column(1), Expr::Value(p.into()));
    assert_eq!(
        ids(db, lt).await,
        expected(values, |s| s < p),
        "{}: < {p:?}",
        db.label
    );
}

fn strings(list: &[&str]) -> Vec<Option<String>> {
    list.iter()
        .map(|s| Some(s.to_string()))
        .chain([None])
        .collect()
}

#[tokio::test]
async fn special_characters_are_literal_and_case_matters() {
    let values = strings(&[
        "",
        "a",
        "A",
        "abc",
        "ABC",
        "aBc",
        "50%",
        "50% off",
        "500",
        "5_0",
        "a_c",
        "a\\c",
        "a\\%",
        "it's",
        "'",
        "%",
        "_",
        "\\",
        "nul\0byte",
        "\0",
        "🦀",
        "x🦀y",
        "é",
        "É",
        "ß",
        "ss",
        "trailing ",
        "trailing",
        "!",
        "a!b",
        "!%",
    ]);
    let patterns = [
        "",
        "a",
        "A",
        "%",
        "_",
        "\\",
        "'",
        "50%",
        "5_",
        "a_c",
        "a\\",
        "\\c",
        "\0",
        "nul\0",
        "🦀",
        "🦀y",
        "é",
        "É",
        "s",
        "trailing",
        "trailing ",
        "!",
        "!%",
        "abc",
        "b",
    ];
    for mut db in both().await {
        load(&mut db, &values).await;
        for p in patterns {
            check(&mut db, &values, p).await;
        }
    }
}

fn text() -> impl Strategy<Value = String> {
    // A small alphabet with both cases, the LIKE/GLOB/escape metacharacters, quotes,
    // NUL and multi-byte characters, so generated patterns often match.
    let alphabet = prop::sample::select(vec![
        'a', 'A', 'b', 'B', '%', '_', '\\', '!', '\'', '"', '*', '?', '[', ']', '\0', ' ', 'é',
        'É', '🦀', '日',
    ]);
    prop::collection::vec(alphabet, 0..6).prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_strings_match_plain_rust(
        values in prop::collection::vec(prop::option::weighted(0.9, text()), 1..12),
        patterns in prop::collection::vec(text(), 1..4),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut dbs = both().await;
            // The file database is slower; the in-memory one gets every case.
            let db = &mut dbs[0];
            load(db, &values).await;
            for p in &patterns {
                check(db, &values, p).await;
            }
            // Patterns taken from the stored values themselves always hit something.
            for v in values.iter().flatten().take(3) {
                check(db, &values, v).await;
            }
        });
    }
}
