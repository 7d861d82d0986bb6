//! Certificate verification: each way a certificate can be wrong is rejected by default with
//! its own kind; an extra CA or the explicit opt-out lets the request through.

use crate::common;

use common::{
    client, config_trusting, fetch, get, https, reply, self_signed, server_tls, Ca, Identity,
    Server,
};
use hyperhttp_core::{Kind, Phase};

async fn serve(identity: &Identity) -> Server {
    https(server_tls(identity, &[b"http/1.1"]), |_| async {
        reply(200, &[], "secure")
    })
    .await
}

async fn rejection(server: &Server, trusted: &[String]) -> (Kind, Option<Phase>) {
    let err = fetch(&client(config_trusting(trusted)), get(&server.url("/")))
        .await
        .unwrap_err();
    assert!(err.is_tls(), "{err:?}");
    (err.kind(), err.phase())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_certificate_is_rejected() {
    let server = serve(&self_signed(&["127.0.0.1"])).await;

    assert_eq!(
        rejection(&server, &[]).await,
        (Kind::TlsSelfSigned, Some(Phase::Tls))
    );
    assert!(server.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_from_unknown_ca_is_rejected() {
    let server = serve(&Ca::new("unknown CA").issue(&["127.0.0.1"])).await;

    assert_eq!(
        rejection(&server, &[]).await,
        (Kind::TlsUntrusted, Some(Phase::Tls))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_for_another_host_is_rejected() {
    let ca = Ca::new("hostname CA");
    let server = serve(&ca.issue(&["other.test"])).await;

    assert_eq!(
        rejection(&server, &[ca.pem()]).await,
        (Kind::TlsHostname, Some(Phase::Tls))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_certificate_is_rejected() {
    let ca = Ca::new("expiry CA");
    let server = serve(&ca.issue_expired(&["127.0.0.1"])).await;

    assert_eq!(
        rejection(&server, &[ca.pem()]).await,
        (Kind::TlsExpired, Some(Phase::Tls))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_ca_is_trusted() {
    let ca = Ca::new("extra CA");
    let server = serve(&ca.issue(&["127.0.0.1", "localhost"])).await;
    let client = client(config_trusting(&[ca.pem()]));

    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.body, "secure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_can_be_turned_off() {
    let server = serve(&self_signed(&["somewhere.else"])).await;
    let mut config = config_trusting(&[]);
    config.tls.verify = false;
    let client = client(config);

    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.body, "secure");
}
