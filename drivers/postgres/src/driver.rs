//! [`Postgres`]: the driver value, its URL parsing and how connections are opened.

use crate::connection::PgConnection;
use crate::error;
use async_trait::async_trait;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Config, NoTls};

/// How long opening a connection may take unless the URL sets `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one operation may wait for the server before it fails with a connection
/// error (see [`Postgres::operation_timeout`]).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The default for [`Driver::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

/// The PostgreSQL driver.
///
/// Built from a URL with [`Postgres::new`] (parsing only, no I/O); every
/// [`Driver::connect`] opens a new session without TLS.
#[derive(Clone)]
pub struct Postgres {
    config: Config,
    target: String,
    capability: Capability,
    connect_timeout: Duration,
    operation_timeout: Duration,
    max_connections: usize,
}

impl Postgres {
    /// Parses a `postgres://` or `postgresql://` URL, e.g.
    /// `postgres://user:password@127.0.0.1:5432/dbname`. Query parameters understood by
    /// libpq-style URLs (`connect_timeout`, `application_name`, `sslmode=disable|prefer`,
    /// ...) are accepted. Anything else, including `sslmode=require` (this driver does
    /// not speak TLS), is an [`toasty_core::ErrorKind::Config`] error.
    pub fn new(url: &str) -> Result<Postgres> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::config(format!(
                "`{}` is not a PostgreSQL URL; use postgres://user:password@host:port/database",
                redact(url)
            )));
        }
        let mut config = Config::from_str(url)
            .map_err(|e| Error::config(format!("invalid PostgreSQL URL `{}`: {e}", redact(url))))?;
        if config.get_hosts().is_empty() {
            return Err(Error::config(format!(
                "the PostgreSQL URL `{}` names no host; use postgres://user:password@host:port/database",
                redact(url)
            )));
        }
        if config.get_ssl_mode() == SslMode::Require {
            return Err(Error::config(format!(
                "the PostgreSQL URL `{}` asks for sslmode=require, but this driver does not \
                 support TLS; use sslmode=disable or prefer",
                redact(url)
            )));
        }
        let connect_timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        config.connect_timeout(connect_timeout);
        // Keepalives notice a peer that vanished without closing the socket.
        config
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        if config.get_application_name().is_none() {
            config.application_name("toasty");
        }
        Ok(Postgres {
            target: describe_target(&config),
            config,
            capability: Capability {
                name: "postgres",
                ..Capability::SQL
            },
            connect_timeout,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        })
    }

    /// Sets how long one operation may wait for the server (default 60 s). When it
    /// expires, the operation fails with [`toasty_core::ErrorKind::Connection`], the
    /// statement is cancelled on the server and the connection is discarded.
    pub fn operation_timeout(mut self, limit: Duration) -> Postgres {
        self.operation_timeout = limit;
        self
    }

    /// Sets how many connections a pool may open (default 16).
    pub fn max_connections(mut self, n: usize) -> Postgres {
        self.max_connections = n.max(1);
        self
    }

    /// `host:port/database`, for messages (never the password).
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postgres({})", self.target)
    }
}

#[async_trait]
impl Driver for Postgres {
    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        let (client, connection) =
            tokio::time::timeout(self.connect_timeout, self.config.connect(NoTls))
                .await
                .map_err(|_| {
                    error::timed_out(
                        &format!("a connection to {}", self.target),
                        self.connect_timeout,
                    )
                })?
                .map_err(|e| error::connect(e, &self.target))?;
        // The connection future drives the socket; it ends when the client is dropped or
        // the server goes away (the client then reports itself closed).
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Box::new(PgConnection::new(client, self.operation_timeout)))
    }

    fn max_connections(&self) -> usize {
        self.max_connections
    }
}

/// `host:port/database` of a parsed configuration.
fn describe_target(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => String::from("?"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// The URL with any password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    #[test]
    fn accepts_both_schemes() {
        let a = Postgres::new("postgres://u:p@127.0.0.1:5433/db").unwrap();
        assert_eq!(a.target(), "127.0.0.1:5433/db");
        let b = Postgres::new("postgresql://u@localhost/other").unwrap();
        assert_eq!(b.target(), "localhost:5432/other");
        assert_eq!(a.capability().name, "postgres");
        assert!(a.capability().is_sql());
    }

    #[test]
    fn rejects_other_urls_as_config_errors() {
        for url in [
            "mysql://u:p@h/db",
            "sqlite::memory:",
            "host=localhost user=x",
            "postgres://u:p@h/db?sslmode=require",
            "postgres://u:p@h/db?nonsense=1",
        ] {
            let err = Postgres::new(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{url}: {err}");
        }
    }

    #[test]
    fn messages_hide_the_password() {
        let err = Postgres::new("postgres://u:secret@h/db?nonsense=1").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert_eq!(redact("postgres://u:pw@h:1/d"), "postgres://u:***@h:1/d");
        assert!(!format!("{:?}", Postgres::new("postgres://u:pw@h/d").unwrap()).contains("pw"));
    }

    #[test]
    fn connect_timeout_comes_from_the_url() {
        let pg = Postgres::new("postgres://u@h/d?connect_timeout=3").unwrap();
        assert_eq!(pg.connect_timeout, Duration::from_secs(3));
    }
}
