//! Filter operators: `eq ne gt ge lt le in_list` on every field type, string patterns
//! (case-sensitive, `%` and `_` literal, unicode) and `and`/`or`/`not` nesting.
//!
//! Every query pins the partition field `grp`, so the same test runs on key-value
//! backends (the operators are then applied by the engine as a residual filter).

use crate::Test;
use toasty::Result;

/// Generates a test checking every comparison operator on a field of type `$ty`, given
/// strictly ascending values.
macro_rules! cmp_test {
    ($name:ident, $ty:ty, [$($v:expr),+ $(,)?]) => {
        #[doc = concat!("Every comparison operator and `in_list` on a `", stringify!($ty), "` field.")]
        pub async fn $name(t: &mut Test) -> Result<()> {
            #[derive(Debug, toasty::Model)]
            #[key(grp, id)]
            struct Item {
                grp: String,
                id: i64,
                v: $ty,
            }
            let mut db = t.setup_db(toasty::models!(Item)).await?;
            let vals: Vec<$ty> = vec![$($v),+];
            let n = vals.len() as i64;
            for (i, v) in vals.iter().enumerate() {
                Item::create().grp("g").id(i as i64).v(v.clone()).exec(&mut db).await?;
            }
            // A record in another partition that must never leak into results.
            Item::create().grp("h").id(0).v(vals[0].clone()).exec(&mut db).await?;

            async fn ids(db: &mut toasty::Db, e: toasty::Expr<bool>) -> Result<Vec<i64>> {
                let mut out: Vec<i64> = Item::filter(Item::fields().grp().eq("g").and(e))
                    .exec(db)
                    .await?
                    .into_iter()
                    .map(|r| r.id)
                    .collect();
                out.sort();
                Ok(out)
            }
            let all: Vec<i64> = (0..n).collect();
            let v = || Item::fields().v();
            for (p, pivot) in vals.iter().enumerate() {
                let p = p as i64;
                let sel = |f: &dyn Fn(i64) -> bool| all.iter().copied().filter(|&i| f(i)).collect::<Vec<_>>();
                assert_eq!(ids(&mut db, v().eq(pivot.clone())).await?, sel(&|i| i == p), "eq #{p}");
                assert_eq!(ids(&mut db, v().ne(pivot.clone())).await?, sel(&|i| i != p), "ne #{p}");
                assert_eq!(ids(&mut db, v().gt(pivot.clone())).await?, sel(&|i| i > p), "gt #{p}");
                assert_eq!(ids(&mut db, v().ge(pivot.clone())).await?, sel(&|i| i >= p), "ge #{p}");
                assert_eq!(ids(&mut db, v().lt(pivot.clone())).await?, sel(&|i| i < p), "lt #{p}");
                assert_eq!(ids(&mut db, v().le(pivot.clone())).await?, sel(&|i| i <= p), "le #{p}");
                assert_eq!(ids(&mut db, v().eq(pivot.clone()).not()).await?, sel(&|i| i != p), "not eq #{p}");
            }
            let first = vals[0].clone();
            let last = vals[vals.len() - 1].clone();
            assert_eq!(
                ids(&mut db, v().in_list([first.clone(), last.clone()])).await?,
                vec![0, n - 1],
                "in_list"
            );
            assert_eq!(
                ids(&mut db, v().in_list([first.clone(), last]).not()).await?,
                (1..n - 1).collect::<Vec<_>>(),
                "not in_list"
            );
            let empty: Vec<$ty> = Vec::new();
            assert_eq!(ids(&mut db, v().in_list(empty.clone())).await?, Vec::<i64>::new(), "in_list of nothing");
            assert_eq!(ids(&mut db, v().in_list(empty).not()).await?, all, "not in_list of nothing");
            assert_eq!(ids(&mut db, v().in_list([first.clone(), first])).await?, vec![0], "in_list with duplicates");
            Ok(())
        }
    };
}

