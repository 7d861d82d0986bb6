//! rustls configuration: built-in Mozilla roots plus extra CAs, `NODE_EXTRA_CA_CERTS` and
//! optionally the system store,
//! client certificates, ALPN, protocol versions, the SNI name, public key pins, the
//! verification opt-out, and classification of certificate failures into distinct error kinds.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme, SupportedProtocolVersion,
};

use crate::client_identity::client_identity;
use crate::config::{TlsOptions, TlsVersion};
use crate::error::{Error, Kind, Phase};

/// Builds the rustls client configuration for `opts`, offering `alpn` protocols.
pub(crate) fn client_config(
    opts: &TlsOptions,
    alpn: Vec<Vec<u8>>,
) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&protocol_versions(opts))
        .map_err(|e| Error::new(Kind::Tls, format!("TLS setup failed: {e}")))?;

    let trust = trust_store(opts)?;
    let mut verifier: Arc<dyn ServerCertVerifier> = if opts.verify {
        Arc::new(Layered(ClassifyingVerifier::new(&trust, provider.clone())?))
    } else {
        Arc::new(NoVerification(provider.clone()))
    };
    if !opts.pins.is_empty() {
        verifier = Arc::new(Layered(PinningVerifier::new(
            verifier,
            &trust.roots,
            &opts.pins,
            provider,
        )));
    }
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);

    let mut config = match client_identity(opts)? {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .map_err(|e| Error::invalid(format!("client certificate rejected: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn;
    Ok(Arc::new(config))
}

/// The SNI name and name verified, when `tls.servername` replaces the URL's host.
pub(crate) fn server_name(opts: &TlsOptions) -> Result<Option<ServerName<'static>>, Error> {
    opts.server_name
        .as_ref()
        .map(|name| {
            ServerName::try_from(name.clone())
                .map_err(|e| Error::invalid(format!("tls.servername {name:?} is not valid: {e}")))
        })
        .transpose()
}

fn protocol_versions(opts: &TlsOptions) -> Vec<&'static SupportedProtocolVersion> {
    [
        (TlsVersion::Tls12, &rustls::version::TLS12),
        (TlsVersion::Tls13, &rustls::version::TLS13),
    ]
    .into_iter()
    .filter(|(version, _)| (opts.min_version..=opts.max_version).contains(version))
    .map(|(_, supported)| supported)
    .collect()
}

/// Trusted roots, and the extra certificates exactly as the caller gave them.
struct TrustStore {
    roots: RootCertStore,
    extra: Vec<CertificateDer<'static>>,
}

fn trust_store(opts: &TlsOptions) -> Result<TrustStore, Error> {
    let mut trust = TrustStore {
        roots: RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        extra: Vec::new(),
    };
    for pem in &opts.ca {
        add_pem_roots(&mut trust, pem, "tls.ca")?;
    }
    if opts.use_system_ca {
        let system = rustls_native_certs::load_native_certs();
        if system.certs.is_empty() {
            if let Some(e) = system.errors.first() {
                return Err(Error::new(
                    Kind::Tls,
                    format!("tls.useSystemCa: the system certificate store could not be read: {e}"),
                ));
            }
        }
        // Like OpenSSL reading a system bundle: a certificate webpki cannot use is skipped.
        trust.roots.add_parsable_certificates(system.certs);
    }
    if opts.use_node_extra_ca_certs {
        if let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS") {
            // Like Node: a missing or unreadable file is a warning there, so it is ignored here
            // rather than failing every request of the process.
            if let Ok(pem) = std::fs::read_to_string(&path) {
                add_pem_roots(&mut trust, &pem, "NODE_EXTRA_CA_CERTS")?;
            }
        }
    }
    Ok(trust)
}

fn add_pem_roots(trust: &mut TrustStore, pem: &str, option: &str) -> Result<(), Error> {
    for cert in parse_certs(pem, option)? {
        trust
            .roots
            .add(cert.clone())
            .map_err(|e| Error::invalid(format!("{option}: certificate rejected: {e}")))?;
        trust.extra.push(cert);
    }
    Ok(())
}

