//! [`Mysql`]: the driver value, its URL parsing and how connections are opened and set
//! up for the semantics contract.

use crate::connection::MysqlConnection;
use crate::error;
use crate::redact::redact_url;
use crate::tls::{self, SslMode, TlsSettings};
use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, DriverError, Error as MyError, Opts, OptsBuilder, SslOpts};
use rustls::RootCertStore;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};
use toasty_sql::{Dialect, Serializer};
use url::Url;

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
/// Created from a `mysql://user:password@host:port/database` URL (the `mysql_async`
/// URL parameters are accepted, plus `ssl-mode` and `ssl-ca`). Each [`Connection`] is
/// one `mysql_async` connection with its own prepared-statement cache; pooling is
/// Toasty's.
pub struct Mysql {
    /// The options of a plain-text connection.
    opts: Opts,
    tls: TlsSettings,
    /// Whether the URL sets `prefer_socket` itself.
    prefer_socket_set: bool,
    /// The options of a TLS connection (they hold `mysql_async`'s cached TLS set-up),
    /// made at the first connection that needs them.
    tls_opts: Mutex<Option<TlsOpts>>,
    url: String,
    capability: Capability,
    connect_timeout: Duration,
    operation_timeout: Duration,
}

/// The TLS options of a driver, and for `VERIFY_CA` those of the host name last
/// checked.
struct TlsOpts {
    opts: Opts,
    roots: Option<Arc<RootCertStore>>,
    named: Option<(String, Opts)>,
}

