//! The terminals `.count()`, `.first()` and `.get()`.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(shelf, id)]
struct Book {
    shelf: String,
    id: i64,
    #[index]
    author: String,
    pages: Option<i32>,
}

async fn seed(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Book)).await?;
    toasty::create!(Book::[
        { shelf: "a", id: 1, author: "le guin", pages: 300 },
        { shelf: "a", id: 2, author: "le guin", pages: 200 },
        { shelf: "a", id: 3, author: "banks" },
        { shelf: "b", id: 1, author: "banks", pages: 500 },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

/// `.count()` with filters, with an index, with limit/offset, and on an empty result.
pub async fn count_with_filters(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Book::fields;
    assert_eq!(Book::filter_by_shelf("a").count().exec(&mut db).await?, 3);
    assert_eq!(
        Book::filter_by_author("banks")
            .count()
            .exec(&mut db)
            .await?,
        2
    );
    let n = Book::filter_by_shelf("a")
        .filter(f().pages().gt(250))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    let n = Book::filter_by_shelf("a")
        .filter(f().pages().gt(250).not())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1, "the NULL page count matches neither side");
    assert_eq!(Book::filter_by_shelf("z").count().exec(&mut db).await?, 0);
    let n = Book::filter_by_shelf("a")
        .limit(2)
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 2, "limit applies to the count");
    let n = Book::filter_by_shelf("a")
        .offset(2)
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1, "offset applies to the count");
    let n = Book::filter(f().shelf().eq("a").or(f().shelf().eq("b")))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 4);
    Ok(())
}

/// `.get()` returns the one match, not-found for none, too-many-records for several.
pub async fn get_exactly_one(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Book::fields;
    let b = Book::filter_by_shelf("a")
        .filter(f().pages().eq(200))
        .get(&mut db)
        .await?;
    assert_eq!(b.id, 2);
    let r = Book::filter_by_shelf("a")
        .filter(f().pages().eq(999))
        .get(&mut db)
        .await;
    expect_err(r, ErrorKind::NotFound, &["Book"]);
    let r = Book::filter_by_author("le guin").get(&mut db).await;
    expect_err(r, ErrorKind::TooManyRecords, &["Book"]);
    Ok(())
}

/// `.first()` without order returns one of the matches; with no match, `None`.
pub async fn first_any_and_none(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let b = Book::filter_by_author("banks")
        .first()
        .exec(&mut db)
        .await?;
    let b = b.expect("a banks book");
    assert_eq!(b.author, "banks");
    let none = Book::filter_by_author("nobody")
        .first()
        .exec(&mut db)
        .await?;
    assert!(none.is_none());
    let last = Book::filter_by_shelf("a")
        .order_by(Book::fields().pages().desc())
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(last.map(|b| b.id), Some(1));
    Ok(())
}
