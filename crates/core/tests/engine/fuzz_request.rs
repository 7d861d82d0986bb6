//! Property-based tests of `Request::new` over arbitrary methods, URLs and header bytes: it
//! never panics, refuses every CR, LF and NUL, and what it accepts is exactly what was given.
//! Nothing is sent, so any host may appear in a generated URL.
//!
//! Seeded: `PROPTEST_RNG_SEED` overrides the fixed seed, `PROPTEST_CASES` the number of cases
//! (see the README, "Testing").

use crate::fuzz;

use fuzz::{config, nasty_string};
use hyperhttp_core::{Kind, Request, RequestBody, RequestOptions};
use proptest::prelude::*;

const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACK",
];

/// A method: a known one in random case, or anything.
fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(&METHODS[..]), any::<u64>()).prop_map(|(m, bits)| {
            m.chars()
                .enumerate()
                .map(|(i, c)| {
                    if bits >> i & 1 == 1 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect()
        }),
        nasty_string(12),
        any::<String>(),
    ]
}

/// A URL: a plausible prefix followed by hostile text, or anything.
fn url() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(
        &[
            "http://127.0.0.1:1/",
            "https://localhost/",
            "http://",
            "https://",
            "HTTP://h/",
            "http://[::1]:8080/",
            "ftp://h/",
            "file:///",
            "data:,",
            "",
        ][..],
    );
    prop_oneof![
        3 => (prefix, nasty_string(24)).prop_map(|(p, rest)| format!("{p}{rest}")),
        1 => any::<String>(),
    ]
}

/// Header pairs, flattened, sometimes with a dangling name.
fn headers() -> impl Strategy<Value = Vec<String>> {
    let name = prop_oneof![
        prop::sample::select(&["x-test", "Accept", "content-type", "X-A"][..])
            .prop_map(str::to_owned),
        nasty_string(10),
    ];
    let value = prop_oneof![
        nasty_string(40),
        any::<String>(),
        "[ \t]{0,3}[a-z]{0,5}[ \t]{0,3}"
    ];
    (
        prop::collection::vec((name, value), 0..4),
        prop::option::weighted(0.05, "[a-z]{1,4}"),
    )
        .prop_map(|(pairs, dangling)| {
            let mut flat: Vec<String> = pairs.into_iter().flat_map(|(n, v)| [n, v]).collect();
            flat.extend(dangling);
            flat
        })
}

fn has_cr_lf_nul(s: &str) -> bool {
    s.contains(['\r', '\n', '\0'])
}

/// The bytes a header value may legitimately become on the wire: its UTF-8, or (when every
/// character is at most U+00FF) one byte per character, after trimming spaces and tabs.
fn accepted_encodings(value: &str) -> Vec<Vec<u8>> {
    let trimmed = value.trim_matches([' ', '\t']);
    let mut out = vec![trimmed.as_bytes().to_vec()];
    if trimmed.chars().all(|c| u32::from(c) <= 0xFF) {
        out.push(trimmed.chars().map(|c| u32::from(c) as u8).collect());
    }
    out
}

#[test]
fn request_new_never_panics_and_never_accepts_cr_lf_nul() {
    proptest!(config(4096), |(method in method(), url in url(), headers in headers())| {
        let result = Request::new(&method, &url, &headers, RequestBody::Empty, RequestOptions::default());
        let must_refuse = has_cr_lf_nul(&method)
            || has_cr_lf_nul(&url)
            || headers.len() % 2 == 1
            || headers.iter().any(|h| has_cr_lf_nul(h));
        match result {
            Err(e) => prop_assert_eq!(e.kind(), Kind::InvalidArgument, "{}", e),
            Ok(req) => {
                prop_assert!(!must_refuse, "accepted CR, LF or NUL: {:?} {:?} {:?}", method, url, headers);
                let m = req.method.as_str();
                prop_assert!(!m.is_empty() && m.bytes().all(|b| b.is_ascii_graphic()), "method {:?}", m);
                prop_assert!(m.eq_ignore_ascii_case(&method), "method changed: {:?} -> {:?}", method, m);
                prop_assert!(!m.eq_ignore_ascii_case("CONNECT") && !m.eq_ignore_ascii_case("TRACK"));
                let u = req.url.as_str();
                prop_assert!(u.bytes().all(|b| b.is_ascii_graphic()), "URL has a control or space: {:?}", u);
                prop_assert!(matches!(req.url.scheme(), "http" | "https"), "scheme of {:?}", u);
                prop_assert!(req.url.host_str().is_some_and(|h| !h.is_empty()), "no host in {:?}", u);
                // The engine adds only these: credentials from the URL, `content-length: 0`
                // for a body-less POST/PUT/PATCH, `accept-encoding: identity` with a Range.
                for name in req.headers.keys() {
                    let given = headers.chunks_exact(2).any(|pair| pair[0].eq_ignore_ascii_case(name.as_str()));
                    prop_assert!(
                        given || matches!(name.as_str(), "authorization" | "content-length" | "accept-encoding"),
                        "header {:?} was added", name
                    );
                }
                for pair in headers.chunks_exact(2) {
                    let lower = pair[0].to_ascii_lowercase();
                    let sent: Vec<&[u8]> = req.headers.get_all(lower.as_str()).iter().map(|v| v.as_bytes()).collect();
                    let wanted = accepted_encodings(&pair[1]);
                    prop_assert!(
                        sent.iter().any(|s| wanted.iter().any(|w| w == s)),
                        "header {:?}: {:?} became {:?}", pair[0], pair[1], sent
                    );
                }
                for (name, value) in &req.headers {
                    prop_assert!(!value.as_bytes().iter().any(|b| matches!(b, b'\r' | b'\n' | 0)), "{}: {:?}", name, value);
                }
            }
        }
    });
}