impl Mysql {
    /// Parses a `mysql://` URL (the scheme in any case). No connection is made until
    /// [`Driver::connect`]. A URL with another scheme, that cannot be parsed, or whose
    /// TLS parameters are wrong is a [`toasty_core::ErrorKind::Config`] error, whose
    /// message never shows the password.
    pub fn new(url: &str) -> Result<Mysql> {
        let shown = redact_url(url);
        let usage = "use mysql://user:password@host:port/database";
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mysql") => rest,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("mariadb") => {
                return Err(Error::config(format!(
                    "`{shown}` is not a MySQL URL; MariaDB is reached with the mysql:// \
                     scheme: {usage}"
                )))
            }
            _ => {
                return Err(Error::config(format!(
                    "`{shown}` is not a MySQL URL; {usage}"
                )))
            }
        };
        let mut parsed = Url::parse(&format!("mysql://{rest}")).map_err(|e| {
            Error::config(format!("the MySQL URL `{shown}` is invalid: {e}; {usage}"))
        })?;
        let (tls, prefer_socket_set) = take_tls_params(&mut parsed, &shown)?;
        let opts = Opts::from_url(parsed.as_str()).map_err(|e| {
            Error::config(format!("the MySQL URL `{shown}` is invalid: {e}; {usage}"))
        })?;
        let opts: Opts = OptsBuilder::from_opts(opts)
            .client_found_rows(true)
            // Statements are cached by the driver (`session.rs`), not by mysql_async.
            .stmt_cache_size(0)
            .into();
        Ok(Mysql {
            opts,
            tls,
            prefer_socket_set,
            tls_opts: Mutex::new(None),
            url: shown,
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

    /// Opens one connection, as [`Driver::connect`] does, with its concrete type.
    pub async fn open(&self) -> Result<MysqlConnection> {
        match tokio::time::timeout(self.connect_timeout, self.open_now()).await {
            Ok(conn) => conn,
            Err(_) => Err(Error::connection(format!(
                "connecting to {} took longer than {:?}; is the server running and \
                 reachable?",
                self.url, self.connect_timeout
            ))),
        }
    }

    async fn open_now(&self) -> Result<MysqlConnection> {
        let what = format!("connecting to {} (ssl-mode={})", self.url, self.tls.mode);
        let mut conn = self.handshake(&what).await?;
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

    /// Connects and logs in, with TLS as the URL's `ssl-mode` says.
    async fn handshake(&self, what: &str) -> Result<Conn> {
        let host = self.opts.ip_or_hostname().to_string();
        let fail = |e| error::connect(e, what, &self.tls, &host);
        match self.tls.mode {
            SslMode::Disabled => Conn::new(self.opts.clone()).await.map_err(fail),
            SslMode::Preferred => match Conn::new(self.tls_opts(None)?).await {
                // Plain text only when the server does not offer TLS at all.
                Err(MyError::Driver(DriverError::NoClientSslFlagFromServer)) => {
                    Conn::new(self.opts.clone()).await.map_err(fail)
                }
                other => other.map_err(fail),
            },
            SslMode::Required | SslMode::VerifyIdentity => {
                Conn::new(self.tls_opts(None)?).await.map_err(fail)
            }
            SslMode::VerifyCa => {
                let name = match (self.opts.socket(), self.roots()?) {
                    (None, Some(roots)) => {
                        tls::name_for_verify_ca(&host, self.opts.tcp_port(), roots, &self.tls, what)
                            .await?
                    }
                    // A Unix socket is not encrypted (mysql_async skips TLS there).
                    _ => None,
                };
                Conn::new(self.tls_opts(name)?).await.map_err(fail)
            }
        }
    }

    /// The trusted roots of a verifying mode (reading them on first use).
    fn roots(&self) -> Result<Option<Arc<RootCertStore>>> {
        self.with_tls_opts(|tls| tls.roots.clone())
    }

    /// The options of a TLS connection; for `VERIFY_CA`, checking the certificate
    /// against `name` instead of the host (see the `tls` module).
    fn tls_opts(&self, name: Option<String>) -> Result<Opts> {
        let build = |name: &str, opts: &Opts| -> Opts {
            let ssl = opts
                .ssl_opts()
                .cloned()
                .unwrap_or_default()
                .with_danger_tls_hostname_override(Some(name.to_string()));
            OptsBuilder::from_opts(opts.clone()).ssl_opts(ssl).into()
        };
        let mut cached = self
            .tls_opts
            .lock()
            .map_err(|_| Error::driver("the TLS set-up of this driver failed in another task"))?;
        if cached.is_none() {
            *cached = Some(self.make_tls_opts()?);
        }
        let Some(tls) = cached.as_mut() else {
            return Err(Error::driver("the TLS set-up of this driver is missing"));
        };
        Ok(match name {
            None => tls.opts.clone(),
            Some(name) => match &tls.named {
                Some((cached_name, opts)) if *cached_name == name => opts.clone(),
                _ => {
                    let opts = build(&name, &tls.opts);
                    tls.named = Some((name, opts.clone()));
                    opts
                }
            },
        })
    }

    fn with_tls_opts<T>(&self, f: impl FnOnce(&TlsOpts) -> T) -> Result<T> {
        let mut cached = self
            .tls_opts
            .lock()
            .map_err(|_| Error::driver("the TLS set-up of this driver failed in another task"))?;
        if cached.is_none() {
            *cached = Some(self.make_tls_opts()?);
        }
        match cached.as_ref() {
            Some(tls) => Ok(f(tls)),
            None => Err(Error::driver("the TLS set-up of this driver is missing")),
        }
    }

    /// Builds the TLS options (reading the trusted roots of a verifying mode).
    fn make_tls_opts(&self) -> Result<TlsOpts> {
        tls::ensure_crypto_provider();
        let mut ssl = SslOpts::default();
        let mut roots = None;
        if self.tls.mode.verifies() {
            let loaded = self.tls.load_roots()?;
            ssl = ssl
                .with_root_certs(loaded.extra.iter().map(|der| der.to_vec().into()).collect())
                .with_disable_built_in_roots(!loaded.built_in);
            roots = Some(loaded.store);
        } else {
            // PREFERRED, REQUIRED: encrypted, any certificate (as libmysqlclient does).
            ssl = ssl.with_danger_accept_invalid_certs(true);
        }
        let mut builder = OptsBuilder::from_opts(self.opts.clone()).ssl_opts(ssl);
        if self.tls.mode != SslMode::Preferred && !self.prefer_socket_set {
            // mysql_async would move a local connection to the server's Unix socket,
            // where it does not use TLS; a mode that asks for TLS stays on TCP.
            builder = builder.prefer_socket(false);
        }
        Ok(TlsOpts {
            opts: builder.into(),
            roots,
            named: None,
        })
    }
}

/// Takes the TLS parameters out of the query of `url`: `ssl-mode` (or `ssl_mode`),
/// `ssl-ca` (or `ssl_ca`), and `mysql_async`'s `require_ssl`, `verify_ca`,
/// `verify_identity` and `built_in_roots`. Also says whether `prefer_socket` is set.
fn take_tls_params(url: &mut Url, shown: &str) -> Result<(TlsSettings, bool)> {
    let bad = |what: String| Error::config(format!("the MySQL URL `{shown}` {what}"));
    let flag = |key: &str, value: &str| -> Result<bool> {
        match value.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(bad(format!("has {key}={value}; use true or false"))),
        }
    };
    let mut mode = None;
    let mut require_ssl = None;
    let mut verify_ca = None;
    let mut verify_identity = None;
    let mut tls = TlsSettings {
        mode: SslMode::Preferred,
        ca: None,
        built_in_roots: true,
    };
    let mut prefer_socket_set = false;
    let mut kept = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "ssl-mode" | "ssl_mode" => {
                mode = Some(SslMode::parse(&value).ok_or_else(|| {
                    bad(format!(
                        "has ssl-mode={value}; use DISABLED, PREFERRED, REQUIRED, VERIFY_CA \
                         or VERIFY_IDENTITY"
                    ))
                })?);
            }
            "ssl-ca" | "ssl_ca" => tls.ca = Some(PathBuf::from(value.as_ref())),
            "require_ssl" => require_ssl = Some(flag(&key, &value)?),
            "verify_ca" => verify_ca = Some(flag(&key, &value)?),
            "verify_identity" => verify_identity = Some(flag(&key, &value)?),
            "built_in_roots" => tls.built_in_roots = flag(&key, &value)?,
            "ssl-cert" | "ssl_cert" | "ssl-key" | "ssl_key" => {
                return Err(bad(
                    "names a client certificate (ssl-cert, ssl-key); this driver does not \
                     support client certificates"
                        .to_string(),
                ))
            }
            other => {
                if other == "prefer_socket" {
                    prefer_socket_set = true;
                }
                kept.push((key.into_owned(), value.into_owned()));
            }
        }
    }
    tls.mode = match (mode, require_ssl) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "has both ssl-mode and require_ssl; use ssl-mode alone".to_string()
            ))
        }
        (Some(_), None) if verify_ca.is_some() || verify_identity.is_some() => {
            return Err(bad(
                "has ssl-mode with verify_ca or verify_identity (which go with require_ssl); \
                 use ssl-mode=VERIFY_CA or VERIFY_IDENTITY alone"
                    .to_string(),
            ))
        }
        (Some(mode), None) => mode,
        // mysql_async's meaning: verify both unless told otherwise.
        (None, Some(true)) => match (verify_ca.unwrap_or(true), verify_identity.unwrap_or(true)) {
            (false, _) => SslMode::Required,
            (true, false) => SslMode::VerifyCa,
            (true, true) => SslMode::VerifyIdentity,
        },
        (None, Some(false)) | (None, None) => SslMode::Preferred,
    };
    // As libpq does with sslrootcert: a CA given to REQUIRED is checked.
    if tls.mode == SslMode::Required && tls.ca.is_some() {
        tls.mode = SslMode::VerifyCa;
    }
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok((tls, prefer_socket_set))
}

