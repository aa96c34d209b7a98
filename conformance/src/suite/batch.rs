//! `toasty::batch`: statements of several models run as one atomic unit, in a tuple, a
//! `Vec` or an array; and the atomicity of single statements (an auto-increment key that
//! overflows its field leaves no row).
//!
//! On SQL backends a batch runs in one transaction and later statements see earlier
//! writes. On key-value backends its writes are one `TransactWrite` of at most 100 items,
//! and a read of a table after a write to it in the same batch is refused; the tests
//! assert both sides.

use super::support::expect_err;
use crate::Test;
use toasty::{Db, ErrorKind, Executor, Result};

#[derive(Debug, toasty::Model)]
struct Author {
    #[key]
    id: i64,
    #[unique]
    email: String,
    #[index]
    team: String,
}

#[derive(Debug, toasty::Model)]
struct Note {
    #[key]
    id: i64,
    #[index]
    author: i64,
    text: String,
}

/// Authors 1 (`a@x`) and 2 (`b@x`) in team `t`, and note 1 by author 1.
async fn seeded(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Author, Note)).await?;
    toasty::create!(Author::[
        { id: 1, email: "a@x", team: "t" },
        { id: 2, email: "b@x", team: "t" },
    ])
    .exec(&mut db)
    .await?;
    toasty::create!(Note {
        id: 1,
        author: 1,
        text: "hello"
    })
    .exec(&mut db)
    .await?;
    Ok(db)
}

fn author(id: i64, email: &str) -> AuthorCreate {
    Author::create().id(id).email(email).team("t")
}

fn note(id: i64, author: i64) -> NoteCreate {
    Note::create()
        .id(id)
        .author(author)
        .text(format!("note {id}"))
}

/// Ids of the stored authors (ids 0..300), sorted.
async fn author_ids(e: &mut dyn Executor) -> Result<Vec<i64>> {
    let mut v: Vec<i64> = Author::filter(Author::fields().id().in_list(0..300))
        .exec(e)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    v.sort();
    Ok(v)
}

/// Ids of the stored notes (ids 0..300), sorted.
async fn note_ids(e: &mut dyn Executor) -> Result<Vec<i64>> {
    let mut v: Vec<i64> = Note::filter(Note::fields().id().in_list(0..300))
        .exec(e)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    v.sort();
    Ok(v)
}

/// A tuple of a create, a create of another model and a query returns each statement's
/// typed output. On SQL backends the query sees the create before it; on key-value
/// backends that read-after-write is refused whole (nothing written), and the same
/// statements with the query first succeed.
pub async fn batch_tuple_mixed_models(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    let stmts = || {
        (
            author(3, "c@x"),
            note(2, 3),
            Author::filter_by_team("t").order_by(Author::fields().id().asc()),
        )
    };
    if t.is_kv() {
        let r = toasty::batch(stmts()).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["author", "read", "batch"]);
        assert_eq!(author_ids(&mut db).await?, [1, 2]);
        assert_eq!(note_ids(&mut db).await?, [1]);
        let (before, a, n): (Vec<Author>, Author, Note) =
            toasty::batch((Author::filter_by_team("t"), author(3, "c@x"), note(2, 3)))
                .exec(&mut db)
                .await?;
        let mut seen: Vec<i64> = before.iter().map(|a| a.id).collect();
        seen.sort();
        assert_eq!(seen, [1, 2], "reads come before the batch's writes");
        assert_eq!((a.id, a.email.as_str()), (3, "c@x"));
        assert_eq!((n.id, n.author, n.text.as_str()), (2, 3, "note 2"));
    } else {
        let (a, n, team): (Author, Note, Vec<Author>) =
            toasty::batch(stmts()).exec(&mut db).await?;
        assert_eq!((a.id, a.email.as_str()), (3, "c@x"));
        assert_eq!((n.id, n.author, n.text.as_str()), (2, 3, "note 2"));
        let seen: Vec<i64> = team.iter().map(|a| a.id).collect();
        assert_eq!(seen, [1, 2, 3], "the query sees the create before it");
    }
    assert_eq!(author_ids(&mut db).await?, [1, 2, 3]);
    assert_eq!(note_ids(&mut db).await?, [1, 2]);
    assert_eq!(Note::get_by_id(&mut db, 2).await?.author, 3);

    // Every kind of terminal in one tuple; each table is read before the batch writes
    // it, so this is valid on every backend.
    let (first, one, count, none, deleted, updated, made): (
        Option<Author>,
        Author,
        u64,
        u64,
        u64,
        u64,
        Vec<Note>,
    ) = toasty::batch((
        Author::filter_by_team("t")
            .order_by(Author::fields().id().desc())
            .first(),
        Author::filter_by_email("b@x").one(),
        Note::filter_by_author(1).count(),
        Note::filter_by_author(42).count(),
        Note::filter_by_id(1).delete(),
        Author::update_by_id(1).team("u"),
        toasty::create!(Note::[
            { id: 10, author: 2, text: "x" },
            { id: 11, author: 2, text: "y" },
        ]),
    ))
    .exec(&mut db)
    .await?;
    assert_eq!(first.map(|a| a.id), Some(3));
    assert_eq!(one.id, 2);
    assert_eq!((count, none, deleted, updated), (1, 0, 1, 1));
    assert_eq!(made.iter().map(|n| n.id).collect::<Vec<_>>(), [10, 11]);
    assert_eq!(Author::get_by_id(&mut db, 1).await?.team, "u");
    assert_eq!(note_ids(&mut db).await?, [2, 10, 11]);
    Ok(())
}

