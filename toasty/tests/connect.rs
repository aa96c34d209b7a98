//! Choosing a driver from a URL, and the errors for URLs that cannot be served.

#[derive(Debug, toasty::Model)]
struct Thing {
    #[key]
    #[auto]
    id: uuid::Uuid,
}

async fn connect(url: &str) -> toasty::Result<toasty::Db> {
    toasty::Db::builder()
        .models(toasty::models!(Thing))
        .connect(url)
        .await
}

#[tokio::test]
async fn memory_urls_pick_the_persona() -> toasty::Result<()> {
    assert_eq!(connect("memory:").await?.capability().name, "memdb-sql");
    assert_eq!(connect("memory:kv").await?.capability().name, "memdb-kv");
    Ok(())
}

#[tokio::test]
async fn bad_urls_are_config_errors() {
    for url in ["bogus://x", "memory:nope", "mariadb://h/d"] {
        let err = connect(url).await.unwrap_err();
        assert_eq!(err.kind(), toasty::ErrorKind::Config, "{url}: {err}");
    }
}

#[tokio::test]
async fn no_models_is_an_invalid_schema() {
    let err = toasty::Db::builder().connect("memory:").await.unwrap_err();
    assert_eq!(err.kind(), toasty::ErrorKind::InvalidSchema, "{err}");
}

#[tokio::test]
async fn kv_rejects_auto_increment_keys_at_build() {
    #[derive(Debug, toasty::Model)]
    struct Counter {
        #[key]
        #[auto]
        id: u64,
    }
    let err = toasty::Db::builder()
        .models(toasty::models!(Counter))
        .connect("memory:kv")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), toasty::ErrorKind::Unsupported, "{err}");
    assert!(err.message().contains("uuid::Uuid"), "{err}");
}
