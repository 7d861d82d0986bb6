//! The engine's integration tests, one module per subject, in one test binary: one link and
//! one build of the shared helpers instead of one per file. A test that changes the process
//! (`tls_system_ca.rs`: the environment) stays a binary of its own beside this one.
//!
//! `cargo test --release -p hyperhttp-core --test engine pool::` runs one module's tests.

#[path = "../common/mod.rs"]
mod common;
#[path = "../fuzz/mod.rs"]
mod fuzz;

mod before_retry;
mod cookies;
mod decode;
mod dial;
mod fuzz_request;
mod fuzz_response_headers;
mod gzip_members;
mod h2;
mod h2_hostile;
mod head_before_body;
mod malformed;
mod pool;
mod pool_registry;
mod proxy;
mod redirect;
mod request_body;
mod request_headers;
mod request_length;
mod retry;
mod timeouts;
mod timings;
mod tls;
mod tls_options;
mod unix_socket;
mod validation;
