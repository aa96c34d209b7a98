//! `.select(..)` projections: one field or a tuple of fields per record, after filters,
//! order, limit and offset, with `.first()`, `.get()` and `.count()`; every scalar type
//! and `Option` of each. Key-value backends accept exactly the queries they accept
//! without a projection.

use super::support::{expect_err, expect_needs_index, sorted};
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(partition = shelf, local = id)]
struct Volume {
    shelf: String,
    id: i64,
    #[index]
    author: String,
    title: String,
    pages: Option<i32>,
    #[belongs_to(key = owner_id, references = id)]
    owner: toasty::Deferred<Option<Reader>>,
    #[index]
    owner_id: Option<i64>,
}

#[derive(Debug, toasty::Model)]
struct Reader {
    #[key]
    id: i64,
    name: String,
    #[has_many]
    volumes: toasty::Deferred<Vec<Volume>>,
}

async fn seed(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Volume, Reader)).await?;
    toasty::create!(Reader { id: 7, name: "ada" })
        .exec(&mut db)
        .await?;
    toasty::create!(Volume::[
        { shelf: "a", id: 1, author: "le guin", title: "Earthsea", pages: 300, owner_id: 7 },
        { shelf: "a", id: 2, author: "le guin", title: "Dispossessed", pages: 200 },
        { shelf: "a", id: 3, author: "banks", title: "Excession" },
        { shelf: "b", id: 1, author: "banks", title: "Player", pages: 500 },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

/// One field gives `Vec<T>`, a tuple `Vec<(..)>`, after `filter_by_*`, `filter`,
/// `order_by`, `limit` and `offset`; an empty result is an empty `Vec`.
pub async fn select_fields_and_tuples(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Volume::fields;
    let titles: Vec<String> = Volume::filter_by_shelf("a")
        .select(f().title())
        .exec(&mut db)
        .await?;
    assert_eq!(
        sorted(titles),
        ["Dispossessed", "Earthsea", "Excession"],
        "one field"
    );

    let pairs: Vec<(i64, String)> = Volume::filter_by_shelf("a")
        .order_by(f().id().desc())
        .select((f().id(), f().title()))
        .exec(&mut db)
        .await?;
    assert_eq!(
        pairs,
        [
            (3, "Excession".to_string()),
            (2, "Dispossessed".to_string()),
            (1, "Earthsea".to_string())
        ],
        "a tuple, in the query's order"
    );

    // Filter, order, limit and offset after the projection too; fields in any order,
    // one of them twice, NULL as None.
    let rows: Vec<(Option<i32>, String, i64, Option<i32>)> = Volume::filter_by_shelf("a")
        .select((f().pages(), f().title(), f().id(), f().pages()))
        .filter(f().id().ge(2))
        .order_by(f().title().asc())
        .limit(1)
        .offset(1)
        .exec(&mut db)
        .await?;
    assert_eq!(rows, [(None, "Excession".to_string(), 3, None)]);

    let authors: Vec<String> = Volume::filter_by_author("banks")
        .order_by(f().shelf().asc())
        .select(f().shelf())
        .exec(&mut db)
        .await?;
    assert_eq!(authors, ["a", "b"], "through an index");

    let none: Vec<String> = Volume::filter_by_shelf("z")
        .select(f().title())
        .exec(&mut db)
        .await?;
    assert!(none.is_empty());

    let owners: Vec<Option<i64>> = Volume::filter_by_shelf("a")
        .order_by(f().id().asc())
        .select(f().owner_id())
        .exec(&mut db)
        .await?;
    assert_eq!(
        owners,
        [Some(7), None, None],
        "a foreign-key field is a field"
    );

    // A relation-scoped query projects like any other.
    let reader = Reader::get_by_id(&mut db, 7).await?;
    let mine: Vec<String> = reader
        .volumes()
        .select(Volume::fields().title())
        .exec(&mut db)
        .await?;
    assert_eq!(mine, ["Earthsea"]);
    Ok(())
}

/// `.first()` gives `Option<T>`, `.get()` exactly one value (or `NotFound` /
/// `TooManyRecords`), `.count()` counts records whatever the projection.
pub async fn select_first_get_count(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Volume::fields;
    let first: Option<String> = Volume::filter_by_shelf("a")
        .order_by(f().id().desc())
        .select(f().title())
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(first.as_deref(), Some("Excession"));
    let nothing: Option<(i64, String)> = Volume::filter_by_shelf("z")
        .select((f().id(), f().title()))
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(nothing, None);

    let pages: Option<i32> = Volume::filter_by_shelf_and_id("b", 1)
        .select(f().pages())
        .get(&mut db)
        .await?;
    assert_eq!(pages, Some(500));
    let none: Option<i32> = Volume::filter_by_shelf_and_id("a", 3)
        .select(f().pages())
        .one()
        .exec(&mut db)
        .await?;
    assert_eq!(none, None, "a NULL field is None, not an error");
    expect_err(
        Volume::filter_by_shelf_and_id("a", 9)
            .select(f().title())
            .get(&mut db)
            .await,
        ErrorKind::NotFound,
        &["Volume"],
    );
    expect_err(
        Volume::filter_by_shelf("a")
            .select(f().title())
            .get(&mut db)
            .await,
        ErrorKind::TooManyRecords,
        &["Volume"],
    );

    let n = Volume::filter_by_shelf("a")
        .select((f().id(), f().title()))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 3, "the projection does not change the count");

    // In a batch, with other statements.
    let (titles, count): (Vec<String>, u64) = toasty::batch((
        Volume::filter_by_author("le guin").select(f().title()),
        Volume::filter_by_shelf("b").count(),
    ))
    .exec(&mut db)
    .await?;
    assert_eq!(sorted(titles), ["Dispossessed", "Earthsea"]);
    assert_eq!(count, 1);
    Ok(())
}

/// A projection does not change which queries a key-value backend accepts, and a query
/// with `.include(..)` cannot be projected.
pub async fn select_refusals(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Volume::fields;
    let all = Volume::all().select(f().title()).exec(&mut db).await;
    let unindexed = Volume::filter(f().title().eq("Player"))
        .select(f().id())
        .exec(&mut db)
        .await;
    if t.is_kv() {
        expect_err(all, ErrorKind::Unsupported, &["Volume"]);
        expect_needs_index(unindexed, "title");
    } else {
        assert_eq!(all?.len(), 4);
        assert_eq!(unindexed?, [1]);
    }
    expect_err(
        Volume::filter_by_shelf("a")
            .include(f().owner())
            .select(f().title())
            .exec(&mut db)
            .await,
        ErrorKind::InvalidStatement,
        &["include", "select"],
    );
    Ok(())
}

type Utc = chrono::DateTime<chrono::Utc>;

#[derive(Debug, Clone, PartialEq, toasty::Model)]
struct Sampled {
    #[key]
    id: i64,
    b: bool,
    i8_: i8,
    i16_: i16,
    i32_: i32,
    i64_: i64,
    u8_: u8,
    u16_: u16,
    u32_: u32,
    u64_: u64,
    isz: isize,
    usz: usize,
    f32_: f32,
    f64_: f64,
    s: String,
    bytes: Vec<u8>,
    uuid: uuid::Uuid,
    ts: jiff::Timestamp,
    dt: Utc,
    o_b: Option<bool>,
    o_i64: Option<i64>,
    o_u64: Option<u64>,
    o_f64: Option<f64>,
    o_s: Option<String>,
    o_bytes: Option<Vec<u8>>,
    o_uuid: Option<uuid::Uuid>,
    o_ts: Option<jiff::Timestamp>,
}

fn sample(id: i64, some: bool) -> Sampled {
    let ts = jiff::Timestamp::from_microsecond(1_700_000_000_123_456).expect("a timestamp");
    Sampled {
        id,
        b: true,
        i8_: i8::MIN,
        i16_: i16::MAX,
        i32_: -7,
        i64_: i64::MIN,
        u8_: u8::MAX,
        u16_: u16::MAX,
        u32_: u32::MAX,
        u64_: i64::MAX as u64,
        isz: -5,
        usz: 9,
        f32_: 1.5,
        f64_: -2.25,
        s: "tab\t 🦀 trailing ".to_string(),
        bytes: vec![0, 1, 255],
        uuid: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        ts,
        dt: chrono::DateTime::from_timestamp_micros(-1).expect("a timestamp"),
        o_b: some.then_some(false),
        o_i64: some.then_some(i64::MAX),
        o_u64: some.then_some(0),
        o_f64: some.then_some(0.5),
        o_s: some.then(String::new),
        o_bytes: some.then(Vec::new),
        o_uuid: some.then(uuid::Uuid::max),
        o_ts: some.then_some(ts),
    }
}

/// Every scalar type, and `Option` of each, projects to exactly the value stored (NULL
/// as `None`).
pub async fn select_every_type(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Sampled)).await?;
    let f = Sampled::fields;
    for some in [true, false] {
        let v = sample(if some { 1 } else { 2 }, some);
        toasty::create!(Sampled {
            id: v.id,
            b: v.b,
            i8_: v.i8_,
            i16_: v.i16_,
            i32_: v.i32_,
            i64_: v.i64_,
            u8_: v.u8_,
            u16_: v.u16_,
            u32_: v.u32_,
            u64_: v.u64_,
            isz: v.isz,
            usz: v.usz,
            f32_: v.f32_,
            f64_: v.f64_,
            s: v.s.clone(),
            bytes: v.bytes.clone(),
            uuid: v.uuid,
            ts: v.ts,
            dt: v.dt,
            o_b: v.o_b,
            o_i64: v.o_i64,
            o_u64: v.o_u64,
            o_f64: v.o_f64,
            o_s: v.o_s.clone(),
            o_bytes: v.o_bytes.clone(),
            o_uuid: v.o_uuid,
            o_ts: v.o_ts,
        })
        .exec(&mut db)
        .await?;
        let q = || Sampled::filter_by_id(v.id);
        let ints = q()
            .select((
                f().b(),
                f().i8_(),
                f().i16_(),
                f().i32_(),
                f().i64_(),
                f().u8_(),
                f().u16_(),
                f().u32_(),
            ))
            .get(&mut db)
            .await?;
        assert_eq!(
            ints,
            (v.b, v.i8_, v.i16_, v.i32_, v.i64_, v.u8_, v.u16_, v.u32_)
        );
        let more = q()
            .select((
                f().u64_(),
                f().isz(),
                f().usz(),
                f().f32_(),
                f().f64_(),
                f().s(),
                f().bytes(),
                f().uuid(),
            ))
            .get(&mut db)
            .await?;
        assert_eq!(
            more,
            (
                v.u64_,
                v.isz,
                v.usz,
                v.f32_,
                v.f64_,
                v.s.clone(),
                v.bytes.clone(),
                v.uuid
            )
        );
        let times = q().select((f().ts(), f().dt())).get(&mut db).await?;
        assert_eq!(times, (v.ts, v.dt));
        let options = q()
            .select((
                f().o_b(),
                f().o_i64(),
                f().o_u64(),
                f().o_f64(),
                f().o_s(),
                f().o_bytes(),
                f().o_uuid(),
                f().o_ts(),
            ))
            .get(&mut db)
            .await?;
        assert_eq!(
            options,
            (
                v.o_b,
                v.o_i64,
                v.o_u64,
                v.o_f64,
                v.o_s.clone(),
                v.o_bytes.clone(),
                v.o_uuid,
                v.o_ts
            ),
            "options (some: {some})"
        );
        let single: Vec<Option<String>> = q().select(f().o_s()).exec(&mut db).await?;
        assert_eq!(single, std::slice::from_ref(&v.o_s));
    }
    Ok(())
}
