//! Every field type, and `Option` of each, round-trips boundary values exactly.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

type Utc = chrono::DateTime<chrono::Utc>;

#[derive(Debug, PartialEq, toasty::Model)]
struct Scalars {
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
    f32_: f32,
    f64_: f64,
    s: String,
    bytes: Vec<u8>,
    uuid: uuid::Uuid,
    ts: jiff::Timestamp,
    dt: Utc,
}

#[derive(Debug, PartialEq, toasty::Model)]
struct Optionals {
    #[key]
    id: i64,
    b: Option<bool>,
    i8_: Option<i8>,
    i16_: Option<i16>,
    i32_: Option<i32>,
    i64_: Option<i64>,
    u8_: Option<u8>,
    u16_: Option<u16>,
    u32_: Option<u32>,
    u64_: Option<u64>,
    f32_: Option<f32>,
    f64_: Option<f64>,
    s: Option<String>,
    bytes: Option<Vec<u8>>,
    uuid: Option<uuid::Uuid>,
    ts: Option<jiff::Timestamp>,
    dt: Option<Utc>,
}

fn jiff_us(us: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(us).expect("a valid test timestamp")
}

fn chrono_us(us: i64) -> Utc {
    chrono::DateTime::from_timestamp_micros(us).expect("a valid test timestamp")
}

const TS_MIN: i64 = toasty_core::TIMESTAMP_MIN_MICROS;
const TS_MAX: i64 = toasty_core::TIMESTAMP_MAX_MICROS;

/// jiff cannot represent the last hours of year 9999 in UTC (its range allows for any
/// offset), so its largest value is earlier than the contract's maximum.
fn jiff_max() -> jiff::Timestamp {
    let max = jiff::Timestamp::MAX;
    jiff::Timestamp::new(max.as_second(), 999_999_000).expect("jiff's last microsecond")
}

fn minimums() -> Scalars {
    Scalars {
        id: 1,
        b: false,
        i8_: i8::MIN,
        i16_: i16::MIN,
        i32_: i32::MIN,
        i64_: i64::MIN,
        u8_: 0,
        u16_: 0,
        u32_: 0,
        u64_: 0,
        f32_: f32::MIN,
        f64_: f64::MIN,
        s: String::new(),
        bytes: Vec::new(),
        uuid: uuid::Uuid::nil(),
        ts: jiff_us(TS_MIN),
        dt: chrono_us(TS_MIN),
    }
}

fn maximums() -> Scalars {
    Scalars {
        id: 2,
        b: true,
        i8_: i8::MAX,
        i16_: i16::MAX,
        i32_: i32::MAX,
        i64_: i64::MAX,
        u8_: u8::MAX,
        u16_: u16::MAX,
        u32_: u32::MAX,
        u64_: i64::MAX as u64,
        f32_: f32::MAX,
        f64_: f64::MAX,
        s: "🦀 emoji, family 👩‍👩‍👧, combining e\u{301}, tab\t, newline\n, trailing space ".to_string(),
        bytes: (0..=255).collect(),
        uuid: uuid::Uuid::max(),
        ts: jiff_max(),
        dt: chrono_us(TS_MAX),
    }
}

fn specials() -> Scalars {
    Scalars {
        id: 3,
        b: false,
        i8_: -1,
        i16_: 0,
        i32_: 1,
        i64_: 0,
        u8_: 1,
        u16_: 1,
        u32_: 1,
        u64_: 1,
        f32_: f32::MIN_POSITIVE,
        f64_: 5e-324,
        s: "x".repeat(10_000),
        bytes: vec![0],
        uuid: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        ts: jiff_us(1_700_000_000_123_456),
        dt: chrono_us(-1),
    }
}

fn create(v: &Scalars) -> ScalarsCreate {
    Scalars::create()
        .id(v.id)
        .b(v.b)
        .i8_(v.i8_)
        .i16_(v.i16_)
        .i32_(v.i32_)
        .i64_(v.i64_)
        .u8_(v.u8_)
        .u16_(v.u16_)
        .u32_(v.u32_)
        .u64_(v.u64_)
        .f32_(v.f32_)
        .f64_(v.f64_)
        .s(v.s.clone())
        .bytes(v.bytes.clone())
        .uuid(v.uuid)
        .ts(v.ts)
        .dt(v.dt)
}

/// Minimum, maximum and special values of every scalar type round-trip exactly, both as
/// returned by create and as read back.
pub async fn types_scalar_boundaries(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Scalars)).await?;
    for v in [minimums(), maximums(), specials()] {
        let made = create(&v).exec(&mut db).await?;
        assert_eq!(made, v, "as returned by create");
        let back = Scalars::get_by_id(&mut db, v.id).await?;
        assert_eq!(back, v, "as read back");
        // The same record is found by equality on each of its values.
        let f = Scalars::fields;
        let by_all = Scalars::filter_by_id(v.id)
            .filter(f().b().eq(v.b))
            .filter(f().i8_().eq(v.i8_))
            .filter(f().i64_().eq(v.i64_))
            .filter(f().u64_().eq(v.u64_))
            .filter(f().f32_().eq(v.f32_))
            .filter(f().f64_().eq(v.f64_))
            .filter(f().s().eq(&v.s))
            .filter(f().bytes().eq(&v.bytes))
            .filter(f().uuid().eq(v.uuid))
            .filter(f().ts().eq(v.ts))
            .filter(f().dt().eq(v.dt))
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(by_all, 1, "record {} found by all its values", v.id);
    }
    Ok(())
}

