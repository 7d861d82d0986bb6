//! The client certificate for mutual TLS, in the forms Node's `tls.connect` takes: PEM `cert`
//! and `key` (the key optionally encrypted as PKCS#8, opened with `passphrase`), or one PKCS#12
//! file (`pfx`) opened with `passphrase`.

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use pkcs8::der::pem;
use pkcs8::EncryptedPrivateKeyInfoRef;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::config::TlsOptions;
use crate::error::Error;
use crate::tls::parse_certs;

/// A certificate chain (leaf first) and its private key.
pub(crate) type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The client certificate configured in `opts`, if any. `cert`/`key` and `pfx` exclude each
/// other (checked with the rest of the configuration).
pub(crate) fn client_identity(opts: &TlsOptions) -> Result<Option<Identity>, Error> {
    let passphrase = opts.passphrase.as_deref();
    match (&opts.pfx, &opts.cert, &opts.key) {
        (Some(pfx), _, _) => from_pfx(pfx, passphrase.unwrap_or_default()).map(Some),
        (None, Some(cert), Some(key)) => Ok(Some((
            parse_certs(cert, "tls.cert")?,
            pem_key(key, passphrase)?,
        ))),
        _ => Ok(None),
    }
}

const ENCRYPTED_PKCS8: &str = "ENCRYPTED PRIVATE KEY";

fn pem_key(text: &str, passphrase: Option<&str>) -> Result<PrivateKeyDer<'static>, Error> {
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(Error::invalid(
            "tls.key is encrypted in the legacy OpenSSL PEM format, which is not supported; \
             convert it to encrypted PKCS#8 (openssl pkcs8 -topk8 -v2 aes-256-cbc) or decrypt it",
        ));
    }
    if !text.contains(&format!("-----BEGIN {ENCRYPTED_PKCS8}-----")) {
        return rustls_pemfile::private_key(&mut text.as_bytes())
            .map_err(|e| Error::invalid(format!("tls.key: not valid PEM: {e}")))?
            .ok_or_else(|| Error::invalid("tls.key: no PEM private key found"));
    }
    let Some(passphrase) = passphrase else {
        return Err(Error::invalid(
            "tls.key is encrypted (BEGIN ENCRYPTED PRIVATE KEY): give its tls.passphrase",
        ));
    };
    let start = text
        .find(&format!("-----BEGIN {ENCRYPTED_PKCS8}-----"))
        .unwrap_or_default();
    let (_, der) = pem::decode_vec(&text.as_bytes()[start..])
        .map_err(|e| Error::invalid(format!("tls.key: not valid PEM: {e}")))?;
    let info = EncryptedPrivateKeyInfoRef::try_from(der.as_slice())
        .map_err(|e| Error::invalid(format!("tls.key: not a valid encrypted PKCS#8 key: {e}")))?;
    let key = info.decrypt(passphrase).map_err(|e| {
        Error::invalid(format!(
            "tls.passphrase does not decrypt tls.key (wrong passphrase, or an unsupported \
             encryption: {e})"
        ))
    })?;
    Ok(PrivatePkcs8KeyDer::from(key.as_bytes().to_vec()).into())
}

fn from_pfx(pfx: &[u8], passphrase: &str) -> Result<Identity, Error> {
    let store = KeyStore::from_pkcs12(pfx, passphrase, Pkcs12ImportPolicy::Strict).map_err(
        |e| match e {
            p12_keystore::error::Error::MacError(_) => {
                Error::invalid("tls.passphrase does not open tls.pfx (wrong passphrase)")
            }
            other => Error::invalid(format!("tls.pfx: not a usable PKCS#12 file: {other}")),
        },
    )?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(Error::invalid(
            "tls.pfx holds no private key together with its certificate",
        ));
    };
    let certs = chain
        .certs()
        .iter()
        .map(|cert| CertificateDer::from(cert.as_der().to_vec()))
        .collect();
    let key = PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()).into();
    Ok((certs, key))
}
