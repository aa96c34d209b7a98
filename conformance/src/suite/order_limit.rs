//! Ordering (single key, tuples, ascending and descending, NULL first ascending and last
//! descending), `limit`, `offset` and `.first()`.

use crate::Test;
use toasty::{Db, Result};

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Entry {
    grp: String,
    id: i64,
    score: Option<i64>,
    name: String,
}

/// Scores: 0 → 30, 1 → NULL, 2 → 10, 3 → 30, 4 → NULL, 5 → 20; names break ties.
async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Entry)).await?;
    toasty::create!(Entry::[
        { grp: "g", id: 0, score: 30, name: "d" },
        { grp: "g", id: 1, name: "b" },
        { grp: "g", id: 2, score: 10, name: "c" },
        { grp: "g", id: 3, score: 30, name: "a" },
        { grp: "g", id: 4, name: "e" },
        { grp: "g", id: 5, score: 20, name: "f" },
        { grp: "other", id: 0, score: 0, name: "z" },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

fn in_g() -> toasty::Query<Entry> {
    Entry::filter(Entry::fields().grp().eq("g"))
}

fn ids(rows: Vec<Entry>) -> Vec<i64> {
    rows.into_iter().map(|e| e.id).collect()
}

/// Ascending order puts NULL first; descending puts NULL last.
pub async fn order_nulls_first_asc_last_desc(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Entry::fields;
    let asc = in_g()
        .order_by((f().score().asc(), f().id().asc()))
        .exec(&mut db)
        .await?;
    assert_eq!(ids(asc), [1, 4, 2, 5, 0, 3]);
    let desc = in_g()
        .order_by((f().score().desc(), f().id().asc()))
        .exec(&mut db)
        .await?;
    assert_eq!(ids(desc), [0, 3, 5, 2, 1, 4]);
    Ok(())
}

/// A single key orders by that key; the order of strings is by code point.
pub async fn order_single_key(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let names: Vec<String> = in_g()
        .order_by(Entry::fields().name().desc())
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["f", "e", "d", "c", "b", "a"]);
    let by_id = in_g()
        .order_by(Entry::fields().id().desc())
        .exec(&mut db)
        .await?;
    assert_eq!(ids(by_id), [5, 4, 3, 2, 1, 0]);
    Ok(())
}

/// A tuple orders by the first key, then the next on ties; calling `order_by` again adds
/// lower-priority keys.
pub async fn order_tuple_and_chained(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Entry::fields;
    let rows = in_g()
        .order_by((f().score().desc(), f().name().asc()))
        .exec(&mut db)
        .await?;
    assert_eq!(ids(rows), [3, 0, 5, 2, 1, 4]);
    let rows = in_g()
        .order_by(f().score().desc())
        .order_by(f().name().desc())
        .exec(&mut db)
        .await?;
    assert_eq!(ids(rows), [0, 3, 5, 2, 4, 1]);
    Ok(())
}

/// `limit` and `offset` slice the ordered result, alone and together.
pub async fn order_limit_offset(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let ord = || in_g().order_by(Entry::fields().id().asc());
    assert_eq!(ids(ord().limit(2).exec(&mut db).await?), [0, 1]);
    assert_eq!(ids(ord().offset(4).exec(&mut db).await?), [4, 5]);
    assert_eq!(
        ids(ord().offset(2).limit(3).exec(&mut db).await?),
        [2, 3, 4]
    );
    assert_eq!(ids(ord().offset(5).limit(3).exec(&mut db).await?), [5]);
    assert!(ord().offset(6).exec(&mut db).await?.is_empty());
    assert!(ord().offset(100).limit(1).exec(&mut db).await?.is_empty());
    assert!(ord().limit(0).exec(&mut db).await?.is_empty());
    assert_eq!(ord().limit(100).exec(&mut db).await?.len(), 6);
    // limit applies after the filter
    let q = in_g()
        .filter(Entry::fields().score().is_some())
        .order_by(Entry::fields().score().asc())
        .limit(2);
    assert_eq!(ids(q.exec(&mut db).await?), [2, 5]);
    Ok(())
}

/// `.first()` returns the first record in order, or `None` when nothing matches.
pub async fn order_first(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Entry::fields;
    let first = in_g()
        .order_by((f().score().desc(), f().id().desc()))
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(first.map(|e| e.id), Some(3));
    let first = in_g()
        .order_by(f().score().asc())
        .filter(f().score().is_some())
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(first.map(|e| e.id), Some(2));
    let none = in_g()
        .filter(f().score().gt(1000))
        .first()
        .exec(&mut db)
        .await?;
    assert!(none.is_none());
    let skipped = in_g()
        .order_by(f().id().asc())
        .offset(3)
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(skipped.map(|e| e.id), Some(3));
    Ok(())
}
