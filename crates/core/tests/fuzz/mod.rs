//! What the property-based test files share: the seeded configuration and generators of
//! hostile text.

// The tests use only part of it.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The seed used unless `PROPTEST_RNG_SEED` gives another.
const DEFAULT_SEED: u64 = 0x6879_7065_7268_7474;

/// A fixed-seed configuration with `default_cases` cases unless `PROPTEST_CASES` is set.
/// The seed is printed, so a failure's output says how to replay it.
pub fn config(default_cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(DEFAULT_SEED);
    }
    // Failures are reproduced from the seed, not from files written into the source tree.
    config.failure_persistence = None;
    eprintln!(
        "proptest: {} cases, seed {:?} (replay with PROPTEST_RNG_SEED)",
        config.cases, config.rng_seed
    );
    config
}

/// Characters that break parsers, shared with the vitest fuzz generators: line breaks of
/// every kind, NUL and other controls, the separators of URLs and header fields, Latin-1 and
/// beyond, letters whose case mapping is ASCII. (Its lone surrogates are not `char`s.)
fn nasty() -> Vec<char> {
    include_str!("../../../../__test__/helpers/hostile-characters.txt")
        .lines()
        .filter_map(|line| line.strip_prefix("U+"))
        .filter_map(|line| u32::from_str_radix(line.split(' ').next()?, 16).ok())
        .filter_map(char::from_u32)
        .collect()
}

/// Up to `max_len` characters, most from [`nasty`], some from anywhere in Unicode.
pub fn nasty_string(max_len: usize) -> impl Strategy<Value = String> + Clone {
    let one = prop_oneof![4 => prop::sample::select(nasty()), 1 => any::<char>()];
    prop::collection::vec(one, 0..=max_len).prop_map(|chars| chars.into_iter().collect())
}

/// Up to `max_len` bytes that can stand in a response header value as a raw server writes
/// it: anything but CR and LF (which would end the line).
pub fn header_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> + Clone {
    let one = prop_oneof![
        3 => prop::sample::select(&b" \t0123456789:/?#%\\.-,aZ"[..]),
        1 => any::<u8>().prop_filter("not CR or LF", |b| *b != b'\r' && *b != b'\n'),
    ];
    prop::collection::vec(one, 0..=max_len)
}
