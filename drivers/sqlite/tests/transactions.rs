//! Interactive transactions on an in-memory and a file database: commit and rollback,
//! savepoints, multi-statement operations inside a transaction, the read-only
//! emulation, a serialization conflict between two connections, misuse, and a
//! connection dropped mid-transaction.

mod common;

use common::*;
use toasty_core::driver::{
    Connection, Driver, Insert, IsolationLevel, Operation, Response, TransactWrite, TransactionOp,
    Update, WriteItem,
};
use toasty_core::schema::db::Schema;
use toasty_core::stmt::Expr;
use toasty_core::{ErrorKind, Result, Value};

fn begin() -> Operation {
    Operation::Transaction(TransactionOp::Begin {
        isolation: None,
        read_only: false,
    })
}

fn begin_read_only() -> Operation {
    Operation::Transaction(TransactionOp::Begin {
        isolation: None,
        read_only: true,
    })
}

fn step(op: TransactionOp) -> Operation {
    Operation::Transaction(op)
}

fn text_rows(ids: std::ops::Range<i64>) -> Vec<Vec<Value>> {
    ids.map(|i| vec![Value::I64(i), Value::from(format!("s{i}"))])
        .collect()
}

fn insert_texts(ids: std::ops::Range<i64>) -> Operation {
    Operation::Insert(Insert {
        table: TEXTS,
        columns: vec![0, 1],
        rows: text_rows(ids),
        returning: vec![],
    })
}

async fn ids(conn: &mut Box<dyn Connection>, schema: &Schema) -> Result<Vec<i64>> {
    let Response::Rows(rows) = conn
        .exec(schema, Operation::Select(select(TEXTS, Expr::true_())))
        .await?
        .into_row_vecs()
    else {
        panic!("a select returns rows");
    };
    let mut ids: Vec<i64> = rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
    ids.sort();
    Ok(ids)
}

fn kind(r: Result<Response>) -> ErrorKind {
    match r {
        Ok(resp) => panic!("expected an error, got {resp:?}"),
        Err(e) => e.kind(),
    }
}

#[tokio::test]
async fn the_driver_has_interactive_transactions() {
    let sqlite = toasty_sqlite::Sqlite::in_memory().unwrap();
    assert!(sqlite.capability().interactive_transactions);
    assert_eq!(sqlite.capability().max_transact_items, None);
}

#[tokio::test]
async fn rollback_leaves_nothing_and_commit_keeps_everything() {
    for mut db in both().await {
        db.exec(begin()).await.unwrap();
        db.exec(insert_texts(0..3)).await.unwrap();
        assert_eq!(db.all(TEXTS).await.len(), 3, "{}", db.label);
        assert_eq!(
            db.exec(step(TransactionOp::Rollback)).await.unwrap(),
            Response::Count(0)
        );
        assert!(db.all(TEXTS).await.is_empty(), "{}", db.label);

        db.exec(begin()).await.unwrap();
        db.exec(insert_texts(10..12)).await.unwrap();
        db.exec(step(TransactionOp::Commit)).await.unwrap();
        assert_eq!(db.all(TEXTS).await.len(), 2, "{}", db.label);
    }
}

#[tokio::test]
async fn committed_work_is_visible_to_other_connections_only_after_commit() {
    for mut db in both().await {
        let mut other = db.driver.connect().await.unwrap();
        db.exec(begin()).await.unwrap();
        db.exec(insert_texts(0..2)).await.unwrap();
        let before = ids(&mut other, &db.schema).await;
        if db.driver.is_in_memory() {
            // The other connection shares the one SQLite connection: it is refused
            // rather than run inside (and see) the open transaction.
            let e = before.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
            assert!(e.message().contains("transaction open"), "{e}");
        } else {
            assert_eq!(
                before.unwrap(),
                Vec::<i64>::new(),
                "uncommitted rows are hidden"
            );
        }
        db.exec(step(TransactionOp::Commit)).await.unwrap();
        assert_eq!(ids(&mut other, &db.schema).await.unwrap(), vec![0, 1]);
    }
}