cmp_test!(cmp_ops_bool, bool, [false, true]);
cmp_test!(cmp_ops_i8, i8, [i8::MIN, -1, 0, 1, i8::MAX]);
cmp_test!(cmp_ops_i16, i16, [i16::MIN, -1, 0, 300, i16::MAX]);
cmp_test!(cmp_ops_i32, i32, [i32::MIN, -70_000, 0, 70_000, i32::MAX]);
cmp_test!(cmp_ops_i64, i64, [i64::MIN, -1, 0, 1, i64::MAX]);
cmp_test!(cmp_ops_u8, u8, [0, 1, 127, 128, u8::MAX]);
cmp_test!(cmp_ops_u16, u16, [0, 1, 40_000, u16::MAX]);
cmp_test!(cmp_ops_u32, u32, [0, 1, 3_000_000_000, u32::MAX]);
cmp_test!(cmp_ops_u64, u64, [0, 1, 1 << 40, i64::MAX as u64]);
cmp_test!(
    cmp_ops_f32,
    f32,
    [f32::MIN, -1.5, 0.0, 1e-30, 2.5, f32::MAX]
);
cmp_test!(
    cmp_ops_f64,
    f64,
    [f64::MIN, -1.5, -1e-300, 0.0, 5e-324, 2.5, f64::MAX]
);
cmp_test!(
    cmp_ops_string,
    String,
    [
        String::new(),
        " ".to_string(),
        "A".to_string(),
        "Z".to_string(),
        "a".to_string(),
        "a ".to_string(),
        "ab".to_string(),
        "z".to_string(),
        "é".to_string(),
        "日本".to_string(),
        "🦀".to_string(),
    ]
);
cmp_test!(
    cmp_ops_bytes,
    Vec<u8>,
    [
        vec![],
        vec![0],
        vec![0, 0],
        vec![1],
        vec![1, 255],
        vec![255]
    ]
);
cmp_test!(
    cmp_ops_uuid,
    uuid::Uuid,
    [
        uuid::Uuid::nil(),
        uuid::Uuid::from_u128(1),
        uuid::Uuid::from_u128(0x0100_0000_0000_0000_0000_0000_0000_0000),
        uuid::Uuid::max(),
    ]
);
cmp_test!(
    cmp_ops_jiff_timestamp,
    jiff::Timestamp,
    [
        jiff::Timestamp::from_second(-30_610_224_000).unwrap(),
        jiff::Timestamp::from_microsecond(-1).unwrap(),
        jiff::Timestamp::UNIX_EPOCH,
        jiff::Timestamp::from_microsecond(1).unwrap(),
        jiff::Timestamp::from_microsecond(1_700_000_000_123_456).unwrap(),
    ]
);
cmp_test!(
    cmp_ops_chrono_datetime,
    chrono::DateTime<chrono::Utc>,
    [
        chrono::DateTime::from_timestamp_micros(-1_000_000).unwrap(),
        chrono::DateTime::from_timestamp_micros(0).unwrap(),
        chrono::DateTime::from_timestamp_micros(999).unwrap(),
        chrono::DateTime::from_timestamp_micros(253_402_300_799_999_999).unwrap(),
    ]
);

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Text {
    grp: String,
    id: i64,
    s: String,
    n: i64,
}

const TEXTS: &[&str] = &[
    "abc",
    "ABC",
    "a%c",
    "a_c",
    "abXc",
    "héllo",
    "日本語",
    "100%",
    "x_y",
    "",
    "a\\c",
];

async fn seed_texts(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Text)).await?;
    let mut batch = Text::create_many();
    for (i, s) in TEXTS.iter().enumerate() {
        batch = batch.item(Text::create().grp("g").id(i as i64).s(*s).n(i as i64));
    }
    batch = batch.item(Text::create().grp("other").id(0).s("abc").n(0));
    batch.exec(&mut db).await?;
    Ok(db)
}

async fn texts(db: &mut toasty::Db, e: toasty::Expr<bool>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Text::filter(Text::fields().grp().eq("g").and(e))
        .exec(db)
        .await?
        .into_iter()
        .map(|r| r.s)
        .collect();
    out.sort();
    Ok(out)
}