/// A `Vec` and an array of one statement type run as a batch and return a `Vec` of
/// outputs in order; the empty `Vec` runs nothing.
pub async fn batch_vec_and_array(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    let made: Vec<Author> = toasty::batch(vec![author(3, "c@x"), author(4, "d@x")])
        .exec(&mut db)
        .await?;
    assert_eq!(made.iter().map(|a| a.id).collect::<Vec<_>>(), [3, 4]);
    let notes: Vec<Note> = toasty::batch([note(2, 3), note(3, 4), note(4, 4)])
        .exec(&mut db)
        .await?;
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[2].author, 4);
    let found: Vec<Vec<Author>> = toasty::batch([
        Author::filter_by_id(1),
        Author::filter_by_id(99),
        Author::filter_by_id(4),
    ])
    .exec(&mut db)
    .await?;
    let lens: Vec<usize> = found.iter().map(Vec::len).collect();
    assert_eq!(lens, [1, 0, 1]);
    assert_eq!(found[2][0].email, "d@x");
    let counts: Vec<u64> = toasty::batch(vec![
        Note::filter_by_author(4).count(),
        Note::filter_by_author(3).count(),
        Note::filter_by_author(7).count(),
    ])
    .exec(&mut db)
    .await?;
    assert_eq!(counts, [2, 1, 0]);
    let updates = || {
        vec![
            Note::update_by_author(4).text("four"),
            Note::update_by_author(8).text("none"),
        ]
    };
    if t.is_kv() {
        // The second update reads `Note` after the first writes it.
        let r = toasty::batch(updates()).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["read", "batch"]);
        let updated = toasty::batch(vec![Note::update_by_author(4).text("four")])
            .exec(&mut db)
            .await?;
        assert_eq!(updated, [2]);
    } else {
        let updated: Vec<u64> = toasty::batch(updates()).exec(&mut db).await?;
        assert_eq!(updated, [2, 0]);
    }
    let texts: Vec<String> = Note::filter_by_author(4)
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(texts, ["four", "four"]);
    let nothing: Vec<Author> = toasty::batch(Vec::<AuthorCreate>::new())
        .exec(&mut db)
        .await?;
    assert!(nothing.is_empty());
    assert_eq!(author_ids(&mut db).await?, [1, 2, 3, 4]);
    Ok(())
}

