//! The driver against a DynamoDB emulator at `TOASTY_TEST_DYNAMODB_URL` (moto's server,
//! started by `scripts/test`), plus the failures that need no emulator: a closed port,
//! a server that never answers, bad URLs. Without the variable the emulator tests are
//! skipped with a message, and fail under `CI=true`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use toasty::{Db, ErrorKind};
use toasty_core::driver::{Capability, Connection, Driver, Operation};
use toasty_dynamodb::DynamoDb;

fn endpoint() -> Option<String> {
    match std::env::var("TOASTY_TEST_DYNAMODB_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let ci = matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"));
            assert!(!ci, "TOASTY_TEST_DYNAMODB_URL is not set under CI=true");
            eprintln!("skipping: TOASTY_TEST_DYNAMODB_URL is not set (run scripts/test)");
            None
        }
    }
}

fn prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "drv{}_{}_",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn db_with(models: toasty::ModelSet) -> Option<Db> {
    let url = endpoint()?;
    let driver = DynamoDb::emulator(&url).expect("an emulator driver");
    let db = Db::builder()
        .models(models)
        .table_prefix(prefix())
        .build(driver)
        .await
        .expect("a Db");
    db.push_schema().await.expect("the tables");
    Some(db)
}

#[derive(Debug, toasty::Model)]
struct Handle {
    #[key]
    id: i64,
    #[unique]
    name: String,
}

/// Many tasks on several threads race to take one unique value under different keys:
/// exactly one wins, every other gets `UniqueViolation`, and one record is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_for_one_unique_value_leaves_one_record() {
    let Some(db) = db_with(toasty::models!(Handle)).await else {
        return;
    };
    const TASKS: i64 = 12;
    for round in 0..6i64 {
        let name = format!("race-{round}");
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let mut db = db.clone();
                let name = name.clone();
                tokio::spawn(async move {
                    Handle::create()
                        .id(round * 1000 + t)
                        .name(name)
                        .exec(&mut db)
                        .await
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.expect("the task ran") {
                Ok(h) => winners.push(h.id),
                Err(e) => assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let mut db = db.clone();
        let stored = Handle::get_by_name(&mut db, name.as_str())
            .await
            .expect("the winner");
        assert_eq!(stored.id, winners[0]);
        let ids: Vec<i64> = (0..TASKS).map(|t| round * 1000 + t).collect();
        let n = Handle::filter(Handle::fields().id().in_list(ids))
            .count()
            .exec(&mut db)
            .await
            .expect("a count");
        assert_eq!(n, 1, "round {round}");
    }
}

/// Renaming races too: tasks move different records onto one free value; one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_updates_onto_one_unique_value() {
    let Some(mut db) = db_with(toasty::models!(Handle)).await else {
        return;
    };
    const TASKS: i64 = 8;
    for t in 0..TASKS {
        Handle::create()
            .id(t)
            .name(format!("own-{t}"))
            .exec(&mut db)
            .await
            .expect("a record");
    }
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let mut db = db.clone();
            tokio::spawn(async move {
                Handle::filter_by_id(t)
                    .update()
                    .name("taken")
                    .exec(&mut db)
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("the task ran") {
            Ok(_) => won += 1,
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    ErrorKind::UniqueViolation | ErrorKind::SerializationFailure
                ),
                "{e}"
            ),
        }
    }
    assert_eq!(won, 1);
    let holder = Handle::get_by_name(&mut db, "taken").await.expect("one");
    // The others kept their own values, which are still theirs to reuse.
    for t in (0..TASKS).filter(|&t| t != holder.id) {
        let h = Handle::get_by_id(&mut db, t).await.expect("still there");
        assert_eq!(h.name, format!("own-{t}"));
    }
}

#[derive(Debug, toasty::Model)]
#[key(partition = owner, local = seq)]
struct Entry {
    owner: String,
    seq: i64,
    #[index]
    tag: Option<String>,
    body: String,
    weight: f64,
    at: jiff::Timestamp,
}

