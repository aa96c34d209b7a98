//! Relative numeric updates (`toasty::stmt::increment()`, `add(v)`, ..., and
//! `field.increment()` in `update!`): applied to the stored value in one atomic step,
//! with a result outside the field's Rust type refused (`ValueOutOfRange`) and nothing
//! written, on every backend alike (`toasty_core::stmt::Arith::apply`).

use super::support::expect_err;
use crate::Test;
use std::time::Duration;
use toasty::stmt::{add, decrement, increment, subtract};
use toasty::{Error, ErrorKind, Result};

#[derive(Debug, Clone, PartialEq, toasty::Model)]
struct Counter {
    #[key]
    id: i64,
    #[index]
    group: String,
    n_i8: i8,
    n_i16: i16,
    n_i32: i32,
    n_i64: i64,
    n_u8: u8,
    n_u16: u16,
    n_u32: u32,
    n_u64: u64,
    n_isize: isize,
    n_usize: usize,
    n_f32: f32,
    n_f64: f64,
    label: String,
}

async fn counter(db: &mut toasty::Db, id: i64, group: &str) -> Result<Counter> {
    toasty::create!(Counter {
        id,
        group,
        n_i8: 0,
        n_i16: 0,
        n_i32: 0,
        n_i64: 0,
        n_u8: 0,
        n_u16: 0,
        n_u32: 0,
        n_u64: 0,
        n_isize: 0,
        n_usize: 0,
        n_f32: 0.0,
        n_f64: 0.0,
        label: "x",
    })
    .exec(db)
    .await
}

/// Every form changes the stored value and the instance; plain assignments mix in.
pub async fn arith_basic_forms(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    let mut c = counter(&mut db, 1, "g").await?;
    let other = counter(&mut db, 2, "h").await?;
    toasty::update!(c { n_i64.add(100) }).exec(&mut db).await?;
    toasty::update!(c { n_i64.subtract(25) })
        .exec(&mut db)
        .await?;
    toasty::update!(c { n_i32.increment(), n_i16.decrement(), label: "y" })
        .exec(&mut db)
        .await?;
    c.update()
        .n_u8(increment())
        .n_u16(add(7))
        .n_f64(add(0.5))
        .n_isize(subtract(3))
        .n_usize(add(9))
        .exec(&mut db)
        .await?;
    c.update().n_u8(decrement()).exec(&mut db).await?;
    let expect = (75, 1, -1, "y", 0, 7, 0.5, -3, 9);
    let got = |c: &Counter| {
        (
            c.n_i64,
            c.n_i32,
            c.n_i16,
            c.label.clone(),
            c.n_u8,
            c.n_u16,
            c.n_f64,
            c.n_isize,
            c.n_usize,
        )
    };
    let (a, b, cc, d, e, f, g, h, i) = expect;
    let expect = (a, b, cc, d.to_string(), e, f, g, h, i);
    assert_eq!(got(&c), expect, "the instance");
    let stored = Counter::get_by_id(&mut db, 1).await?;
    assert_eq!(got(&stored), expect, "the stored record");
    assert_eq!(stored, c);
    assert_eq!(Counter::get_by_id(&mut db, 2).await?, other, "untouched");
    // The last setter of a field wins, value or change.
    c.update().n_i64(5).n_i64(add(1)).exec(&mut db).await?;
    assert_eq!(c.n_i64, 76);
    c.update().n_i64(add(1)).n_i64(5).exec(&mut db).await?;
    assert_eq!(c.n_i64, 5);
    Ok(())
}

/// `end`, typed like `field`.
fn typed_like<T>(_field: &T, end: Option<T>) -> Option<T> {
    end
}

/// Runs `change` on a record whose field `get` holds `start`: expects `Ok(end)` or, for
/// `None`, `ValueOutOfRange` with the stored record (and the instance) unchanged.
macro_rules! edge {
    ($db:expr, $id:expr, $field:ident = $start:expr, $change:expr => $end:expr) => {{
        let db: &mut toasty::Db = $db;
        let mut c = Counter::get_by_id(&mut *db, $id).await?;
        c.update().$field($start).exec(&mut *db).await?;
        let before = c.clone();
        let end = typed_like(&c.$field, $end);
        let r = c.update().$field($change).exec(&mut *db).await;
        match end {
            Some(v) => {
                r.map_err(|e| {
                    Error::driver(format!(
                        "{} = {:?} then {:?}: {e}",
                        stringify!($field),
                        $start,
                        stringify!($change)
                    ))
                })?;
                assert_eq!(c.$field, v, "{} instance", stringify!($field));
                let stored = Counter::get_by_id(&mut *db, $id).await?;
                assert_eq!(stored.$field, v, "{} stored", stringify!($field));
            }
            None => {
                match r {
                    Err(e) if e.kind() == ErrorKind::ValueOutOfRange => {}
                    other => panic!(
                        "{} = {:?} then {}: expected ValueOutOfRange, got {other:?}",
                        stringify!($field),
                        $start,
                        stringify!($change)
                    ),
                }
                assert_eq!(c, before, "{} instance unchanged", stringify!($field));
                let stored = Counter::get_by_id(&mut *db, $id).await?;
                assert_eq!(stored, before, "{} nothing written", stringify!($field));
            }
        }
    }};
}