/// `-0.0` is stored and compares equal to `0.0`.
pub async fn types_negative_zero(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Scalars)).await?;
    let mut v = specials();
    v.f32_ = -0.0;
    v.f64_ = -0.0;
    create(&v).exec(&mut db).await?;
    let back = Scalars::get_by_id(&mut db, v.id).await?;
    assert_eq!(back.f64_, 0.0);
    assert_eq!(back.f32_, 0.0);
    let n = Scalars::filter_by_id(v.id)
        .filter(Scalars::fields().f64_().eq(0.0))
        .filter(Scalars::fields().f32_().eq(0.0))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1, "-0.0 == 0.0");
    let n = Scalars::filter_by_id(v.id)
        .filter(Scalars::fields().f64_().lt(0.0))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0, "-0.0 is not below 0.0");
    Ok(())
}

/// Timestamps round-trip with microsecond precision (sub-microsecond digits are dropped).
pub async fn types_timestamp_microseconds(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Scalars)).await?;
    let mut v = specials();
    v.ts = jiff::Timestamp::new(1_700_000_000, 123_456_789).expect("valid");
    v.dt = chrono::DateTime::from_timestamp(1_700_000_000, 987_654_321).expect("valid");
    create(&v).exec(&mut db).await?;
    let back = Scalars::get_by_id(&mut db, v.id).await?;
    assert_eq!(back.ts.as_microsecond(), 1_700_000_000_123_456);
    assert_eq!(back.ts.subsec_nanosecond(), 123_456_000);
    assert_eq!(back.dt.timestamp_micros(), 1_700_000_000_987_654);
    assert_eq!(back.dt.timestamp_subsec_nanos(), 987_654_000);
    for us in [1, -1, 999_999, 1_000_001, -1_000_001] {
        Scalars::update_by_id(v.id)
            .ts(jiff_us(us))
            .dt(chrono_us(us))
            .exec(&mut db)
            .await?;
        let back = Scalars::get_by_id(&mut db, v.id).await?;
        assert_eq!(back.ts.as_microsecond(), us);
        assert_eq!(back.dt.timestamp_micros(), us);
    }
    Ok(())
}

/// Every optional field round-trips `None` and a `Some` boundary value.
pub async fn types_optional_round_trip(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Optionals)).await?;
    let none = Optionals::create().id(1).exec(&mut db).await?;
    let want_none = Optionals {
        id: 1,
        b: None,
        i8_: None,
        i16_: None,
        i32_: None,
        i64_: None,
        u8_: None,
        u16_: None,
        u32_: None,
        u64_: None,
        f32_: None,
        f64_: None,
        s: None,
        bytes: None,
        uuid: None,
        ts: None,
        dt: None,
    };
    assert_eq!(none, want_none);
    assert_eq!(Optionals::get_by_id(&mut db, 1).await?, want_none);

    let m = maximums();
    let some = Optionals::create()
        .id(2)
        .b(m.b)
        .i8_(m.i8_)
        .i16_(m.i16_)
        .i32_(m.i32_)
        .i64_(i64::MIN)
        .u8_(m.u8_)
        .u16_(m.u16_)
        .u32_(m.u32_)
        .u64_(m.u64_)
        .f32_(f32::MIN_POSITIVE)
        .f64_(f64::MAX)
        .s(String::new())
        .bytes(Vec::new())
        .uuid(m.uuid)
        .ts(m.ts)
        .dt(chrono_us(TS_MIN));
    let made = some.exec(&mut db).await?;
    let want = Optionals {
        id: 2,
        b: Some(true),
        i8_: Some(i8::MAX),
        i16_: Some(i16::MAX),
        i32_: Some(i32::MAX),
        i64_: Some(i64::MIN),
        u8_: Some(u8::MAX),
        u16_: Some(u16::MAX),
        u32_: Some(u32::MAX),
        u64_: Some(i64::MAX as u64),
        f32_: Some(f32::MIN_POSITIVE),
        f64_: Some(f64::MAX),
        s: Some(String::new()),
        bytes: Some(Vec::new()),
        uuid: Some(uuid::Uuid::max()),
        ts: Some(jiff_max()),
        dt: Some(chrono_us(TS_MIN)),
    };
    assert_eq!(made, want);
    assert_eq!(Optionals::get_by_id(&mut db, 2).await?, want);
    // An empty string and empty bytes are values, not NULL.
    let f = Optionals::fields;
    let n = Optionals::filter_by_id(2)
        .filter(f().s().is_some().and(f().bytes().is_some()))
        .filter(f().s().eq("").and(f().bytes().eq(Vec::<u8>::new())))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}

/// A string holding the NUL character round-trips and matches `contains("\0")`; a
/// backend that cannot store it (PostgreSQL `TEXT`) refuses it with `InvalidValue`.
pub async fn types_nul_in_string(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Scalars)).await?;
    let mut v = specials();
    v.s = "a\0b".to_string();
    let r = create(&v).exec(&mut db).await;
    if !t.stores_nul() {
        expect_err(r, ErrorKind::InvalidValue, &["NUL"]);
        return Ok(());
    }
    r?;
    assert_eq!(Scalars::get_by_id(&mut db, v.id).await?.s, "a\0b");
    let n = Scalars::filter_by_id(v.id)
        .filter(Scalars::fields().s().contains("\0"))
        .filter(Scalars::fields().s().ne("a"))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}
