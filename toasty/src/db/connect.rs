//! Choosing a driver from a URL.

use std::sync::Arc;
use toasty_core::driver::Driver;
use toasty_core::{Error, Result};

pub(crate) async fn driver_for_url(url: &str) -> Result<Arc<dyn Driver>> {
    let expected = "expected one of memory:, memory:kv, sqlite::memory:, sqlite:path, \
                    postgres://..., postgresql://..., mysql://..., dynamodb://<region>";
    // The scheme is matched in any case (RFC 3986) and handed on in lower case. No
    // message here shows more of the URL than its scheme: the rest may hold a password.
    let Some((scheme, rest)) = split_scheme(url) else {
        return Err(Error::config(format!(
            "the database URL does not start with a scheme (not shown: it may hold a \
             password); {expected}"
        )));
    };
    let scheme = scheme.to_ascii_lowercase();
    let url = format!("{scheme}:{rest}");
    match scheme.as_str() {
        "memory" => memory(&url),
        "sqlite" => sqlite(&url),
        "postgres" | "postgresql" => postgres(&url),
        "mysql" => mysql(&url),
        "mariadb" => Err(Error::config(
            "unrecognized database URL scheme `mariadb:`; MariaDB is reached with the \
             mysql:// scheme (mysql://user:password@host:port/database)",
        )),
        "dynamodb" => dynamodb(&url),
        _ => Err(Error::config(format!(
            "unrecognized database URL scheme `{scheme}:` (the rest of the URL is not \
             shown: it may hold a password); {expected}"
        ))),
    }
}

/// The scheme of `url` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`) and
/// what follows its `:`.
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some((scheme, rest))
}

#[cfg(feature = "memdb")]
fn memory(url: &str) -> Result<Arc<dyn Driver>> {
    match url {
        "memory:" | "memory:sql" => Ok(Arc::new(toasty_memdb::MemDb::new())),
        "memory:kv" => Ok(Arc::new(toasty_memdb::MemDb::kv())),
        _ => Err(Error::config(format!(
            "unrecognized memdb URL `{}`; use `memory:` (sql persona) or `memory:kv` \
             (DynamoDB's rules)",
            shown_memory_url(url)
        ))),
    }
}

/// A `memory:` URL for a message: as is when it is a plain word, else hidden (it is
/// not a memdb URL then, and may hold anything).
#[cfg(feature = "memdb")]
fn shown_memory_url(url: &str) -> &str {
    let plain = url
        .strip_prefix("memory:")
        .is_some_and(|rest| rest.len() <= 16 && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    if plain {
        url
    } else {
        "memory:***"
    }
}

#[cfg(not(feature = "memdb"))]
fn memory(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "the in-memory driver needs the `memdb` feature of toasty",
    ))
}

#[cfg(feature = "sqlite")]
fn sqlite(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_sqlite::Sqlite::from_url(url)?))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "SQLite URLs need the `sqlite` feature of toasty: toasty = { features = [\"sqlite\"] }",
    ))
}

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_postgres::Postgres::new(url)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "PostgreSQL URLs need the `postgres` feature of toasty: toasty = { features = [\"postgres\"] }",
    ))
}

#[cfg(feature = "mysql")]
fn mysql(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_mysql::Mysql::new(url)?))
}

#[cfg(not(feature = "mysql"))]
fn mysql(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "MySQL URLs need the `mysql` feature of toasty: toasty = { features = [\"mysql\"] }",
    ))
}

#[cfg(feature = "dynamodb")]
fn dynamodb(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_dynamodb::DynamoDb::new(url)?))
}

#[cfg(not(feature = "dynamodb"))]
fn dynamodb(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "DynamoDB URLs need the `dynamodb` feature of toasty: toasty = { features = \
         [\"dynamodb\"] } (`memory:kv` serves DynamoDB's operation set and limits in memory)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    async fn error(url: &str) -> Error {
        match driver_for_url(url).await {
            Err(e) => e,
            Ok(driver) => panic!("{url} gave a driver: {driver:?}"),
        }
    }

    #[cfg(feature = "memdb")]
    #[tokio::test]
    async fn schemes_in_any_case() {
        for url in ["memory:", "MEMORY:", "Memory:kv"] {
            assert!(driver_for_url(url).await.is_ok(), "{url}");
        }
    }

    /// The messages of this module show a URL's scheme at most (the drivers redact
    /// the URLs they show themselves).
    #[tokio::test]
    async fn errors_never_show_the_password() {
        for (url, secret) in [
            ("mariadb://u:S3CRET@h/db", "S3CRET"),
            ("MariaDB://u:S3CRET@h/db", "S3CRET"),
            ("oracle://u:S3CRET@h/db", "S3CRET"),
            ("pg://u:S3C/RET@h/db?password=S3CRET", "RET"),
            ("u:S3CRET@h/db", "S3CRET"),
            ("//u:S3CRET@h/db", "S3CRET"),
            ("host=h password=S3CRET", "S3CRET"),
            ("memory://u:S3CRET@h", "S3CRET"),
            ("dynamodb://u:S3CRET@us-east-1", "S3CRET"),
            ("DynamoDB://us-east-1?secret=S3CRET", "S3CRET"),
            ("", "S3CRET"),
        ] {
            let err = error(url).await;
            assert_eq!(err.kind(), ErrorKind::Config, "{url}");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(secret), "{url}: {shown}");
        }
        let err = error("mariadb://u:S3CRET@h/db").await;
        assert!(err.message().contains("mysql://"), "{err}");
        if cfg!(feature = "memdb") {
            let err = error("memory:nope").await;
            assert!(err.message().contains("memory:nope"), "{err}");
        }
    }
}
