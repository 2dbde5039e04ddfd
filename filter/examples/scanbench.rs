//! Scan throughput of the default policy, natively.
//!
//!   cargo run --release -p itar-filter --example scanbench
//!
//! Compiles policies/default.json (reports the time), then scans synthetic English-like prompts of
//! 4 KB, 64 KB and 1 MB with a few markings and technical details sprinkled in, through the same
//! path the filter uses (extract -> normalize -> one automaton pass -> rules), and prints MB/s:
//! end to end through `Engine::scan_body` (JSON parse, extraction, normalization, scan, rules,
//! redaction and re-serialization), and the detection part alone (normalize + scan + rules).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use itar_filter::classify::Classifier;
use itar_filter::engine::Engine;
use itar_filter::normalize::{normalize_into, Normalized};
use itar_filter::policy::{Policy, Provider};
use itar_filter::scan::Scanner;

include!("common/varied.rs");

fn body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": text}]
    }))
    .unwrap()
}

fn main() {
    let json = include_bytes!("../../policies/default.json");
    let t = Instant::now();
    let engine = Engine::from_policy_json(json).expect("default policy compiles");
    let compile = t.elapsed();
    println!(
        "compile: {:.1} ms (policies/default.json)",
        compile.as_secs_f64() * 1e3
    );
    let mut scratch = engine.new_scratch();
    let scanner = Scanner::compile(&Policy::parse(json).expect("parses")).expect("compiles");
    let mut cache = scanner.new_cache();
    let mut norm = Normalized::with_capacity(1 << 20);
    // The policy's classifiers, to time their judgement alone (it is part of `scan`).
    let models: Vec<Classifier> = Policy::parse(json)
        .expect("parses")
        .classifiers
        .iter()
        .map(|c| {
            use base64::Engine as _;
            let data = c.data.as_deref().expect("inlined");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .expect("base64");
            Classifier::parse(&bytes, &c.label).expect("artifact")
        })
        .collect();
    println!(
        "| prompt | bytes | MB/s end to end (scan_body) | MB/s normalize + scan | MB/s normalize | MB/s scan | MB/s classifiers | labels |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, n) in [("4 KB", 4 << 10), ("64 KB", 64 << 10), ("1 MB", 1000 << 10)] {
        let texts: Vec<Vec<u8>> = (0..4).map(|i| body(&prompt(n, 0x9e37 + i))).collect();
        // Warm the lazy DFA cache.
        for b in &texts {
            engine.scan_body(&mut scratch, Provider::Openai, b).unwrap();
        }
        let mut total = 0usize;
        let mut iters = 0usize;
        let mut labels = 0usize;
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(1500) || iters < 8 {
            let b = &texts[iters % texts.len()];
            let r = engine.scan_body(&mut scratch, Provider::Openai, b).unwrap();
            labels = r.labels.len();
            total += b.len();
            iters += 1;
        }
        let e2e = total as f64 / t.elapsed().as_secs_f64() / 1e6;
        let raw: Vec<String> = (0..4).map(|i| prompt(n, 0x9e37 + i)).collect();
        let rate = |f: &mut dyn FnMut(&str)| {
            let (mut bytes, mut k) = (0usize, 0usize);
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(1000) || k < 8 {
                let s = &raw[k % raw.len()];
                f(s);
                bytes += s.len();
                k += 1;
            }
            bytes as f64 / t.elapsed().as_secs_f64() / 1e6
        };
        let both = rate(&mut |s: &str| {
            norm.clear();
            normalize_into(&mut norm, s, 0);
            scanner.scan(&mut cache, &norm.text).unwrap();
        });
        let only_norm = rate(&mut |s: &str| {
            norm.clear();
            normalize_into(&mut norm, s, 0);
        });
        let only_scan = rate(&mut |s: &str| {
            scanner.scan(&mut cache, s.as_bytes()).unwrap();
        });
        let only_models = rate(&mut |s: &str| {
            for m in &models {
                std::hint::black_box(m.judge(s.as_bytes()));
            }
        });
        println!(
            "| {name} | {} | {e2e:.0} | {both:.0} | {only_norm:.0} | {only_scan:.0} | {only_models:.0} | {labels} |",
            texts[0].len(),
        );
    }
}
