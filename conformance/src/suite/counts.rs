//! What updates and deletes return: the number of records they matched (updated) or
//! removed, the same on every backend (including records given the value they already
//! had, which some databases report as unchanged), and the refusal of a limit or offset
//! on an update or delete through the untyped API.

use super::support::expect_err;
use crate::Test;
use toasty::{Db, ErrorKind, Result};
use toasty_core::stmt;

#[derive(Debug, toasty::Model)]
struct Row {
    #[key]
    id: i64,
    #[unique]
    code: String,
    #[index]
    grp: String,
    n: i64,
    note: Option<String>,
}

/// Rows 1..=5: group `a` holds 1, 2, 3 (n = id), group `b` holds 4, 5 (n = 0).
async fn rows(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Row)).await?;
    let mut batch = Row::create_many();
    for id in 1..=5i64 {
        let (grp, n) = if id <= 3 { ("a", id) } else { ("b", 0) };
        batch = batch.item(Row::create().id(id).code(format!("c{id}")).grp(grp).n(n));
    }
    batch.exec(&mut db).await?;
    Ok(db)
}

/// `(id, n)` of every stored row (ids 0..50), by id.
async fn values(db: &mut Db) -> Result<Vec<(i64, i64)>> {
    let mut v: Vec<(i64, i64)> = Row::filter(Row::fields().id().in_list(0..50))
        .exec(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.n))
        .collect();
    v.sort();
    Ok(v)
}

/// An update by filter returns how many records it matched: all of them, also those
/// that already had the value (and when every one had it), and 0 when nothing matches.
pub async fn counts_update_by_filter(t: &mut Test) -> Result<()> {
    let mut db = rows(t).await?;
    assert_eq!(Row::update_by_grp("a").n(2).exec(&mut db).await?, 3);
    assert_eq!(
        values(&mut db).await?,
        [(1, 2), (2, 2), (3, 2), (4, 0), (5, 0)]
    );
    // Every matched record already has the value.
    assert_eq!(Row::update_by_grp("a").n(2).exec(&mut db).await?, 3);
    assert_eq!(Row::update_by_grp("b").n(0).exec(&mut db).await?, 2);
    // Some have it, some do not.
    let r = RowUpdate::from_query(Row::filter_by_grp("a").filter(Row::fields().id().le(2)))
        .n(2)
        .note("x")
        .exec(&mut db)
        .await?;
    assert_eq!(r, 2);
    assert_eq!(Row::update_by_grp("none").n(1).exec(&mut db).await?, 0);
    let r = RowUpdate::from_query(Row::filter_by_grp("a").filter(Row::fields().n().gt(100)))
        .n(1)
        .exec(&mut db)
        .await?;
    assert_eq!(r, 0);
    // By key and by unique value.
    assert_eq!(Row::update_by_id(4).n(40).exec(&mut db).await?, 1);
    assert_eq!(Row::update_by_id(4).n(40).exec(&mut db).await?, 1);
    assert_eq!(Row::update_by_id(99).n(40).exec(&mut db).await?, 0);
    assert_eq!(Row::update_by_code("c5").n(50).exec(&mut db).await?, 1);
    assert_eq!(Row::update_by_code("zz").n(50).exec(&mut db).await?, 0);
    // Setting an optional field to None where it already is None still counts.
    let r = RowUpdate::from_query(Row::filter_by_grp("b"))
        .note(None::<String>)
        .exec(&mut db)
        .await?;
    assert_eq!(r, 2);
    assert_eq!(
        values(&mut db).await?,
        [(1, 2), (2, 2), (3, 2), (4, 40), (5, 50)]
    );
    let noted = Row::filter_by_grp("a")
        .filter(Row::fields().note().is_some())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(noted, 2);
    Ok(())
}

/// A delete by filter returns how many records it removed; deleting again removes 0
/// (not an error). `delete_by_*` and an instance delete return counts too.
pub async fn counts_delete_by_filter(t: &mut Test) -> Result<()> {
    let mut db = rows(t).await?;
    let r = Row::filter_by_grp("a")
        .filter(Row::fields().n().ge(2))
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(r, 2);
    assert_eq!(values(&mut db).await?, [(1, 1), (4, 0), (5, 0)]);
    let again = Row::filter_by_grp("a")
        .filter(Row::fields().n().ge(2))
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(again, 0);
    assert_eq!(Row::delete_by_grp(&mut db, "b").await?, 2);
    assert_eq!(Row::delete_by_grp(&mut db, "b").await?, 0);
    assert_eq!(Row::delete_by_grp(&mut db, "none").await?, 0);
    assert_eq!(values(&mut db).await?, [(1, 1)]);

    let mut db = rows(t).await?;
    assert_eq!(Row::delete_by_id(&mut db, 1).await?, 1);
    assert_eq!(Row::delete_by_id(&mut db, 1).await?, 0);
    assert_eq!(Row::delete_by_code(&mut db, "c2").await?, 1);
    assert_eq!(Row::delete_by_code(&mut db, "c2").await?, 0);
    let three = Row::get_by_id(&mut db, 3).await?;
    assert_eq!(three.delete().exec(&mut db).await?, 1);
    assert_eq!(three.delete().exec(&mut db).await?, 0);
    assert_eq!(Row::filter_by_id(4).delete().exec(&mut db).await?, 1);
    assert_eq!(values(&mut db).await?, [(5, 0)]);
    Ok(())
}

