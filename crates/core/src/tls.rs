//! rustls configuration: built-in Mozilla roots plus extra CAs and `NODE_EXTRA_CA_CERTS`,
//! client certificates, ALPN, the verification opt-out, and classification of certificate
//! failures into distinct error kinds.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme,
};

use crate::config::TlsOptions;
use crate::error::{Error, Kind, Phase};

/// Builds the rustls client configuration for `opts`, offering `alpn` protocols.
pub(crate) fn client_config(
    opts: &TlsOptions,
    alpn: Vec<Vec<u8>>,
) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(Kind::Tls, format!("TLS setup failed: {e}")))?;

    let verifier: Arc<dyn ServerCertVerifier> = if opts.verify {
        Arc::new(ClassifyingVerifier::new(
            root_store(opts)?,
            provider.clone(),
        )?)
    } else {
        Arc::new(NoVerification(provider.clone()))
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);

    let mut config = match (&opts.cert, &opts.key) {
        (Some(cert), Some(key)) => builder
            .with_client_auth_cert(parse_certs(cert, "tls.cert")?, parse_key(key)?)
            .map_err(|e| Error::invalid(format!("tls.cert/tls.key rejected: {e}")))?,
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn;
    Ok(Arc::new(config))
}

fn root_store(opts: &TlsOptions) -> Result<RootCertStore, Error> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for pem in &opts.ca {
        add_pem_roots(&mut roots, pem, "tls.ca")?;
    }
    if opts.use_node_extra_ca_certs {
        if let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS") {
            // Like Node: a missing or unreadable file is a warning there, so it is ignored here
            // rather than failing every request of the process.
            if let Ok(pem) = std::fs::read_to_string(&path) {
                add_pem_roots(&mut roots, &pem, "NODE_EXTRA_CA_CERTS")?;
            }
        }
    }
    Ok(roots)
}

fn add_pem_roots(roots: &mut RootCertStore, pem: &str, option: &str) -> Result<(), Error> {
    for cert in parse_certs(pem, option)? {
        roots
            .add(cert)
            .map_err(|e| Error::invalid(format!("{option}: certificate rejected: {e}")))?;
    }
    Ok(())
}

fn parse_certs(pem: &str, option: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = rustls_pemfile::certs(&mut pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::invalid(format!("{option}: not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::invalid(format!(
            "{option}: no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(certs)
}

fn parse_key(pem: &str) -> Result<PrivateKeyDer<'static>, Error> {
    rustls_pemfile::private_key(&mut pem.as_bytes())
        .map_err(|e| Error::invalid(format!("tls.key: not valid PEM: {e}")))?
        .ok_or_else(|| Error::invalid("tls.key: no PEM private key found"))
}

/// Marks a certificate that failed only because it is self-signed.
#[derive(Debug)]
struct SelfSigned;

impl std::fmt::Display for SelfSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("self-signed certificate")
    }
}

impl std::error::Error for SelfSigned {}

/// The standard WebPKI verifier, which also tells a self-signed certificate apart from one
/// issued by an unknown CA.
#[derive(Debug)]
struct ClassifyingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
}

impl ClassifyingVerifier {
    fn new(roots: RootCertStore, provider: Arc<CryptoProvider>) -> Result<Self, Error> {
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| Error::new(Kind::Tls, format!("TLS verifier setup failed: {e}")))?;
        Ok(ClassifyingVerifier { inner, provider })
    }

    /// True when `cert` verifies with itself as the only trust anchor.
    fn is_self_signed(
        &self,
        cert: &CertificateDer<'_>,
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> bool {
        let mut roots = RootCertStore::empty();
        if roots.add(cert.clone().into_owned()).is_err() {
            return false;
        }
        let Ok(verifier) =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                .build()
        else {
            return false;
        };
        !matches!(
            verifier.verify_server_cert(cert, &[], name, &[], now),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        )
    }
}

impl ServerCertVerifier for ClassifyingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
                if intermediates.is_empty()
                    && self.is_self_signed(end_entity, server_name, now) =>
            {
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                    OtherError(Arc::new(SelfSigned)),
                )))
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The explicit opt-out: accepts any certificate, still checks handshake signatures.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Turns a failed handshake into an engine error with a precise kind.
pub(crate) fn handshake_error(err: std::io::Error, host: &str) -> Error {
    let kind = match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(cert)) => match cert {
            CertificateError::UnknownIssuer => Kind::TlsUntrusted,
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => Kind::TlsExpired,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Kind::TlsHostname
            }
            CertificateError::Other(OtherError(e)) if e.is::<SelfSigned>() => Kind::TlsSelfSigned,
            _ => Kind::Tls,
        },
        _ => Kind::Tls,
    };
    let hint = match kind {
        Kind::TlsUntrusted => "; add its CA with the tls.ca option or NODE_EXTRA_CA_CERTS",
        Kind::TlsSelfSigned => {
            "; trust it with the tls.ca option, or opt out with tls.rejectUnauthorized: false"
        }
        Kind::TlsHostname => "; the certificate does not name this host",
        _ => "",
    };
    Error::new(
        kind,
        format!("TLS handshake with {host} failed: {err}{hint}"),
    )
    .with_phase(Phase::Tls)
    .with_source(err)
}
