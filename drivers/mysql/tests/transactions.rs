//! Interactive transactions against a real server (`TOASTY_TEST_MYSQL_URL`, set by
//! `scripts/test`): commit and rollback seen from another connection, savepoints,
//! multi-statement operations (a split insert, the emulated `UPDATE .. RETURNING`)
//! inside a transaction, read-only refusal, a serialization conflict between two
//! serializable transactions, and misuse. Without a URL the tests say why and pass
//! (under `CI=true` they fail).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use toasty_core::driver::{
    Connection, CreateTable, Driver, DropTable, Insert, IsolationLevel, Operation, Response,
    Select, TransactWrite, TransactionOp, Update, WriteItem,
};
use toasty_core::schema::db::{Column, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{ErrorKind, Result, Type, Value};
use toasty_mysql::Mysql;

const T: TableId = TableId(0);

fn url() -> Option<String> {
    match std::env::var("TOASTY_TEST_MYSQL_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "TOASTY_TEST_MYSQL_URL is not set under CI=true");
            eprintln!("skipping: TOASTY_TEST_MYSQL_URL is not set (run scripts/test)");
            None
        }
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// `id BIGINT` primary key and a nullable `n BIGINT`, in a table of its own.
fn schema() -> Schema {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let column = |name: &str, nullable| Column {
        name: name.into(),
        ty: Type::I64,
        nullable,
        auto_increment: false,
        max_len: None,
    };
    Schema {
        tables: vec![Table {
            id: T,
            name: format!("tx{}_{n}", std::process::id()),
            columns: vec![column("id", false), column("n", true)],
            primary_key: vec![0],
            indices: vec![],
        }],
    }
}

/// Two connections to a fresh table.
struct Fixture {
    driver: Mysql,
    schema: Schema,
    a: Box<dyn Connection>,
    b: Box<dyn Connection>,
}

impl Fixture {
    async fn new(url: &str) -> Fixture {
        let driver = Mysql::new(url).unwrap();
        let schema = schema();
        let mut a = driver.connect().await.unwrap();
        a.exec(&schema, Operation::CreateTable(CreateTable { table: T }))
            .await
            .unwrap();
        let b = driver.connect().await.unwrap();
        Fixture {
            driver,
            schema,
            a,
            b,
        }
    }

    async fn a(&mut self, op: Operation) -> Result<Response> {
        self.a.exec(&self.schema, op).await
    }

    async fn b(&mut self, op: Operation) -> Result<Response> {
        self.b.exec(&self.schema, op).await
    }

    async fn drop(mut self) {
        // An open transaction's locks would make the DROP wait.
        let _ = self
            .a(Operation::Transaction(TransactionOp::Rollback))
            .await;
        let _ = self
            .b(Operation::Transaction(TransactionOp::Rollback))
            .await;
        let mut conn = self.driver.connect().await.unwrap();
        conn.exec(&self.schema, Operation::DropTable(DropTable { table: T }))
            .await
            .unwrap();
    }
}

fn begin(isolation: Option<IsolationLevel>, read_only: bool) -> Operation {
    Operation::Transaction(TransactionOp::Begin {
        isolation,
        read_only,
    })
}

fn step(op: TransactionOp) -> Operation {
    Operation::Transaction(op)
}

fn insert(ids: std::ops::Range<i64>) -> Operation {
    Operation::Insert(Insert {
        table: T,
        columns: vec![0, 1],
        rows: ids.map(|i| vec![Value::I64(i), Value::I64(0)]).collect(),
        returning: vec![],
    })
}

fn id_is(id: i64) -> Expr {
    Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id)))
}

/// `UPDATE .. SET n = <n> WHERE id = <id>` with `returning`: emulated on MySQL by a
/// locking read, the update and a re-read.
fn set_returning(id: i64, n: i64) -> Operation {
    Operation::Update(Update {
        table: T,
        filter: id_is(id),
        assignments: vec![(1, Value::I64(n))],
        arithmetic: Vec::new(),
        returning: true,
    })
}

fn read(filter: Expr) -> Operation {
    Operation::Select(Select {
        table: T,
        filter,
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    })
}

/// `(id, n)` of every row, by id.
fn rows(r: Result<Response>) -> Vec<(i64, Option<i64>)> {
    let Response::Rows(rows) = r.unwrap().into_row_vecs() else {
        panic!("expected rows");
    };
    let mut out: Vec<(i64, Option<i64>)> = rows
        .iter()
        .map(|r| match (&r[0], &r[1]) {
            (Value::I64(id), Value::I64(n)) => (*id, Some(*n)),
            (Value::I64(id), Value::Null) => (*id, None),
            other => panic!("{other:?}"),
        })
        .collect();
    out.sort();
    out
}

