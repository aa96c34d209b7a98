//! TLS against a private MariaDB server, every `ssl-mode` against a server without TLS
//! and then with it.
//!
//! The test makes a CA, a server certificate signed by it (valid for `localhost` only,
//! not for `127.0.0.1`) and a second, unrelated CA with `rcgen`, and starts a private
//! server through `scripts/provision/mariadb.sh` (so it never touches the shared test
//! server), first without TLS, then (`mariadb.sh kill` and `restart` with
//! `TOASTY_PROVISION_TLS_CERT` / `TOASTY_PROVISION_TLS_KEY`) with that certificate.
//! Encryption is checked with the session's `Ssl_cipher` status. Where the script
//! cannot start a server the test is skipped with the reason, except under `CI=true`,
//! where that is a failure.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};
use std::process::Command;
use toasty_core::ErrorKind;
use toasty_mysql::Mysql;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn script() -> PathBuf {
    repo_root().join("scripts/provision/mariadb.sh")
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

/// A private server (first without TLS); stopped and removed on drop.
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
        let dir = base.join(format!("toasty-tls-mariadb-{}", std::process::id()));
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
            .env_remove("TOASTY_PROVISION_TLS_CERT")
            .env_remove("TOASTY_PROVISION_TLS_KEY")
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

    /// Kills the server and starts it again with TLS on (same data, same port).
    fn restart_with_tls(&self) {
        for (command, tls) in [("kill", false), ("restart", true)] {
            let mut run = Command::new("bash");
            run.arg(script()).arg(command).arg(&self.dir);
            if tls {
                run.env("TOASTY_PROVISION_TLS_CERT", &self.certs.cert)
                    .env("TOASTY_PROVISION_TLS_KEY", &self.certs.key);
            }
            let out = run.output().expect("run mariadb.sh");
            assert!(
                out.status.success(),
                "mariadb.sh {command} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// The URL of the server at `host`, with `query` (`ssl-mode=...`).
    fn url(&self, host: &str, query: &str) -> String {
        let ca = self.certs.ca.display();
        let other_ca = self.certs.other_ca.display();
        let query = query.replace("{ca}", &ca.to_string());
        let query = query.replace("{other_ca}", &other_ca.to_string());
        format!(
            "mysql://toasty:toasty@{host}:{}/toasty{}{query}",
            self.port,
            if query.is_empty() { "" } else { "?" }
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
                panic!("cannot start a private MariaDB server under CI=true: {why}");
            }
            eprintln!("skipping the MySQL TLS test: {why}");
            None
        }
    }
}

/// Connects with `url` and returns the connection's cipher (`None`: plain text).
async fn cipher(url: &str) -> Option<String> {
    let driver = Mysql::new(url).unwrap_or_else(|e| panic!("{url}: {e}"));
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
    let driver = Mysql::new(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let err = match driver.open().await {
        Err(e) => e,
        Ok(_) => panic!("{url} connected"),
    };
    assert_eq!(err.kind(), ErrorKind::Connection, "{url}: {err}");
    assert!(err.message().contains(why), "{url}: `{why}` not in: {err}");
    eprintln!("{url}: {err}");
}

#[tokio::test]
async fn every_ssl_mode_against_servers_with_and_without_tls() {
    let Some(server) = started_or_skip(Server::start()) else {
        return;
    };
    let ip = |query: &str| server.url("127.0.0.1", query);
    let named = |query: &str| server.url("localhost", query);

    // The server does not offer TLS.
    assert_plain(&ip("")).await; // PREFERRED, the default
    assert_plain(&ip("ssl-mode=PREFERRED&prefer_socket=false")).await;
    assert_plain(&ip("ssl-mode=DISABLED")).await;
    for url in [
        ip("ssl-mode=REQUIRED"),
        ip("ssl-mode=VERIFY_CA&ssl-ca={ca}"),
        named("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
        ip("require_ssl=true&verify_ca=false"),
    ] {
        assert_fails(&url, "the server does not offer TLS").await;
    }

    // The same server with TLS.
    server.restart_with_tls();
    assert_encrypted(&ip("ssl-mode=REQUIRED")).await;
    assert_encrypted(&ip("require_ssl=true&verify_ca=false")).await;
    assert_encrypted(&ip("ssl-mode=PREFERRED&prefer_socket=false")).await;
    // The default. (mysql_async tries to move a local connection to the server's Unix
    // socket; asking for TLS there fails, so it stays on TCP with TLS.)
    assert_encrypted(&ip("")).await;
    assert_encrypted(&named("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}")).await;
    // VERIFY_CA checks the CA only: 127.0.0.1 is not a name of the certificate.
    assert_encrypted(&ip("ssl-mode=VERIFY_CA&ssl-ca={ca}")).await;
    assert_encrypted(&ip("ssl_mode=verify_ca&ssl_ca={ca}")).await;
    assert_fails(
        &ip("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
        "not valid for the host name `127.0.0.1`",
    )
    .await;
    for url in [
        named("ssl-mode=VERIFY_IDENTITY&ssl-ca={other_ca}"),
        ip("ssl-mode=VERIFY_CA&ssl-ca={other_ca}"),
        // REQUIRED with a CA file checks it.
        ip("ssl-mode=REQUIRED&ssl-ca={other_ca}"),
    ] {
        assert_fails(&url, "not signed by a trusted certificate authority").await;
    }
    assert_plain(&ip("ssl-mode=DISABLED")).await;
    assert_plain(&ip("ssl-mode=DISABLED&prefer_socket=false")).await;
}
