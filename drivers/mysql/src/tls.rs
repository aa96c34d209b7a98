//! TLS on rustls: the `ssl-mode` / `ssl-ca` URL parameters (and the older
//! `require_ssl`), the root certificates, the `mysql_async` options each mode needs,
//! the certificate probe behind `VERIFY_CA`, and messages for TLS failures.
//!
//! `mysql_async` checks certificates itself (`SslOpts`) and cannot be handed a rustls
//! verifier. Its "skip the host name" switch compares rustls's message with
//! `NotValidForName`, which recent rustls versions no longer print, so it cannot serve
//! `VERIFY_CA`. Instead, for `VERIFY_CA` the driver first opens a short connection of
//! its own up to the end of the TLS handshake ([`name_for_verify_ca`]), checks there
//! that the certificate chains to a trusted root, and takes a DNS name the certificate
//! is valid for; the real connection then verifies the chain and that name
//! (`mysql_async`'s host name override), so it still accepts only a certificate of a
//! trusted CA.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toasty_core::{Error, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The `ssl-mode` URL parameter (MySQL's `--ssl-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plain text only.
    Disabled,
    /// TLS when the server offers it (any certificate), plain text otherwise.
    Preferred,
    /// TLS or nothing; any certificate.
    Required,
    /// TLS with a certificate chained to a trusted root; any host name.
    VerifyCa,
    /// TLS with a certificate chained to a trusted root and valid for the host name.
    VerifyIdentity,
}

impl SslMode {
    /// Parses an `ssl-mode` value (in any case).
    pub(crate) fn parse(value: &str) -> Option<SslMode> {
        Some(match value.to_ascii_uppercase().as_str() {
            "DISABLED" => SslMode::Disabled,
            "PREFERRED" => SslMode::Preferred,
            "REQUIRED" => SslMode::Required,
            "VERIFY_CA" => SslMode::VerifyCa,
            "VERIFY_IDENTITY" => SslMode::VerifyIdentity,
            _ => return None,
        })
    }

    /// `true` when the server's certificate is checked.
    pub(crate) fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyIdentity)
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SslMode::Disabled => "DISABLED",
            SslMode::Preferred => "PREFERRED",
            SslMode::Required => "REQUIRED",
            SslMode::VerifyCa => "VERIFY_CA",
            SslMode::VerifyIdentity => "VERIFY_IDENTITY",
        })
    }
}

/// The TLS settings of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    pub(crate) mode: SslMode,
    /// `ssl-ca`: a PEM file of CA certificates (then the only trusted roots).
    pub(crate) ca: Option<PathBuf>,
    /// Whether the roots built into the driver (Mozilla's, from `webpki-roots`) are
    /// trusted besides the system's when no `ssl-ca` is given (`built_in_roots`).
    pub(crate) built_in_roots: bool,
}

/// The trusted roots of a verifying mode.
pub(crate) struct Roots {
    /// What `mysql_async` is given besides its built-in roots (the `ssl-ca` file's
    /// certificates, or the system's).
    pub(crate) extra: Vec<CertificateDer<'static>>,
    /// Whether `mysql_async` adds its built-in roots.
    pub(crate) built_in: bool,
    /// The same set, for the `VERIFY_CA` probe.
    pub(crate) store: Arc<RootCertStore>,
}

impl TlsSettings {
    /// Reads the trusted roots (the `ssl-ca` file, or the system's store and the
    /// built-in roots).
    pub(crate) fn load_roots(&self) -> Result<Roots> {
        let (extra, built_in) = match &self.ca {
            Some(path) => (load_ca_file(path)?, false),
            None => (system_roots(), self.built_in_roots),
        };
        let mut store = RootCertStore::empty();
        if built_in {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        // Only certificates rustls can use: mysql_async refuses the whole set otherwise.
        let mut usable = Vec::with_capacity(extra.len());
        for cert in extra {
            if store.add(cert.clone()).is_ok() {
                usable.push(cert);
            }
        }
        if store.is_empty() {
            return Err(Error::config(format!(
                "ssl-mode={} checks the server's certificate, but no trusted root \
                 certificate was found in the system's store; name the CA with \
                 ssl-ca=<file>",
                self.mode
            )));
        }
        Ok(Roots {
            extra: usable,
            built_in,
            store: Arc::new(store),
        })
    }
}

/// The certificates of the PEM file named by `ssl-ca`.
fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "cannot read the CA certificate file `{shown}` named by ssl-ca: {e}"
        ))
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::config(format!(
                "the CA certificate file `{shown}` named by ssl-ca is not valid PEM: {e}"
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::config(format!(
            "the CA certificate file `{shown}` named by ssl-ca holds no PEM certificate \
             (-----BEGIN CERTIFICATE-----)"
        )));
    }
    for cert in &certs {
        RootCertStore::empty().add(cert.clone()).map_err(|e| {
            Error::config(format!(
                "the CA certificate file `{shown}` named by ssl-ca holds a certificate \
                 rustls cannot use: {e}"
            ))
        })?;
    }
    Ok(certs)
}

