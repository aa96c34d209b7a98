//! What Toasty logs: run with a filter on the `toasty` targets,
//!
//! ```text
//! RUST_LOG=toasty=debug cargo run -p toasty --example logging --features sqlite
//! ```
//!
//! and every statement shows up as a `statement` span (model, kind, plan) with one
//! event per driver operation, the SQL text the driver ran, and how it ended.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[unique]
    email: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> toasty::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    #[cfg(feature = "sqlite")]
    let url = "sqlite::memory:";
    #[cfg(not(feature = "sqlite"))]
    let url = "memory:";
    let mut db = toasty::Db::builder()
        .models(toasty::models!(User))
        .connect(url)
        .await?;
    db.push_schema().await?;

    let ada = toasty::create!(User {
        name: "Ada",
        email: "ada@example.com"
    })
    .exec(&mut db)
    .await?;
    let found = User::get_by_email(&mut db, "ada@example.com").await?;
    assert_eq!(found.id, ada.id);
    let again = toasty::create!(User {
        name: "Ada again",
        email: "ada@example.com"
    })
    .exec(&mut db)
    .await;
    assert!(again.is_err_and(|e| e.is_unique_violation()));
    Ok(())
}
