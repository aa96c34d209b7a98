//! The limits of `toasty::limits`, the same on every backend: a filter nested deeper
//! than `MAX_FILTER_DEPTH`, larger than `MAX_FILTER_NODES` or holding more than
//! `MAX_FILTER_VALUES` values, and a limit, offset or page size out of range, are
//! `InvalidStatement` before anything reaches a database (even a filter 100,000 levels
//! deep, which is built, refused and dropped without overflowing the stack); every
//! filter within the limits is answered, SQLite included (an `OR` of 1,000 equalities,
//! an `OR` of 3,000 comparisons, nesting at the limit).
//!
//! Every filter pins the primary key with `in_list` (or is run on SQL backends only), so
//! key-value backends serve it by key.

use super::support::{expect_err, sorted};
use crate::Test;
use toasty::limits::{MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_LIMIT};
use toasty::{Db, ErrorKind, Expr, Result};
use toasty_core::stmt::Shape;

#[derive(Debug, toasty::Model)]
struct Probe {
    #[key]
    id: i64,
    #[index]
    age: i64,
    name: String,
}

/// Ten records: ids 0..10, age = id.
const IDS: std::ops::Range<i64> = 0..10;
const N: usize = 10;

async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Probe)).await?;
    let mut batch = Probe::create_many();
    for id in IDS {
        batch = batch.item(Probe::create().id(id).age(id).name(format!("p{id}")));
    }
    batch.exec(&mut db).await?;
    Ok(db)
}

fn age() -> toasty::Path<Probe, i64> {
    Probe::fields().age()
}

/// `id IN (0..10)`: every record, through the key (what a key-value store needs).
fn by_key() -> Expr<bool> {
    Probe::fields().id().in_list(IDS)
}

/// A filter on `age` and the same predicate in Rust.
struct Filter {
    expr: Expr<bool>,
    holds: Box<dyn Fn(i64) -> bool>,
}

/// `levels` alternating `and`/`or` around `age == 0` (written `NOT (age != 0)`, one
/// level deeper, when `deeper`): level `i` is `age >= -1 AND (..)` for even `i` and
/// `age == i + 1 OR (..)` for odd `i`, so each adds one level of nesting.
fn nested(levels: usize, deeper: bool) -> Expr<bool> {
    let mut f = if deeper {
        age().ne(0).not()
    } else {
        age().eq(0)
    };
    for i in 0..levels {
        f = if i % 2 == 0 {
            age().ge(-1).and(f)
        } else {
            age().eq(i as i64 + 1).or(f)
        };
    }
    f
}

/// Whether a record of age `a` matches `nested(levels, _)`.
fn nested_holds(levels: usize, a: i64) -> bool {
    let mut holds = a == 0;
    for i in 0..levels {
        holds = if i % 2 == 0 {
            a >= -1 && holds
        } else {
            a == i as i64 + 1 || holds
        };
    }
    holds
}

/// `levels` levels, each an `or` of seven comparisons and the next level (the widest
/// list written flat), around `age == 0`: the deepest SQL a filter of that depth gives.
fn wide(levels: usize) -> Filter {
    let mut f = Filter {
        expr: age().eq(0),
        holds: Box::new(|a| a == 0),
    };
    for i in 0..levels {
        let Filter { expr, holds } = f;
        let lo = 100 + i as i64 * 10;
        let mut list = age().eq(lo);
        for k in 1..7 {
            list = list.or(age().eq(lo + k));
        }
        // Alternate so that lists do not merge into one: `(.. OR ..) AND NOT (..)`.
        f = if i % 2 == 0 {
            Filter {
                expr: list.or(expr),
                holds: Box::new(move |a| (lo..lo + 7).contains(&a) || holds(a)),
            }
        } else {
            Filter {
                expr: list.not().and(expr),
                holds: Box::new(move |a| !(lo..lo + 7).contains(&a) && holds(a)),
            }
        };
    }
    f
}

/// The shape the engine measures.
fn shape(e: &Expr<bool>) -> Shape {
    e.clone().into_untyped().shape(Shape {
        depth: usize::MAX,
        nodes: usize::MAX,
    })
}

async fn ids_where(db: &mut Db, filter: Expr<bool>) -> Result<Vec<i64>> {
    let rows = Probe::filter(filter).exec(db).await?;
    Ok(sorted(rows.into_iter().map(|p| p.id).collect()))
}