/// Later statements see earlier writes (SQL): an update and a delete by key of records
/// created earlier in the batch, and a count after them. On key-value backends each of
/// these reads after a write of its table is refused, and nothing is written.
pub async fn batch_later_statements_see_earlier_writes(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    if t.is_kv() {
        let refused = ["read", "write", "batch"];
        let r = toasty::batch((author(3, "c@x"), Author::update_by_id(3).team("v")))
            .exec(&mut db)
            .await;
        expect_err(r, ErrorKind::Unsupported, &refused);
        let r = toasty::batch((note(2, 1), Note::filter_by_author(1).delete()))
            .exec(&mut db)
            .await;
        expect_err(r, ErrorKind::Unsupported, &refused);
        let r = toasty::batch((
            Author::update_by_id(1).team("v"),
            Author::filter_by_id(1).one(),
        ))
        .exec(&mut db)
        .await;
        expect_err(r, ErrorKind::Unsupported, &refused);
        let r = toasty::batch((
            Note::filter_by_id(1).delete(),
            Note::filter_by_author(1).count(),
        ))
        .exec(&mut db)
        .await;
        expect_err(r, ErrorKind::Unsupported, &refused);
        assert_eq!(author_ids(&mut db).await?, [1, 2]);
        assert_eq!(note_ids(&mut db).await?, [1]);
        assert_eq!(Author::get_by_id(&mut db, 1).await?.team, "t");
        // A read of another table after a write is fine.
        let (n, c): (Note, u64) = toasty::batch((note(2, 1), Author::filter_by_team("t").count()))
            .exec(&mut db)
            .await?;
        assert_eq!((n.id, c), (2, 2));
        return Ok(());
    }
    let (a, moved, still, gone, left, notes): (Author, u64, Author, u64, u64, u64) =
        toasty::batch((
            author(3, "c@x"),
            Author::update_by_id(3).team("v"),
            Author::filter_by_team("v").one(),
            Author::filter_by_id(1).delete(),
            Author::filter_by_team("t").count(),
            Note::filter_by_author(1).count(),
        ))
        .exec(&mut db)
        .await?;
    assert_eq!(a.team, "t", "the create returns the record as created");
    assert_eq!((moved, still.id, gone, left, notes), (1, 3, 1, 1, 1));
    assert_eq!(author_ids(&mut db).await?, [2, 3]);
    assert_eq!(Author::get_by_id(&mut db, 3).await?.team, "v");
    // A unique value given up earlier in the batch can be taken later in it.
    let (n, b): (u64, Author) =
        toasty::batch((Author::update_by_id(2).email("old-b@x"), author(4, "b@x")))
            .exec(&mut db)
            .await?;
    assert_eq!((n, b.id), (1, 4));
    assert_eq!(Author::get_by_email(&mut db, "b@x").await?.id, 4);
    Ok(())
}