/// A partition larger than one 1 MB page of `Query` comes back whole (the driver
/// follows `LastEvaluatedKey`), in sort-key order, narrowed exactly by range conditions.
#[tokio::test]
async fn queries_read_every_page() {
    let Some(mut db) = db_with(toasty::models!(Entry)).await else {
        return;
    };
    let body = "x".repeat(4000);
    const N: i64 = 320; // about 1.3 MB in one partition
    for chunk in (0..N).collect::<Vec<_>>().chunks(25) {
        let creates: Vec<_> = chunk
            .iter()
            .map(|&i| {
                Entry::create()
                    .owner("")
                    .seq(i)
                    .tag(if i % 2 == 0 {
                        Some("even".to_string())
                    } else {
                        None
                    })
                    .body(body.clone())
                    .weight(i as f64 - 100.5)
                    .at(jiff::Timestamp::from_microsecond(i).expect("a time"))
            })
            .collect();
        toasty::batch(creates).exec(&mut db).await.expect("a batch");
    }
    let all = Entry::filter_by_owner("")
        .exec(&mut db)
        .await
        .expect("the partition");
    assert_eq!(all.len() as i64, N);
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(seqs, sorted);
    let range = Entry::filter_by_owner("")
        .filter(Entry::fields().seq().gt(10))
        .filter(Entry::fields().seq().le(20))
        .exec(&mut db)
        .await
        .expect("a range");
    assert_eq!(
        range.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (11..=20).collect::<Vec<_>>()
    );
    let evens = Entry::filter_by_tag("even")
        .count()
        .exec(&mut db)
        .await
        .expect("the index");
    assert_eq!(evens as i64, N / 2);
}

/// What the items look like: NULL is a missing attribute, keyed empty strings are
/// escaped, timestamps are microseconds, floats are ordered bytes; unique values live
/// in the claim table.
#[tokio::test]
async fn stored_items_follow_the_type_mapping() {
    let Some(url) = endpoint() else {
        return;
    };
    let driver = DynamoDb::emulator(&url).expect("a driver");
    let pre = prefix();
    let mut db = Db::builder()
        .models(toasty::models!(Entry, Handle))
        .table_prefix(pre.clone())
        .build(driver.clone())
        .await
        .expect("a Db");
    db.push_schema().await.expect("tables");
    Entry::create()
        .owner("")
        .seq(7)
        .tag(None)
        .body("")
        .weight(-0.0)
        .at(jiff::Timestamp::from_microsecond(-1).expect("a time"))
        .exec(&mut db)
        .await
        .expect("a record");
    Handle::create()
        .id(1)
        .name("")
        .exec(&mut db)
        .await
        .expect("a handle");
    let conn = driver.open().await.expect("a connection");
    let client = conn.client();
    let scan = client
        .scan()
        .table_name(format!("{pre}entries"))
        .send()
        .await
        .expect("a scan");
    let items = scan.items.unwrap_or_default();
    assert_eq!(items.len(), 1);
    let item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue> = &items[0];
    use aws_sdk_dynamodb::types::AttributeValue as Av;
    assert_eq!(item.get("owner"), Some(&Av::S("\0".into())), "{item:?}");
    assert_eq!(item.get("seq"), Some(&Av::N("7".into())));
    assert_eq!(item.get("tag"), None, "NULL is a missing attribute");
    assert_eq!(item.get("body"), Some(&Av::S(String::new())), "not keyed");
    assert_eq!(item.get("at"), Some(&Av::N("-1".into())));
    match item.get("weight") {
        Some(Av::B(b)) => assert_eq!(b.as_ref(), &[0x80, 0, 0, 0, 0, 0, 0, 0]),
        other => panic!("weight: {other:?}"),
    }
    let claims = client
        .scan()
        .table_name(format!("{pre}handles.index_{pre}handles_by_name"))
        .send()
        .await
        .expect("the claim table");
    let claims = claims.items.unwrap_or_default();
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0].get("name"), Some(&Av::S("\0".into())));
    assert_eq!(claims[0].get("owner:id"), Some(&Av::N("1".into())));
    // The record reads back as written.
    let back = Entry::get_by_owner_and_seq(&mut db, "", 7)
        .await
        .expect("the record");
    assert_eq!(back.body, "");
    assert_eq!(back.tag, None);
    assert_eq!(back.weight, 0.0);
    db.drop_schema().await.expect("dropped");
    let gone = client
        .describe_table()
        .table_name(format!("{pre}handles.index_{pre}handles_by_name"))
        .send()
        .await;
    assert!(gone.is_err(), "the claim table is dropped with its table");
}