/// Every integer width at the edges of its range: reaching the edge works, one step
/// past it is `ValueOutOfRange` and writes nothing (`u64`/`usize` end at `i64::MAX`).
pub async fn arith_integer_edges(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    counter(&mut db, 1, "g").await?;
    let db = &mut db;
    edge!(db, 1, n_i8 = i8::MAX - 1, increment() => Some(i8::MAX));
    edge!(db, 1, n_i8 = i8::MAX, increment() => None);
    edge!(db, 1, n_i8 = i8::MIN + 1, decrement() => Some(i8::MIN));
    edge!(db, 1, n_i8 = i8::MIN, decrement() => None);
    edge!(db, 1, n_i8 = -100, subtract(100) => None);
    edge!(db, 1, n_i16 = i16::MAX, add(1) => None);
    edge!(db, 1, n_i16 = i16::MIN, subtract(1) => None);
    edge!(db, 1, n_i16 = i16::MIN, add(i16::MAX) => Some(-1));
    edge!(db, 1, n_i32 = i32::MAX - 5, add(5) => Some(i32::MAX));
    edge!(db, 1, n_i32 = i32::MAX, increment() => None);
    edge!(db, 1, n_i32 = i32::MIN, decrement() => None);
    edge!(db, 1, n_i64 = i64::MAX - 1, increment() => Some(i64::MAX));
    edge!(db, 1, n_i64 = i64::MAX, increment() => None);
    edge!(db, 1, n_i64 = i64::MAX - 1, add(i64::MAX) => None);
    edge!(db, 1, n_i64 = i64::MIN, decrement() => None);
    edge!(db, 1, n_i64 = 0, subtract(i64::MIN) => None);
    edge!(db, 1, n_i64 = -1, subtract(i64::MAX) => Some(i64::MIN));
    edge!(db, 1, n_u8 = 254, increment() => Some(u8::MAX));
    edge!(db, 1, n_u8 = u8::MAX, increment() => None);
    edge!(db, 1, n_u8 = 0, decrement() => None);
    edge!(db, 1, n_u8 = 1, decrement() => Some(0));
    edge!(db, 1, n_u16 = u16::MAX, add(1) => None);
    edge!(db, 1, n_u16 = 0, subtract(1) => None);
    edge!(db, 1, n_u32 = u32::MAX - 1, increment() => Some(u32::MAX));
    edge!(db, 1, n_u32 = u32::MAX, increment() => None);
    edge!(db, 1, n_u32 = 0, decrement() => None);
    edge!(db, 1, n_u64 = i64::MAX as u64 - 1, increment() => Some(i64::MAX as u64));
    edge!(db, 1, n_u64 = i64::MAX as u64, increment() => None);
    edge!(db, 1, n_u64 = 0, decrement() => None);
    edge!(db, 1, n_isize = isize::MAX, increment() => None);
    edge!(db, 1, n_isize = isize::MIN, decrement() => None);
    edge!(db, 1, n_usize = i64::MAX as usize, increment() => None);
    edge!(db, 1, n_usize = 0, decrement() => None);
    // An amount that does not fit the field is refused before the database.
    let mut c = Counter::get_by_id(&mut *db, 1).await?;
    let r = c.update().n_u64(add(u64::MAX)).exec(&mut *db).await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["n_u64"]);
    Ok(())
}

/// Floats: IEEE arithmetic in the field's type (`f32` rounds to nearest, ties to even);
/// a result that overflows to an infinity is `ValueOutOfRange` and writes nothing.
pub async fn arith_floats(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    counter(&mut db, 1, "g").await?;
    let db = &mut db;
    edge!(db, 1, n_f64 = 0.5, add(0.25) => Some(0.75));
    edge!(db, 1, n_f64 = 1.0, subtract(1.0) => Some(0.0));
    edge!(db, 1, n_f64 = f64::MAX, add(f64::MAX) => None);
    edge!(db, 1, n_f64 = -f64::MAX, subtract(f64::MAX) => None);
    edge!(db, 1, n_f32 = 0.5, add(0.25) => Some(0.75));
    // 2^24 + 1 is not an f32: rounds to even, 2^24.
    edge!(db, 1, n_f32 = 16_777_216.0, increment() => Some(16_777_216.0));
    edge!(db, 1, n_f32 = 16_777_216.0, add(2.0) => Some(16_777_218.0));
    edge!(db, 1, n_f32 = f32::MAX, add(f32::MAX) => None);
    Ok(())
}