/// The operating system's trusted roots (none when it has no store).
fn system_roots() -> Vec<CertificateDer<'static>> {
    rustls_native_certs::load_native_certs().certs
}

/// Makes sure rustls has a process-wide crypto provider before `mysql_async` builds its
/// TLS configuration (it asks for the default one, and rustls panics when none is
/// installed and the crate features do not pick exactly one). Installs *ring* only
/// when no provider is installed yet.
pub(crate) fn ensure_crypto_provider() {
    if CryptoProvider::get_default().is_none() {
        // Err: another thread installed one meanwhile, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What the `VERIFY_CA` probe learnt in the handshake.
type Seen = Arc<Mutex<Option<std::result::Result<Option<String>, rustls::Error>>>>;

/// For `VERIFY_CA`: connects to `host:port`, asks for TLS as a MySQL client does,
/// checks that the server's certificate chains to one of `roots` and closes. Returns
/// `None` when the certificate is valid for `host` itself, otherwise a DNS name it is
/// valid for (the name the real connection then verifies). `what` starts messages.
/// Errors are
/// [`toasty_core::ErrorKind::Connection`] errors that say what failed.
pub(crate) async fn name_for_verify_ca(
    host: &str,
    port: u16,
    roots: Arc<RootCertStore>,
    settings: &TlsSettings,
    what: &str,
) -> Result<Option<String>> {
    let fail = |reason: String| Error::connection(format!("{what}: {reason}"));
    let io = |e: std::io::Error| {
        fail(format!(
            "the connection failed: {e}; is the server running?"
        ))
    };
    let mut stream = TcpStream::connect((host, port)).await.map_err(io)?;
    let greeting = read_packet(&mut stream).await.map_err(io)?;
    match greeting.first() {
        Some(10) => {}
        Some(0xff) => {
            return Err(fail(format!(
                "the server refused the connection: {}",
                error_packet(&greeting)
            )))
        }
        _ => return Err(fail("the server's greeting is not MySQL's".to_string())),
    }
    // Protocol 10 greeting: version, NUL, thread id (4), scramble (8), filler (1), then
    // the low 16 bits of the capability flags.
    let capabilities = greeting[1..]
        .iter()
        .position(|&b| b == 0)
        .map(|nul| 1 + nul + 1 + 4 + 8 + 1)
        .and_then(|at| greeting.get(at..at + 2))
        .map(|b| u16::from_le_bytes([b[0], b[1]]));
    let Some(capabilities) = capabilities else {
        return Err(fail("the server's greeting is too short".to_string()));
    };
    if capabilities & CLIENT_SSL as u16 == 0 {
        return Err(fail(no_tls_offered(settings.mode)));
    }
    stream.write_all(&ssl_request()).await.map_err(io)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen: Seen = Arc::default();
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Probe {
            roots,
            provider,
            seen: seen.clone(),
        }))
        .with_no_client_auth();
    let server_name = ServerName::try_from(host.to_string())
        .map_err(|e| Error::config(format!("`{host}` is not a valid TLS server name: {e}")))?;
    let handshake = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server_name, stream)
        .await;
    let outcome = seen.lock().ok().and_then(|mut seen| seen.take());
    match (outcome, handshake) {
        (Some(Ok(name)), Ok(mut tls)) => {
            let _ = tls.shutdown().await;
            Ok(name)
        }
        (Some(Err(e)), _) => Err(fail(explain(&e, settings, host))),
        (_, Err(e)) => Err(fail(format!("the TLS handshake failed: {e}"))),
        (None, Ok(_)) => Err(fail("the server sent no certificate".to_string())),
    }
}

/// `CLIENT_SSL` of the MySQL capability flags.
const CLIENT_SSL: u32 = 0x0800;

