//! TLS against a private PostgreSQL server, every `sslmode` against a server with TLS
//! and against one without.
//!
//! The test makes a CA, a server certificate signed by it (valid for `localhost` only,
//! not for `127.0.0.1`) and a second, unrelated CA with `rcgen`, and starts a private
//! server with that certificate through `scripts/provision/postgres.sh`
//! (`TOASTY_PROVISION_TLS_CERT` / `TOASTY_PROVISION_TLS_KEY`), so it never touches the
//! shared test server. For the server without TLS it turns `ssl` off on the same server
//! (`ALTER SYSTEM` and a configuration reload). Encryption is checked on the server's
//! side (`pg_stat_ssl`). Where the script cannot start a server the test is skipped
//! with the reason, except under `CI=true`, where that is a failure.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use toasty_core::ErrorKind;
use toasty_postgres::Postgres;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn script() -> PathBuf {
    repo_root().join("scripts/provision/postgres.sh")
}

/// The files of the test's certificates.
struct Certs {
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// A CA that signed nothing the server has.
    other_ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

/// A CA (certificate and issuer) named `name`.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().expect("CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).expect("self-signed CA");
    (cert.pem(), Issuer::new(params, key))
}

fn make_certs(dir: &Path) -> Certs {
    let (ca_pem, issuer) = ca("Toasty test CA");
    let (other_pem, _) = ca("Another CA");
    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &issuer).expect("server certificate");
    let certs = Certs {
        ca: dir.join("ca.pem"),
        other_ca: dir.join("other-ca.pem"),
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
    };
    for (path, pem) in [
        (&certs.ca, ca_pem),
        (&certs.other_ca, other_pem),
        (&certs.cert, cert.pem()),
        (&certs.key, key.serialize_pem()),
    ] {
        std::fs::write(path, pem).expect("write a PEM file");
    }
    certs
}

/// A private server with TLS; stopped and removed on drop.
struct Server {
    dir: PathBuf,
    port: u16,
    certs: Certs,
}

impl Server {
    fn start() -> Result<Server, String> {
        let base = std::env::var_os("TMPDIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        let dir = base.join(format!("toasty-tls-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let certs = make_certs(&dir);
        let mut server = Server {
            dir,
            port: 0,
            certs,
        };
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&server.dir)
            .env("TOASTY_PROVISION_TLS_CERT", &server.certs.cert)
            .env("TOASTY_PROVISION_TLS_KEY", &server.certs.key)
            .output()
            .map_err(|e| format!("could not run {}: {e}", script().display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} start failed: {}",
                script().display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        server.port = url
            .rsplit_once(':')
            .and_then(|(_, tail)| tail.split('/').next())
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("no port in the URL {url}"))?;
        Ok(server)
    }

    /// The URL of the server at `host`, with `query` (`sslmode=...`).
    fn url(&self, host: &str, query: &str) -> String {
        let ca = self.certs.ca.display();
        let other_ca = self.certs.other_ca.display();
        let query = query.replace("{ca}", &ca.to_string());
        let query = query.replace("{other_ca}", &other_ca.to_string());
        format!(
            "postgres://toasty:toasty@{host}:{}/toasty?connect_timeout=10{}{query}",
            self.port,
            if query.is_empty() { "" } else { "&" }
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn started_or_skip(started: Result<Server, String>) -> Option<Server> {
    match started {
        Ok(server) => Some(server),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("cannot start a private PostgreSQL server under CI=true: {why}");
            }
            eprintln!("skipping the PostgreSQL TLS test: {why}");
            None
        }
    }
}

/// Connects with `url` and returns the connection's cipher (`None`: plain text).
async fn cipher(url: &str) -> Option<String> {
    let driver = Postgres::new(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let mut conn = driver
        .open()
        .await
        .unwrap_or_else(|e| panic!("{url} did not connect: {e}"));
    conn.tls_cipher()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

async fn assert_encrypted(url: &str) {
    let cipher = cipher(url).await;
    assert!(cipher.is_some(), "{url} connected in plain text");
    eprintln!("{url}: encrypted with {cipher:?}");
}

async fn assert_plain(url: &str) {
    let cipher = cipher(url).await;
    assert_eq!(cipher, None, "{url} negotiated TLS");
}

/// Connecting with `url` fails with a connection error whose message holds `why`.
async fn assert_fails(url: &str, why: &str) {
    let driver = Postgres::new(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let err = match driver.open().await {
        Err(e) => e,
        Ok(_) => panic!("{url} connected"),
    };
    assert_eq!(err.kind(), ErrorKind::Connection, "{url}: {err}");
    assert!(err.message().contains(why), "{url}: `{why}` not in: {err}");
    eprintln!("{url}: {err}");
}

/// Turns the server's TLS off and waits until new connections see it.
async fn turn_tls_off(server: &Server) {
    let url = server.url("127.0.0.1", "sslmode=disable");
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("admin connection");
    tokio::spawn(connection);
    for sql in ["ALTER SYSTEM SET ssl = off", "SELECT pg_reload_conf()"] {
        admin.batch_execute(sql).await.expect(sql);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (probe, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("probe connection");
        tokio::spawn(connection);
        let ssl: String = probe
            .query_one("SHOW ssl", &[])
            .await
            .expect("SHOW ssl")
            .get(0);
        if ssl == "off" {
            return;
        }
        assert!(Instant::now() < deadline, "ssl still on after 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_sslmode_against_servers_with_and_without_tls() {
    let Some(server) = started_or_skip(Server::start()) else {
        return;
    };
    let ip = |query: &str| server.url("127.0.0.1", query);
    let named = |query: &str| server.url("localhost", query);

    // The server offers TLS.
    assert_encrypted(&ip("sslmode=require")).await;
    assert_encrypted(&ip("")).await; // prefer, the default
    assert_encrypted(&ip("sslmode=prefer")).await;
    assert_encrypted(&named("sslmode=verify-full&sslrootcert={ca}")).await;
    // verify-ca checks the CA only: 127.0.0.1 is not a name of the certificate.
    assert_encrypted(&ip("sslmode=verify-ca&sslrootcert={ca}")).await;
    assert_fails(
        &ip("sslmode=verify-full&sslrootcert={ca}"),
        "not valid for the host name `127.0.0.1`",
    )
    .await;
    for url in [
        named("sslmode=verify-full&sslrootcert={other_ca}"),
        ip("sslmode=verify-ca&sslrootcert={other_ca}"),
        // `require` with a CA file checks it, as libpq does.
        ip("sslmode=require&sslrootcert={other_ca}"),
    ] {
        assert_fails(&url, "not signed by a trusted certificate authority").await;
    }
    assert_plain(&ip("sslmode=disable")).await;

    // The same server without TLS.
    turn_tls_off(&server).await;
    assert_plain(&ip("sslmode=prefer")).await;
    assert_plain(&ip("")).await;
    assert_plain(&ip("sslmode=disable")).await;
    for url in [
        ip("sslmode=require"),
        ip("sslmode=verify-ca&sslrootcert={ca}"),
        named("sslmode=verify-full&sslrootcert={ca}"),
    ] {
        assert_fails(&url, "the server does not offer TLS").await;
    }
}