/// A table that was never created: a clear `Driver` error naming the fix.
#[tokio::test]
async fn missing_table_is_a_clear_error() {
    let Some(url) = endpoint() else {
        return;
    };
    let driver = DynamoDb::emulator(&url).expect("a driver");
    let mut db = Db::builder()
        .models(toasty::models!(Handle))
        .table_prefix(prefix())
        .build(driver)
        .await
        .expect("a Db");
    let err = Handle::get_by_id(&mut db, 1).await.expect_err("no table");
    assert_eq!(err.kind(), ErrorKind::Driver, "{err}");
    assert!(err.message().contains("push_schema"), "{err}");
    // Dropping what does not exist is fine.
    db.drop_schema().await.expect("nothing to drop");
}

/// Nothing listens: a `Connection` error within seconds (the SDK's retries included).
#[tokio::test]
async fn unreachable_endpoint_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        l.local_addr().expect("an address").port()
    };
    let driver = DynamoDb::emulator(&format!("http://127.0.0.1:{port}"))
        .expect("a driver")
        .max_attempts(2);
    let mut db = Db::builder()
        .models(toasty::models!(Handle))
        .build(driver)
        .await
        .expect("a Db");
    let start = Instant::now();
    let err = Handle::get_by_id(&mut db, 1)
        .await
        .expect_err("unreachable");
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.message().contains(&port.to_string()), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// A server that accepts connections and never answers: the operation's time limit
/// ends the wait with a `Connection` error.
#[tokio::test]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let driver = DynamoDb::emulator(&format!("http://127.0.0.1:{port}"))
        .expect("a driver")
        .operation_timeout(Duration::from_millis(800))
        .max_attempts(1);
    let mut conn = driver.open().await.expect("a connection");
    let schema = toasty_core::schema::db::Schema::default();
    let start = Instant::now();
    let err = conn
        .exec(
            &schema,
            Operation::TransactWrite(toasty_core::driver::TransactWrite { items: vec![] }),
        )
        .await;
    // An empty write sends nothing.
    assert!(err.is_ok(), "{err:?}");
    let table = toasty_core::schema::db::Table {
        id: toasty_core::schema::db::TableId(0),
        name: "silent".into(),
        columns: vec![toasty_core::schema::db::Column {
            name: "id".into(),
            ty: toasty_core::Type::I64,
            nullable: false,
            auto_increment: false,
            max_len: None,
        }],
        primary_key: vec![0],
        indices: vec![],
    };
    let schema = toasty_core::schema::db::Schema {
        tables: vec![table],
    };
    let err = conn
        .exec(
            &schema,
            Operation::GetByKey(toasty_core::driver::GetByKey {
                table: toasty_core::schema::db::TableId(0),
                keys: vec![vec![toasty::Value::I64(1)]],
            }),
        )
        .await
        .expect_err("no answer");
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(800), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    server.abort();
}

#[test]
fn urls_and_capability() {
    let d = DynamoDb::new("dynamodb://eu-central-1").expect("a region URL");
    let cap = d.capability();
    assert_eq!(
        cap,
        &Capability {
            name: "dynamodb",
            ..Capability::KV
        }
    );
    assert_eq!(cap.max_get_keys, Some(100));
    assert_eq!(cap.max_write_keys, Some(25));
    assert_eq!(cap.max_transact_items, Some(100));
    assert_eq!(cap.max_key_columns, Some(2));
    assert!(!cap.auto_increment && !cap.interactive_transactions);
    for bad in [
        "dynamodb://us east 1",
        "dynamodb:us-east-1",
        "dynamodb://key:S3CRET@us-east-1",
    ] {
        let err = DynamoDb::new(bad).expect_err(bad);
        assert_eq!(err.kind(), ErrorKind::Config, "{bad}");
        assert!(!err.to_string().contains("S3CRET"), "{err}");
    }
    assert_eq!(
        DynamoDb::emulator("localhost:8000")
            .map(drop)
            .map_err(|e| e.kind()),
        Err(ErrorKind::Config)
    );
}

/// `Db::connect("dynamodb://..")` (the `dynamodb` feature of toasty) builds this
/// driver (the AWS configuration is resolved at the first connection, not here).
#[tokio::test]
async fn connect_by_url() {
    let db = Db::builder()
        .models(toasty::models!(Handle))
        .connect("dynamodb://us-east-1")
        .await
        .expect("a Db");
    assert_eq!(db.capability().name, "dynamodb");
    let err = Db::builder()
        .models(toasty::models!(Handle))
        .connect("dynamodb://US_EAST")
        .await
        .expect_err("a bad region");
    assert_eq!(err.kind(), ErrorKind::Config);
}