/// The `SSLRequest` packet (sequence 1): capability flags, maximum packet size,
/// character set (`utf8mb4_general_ci`), 23 zero bytes.
fn ssl_request() -> Vec<u8> {
    const CLIENT_LONG_PASSWORD: u32 = 0x0001;
    const CLIENT_PROTOCOL_41: u32 = 0x0200;
    const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
    const CLIENT_PLUGIN_AUTH: u32 = 0x0008_0000;
    let flags = CLIENT_LONG_PASSWORD
        | CLIENT_PROTOCOL_41
        | CLIENT_SSL
        | CLIENT_SECURE_CONNECTION
        | CLIENT_PLUGIN_AUTH;
    let mut packet = vec![32, 0, 0, 1];
    packet.extend_from_slice(&flags.to_le_bytes());
    packet.extend_from_slice(&(16u32 << 20).to_le_bytes());
    packet.push(45);
    packet.extend_from_slice(&[0; 23]);
    packet
}

/// Reads one protocol packet (the greeting is small; larger ones are refused).
async fn read_packet(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    if len > 64 * 1024 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the server's greeting is larger than 64 KiB",
        ));
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

/// The message of an error packet (`0xff`, code, optional `#` and SQL state, text).
fn error_packet(packet: &[u8]) -> String {
    let code = packet
        .get(1..3)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .unwrap_or(0);
    let mut text = packet.get(3..).unwrap_or_default();
    if text.first() == Some(&b'#') {
        text = text.get(6..).unwrap_or_default();
    }
    format!("{} (MySQL error {code})", String::from_utf8_lossy(text))
}

/// The verifier of the `VERIFY_CA` probe: the chain must reach a trusted root; the
/// name is recorded, not checked.
#[derive(Debug)]
struct Probe {
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
    seen: Seen,
}

impl Probe {
    fn record(&self, outcome: std::result::Result<Option<String>, rustls::Error>) {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(outcome);
        }
    }
}

impl ServerCertVerifier for Probe {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let checked = ParsedCertificate::try_from(end_entity).and_then(|cert| {
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                &self.roots,
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )?;
            if verify_server_name(&cert, server_name).is_ok() {
                return Ok(None);
            }
            let cert = webpki::EndEntityCert::try_from(end_entity)
                .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
            let name = cert
                .valid_dns_names()
                .next()
                .map(|name| match name.strip_prefix("*.") {
                    // Any name matching the wildcard will do.
                    Some(domain) => format!("toasty-verify-ca.{domain}"),
                    None => name.to_string(),
                });
            name.map(Some).ok_or_else(|| {
                rustls::Error::General(
                    "the server's certificate names no DNS name (subjectAltName) that \
                     the connection could be checked against; use ssl-mode=VERIFY_IDENTITY \
                     with the address the certificate names, or REQUIRED"
                        .to_string(),
                )
            })
        });
        let result = checked.clone().map(|_| ServerCertVerified::assertion());
        self.record(checked);
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The message for a server that does not offer TLS to a mode that needs it.
pub(crate) fn no_tls_offered(mode: SslMode) -> String {
    format!(
        "the server does not offer TLS, but ssl-mode={mode} requires it; turn on TLS on \
         the server (ssl_cert and ssl_key), or use ssl-mode=PREFERRED (TLS when the server \
         offers it) or DISABLED"
    )
}

/// The rustls error somewhere in `err`'s chain (an `io::Error` wrapping one hides it
/// from `source`).
pub(crate) fn rustls_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if let Some(found) = rustls_error(inner) {
                return Some(found);
            }
        }
        next = e.source();
    }
    None
}

/// What went wrong in a TLS handshake, and what to do about it.
pub(crate) fn explain(err: &rustls::Error, settings: &TlsSettings, host: &str) -> String {
    let roots = match &settings.ca {
        Some(path) => format!("the CA certificates in ssl-ca={}", path.display()),
        None => "the system's trusted roots".to_string(),
    };
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
                "the server's certificate is not signed by a trusted certificate authority \
                 (trusted: {roots}): {err}; name the CA that signed the server's \
                 certificate with ssl-ca=<file>"
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!(
                    "the server's certificate is not valid for the host name `{host}` \
                 (ssl-mode=VERIFY_IDENTITY checks it): {err}; connect with a host name the \
                 certificate names, or use ssl-mode=VERIFY_CA to check only the CA"
                )
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => format!(
                "the server's certificate is outside its validity period: {err}; renew it \
                 (or check this machine's clock)"
            ),
            _ => format!("the server's certificate was refused: {err}"),
        },
        rustls::Error::General(message) => message.clone(),
        _ => format!("the TLS handshake failed: {err}"),
    }
}
