//! `#[toasty::test]`: every form of the attribute, and differential mode reporting a
//! planted difference with both answers.

use std::sync::Arc;
use toasty::testing::{TestBackend, TestRun};
use toasty::Db;

#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    #[auto]
    id: u64,
    #[unique]
    email: String,
    balance: i64,
}

#[derive(Debug, toasty::Model)]
struct Note {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    owner: String,
    body: String,
}

async fn seed_accounts(db: &mut Db) -> toasty::Result<()> {
    toasty::create!(Account::[
        { email: "ann@x", balance: 10 },
        { email: "bob@x", balance: 20 },
    ])
    .exec(db)
    .await?;
    Ok(())
}

#[toasty::test(models(Account))]
async fn a_fresh_database_per_run(db: &mut Db) -> toasty::Result<()> {
    assert_eq!(Account::all().count().exec(db).await?, 0);
    toasty::create!(Account {
        email: "a@x",
        balance: 1
    })
    .exec(db)
    .await?;
    let again = toasty::create!(Account {
        email: "a@x",
        balance: 2
    })
    .exec(db)
    .await;
    assert!(again.unwrap_err().is_unique_violation());
    Ok(())
}

#[toasty::test(models(Account), fixtures(seed_accounts))]
async fn fixtures_run_first(db: &mut Db) -> toasty::Result<()> {
    assert_eq!(Account::all().count().exec(db).await?, 2);
    Ok(())
}

/// Every model of this crate is registered when `models(..)` is left out.
#[toasty::test]
async fn every_model_of_the_crate(db: &mut Db) -> toasty::Result<()> {
    toasty::create!(Note {
        owner: "ann",
        body: "hi"
    })
    .exec(db)
    .await?;
    toasty::create!(Account {
        email: "c@x",
        balance: 3
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The body may take the handle by value and return nothing.
#[toasty::test(models(Account))]
async fn by_value_returning_unit(mut db: Db) {
    toasty::create!(Account {
        email: "d@x",
        balance: 4
    })
    .exec(&mut db)
    .await
    .expect("create");
}

/// Differential mode: the same answer on every configured backend.
#[toasty::test(models(Account), fixtures(seed_accounts), differential(tables))]
async fn richest_first(db: &mut Db) -> toasty::Result<Vec<(String, i64)>> {
    Account::filter_by_email("ann@x")
        .update()
        .balance(30)
        .exec(db)
        .await?;
    let rich = Account::all()
        .order_by(Account::fields().balance().desc())
        .exec(db)
        .await?;
    Ok(rich.into_iter().map(|a| (a.email, a.balance)).collect())
}

/// DynamoDB-shaped code on memdb's key-value persona.
#[toasty::test(models(Note), kv)]
async fn key_value_persona(db: &mut Db) -> toasty::Result<()> {
    toasty::create!(Note {
        owner: "ann",
        body: "hi"
    })
    .exec(db)
    .await?;
    assert_eq!(Note::filter_by_owner("ann").exec(db).await?.len(), 1);
    let scan = Note::all().exec(db).await.unwrap_err();
    assert!(scan.is_unsupported());
    Ok(())
}

/// A test double that answers unordered reads in reverse primary-key order: a
/// behaviour the contract leaves open, which differential mode must catch.
mod reversed {
    use async_trait::async_trait;
    use toasty::memdb::MemDb;
    use toasty_core::driver::{Capability, Connection, Driver, Operation, Response};
    use toasty_core::schema::db;

    #[derive(Debug)]
    pub struct Reversed(pub MemDb);

    #[async_trait]
    impl Driver for Reversed {
        fn capability(&self) -> &Capability {
            self.0.capability()
        }
        async fn connect(&self) -> toasty::Result<Box<dyn Connection>> {
            Ok(Box::new(Conn(self.0.connect().await?)))
        }
    }

    struct Conn(Box<dyn Connection>);

    #[async_trait]
    impl Connection for Conn {
        async fn exec(&mut self, schema: &db::Schema, op: Operation) -> toasty::Result<Response> {
            let op = op.uncached()?;
            let unordered = matches!(&op, Operation::Select(s) if s.order_by.is_empty());
            match self.0.exec(schema, op).await?.into_row_vecs() {
                Response::Rows(mut rows) if unordered => {
                    rows.reverse();
                    Ok(Response::Rows(rows))
                }
                other => Ok(other),
            }
        }
    }
}

async fn unordered_emails(db: &mut Db) -> toasty::Result<Vec<String>> {
    seed_accounts(db).await?;
    Ok(Account::all()
        .exec(db)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect())
}

fn unordered_call(db: &mut Db) -> toasty::testing::BoxFuture<'_, toasty::Result<Vec<String>>> {
    Box::pin(unordered_emails(db))
}

#[test]
fn differential_mode_reports_a_planted_difference_with_both_answers() {
    let double = TestBackend::driver(
        "reversed-double",
        Arc::new(reversed::Reversed(toasty::memdb::MemDb::new())),
    );
    let run = TestRun::new(module_path!(), "planted")
        .models(toasty::models!(Account))
        .differential(false)
        .backend(double);
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.run(unordered_call)))
        .expect_err("the difference must fail the test");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("[reversed-double] returned something else than [memdb]"),
        "{message}"
    );
    // Both answers are in the report: one line moved from one side to the other.
    assert!(
        message.contains("-    \"bob@x\",") && message.contains("+    \"bob@x\","),
        "{message}"
    );
}

fn failing_call(db: &mut Db) -> toasty::testing::BoxFuture<'_, toasty::Result<()>> {
    Box::pin(async move {
        toasty::create!(Account {
            email: "e@x",
            balance: 1
        })
        .exec(db)
        .await?;
        toasty::create!(Account {
            email: "e@x",
            balance: 1
        })
        .exec(db)
        .await?;
        Ok(())
    })
}

#[test]
fn a_failure_names_the_backend_and_the_error() {
    let run = TestRun::new(module_path!(), "failing").models(toasty::models!(Account));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.run(failing_call)))
        .expect_err("the unique violation must fail the test");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("[memdb] unique violation"), "{message}");
}

toasty::fixture!(clashing_accounts {
    Account { email: "x@x", balance: 1 },
    Account { email: "x@x", balance: 2 },
});

fn after_clash(db: &mut Db) -> toasty::testing::BoxFuture<'_, toasty::Result<()>> {
    Box::pin(async move {
        let _ = db;
        Ok(())
    })
}

fn clashing(db: &mut Db) -> toasty::testing::BoxFuture<'_, toasty::Result<()>> {
    Box::pin(clashing_accounts(db))
}

#[test]
fn a_failing_fixture_row_is_named() {
    let run = TestRun::new(module_path!(), "clash")
        .models(toasty::models!(Account))
        .fixture("clashing_accounts", clashing);
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.run(after_clash)))
        .expect_err("the duplicate email must fail the fixture");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("fixture `clashing_accounts` failed")
            && message.contains("row 2 of fixture `clashing_accounts`")
            && message.contains("x@x"),
        "{message}"
    );
}

toasty::fixture!(one_account {
    Account { email: "one@x", balance: 9 },
});

#[toasty::test(models(Account), fixtures(one_account))]
async fn declared_fixtures_apply(db: &mut Db) -> toasty::Result<()> {
    assert_eq!(Account::get_by_email(db, "one@x").await?.balance, 9);
    Ok(())
}