/// A query target: every matched record changes; one record past its range fails the
/// whole statement and no record changes.
pub async fn arith_query_all_or_nothing(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    for id in 1..=4 {
        counter(&mut db, id, if id <= 3 { "g" } else { "h" }).await?;
    }
    let n = toasty::update!(Counter::filter_by_group("g") { n_u8.add(200), n_i64.increment() })
        .exec(&mut db)
        .await?;
    assert_eq!(n, 3);
    Counter::update_by_id(2).n_u8(250).exec(&mut db).await?;
    let before: Vec<Counter> = sorted(Counter::filter_by_group("g").exec(&mut db).await?);
    let r = Counter::filter_by_group("g")
        .update()
        .n_u8(add(10))
        .n_i64(add(5))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    let after: Vec<Counter> = sorted(Counter::filter_by_group("g").exec(&mut db).await?);
    assert_eq!(after, before, "nothing written");
    let r = toasty::update!(Counter::filter_by_group("g") { n_i64.subtract(i64::MAX) })
        .exec(&mut db)
        .await?;
    assert_eq!(r, 3);
    let after: Vec<Counter> = sorted(Counter::filter_by_group("g").exec(&mut db).await?);
    assert!(after.iter().all(|c| c.n_i64 == 1 - i64::MAX));
    let r = toasty::update!(Counter::filter_by_group("g") { n_i64.subtract(3) })
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    let unchanged: Vec<Counter> = sorted(Counter::filter_by_group("g").exec(&mut db).await?);
    assert_eq!(unchanged, after, "nothing written");
    let h = Counter::get_by_id(&mut db, 4).await?;
    assert_eq!((h.n_u8, h.n_i64), (0, 0), "the other group is untouched");
    Ok(())
}

fn sorted(mut v: Vec<Counter>) -> Vec<Counter> {
    v.sort_by_key(|c| c.id);
    v
}

const TASKS: i64 = 2;
const INCREMENTS: i64 = 15;

/// Two clients increment one counter concurrently: no increment is lost. A key-value
/// store answers a conflicting write with `SerializationFailure` (the write is
/// conditioned on the row as read); the client retries it. (On the DynamoDB emulator the
/// count is only bounded: see the comment at the end.)
pub async fn arith_concurrent_increments(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    counter(&mut db, 1, "g").await?;
    let handles: Vec<_> = (0..TASKS)
        .map(|task| {
            let mut db = db.clone();
            tokio::spawn(async move {
                let mut retries = 0u32;
                for i in 0..INCREMENTS {
                    loop {
                        let r = if i % 2 == 0 {
                            Counter::update_by_id(1)
                                .n_i64(increment())
                                .exec(&mut db)
                                .await
                        } else {
                            toasty::update!(Counter::filter_by_id(1) { n_i64.increment() })
                                .exec(&mut db)
                                .await
                        };
                        match r {
                            Ok(n) => {
                                assert_eq!(n, 1);
                                break;
                            }
                            Err(e) if e.is_serialization_failure() && retries < 500 => {
                                retries += 1;
                                let pause = 1 + (task as u64 * 3 + u64::from(retries)) % 4;
                                tokio::time::sleep(Duration::from_millis(pause)).await;
                            }
                            Err(e) => return Err(e),
                        }
                        tokio::task::yield_now().await;
                    }
                    tokio::task::yield_now().await;
                }
                Ok::<u32, Error>(retries)
            })
        })
        .collect();
    for h in handles {
        h.await
            .map_err(|e| Error::driver(format!("an increment task failed: {e}")))??;
    }
    let stored = Counter::get_by_id(&mut db, 1).await?;
    if t.backend_name() == "dynamodb" {
        // The DynamoDB backend of the suite is an emulator endpoint, and moto's threaded
        // server checks an item's condition and writes it without a lock, so two
        // concurrent conditional writes can both pass (a lost update AWS's conditional
        // writes rule out). The engine's key-value path is checked exactly on memdb-kv.
        assert!(
            (1..=TASKS * INCREMENTS).contains(&stored.n_i64),
            "{}",
            stored.n_i64
        );
    } else {
        assert_eq!(stored.n_i64, TASKS * INCREMENTS, "no increment is lost");
    }
    Ok(())
}