/// A batch whose second create violates a unique index stores nothing of the first,
/// whether the conflict is within the batch or with a stored record, whatever models the
/// other statements write; the same for a failing update and after an update and a
/// delete earlier in the batch.
pub async fn batch_failure_leaves_nothing(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    let r = toasty::batch((author(3, "c@x"), author(4, "a@x")))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::batch((author(3, "c@x"), author(4, "c@x")))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::batch((note(2, 1), author(3, "c@x"), author(1, "new@x")))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::batch((note(2, 1), Author::update_by_id(2).email("a@x")))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::batch((
        Note::filter_by_id(1).delete(),
        Author::update_by_id(1).team("gone"),
        note(5, 2),
        author(6, "b@x"),
    ))
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    // An invalid value, found before anything is sent.
    let r = toasty::batch((note(2, 1), Author::create().id(7).team("t")))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["email"]);
    assert_eq!(author_ids(&mut db).await?, [1, 2]);
    assert_eq!(note_ids(&mut db).await?, [1]);
    assert_eq!(Author::get_by_id(&mut db, 1).await?.team, "t");
    assert_eq!(Author::get_by_id(&mut db, 2).await?.email, "b@x");
    // The values the failed batches tried to take are free.
    toasty::batch((author(3, "c@x"), note(2, 3)))
        .exec(&mut db)
        .await?;
    assert_eq!(author_ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// Writes of several models in one batch are all-or-nothing on every backend, also when
/// the conflict is in the last item against a stored record (which a key-value store
/// finds only in the conditional write itself, not before sending it).
pub async fn batch_multi_model_atomic(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    // Reads (the update and the delete by key) come first, so the batch is valid on
    // key-value backends too.
    let stmts = |last: AuthorCreate| {
        (
            Author::update_by_id(2).team("moved"),
            Note::filter_by_id(1).delete(),
            toasty::create!(Author::[
                { id: 10, email: "j@x", team: "new" },
                { id: 11, email: "k@x", team: "new" },
            ]),
            Note::create_many().item(note(20, 10)).item(note(21, 11)),
            last,
        )
    };
    // The last record takes a unique value author 2 holds.
    let r = toasty::batch(stmts(author(12, "b@x"))).exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    // The last record repeats a stored key.
    let r = toasty::batch(stmts(author(1, "new@x"))).exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(author_ids(&mut db).await?, [1, 2]);
    assert_eq!(note_ids(&mut db).await?, [1]);
    assert_eq!(Author::get_by_id(&mut db, 2).await?.team, "t");
    assert_eq!(
        Author::filter_by_team("new").count().exec(&mut db).await?,
        0
    );
    for email in ["j@x", "k@x"] {
        let r = Author::get_by_email(&mut db, email).await;
        expect_err(r, ErrorKind::NotFound, &[]);
    }
    // The same batch with a free value in the last record writes everything.
    let (moved, deleted, made, notes, last) = toasty::batch(stmts(author(12, "l@x")))
        .exec(&mut db)
        .await?;
    assert_eq!((moved, deleted, made.len(), notes.len()), (1, 1, 2, 2));
    assert_eq!(last.email, "l@x");
    assert_eq!(author_ids(&mut db).await?, [1, 2, 10, 11, 12]);
    assert_eq!(note_ids(&mut db).await?, [20, 21]);
    assert_eq!(Author::get_by_id(&mut db, 2).await?.team, "moved");
    assert_eq!(Author::get_by_email(&mut db, "k@x").await?.id, 11);
    Ok(())
}

/// On key-value backends one batch writes at most 100 items (a record, plus one item per
/// unique value taken or given up), whatever the statements: 51 authors in one
/// statement (102 items), 40 authors and 21 notes (101), or 30 + 20 authors and a note
/// in three statements (101) are refused whole with `Unsupported` naming 100; exactly
/// 100 items work. SQL backends take them all.
pub async fn batch_kv_item_limit(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Author, Note)).await?;
    let authors = |from: i64, n: i64| {
        (from..from + n).fold(Author::create_many(), |b, i| {
            b.item(author(i, &format!("{i}@x")))
        })
    };
    let notes =
        |from: i64, n: i64| (from..from + n).fold(Note::create_many(), |b, i| b.item(note(i, 1)));
    let over: [Result<usize>; 3] = [
        authors(0, 51).exec(&mut db).await.map(|v| v.len()),
        toasty::batch((authors(100, 40), notes(0, 21)))
            .exec(&mut db)
            .await
            .map(|(a, n)| a.len() + n.len()),
        toasty::batch((authors(150, 30), authors(180, 20), notes(30, 1)))
            .exec(&mut db)
            .await
            .map(|(a, b, n)| a.len() + b.len() + n.len()),
    ];
    if t.is_kv() {
        for r in over {
            expect_err(r, ErrorKind::Unsupported, &["100"]);
        }
        assert_eq!(author_ids(&mut db).await?, Vec::<i64>::new());
        assert_eq!(note_ids(&mut db).await?, Vec::<i64>::new());
        let (a, n) = toasty::batch((authors(200, 40), notes(200, 20)))
            .exec(&mut db)
            .await?;
        assert_eq!((a.len(), n.len()), (40, 20));
        let (a, b) = toasty::batch((authors(250, 25), authors(275, 25)))
            .exec(&mut db)
            .await?;
        assert_eq!((a.len(), b.len()), (25, 25));
        assert_eq!(author_ids(&mut db).await?.len(), 90);
        assert_eq!(note_ids(&mut db).await?.len(), 20);
        return Ok(());
    }
    let sizes: Vec<usize> = over.into_iter().collect::<Result<_>>()?;
    assert_eq!(sizes, [51, 61, 51]);
    assert_eq!(author_ids(&mut db).await?.len(), 51 + 40 + 50);
    assert_eq!(note_ids(&mut db).await?.len(), 22);
    Ok(())
}

