//! The scanner's cost per text at the sizes the gateway inspects (a ~30-byte answer, a ~250-byte
//! message, a 4 KB prompt), for instruction counts under callgrind:
//!
//!   CARGO_PROFILE_RELEASE_DEBUG=1 CARGO_PROFILE_RELEASE_STRIP=false \
//!       cargo build --release -p itar-filter --example shortscan
//!   for n in 0 1000; do valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$n \
//!       target/release/examples/shortscan 30 $n; done
//!
//! (instructions at 1000 minus at 0, over 1000: one warm scan). The first argument is the text's
//! size in bytes (30 is the bench upstream's answer; other sizes are varied English-like text
//! with its markings, `common/varied.rs`), the second the number of scans after 20 to warm the
//! caches, an optional third `body` scans through `Engine::scan_body` (extraction, normalization,
//! scan, labels) instead of normalization and `Scanner::scan_hidden` alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use itar_filter::engine::Engine;
use itar_filter::normalize::{normalize_into, Normalized};
use itar_filter::policy::{Policy, Provider};
use itar_filter::scan::Scanner;

include!("common/varied.rs");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size: usize = args.get(1).map_or(30, |s| s.parse().unwrap());
    let n: usize = args.get(2).map_or(1000, |s| s.parse().unwrap());
    let body_mode = args.get(3).is_some_and(|s| s == "body");
    let json = include_bytes!("../../policies/default.json");
    let text = match size {
        30 => "Hello from the fast upstream.".to_string(),
        _ => prompt(size, 0x9e37),
    };
    let mut found = 0usize;
    if body_mode {
        let engine = Engine::from_policy_json(json).unwrap();
        let mut scratch = engine.new_scratch();
        let body = serde_json::to_vec(&serde_json::json!({
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": text}]
        }))
        .unwrap();
        for _ in 0..20 + n {
            let r = engine
                .scan_body(&mut scratch, Provider::Openai, &body)
                .unwrap();
            found += r.labels.len();
        }
    } else {
        let scanner = Scanner::compile(&Policy::parse(json).unwrap()).unwrap();
        let mut cache = scanner.new_cache();
        let mut norm = Normalized::with_capacity(1 << 12);
        for _ in 0..20 + n {
            norm.clear();
            normalize_into(&mut norm, &text, 0);
            let out = scanner
                .scan_hidden(&mut cache, &norm.text, &norm.hidden, &[])
                .unwrap();
            found += out.findings.len();
        }
    }
    println!("{} bytes, {} scans, {} findings", text.len(), n, found);
}
