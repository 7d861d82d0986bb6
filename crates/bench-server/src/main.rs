//! Load server for the benchmarks, meant to run in its own process (bench/compare.mjs starts
//! it). The same routes as bench/server.mjs:
//!
//! - `GET|HEAD /bytes/:n`: n bytes of a fixed pattern, with `content-length`;
//! - `POST /echo`: the request body back, with the request's `content-type`.
//!
//! ```text
//! hyperhttp-bench-server [--port N] [--host 127.0.0.1] [--threads 1]
//!                        [--tls | --h2 --cert cert.pem --key key.pem] [--watch-stdin]
//! ```
//!
//! Cleartext connections speak HTTP/1.1 or HTTP/2 with prior knowledge (h2c), chosen from the
//! connection preface. `--tls` offers HTTP/1.1 in ALPN, `--h2` offers h2 then HTTP/1.1. Prints
//! `READY <port>` once listening; with `--watch-stdin` it exits when its stdin closes, so it
//! never outlives the benchmark that spawned it.

use std::convert::Infallible;
use std::io::{BufReader, Write};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const MAX_BYTES: usize = 64 * 1024 * 1024;

struct Args {
    host: String,
    port: u16,
    threads: usize,
    tls: Option<(String, String, bool)>,
    watch_stdin: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: std::env::var("HYPERHTTP_BENCH_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0),
        threads: 1,
        tls: None,
        watch_stdin: false,
    };
    let (mut cert, mut key, mut mode) = (None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => args.host = value()?,
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--threads" => {
                args.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--tls" => mode = Some(false),
            "--h2" => mode = Some(true),
            "--watch-stdin" => args.watch_stdin = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if let Some(h2) = mode {
        match (cert, key) {
            (Some(cert), Some(key)) => args.tls = Some((cert, key, h2)),
            _ => return Err("--tls and --h2 need --cert and --key (PEM files)".into()),
        }
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|message| {
        eprintln!("hyperhttp-bench-server: {message}");
        std::process::exit(2);
    });
    let mut runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(args.threads);
        builder
    };
    let runtime = runtime.enable_all().build().expect("tokio runtime");
    if let Err(error) = runtime.block_on(serve(args)) {
        eprintln!("hyperhttp-bench-server: {error}");
        std::process::exit(1);
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let acceptor = match &args.tls {
        Some((cert, key, h2)) => Some(tls_acceptor(cert, key, *h2)?),
        None => None,
    };
    let addr: SocketAddr = format!("{}:{}", args.host, args.port).parse()?;
    let listener = TcpListener::bind(addr).await?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "READY {}", listener.local_addr()?.port())?;
        stdout.flush()?;
    }
    if args.watch_stdin {
        tokio::spawn(async {
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 64];
            while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().keep_alive(true);
    builder
        .http2()
        .max_concurrent_streams(1000)
        .initial_stream_window_size(4 * 1024 * 1024)
        .initial_connection_window_size(16 * 1024 * 1024);
    let builder = Arc::new(builder);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let service = service_fn(handle);
            let _ = match acceptor {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls) => builder.serve_connection(TokioIo::new(tls), service).await,
                    Err(_) => return,
                },
                None => {
                    builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                }
            };
        });
    }
}

fn tls_acceptor(
    cert: &str,
    key: &str,
    h2: bool,
) -> Result<TlsAcceptor, Box<dyn std::error::Error>> {
    let certs = rustls_pemfile::certs(&mut BufReader::new(std::fs::File::open(cert)?))
        .collect::<Result<Vec<_>, _>>()?;
    let key = rustls_pemfile::private_key(&mut BufReader::new(std::fs::File::open(key)?))?
        .ok_or("no private key in the --key file")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// MAX_BYTES of the repeating pattern, built once; responses are slices of it (no copy).
fn pattern() -> &'static Bytes {
    static PATTERN: OnceLock<Bytes> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let unit = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
        Bytes::from(
            unit.iter()
                .copied()
                .cycle()
                .take(MAX_BYTES)
                .collect::<Vec<u8>>(),
        )
    })
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    if let Some(arg) = path.strip_prefix("/bytes/") {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Ok(text(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD\n"));
        }
        let n = match arg.parse::<usize>() {
            Ok(n) if n <= MAX_BYTES => n,
            _ => {
                return Ok(text(
                    StatusCode::BAD_REQUEST,
                    "bad size, want 0..67108864\n",
                ))
            }
        };
        let body = if req.method() == Method::HEAD {
            Bytes::new()
        } else {
            pattern().slice(..n)
        };
        let mut res = Response::new(Full::new(body));
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            "application/octet-stream".parse().unwrap(),
        );
        headers.insert(header::CONTENT_LENGTH, n.into());
        return Ok(res);
    }
    if path == "/echo" && req.method() == Method::POST {
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let body = match req.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Ok(text(StatusCode::BAD_REQUEST, "body read failed\n")),
        };
        let mut res = Response::new(Full::new(body));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            content_type.unwrap_or_else(|| "application/octet-stream".parse().unwrap()),
        );
        return Ok(res);
    }
    Ok(text(StatusCode::NOT_FOUND, "not found\n"))
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    res
}