fn expected(holds: impl Fn(i64) -> bool) -> Vec<i64> {
    IDS.filter(|&id| holds(id)).collect()
}

/// A filter exactly `MAX_FILTER_DEPTH` deep is answered on every backend; one level
/// more is `InvalidStatement` naming the limit, for queries, counts, updates and
/// deletes alike, and nothing is changed.
pub async fn limits_filter_depth(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    // by_key() AND nested(n) is n + 2 levels deep when nested(n) is an `and` (merged
    // into the outer one) and n + 3 when it is an `or`; one more when `deeper`.
    let (at_limit, deeper) = (1..MAX_FILTER_DEPTH)
        .flat_map(|n| [(n, false), (n, true)])
        .find(|&(n, d)| shape(&by_key().and(nested(n, d))).depth == MAX_FILTER_DEPTH)
        .expect("some nesting reaches the limit exactly");
    let want = expected(|a| nested_holds(at_limit, a));
    assert!(!want.is_empty() && want.len() < N, "{want:?}");
    let filter = by_key().and(nested(at_limit, deeper));
    assert_eq!(ids_where(&mut db, filter).await?, want);

    // Two more levels are always deeper (one more may only turn the innermost `or` into
    // an `and` merged with the outer one).
    for levels in [at_limit + 2, at_limit + 3, 100_000] {
        let deep = || by_key().and(nested(levels, deeper));
        assert!(shape(&deep()).depth > MAX_FILTER_DEPTH);
        let mentions = ["MAX_FILTER_DEPTH", &MAX_FILTER_DEPTH.to_string(), "Probe"];
        expect_err(
            Probe::filter(deep()).exec(&mut db).await,
            ErrorKind::InvalidStatement,
            &mentions,
        );
        expect_err(
            Probe::filter(deep()).count().exec(&mut db).await,
            ErrorKind::InvalidStatement,
            &mentions,
        );
        expect_err(
            Probe::filter(deep()).update().name("x").exec(&mut db).await,
            ErrorKind::InvalidStatement,
            &mentions,
        );
        expect_err(
            Probe::filter(deep()).delete().exec(&mut db).await,
            ErrorKind::InvalidStatement,
            &mentions,
        );
    }
    // Nothing was updated or deleted.
    let all = Probe::filter(by_key()).exec(&mut db).await?;
    assert_eq!(all.len(), N);
    assert!(all.iter().all(|p| p.name == format!("p{}", p.id)));
    Ok(())
}

/// At the depth limit, with an `or` of seven comparisons at every level (the longest
/// list SQL gets flat), every backend answers: SQLite's expression depth (1000) is
/// not reached.
pub async fn limits_wide_filter_at_depth_limit(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let levels = (1..MAX_FILTER_DEPTH)
        .take_while(|&n| shape(&by_key().and(wide(n).expr)).depth <= MAX_FILTER_DEPTH)
        .last()
        .expect("one level fits");
    let f = wide(levels);
    let filter = by_key().and(f.expr);
    assert!(
        shape(&filter).depth >= MAX_FILTER_DEPTH - 2,
        "{:?}",
        shape(&filter)
    );
    assert_eq!(ids_where(&mut db, filter).await?, expected(&f.holds));
    Ok(())
}

/// An `or` of `n` equalities of `age`.
fn age_equalities(values: impl IntoIterator<Item = i64>) -> Expr<bool> {
    let mut values = values.into_iter();
    let first = values.next().map_or(age().eq(-1), |v| age().eq(v));
    values.fold(first, |f, v| f.or(age().eq(v)))
}