pub(crate) fn parse_certs(pem: &str, option: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
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

/// A refusal the WebPKI errors cannot express, carried through rustls as
/// `CertificateError::Other` and turned into its own error kind by [`handshake_error`].
#[derive(Debug)]
enum Refusal {
    /// The certificate failed only because it is self-signed.
    SelfSigned,
    /// The verified chain contains none of the pinned keys.
    PinMismatch,
}

impl Refusal {
    fn into_error(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(self))))
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::SelfSigned => "self-signed certificate",
            Refusal::PinMismatch => {
                "no certificate of the chain has a public key listed in tls.pins"
            }
        })
    }
}

impl std::error::Error for Refusal {}

/// A check of the server certificate on top of another verifier, which keeps checking the
/// handshake signatures; [`Layered`] makes it a rustls verifier.
trait CertificateCheck: std::fmt::Debug + Send + Sync {
    /// The verifier underneath.
    fn underlying(&self) -> &dyn ServerCertVerifier;

    /// As [`ServerCertVerifier::verify_server_cert`].
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error>;
}

/// A [`CertificateCheck`] as a rustls verifier: the one place the handshake signatures are
/// delegated to the verifier underneath.
#[derive(Debug)]
struct Layered<C>(C);

impl<C: CertificateCheck> ServerCertVerifier for Layered<C> {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .underlying()
            .verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .underlying()
            .verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.underlying().supported_verify_schemes()
    }
}

/// The standard WebPKI verifier, which also tells a self-signed certificate apart from one
/// issued by an unknown CA, and accepts a server certificate that is itself one of the extra
/// trusted certificates.
#[derive(Debug)]
struct ClassifyingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    /// Certificates from `tls.ca` and `NODE_EXTRA_CA_CERTS`. WebPKI refuses one of them as
    /// the server's own certificate when it is marked as a CA (`openssl req -x509` does so by
    /// default); Node trusts it, as the caller named this very certificate.
    extra: Vec<CertificateDer<'static>>,
}

impl ClassifyingVerifier {
    fn new(trust: &TrustStore, provider: Arc<CryptoProvider>) -> Result<Self, Error> {
        let inner = WebPkiServerVerifier::builder_with_provider(
            Arc::new(trust.roots.clone()),
            provider.clone(),
        )
        .build()
        .map_err(|e| Error::new(Kind::Tls, format!("TLS verifier setup failed: {e}")))?;
        Ok(ClassifyingVerifier {
            inner,
            provider,
            extra: trust.extra.clone(),
        })
    }