#[tokio::test]
async fn rolling_back_to_a_savepoint_keeps_the_outer_work() {
    for mut db in both().await {
        db.exec(begin()).await.unwrap();
        db.exec(insert_texts(0..1)).await.unwrap();
        db.exec(step(TransactionOp::Savepoint(1))).await.unwrap();
        db.exec(insert_texts(1..2)).await.unwrap();
        db.exec(step(TransactionOp::Savepoint(2))).await.unwrap();
        db.exec(insert_texts(2..3)).await.unwrap();
        db.exec(step(TransactionOp::RollbackToSavepoint(1)))
            .await
            .unwrap();
        // Savepoint 2 went with the rollback to 1; savepoint 1 is still there.
        let e = db
            .exec(step(TransactionOp::ReleaseSavepoint(2)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{e}");
        db.exec(insert_texts(3..4)).await.unwrap();
        db.exec(step(TransactionOp::ReleaseSavepoint(1)))
            .await
            .unwrap();
        db.exec(step(TransactionOp::Commit)).await.unwrap();
        assert_eq!(
            project(&db.all(TEXTS).await, &[0]),
            vec![vec![Value::I64(0)], vec![Value::I64(3)]],
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn a_multi_statement_operation_inside_a_transaction_is_rolled_back_with_it() {
    // Big enough to be split into several INSERT statements.
    let big = insert_texts(0..20_000);
    let statements = toasty_sql::Serializer::new(toasty_sql::Dialect::Sqlite)
        .serialize(&schema(), &big)
        .unwrap();
    assert!(statements.len() > 1, "the insert is split");
    for mut db in both().await {
        db.exec(begin()).await.unwrap();
        db.exec(insert_texts(100_000..100_001)).await.unwrap();
        assert_eq!(db.exec(big.clone()).await.unwrap(), Response::Count(20_000));
        // A failing multi-statement insert (a duplicate in its last chunk) undoes only
        // itself: the transaction goes on with its earlier work.
        let mut dup = text_rows(200_000..220_000);
        dup.push(vec![Value::I64(5), Value::Null]);
        let e = db
            .exec(Operation::Insert(Insert {
                table: TEXTS,
                columns: vec![0, 1],
                rows: dup,
                returning: vec![],
            }))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
        assert_eq!(db.all(TEXTS).await.len(), 20_001, "{}", db.label);
        db.exec(step(TransactionOp::Rollback)).await.unwrap();
        assert!(db.all(TEXTS).await.is_empty(), "{}", db.label);
        // Outside a transaction the operation still runs in its own transaction.
        db.exec(big.clone()).await.unwrap();
        assert_eq!(db.all(TEXTS).await.len(), 20_000, "{}", db.label);
    }
}

#[tokio::test]
async fn a_read_only_transaction_refuses_writes_until_it_ends() {
    for mut db in both().await {
        db.insert(TEXTS, vec![0, 1], text_rows(0..1)).await;
        for end in [TransactionOp::Commit, TransactionOp::Rollback] {
            db.exec(begin_read_only()).await.unwrap();
            assert_eq!(db.all(TEXTS).await.len(), 1);
            let e = db.exec(insert_texts(1..2)).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReadOnlyTransaction, "{e}");
            assert!(e.message().contains("read-only"), "{e}");
            let e = db
                .exec(Operation::Update(Update {
                    table: TEXTS,
                    filter: Expr::true_(),
                    assignments: vec![(1, Value::Null)],
                    arithmetic: Vec::new(),
                    returning: true,
                }))
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReadOnlyTransaction, "{e}");
            // Savepoints are fine in a read-only transaction; the transaction goes on.
            db.exec(step(TransactionOp::Savepoint(1))).await.unwrap();
            db.exec(step(TransactionOp::RollbackToSavepoint(1)))
                .await
                .unwrap();
            assert_eq!(db.all(TEXTS).await.len(), 1);
            db.exec(step(end)).await.unwrap();
            // Writable again.
            db.exec(insert_texts(1..2)).await.unwrap();
            db.exec(Operation::Delete(toasty_core::driver::Delete {
                table: TEXTS,
                filter: Expr::eq(Expr::Column(0), Expr::Value(Value::I64(1))),
            }))
            .await
            .unwrap();
        }
    }
}

#[tokio::test]
async fn every_isolation_level_is_accepted() {
    for mut db in both().await {
        for level in [
            IsolationLevel::ReadUncommitted,
            IsolationLevel::ReadCommitted,
            IsolationLevel::RepeatableRead,
            IsolationLevel::Serializable,
        ] {
            db.exec(Operation::Transaction(TransactionOp::Begin {
                isolation: Some(level),
                read_only: false,
            }))
            .await
            .unwrap();
            db.exec(insert_texts(0..1)).await.unwrap();
            db.exec(step(TransactionOp::Rollback)).await.unwrap();
        }
        assert!(db.all(TEXTS).await.is_empty());
    }
}

#[tokio::test]
async fn misuse_is_an_invalid_statement() {
    for mut db in both().await {
        for op in [
            TransactionOp::Commit,
            TransactionOp::Rollback,
            TransactionOp::Savepoint(1),
            TransactionOp::ReleaseSavepoint(1),
            TransactionOp::RollbackToSavepoint(1),
        ] {
            let e = db.exec(step(op)).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{op:?}: {e}");
        }
        db.exec(begin()).await.unwrap();
        let e = db.exec(begin_read_only()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{e}");
        assert!(e.message().contains("already open"), "{e}");
        let e = db
            .exec(step(TransactionOp::RollbackToSavepoint(3)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{e}");
        // The transaction is still usable after the refusals.
        db.exec(insert_texts(0..1)).await.unwrap();
        db.exec(step(TransactionOp::Commit)).await.unwrap();
        assert_eq!(db.all(TEXTS).await.len(), 1);
        // TransactWrite belongs to key-value stores.
        let e = db
            .exec(Operation::TransactWrite(TransactWrite {
                items: vec![WriteItem::Put {
                    table: TEXTS,
                    row: vec![Value::I64(9), Value::Null],
                }],
            }))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.message().contains("key-value operation"), "{e}");
    }
}

#[tokio::test]
async fn dropping_a_connection_rolls_its_transaction_back() {
    for db in both().await {
        let mut conn = db.driver.connect().await.unwrap();
        conn.exec(&db.schema, begin()).await.unwrap();
        conn.exec(&db.schema, insert_texts(0..3)).await.unwrap();
        drop(conn);
        // The in-memory database's one SQLite connection is out of the transaction:
        // another connection works, sees nothing, and can begin its own.
        let mut other = db.driver.connect().await.unwrap();
        assert_eq!(
            ids(&mut other, &db.schema).await.unwrap(),
            Vec::<i64>::new()
        );
        other.exec(&db.schema, begin()).await.unwrap();
        other.exec(&db.schema, insert_texts(5..6)).await.unwrap();
        other
            .exec(&db.schema, step(TransactionOp::Commit))
            .await
            .unwrap();
        assert_eq!(ids(&mut other, &db.schema).await.unwrap(), vec![5]);
        // Dropping a read-only transaction turns `query_only` off again.
        let mut reader = db.driver.connect().await.unwrap();
        reader.exec(&db.schema, begin_read_only()).await.unwrap();
        drop(reader);
        other.exec(&db.schema, insert_texts(6..7)).await.unwrap();
    }
}

#[tokio::test]
async fn a_write_after_a_concurrent_commit_is_a_serialization_failure() {
    // Two SQLite connections need a file database.
    let dbs = both().await;
    let db = dbs.into_iter().find(|d| !d.driver.is_in_memory()).unwrap();
    let schema = &db.schema;
    let mut seed = db.driver.connect().await.unwrap();
    seed.exec(schema, insert_texts(0..1)).await.unwrap();
    let mut a = db.driver.connect().await.unwrap();
    let mut b = db.driver.connect().await.unwrap();
    let serializable = || {
        Operation::Transaction(TransactionOp::Begin {
            isolation: Some(IsolationLevel::Serializable),
            read_only: false,
        })
    };
    a.exec(schema, serializable()).await.unwrap();
    b.exec(schema, serializable()).await.unwrap();
    // Both read, then both write what they read.
    assert_eq!(ids(&mut a, schema).await.unwrap(), vec![0]);
    assert_eq!(ids(&mut b, schema).await.unwrap(), vec![0]);
    a.exec(schema, insert_texts(1..2)).await.unwrap();
    a.exec(schema, step(TransactionOp::Commit)).await.unwrap();
    let e = b.exec(schema, insert_texts(2..3)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SerializationFailure, "{e}");
    assert!(e.message().contains("retry"), "{e}");
    // The transaction is over: only a rollback is accepted.
    assert_eq!(
        kind(
            b.exec(schema, Operation::Select(select(TEXTS, Expr::true_())))
                .await
        ),
        ErrorKind::TransactionAborted
    );
    assert_eq!(
        kind(b.exec(schema, step(TransactionOp::Commit)).await),
        ErrorKind::TransactionAborted
    );
    // The refused commit rolled back; the connection works again.
    assert_eq!(
        kind(b.exec(schema, step(TransactionOp::Rollback)).await),
        ErrorKind::InvalidStatement
    );
    assert_eq!(ids(&mut b, schema).await.unwrap(), vec![0, 1]);
    // Retried, the transaction succeeds.
    b.exec(schema, serializable()).await.unwrap();
    b.exec(schema, insert_texts(2..3)).await.unwrap();
    b.exec(schema, step(TransactionOp::Commit)).await.unwrap();
    assert_eq!(ids(&mut a, schema).await.unwrap(), vec![0, 1, 2]);
}
