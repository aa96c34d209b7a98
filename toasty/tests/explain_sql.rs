//! `explain` shows, under each step, the SQL text an SQL driver runs for it (with
//! placeholders, never values); memdb speaks no SQL and shows none.

use toasty::{BatchItem, Db};

#[derive(Debug, toasty::Model)]
struct Book {
    #[key]
    #[auto]
    id: i64,
    #[index]
    title: String,
    pages: i64,
}

async fn open(url: &str) -> Db {
    let db = Db::builder()
        .models(toasty::models!(Book))
        .connect(url)
        .await
        .unwrap();
    db.push_schema().await.unwrap();
    db
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_explain_shows_the_sql() {
    let db = open("sqlite::memory:").await;
    let plan = Book::filter_by_title("Dune").explain(&db).unwrap();
    assert!(plan.starts_with("#0 select "), "{plan}");
    let sql: Vec<&str> = plan.lines().filter(|l| l.starts_with("   sql: ")).collect();
    assert_eq!(
        sql,
        [r#"   sql: SELECT "id", "title", "pages" FROM "books" WHERE ("title" = ?)"#],
        "{plan}"
    );
    assert!(!sql[0].contains("Dune"), "values are placeholders: {plan}");

    let plan = Book::filter(Book::fields().pages().gt(100))
        .update()
        .pages(1)
        .explain(&db)
        .unwrap();
    assert!(
        plan.contains(r#"   sql: UPDATE "books" SET "pages" = ? WHERE ("pages" > ?)"#),
        "{plan}"
    );

    let plan = toasty::create!(Book {
        title: "Emma",
        pages: 400
    })
    .explain(&db)
    .unwrap();
    assert!(
        plan.contains(
            r#"   sql: INSERT INTO "books" ("title", "pages") VALUES (?, ?) RETURNING "id""#
        ),
        "{plan}"
    );
    assert!(
        !plan
            .lines()
            .any(|l| l.contains("sql:") && l.contains("Emma")),
        "{plan}"
    );
}

#[tokio::test]
async fn memdb_explain_shows_no_sql() {
    let db = open("memory:").await;
    let plan = Book::filter_by_title("Dune").explain(&db).unwrap();
    assert!(plan.starts_with("#0 select "), "{plan}");
    assert!(!plan.contains("sql:"), "{plan}");
}