    /// True when `cert` verifies with itself as the only trust anchor.
    fn is_self_signed(
        &self,
        cert: &CertificateDer<'_>,
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> bool {
        // A CA-marked certificate fails as such before its issuer is looked at, so the names
        // are what tells a self-signed one apart.
        if tbs_fields(cert.as_ref()).is_none_or(|(issuer, _, subject)| issuer != subject) {
            return false;
        }
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

impl CertificateCheck for ClassifyingVerifier {
    fn underlying(&self) -> &dyn ServerCertVerifier {
        &*self.inner
    }

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
            Err(_) if self.extra.iter().any(|c| c.as_ref() == end_entity.as_ref()) => {
                verify_trusted_certificate(end_entity, server_name, now)
            }
            Err(rustls::Error::InvalidCertificate(ref error))
                if untrusted_issuer(error)
                    && intermediates.is_empty()
                    && self.is_self_signed(end_entity, server_name, now) =>
            {
                Err(Refusal::SelfSigned.into_error())
            }
            other => other,
        }
    }
}

/// True when verification failed for want of a trusted issuer; a certificate marked as a CA
/// fails earlier, for being a CA, when it is its own issuer.
fn untrusted_issuer(error: &CertificateError) -> bool {
    match error {
        CertificateError::UnknownIssuer => true,
        CertificateError::Other(OtherError(e)) => {
            e.downcast_ref::<webpki::Error>() == Some(&webpki::Error::CaUsedAsEndEntity)
        }
        _ => false,
    }
}

/// Checks the name and validity period of a server certificate that is trusted as it is.
fn verify_trusted_certificate(
    cert: &CertificateDer<'_>,
    name: &ServerName<'_>,
    now: UnixTime,
) -> Result<ServerCertVerified, rustls::Error> {
    rustls::client::verify_server_name(&ParsedCertificate::try_from(cert)?, name)?;
    let (not_before, not_after) = validity(cert.as_ref()).ok_or(
        rustls::Error::InvalidCertificate(CertificateError::BadEncoding),
    )?;
    let now = now.as_secs();
    if now < not_before {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > not_after {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(ServerCertVerified::assertion())
}

/// Splits the first DER element off `input`: its tag, its contents and what follows it.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let width = usize::from(first & 0x7f);
        if width == 0 || width > 4 || rest.len() < width {
            return None;
        }
        let (len, rest) = rest.split_at(width);
        (
            len.iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            rest,
        )
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The issuer, validity and subject fields of an X.509 certificate.
fn tbs_fields(cert: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (_, certificate, _) = der_element(cert)?;
    let (_, mut tbs, _) = der_element(certificate)?;
    let (tag, _, after_version) = der_element(tbs)?;
    if tag == 0xa0 {
        tbs = after_version;
    }
    // serialNumber and signature come before issuer.
    for _ in 0..2 {
        tbs = der_element(tbs)?.2;
    }
    let (_, issuer, rest) = der_element(tbs)?;
    let (_, validity, rest) = der_element(rest)?;
    let (_, subject, _) = der_element(rest)?;
    Some((issuer, validity, subject))
}

/// `notBefore` and `notAfter` of an X.509 certificate, in seconds since the Unix epoch.
fn validity(cert: &[u8]) -> Option<(u64, u64)> {
    let (_, validity, _) = tbs_fields(cert)?;
    let (before_tag, before, rest) = der_element(validity)?;
    let (after_tag, after, _) = der_element(rest)?;
    Some((der_time(before_tag, before)?, der_time(after_tag, after)?))
}

/// An ASN.1 UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), as Unix seconds.
fn der_time(tag: u8, text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let short: i64 = text.get(..2)?.parse().ok()?;
            (if short >= 50 { 1900 } else { 2000 } + short, &text[2..])
        }
        0x18 => (text.get(..4)?.parse().ok()?, &text[4..]),
        _ => return None,
    };
    if rest.len() != 10 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |at: usize| rest[at..at + 2].parse::<i64>().ok();
    let (month, day) = (field(0)?, field(2)?);
    let seconds = field(4)? * 3600 + field(6)? * 60 + field(8)?;
    u64::try_from(days_since_epoch(year, month, day) * 86_400 + seconds).ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Public key pinning on top of another verifier: the chain must also contain a pinned key,
/// in the leaf, in an intermediate the leaf chains through, or in the trust anchor.
#[derive(Debug)]
struct PinningVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
    /// One verifier per pinned trust anchor, trusting only that anchor.
    pinned_anchors: Vec<Arc<WebPkiServerVerifier>>,
}

impl PinningVerifier {
    fn new(
        inner: Arc<dyn ServerCertVerifier>,
        roots: &RootCertStore,
        pins: &[[u8; 32]],
        provider: Arc<CryptoProvider>,
    ) -> Self {
        let pinned_anchors = roots
            .roots
            .iter()
            .filter(|anchor| {
                // A trust anchor keeps its SubjectPublicKeyInfo without the outer SEQUENCE.
                let spki = der_sequence(anchor.subject_public_key_info.as_ref());
                pins.contains(&sha256(&spki))
            })
            .filter_map(|anchor| {
                let store = RootCertStore {
                    roots: vec![anchor.clone()],
                };
                verifier_trusting(store, &provider)
            })
            .collect();
        PinningVerifier {
            inner,
            pins: pins.to_vec(),
            provider,
            pinned_anchors,
        }
    }

