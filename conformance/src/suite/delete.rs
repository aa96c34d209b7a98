//! Deletes: `instance.delete()`, `.delete()` on a query, deleting what does not exist, and
//! the refusal to delete a limited slice.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(folder, id)]
struct Note {
    folder: String,
    id: i64,
    body: String,
    pinned: bool,
}

async fn seed(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Note)).await?;
    let mut batch = Note::create_many();
    for i in 0..10 {
        batch = batch.item(
            Note::create()
                .folder("f")
                .id(i)
                .body(format!("n{i}"))
                .pinned(i % 3 == 0),
        );
    }
    batch = batch.item(Note::create().folder("g").id(0).body("keep").pinned(false));
    batch.exec(&mut db).await?;
    Ok(db)
}

/// `instance.delete()` removes exactly that record.
pub async fn delete_instance(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let n = Note::get_by_folder_and_id(&mut db, "f", 4).await?;
    n.delete().exec(&mut db).await?;
    let r = Note::get_by_folder_and_id(&mut db, "f", 4).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    assert_eq!(Note::filter_by_folder("f").count().exec(&mut db).await?, 9);
    // Deleting it again is not an error.
    n.delete().exec(&mut db).await?;
    assert_eq!(Note::filter_by_folder("f").count().exec(&mut db).await?, 9);
    Ok(())
}

/// `.delete()` on a filtered query removes the matching records only.
pub async fn delete_query(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    Note::filter_by_folder("f")
        .filter(Note::fields().pinned().eq(true))
        .delete()
        .exec(&mut db)
        .await?;
    let mut left: Vec<i64> = Note::filter_by_folder("f")
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    left.sort();
    assert_eq!(left, [1, 2, 4, 5, 7, 8]);
    assert_eq!(Note::filter_by_folder("g").count().exec(&mut db).await?, 1);
    // A query matching nothing deletes nothing and is not an error.
    Note::filter_by_folder("none")
        .delete()
        .exec(&mut db)
        .await?;
    // Order is ignored by delete.
    Note::filter_by_folder("f")
        .order_by(Note::fields().id().desc())
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(Note::filter_by_folder("f").count().exec(&mut db).await?, 0);
    assert_eq!(Note::filter_by_folder("g").count().exec(&mut db).await?, 1);
    Ok(())
}

/// Deleting with a limit or offset is refused before anything is deleted.
pub async fn delete_with_limit_refused(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let r = Note::filter_by_folder("f")
        .limit(2)
        .delete()
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["limit"]);
    let r = Note::filter_by_folder("f")
        .offset(2)
        .delete()
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["offset"]);
    assert_eq!(Note::filter_by_folder("f").count().exec(&mut db).await?, 10);
    Ok(())
}

/// A deleted key can be created again, with new values.
pub async fn delete_then_recreate_same_key(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    Note::delete_by_folder_and_id(&mut db, "f", 1).await?;
    Note::create()
        .folder("f")
        .id(1)
        .body("again")
        .pinned(true)
        .exec(&mut db)
        .await?;
    let n = Note::get_by_folder_and_id(&mut db, "f", 1).await?;
    assert_eq!((n.body.as_str(), n.pinned), ("again", true));
    assert_eq!(Note::filter_by_folder("f").count().exec(&mut db).await?, 10);
    Ok(())
}