fn expect(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// `starts_with`, `ends_with` and `contains` are case-sensitive and treat `%`, `_` and `\`
/// literally.
pub async fn string_patterns_literal(t: &mut Test) -> Result<()> {
    let mut db = seed_texts(t).await?;
    let s = || Text::fields().s();
    assert_eq!(
        texts(&mut db, s().starts_with("a")).await?,
        expect(&["abc", "a%c", "a_c", "abXc", "a\\c"])
    );
    assert_eq!(
        texts(&mut db, s().starts_with("A")).await?,
        expect(&["ABC"])
    );
    assert_eq!(texts(&mut db, s().contains("B")).await?, expect(&["ABC"]));
    assert_eq!(
        texts(&mut db, s().contains("%")).await?,
        expect(&["a%c", "100%"])
    );
    assert_eq!(
        texts(&mut db, s().contains("_")).await?,
        expect(&["a_c", "x_y"])
    );
    assert_eq!(
        texts(&mut db, s().starts_with("a%")).await?,
        expect(&["a%c"])
    );
    assert_eq!(texts(&mut db, s().ends_with("_c")).await?, expect(&["a_c"]));
    assert_eq!(texts(&mut db, s().ends_with("%")).await?, expect(&["100%"]));
    assert_eq!(texts(&mut db, s().contains("\\")).await?, expect(&["a\\c"]));
    assert_eq!(texts(&mut db, s().ends_with("C")).await?, expect(&["ABC"]));
    assert_eq!(texts(&mut db, s().contains("bx")).await?, expect(&[]));
    assert_eq!(texts(&mut db, s().contains("bX")).await?, expect(&["abXc"]));
    Ok(())
}

/// Pattern tests on unicode text, the empty pattern, and their negation.
pub async fn string_patterns_unicode_and_empty(t: &mut Test) -> Result<()> {
    let mut db = seed_texts(t).await?;
    let s = || Text::fields().s();
    assert_eq!(texts(&mut db, s().contains("é")).await?, expect(&["héllo"]));
    assert_eq!(texts(&mut db, s().contains("e")).await?, expect(&[]));
    assert_eq!(
        texts(&mut db, s().starts_with("日本")).await?,
        expect(&["日本語"])
    );
    assert_eq!(
        texts(&mut db, s().ends_with("語")).await?,
        expect(&["日本語"])
    );
    assert_eq!(texts(&mut db, s().starts_with("")).await?, expect(TEXTS));
    assert_eq!(texts(&mut db, s().contains("")).await?, expect(TEXTS));
    assert_eq!(texts(&mut db, s().ends_with("")).await?, expect(TEXTS));
    let not_a: Vec<&str> = TEXTS
        .iter()
        .copied()
        .filter(|x| !x.starts_with('a'))
        .collect();
    assert_eq!(
        texts(&mut db, s().starts_with("a").not()).await?,
        expect(&not_a)
    );
    Ok(())
}

async fn nums(db: &mut toasty::Db, e: toasty::Expr<bool>) -> Result<Vec<i64>> {
    let mut v: Vec<i64> = Text::filter(Text::fields().grp().eq("g").and(e))
        .exec(db)
        .await?
        .into_iter()
        .map(|r| r.n)
        .collect();
    v.sort();
    Ok(v)
}

/// `and`, `or` and `not` nest to any depth with the usual meaning.
pub async fn logical_nesting(t: &mut Test) -> Result<()> {
    let mut db = seed_texts(t).await?;
    let n = || Text::fields().n();
    // (n > 1 AND n < 5) OR n = 9
    let e = n().gt(1).and(n().lt(5)).or(n().eq(9));
    assert_eq!(nums(&mut db, e.clone()).await?, [2, 3, 4, 9]);
    // NOT of it
    assert_eq!(nums(&mut db, e.not()).await?, [0, 1, 5, 6, 7, 8, 10]);
    // NOT (n < 3 OR n > 7) AND NOT n = 5
    let e = n().lt(3).or(n().gt(7)).not().and(!n().eq(5));
    assert_eq!(nums(&mut db, e).await?, [3, 4, 6, 7]);
    // Double negation
    assert_eq!(nums(&mut db, n().eq(4).not().not()).await?, [4]);
    // Deep: ((n = 0 OR (n = 1 AND NOT n = 1)) OR (n >= 9 AND (n = 10 OR n = 2)))
    let e = n()
        .eq(0)
        .or(n().eq(1).and(n().eq(1).not()))
        .or(n().ge(9).and(n().eq(10).or(n().eq(2))));
    assert_eq!(nums(&mut db, e).await?, [0, 10]);
    // A string test combined with a numeric one
    let e = Text::fields().s().starts_with("a").and(n().ge(3));
    assert_eq!(nums(&mut db, e).await?, [3, 4, 10]);
    // Query::filter called twice narrows
    let got: Vec<i64> = Text::filter(Text::fields().grp().eq("g"))
        .filter(n().lt(2))
        .filter(n().ge(1))
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|r| r.n)
        .collect();
    assert_eq!(got, [1]);
    Ok(())
}
