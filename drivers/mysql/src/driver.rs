//! [`Mysql`]: the driver value, its URL parsing and how connections are opened and set
//! up for the semantics contract.

use crate::connection::MysqlConnection;
use crate::error;
use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder};
use std::fmt;
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};
use toasty_sql::{Dialect, Serializer};

/// The default limit on opening a connection (TCP, handshake and session set-up).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default limit on one operation, after which the connection is closed and the
/// operation fails with a [`toasty_core::ErrorKind::Connection`] error.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// The limit on the ping of [`Connection::is_valid`].
pub(crate) const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// The collation of string columns on MariaDB (binary, no pad).
pub const MARIADB_COLLATION: &str = "utf8mb4_nopad_bin";

/// The collation of string columns on MySQL 8 (binary, no pad).
pub const MYSQL_COLLATION: &str = "utf8mb4_0900_bin";

/// The SQL mode every session runs with: strict (errors instead of silent truncation or
/// clamping, on every engine), no zero dates, and backslashes in string literals taken
/// literally (the serializer binds every value, so this only guards any literal text).
pub const SQL_MODE: &str = "STRICT_ALL_TABLES,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,\
NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES";

/// The MySQL / MariaDB driver.
///
/// Created from a `mysql://user:password@host:port/database` URL (any `mysql_async` URL
/// parameter is accepted). Each [`Connection`] is one `mysql_async` connection with its
/// own prepared-statement cache; pooling is Toasty's.
pub struct Mysql {
    opts: Opts,
    url: String,
    capability: Capability,
    connect_timeout: Duration,
    operation_timeout: Duration,
}

impl Mysql {
    /// Parses a `mysql://` URL. No connection is made until [`Driver::connect`]. A URL
    /// with another scheme or that cannot be parsed is a
    /// [`toasty_core::ErrorKind::Config`] error.
    pub fn new(url: &str) -> Result<Mysql> {
        if !url.starts_with("mysql://") {
            return Err(Error::config(format!(
                "`{}` is not a MySQL URL; use mysql://user:password@host:port/database",
                redact(url)
            )));
        }
        let opts = Opts::from_url(url).map_err(|e| {
            Error::config(format!(
                "the MySQL URL `{}` is invalid: {e}; use mysql://user:password@host:port/database",
                redact(url)
            ))
        })?;
        let opts: Opts = OptsBuilder::from_opts(opts)
            .client_found_rows(true)
            // Statements are cached by the driver (`session.rs`), not by mysql_async.
            .stmt_cache_size(0)
            .into();
        Ok(Mysql {
            opts,
            url: redact(url),
            capability: Capability {
                name: "mysql",
                ..Capability::SQL
            },
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
        })
    }

    /// Sets the limit on opening a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Mysql {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the limit on one operation (default [`DEFAULT_OPERATION_TIMEOUT`]).
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Mysql {
        self.operation_timeout = timeout;
        self
    }

    async fn open(&self) -> Result<MysqlConnection> {
        let what = format!("connecting to {}", self.url);
        let mut conn = Conn::new(self.opts.clone())
            .await
            .map_err(|e| error::map(e, &what))?;
        let (version, step): (String, u64) = conn
            .query_first("SELECT VERSION(), @@auto_increment_increment")
            .await
            .map_err(|e| error::map(e, &what))?
            .ok_or_else(|| Error::driver(format!("{what}: SELECT VERSION() returned no row")))?;
        let collation = if version.contains("MariaDB") {
            MARIADB_COLLATION
        } else {
            MYSQL_COLLATION
        };
        conn.query_drop(format!(
            "SET SESSION sql_mode = '{SQL_MODE}', time_zone = '+00:00', \
             character_set_client = 'utf8mb4', character_set_connection = 'utf8mb4', \
             character_set_results = 'utf8mb4', collation_connection = '{collation}'"
        ))
        .await
        .map_err(|e| error::map(e, &format!("{what}: setting up the session")))?;
        let serializer = Serializer::new(Dialect::Mysql).with_mysql_collation(collation)?;
        Ok(MysqlConnection::new(
            conn,
            serializer,
            step.max(1),
            self.operation_timeout,
        ))
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for Mysql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mysql({})", self.url)
    }
}

#[async_trait]
impl Driver for Mysql {
    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        match tokio::time::timeout(self.connect_timeout, self.open()).await {
            Ok(conn) => Ok(Box::new(conn?)),
            Err(_) => Err(Error::connection(format!(
                "connecting to {} took longer than {:?}; is the server running and \
                 reachable?",
                self.url, self.connect_timeout
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    #[test]
    fn parses_urls_without_io() {
        let m = Mysql::new("mysql://u:secret@127.0.0.1:1/db").unwrap();
        assert_eq!(m.capability().name, "mysql");
        assert!(m.capability().is_sql());
        assert!(!format!("{m:?}").contains("secret"));
        assert!(m.opts.client_found_rows());
        assert_eq!(m.opts.stmt_cache_size(), 0);
    }

    #[test]
    fn other_schemes_are_config_errors() {
        for url in ["postgres://x@y/z", "sqlite::memory:", "mysql:/nope", ""] {
            let e = Mysql::new(url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{url}");
        }
        let e = Mysql::new("mysql://u:pw@host:notaport/db").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(!e.message().contains("pw@"));
    }
}