impl fmt::Debug for Mysql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mysql({}, ssl-mode={})", self.url, self.tls.mode)
    }
}

#[async_trait]
impl Driver for Mysql {
    fn explain_sql(
        &self,
        schema: &toasty_core::schema::db::Schema,
        op: &toasty_core::driver::Operation,
    ) -> Option<String> {
        toasty_sql::explain_sql(toasty_sql::Dialect::Mysql, schema, op)
    }

    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(self.open().await?))
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
        assert_eq!(m.opts.ssl_opts(), None);
        let m = Mysql::new("MySQL://u:secret@127.0.0.1:1/db?tcp_nodelay=false").unwrap();
        assert!(!m.opts.tcp_nodelay());
    }

    #[test]
    fn other_schemes_are_config_errors() {
        for url in [
            "postgres://x@y/z",
            "sqlite::memory:",
            "mysql:/nope",
            "",
            "mariadb://u@h/d",
        ] {
            let e = Mysql::new(url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{url}");
        }
        let e = Mysql::new("mysql://u:pw@host:notaport/db").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(!e.message().contains("pw@"));
    }

    #[test]
    fn tls_parameters() {
        let tls = |url: &str| Mysql::new(url).unwrap().tls;
        assert_eq!(
            tls("mysql://u@h/d"),
            TlsSettings {
                mode: SslMode::Preferred,
                ca: None,
                built_in_roots: true
            }
        );
        for (value, mode) in [
            ("DISABLED", SslMode::Disabled),
            ("preferred", SslMode::Preferred),
            ("REQUIRED", SslMode::Required),
            ("VERIFY_CA", SslMode::VerifyCa),
            ("Verify_Identity", SslMode::VerifyIdentity),
        ] {
            assert_eq!(tls(&format!("mysql://u@h/d?ssl-mode={value}")).mode, mode);
            assert_eq!(tls(&format!("mysql://u@h/d?ssl_mode={value}")).mode, mode);
        }
        let t = tls("mysql://u@h/d?ssl-mode=VERIFY_IDENTITY&ssl-ca=%2Ftmp%2Fca%20x.pem");
        assert_eq!(t.ca, Some(PathBuf::from("/tmp/ca x.pem")));
        // REQUIRED with a CA checks it.
        assert_eq!(
            tls("mysql://u@h/d?ssl-mode=REQUIRED&ssl_ca=/ca.pem").mode,
            SslMode::VerifyCa
        );
        // mysql_async's older parameters keep their meaning.
        assert_eq!(
            tls("mysql://u@h/d?require_ssl=true").mode,
            SslMode::VerifyIdentity
        );
        assert_eq!(
            tls("mysql://u@h/d?require_ssl=true&verify_identity=false").mode,
            SslMode::VerifyCa
        );
        assert_eq!(
            tls("mysql://u@h/d?require_ssl=true&verify_ca=false").mode,
            SslMode::Required
        );
        assert_eq!(
            tls("mysql://u@h/d?require_ssl=false").mode,
            SslMode::Preferred
        );
        assert!(!tls("mysql://u@h/d?require_ssl=true&built_in_roots=false").built_in_roots);
        // The TLS parameters never reach mysql_async; the others do.
        let m =
            Mysql::new("mysql://u@h/d?ssl-mode=REQUIRED&prefer_socket=true&pool_max=30").unwrap();
        assert!(m.prefer_socket_set);
        assert!(m.opts.prefer_socket());
        for url in [
            "mysql://u@h/d?ssl-mode=SOMETIMES",
            "mysql://u@h/d?ssl-mode=REQUIRED&require_ssl=true",
            "mysql://u@h/d?ssl-mode=REQUIRED&verify_ca=false",
            "mysql://u@h/d?require_ssl=yes",
            "mysql://u@h/d?ssl-cert=/c.pem&ssl-key=/k.pem",
            "mysql://u@h/d?nonsense=1",
        ] {
            let e = Mysql::new(url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{url}: {e}");
        }
    }

    #[test]
    fn tls_options_per_mode() {
        let opts = |url: &str| Mysql::new(url).unwrap().tls_opts(None).unwrap();
        let required = opts("mysql://u@h/d?ssl-mode=REQUIRED");
        let ssl = required.ssl_opts().unwrap();
        assert!(ssl.accept_invalid_certs());
        assert!(!required.prefer_socket());
        let preferred = opts("mysql://u@h/d");
        assert!(preferred.ssl_opts().unwrap().accept_invalid_certs());
        assert!(preferred.prefer_socket());
        let err = Mysql::new("mysql://u@h/d?ssl-mode=VERIFY_IDENTITY&ssl-ca=/nonexistent/ca.pem")
            .unwrap()
            .tls_opts(None)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("/nonexistent/ca.pem"), "{err}");
    }

    /// Every URL shape that used to print the password (and a few more): the secret is
    /// in neither the `Display` nor the `Debug` of the error (or of the driver, for the
    /// URLs that parse).
    #[test]
    fn messages_never_show_the_password() {
        let cases = [
            ("mariadb://u:S3CRET@h/db", "S3CRET"),
            ("MySQL://u:S3CRET@h/db?nonsense=1", "S3CRET"),
            ("MYSQL://u:S3CRET@h:notaport/db", "S3CRET"),
            ("mysql://u:S3C/RET@h/db", "RET"),
            ("mysql://u:S3C/RET@h/db?nonsense=1", "S3C"),
            ("mysql://u@h/db?password=S3CRET", "S3CRET"),
            ("mysql://u@h/db?nonsense=1&password=S3CRET", "S3CRET"),
            ("mysql://u:S3C%2FR%40ET@h/db?nonsense=1", "S3C"),
            ("mysql://u:S3C%2FR%40ET@h/db?nonsense=1", "R@ET"),
            ("mysql://u:S3CRET@[::1]:3306/db?nonsense=1", "S3CRET"),
            ("mysql://u:S3CRET@[::1/db", "S3CRET"),
            ("mysql://u:S3C@RET@h/db?nonsense=1", "S3C"),
            ("mysql://u:S3C@RET@h/db?nonsense=1", "RET"),
            ("mysql://u:@h/db?nonsense=1", "u:@"),
            ("mysql://u:S3CRET@/db", "S3CRET"),
            ("mysql://u:S3CRET@h/db?ssl-mode=bogus", "S3CRET"),
            ("mysql://u:S3CRET@h/db?ssl-cert=x", "S3CRET"),
            ("mysql://u:S3CRET@h/db?pool_max=x", "S3CRET"),
            ("mysql:u:S3CRET@h/db", "S3CRET"),
            ("mysql://u:S3CRET@h/db#S3CRET", "S3CRET"),
            ("mysql://u:S3CRET\n@h/db", "S3CRET"),
        ];
        for (url, secret) in cases {
            let shown = match Mysql::new(url) {
                Err(e) => format!("{e} {e:?}"),
                Ok(m) => format!("{m:?}"),
            };
            assert!(!shown.contains(secret), "{url} shows {secret}: {shown}");
        }
    }

    #[tokio::test]
    async fn connection_errors_never_show_the_password() {
        // Nothing listens on port 1.
        for url in [
            "mysql://u:S3CRET@127.0.0.1:1/db",
            "mysql://u:S3CRET@127.0.0.1:1/db?ssl-mode=REQUIRED",
            "mysql://u:S3CRET@127.0.0.1:1/db?ssl-mode=VERIFY_CA",
            "mysql://u:S3CRET@127.0.0.1:1/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=/nonexistent",
        ] {
            let m = Mysql::new(url).unwrap();
            let err = match m.connect().await {
                Err(e) => e,
                Ok(_) => panic!("{url} connected"),
            };
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("S3CRET"), "{url}: {shown}");
        }
    }
}