    fn is_pinned(&self, cert: &CertificateDer<'_>) -> bool {
        ParsedCertificate::try_from(cert).is_ok_and(|parsed| {
            self.pins
                .contains(&sha256(parsed.subject_public_key_info().as_ref()))
        })
    }

    fn chain_is_pinned(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> bool {
        let verifies_with = |verifier: &WebPkiServerVerifier| {
            verifier
                .verify_server_cert(end_entity, intermediates, server_name, &[], now)
                .is_ok()
        };
        // The handshake proves the server holds the leaf's key; a pinned intermediate counts
        // only if the leaf chains through it, not merely because the server sent it.
        self.is_pinned(end_entity)
            || intermediates.iter().any(|cert| {
                self.is_pinned(cert) && {
                    let mut store = RootCertStore::empty();
                    store.add(cert.clone().into_owned()).is_ok()
                        && verifier_trusting(store, &self.provider)
                            .is_some_and(|verifier| verifies_with(&verifier))
                }
            })
            || self
                .pinned_anchors
                .iter()
                .any(|verifier| verifies_with(verifier))
    }
}

fn verifier_trusting(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Option<Arc<WebPkiServerVerifier>> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .ok()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut digest = [0u8; 32];
    digest.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, data).as_ref());
    digest
}

/// `content` wrapped in a DER SEQUENCE header.
fn der_sequence(content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![0x30];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

impl CertificateCheck for PinningVerifier {
    fn underlying(&self) -> &dyn ServerCertVerifier {
        &*self.inner
    }

    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified =
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)?;
        if self.chain_is_pinned(end_entity, intermediates, server_name, now) {
            Ok(verified)
        } else {
            Err(Refusal::PinMismatch.into_error())
        }
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
            CertificateError::Other(OtherError(e)) => match e.downcast_ref::<Refusal>() {
                Some(Refusal::SelfSigned) => Kind::TlsSelfSigned,
                Some(Refusal::PinMismatch) => Kind::TlsPinMismatch,
                None => Kind::Tls,
            },
            _ => Kind::Tls,
        },
        _ => Kind::Tls,
    };
    let hint = match kind {
        Kind::TlsUntrusted => "; add its CA with the tls.ca option or NODE_EXTRA_CA_CERTS",
        Kind::TlsSelfSigned => {
            "; trust it with the tls.ca option, or opt out with tls.rejectUnauthorized: false"
        }
        Kind::TlsHostname => "; the certificate does not name this host (see tls.servername)",
        Kind::TlsPinMismatch => "; check tls.pins against the server's current keys",
        _ => "",
    };
    Error::new(
        kind,
        format!("TLS handshake with {host} failed: {err}{hint}"),
    )
    .with_phase(Phase::Tls)
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_times_are_read_as_unix_seconds() {
        assert_eq!(der_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(der_time(0x18, b"20380119031408Z"), Some(1 << 31));
        assert_eq!(der_time(0x17, b"000229120000Z"), Some(951_825_600));
        assert_eq!(der_time(0x17, b"700101000000"), None);
        assert_eq!(der_time(0x04, b"700101000000Z"), None);
    }

    #[test]
    fn validity_and_names_are_read_from_a_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["a.test".to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2001, 2, 3);
        params.not_after = rcgen::date_time_ymd(2031, 4, 5);
        let cert = params.self_signed(&key).unwrap();

        assert_eq!(validity(cert.der()), Some((981_158_400, 1_933_113_600)));
        let (issuer, _, subject) = tbs_fields(cert.der()).unwrap();
        assert_eq!(issuer, subject);
        assert_eq!(validity(b"\x30\x03\x02\x01"), None);
    }

    #[test]
    fn sequence_headers_use_the_shortest_length_form() {
        assert_eq!(der_sequence(&[1, 2]), vec![0x30, 2, 1, 2]);
        let long = der_sequence(&[0; 300]);
        assert_eq!(&long[..4], &[0x30, 0x82, 0x01, 0x2c]);
        assert_eq!(long.len(), 304);
    }
}
