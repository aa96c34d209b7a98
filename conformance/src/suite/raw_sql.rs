//! Raw SQL (`toasty::sql::query` / `toasty::sql::statement`): `?` placeholders on every
//! SQL backend (translated per dialect), every value bound, rows as plain values or
//! loaded into a model, affected counts, inside transactions; refused with
//! `Unsupported` by backends that do not speak SQL (memdb, DynamoDB).

use crate::Test;
use toasty::{Db, Result, Type, Value};

#[derive(Debug, toasty::Model)]
struct Note {
    #[key]
    id: i64,
    #[index]
    owner: String,
    body: String,
    stars: i64,
}

/// `true` when the backend runs SQL text.
fn speaks_sql(db: &Db) -> bool {
    matches!(db.capability().name, "sqlite" | "postgres" | "mysql")
}

/// The notes table's name (with the test's prefix), quoted for the backend.
fn table(db: &Db) -> String {
    let name = &db.schema().db.tables[0].name;
    if db.capability().name == "mysql" {
        format!("`{name}`")
    } else {
        format!("\"{name}\"")
    }
}

async fn seed(db: &mut Db) -> Result<()> {
    for (id, owner, body, stars) in [
        (1, "ada", "first", 3),
        (2, "ada", "it's a '?'", 5),
        (3, "bob", "third", 1),
    ] {
        toasty::create!(Note {
            id: id,
            owner: owner,
            body: body,
            stars: stars
        })
        .exec(&mut *db)
        .await?;
    }
    Ok(())
}

/// Queries return rows as values (or records of a model), statements their affected
/// count; values are always bound, so text that looks like SQL stays a value.
pub async fn raw_sql_query_and_statement(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Note)).await?;
    seed(&mut db).await?;
    let notes = table(&db);
    if !speaks_sql(&db) {
        let err = toasty::sql::query(format!("SELECT id FROM {notes}"))
            .exec(&mut db)
            .await
            .unwrap_err();
        assert!(err.is_unsupported(), "{err}");
        let err = toasty::sql::statement(format!("DELETE FROM {notes}"))
            .exec(&mut db)
            .await
            .unwrap_err();
        assert!(err.is_unsupported(), "{err}");
        // Nothing was changed.
        assert_eq!(Note::get_by_id(&mut db, 1).await?.stars, 3);
        return Ok(());
    }

    // Plain values, in selected-column order; a `?` inside a string literal is text.
    let rows = toasty::sql::query(format!(
        "SELECT id, body, '?' FROM {notes} WHERE owner = ? AND stars >= ? ORDER BY id"
    ))
    .bind("ada")
    .bind(4_i64)
    .exec(&mut db)
    .await?;
    assert_eq!(
        rows,
        vec![vec![
            Value::I64(2),
            Value::String("it's a '?'".into()),
            Value::String("?".into())
        ]]
    );

    // Column types decide the decoding.
    let rows = toasty::sql::query(format!("SELECT stars, owner FROM {notes} WHERE id = ?"))
        .bind(3_i64)
        .column_types([Type::I32, Type::String])
        .exec(&mut db)
        .await?;
    assert_eq!(rows, vec![vec![Value::I64(1), Value::String("bob".into())]]);

    // Records of a model.
    let ada: Vec<Note> =
        toasty::sql::query(format!("SELECT * FROM {notes} WHERE owner = ? ORDER BY id"))
            .bind("ada")
            .exec_as::<Note>(&mut db)
            .await?;
    let got: Vec<(i64, &str, i64)> = ada
        .iter()
        .map(|n| (n.id, n.body.as_str(), n.stars))
        .collect();
    assert_eq!(got, [(1, "first", 3), (2, "it's a '?'", 5)]);

    // A value that looks like SQL is only a value.
    let none = toasty::sql::query(format!("SELECT id FROM {notes} WHERE owner = ?"))
        .bind("ada' OR '1'='1")
        .exec(&mut db)
        .await?;
    assert!(none.is_empty());

    // A statement returns the rows it affected; the typed API sees its work.
    let n = toasty::sql::statement(format!(
        "UPDATE {notes} SET stars = stars + ? WHERE owner = ?"
    ))
    .bind(10_i64)
    .bind("ada")
    .exec(&mut db)
    .await?;
    assert_eq!(n, 2);
    assert_eq!(Note::get_by_id(&mut db, 2).await?.stars, 15);
    let n = toasty::sql::statement(format!("DELETE FROM {notes} WHERE id = ?"))
        .bind(3_i64)
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(Note::all().count().exec(&mut db).await?, 2);

    // A NULL of a given type, and a placeholder count that does not match.
    let rows = toasty::sql::query(format!(
        "SELECT id FROM {notes} WHERE ? IS NULL ORDER BY id"
    ))
    .bind(None::<i64>)
    .exec(&mut db)
    .await?;
    assert_eq!(rows.len(), 2);
    let err = toasty::sql::query(format!("SELECT id FROM {notes} WHERE id = ?"))
        .exec(&mut db)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), toasty::ErrorKind::InvalidStatement, "{err}");
    assert!(err.to_string().contains("placeholder"), "{err}");
    Ok(())
}

/// Raw SQL inside a transaction runs on its connection: its writes are visible in the
/// transaction and undone by a rollback; a failing statement aborts the transaction.
pub async fn raw_sql_in_transaction(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Note)).await?;
    seed(&mut db).await?;
    let notes = table(&db);
    if !speaks_sql(&db) {
        let err = toasty::sql::statement(format!("DELETE FROM {notes}"))
            .exec(&mut db)
            .await
            .unwrap_err();
        assert!(err.is_unsupported(), "{err}");
        return Ok(());
    }
    let mut tx = db.transaction().await?;
    let n = toasty::sql::statement(format!("DELETE FROM {notes} WHERE owner = ?"))
        .bind("ada")
        .exec(&mut tx)
        .await?;
    assert_eq!(n, 2);
    let left = toasty::sql::query(format!("SELECT id FROM {notes}"))
        .exec(&mut tx)
        .await?;
    assert_eq!(left, vec![vec![Value::I64(3)]]);
    assert_eq!(Note::all().count().exec(&mut tx).await?, 1);
    tx.rollback().await?;
    assert_eq!(Note::all().count().exec(&mut db).await?, 3);

    let mut tx = db.transaction().await?;
    let err = toasty::sql::query("SELECT no_such_column FROM no_such_table")
        .exec(&mut tx)
        .await
        .unwrap_err();
    assert!(!err.is_unsupported(), "{err}");
    let err = Note::all().count().exec(&mut tx).await.unwrap_err();
    assert!(err.is_transaction_aborted(), "{err}");
    tx.rollback().await?;

    let mut tx = db.transaction().await?;
    toasty::sql::statement(format!("UPDATE {notes} SET body = ? WHERE id = ?"))
        .bind("changed")
        .bind(1_i64)
        .exec(&mut tx)
        .await?;
    tx.commit().await?;
    assert_eq!(Note::get_by_id(&mut db, 1).await?.body, "changed");
    Ok(())
}
