//! Keys and naming: composite keys, `#[auto]` UUID and integer keys, explicit keys,
//! `#[column]` and `#[table]`.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

/// A composite key: records share the partition field and differ by the sort field.
pub async fn keys_composite(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[key(user, seq)]
    struct Event {
        user: uuid::Uuid,
        seq: i64,
        what: String,
    }
    let mut db = t.setup_db(toasty::models!(Event)).await?;
    let (u1, u2) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
    toasty::create!(Event::[
        { user: u1, seq: 1, what: "a" },
        { user: u1, seq: 2, what: "b" },
        { user: u2, seq: 1, what: "c" },
    ])
    .exec(&mut db)
    .await?;
    assert_eq!(Event::get_by_user_and_seq(&mut db, u1, 2).await?.what, "b");
    assert_eq!(Event::get_by_user_and_seq(&mut db, u2, 1).await?.what, "c");
    let f = Event::fields;
    let later: Vec<String> = Event::filter_by_user(u1)
        .filter(f().seq().gt(1))
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert_eq!(later, ["b"]);
    let ordered: Vec<i64> = Event::filter_by_user(u1)
        .order_by(f().seq().desc())
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(ordered, [2, 1]);
    let mut e = Event::get_by_user_and_seq(&mut db, u1, 1).await?;
    e.update().what("a2").exec(&mut db).await?;
    assert_eq!(Event::get_by_user_and_seq(&mut db, u1, 1).await?.what, "a2");
    e.delete().exec(&mut db).await?;
    assert_eq!(Event::filter_by_user(u1).count().exec(&mut db).await?, 1);
    assert_eq!(Event::filter_by_user(u2).count().exec(&mut db).await?, 1);
    // Key lookups by several keys at once.
    let both = Event::filter(f().user().in_list([u1, u2]).and(f().seq().in_list([1, 2])))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(both, 2);
    Ok(())
}

/// `#[auto]` on a `uuid::Uuid` key generates distinct v7 UUIDs, also in batches.
pub async fn keys_auto_uuid(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Token {
        #[key]
        #[auto]
        id: uuid::Uuid,
        label: String,
    }
    let mut db = t.setup_db(toasty::models!(Token)).await?;
    let one = Token::create().label("x").exec(&mut db).await?;
    let many = toasty::create!(Token::[{ label: "a" }, { label: "b" }, { label: "c" }])
        .exec(&mut db)
        .await?;
    let mut ids: Vec<uuid::Uuid> = many.iter().map(|t| t.id).collect();
    ids.push(one.id);
    assert!(ids.iter().all(|id| id.get_version_num() == 7));
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    for t in &many {
        assert_eq!(Token::get_by_id(&mut db, t.id).await?.label, t.label);
    }
    Ok(())
}

/// `#[auto]` on an integer key: increasing distinct ids on SQL backends; on key-value
/// backends the schema is refused with `Unsupported` pointing at UUID keys.
pub async fn keys_auto_increment(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Probe {
        #[key]
        id: i64,
    }
    #[derive(Debug, toasty::Model)]
    struct Counter {
        #[key]
        #[auto]
        id: u64,
        name: String,
    }
    // Learn the backend's kind with a schema every backend accepts.
    t.setup_db(toasty::models!(Probe)).await?;
    if t.is_kv() {
        let r = t.setup_db(toasty::models!(Counter)).await;
        expect_err(r, ErrorKind::Unsupported, &["auto", "uuid"]);
        return Ok(());
    }
    let mut db = t.setup_db(toasty::models!(Counter)).await?;
    let a = Counter::create().name("a").exec(&mut db).await?;
    let batch = toasty::create!(Counter::[{ name: "b" }, { name: "c" }])
        .exec(&mut db)
        .await?;
    let b = Counter::create().name("d").exec(&mut db).await?;
    let ids = [a.id, batch[0].id, batch[1].id, b.id];
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "increasing: {ids:?}");
    assert!(a.id >= 1);
    for (id, name) in ids.iter().zip(["a", "b", "c", "d"]) {
        assert_eq!(Counter::get_by_id(&mut db, id).await?.name, name);
    }
    Ok(())
}

/// An explicit (non-auto) key of each key-able type: string, bytes, uuid, integers.
pub async fn keys_explicit_types(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct ByString {
        #[key]
        k: String,
        v: i32,
    }
    #[derive(Debug, toasty::Model)]
    struct ByBytes {
        #[key]
        k: Vec<u8>,
        v: i32,
    }
    #[derive(Debug, toasty::Model)]
    struct ByU8 {
        #[key]
        k: u8,
        v: i32,
    }
    let mut db = t.setup_db(toasty::models!(ByString, ByBytes, ByU8)).await?;
    for (i, k) in ["", "a", "A", "a ", "🦀"].iter().enumerate() {
        ByString::create().k(*k).v(i as i32).exec(&mut db).await?;
    }
    for (i, k) in ["", "a", "A", "a ", "🦀"].iter().enumerate() {
        assert_eq!(
            ByString::get_by_k(&mut db, *k).await?.v,
            i as i32,
            "key {k:?}"
        );
    }
    let keys: [&[u8]; 4] = [&[], &[0], &[0, 0], &[255]];
    for (i, k) in keys.iter().enumerate() {
        ByBytes::create()
            .k(k.to_vec())
            .v(i as i32)
            .exec(&mut db)
            .await?;
    }
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(ByBytes::get_by_k(&mut db, k.to_vec()).await?.v, i as i32);
    }
    for k in [0u8, 1, 255] {
        ByU8::create().k(k).v(k as i32).exec(&mut db).await?;
    }
    assert_eq!(ByU8::get_by_k(&mut db, 255).await?.v, 255);
    assert_eq!(ByU8::get_by_k(&mut db, 0).await?.v, 0);
    Ok(())
}

