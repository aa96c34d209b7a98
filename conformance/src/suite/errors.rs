//! Errors that are the same on every backend: not found, too many records, unique
//! violations (with no partial writes), values out of range, NaN/infinity and timestamps
//! outside the supported years.

use super::support::expect_err;
use crate::Test;
use toasty::{Db, ErrorKind, Result};

#[derive(Debug, toasty::Model)]
struct Member {
    #[key]
    id: i64,
    #[unique]
    email: String,
    #[index]
    club: String,
}

async fn members(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Member)).await?;
    toasty::create!(Member::[
        { id: 1, email: "a@x", club: "c" },
        { id: 2, email: "b@x", club: "c" },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

async fn emails(db: &mut Db) -> Result<Vec<String>> {
    // Ids 0..200 cover every id the tests use (a key lookup works on every backend).
    let mut v: Vec<String> = Member::filter(Member::fields().id().in_list(0..200))
        .exec(db)
        .await?
        .into_iter()
        .map(|m| m.email)
        .collect();
    v.sort();
    Ok(v)
}

/// Missing records are `NotFound` for `get_by_*` and `.get()`; several are
/// `TooManyRecords` for `.get()`.
pub async fn errors_not_found_and_too_many(t: &mut Test) -> Result<()> {
    let mut db = members(t).await?;
    expect_err(
        Member::get_by_id(&mut db, 99).await,
        ErrorKind::NotFound,
        &["Member"],
    );
    expect_err(
        Member::get_by_email(&mut db, "z@x").await,
        ErrorKind::NotFound,
        &[],
    );
    let r = Member::filter_by_club("none").get(&mut db).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    let r = Member::filter_by_club("c").get(&mut db).await;
    expect_err(r, ErrorKind::TooManyRecords, &["first"]);
    Ok(())
}

/// Creating a second record with an existing key or unique value is `UniqueViolation`;
/// the stored records are unchanged.
pub async fn errors_unique_on_create(t: &mut Test) -> Result<()> {
    let mut db = members(t).await?;
    let r = toasty::create!(Member {
        id: 3,
        email: "a@x",
        club: "d"
    })
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::create!(Member {
        id: 1,
        email: "new@x",
        club: "d"
    })
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(emails(&mut db).await?, ["a@x", "b@x"]);
    assert_eq!(Member::get_by_id(&mut db, 1).await?.club, "c");
    assert_eq!(Member::filter_by_club("d").count().exec(&mut db).await?, 0);
    // Unique values are case-sensitive.
    toasty::create!(Member {
        id: 3,
        email: "A@x",
        club: "d"
    })
    .exec(&mut db)
    .await?;
    Ok(())
}

/// Updating a unique field to a taken value is `UniqueViolation`; neither the stored nor
/// the local record changes. A query update giving two records the same value changes
/// nothing.
pub async fn errors_unique_on_update(t: &mut Test) -> Result<()> {
    let mut db = members(t).await?;
    let mut m = Member::get_by_id(&mut db, 2).await?;
    let r = m.update().email("a@x").exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(m.email, "b@x");
    assert_eq!(Member::get_by_id(&mut db, 2).await?.email, "b@x");
    // Setting a record's unique field to its own value is fine.
    m.update().email("b@x").club("e").exec(&mut db).await?;
    assert_eq!(Member::get_by_id(&mut db, 2).await?.club, "e");
    // Two records to one value.
    Member::create()
        .id(3)
        .email("c@x")
        .club("e")
        .exec(&mut db)
        .await?;
    let r = Member::update_by_club("e")
        .email("same@x")
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(emails(&mut db).await?, ["a@x", "b@x", "c@x"]);
    Ok(())
}

/// A batch with a duplicate (inside the batch or against a stored record) fails with
/// `UniqueViolation` and stores none of its records, also when the batch is larger than
/// a key-value store accepts at once.
pub async fn errors_unique_in_batch_no_partial_write(t: &mut Test) -> Result<()> {
    let mut db = members(t).await?;
    let r = toasty::create!(Member::[
        { id: 10, email: "p@x", club: "new" },
        { id: 11, email: "p@x", club: "new" },
    ])
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::create!(Member::[
        { id: 10, email: "p@x", club: "new" },
        { id: 11, email: "b@x", club: "new" },
    ])
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = toasty::create!(Member::[
        { id: 10, email: "p@x", club: "new" },
        { id: 10, email: "q@x", club: "new" },
    ])
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(
        Member::filter_by_club("new").count().exec(&mut db).await?,
        0
    );

    // 150 records whose last one repeats a key of the first chunk.
    let big_batch_error = if t.is_kv() {
        ErrorKind::Unsupported
    } else {
        ErrorKind::UniqueViolation
    };
    let mut batch = Member::create_many();
    for i in 0..150 {
        let id = if i == 149 { 10 } else { 10 + i };
        batch = batch.item(Member::create().id(id).email(format!("m{i}@x")).club("big"));
    }
    // The repeated key is found before anything is sent, whatever the batch's size.
    expect_err(batch.exec(&mut db).await, ErrorKind::UniqueViolation, &[]);
    // 150 records whose last one repeats a stored unique value (on a key-value store,
    // more than one atomic write can hold: refused whole).
    let mut batch = Member::create_many();
    for i in 0..150 {
        let email = if i == 149 {
            "a@x".to_string()
        } else {
            format!("m{i}@x")
        };
        batch = batch.item(Member::create().id(10 + i).email(email).club("big"));
    }
    expect_err(batch.exec(&mut db).await, big_batch_error, &[]);
    assert_eq!(
        Member::filter_by_club("big").count().exec(&mut db).await?,
        0
    );
    assert_eq!(emails(&mut db).await?, ["a@x", "b@x"]);
    Ok(())
}

#[derive(Debug, toasty::Model)]
struct Measure {
    #[key]
    id: i64,
    big: u64,
    small: Option<u64>,
    x: f64,
    y: Option<f32>,
    at: Option<jiff::Timestamp>,
    at2: Option<chrono::DateTime<chrono::Utc>>,
}

/// A `u64` above `i64::MAX` is `ValueOutOfRange` on create, update and in filters; the
/// largest storable value works.
pub async fn errors_u64_out_of_range(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Measure)).await?;
    let mk = |id: i64, big: u64| Measure::create().id(id).big(big).x(0.0);
    for v in [u64::MAX, i64::MAX as u64 + 1] {
        expect_err(
            mk(1, v).exec(&mut db).await,
            ErrorKind::ValueOutOfRange,
            &["big"],
        );
    }
    let r = mk(1, 0).small(u64::MAX).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["small"]);
    assert!(nothing_stored(&mut db).await?, "nothing was stored");

    let mut m = mk(1, i64::MAX as u64).exec(&mut db).await?;
    assert_eq!(Measure::get_by_id(&mut db, 1).await?.big, i64::MAX as u64);
    let r = m.update().big(u64::MAX).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["big"]);
    assert_eq!(m.big, i64::MAX as u64);
    let r = Measure::filter_by_id(1)
        .filter(Measure::fields().big().eq(u64::MAX))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    let r = Measure::filter_by_id(1)
        .filter(Measure::fields().big().lt(u64::MAX))
        .count()
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    assert_eq!(Measure::get_by_id(&mut db, 1).await?.big, i64::MAX as u64);
    Ok(())
}

