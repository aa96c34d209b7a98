//! The driver against a real server (`TOASTY_TEST_POSTGRES_URL`): every type round
//! trips, errors get their kinds, NUL strings are refused before sending, and a
//! statement that blocks fails with a connection error after the operation timeout.
//! Without the variable the tests print why and pass, except under `CI=true`.

use std::time::{Duration, Instant};
use toasty_core::driver::{
    Connection, CreateTable, Driver, DropTable, Insert, Operation, Response, Select,
};
use toasty_core::schema::db::{Column, Index, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{ErrorKind, Type, Value};
use toasty_postgres::Postgres;

fn url(test: &str) -> Option<String> {
    match std::env::var("TOASTY_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("TOASTY_TEST_POSTGRES_URL is not set under CI=true");
            }
            eprintln!("skipping {test}: TOASTY_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

fn column(name: &str, ty: Type, nullable: bool) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    }
}

/// A table per type (`c_<type>`, nullable) plus a key and a unique `tag`.
fn schema(test: &str) -> Schema {
    let prefix = format!("drv{}_{test}", std::process::id());
    let mut columns = vec![
        column("id", Type::I64, false),
        column("tag", Type::String, false),
    ];
    for ty in Type::ALL {
        columns.push(column(
            &format!("c_{}", ty.rust_name().replace("::", "_")),
            ty,
            true,
        ));
    }
    Schema {
        tables: vec![Table {
            id: TableId(0),
            name: format!("{prefix}_t"),
            columns,
            primary_key: vec![0],
            indices: vec![Index {
                name: format!("{prefix}_t_tag"),
                columns: vec![1],
                unique: true,
            }],
        }],
    }
}

async fn open(url: &str, schema: &Schema) -> Box<dyn Connection> {
    let driver = Postgres::new(url).unwrap();
    let mut conn = driver.connect().await.unwrap();
    assert!(conn.is_valid().await);
    let t = TableId(0);
    conn.exec(schema, Operation::DropTable(DropTable { table: t }))
        .await
        .unwrap();
    conn.exec(schema, Operation::CreateTable(CreateTable { table: t }))
        .await
        .unwrap();
    conn
}

/// An insert of full rows (every column given).
fn insert(schema: &Schema, rows: Vec<Vec<Value>>) -> Operation {
    Operation::Insert(Insert {
        table: TableId(0),
        columns: (0..schema.tables[0].columns.len()).collect(),
        rows,
        returning: vec![],
    })
}

fn row(schema: &Schema, id: i64, tag: &str) -> Vec<Value> {
    let mut row = vec![Value::I64(id), Value::String(tag.into())];
    row.resize(schema.tables[0].columns.len(), Value::Null);
    row
}

fn select_all() -> Operation {
    Operation::Select(Select {
        table: TableId(0),
        filter: Expr::true_(),
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    })
}

#[tokio::test]
async fn every_type_round_trips_with_its_edge_values() {
    let Some(url) = url("every_type_round_trips_with_its_edge_values") else {
        return;
    };
    let schema = schema("types");
    let mut conn = open(&url, &schema).await;
    let u = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
    let mut full = vec![Value::I64(1), "full".into()];
    full.extend([
        Value::Bool(true),
        Value::I64(i8::MIN.into()),
        Value::I64(i16::MAX.into()),
        Value::I64(i32::MIN.into()),
        Value::I64(i64::MAX),
        Value::I64(u8::MAX.into()),
        Value::I64(u16::MAX.into()),
        Value::I64(u32::MAX.into()),
        Value::I64(i64::MAX),
        Value::F64(-0.0),
        Value::F64(f64::MIN_POSITIVE),
        Value::String("héllo 🦀 ".into()),
        Value::Bytes(vec![0, 255, 0]),
        Value::Uuid(u),
        Value::Timestamp(toasty_core::TIMESTAMP_MIN_MICROS),
    ]);
    let mut late = row(&schema, 2, "late");
    *late.last_mut().unwrap() = Value::Timestamp(toasty_core::TIMESTAMP_MAX_MICROS);
    let empty = row(&schema, 3, "");
    let n = conn
        .exec(
            &schema,
            insert(&schema, vec![full.clone(), late.clone(), empty.clone()]),
        )
        .await
        .unwrap();
    assert_eq!(n, Response::Count(3));
    let Response::Rows(mut rows) = conn
        .exec(&schema, select_all())
        .await
        .unwrap()
        .into_row_vecs()
    else {
        panic!("a select returns rows");
    };
    rows.sort_by(|a, b| a[0].sort_cmp(&b[0]));
    assert_eq!(rows, vec![full, late, empty]);
    if let Value::F64(z) = rows[0][11] {
        assert!(z.is_sign_negative(), "-0.0 keeps its sign in REAL");
    }
    conn.exec(
        &schema,
        Operation::DropTable(DropTable { table: TableId(0) }),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn errors_have_their_kinds_and_name_the_table() {
    let Some(url) = url("errors_have_their_kinds_and_name_the_table") else {
        return;
    };
    let schema = schema("errors");
    let table = schema.tables[0].name.clone();
    let mut conn = open(&url, &schema).await;
    conn.exec(&schema, insert(&schema, vec![row(&schema, 1, "a")]))
        .await
        .unwrap();

    let dup_key = conn
        .exec(&schema, insert(&schema, vec![row(&schema, 1, "b")]))
        .await
        .unwrap_err();
    assert_eq!(dup_key.kind(), ErrorKind::UniqueViolation, "{dup_key}");
    assert!(dup_key.message().contains(&table), "{dup_key}");
    let dup_tag = conn
        .exec(&schema, insert(&schema, vec![row(&schema, 2, "a")]))
        .await
        .unwrap_err();
    assert_eq!(dup_tag.kind(), ErrorKind::UniqueViolation, "{dup_tag}");
    assert!(
        dup_tag.message().contains("_t_tag"),
        "names the index: {dup_tag}"
    );

    let mut null_tag = row(&schema, 3, "x");
    null_tag[1] = Value::Null;
    let err = conn
        .exec(&schema, insert(&schema, vec![null_tag]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
    assert!(err.message().contains("tag"), "{err}");

    let err = conn
        .exec(&schema, insert(&schema, vec![row(&schema, 4, "nul\0here")]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
    assert!(err.message().contains("NUL"), "{err}");

    // A multi-row insert split over several statements is all or nothing.
    let big: Vec<Vec<Value>> = (10..8_000)
        .map(|i| row(&schema, i, &format!("r{i}")))
        .chain([row(&schema, 1, "dup")])
        .collect();
    let err = conn.exec(&schema, insert(&schema, big)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");

    // None of the failures left anything behind, and the connection still works.
    let count = Operation::Select(Select {
        table: TableId(0),
        filter: Expr::true_(),
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Count,
    });
    assert_eq!(conn.exec(&schema, count).await.unwrap(), Response::Count(1));
    assert!(conn.is_valid().await);
    conn.exec(
        &schema,
        Operation::DropTable(DropTable { table: TableId(0) }),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_blocked_statement_fails_with_a_connection_error_after_the_timeout() {
    let Some(url) = url("a_blocked_statement_fails_with_a_connection_error_after_the_timeout")
    else {
        return;
    };
    let schema = schema("blocked");
    let table = schema.tables[0].name.clone();
    let mut setup = open(&url, &schema).await;
    setup
        .exec(&schema, insert(&schema, vec![row(&schema, 1, "a")]))
        .await
        .unwrap();

    // Another session holds an exclusive lock on the table.
    let (locker, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    locker
        .batch_execute(&format!(
            "BEGIN; LOCK TABLE \"{table}\" IN ACCESS EXCLUSIVE MODE"
        ))
        .await
        .unwrap();

    let limit = Duration::from_millis(800);
    let driver = Postgres::new(&url).unwrap().operation_timeout(limit);
    let mut conn = driver.connect().await.unwrap();
    let start = Instant::now();
    let filter = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(1)));
    let err = conn
        .exec(
            &schema,
            Operation::Select(Select {
                table: TableId(0),
                filter,
                order_by: vec![],
                limit: None,
                offset: None,
                projection: Projection::Records,
            }),
        )
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(
        took >= limit && took < limit + Duration::from_secs(8),
        "{took:?}"
    );
    assert!(
        !conn.is_valid().await,
        "a timed-out connection is discarded"
    );

    locker.batch_execute("ROLLBACK").await.unwrap();
    let mut fresh = driver.connect().await.unwrap();
    let Response::Rows(rows) = fresh
        .exec(&schema, select_all())
        .await
        .unwrap()
        .into_row_vecs()
    else {
        panic!("rows");
    };
    assert_eq!(rows.len(), 1);
    fresh
        .exec(
            &schema,
            Operation::DropTable(DropTable { table: TableId(0) }),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn connecting_to_nothing_is_a_connection_error() {
    // A port nothing listens on (the discard port on loopback).
    let driver = Postgres::new("postgres://u:p@127.0.0.1:9/db?connect_timeout=5").unwrap();
    let err = match driver.connect().await {
        Ok(_) => panic!("nothing listens on port 9"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.message().contains("127.0.0.1:9/db"), "{err}");
}
