//! [`Postgres`]: the driver value, its URL parsing and how connections are opened.

use crate::connection::PgConnection;
use crate::error;
use crate::redact::redact_url;
use crate::tls::{Roots, SslMode, TlsSettings};
use async_trait::async_trait;
use percent_encoding::percent_decode_str;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};
use tokio_postgres::config::Host;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

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
/// [`Driver::connect`] opens a new session, over TLS as the URL's `sslmode` says (see
/// the crate documentation).
#[derive(Clone)]
pub struct Postgres {
    config: Config,
    tls: TlsSettings,
    /// The rustls connector, made at the first connection that needs it (reading the
    /// root certificates) and shared by the clones of this driver.
    connector: Arc<Mutex<Option<MakeRustlsConnect>>>,
    target: String,
    capability: Capability,
    connect_timeout: Duration,
    operation_timeout: Duration,
    max_connections: usize,
}

impl Postgres {
    /// Parses a `postgres://` or `postgresql://` URL (the scheme in any case), e.g.
    /// `postgres://user:password@127.0.0.1:5432/dbname?sslmode=verify-full`. The query
    /// parameters of libpq-style URLs that tokio-postgres knows (`connect_timeout`,
    /// `application_name`, `options`, ...) are accepted, plus `sslmode` (`disable`,
    /// `prefer` (the default), `require`, `verify-ca`, `verify-full`) and `sslrootcert`
    /// (a PEM file of CA certificates, or `system`). Anything else is a
    /// [`toasty_core::ErrorKind::Config`] error, whose message never shows the
    /// password.
    pub fn new(url: &str) -> Result<Postgres> {
        let shown = redact_url(url);
        let url = normalize_scheme(url).ok_or_else(|| {
            Error::config(format!(
                "`{shown}` is not a PostgreSQL URL; use \
                 postgres://user:password@host:port/database"
            ))
        })?;
        let (url, mut tls) = take_tls_params(&url, &shown)?;
        let mut config = Config::from_str(&url)
            .map_err(|e| Error::config(format!("invalid PostgreSQL URL `{shown}`: {e}")))?;
        if config.get_hosts().is_empty() {
            return Err(Error::config(format!(
                "the PostgreSQL URL `{shown}` names no host; use \
                 postgres://user:password@host:port/database"
            )));
        }
        if config
            .get_hosts()
            .iter()
            .any(|h| matches!(h, Host::Tcp(h) if h.contains('@')))
        {
            return Err(Error::config(format!(
                "the PostgreSQL URL `{shown}` has more than one `@` before its host; write an \
                 `@` in the user name or password as %40"
            )));
        }
        // As with libpq, TLS does not apply to Unix-domain sockets.
        if config
            .get_hosts()
            .iter()
            .all(|h| !matches!(h, Host::Tcp(_)))
        {
            tls.mode = SslMode::Disable;
        }
        config.ssl_mode(tls.mode.negotiation());
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
            tls,
            connector: Arc::new(Mutex::new(None)),
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

    /// Opens one connection, as [`Driver::connect`] does, with its concrete type.
    pub async fn open(&self) -> Result<PgConnection> {
        let tls = self.connector()?;
        let client = match &tls {
            None => self.start(NoTls).await?,
            Some(tls) => self.start(tls.clone()).await?,
        };
        Ok(PgConnection::new(client, self.operation_timeout, tls))
    }

    /// Connects with `tls` and spawns the task that drives the socket.
    async fn start<T>(&self, tls: T) -> Result<Client>
    where
        T: MakeTlsConnect<Socket> + Send,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let (client, connection) =
            tokio::time::timeout(self.connect_timeout, self.config.connect(tls))
                .await
                .map_err(|_| {
                    error::timed_out(
                        &format!("a connection to {}", self.target),
                        self.connect_timeout,
                    )
                })?
                .map_err(|e| error::connect(e, &self.target, &self.tls, self.tls_host()))?;
        // The connection future drives the socket; it ends when the client is dropped or
        // the server goes away (the client then reports itself closed).
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// The rustls connector (`None` for `sslmode=disable`), made once.
    fn connector(&self) -> Result<Option<MakeRustlsConnect>> {
        if self.tls.mode == SslMode::Disable {
            return Ok(None);
        }
        let mut cached = self
            .connector
            .lock()
            .map_err(|_| Error::driver("the TLS set-up of this driver failed in another task"))?;
        if let Some(connector) = cached.as_ref() {
            return Ok(Some(connector.clone()));
        }
        let connector = self.tls.connector()?;
        cached.clone_from(&connector);
        Ok(connector)
    }

    /// The host name the certificate is checked against (the first TCP host).
    fn tls_host(&self) -> &str {
        self.config
            .get_hosts()
            .iter()
            .find_map(|h| match h {
                Host::Tcp(h) => Some(h.as_str()),
                _ => None,
            })
            .unwrap_or("?")
    }
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postgres({}, sslmode={})", self.target, self.tls.mode)
    }
}