/// `true` when no `Measure` record with id 1 exists.
async fn nothing_stored(db: &mut Db) -> Result<bool> {
    Ok(Measure::filter_by_id(1).first().exec(db).await?.is_none())
}

/// NaN and infinities are `InvalidValue` on create, update and in filters.
pub async fn errors_nan_and_infinity_rejected(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Measure)).await?;
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let r = Measure::create().id(1).big(0u64).x(v).exec(&mut db).await;
        expect_err(r, ErrorKind::InvalidValue, &["x"]);
    }
    for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let r = Measure::create()
            .id(1)
            .big(0u64)
            .x(0.0)
            .y(v)
            .exec(&mut db)
            .await;
        expect_err(r, ErrorKind::InvalidValue, &["y"]);
    }
    assert!(nothing_stored(&mut db).await?, "nothing was stored");
    let mut m = Measure::create()
        .id(1)
        .big(0u64)
        .x(1.5)
        .exec(&mut db)
        .await?;
    let r = m.update().x(f64::NAN).exec(&mut db).await;
    expect_err(r, ErrorKind::InvalidValue, &["x"]);
    assert_eq!(m.x, 1.5);
    assert_eq!(Measure::get_by_id(&mut db, 1).await?.x, 1.5);
    let r = Measure::filter_by_id(1)
        .filter(Measure::fields().x().eq(f64::NAN))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidValue, &[]);
    let r = Measure::filter_by_id(1)
        .filter(Measure::fields().x().lt(f64::INFINITY))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidValue, &[]);
    Ok(())
}

