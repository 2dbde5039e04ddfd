//! The scan's lazy-DFA caches on varied text with leading matches, natively: each pass scans a
//! new 1 MB text of `examples/common/varied.rs` (four seeds in turn) and prints its time and the
//! caches' clear counts and heap bytes (leading pass, full pass, exact loop).
//!
//!   cargo run --release -p itar-filter --example scandiag -- [BYTES [PASSES]]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use itar_filter::normalize::{normalize_into, Normalized};
use itar_filter::policy::Policy;
use itar_filter::scan::Scanner;
use std::time::Instant;
include!("common/varied.rs");
fn main() {
    let json = include_bytes!("../../policies/default.json");
    let scanner = Scanner::compile(&Policy::parse(json).unwrap()).unwrap();
    let mut cache = scanner.new_cache();
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(1000 << 10);
    let reps: usize = std::env::args()
        .nth(2)
        .map(|a| a.parse().unwrap())
        .unwrap_or(3);
    for i in 0..reps as u64 {
        let raw = prompt(n, 0x9e37 + i % 4);
        let mut norm = Normalized::with_capacity(n);
        normalize_into(&mut norm, &raw, 0);
        let t = Instant::now();
        let out = scanner.scan(&mut cache, &norm.text).unwrap();
        let el = t.elapsed().as_secs_f64();
        println!(
            "{i}: {n} bytes {:.1} ms {:.1} MB/s findings {} {:?}",
            el * 1e3,
            n as f64 / el / 1e6,
            out.findings.len(),
            cache.stats()
        );
    }
}
