//! Linking and unlinking existing records through a `#[has_many]`:
//! `shelf.books().insert(&mut db, &book)` moves a book to the shelf,
//! `shelf.books().remove(&mut db, &book)` deletes it (its foreign key is required) or,
//! for an optional foreign key, sets it to NULL. Pointing a `#[belongs_to]` elsewhere
//! is the update builder's `.shelf(&other)`.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Shelf {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    #[has_many]
    books: toasty::HasMany<Book>,
    #[has_many]
    stickers: toasty::HasMany<Sticker>,
}

/// Required foreign key.
#[derive(Debug, toasty::Model)]
struct Book {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    shelf_id: Uuid,
    #[belongs_to]
    shelf: toasty::BelongsTo<Shelf>,
    title: String,
}

/// Optional foreign key.
#[derive(Debug, toasty::Model)]
struct Sticker {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    shelf_id: Option<Uuid>,
    #[belongs_to]
    shelf: toasty::BelongsTo<Option<Shelf>>,
    label: String,
}

fn titles(books: &[Book]) -> Vec<String> {
    let mut v: Vec<String> = books.iter().map(|b| b.title.clone()).collect();
    v.sort();
    v
}

/// `.insert(..)` moves records to the parent; `.remove(..)` deletes required children
/// and unlinks optional ones, only among those related to the parent.
pub async fn relations_link_unlink(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Shelf, Book, Sticker)).await?;
    let a = toasty::create!(Shelf {
        name: "a",
        books: [{ title: "one" }, { title: "two" }],
        stickers: [{ label: "red" }],
    })
    .exec(&mut db)
    .await?;
    let b = toasty::create!(Shelf { name: "b" }).exec(&mut db).await?;
    let books = a.books().exec(&mut db).await?;
    // Move both books to `b` in one statement.
    b.books().insert(&mut db, &books).await?;
    assert_eq!(a.books().count().exec(&mut db).await?, 0);
    assert_eq!(titles(&b.books().exec(&mut db).await?), ["one", "two"]);
    // Back, one at a time.
    a.books().insert(&mut db, &books[0]).await?;
    assert_eq!(a.books().count().exec(&mut db).await?, 1);
    // Removing a record of another parent does nothing.
    a.books().remove(&mut db, &books[1]).await?;
    assert_eq!(b.books().count().exec(&mut db).await?, 1);
    // Removing a required child deletes it.
    b.books().remove(&mut db, &books[1]).await?;
    assert_eq!(b.books().count().exec(&mut db).await?, 0);
    assert_eq!(
        Book::filter_by_id(books[1].id)
            .count()
            .exec(&mut db)
            .await?,
        0
    );

    // Optional foreign key: removing unlinks.
    let stickers = a.stickers().exec(&mut db).await?;
    a.stickers().remove(&mut db, &stickers).await?;
    let s = Sticker::get_by_id(&mut db, stickers[0].id).await?;
    assert_eq!(s.shelf_id, None);
    b.stickers().insert(&mut db, &s).await?;
    let s = Sticker::get_by_id(&mut db, s.id).await?;
    assert_eq!(s.shelf_id, Some(b.id));

    // A belongs_to is pointed elsewhere with the update builder.
    let mut book = Book::get_by_id(&mut db, books[0].id).await?;
    book.update().shelf(&b).exec(&mut db).await?;
    assert_eq!(book.shelf_id, b.id);
    assert_eq!(titles(&b.books().exec(&mut db).await?), ["one"]);

    // Only a relation query links.
    let r = Book::all().insert(&mut db, &book).await;
    expect_err(r, ErrorKind::InvalidStatement, &["relation"]);
    Ok(())
}