/// Timestamps before year 1000 or after year 9999 are `ValueOutOfRange`.
pub async fn errors_timestamp_out_of_range(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Measure)).await?;
    let min = toasty_core::TIMESTAMP_MIN_MICROS;
    let max = toasty_core::TIMESTAMP_MAX_MICROS;
    let base = || Measure::create().id(1).big(0u64).x(0.0);
    let early = jiff::Timestamp::from_microsecond(min - 1).expect("valid for jiff");
    let r = base().at(early).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["at"]);
    let year_1 = jiff::Timestamp::from_second(-62_135_596_800).expect("0001-01-01");
    let r = base().at(year_1).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    let late = chrono::DateTime::from_timestamp_micros(max + 1).expect("valid for chrono");
    let r = base().at2(late).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["at2"]);
    let early2 = chrono::DateTime::from_timestamp_micros(min - 1).expect("valid for chrono");
    let r = base().at2(early2).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    assert!(nothing_stored(&mut db).await?, "nothing was stored");
    let edge = jiff::Timestamp::from_microsecond(min).expect("valid");
    let mut m = base().at(edge).exec(&mut db).await?;
    assert_eq!(m.at, Some(edge));
    let r = m.update().at2(late).exec(&mut db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    assert_eq!(Measure::get_by_id(&mut db, 1).await?.at2, None);
    Ok(())
}

/// A unique optional field allows any number of `None`s; a composite unique index is
/// violated only when every field is equal.
pub async fn errors_unique_nullable_and_composite(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[unique(city, street)]
    struct Site {
        #[key]
        id: i64,
        #[unique]
        nick: Option<String>,
        city: String,
        street: String,
    }
    let mut db = t.setup_db(toasty::models!(Site)).await?;
    toasty::create!(Site::[
        { id: 1, city: "Oslo", street: "Main" },
        { id: 2, city: "Oslo", street: "Side" },
        { id: 3, city: "Rome", street: "Main", nick: "r" },
    ])
    .exec(&mut db)
    .await?;
    Site::create()
        .id(4)
        .city("Nice")
        .street("Main")
        .exec(&mut db)
        .await?;
    let r = Site::create()
        .id(5)
        .city("Oslo")
        .street("Main")
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = Site::create()
        .id(5)
        .city("X")
        .street("Y")
        .nick("r")
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let mut s = Site::get_by_id(&mut db, 2).await?;
    let r = s.update().street("Main").exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(s.street, "Side");
    s.update()
        .nick(None::<String>)
        .city("Rome")
        .exec(&mut db)
        .await?;
    let got = Site::get_by_city_and_street(&mut db, "Rome", "Side").await?;
    assert_eq!(got.id, 2);
    let n = Site::filter(Site::fields().id().in_list([1, 2, 3, 4, 5]))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 4);
    Ok(())
}

/// Creating or updating a field from an expression (another field) instead of a value is
/// an `InvalidStatement` error, and nothing changes.
pub async fn errors_expression_assignment_refused(t: &mut Test) -> Result<()> {
    let mut db = members(t).await?;
    let mut m = Member::get_by_id(&mut db, 1).await?;
    let r = m
        .update()
        .club(Member::fields().email())
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["value"]);
    assert_eq!(m.club, "c");
    let r = Member::create()
        .id(9)
        .email("z@x")
        .club(Member::fields().email())
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["value"]);
    assert_eq!(emails(&mut db).await?, ["a@x", "b@x"]);
    Ok(())
}

/// A batch too large for one statement (over 30 000 bound values on SQL backends, over 100
/// rows on key-value ones) whose last record repeats a stored key fails with
/// `UniqueViolation` and leaves none of its records behind.
pub async fn errors_split_batch_no_partial_write(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Wide {
        #[key]
        id: i64,
        a: i64,
        b: i64,
        c: i64,
        d: i64,
        e: i64,
        f: i64,
        g: i64,
        h: i64,
        tag: i64,
    }
    let mut db = t.setup_db(toasty::models!(Wide)).await?;
    let wide = |id: i64, tag: i64| {
        Wide::create()
            .id(id)
            .a(1)
            .b(2)
            .c(3)
            .d(4)
            .e(5)
            .f(6)
            .g(7)
            .h(8)
            .tag(tag)
    };
    wide(100_000, 0).exec(&mut db).await?;
    let mut batch = Wide::create_many();
    for i in 0..3_001 {
        let id = if i == 3_000 { 100_000 } else { i };
        batch = batch.item(wide(id, 1));
    }
    let kind = if t.is_kv() {
        // Larger than one atomic write on a key-value store: refused whole.
        ErrorKind::Unsupported
    } else {
        ErrorKind::UniqueViolation
    };
    expect_err(batch.exec(&mut db).await, kind, &[]);
    let ids: Vec<i64> = (0..3_000).collect();
    let left = Wide::filter(Wide::fields().id().in_list(ids))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(left, 0, "no record of the failed batch is stored");
    assert_eq!(Wide::get_by_id(&mut db, 100_000).await?.tag, 0);
    Ok(())
}
