//! Opening databases: URLs, sharing of in-memory databases, file persistence.

mod common;

use common::*;
use toasty_core::driver::{Driver, Operation, Response};
use toasty_core::stmt::Expr;
use toasty_core::{ErrorKind, Value};
use toasty_sqlite::Sqlite;

#[test]
fn urls() {
    assert!(Sqlite::from_url("sqlite::memory:").unwrap().is_in_memory());
    for bad in [
        "postgres://x",
        "sqlite:",
        "sqlite://",
        "memory:",
        "sqlite::nope:",
        "",
    ] {
        let err = Sqlite::from_url(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{bad}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let url = format!("sqlite:{}", path.display());
    let driver = Sqlite::from_url(&url).unwrap();
    assert!(!driver.is_in_memory());
    assert!(path.exists());
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    Sqlite::from_url(&url).unwrap();
    let err = Sqlite::open(dir.path().join("missing/dir/c.db")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
}

#[tokio::test]
async fn capability_and_connection_limits() {
    let memory = Sqlite::in_memory().unwrap();
    assert_eq!(memory.capability().name, "sqlite");
    assert!(memory.capability().is_sql());
    assert!(memory.capability().auto_increment);
    assert_eq!(memory.max_connections(), 1);
    let dir = tempfile::tempdir().unwrap();
    let file = Sqlite::open(dir.path().join("x.db")).unwrap();
    assert!(file.max_connections() > 1);
    let mut conn = file.connect().await.unwrap();
    assert!(conn.is_valid().await);
}

#[tokio::test]
async fn in_memory_connections_share_one_database() {
    let mut dbs = both().await;
    for db in dbs.iter_mut() {
        db.insert(
            TEXTS,
            vec![0, 1],
            vec![vec![Value::I64(1), "shared".into()]],
        )
        .await;
        // A second connection of the same driver sees the table and the row.
        let mut other = db.driver.connect().await.unwrap();
        let rows = other
            .exec(&db.schema, Operation::Select(select(TEXTS, Expr::true_())))
            .await
            .unwrap()
            .into_row_vecs();
        assert_eq!(
            rows,
            Response::Rows(vec![vec![Value::I64(1), "shared".into()]]),
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn file_database_persists_across_drivers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.db");
    let schema = schema();
    {
        let driver = Sqlite::open(&path).unwrap();
        let mut conn = driver.connect().await.unwrap();
        conn.exec(
            &schema,
            Operation::CreateTable(toasty_core::driver::CreateTable { table: TEXTS }),
        )
        .await
        .unwrap();
        conn.exec(
            &schema,
            Operation::Insert(toasty_core::driver::Insert {
                table: TEXTS,
                columns: vec![0, 1],
                rows: vec![vec![Value::I64(7), Value::Null]],
                returning: vec![],
            }),
        )
        .await
        .unwrap();
    }
    let driver = Sqlite::open(&path).unwrap();
    let mut conn = driver.connect().await.unwrap();
    let rows = conn
        .exec(&schema, Operation::Select(select(TEXTS, Expr::true_())))
        .await
        .unwrap()
        .into_row_vecs();
    assert_eq!(rows, Response::Rows(vec![vec![Value::I64(7), Value::Null]]));
}