/// `TransactWrite` at the driver level: each kind of failed condition gives its error,
/// the first failing item decides, and nothing is written when any item fails.
#[tokio::test]
async fn transact_write_conditions_and_errors() {
    use toasty::Value as V;
    use toasty_core::driver::{GetByKey, Response, TransactWrite, WriteItem};
    use toasty_core::schema::db::{Column, Index, Schema, Table, TableId};
    let Some(url) = endpoint() else {
        return;
    };
    let name = format!("{}items", prefix());
    let column = |name: &str, ty, nullable| Column {
        name: name.into(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    };
    let schema = Schema {
        tables: vec![Table {
            id: TableId(0),
            name: name.clone(),
            columns: vec![
                column("id", toasty_core::Type::I64, false),
                column("email", toasty_core::Type::String, true),
                column("n", toasty_core::Type::I32, false),
            ],
            primary_key: vec![0],
            indices: vec![Index {
                name: format!("index_{name}_by_email"),
                columns: vec![1],
                unique: true,
            }],
        }],
    };
    let t = TableId(0);
    let driver = DynamoDb::emulator(&url).expect("a driver");
    let mut conn = driver.open().await.expect("a connection");
    let mut exec = async |op: Operation| conn.exec(&schema, op).await;
    exec(Operation::CreateTable(toasty_core::driver::CreateTable {
        table: t,
    }))
    .await
    .expect("created");
    let row = |id: i64, email: Option<&str>, n: i64| {
        vec![
            V::I64(id),
            email.map_or(V::Null, |e| V::String(e.into())),
            V::I64(n),
        ]
    };
    let write = |items: Vec<WriteItem>| Operation::TransactWrite(TransactWrite { items });
    let put = |r: Vec<V>| WriteItem::Put { table: t, row: r };
    let claim = |email: &str, id: i64| WriteItem::Claim {
        table: t,
        index: 0,
        values: vec![V::String(email.into())],
        key: vec![V::I64(id)],
    };
    // Two records, each with its claim.
    exec(write(vec![
        claim("a@x", 1),
        put(row(1, Some("a@x"), 10)),
        claim("b@x", 2),
        put(row(2, Some("b@x"), 20)),
    ]))
    .await
    .expect("written");
    let kind = |r: toasty::Result<Response>| r.err().map(|e| e.kind());
    // A key that exists.
    assert_eq!(
        kind(exec(write(vec![put(row(1, None, 0))])).await),
        Some(ErrorKind::UniqueViolation)
    );
    // A value another key holds (and the put of the new record is not written).
    assert_eq!(
        kind(exec(write(vec![claim("a@x", 3), put(row(3, Some("a@x"), 30))])).await),
        Some(ErrorKind::UniqueViolation)
    );
    // Claiming what one holds already is fine.
    exec(write(vec![claim("a@x", 1)])).await.expect("own claim");
    // An update whose expected row is stale, after a claim that would succeed: the
    // update decides, and the claim is not written either.
    let stale = WriteItem::Update {
        table: t,
        key: vec![V::I64(2)],
        expect: row(2, Some("b@x"), 21),
        assignments: vec![(2, V::I64(22))],
    };
    assert_eq!(
        kind(exec(write(vec![claim("c@x", 4), stale])).await),
        Some(ErrorKind::SerializationFailure)
    );
    // The first failing item decides: a claim conflict before a stale delete.
    let stale_delete = WriteItem::Delete {
        table: t,
        key: vec![V::I64(2)],
        expect: row(2, None, 20),
    };
    assert_eq!(
        kind(exec(write(vec![claim("b@x", 5), stale_delete.clone()])).await),
        Some(ErrorKind::UniqueViolation)
    );
    assert_eq!(
        kind(exec(write(vec![stale_delete, claim("b@x", 5)])).await),
        Some(ErrorKind::SerializationFailure)
    );
    // Releasing a value another key holds fails the write.
    let foreign_release = WriteItem::Release {
        table: t,
        index: 0,
        values: vec![V::String("a@x".into())],
        key: vec![V::I64(2)],
    };
    assert_eq!(
        kind(exec(write(vec![foreign_release])).await),
        Some(ErrorKind::SerializationFailure)
    );
    // Two items on one row, or two claims of one value by two keys, are refused before
    // anything is sent.
    assert_eq!(
        kind(exec(write(vec![put(row(7, None, 0)), put(row(7, None, 1))])).await),
        Some(ErrorKind::UniqueViolation)
    );
    assert_eq!(
        kind(exec(write(vec![claim("z@x", 8), claim("z@x", 9)])).await),
        Some(ErrorKind::UniqueViolation)
    );
    let upd = |n| WriteItem::Update {
        table: t,
        key: vec![V::I64(1)],
        expect: row(1, Some("a@x"), 10),
        assignments: vec![(2, V::I64(n))],
    };
    assert_eq!(
        kind(exec(write(vec![upd(11), upd(12)])).await),
        Some(ErrorKind::InvalidStatement)
    );
    // A value out of its column's range, and NULL in a non-nullable column.
    assert_eq!(
        kind(exec(write(vec![put(row(9, None, i64::from(i32::MAX) + 1))])).await),
        Some(ErrorKind::ValueOutOfRange)
    );
    assert_eq!(
        kind(exec(write(vec![put(vec![V::I64(9), V::Null, V::Null])])).await),
        Some(ErrorKind::InvalidValue)
    );
    // A correct move of a unique value: release, claim, update, all at once.
    exec(write(vec![
        WriteItem::Release {
            table: t,
            index: 0,
            values: vec![V::String("b@x".into())],
            key: vec![V::I64(2)],
        },
        claim("d@x", 2),
        WriteItem::Update {
            table: t,
            key: vec![V::I64(2)],
            expect: row(2, Some("b@x"), 20),
            assignments: vec![(1, V::String("d@x".into()))],
        },
    ]))
    .await
    .expect("moved");
    // b@x is free again; nothing of the failed writes was stored.
    exec(write(vec![claim("b@x", 6)])).await.expect("free");
    let rows = exec(Operation::GetByKey(GetByKey {
        table: t,
        keys: (1..=9).map(|i| vec![V::I64(i)]).collect(),
    }))
    .await
    .expect("read");
    assert_eq!(
        rows,
        Response::Rows(vec![row(1, Some("a@x"), 10), row(2, Some("d@x"), 20)])
    );
    // A transfer hands a claim from one key to another in one item: b@x (held by 6)
    // goes to 7; 6 can no longer claim it, 7 can; a value a third key holds is refused.
    let transfer = |email: &str, from: i64, to: i64| WriteItem::Transfer {
        table: t,
        index: 0,
        values: vec![V::String(email.into())],
        from: vec![V::I64(from)],
        to: vec![V::I64(to)],
    };
    exec(write(vec![transfer("b@x", 6, 7)]))
        .await
        .expect("transferred");
    assert_eq!(
        kind(exec(write(vec![claim("b@x", 6)])).await),
        Some(ErrorKind::UniqueViolation)
    );
    exec(write(vec![claim("b@x", 7)])).await.expect("held by 7");
    assert_eq!(
        kind(exec(write(vec![transfer("b@x", 6, 8)])).await),
        Some(ErrorKind::UniqueViolation)
    );
    exec(Operation::DropTable(toasty_core::driver::DropTable {
        table: t,
    }))
    .await
    .expect("dropped");
}

#[derive(Debug, toasty::Model)]
#[unique(a, b)]
struct Pair {
    #[key]
    id: i64,
    a: String,
    b: i64,
}

/// A composite unique index: its claim table is keyed on both fields.
#[tokio::test]
async fn composite_unique_index() {
    let Some(mut db) = db_with(toasty::models!(Pair)).await else {
        return;
    };
    for (id, b) in [(1, 1), (2, 2)] {
        Pair::create()
            .id(id)
            .a("x")
            .b(b)
            .exec(&mut db)
            .await
            .expect("distinct pairs");
    }
    let err = Pair::create()
        .id(3)
        .a("x")
        .b(1)
        .exec(&mut db)
        .await
        .expect_err("a taken pair");
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
    assert_eq!(
        Pair::get_by_a_and_b(&mut db, "x", 2).await.expect("one").id,
        2
    );
    let err = Pair::filter_by_id(2)
        .update()
        .b(1)
        .exec(&mut db)
        .await
        .expect_err("onto a taken pair");
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
    Pair::filter_by_id(2)
        .update()
        .b(3)
        .exec(&mut db)
        .await
        .expect("a free pair");
    // (x, 2) was given up by the update.
    Pair::create()
        .id(4)
        .a("x")
        .b(2)
        .exec(&mut db)
        .await
        .expect("the released pair");
    Pair::filter_by_id(1)
        .delete()
        .exec(&mut db)
        .await
        .expect("deleted");
    Pair::create()
        .id(5)
        .a("x")
        .b(1)
        .exec(&mut db)
        .await
        .expect("released by the delete");
}
