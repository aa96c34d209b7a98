//! "Database Setup": the builder's options, and the error helpers.

use std::time::Duration;

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
}

#[tokio::test]
async fn builder_options_and_errors() {
    for url in crate::urls() {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(User))
            .max_pool_size(4)
            .pool_wait_timeout(Some(Duration::from_secs(5)))
            .pool_create_timeout(Some(Duration::from_secs(10)))
            .table_name_prefix("myapp_")
            .connect(url)
            .await
            .expect("connect");
        db.push_schema().await.expect("schema");
        assert!(db.schema().db.tables[0].name.starts_with("myapp_"));
        let err = User::get_by_id(&mut db, 42).await.unwrap_err();
        assert!(err.is_record_not_found(), "{url}: {err}");
    }
    #[derive(Debug, toasty::Model)]
    struct Event {
        #[key]
        #[auto]
        id: uuid::Uuid,
    }
    let mut db = toasty::Db::builder()
        .models(toasty::models!(Event))
        .connect("memory:kv")
        .await
        .expect("connect");
    let err = db.transaction().await.unwrap_err();
    assert!(err.is_unsupported_feature(), "{err}");
}

/// "Raw SQL" / "Database Setup": `db.connection()` holds one connection for several
/// statements; `db.pool()` tells its size and use.
#[tokio::test]
async fn connection_and_pool() {
    #[derive(Debug, toasty::Model)]
    struct Note {
        #[key]
        #[auto]
        id: u64,
        text: String,
    }
    crate::on_every_backend!(toasty::models!(Note), |db| {
        assert!(db.pool().max_size() >= 1);
        {
            let mut conn = db.connection().await?;
            assert_eq!(db.pool().in_use(), 1);
            toasty::create!(Note { text: "a" }).exec(&mut conn).await?;
            assert_eq!(Note::all().count().exec(&mut conn).await?, 1);
        }
        assert_eq!(db.pool().in_use(), 0);
        assert_eq!(Note::all().count().exec(&mut db).await?, 1);
        Ok(())
    });
}
