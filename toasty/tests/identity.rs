//! Models are told apart by their Rust type, never by their bare name: two `User`
//! models in different modules are two models with two tables, and two models that
//! would share a table are refused when the `Db` is built, naming both by full path.

use toasty::{Db, ErrorKind};

mod staff {
    #[derive(Debug, toasty::Model)]
    pub struct User {
        #[key]
        pub id: i64,
        pub name: String,
    }
}

mod admin {
    #[derive(Debug, toasty::Model)]
    #[table = "admins"]
    pub struct User {
        #[key]
        pub id: i64,
        pub name: String,
    }
}

mod clash {
    /// Stored in `users`, like `staff::User`.
    #[derive(Debug, toasty::Model)]
    #[table = "users"]
    pub struct Person {
        #[key]
        pub id: i64,
    }
}

async fn open(url: &str) -> Db {
    let db = Db::builder()
        .models(toasty::models!(staff::User, admin::User))
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    db.push_schema().await.expect("push_schema");
    db
}

async fn same_name_models_are_distinct(url: &str) {
    let mut db = open(url).await;
    staff::User::create()
        .id(1)
        .name("staff")
        .exec(&mut db)
        .await
        .expect("create staff");
    admin::User::create()
        .id(1)
        .name("admin")
        .exec(&mut db)
        .await
        .expect("create admin (same key, other table)");
    assert_eq!(
        staff::User::get_by_id(&mut db, 1).await.unwrap().name,
        "staff"
    );
    assert_eq!(
        admin::User::get_by_id(&mut db, 1).await.unwrap().name,
        "admin"
    );
    staff::User::create()
        .id(2)
        .name("s2")
        .exec(&mut db)
        .await
        .unwrap();
    let staff_ids = staff::User::filter(staff::User::fields().id().in_list([1, 2]))
        .count()
        .exec(&mut db)
        .await
        .unwrap();
    let admin_ids = admin::User::filter(admin::User::fields().id().in_list([1, 2]))
        .count()
        .exec(&mut db)
        .await
        .unwrap();
    assert_eq!((staff_ids, admin_ids), (2, 1));
    let tables: Vec<String> = db
        .schema()
        .db
        .tables
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(tables, ["users", "admins"]);
}

#[tokio::test]
async fn memdb_same_name_models_are_distinct() {
    same_name_models_are_distinct("memory:").await;
    same_name_models_are_distinct("memory:kv").await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_same_name_models_are_distinct() {
    same_name_models_are_distinct("sqlite::memory:").await;
}

#[tokio::test]
async fn models_sharing_a_table_are_refused_naming_both() {
    let err = Db::builder()
        .models(toasty::models!(staff::User, clash::Person))
        .connect("memory:")
        .await
        .expect_err("two models in one table");
    assert_eq!(err.kind(), ErrorKind::InvalidSchema, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("staff::User"), "{msg}");
    assert!(msg.contains("clash::Person"), "{msg}");
    assert!(msg.contains("`users`"), "{msg}");
}

#[tokio::test]
async fn the_same_model_twice_is_one_model() {
    let db = Db::builder()
        .models(toasty::models!(staff::User, staff::User))
        .models(toasty::models!(staff::User))
        .connect("memory:")
        .await
        .expect("one model");
    assert_eq!(db.schema().app.len(), 1);
}

#[tokio::test]
async fn an_unregistered_model_of_a_registered_name_is_refused() {
    let mut db = Db::builder()
        .models(toasty::models!(staff::User))
        .connect("memory:")
        .await
        .unwrap();
    db.push_schema().await.unwrap();
    let err = admin::User::get_by_id(&mut db, 1)
        .await
        .expect_err("not registered");
    assert!(err.to_string().contains("not registered"), "{err}");
}