/// Inside a transaction (SQL backends) a change is visible to the transaction's later
/// reads, and an overflow aborts the transaction like any failed write
/// (`TransactionAborted` until rolled back); rolling back undoes the earlier change.
pub async fn arith_in_transaction(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    counter(&mut db, 1, "g").await?;
    if t.is_kv() {
        // `toasty::batch` is the unit there: an overflow in it writes nothing.
        let r = toasty::batch((
            Counter::update_by_id(1).n_i64(add(5)),
            Counter::update_by_id(1).n_u8(decrement()),
        ))
        .exec(&mut db)
        .await;
        assert!(r.is_err(), "{r:?}");
        assert_eq!(Counter::get_by_id(&mut db, 1).await?.n_i64, 0);
        return Ok(());
    }
    let mut tx = db.transaction().await?;
    Counter::update_by_id(1).n_i64(add(5)).exec(&mut tx).await?;
    assert_eq!(Counter::get_by_id(&mut tx, 1).await?.n_i64, 5);
    let r = Counter::update_by_id(1)
        .n_u8(decrement())
        .exec(&mut tx)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &[]);
    let r = Counter::get_by_id(&mut tx, 1).await;
    expect_err(r, ErrorKind::TransactionAborted, &[]);
    tx.rollback().await?;
    let c = Counter::get_by_id(&mut db, 1).await?;
    assert_eq!((c.n_i64, c.n_u8), (0, 0));
    Ok(())
}

#[derive(Debug, Clone, PartialEq, toasty::Model)]
struct Ranked {
    #[key]
    id: i64,
    #[index]
    group: String,
    #[unique]
    rank: i64,
    #[unique]
    code: i64,
    n: u8,
}

async fn ranked(db: &mut toasty::Db, id: i64, rank: i64, n: u8) -> Result<Ranked> {
    toasty::create!(Ranked {
        id,
        group: "g",
        rank,
        code: id * 100,
        n
    })
    .exec(db)
    .await
}

async fn all_ranked(db: &mut toasty::Db) -> Result<Vec<Ranked>> {
    let mut v = Ranked::filter_by_group("g").exec(db).await?;
    v.sort_by_key(|r| r.id);
    Ok(v)
}

/// A relative change to a `#[unique]` field must update one record, selected by its key
/// or a unique field: through a filter that may match several records it is
/// `InvalidStatement` on every backend, and nothing is written (the records could take
/// each other's values, and SQL databases check unique indexes row by row while memdb
/// and key-value stores check the final state: the harness found the two answering
/// differently).
pub async fn arith_unique_field_one_record(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Ranked)).await?;
    ranked(&mut db, 1, 1, 0).await?;
    ranked(&mut db, 2, 2, 0).await?;
    let before = all_ranked(&mut db).await?;
    let r = toasty::update!(Ranked::filter_by_group("g") { rank.increment() })
        .exec(&mut db)
        .await;
    expect_err(
        r,
        ErrorKind::InvalidStatement,
        &["`Ranked.rank`", "unique", "one record"],
    );
    let r = Ranked::filter(Ranked::fields().id().in_list([1, 2]))
        .update()
        .rank(subtract(1))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["unique"]);
    assert_eq!(all_ranked(&mut db).await?, before, "nothing written");
    // By key, by a unique field and on an instance it runs; a collision with another
    // record's value is a unique violation, as for a plain assignment.
    Ranked::update_by_id(2).rank(add(10)).exec(&mut db).await?;
    Ranked::filter_by_rank(12)
        .update()
        .rank(subtract(2))
        .exec(&mut db)
        .await?;
    let mut one = Ranked::get_by_id(&mut db, 1).await?;
    toasty::update!(one { rank.add(3), n.increment() })
        .exec(&mut db)
        .await?;
    assert_eq!((one.rank, one.n), (4, 1));
    let r = toasty::update!(one { rank.add(6) }).exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let got: Vec<(i64, i64)> = all_ranked(&mut db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.rank))
        .collect();
    assert_eq!(got, [(1, 4), (2, 10)]);
    // A non-unique field changes through any filter.
    let n = toasty::update!(Ranked::filter_by_group("g") { n.add(2) })
        .exec(&mut db)
        .await?;
    assert_eq!(n, 2);
    Ok(())
}

/// A result out of range is `ValueOutOfRange` before any other error of the same
/// update: here a plain assignment would also give two records one unique value, which
/// an SQL database reports while it writes, but the range is checked first, on every
/// backend (SQL backends read the matched rows and check the results before the
/// update), and nothing is written.
pub async fn arith_range_error_before_unique_violation(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Ranked)).await?;
    ranked(&mut db, 1, 1, 0).await?;
    ranked(&mut db, 2, 2, 250).await?;
    let before = all_ranked(&mut db).await?;
    let r = Ranked::filter_by_group("g")
        .update()
        .code(7)
        .n(add(10))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::ValueOutOfRange, &["u8"]);
    assert_eq!(all_ranked(&mut db).await?, before, "nothing written");
    // In range, the unique violation is what remains.
    let r = Ranked::filter_by_group("g")
        .update()
        .code(7)
        .n(add(1))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(all_ranked(&mut db).await?, before, "nothing written");
    Ok(())
}
