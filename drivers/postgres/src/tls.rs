//! TLS on rustls: the `sslmode` and `sslrootcert` URL parameters, the rustls client
//! configuration each mode needs, and messages for TLS failures.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toasty_core::{Error, Result};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The `sslmode` URL parameter, as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plain text only.
    Disable,
    /// TLS when the server offers it (any certificate), plain text otherwise.
    Prefer,
    /// TLS or nothing; any certificate (unless `sslrootcert` names a file: then as
    /// `VerifyCa`, as libpq does).
    Require,
    /// TLS with a certificate chained to a trusted root; any host name.
    VerifyCa,
    /// TLS with a certificate chained to a trusted root and valid for the host name.
    VerifyFull,
}

impl SslMode {
    pub(crate) fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// The mode tokio-postgres negotiates with (it knows whether to ask for TLS, not
    /// how to check the certificate).
    pub(crate) fn negotiation(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Pg;
        match self {
            SslMode::Disable => Pg::Disable,
            SslMode::Prefer => Pg::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Pg::Require,
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

/// Where trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The operating system's trust store (`sslrootcert` absent or `system`).
    System,
    /// A PEM file of CA certificates (`sslrootcert=<file>`).
    File(PathBuf),
}

/// The TLS settings of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    pub(crate) mode: SslMode,
    pub(crate) roots: Roots,
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Not at all (the connection is still encrypted).
    Nothing,
    /// Chained to a trusted root.
    Chain,
    /// Chained to a trusted root and valid for the host name.
    ChainAndName,
}

impl TlsSettings {
    fn check(&self) -> Check {
        match (self.mode, &self.roots) {
            (SslMode::Disable | SslMode::Prefer, _) => Check::Nothing,
            (SslMode::Require, Roots::System) => Check::Nothing,
            (SslMode::Require, Roots::File(_)) | (SslMode::VerifyCa, _) => Check::Chain,
            (SslMode::VerifyFull, _) => Check::ChainAndName,
        }
    }

    /// The rustls connector for these settings (`None` for `disable`). Reads the root
    /// certificates (a file, or the system's store) when the mode checks them.
    pub(crate) fn connector(&self) -> Result<Option<MakeRustlsConnect>> {
        if self.mode == SslMode::Disable {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::config(format!("cannot set up TLS: {e}")))?;
        let config = match self.check() {
            Check::Nothing => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate { provider }))
                .with_no_client_auth(),
            Check::Chain => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly {
                    roots: Arc::new(self.load_roots()?),
                    provider,
                }))
                .with_no_client_auth(),
            Check::ChainAndName => {
                let verifier = WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.load_roots()?),
                    provider,
                )
                .build()
                .map_err(|e| Error::config(format!("cannot set up TLS verification: {e}")))?;
                builder.with_webpki_verifier(verifier).with_no_client_auth()
            }
        };
        Ok(Some(MakeRustlsConnect::new(config)))
    }

    fn load_roots(&self) -> Result<RootCertStore> {
        match &self.roots {
            Roots::File(path) => load_root_file(path),
            Roots::System => load_system_roots(self.mode),
        }
    }
}

/// The CA certificates of a PEM file.
fn load_root_file(path: &Path) -> Result<RootCertStore> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "cannot read the CA certificate file `{shown}` named by sslrootcert: {e}"
        ))
    })?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| {
            Error::config(format!(
                "the CA certificate file `{shown}` named by sslrootcert is not valid PEM: {e}"
            ))
        })?;
        store.add(cert).map_err(|e| {
            Error::config(format!(
                "the CA certificate file `{shown}` named by sslrootcert holds a certificate \
                 rustls cannot use: {e}"
            ))
        })?;
    }
    if store.is_empty() {
        return Err(Error::config(format!(
            "the CA certificate file `{shown}` named by sslrootcert holds no PEM certificate \
             (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(store)
}

/// The operating system's trusted roots (those it can parse).
fn load_system_roots(mode: SslMode) -> Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (_, _ignored) = store.add_parsable_certificates(found.certs);
    if store.is_empty() {
        let why = match found.errors.first() {
            Some(e) => format!(": {e}"),
            None => String::new(),
        };
        return Err(Error::config(format!(
            "sslmode={mode} checks the server's certificate, but no trusted root certificate \
             was found in the system's store{why}; name the CA with sslrootcert=<file>"
        )));
    }
    Ok(store)
}

/// Accepts any certificate (`prefer`, `require`): the connection is encrypted but the
/// server is not authenticated, as with libpq. Handshake signatures are still checked,
/// so the server must hold the key of the certificate it shows.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
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

/// Checks that the certificate chains to a trusted root, whatever names it holds
/// (`verify-ca`).
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
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

/// The rustls error somewhere in `err`'s chain (tokio-rustls wraps it in an
/// `io::Error`, whose `source` skips it).
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
    let roots = match &settings.roots {
        Roots::File(path) => format!("the CA certificates in sslrootcert={}", path.display()),
        Roots::System => "the system's trusted roots".to_string(),
    };
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
                "the server's certificate is not signed by a trusted certificate authority \
                 (trusted: {roots}): {err}; name the CA that signed the server's \
                 certificate with sslrootcert=<file>"
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!(
                    "the server's certificate is not valid for the host name `{host}` \
                 (sslmode=verify-full checks it): {err}; connect with a host name the \
                 certificate names, or use sslmode=verify-ca to check only the CA"
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
        _ => format!("the TLS handshake failed: {err}"),
    }
}