/// An empty `create_many` in a batch returns an empty `Vec` and does not disturb the
/// other statements; a batch of nothing but empty statements runs nothing.
pub async fn batch_with_empty_create_many(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    let (none, a, also_none): (Vec<Author>, Author, Vec<Note>) =
        toasty::batch((Author::create_many(), author(3, "c@x"), Note::create_many()))
            .exec(&mut db)
            .await?;
    assert!(none.is_empty() && also_none.is_empty());
    assert_eq!(a.id, 3);
    let (x, y): (Vec<Author>, Vec<Note>) =
        toasty::batch((Author::create_many(), Note::create_many()))
            .exec(&mut db)
            .await?;
    assert!(x.is_empty() && y.is_empty());
    let v: Vec<Vec<Author>> = toasty::batch(vec![Author::create_many(), Author::create_many()])
        .exec(&mut db)
        .await?;
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(Vec::is_empty));
    assert_eq!(author_ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// A batch inside a transaction joins it: its writes are visible in the transaction,
/// undone by the rollback, kept by a commit; a failing batch aborts the transaction.
/// (Key-value backends have no transactions: asserted `Unsupported`.)
pub async fn batch_inside_transaction(t: &mut Test) -> Result<()> {
    let mut db = seeded(t).await?;
    if t.is_kv() {
        expect_err(
            db.transaction().await,
            ErrorKind::Unsupported,
            &["toasty::batch"],
        );
        return Ok(());
    }
    let mut tx = db.transaction().await?;
    let (a, n, count): (Author, Note, u64) = toasty::batch((
        author(3, "c@x"),
        note(2, 3),
        Author::filter_by_team("t").count(),
    ))
    .exec(&mut tx)
    .await?;
    assert_eq!((a.id, n.id, count), (3, 2, 3));
    assert_eq!(author_ids(&mut tx).await?, [1, 2, 3]);
    tx.rollback().await?;
    assert_eq!(author_ids(&mut db).await?, [1, 2]);
    assert_eq!(note_ids(&mut db).await?, [1]);

    let mut tx = db.transaction().await?;
    toasty::batch((author(3, "c@x"), note(2, 3)))
        .exec(&mut tx)
        .await?;
    toasty::batch([Note::update_by_id(1).text("edited")])
        .exec(&mut tx)
        .await?;
    tx.commit().await?;
    assert_eq!(author_ids(&mut db).await?, [1, 2, 3]);
    assert_eq!(note_ids(&mut db).await?, [1, 2]);
    assert_eq!(Note::get_by_id(&mut db, 1).await?.text, "edited");

    let mut tx = db.transaction().await?;
    note(3, 1).exec(&mut tx).await?;
    let r = toasty::batch((note(4, 1), author(4, "a@x")))
        .exec(&mut tx)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    expect_err(note_ids(&mut tx).await, ErrorKind::TransactionAborted, &[]);
    expect_err(tx.commit().await, ErrorKind::TransactionAborted, &[]);
    assert_eq!(note_ids(&mut db).await?, [1, 2]);
    Ok(())
}

/// A statement is atomic: with an `#[auto] id: u8`, 255 records fit; the 256th create
/// fails with `ValueOutOfRange` and stores no row, as does a two-record create past the
/// end; every stored record still loads. Key-value backends refuse auto-increment keys
/// when the schema is built.
pub async fn atomic_auto_u8_overflow(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Probe {
        #[key]
        id: i64,
    }
    #[derive(Debug, toasty::Model)]
    struct Tiny {
        #[key]
        #[auto]
        id: u8,
        #[index]
        tag: String,
    }
    t.setup_db(toasty::models!(Probe)).await?;
    if t.is_kv() {
        let r = t.setup_db(toasty::models!(Tiny)).await;
        expect_err(r, ErrorKind::Unsupported, &["auto", "uuid"]);
        return Ok(());
    }
    let mut db = t.setup_db(toasty::models!(Tiny)).await?;
    let mut batch = Tiny::create_many();
    for i in 0..255 {
        batch = batch.item(Tiny::create().tag(format!("t{i}")));
    }
    let made = batch.exec(&mut db).await?;
    let mut ids: Vec<u8> = made.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 255, "255 distinct ids");
    assert_eq!(ids.last(), Some(&255));

    let r = Tiny::create().tag("overflow").exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    assert_eq!(Tiny::all().count().exec(&mut db).await?, 255);
    assert_eq!(
        Tiny::filter_by_tag("overflow")
            .count()
            .exec(&mut db)
            .await?,
        0
    );
    let r = toasty::create!(Tiny::[{ tag: "two" }, { tag: "two" }])
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    assert_eq!(Tiny::all().count().exec(&mut db).await?, 255);
    let all = Tiny::all().exec(&mut db).await?;
    assert_eq!(all.len(), 255);
    assert_eq!(all.iter().map(|r| r.id).max(), Some(255));
    let last = made.iter().find(|r| r.id == 255).expect("id 255 was made");
    assert_eq!(Tiny::get_by_id(&mut db, 255u8).await?.tag, last.tag);
    Ok(())
}
