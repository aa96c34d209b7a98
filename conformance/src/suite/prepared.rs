//! Prepared statements (`db.prepare(|args| statement)`) and the implicit statement
//! cache: a statement run again with new values gives the answers a fresh statement
//! gives, including its errors, on every backend. SQL backends keep one plan per
//! statement shape; key-value backends compile every run (and keep none).

use super::support::{expect_err, sorted};
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
struct Gadget {
    #[key]
    id: i64,
    #[index]
    category: String,
    #[unique]
    email: String,
    score: Option<i32>,
}

async fn seed(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    toasty::create!(Gadget::[
        { id: 1, category: "a", email: "one@x", score: 10 },
        { id: 2, category: "a", email: "two@x", score: 20 },
        { id: 3, category: "a", email: "three@x" },
        { id: 4, category: "b", email: "four@x", score: 40 },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

fn ids(gadgets: Vec<Gadget>) -> Vec<i64> {
    sorted(gadgets.into_iter().map(|g| g.id).collect())
}

/// A prepared lookup, count, ordered and limited read run with many arguments gives
/// each argument's answer; SQL backends keep one plan per shape, key-value ones none.
pub async fn prepared_reads_with_arguments(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let by_email = db.prepare(|email: &str| Gadget::filter_by_email(email).first());
    for (email, id) in [("one@x", Some(1)), ("four@x", Some(4)), ("none@x", None)] {
        let found = by_email.exec(&mut db, email).await?;
        assert_eq!(found.map(|g| g.id), id, "{email}");
    }
    let by_id = db.prepare(|id: i64| Gadget::filter_by_id(id).one());
    assert_eq!(by_id.exec(&mut db, 2).await?.email, "two@x");
    assert_eq!(by_id.exec(&mut db, 3).await?.email, "three@x");
    expect_err(by_id.exec(&mut db, 99).await, ErrorKind::NotFound, &[]);

    let top = db.prepare(|(category, n): (&str, usize)| {
        Gadget::filter_by_category(category)
            .order_by(Gadget::fields().id().desc())
            .limit(n)
    });
    let got: Vec<i64> = top
        .exec(&mut db, ("a", 2))
        .await?
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(got, vec![3, 2]);
    let got: Vec<i64> = top
        .exec(&mut db, ("b", 2))
        .await?
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(got, vec![4]);
    // Another limit is another shape (SQLite inlines it).
    let got: Vec<i64> = top
        .exec(&mut db, ("a", 1))
        .await?
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(got, vec![3]);

    let at_least = db.prepare(|(category, min): (&str, i32)| {
        Gadget::filter_by_category(category)
            .filter(Gadget::fields().score().ge(min))
            .count()
    });
    assert_eq!(at_least.exec(&mut db, ("a", 10)).await?, 2);
    assert_eq!(at_least.exec(&mut db, ("a", 15)).await?, 1);
    assert_eq!(at_least.exec(&mut db, ("a", 21)).await?, 0);
    assert_eq!(at_least.exec(&mut db, ("b", 0)).await?, 1);

    if t.is_sql() {
        assert_eq!(by_email.shapes(), 1);
        assert_eq!(by_id.shapes(), 1);
        assert_eq!(top.shapes(), 2);
        assert_eq!(at_least.shapes(), 1);
    } else {
        assert_eq!(by_email.shapes() + top.shapes() + at_least.shapes(), 0);
    }
    Ok(())
}

/// `None` and a value are different shapes: comparing with NULL matches nothing, and
/// the next value is compared again.
pub async fn prepared_null_and_value_arguments(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let scored = db.prepare(|score: Option<i32>| {
        Gadget::filter_by_category("a").filter(Gadget::fields().score().eq(score))
    });
    assert_eq!(ids(scored.exec(&mut db, Some(10)).await?), vec![1]);
    assert_eq!(ids(scored.exec(&mut db, None).await?), Vec::<i64>::new());
    assert_eq!(ids(scored.exec(&mut db, Some(20)).await?), vec![2]);
    let any_of = db.prepare(|list: Vec<i64>| {
        Gadget::filter_by_category("a").filter(Gadget::fields().id().in_list(list))
    });
    assert_eq!(ids(any_of.exec(&mut db, vec![1, 3]).await?), vec![1, 3]);
    assert_eq!(ids(any_of.exec(&mut db, vec![2]).await?), vec![2]);
    assert_eq!(ids(any_of.exec(&mut db, vec![]).await?), Vec::<i64>::new());
    assert_eq!(ids(any_of.exec(&mut db, vec![4, 1, 2]).await?), vec![1, 2]);
    Ok(())
}

/// Prepared updates and deletes change exactly the records their arguments select, and
/// a value out of its field's range is refused on every run, the first and later ones.
pub async fn prepared_writes_and_errors(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let set_score =
        db.prepare(|(id, score): (i64, i32)| Gadget::filter_by_id(id).update().score(score));
    set_score.exec(&mut db, (1, 11)).await?;
    set_score.exec(&mut db, (3, 33)).await?;
    assert_eq!(Gadget::get_by_id(&mut db, 1).await?.score, Some(11));
    assert_eq!(Gadget::get_by_id(&mut db, 3).await?.score, Some(33));
    assert_eq!(Gadget::get_by_id(&mut db, 2).await?.score, Some(20));

    // Keyed strings hold at most 255 characters: the value is checked on every run,
    // before and after the statement's plan is kept, and nothing is written.
    let set_email =
        db.prepare(|(id, email): (i64, String)| Gadget::filter_by_id(id).update().email(email));
    let long = "x".repeat(300);
    expect_err(
        set_email.exec(&mut db, (2, long.clone())).await,
        ErrorKind::ValueOutOfRange,
        &[],
    );
    set_email.exec(&mut db, (2, "deux@x".to_string())).await?;
    expect_err(
        set_email.exec(&mut db, (2, long)).await,
        ErrorKind::ValueOutOfRange,
        &[],
    );
    assert_eq!(Gadget::get_by_id(&mut db, 2).await?.email, "deux@x");

    let over = db.prepare(|email: String| {
        toasty::create!(Gadget {
            id: 9,
            category: "c",
            email: email
        })
    });
    over.exec(&mut db, "nine@x".to_string()).await?;
    expect_err(
        over.exec(&mut db, "again@x".to_string()).await,
        ErrorKind::UniqueViolation,
        &[],
    );

    let remove = db.prepare(|id: i64| Gadget::filter_by_id(id).delete());
    remove.exec(&mut db, 9).await?;
    remove.exec(&mut db, 4).await?;
    remove.exec(&mut db, 4).await?;
    assert_eq!(
        ids(Gadget::filter_by_category("b").exec(&mut db).await?),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(Gadget::filter_by_category("a").exec(&mut db).await?),
        vec![1, 2, 3]
    );
    Ok(())
}

/// A prepared statement runs in a transaction of its `Db` (seeing its uncommitted
/// writes; key-value stores have no transactions and say so) and on another `Db`, with
/// the same answers.
pub async fn prepared_in_transaction_and_other_db(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let by_category = db.prepare(|category: &str| Gadget::filter_by_category(category));
    assert_eq!(ids(by_category.exec(&mut db, "b").await?), vec![4]);
    if t.is_kv() {
        // Key-value stores have no interactive transactions.
        expect_err(
            db.transaction().await,
            ErrorKind::Unsupported,
            &["transaction"],
        );
    } else {
        let mut tx = db.transaction().await?;
        toasty::create!(Gadget {
            id: 5,
            category: "b",
            email: "five@x"
        })
        .exec(&mut tx)
        .await?;
        assert_eq!(ids(by_category.exec(&mut tx, "b").await?), vec![4, 5]);
        tx.rollback().await?;
        assert_eq!(ids(by_category.exec(&mut db, "b").await?), vec![4]);
    }

    let mut other = seed(t).await?;
    toasty::create!(Gadget {
        id: 6,
        category: "b",
        email: "six@x"
    })
    .exec(&mut other)
    .await?;
    assert_eq!(ids(by_category.exec(&mut other, "b").await?), vec![4, 6]);
    assert_eq!(ids(by_category.exec(&mut db, "b").await?), vec![4]);
    Ok(())
}

/// The implicit cache: the same statement shapes run again give the same answers and,
/// on SQL backends, reuse their plans.
pub async fn statement_cache_reuses_plans(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let before = db.statement_cache_stats();
    for id in 1..=4 {
        let g = Gadget::get_by_id(&mut db, id).await?;
        assert_eq!(g.id, id);
    }
    for (category, n) in [("a", 3), ("b", 1), ("c", 0)] {
        let count = Gadget::filter_by_category(category)
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(count, n);
    }
    let after = db.statement_cache_stats();
    if t.is_sql() {
        assert!(after.hits >= before.hits + 5, "{before:?} -> {after:?}");
    } else {
        assert_eq!(after.hits, before.hits, "key-value plans are not cached");
    }
    db.clear_statement_cache();
    assert_eq!(db.statement_cache_stats().len, 0);
    assert_eq!(Gadget::get_by_id(&mut db, 2).await?.email, "two@x");
    Ok(())
}