/// A filter of exactly `MAX_FILTER_NODES` nodes is answered; one node more (here three)
/// is `InvalidStatement` naming the limit.
pub async fn limits_filter_nodes(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    // by_key() AND (age = 0 OR .. OR age = k-1): 4 + 3k nodes.
    let k = (MAX_FILTER_NODES - 4) / 3;
    let at_limit = by_key().and(age_equalities((0..k as i64).map(|i| i * 2)));
    assert_eq!(shape(&at_limit).nodes, MAX_FILTER_NODES);
    assert_eq!(ids_where(&mut db, at_limit).await?, vec![0, 2, 4, 6, 8]);

    let over = by_key().and(age_equalities((0..=k as i64).map(|i| i * 2)));
    assert!(shape(&over).nodes > MAX_FILTER_NODES);
    expect_err(
        ids_where(&mut db, over).await,
        ErrorKind::InvalidStatement,
        &["MAX_FILTER_NODES", &MAX_FILTER_NODES.to_string()],
    );
    // A flat `or` of 100,000 equalities is refused just the same.
    let huge = age_equalities(0..100_000);
    expect_err(
        Probe::filter(huge).count().exec(&mut db).await,
        ErrorKind::InvalidStatement,
        &["MAX_FILTER_NODES"],
    );
    Ok(())
}

/// An `or` of 1,000 equalities returns the same rows on every backend (SQLite included:
/// the SQL is an `IN`), through the key and, on SQL backends, on an indexed field; an
/// `or` of 3,000 other comparisons too (the SQL nests them in balanced groups).
pub async fn limits_long_or_chains(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let ids = || Probe::fields().id();
    let mut by_id = ids().eq(1_000);
    for i in (0..1_000).map(|i| i * 3) {
        by_id = by_id.or(ids().eq(i));
    }
    assert_eq!(ids_where(&mut db, by_id).await?, vec![0, 3, 6, 9]);
    if t.is_sql() {
        let by_age = age_equalities((0..1_000).map(|i| i * 4));
        assert_eq!(ids_where(&mut db, by_age).await?, vec![0, 4, 8]);
        let count = Probe::filter(age_equalities((0..1_000).map(|i| i * 4 + 1)))
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(count, 3);
    }
    // age > 7 OR age > 8 OR .. (3,000 comparisons): age > 7.
    let mut gt = age().gt(7);
    for i in 8..3_007 {
        gt = gt.or(age().gt(i));
    }
    assert_eq!(ids_where(&mut db, by_key().and(gt)).await?, vec![8, 9]);
    // The same through an update and a delete (their filters take the same path).
    let mut odd = age().eq(1);
    for i in (1..1_000).map(|i| i * 2 + 1) {
        odd = odd.or(age().eq(i));
    }
    let updated = Probe::filter(by_key().and(odd.clone()))
        .update()
        .name("odd")
        .exec(&mut db)
        .await?;
    assert_eq!(updated, 5);
    let deleted = Probe::filter(by_key().and(odd))
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(deleted, 5);
    assert_eq!(
        ids_where(&mut db, by_key()).await?,
        vec![0, 2, 4, 6, 8],
        "the odd ids were deleted"
    );
    Ok(())
}

/// An `in_list` of `MAX_FILTER_VALUES` values is answered; one value more is
/// `InvalidStatement` naming the limit.
pub async fn limits_filter_values(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let values = MAX_FILTER_VALUES as i64;
    // Ids 0, 2, 4, ..: the even records, and thousands that do not exist.
    let at_limit = Probe::fields().id().in_list((0..values).map(|i| i * 2));
    assert_eq!(ids_where(&mut db, at_limit).await?, vec![0, 2, 4, 6, 8]);
    let over = Probe::fields().id().in_list((0..=values).map(|i| i * 2));
    expect_err(
        ids_where(&mut db, over).await,
        ErrorKind::InvalidStatement,
        &["MAX_FILTER_VALUES", &MAX_FILTER_VALUES.to_string()],
    );
    // Values in comparisons count too.
    let mixed = Probe::fields().id().in_list(0..values).and(age().ge(0));
    expect_err(
        ids_where(&mut db, mixed).await,
        ErrorKind::InvalidStatement,
        &["MAX_FILTER_VALUES"],
    );
    Ok(())
}