#[async_trait]
impl Driver for Postgres {
    fn explain_sql(
        &self,
        schema: &toasty_core::schema::db::Schema,
        op: &toasty_core::driver::Operation,
    ) -> Option<String> {
        toasty_sql::explain_sql(toasty_sql::Dialect::Postgres, schema, op)
    }

    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(self.open().await?))
    }

    fn max_connections(&self) -> usize {
        self.max_connections
    }
}

/// The URL with its scheme written `postgres://` (RFC 3986 schemes are
/// case-insensitive; tokio-postgres knows only the lower-case spelling), or `None` when
/// it is not a `postgres://` or `postgresql://` URL.
fn normalize_scheme(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    (scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql"))
        .then(|| format!("postgres://{rest}"))
}

/// Takes `sslmode` and `sslrootcert` out of the query of `url` (which starts with
/// `postgres://`), splitting it where tokio-postgres does: the credentials end at the
/// first `@`, the query starts at the next `?`.
fn take_tls_params(url: &str, shown: &str) -> Result<(String, TlsSettings)> {
    const PREFIX: usize = "postgres://".len();
    let mut tls = TlsSettings {
        mode: SslMode::Prefer,
        roots: Roots::System,
    };
    let body = &url[PREFIX..];
    let host_start = body.find('@').map_or(0, |at| at + 1);
    let Some(q) = body[host_start..].find('?') else {
        return Ok((url.to_string(), tls));
    };
    let query_start = PREFIX + host_start + q;
    let (head, query) = (&url[..query_start], &url[query_start + 1..]);
    let mut kept = Vec::new();
    for segment in query.split('&') {
        let Some((key, value)) = segment.split_once('=') else {
            kept.push(segment);
            continue;
        };
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        match decode(key).as_str() {
            "sslmode" => {
                let value = decode(value);
                tls.mode = SslMode::parse(&value).ok_or_else(|| {
                    Error::config(format!(
                        "the PostgreSQL URL `{shown}` has sslmode={value}; use disable, \
                         prefer, require, verify-ca or verify-full"
                    ))
                })?;
            }
            "sslrootcert" => {
                let value = decode(value);
                tls.roots = match value.as_str() {
                    "" | "system" => Roots::System,
                    path => Roots::File(PathBuf::from(path)),
                };
            }
            "sslcert" | "sslkey" | "sslpassword" => {
                return Err(Error::config(format!(
                    "the PostgreSQL URL `{shown}` names a client certificate (sslcert, \
                     sslkey, sslpassword); this driver does not support client certificates"
                )));
            }
            _ => kept.push(segment),
        }
    }
    let mut url = head.to_string();
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    Ok((url, tls))
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

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    #[test]
    fn accepts_both_schemes_in_any_case() {
        let a = Postgres::new("postgres://u:p@127.0.0.1:5433/db").unwrap();
        assert_eq!(a.target(), "127.0.0.1:5433/db");
        let b = Postgres::new("postgresql://u@localhost/other").unwrap();
        assert_eq!(b.target(), "localhost:5432/other");
        assert_eq!(a.capability().name, "postgres");
        assert!(a.capability().is_sql());
        for url in ["Postgres://u:p@h/db", "POSTGRESQL://u:p@h/db"] {
            assert_eq!(Postgres::new(url).unwrap().target(), "h:5432/db", "{url}");
        }
    }

    #[test]
    fn rejects_other_urls_as_config_errors() {
        for url in [
            "mysql://u:p@h/db",
            "sqlite::memory:",
            "host=localhost user=x",
            "postgres://u:p@h/db?sslmode=allow",
            "postgres://u:p@h/db?sslmode=REQUIRE",
            "postgres://u:p@h/db?sslcert=/c.pem&sslkey=/k.pem",
            "postgres://u:p@h/db?nonsense=1",
            "postgres:/h/db",
        ] {
            let err = Postgres::new(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{url}: {err}");
        }
    }

    #[test]
    fn tls_parameters() {
        let mode = |url: &str| Postgres::new(url).unwrap().tls;
        assert_eq!(
            mode("postgres://u@h/db"),
            TlsSettings {
                mode: SslMode::Prefer,
                roots: Roots::System
            }
        );
        for (value, expected) in [
            ("disable", SslMode::Disable),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            let url = format!("postgres://u:p@h/db?application_name=x&sslmode={value}");
            let pg = Postgres::new(&url).unwrap();
            assert_eq!(pg.tls.mode, expected);
            assert_eq!(pg.config.get_ssl_mode(), expected.negotiation());
            assert_eq!(pg.config.get_application_name(), Some("x"));
            assert!(format!("{pg:?}").contains(value), "{pg:?}");
        }
        let pg =
            Postgres::new("postgres://u@h/db?sslrootcert=%2Ftmp%2Fca%20x.pem&sslmode=verify-ca")
                .unwrap();
        assert_eq!(pg.tls.roots, Roots::File(PathBuf::from("/tmp/ca x.pem")));
        assert_eq!(
            mode("postgres://u@h/db?sslrootcert=system").roots,
            Roots::System
        );
        // A Unix-domain socket never uses TLS (as with libpq).
        assert_eq!(
            mode("postgres://u@%2Ftmp/db?sslmode=require").mode,
            SslMode::Disable
        );
        // A `?` inside the password is not the query.
        let pg = Postgres::new("postgres://u:a?sslmode=disable@h/db").unwrap();
        assert_eq!(pg.tls.mode, SslMode::Prefer);
    }

    #[test]
    fn a_missing_root_file_is_a_config_error_at_connect() {
        let pg =
            Postgres::new("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
                .unwrap();
        let Err(err) = pg.connector() else {
            panic!("no error for a missing root file")
        };
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("/nonexistent/ca.pem"), "{err}");
        // `require` needs no roots; `disable` no connector at all.
        assert!(Postgres::new("postgres://u@h/db?sslmode=require")
            .unwrap()
            .connector()
            .unwrap()
            .is_some());
        assert!(Postgres::new("postgres://u@h/db?sslmode=disable")
            .unwrap()
            .connector()
            .unwrap()
            .is_none());
    }

    /// Every URL shape that used to print the password (and a few more): the secret is
    /// in neither the `Display` nor the `Debug` of the error (or of the driver, for the
    /// URLs that parse).
    #[test]
    fn messages_never_show_the_password() {
        let cases = [
            ("mariadb://u:S3CRET@h/db", "S3CRET"),
            ("Postgres://u:S3CRET@h/db?nonsense=1", "S3CRET"),
            ("POSTGRES://u:S3CRET@h:notaport/db", "S3CRET"),
            ("postgres://u:S3C/RET@h/db?nonsense=1", "RET"),
            ("postgres://u:S3C/RET@h/db", "RET"),
            ("postgres://u@h/db?password=S3CRET&nonsense=1", "S3CRET"),
            ("postgres://u@h/db?nonsense=1&password=S3CRET", "S3CRET"),
            ("postgres://u:S3C%2FR%40ET@h/db?nonsense=1", "S3C"),
            ("postgres://u:S3C%2FR%40ET@h/db?nonsense=1", "R@ET"),
            ("postgres://u:S3CRET@[::1]:5432/db?nonsense=1", "S3CRET"),
            ("postgres://u:S3CRET@[::1/db", "S3CRET"),
            ("postgres://u:S3C@RET@h/db", "S3C"),
            ("postgres://u:S3C@RET@h/db", "RET"),
            ("postgres://u:@h/db?nonsense=1", "u:@"),
            ("postgres://u:S3CRET@/db", "S3CRET"),
            ("postgres://u:S3CRET@h/db?sslmode=bogus", "S3CRET"),
            ("postgres://u:S3CRET@h/db?sslcert=x", "S3CRET"),
            ("postgres://u:S3CRET@h/db?sslmode=disable&port=x", "S3CRET"),
            ("postgres:u:S3CRET@h/db", "S3CRET"),
            ("postgres://u:S3CRET@h/db#frag", "S3CRET"),
            ("host=h user=u password=S3CRET", "S3CRET"),
            ("postgres://u:S3CRET\n@h/db?x", "S3CRET"),
        ];
        for (url, secret) in cases {
            let shown = match Postgres::new(url) {
                Err(e) => format!("{e} {e:?}"),
                Ok(pg) => format!("{pg:?} {}", pg.target()),
            };
            assert!(!shown.contains(secret), "{url} shows {secret}: {shown}");
        }
    }

    #[tokio::test]
    async fn connection_errors_never_show_the_password() {
        // Nothing listens on port 1.
        for url in [
            "postgres://u:S3CRET@127.0.0.1:1/db",
            "postgres://u@127.0.0.1:1/db?password=S3CRET&sslmode=require",
            "postgres://u:S3CRET@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=/nonexistent",
        ] {
            let pg = Postgres::new(url).unwrap();
            let err = match pg.connect().await {
                Err(e) => e,
                Ok(_) => panic!("{url} connected"),
            };
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("S3CRET"), "{url}: {shown}");
        }
    }

    #[test]
    fn connect_timeout_comes_from_the_url() {
        let pg = Postgres::new("postgres://u@h/d?connect_timeout=3").unwrap();
        assert_eq!(pg.connect_timeout, Duration::from_secs(3));
    }
}
