//! TLS options beyond trust: a self-signed server certificate named in `tls.ca`, the SNI name,
//! protocol versions and public key pins.

use crate::common;

use common::{
    client, config_trusting, fetch, get, https, reply, self_signed, self_signed_ca, server_tls,
    server_tls_with_chain, Ca, Identity, Server,
};
use hyperhttp_core::{Config, Kind, TlsVersion};

async fn serve(identity: &Identity) -> Server {
    https(server_tls(identity, &[b"http/1.1"]), |_| async {
        reply(200, &[], "secure")
    })
    .await
}

async fn outcome(server: &Server, config: Config) -> Result<String, Kind> {
    fetch(&client(config), get(&server.url("/")))
        .await
        .map(|res| String::from_utf8(res.body.to_vec()).unwrap())
        .map_err(|err| err.kind())
}

fn pin(spki: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    digest.as_ref().try_into().unwrap()
}

fn pinned(ca: &[String], pins: &[&[u8]]) -> Config {
    let mut config = config_trusting(ca);
    config.tls.pins = pins.iter().map(|spki| pin(spki)).collect();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_ca_certificate_in_ca_is_trusted() {
    let identity = self_signed_ca(&["127.0.0.1"]);
    let server = serve(&identity).await;

    assert_eq!(
        outcome(
            &server,
            config_trusting(std::slice::from_ref(&identity.pem))
        )
        .await,
        Ok("secure".into())
    );
    assert_eq!(
        outcome(&server, config_trusting(&[])).await,
        Err(Kind::TlsSelfSigned)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_certificate_in_ca_must_name_the_host() {
    let identity = self_signed_ca(&["other.test"]);
    let server = serve(&identity).await;

    assert_eq!(
        outcome(
            &server,
            config_trusting(std::slice::from_ref(&identity.pem))
        )
        .await,
        Err(Kind::TlsHostname)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ca_certificate_of_an_unknown_issuer_is_not_called_self_signed() {
    let issuer = Ca::new("unknown CA");
    let server = serve(&issuer.issue_ca_marked(&["127.0.0.1"])).await;

    assert_eq!(outcome(&server, config_trusting(&[])).await, Err(Kind::Tls));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_name_replaces_the_host_for_verification() {
    let ca = Ca::new("servername CA");
    let server = serve(&ca.issue(&["example.test"])).await;
    let mut config = config_trusting(&[ca.pem()]);
    config.tls.server_name = Some("example.test".into());

    assert_eq!(outcome(&server, config).await, Ok("secure".into()));
    assert_eq!(
        outcome(&server, config_trusting(&[ca.pem()])).await,
        Err(Kind::TlsHostname)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_options_are_refused_when_the_client_is_built() {
    let mut config = Config::default();
    config.tls.server_name = Some("not a name".into());
    assert_eq!(config.validate().unwrap_err().kind(), Kind::InvalidArgument);

    let mut config = Config::default();
    config.tls.min_version = TlsVersion::Tls13;
    config.tls.max_version = TlsVersion::Tls12;
    assert_eq!(config.validate().unwrap_err().kind(), Kind::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_of_the_leaf_or_the_ca_are_accepted() {
    let ca = Ca::new("pinned CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let server = serve(&leaf).await;

    assert_eq!(
        outcome(&server, pinned(&[ca.pem()], &[&leaf.spki])).await,
        Ok("secure".into())
    );
    assert_eq!(
        outcome(&server, pinned(&[ca.pem()], &[&ca.spki()])).await,
        Ok("secure".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_without_a_pinned_key_is_refused() {
    let ca = Ca::new("pinned CA");
    let server = serve(&ca.issue(&["127.0.0.1"])).await;
    let stranger = self_signed(&["127.0.0.1"]);
    let other_ca = Ca::new("another CA");

    assert_eq!(
        outcome(
            &server,
            pinned(
                &[ca.pem(), other_ca.pem()],
                &[&stranger.spki, &other_ca.spki()]
            )
        )
        .await,
        Err(Kind::TlsPinMismatch)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_do_not_replace_verification() {
    let ca = Ca::new("untrusted pinned CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let server = serve(&leaf).await;

    assert_eq!(
        outcome(&server, pinned(&[], &[&leaf.spki])).await,
        Err(Kind::TlsUntrusted)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_intermediate_counts_only_when_the_leaf_chains_through_it() {
    let root = Ca::new("pinned root");
    let intermediate = root.intermediate("pinned intermediate");
    let chained = https(
        server_tls_with_chain(
            &intermediate.issue(&["127.0.0.1"]),
            &[intermediate.der()],
            &[b"http/1.1"],
        ),
        |_| async { reply(200, &[], "secure") },
    )
    .await;
    assert_eq!(
        outcome(&chained, pinned(&[root.pem()], &[&intermediate.spki()])).await,
        Ok("secure".into())
    );

    // The server appends the pinned intermediate, but its leaf is issued by the root directly.
    let appended = https(
        server_tls_with_chain(
            &root.issue(&["127.0.0.1"]),
            &[intermediate.der()],
            &[b"http/1.1"],
        ),
        |_| async { reply(200, &[], "secure") },
    )
    .await;
    assert_eq!(
        outcome(&appended, pinned(&[root.pem()], &[&intermediate.spki()])).await,
        Err(Kind::TlsPinMismatch)
    );
}