/// `limit` and `offset` up to `MAX_LIMIT` (`i64::MAX`) are answered on every backend,
/// beyond it `InvalidStatement`; a page size up to `MAX_LIMIT - 1` works, 0 and
/// `usize::MAX` are `InvalidStatement`: nothing panics or overflows.
pub async fn limits_limit_offset_page_size(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let max = MAX_LIMIT as usize;
    let q = || Probe::filter(by_key()).order_by(Probe::fields().id().asc());
    let ids = |rows: Vec<Probe>| rows.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(
        ids(q().limit(max).exec(&mut db).await?),
        IDS.collect::<Vec<_>>()
    );
    assert_eq!(
        ids(q().offset(8).limit(max).exec(&mut db).await?),
        vec![8, 9]
    );
    assert!(q().offset(max).exec(&mut db).await?.is_empty());
    assert!(q().offset(max).limit(max).exec(&mut db).await?.is_empty());
    assert_eq!(q().limit(max).count().exec(&mut db).await?, 10);

    for (what, r) in [
        ("limit", q().limit(max + 1).exec(&mut db).await),
        ("limit", q().limit(usize::MAX).exec(&mut db).await),
        ("offset", q().offset(max + 1).exec(&mut db).await),
        (
            "offset",
            q().offset(usize::MAX).limit(1).exec(&mut db).await,
        ),
    ] {
        expect_err(
            r,
            ErrorKind::InvalidStatement,
            &[what, "MAX_LIMIT", &MAX_LIMIT.to_string()],
        );
    }

    let page = q().paginate(max - 1).exec(&mut db).await?;
    assert_eq!(page.len(), N);
    assert!(!page.has_next());
    for size in [max, usize::MAX] {
        expect_err(
            q().paginate(size).exec(&mut db).await,
            ErrorKind::InvalidStatement,
            &["page size", "MAX_LIMIT"],
        );
    }
    expect_err(
        q().paginate(0).exec(&mut db).await,
        ErrorKind::InvalidStatement,
        &["page size"],
    );
    Ok(())
}

/// A failing statement is quoted in the error only in part (its first 200 bytes and how
/// many more there were), on every SQL backend: the reason stays readable.
pub async fn limits_errors_quote_sql_briefly(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let conditions = vec!["(1 = 1)"; 2_000].join(" OR ");
    let sql = format!("SELECT 1 FROM no_such_table_anywhere WHERE {conditions}");
    let result = toasty::sql::statement(sql.clone()).exec(&mut db).await;
    if !matches!(db.capability().name, "sqlite" | "postgres" | "mysql") {
        // memdb and DynamoDB run no SQL text.
        expect_err(result, ErrorKind::Unsupported, &[]);
        return Ok(());
    }
    let err = result.expect_err("the table does not exist");
    let msg = err.to_string();
    assert!(msg.len() < 1_000, "{} bytes: {msg}", msg.len());
    assert!(msg.contains("no_such_table_anywhere"), "{msg}");
    if msg.contains("SELECT 1 FROM") {
        assert!(msg.contains("more bytes"), "{msg}");
    }
    Ok(())
}

/// A key or index whose fields take more than 3072 bytes (four `String` fields: MySQL
/// counts 1020 bytes for each) is refused when the `Db` is built, with `InvalidSchema`
/// naming the model and the limit, on every backend (not only on MySQL at
/// `push_schema`); three `String`s and an integer fit, and work everywhere a composite
/// key of four fields is supported.
pub async fn limits_key_size(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[key(a, b, c, d)]
    struct FourKey {
        a: String,
        b: String,
        c: String,
        d: String,
    }

    #[derive(Debug, toasty::Model)]
    #[index(a, b, c, d)]
    struct FourIndex {
        #[key]
        id: i64,
        a: String,
        b: String,
        c: String,
        d: String,
    }

    #[derive(Debug, toasty::Model)]
    #[key(a, b, c, n)]
    struct Fits {
        a: String,
        b: String,
        c: String,
        n: i64,
    }

    for (what, models) in [
        ("FourKey", toasty::models!(FourKey)),
        ("FourIndex", toasty::models!(FourIndex)),
    ] {
        expect_err(
            t.setup_db(models).await,
            ErrorKind::InvalidSchema,
            &[what, "3072", "bytes"],
        );
    }
    let mut db = match t.setup_db(toasty::models!(Fits)).await {
        // Key-value stores take keys of at most two fields (a partition and a sort key).
        Err(e) if e.kind() == ErrorKind::Unsupported && e.message().contains("at most 2") => {
            return Ok(())
        }
        other => other?,
    };
    let long = "é".repeat(255);
    Fits::create()
        .a(long.as_str())
        .b(long.as_str())
        .c(long.as_str())
        .n(1)
        .exec(&mut db)
        .await?;
    let got = Fits::filter(Fits::fields().a().eq(long.as_str()))
        .exec(&mut db)
        .await?;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].c, long);
    Ok(())
}
