//! `toasty::now()`: the engine reads the clock once per statement and binds the value,
//! so defaults, `#[update]` values, assignments and filters of one statement agree, and
//! every backend (memdb included) sees the same instant.

use crate::Test;
use toasty::Result;

#[derive(Debug, toasty::Model)]
struct Event {
    #[key]
    id: i64,
    #[index]
    kind: String,
    #[default(toasty::now())]
    created_at: jiff::Timestamp,
    #[update(toasty::now())]
    touched_at: Option<jiff::Timestamp>,
    at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The current time truncated to microseconds (what Toasty stores).
fn micros_now() -> jiff::Timestamp {
    let t = jiff::Timestamp::now();
    jiff::Timestamp::from_microsecond(t.as_microsecond()).expect("in range")
}

fn to_chrono(t: jiff::Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(t.as_microsecond()).expect("in range")
}

/// Defaults and `#[update]` values from `now()` take one reading of the clock per
/// statement, between the times before and after it; they round-trip exactly; a filter
/// against `now()` sees them as past.
pub async fn now_in_defaults_and_filters(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Event)).await?;
    let before = micros_now();
    let e = toasty::create!(Event { id: 1, kind: "a" })
        .exec(&mut db)
        .await?;
    let after = micros_now();
    assert!(
        before <= e.created_at && e.created_at <= after,
        "{before} {e:?} {after}"
    );
    assert_eq!(
        e.touched_at,
        Some(e.created_at),
        "one clock reading per statement"
    );
    let back = Event::get_by_id(&mut db, 1).await?;
    assert_eq!(
        (back.created_at, back.touched_at),
        (e.created_at, e.touched_at)
    );

    // Several records of one statement share the instant.
    let many = toasty::create!(Event::[
        { id: 2, kind: "a" },
        { id: 3, kind: "a" },
        { id: 4, kind: "b" },
    ])
    .exec(&mut db)
    .await?;
    assert!(many.iter().all(|m| m.created_at == many[0].created_at));
    assert!(many[0].created_at >= e.created_at);

    // Filters: everything created so far is at or before now(), nothing after it.
    let kind_a = Event::fields().kind().eq("a");
    let past = Event::filter(
        kind_a
            .clone()
            .and(Event::fields().created_at().le(toasty::now())),
    )
    .count()
    .exec(&mut db)
    .await?;
    assert_eq!(past, 3);
    let future = Event::filter(kind_a.and(Event::fields().created_at().gt(toasty::now())))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(future, 0);
    Ok(())
}

/// In an update, an assignment of `now()` and the `#[update(toasty::now())]` field get
/// the same value, later than the create; a record's own update keeps the local value
/// in step with what was stored.
pub async fn now_in_updates(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Event)).await?;
    let mut e = toasty::create!(Event { id: 1, kind: "a" })
        .exec(&mut db)
        .await?;
    assert_eq!(e.at, None);

    let before = micros_now();
    toasty::update!(e { at: toasty::now() })
        .exec(&mut db)
        .await?;
    let after = micros_now();
    let at = e.at.expect("assigned");
    assert!(
        to_chrono(before) <= at && at <= to_chrono(after),
        "{before} {at} {after}"
    );
    assert_eq!(
        e.touched_at.map(to_chrono),
        Some(at),
        "one clock reading per statement"
    );
    let back = Event::get_by_id(&mut db, 1).await?;
    assert_eq!((back.at, back.touched_at), (e.at, e.touched_at));
    assert!(back.touched_at >= Some(back.created_at));

    // An update by filter, with now() in both the filter and the assignment.
    let n = Event::filter(
        Event::fields()
            .kind()
            .eq("a")
            .and(Event::fields().created_at().le(toasty::now())),
    )
    .update()
    .at(toasty::now())
    .exec(&mut db)
    .await?;
    assert_eq!(n, 1);
    let again = Event::get_by_id(&mut db, 1).await?;
    assert!(again.at >= back.at);
    assert_eq!(again.touched_at.map(to_chrono), again.at);
    Ok(())
}

/// `toasty::testing::freeze_now` makes `now()` a fixed instant on every backend (what the
/// differential harness relies on): defaults, `#[update]` values, assignments and
/// filters bind it, and the clock comes back when the guard is dropped.
pub async fn now_frozen(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Event)).await?;
    let at = jiff::Timestamp::from_second(1_000_000_000).expect("in range");
    {
        let _frozen = toasty::testing::freeze_now(at.as_microsecond());
        let e = toasty::create!(Event { id: 1, kind: "a" })
            .exec(&mut db)
            .await?;
        assert_eq!((e.created_at, e.touched_at), (at, Some(at)));
        let kind_a = Event::fields().kind().eq("a");
        let n = Event::filter(
            kind_a
                .clone()
                .and(Event::fields().created_at().eq(toasty::now())),
        )
        .update()
        .at(toasty::now())
        .exec(&mut db)
        .await?;
        assert_eq!(n, 1);
        let back = Event::get_by_id(&mut db, 1).await?;
        assert_eq!(back.at, Some(to_chrono(at)));
        let later = jiff::Timestamp::from_second(1_000_000_001).expect("in range");
        let _inner = toasty::testing::freeze_now(later.as_microsecond());
        let n = Event::filter(kind_a.and(Event::fields().created_at().lt(toasty::now())))
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(n, 1, "an inner freeze wins");
    }
    let before = micros_now();
    let e = toasty::create!(Event { id: 2, kind: "b" })
        .exec(&mut db)
        .await?;
    assert!(e.created_at >= before, "the clock is back after the guards");
    Ok(())
}
