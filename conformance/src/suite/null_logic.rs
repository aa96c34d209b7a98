//! Three-valued logic with NULL (`None`) fields: a comparison with NULL is unknown, so it
//! matches neither `p` nor `p.not()`; `is_none`/`is_some` are the only NULL tests.

use crate::Test;
use toasty::{Db, Expr, Result};

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Maybe {
    grp: String,
    id: i64,
    n: Option<i64>,
    s: Option<String>,
    flag: Option<bool>,
}

/// id 0: all NULL; id 1: n = 1, s = "abc", flag = true; id 2: n = 2, s = "xyz", flag = false.
async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Maybe)).await?;
    toasty::create!(Maybe::[
        { grp: "g", id: 0 },
        { grp: "g", id: 1, n: 1, s: "abc", flag: true },
        { grp: "g", id: 2, n: 2, s: "xyz", flag: false },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

async fn ids(db: &mut Db, e: Expr<bool>) -> Result<Vec<i64>> {
    let mut v: Vec<i64> = Maybe::filter(Maybe::fields().grp().eq("g").and(e))
        .exec(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    v.sort();
    Ok(v)
}

/// `is_none`, `is_some` and their negations.
pub async fn null_is_none_is_some(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Maybe::fields;
    assert_eq!(ids(&mut db, f().n().is_none()).await?, [0]);
    assert_eq!(ids(&mut db, f().n().is_some()).await?, [1, 2]);
    assert_eq!(ids(&mut db, f().n().is_none().not()).await?, [1, 2]);
    assert_eq!(ids(&mut db, f().s().is_some().not()).await?, [0]);
    assert_eq!(ids(&mut db, f().flag().is_none()).await?, [0]);
    let back = Maybe::get_by_grp_and_id(&mut db, "g", 0).await?;
    assert_eq!((back.n, back.s, back.flag), (None, None, None));
    Ok(())
}

/// A comparison with a NULL field matches neither the predicate nor its negation.
pub async fn null_comparison_matches_neither_side(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let n = || Maybe::fields().n();
    let preds: Vec<(&str, Expr<bool>, Vec<i64>)> = vec![
        ("eq 1", n().eq(1), vec![1]),
        ("ne 1", n().ne(1), vec![2]),
        ("gt 1", n().gt(1), vec![2]),
        ("ge 1", n().ge(1), vec![1, 2]),
        ("lt 2", n().lt(2), vec![1]),
        ("le 2", n().le(2), vec![1, 2]),
        ("in (1)", n().in_list([1]), vec![1]),
        ("starts_with", Maybe::fields().s().starts_with("a"), vec![1]),
        ("contains", Maybe::fields().s().contains("y"), vec![2]),
        ("ends_with", Maybe::fields().s().ends_with("c"), vec![1]),
        ("flag eq true", Maybe::fields().flag().eq(true), vec![1]),
    ];
    for (name, p, expected) in preds {
        assert_eq!(ids(&mut db, p.clone()).await?, expected, "{name}");
        let negated: Vec<i64> = [1, 2]
            .into_iter()
            .filter(|i| !expected.contains(i))
            .collect();
        assert_eq!(ids(&mut db, p.not()).await?, negated, "NOT {name}");
    }
    Ok(())
}

/// Comparing with `None` is unknown for every row (it is not `is_none`).
pub async fn null_compare_with_none_literal(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let n = || Maybe::fields().n();
    assert_eq!(ids(&mut db, n().eq(None::<i64>)).await?, Vec::<i64>::new());
    assert_eq!(
        ids(&mut db, n().eq(None::<i64>).not()).await?,
        Vec::<i64>::new()
    );
    assert_eq!(ids(&mut db, n().ne(None::<i64>)).await?, Vec::<i64>::new());
    assert_eq!(ids(&mut db, n().in_list([Some(1), None])).await?, [1]);
    assert_eq!(
        ids(&mut db, n().in_list([Some(1), None]).not()).await?,
        Vec::<i64>::new(),
        "NOT IN with a NULL in the list is never true"
    );
    Ok(())
}

/// `AND`/`OR`/`NOT` with an unknown operand follow three-valued logic.
pub async fn null_and_or_not(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let n = || Maybe::fields().n();
    let id = || Maybe::fields().id();
    // unknown OR true = true
    assert_eq!(ids(&mut db, n().gt(0).or(id().eq(0))).await?, [0, 1, 2]);
    // unknown OR false = unknown, so its NOT is unknown too
    assert_eq!(ids(&mut db, n().gt(1).or(id().eq(5))).await?, [2]);
    assert_eq!(ids(&mut db, n().gt(1).or(id().eq(5)).not()).await?, [1]);
    // unknown AND false = false, so its NOT is true
    assert_eq!(ids(&mut db, n().gt(0).and(id().ne(0)).not()).await?, [0]);
    // unknown AND true = unknown
    assert_eq!(
        ids(&mut db, n().gt(0).and(id().eq(0))).await?,
        Vec::<i64>::new()
    );
    assert_eq!(ids(&mut db, n().gt(0).and(id().eq(0)).not()).await?, [1, 2]);
    // is_none OR comparison selects the NULL row explicitly
    assert_eq!(ids(&mut db, n().is_none().or(n().eq(2))).await?, [0, 2]);
    // double negation keeps unknown unknown
    assert_eq!(ids(&mut db, n().eq(1).not().not()).await?, [1]);
    Ok(())
}

/// `IN ()` matches nothing; `NOT IN ()` matches every non-NULL value.
pub async fn null_empty_in_list(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let n = || Maybe::fields().n();
    let empty: Vec<i64> = Vec::new();
    assert_eq!(
        ids(&mut db, n().in_list(empty.clone())).await?,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&mut db, n().in_list(empty.clone()).not()).await?,
        [1, 2]
    );
    let empty_s: Vec<String> = Vec::new();
    assert_eq!(
        ids(&mut db, Maybe::fields().s().in_list(empty_s).not()).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&mut db, Maybe::fields().id().in_list(empty).not()).await?,
        [0, 1, 2]
    );
    Ok(())
}

/// Setting an optional field to `None` and back to `Some` through updates.
pub async fn null_update_to_none_and_back(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let mut m = Maybe::get_by_grp_and_id(&mut db, "g", 1).await?;
    // A bare `None` needs no type annotation.
    m.update().n(None).s(None).exec(&mut db).await?;
    assert_eq!((m.n, m.s.as_deref()), (None, None));
    assert_eq!(ids(&mut db, Maybe::fields().n().is_none()).await?, [0, 1]);
    m.update().n(7).exec(&mut db).await?;
    assert_eq!(m.n, Some(7));
    assert_eq!(Maybe::get_by_grp_and_id(&mut db, "g", 1).await?.n, Some(7));
    Ok(())
}
