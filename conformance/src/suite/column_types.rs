//! `#[column(type = ..)]`: a `varchar(N)` string holds at most N characters, a narrower
//! integer column type narrows the field's range, the same on every backend (the engine
//! refuses the value with `ValueOutOfRange` before anything is written); a type that does
//! not fit the field is `InvalidSchema` when the `Db` is built.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, PartialEq, toasty::Model)]
struct Limited {
    #[key]
    id: i64,
    #[column(type = varchar(5))]
    code: String,
    #[column("label_text", type = varchar(3))]
    label: Option<String>,
    #[index]
    #[column(type = varchar(4))]
    tag: String,
    #[column(type = i8)]
    small: i64,
    #[column(type = u16)]
    count: u64,
    #[column(type = int(2))]
    medium: Option<i32>,
    #[column(type = binary(2))]
    raw: Vec<u8>,
    #[column(type = text)]
    notes: String,
    #[column(type = boolean)]
    flag: bool,
    #[column(type = timestamp(6))]
    at: jiff::Timestamp,
}

fn at() -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(1_700_000_000_123_456).expect("a timestamp")
}

/// Values within the column types round-trip; one past a limit is `ValueOutOfRange`
/// on create and on update, and nothing is written.
pub async fn column_types_limits(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Limited)).await?;
    // At the limits: 5 characters (not bytes: "ééééé" is 10 bytes), i8::MAX, u16::MAX.
    let made = toasty::create!(Limited {
        id: 1,
        code: "ééééé",
        label: "a🦀c",
        tag: "abcd",
        small: 127,
        count: 65_535,
        medium: -32_768,
        raw: vec![0u8, 255],
        notes: "x".repeat(1000),
        flag: true,
        at: at(),
    })
    .exec(&mut db)
    .await?;
    let back = Limited::get_by_id(&mut db, 1).await?;
    assert_eq!(back, made);
    assert_eq!(back.code, "ééééé");
    assert_eq!(back.small, 127);
    let by_tag = Limited::filter_by_tag("abcd").count().exec(&mut db).await?;
    assert_eq!(by_tag, 1);

    let base = || {
        Limited::create()
            .id(2)
            .code("ok")
            .tag("t")
            .small(-128)
            .count(0)
            .raw(vec![])
            .notes("")
            .flag(false)
            .at(at())
    };
    base().exec(&mut db).await?;
    Limited::get_by_id(&mut db, 2)
        .await?
        .delete()
        .exec(&mut db)
        .await?;

    // One past each limit, on create.
    let past: Vec<(&str, LimitedCreate)> = vec![
        ("code", base().code("123456")),
        ("label", base().label("abcd")),
        ("tag", base().tag("abcde")),
        ("small", base().small(128)),
        ("small", base().small(-129)),
        ("count", base().count(65_536)),
        ("medium", base().medium(32_768)),
        ("raw", base().raw(vec![1, 2, 3])),
    ];
    for (field, create) in past {
        expect_err(
            create.exec(&mut db).await,
            ErrorKind::ValueOutOfRange,
            &[field],
        );
    }
    assert_eq!(
        Limited::filter_by_id(2).count().exec(&mut db).await?,
        0,
        "nothing written"
    );

    // And on update: the record keeps its values.
    let mut rec = Limited::get_by_id(&mut db, 1).await?;
    expect_err(
        rec.update().code("abcdef").exec(&mut db).await,
        ErrorKind::ValueOutOfRange,
        &["code", "varchar(5)", "5"],
    );
    expect_err(
        Limited::filter_by_id(1)
            .update()
            .small(1000)
            .exec(&mut db)
            .await,
        ErrorKind::ValueOutOfRange,
        &["small"],
    );
    let back = Limited::get_by_id(&mut db, 1).await?;
    assert_eq!(back.code, "ééééé");
    assert_eq!(back.small, 127);
    rec.update().code("abc").small(-5).exec(&mut db).await?;
    let back = Limited::get_by_id(&mut db, 1).await?;
    assert_eq!((back.code.as_str(), back.small), ("abc", -5));

    // Filters with values past the limits are not errors: they match nothing.
    let n = Limited::filter_by_id(1)
        .filter(Limited::fields().code().eq("abcdefgh"))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    let n = Limited::filter_by_id(1)
        .filter(Limited::fields().small().gt(1000))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    Ok(())
}

#[derive(Debug, toasty::Model)]
struct Misfit {
    #[key]
    id: i64,
    // A type alias hides the field type from the macro; the schema check catches it.
    #[column(type = varchar(10))]
    n: Number,
}

type Number = i64;

/// A column type that does not fit its field is `InvalidSchema` on every backend, before
/// any table is created.
pub async fn column_types_misfit(t: &mut Test) -> Result<()> {
    let err = t.setup_db(toasty::models!(Misfit)).await;
    expect_err(
        err.map(|_| ()),
        ErrorKind::InvalidSchema,
        &["Misfit.n", "varchar(10)", "String"],
    );
    Ok(())
}
