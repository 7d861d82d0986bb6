//! `tls.use_system_ca`: the system store, here pointed at a test CA through `SSL_CERT_FILE`
//! (alone in this test binary, as it changes the process environment).

mod common;

use common::{client, config_trusting, fetch, get, https, reply, server_tls, Ca};
use hyperhttp_core::Kind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_store_is_trusted_only_when_asked() {
    let ca = Ca::new("system CA");
    let bundle =
        std::env::temp_dir().join(format!("hyperhttp-system-ca-{}.pem", std::process::id()));
    std::fs::write(&bundle, ca.pem()).unwrap();
    // The only test of this binary: nothing else reads the environment concurrently.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    let server = https(
        server_tls(&ca.issue(&["127.0.0.1"]), &[b"http/1.1"]),
        |_| async { reply(200, &[], "system") },
    )
    .await;

    let mut config = config_trusting(&[]);
    config.tls.use_system_ca = true;
    let res = fetch(&client(config), get(&server.url("/"))).await.unwrap();
    assert_eq!(res.body, "system");

    let err = fetch(&client(config_trusting(&[])), get(&server.url("/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Kind::TlsUntrusted);
    std::fs::remove_file(bundle).unwrap();
}