/// An instance update returns 1 (also when the values are unchanged) and keeps the
/// local value in step; `toasty::update!` likewise.
pub async fn counts_instance_update(t: &mut Test) -> Result<()> {
    let mut db = rows(t).await?;
    let mut r = Row::get_by_id(&mut db, 1).await?;
    assert_eq!(r.update().n(10).exec(&mut db).await?, 1);
    assert_eq!(r.n, 10);
    assert_eq!(r.update().n(10).exec(&mut db).await?, 1);
    assert_eq!(
        toasty::update!(r { note: "hi", n: 11 })
            .exec(&mut db)
            .await?,
        1
    );
    assert_eq!((r.n, r.note.as_deref()), (11, Some("hi")));
    assert_eq!(toasty::update!(r { note: "hi" }).exec(&mut db).await?, 1);
    let stored = Row::get_by_id(&mut db, 1).await?;
    assert_eq!((stored.n, stored.note.as_deref()), (11, Some("hi")));
    assert_eq!(
        values(&mut db).await?[1..],
        [(2, 2), (3, 3), (4, 0), (5, 0)]
    );
    Ok(())
}

/// A limit or offset on an update or delete through the untyped API is
/// `InvalidStatement` (it used to update or delete every match), also in an untyped
/// batch; nothing changes. Without them the untyped calls return counts.
pub async fn counts_untyped_limit_offset_refused(t: &mut Test) -> Result<()> {
    let mut db = rows(t).await?;
    let model = db.schema().model_id("Row").expect("Row is registered");
    let grp = Row::fields().grp().field_index();
    let n = Row::fields().n().field_index();
    let selection = |g: &str| {
        let mut q = stmt::Query::all(model);
        q.filter = Some(stmt::Expr::eq(
            stmt::Expr::Field(grp),
            stmt::Expr::Value(toasty::Value::from(g.to_string())),
        ));
        q
    };
    let update = |q: stmt::Query| stmt::Update {
        selection: q,
        assignments: vec![(n, toasty::Value::I64(9))],
        arithmetic: Vec::new(),
        returning: false,
    };
    let mut limited = selection("a");
    limited.limit = Some(1);
    let mut offset = selection("a");
    offset.offset = Some(1);
    let mut both = selection("a");
    both.limit = Some(1);
    both.offset = Some(1);
    for q in [limited.clone(), offset.clone(), both] {
        let r = db.exec_update(update(q.clone())).await;
        expect_err(r, ErrorKind::InvalidStatement, &["limit"]);
        let r = db.exec_delete(stmt::Delete { selection: q }).await;
        expect_err(r, ErrorKind::InvalidStatement, &["limit"]);
    }
    let r = db
        .exec_untyped_batch(vec![toasty::UntypedStatement::Update(update(limited))])
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["limit"]);
    let r = db
        .exec_untyped_batch(vec![toasty::UntypedStatement::Delete(stmt::Delete {
            selection: offset,
        })])
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["offset"]);
    assert_eq!(
        values(&mut db).await?,
        [(1, 1), (2, 2), (3, 3), (4, 0), (5, 0)]
    );

    assert_eq!(db.exec_update(update(selection("a"))).await?, 3);
    assert_eq!(db.exec_update(update(selection("a"))).await?, 3);
    assert_eq!(db.exec_update(update(selection("none"))).await?, 0);
    let out = db
        .exec_untyped_batch(vec![
            toasty::UntypedStatement::Count(selection("a")),
            toasty::UntypedStatement::Update(update(selection("b"))),
        ])
        .await?;
    assert_eq!(
        out,
        [
            toasty::UntypedOutcome::Count(3),
            toasty::UntypedOutcome::Count(2)
        ]
    );
    let deleted = db
        .exec_delete(stmt::Delete {
            selection: selection("a"),
        })
        .await?;
    assert_eq!(deleted, 3);
    assert_eq!(values(&mut db).await?, [(4, 9), (5, 9)]);
    Ok(())
}

/// The refusal of a limit on an update reads as one sentence (no run of spaces from a
/// broken line continuation in the message).
pub async fn counts_limit_refusal_message_well_formed(t: &mut Test) -> Result<()> {
    let mut db = rows(t).await?;
    let r = RowUpdate::from_query(Row::filter_by_grp("a").limit(1))
        .n(9)
        .exec(&mut db)
        .await;
    let e = expect_err(r, ErrorKind::InvalidStatement, &["limit", "by key"]);
    assert!(
        !e.message().contains("  "),
        "the message has a run of spaces: {:?}",
        e.message()
    );
    let r = Row::filter_by_grp("a")
        .offset(1)
        .delete()
        .exec(&mut db)
        .await;
    let e = expect_err(r, ErrorKind::InvalidStatement, &["offset"]);
    assert!(
        !e.message().contains("  "),
        "the message has a run of spaces: {:?}",
        e.message()
    );
    Ok(())
}