/// `#[column]` renames the column and `#[table]` the table; the fields work as usual.
pub async fn keys_column_and_table_names(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[table = "people_directory"]
    struct Person {
        #[key]
        #[column("person_id")]
        id: uuid::Uuid,
        #[column = "full_name"]
        #[index]
        name: String,
        #[column("years")]
        age: Option<i32>,
    }
    let mut db = t.setup_db(toasty::models!(Person)).await?;
    let table = &db.schema().db.tables[0];
    assert!(table.name.ends_with("people_directory"), "{}", table.name);
    let cols: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    for c in ["person_id", "full_name", "years"] {
        assert!(cols.contains(&c), "column {c} in {cols:?}");
    }
    let id = uuid::Uuid::from_u128(7);
    toasty::create!(Person {
        id: id,
        name: "Ann",
        age: 30
    })
    .exec(&mut db)
    .await?;
    toasty::create!(Person {
        id: uuid::Uuid::from_u128(8),
        name: "Bo"
    })
    .exec(&mut db)
    .await?;
    let ann = Person::filter_by_name("Ann")
        .filter(Person::fields().age().ge(18))
        .get(&mut db)
        .await?;
    assert_eq!((ann.id, ann.age), (id, Some(30)));
    Person::update_by_name("Bo").age(5).exec(&mut db).await?;
    assert_eq!(
        Person::filter_by_name("Bo").get(&mut db).await?.age,
        Some(5)
    );
    Person::delete_by_id(&mut db, id).await?;
    assert!(Person::filter_by_name("Ann")
        .first()
        .exec(&mut db)
        .await?
        .is_none());
    Ok(())
}

/// A composite key declared in another order than the fields, and an auto-increment key
/// that is not the first field, renamed with `#[column]`.
pub async fn keys_out_of_field_order(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[key(b, a)]
    struct Swapped {
        a: i64,
        note: String,
        b: String,
    }
    #[derive(Debug, toasty::Model)]
    struct Late {
        name: String,
        #[key]
        #[auto]
        #[column("late_id")]
        id: i64,
        flag: bool,
    }
    let mut db = t.setup_db(toasty::models!(Swapped)).await?;
    toasty::create!(Swapped::[
        { a: 1, note: "x1", b: "x" },
        { a: 2, note: "x2", b: "x" },
        { a: 1, note: "y1", b: "y" },
    ])
    .exec(&mut db)
    .await?;
    assert_eq!(Swapped::get_by_b_and_a(&mut db, "x", 2).await?.note, "x2");
    let xs: Vec<String> = Swapped::filter_by_b("x")
        .order_by(Swapped::fields().a().desc())
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|s| s.note)
        .collect();
    assert_eq!(xs, ["x2", "x1"]);
    let page = Swapped::filter_by_b("x").paginate(1).exec(&mut db).await?;
    assert_eq!(page[0].note, "x1");
    let next = page.next(&mut db).await?.expect("a second page");
    assert_eq!(next[0].note, "x2");
    assert!(!next.has_next());

    if t.is_kv() {
        let r = t.setup_db(toasty::models!(Late)).await;
        expect_err(r, ErrorKind::Unsupported, &["uuid"]);
        return Ok(());
    }
    let mut db = t.setup_db(toasty::models!(Late)).await?;
    let made = toasty::create!(Late::[{ name: "p", flag: true }, { name: "q", flag: false }])
        .exec(&mut db)
        .await?;
    assert!(made[0].id < made[1].id);
    assert_eq!((made[1].name.as_str(), made[1].flag), ("q", false));
    let back = Late::get_by_id(&mut db, made[1].id).await?;
    assert_eq!(
        (back.name.as_str(), back.flag, back.id),
        ("q", false, made[1].id)
    );
    Ok(())
}

/// A model made only of its key, and string keys that differ only by Unicode
/// normalization or trailing spaces (they are distinct: no normalization, no padding).
pub async fn keys_only_and_unnormalized(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Label {
        #[key]
        name: String,
    }
    let mut db = t.setup_db(toasty::models!(Label)).await?;
    let names = ["\u{e9}", "e\u{301}", "x", "x ", "X"];
    for n in names {
        Label::create().name(n).exec(&mut db).await?;
    }
    for n in names {
        assert_eq!(Label::get_by_name(&mut db, n).await?.name, n);
    }
    let r = Label::create().name("x").exec(&mut db).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    Label::delete_by_name(&mut db, "x").await?;
    assert_eq!(Label::get_by_name(&mut db, "x ").await?.name, "x ");
    let n = Label::filter(Label::fields().name().in_list(names))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 4);
    Ok(())
}