fn ids(r: Result<Response>) -> Vec<i64> {
    rows(r).into_iter().map(|(id, _)| id).collect()
}

fn kind(r: Result<Response>) -> ErrorKind {
    match r {
        Ok(resp) => panic!("expected an error, got {resp:?}"),
        Err(e) => e.kind(),
    }
}

#[test]
fn the_driver_has_interactive_transactions() {
    let driver = Mysql::new("mysql://u:p@127.0.0.1:1/db").unwrap();
    assert!(driver.capability().interactive_transactions);
    assert_eq!(driver.capability().max_transact_items, None);
}

#[test]
fn commit_is_seen_by_another_connection_only_after_commit_and_rollback_leaves_nothing() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        f.a(begin(None, false)).await.unwrap();
        f.a(insert(0..3)).await.unwrap();
        assert_eq!(ids(f.a(read(Expr::true_())).await), vec![0, 1, 2]);
        assert_eq!(ids(f.b(read(Expr::true_())).await), Vec::<i64>::new());
        f.a(step(TransactionOp::Rollback)).await.unwrap();
        assert_eq!(ids(f.a(read(Expr::true_())).await), Vec::<i64>::new());

        f.a(begin(Some(IsolationLevel::ReadCommitted), false))
            .await
            .unwrap();
        f.a(insert(5..7)).await.unwrap();
        assert_eq!(ids(f.b(read(Expr::true_())).await), Vec::<i64>::new());
        assert_eq!(
            f.a(step(TransactionOp::Commit)).await.unwrap(),
            Response::Count(0)
        );
        assert_eq!(ids(f.b(read(Expr::true_())).await), vec![5, 6]);
        f.drop().await;
    });
}

#[test]
fn rolling_back_to_a_savepoint_keeps_the_outer_work() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        f.a(begin(None, false)).await.unwrap();
        f.a(insert(0..1)).await.unwrap();
        f.a(step(TransactionOp::Savepoint(1))).await.unwrap();
        f.a(insert(1..2)).await.unwrap();
        f.a(step(TransactionOp::Savepoint(2))).await.unwrap();
        f.a(insert(2..3)).await.unwrap();
        f.a(step(TransactionOp::RollbackToSavepoint(1)))
            .await
            .unwrap();
        assert_eq!(
            kind(f.a(step(TransactionOp::ReleaseSavepoint(2))).await),
            ErrorKind::InvalidStatement
        );
        // On MySQL a failed statement leaves the transaction usable.
        let e = f.a(insert(0..1)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
        f.a(insert(3..4)).await.unwrap();
        f.a(step(TransactionOp::ReleaseSavepoint(1))).await.unwrap();
        f.a(step(TransactionOp::Commit)).await.unwrap();
        assert_eq!(ids(f.b(read(Expr::true_())).await), vec![0, 3]);
        f.drop().await;
    });
}

#[test]
fn multi_statement_operations_inside_a_transaction_are_rolled_back_with_it() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        f.a(insert(0..2)).await.unwrap();
        let big = insert(100..40_100);
        let statements = toasty_sql::Serializer::new(toasty_sql::Dialect::Mysql)
            .serialize(&f.schema, &big)
            .unwrap();
        assert!(statements.len() > 1, "the insert is split");

        f.a(begin(None, false)).await.unwrap();
        assert_eq!(f.a(big.clone()).await.unwrap(), Response::Count(40_000));
        // The emulated UPDATE .. RETURNING runs inside the user's transaction.
        assert_eq!(rows(f.a(set_returning(1, 7)).await), vec![(1, Some(7))]);
        // A failing split insert (a duplicate in its last chunk) undoes only itself.
        let mut dup = Insert {
            table: T,
            columns: vec![0, 1],
            rows: (50_000..90_000)
                .map(|i| vec![Value::I64(i), Value::Null])
                .collect(),
            returning: vec![],
        };
        dup.rows.push(vec![Value::I64(0), Value::Null]);
        let e = f.a(Operation::Insert(dup)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
        assert_eq!(ids(f.a(read(Expr::true_())).await).len(), 40_002);
        // Nothing is visible elsewhere yet, and the rollback undoes it all.
        assert_eq!(ids(f.b(read(Expr::true_())).await), vec![0, 1]);
        f.a(step(TransactionOp::Rollback)).await.unwrap();
        assert_eq!(
            rows(f.a(read(Expr::true_())).await),
            vec![(0, Some(0)), (1, Some(0))]
        );
        assert_eq!(
            rows(f.b(read(Expr::true_())).await),
            vec![(0, Some(0)), (1, Some(0))]
        );
        // Outside a transaction they still commit on their own.
        assert_eq!(rows(f.a(set_returning(1, 8)).await), vec![(1, Some(8))]);
        assert_eq!(rows(f.b(read(id_is(1))).await), vec![(1, Some(8))]);
        f.drop().await;
    });
}

#[test]
fn a_read_only_transaction_refuses_writes() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        f.a(insert(0..1)).await.unwrap();
        f.a(begin(Some(IsolationLevel::RepeatableRead), true))
            .await
            .unwrap();
        assert_eq!(ids(f.a(read(Expr::true_())).await), vec![0]);
        let e = f.a(insert(1..2)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ReadOnlyTransaction, "{e}");
        assert!(e.message().contains("read-only"), "{e}");
        let e = f.a(set_returning(0, 3)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ReadOnlyTransaction, "{e}");
        f.a(step(TransactionOp::Commit)).await.unwrap();
        f.a(insert(1..2)).await.unwrap();
        assert_eq!(ids(f.b(read(Expr::true_())).await), vec![0, 1]);
        f.drop().await;
    });
}

#[test]
fn conflicting_serializable_transactions_fail_one_with_a_serialization_failure() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        f.a(insert(0..1)).await.unwrap();
        let serializable = || begin(Some(IsolationLevel::Serializable), false);
        f.a(serializable()).await.unwrap();
        f.b(serializable()).await.unwrap();
        // Both read the row (a shared lock under SERIALIZABLE), then both write it:
        // each waits for the other's lock, and MySQL picks one to fail.
        assert_eq!(ids(f.a(read(id_is(0))).await), vec![0]);
        assert_eq!(ids(f.b(read(id_is(0))).await), vec![0]);
        let schema = &f.schema;
        let (ra, rb) = tokio::join!(f.a.exec(schema, set_returning(0, 1)), async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            f.b.exec(schema, set_returning(0, 2)).await
        });
        let (mut winner, mut loser, won) = match (ra, rb) {
            (Ok(_), Err(e)) => {
                assert_eq!(e.kind(), ErrorKind::SerializationFailure, "{e}");
                (f.a, f.b, 1)
            }
            (Err(e), Ok(_)) => {
                assert_eq!(e.kind(), ErrorKind::SerializationFailure, "{e}");
                (f.b, f.a, 2)
            }
            other => panic!("exactly one transaction should fail: {other:?}"),
        };
        // The loser's transaction is over: only a rollback is accepted.
        let e = loser.exec(schema, read(Expr::true_())).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TransactionAborted, "{e}");
        assert_eq!(
            kind(loser.exec(schema, step(TransactionOp::Savepoint(1))).await),
            ErrorKind::TransactionAborted
        );
        loser
            .exec(schema, step(TransactionOp::Rollback))
            .await
            .unwrap();
        winner
            .exec(schema, step(TransactionOp::Commit))
            .await
            .unwrap();
        assert_eq!(
            rows(loser.exec(schema, read(Expr::true_())).await),
            vec![(0, Some(won))]
        );
        // The retry succeeds.
        loser.exec(schema, serializable()).await.unwrap();
        loser.exec(schema, set_returning(0, 9)).await.unwrap();
        loser
            .exec(schema, step(TransactionOp::Commit))
            .await
            .unwrap();
        assert_eq!(
            rows(winner.exec(schema, read(Expr::true_())).await),
            vec![(0, Some(9))]
        );
        winner
            .exec(schema, Operation::DropTable(DropTable { table: T }))
            .await
            .unwrap();
    });
}

#[test]
fn misuse_is_refused_without_reaching_the_server() {
    let Some(url) = url() else { return };
    block_on(async {
        let mut f = Fixture::new(&url).await;
        for op in [
            TransactionOp::Commit,
            TransactionOp::Rollback,
            TransactionOp::Savepoint(1),
            TransactionOp::ReleaseSavepoint(1),
            TransactionOp::RollbackToSavepoint(1),
        ] {
            let e = f.a(step(op)).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{op:?}: {e}");
        }
        f.a(begin(None, false)).await.unwrap();
        let e = f.a(begin(None, true)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{e}");
        assert!(e.message().contains("already open"), "{e}");
        // DDL would commit the transaction implicitly on MySQL.
        let e = f
            .a(Operation::CreateTable(CreateTable { table: T }))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.message().contains("implicitly"), "{e}");
        // The refusals did not disturb the transaction.
        f.a(insert(0..1)).await.unwrap();
        f.a(step(TransactionOp::Rollback)).await.unwrap();
        assert_eq!(ids(f.b(read(Expr::true_())).await), Vec::<i64>::new());
        let e = f
            .a(Operation::TransactWrite(TransactWrite {
                items: vec![WriteItem::Put {
                    table: T,
                    row: vec![Value::I64(1), Value::Null],
                }],
            }))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.message().contains("key-value operation"), "{e}");
        f.drop().await;
    });
}
