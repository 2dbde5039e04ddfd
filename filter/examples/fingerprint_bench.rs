//! Document fingerprints at scale, natively (docs/learning.md, "Document fingerprints"):
//!
//!   cargo run --release -p itar-filter --example fingerprint_bench -- [DOCS] [UNRELATED_MB] [POLICY_OUT]
//!
//! Generates a corpus of DOCS documents (10,000 by default, about 20 KB of English-like technical
//! prose each: function words, a 40,000-word made-up vocabulary with a topic per document,
//! figures, headings, line breaks), builds the artifact, puts it in the default policy and
//! reports: build time, artifact bytes, the engine's heap bytes kept and at the peak while
//! configuring, with and without it; recall of 40-word excerpts of random documents inside a
//! prompt, plain and reformatted (case, line breaks, punctuation, Cyrillic look-alike letters);
//! false matches over UNRELATED_MB (100 by default) of text from the same generator with other
//! seeds, cut into 4 KB requests; and the time of 4 KB prompts (64 different ones, in turn) and
//! a 1 MB prompt through `Engine::scan_body` with and without the artifact, and of the
//! fingerprint pass alone on the same texts. Deterministic. POLICY_OUT: also write the
//! default policy with the artifact inlined there (for `scripts/bench --artifact-policy` and
//! `examples/bench_native --policy`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use base64::Engine as _;
use itar_filter::engine::Engine;
use itar_filter::fingerprint::{
    build, doc_id, id_hex, winnow, Doc, Fingerprints, DEFAULT_K, DEFAULT_W,
};
use itar_filter::policy::Provider;

include!("common/counting.rs");
include!("common/varied.rs");

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FUNCTION: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "for", "with", "on", "by", "at", "from", "as", "be",
    "shall", "this", "that", "are", "each", "when", "its", "not", "or", "than", "per", "after",
    "before", "during", "under", "between", "all", "which", "must", "will",
];

/// A made-up vocabulary of `n` words (syllables), the same for every seed.
fn vocabulary(n: usize) -> Vec<String> {
    const SYL: &[&str] = &[
        "ka", "ro", "ven", "dal", "mi", "tor", "qua", "sel", "pha", "nix", "bor", "el", "ustr",
        "gan", "fe", "lo", "mur", "ast", "ti", "ber", "con", "dex", "vo", "lan", "sim", "rap",
        "zen", "ot", "ply", "gre",
    ];
    let mut r = Rng(0x5EED_F00D);
    let mut seen = std::collections::BTreeSet::new();
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let parts = 2 + r.below(3);
        let w: String = (0..parts).map(|_| SYL[r.below(SYL.len())]).collect();
        if seen.insert(w.clone()) {
            v.push(w);
        }
    }
    v
}

/// About `bytes` of technical prose; `seed` picks the topic and the words.
fn document(vocab: &[String], seed: u64, bytes: usize) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // A topic: 300 words of the vocabulary this document uses often.
    let topic: Vec<usize> = (0..300).map(|_| r.below(vocab.len())).collect();
    let mut s = String::with_capacity(bytes + 200);
    let mut section = 1;
    while s.len() < bytes {
        if r.below(30) == 0 {
            s.push_str(&format!(
                "\n\n{section}. {}\n",
                vocab[topic[r.below(topic.len())]].to_uppercase()
            ));
            section += 1;
        }
        let len = 8 + r.below(14);
        for i in 0..len {
            let x = r.below(100);
            let w: &str = if x < 38 {
                FUNCTION[r.below(FUNCTION.len())]
            } else if x < 80 {
                &vocab[topic[r.below(topic.len())]]
            } else if x < 95 {
                &vocab[r.below(vocab.len())]
            } else {
                ""
            };
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else if w.is_empty() {
                s.push_str(&format!("{}.{}", r.below(900), r.below(100)));
            } else {
                s.push_str(w);
            }
            if i + 1 < len {
                s.push_str(if r.below(12) == 0 { ", " } else { " " });
            }
        }
        s.push_str(if r.below(6) == 0 { ".\n" } else { ". " });
    }
    s
}

/// Words `at..at + n` reformatted: random case, a line break or punctuation between words,
/// Cyrillic look-alikes for some letters.
fn reformat(words: &[&str], r: &mut Rng) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            s.push_str(match r.below(5) {
                0 => "\n",
                1 => ", ",
                2 => " - ",
                3 => "  ",
                _ => " ",
            });
        }
        let upper = r.below(3) == 0;
        for c in w.chars() {
            let c = if upper { c.to_ascii_uppercase() } else { c };
            s.push(match (c, r.below(4)) {
                ('a', 0) => '\u{0430}',
                ('e', 0) => '\u{0435}',
                ('o', 0) => '\u{043E}',
                ('A', 0) => '\u{0410}',
                ('E', 0) => '\u{0415}',
                ('O', 0) => '\u{041E}',
                _ => c,
            });
        }
    }
    s
}

fn body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": text}]
    }))
    .unwrap()
}

fn found(engine: &Engine, scratch: &mut itar_filter::engine::Scratch, text: &str) -> Vec<String> {
    let r = engine
        .scan_body(scratch, Provider::Openai, &body(text))
        .expect("scan");
    r.labels
        .iter()
        .filter(|l| l.rules.iter().any(|x| x.starts_with("fingerprint.")))
        .flat_map(|l| l.features.clone())
        .collect()
}

/// Median seconds of `runs` scans, going round `texts` (different texts, as traffic is: the
/// same text over and over lets the branch predictor learn it).
fn time(engine: &Engine, texts: &[String], runs: usize) -> f64 {
    let mut scratch = engine.new_scratch();
    let bodies: Vec<Vec<u8>> = texts.iter().map(|t| body(t)).collect();
    let mut t: Vec<f64> = (0..runs)
        .map(|i| {
            let b = &bodies[i % bodies.len()];
            let s = Instant::now();
            let r = engine
                .scan_body(&mut scratch, Provider::Openai, b)
                .expect("scan");
            std::hint::black_box(r);
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let ndocs: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |a| a.parse().expect("DOCS"));
    let unrelated_mb: usize = std::env::args()
        .nth(2)
        .map_or(100, |a| a.parse().expect("MB"));
    let vocab = vocabulary(40_000);
    let t = Instant::now();
    let docs: Vec<String> = (0..ndocs)
        .map(|i| document(&vocab, i as u64 + 1, 20_000))
        .collect();
    let text_bytes: usize = docs.iter().map(String::len).sum();
    println!(
        "corpus: {ndocs} documents, {:.1} MB of text, {:.1} M words (generated in {:.1} s)",
        mb(text_bytes),
        docs.iter()
            .map(|d| d.split_whitespace().count())
            .sum::<usize>() as f64
            / 1e6,
        t.elapsed().as_secs_f64()
    );
    let input: Vec<Doc> = docs
        .iter()
        .map(|d| Doc {
            id: doc_id(d.as_bytes()),
            text: d,
        })
        .collect();
    let t = Instant::now();
    let built = build("ITAR", &input, DEFAULT_K, DEFAULT_W, 8).expect("build");
    println!(
        "artifact: {} bytes ({:.2} MB), {} fingerprints, {} dropped as shared, built in {:.1} s (k {DEFAULT_K}, w {DEFAULT_W})",
        built.bytes.len(),
        mb(built.bytes.len()),
        built.entries,
        built.dropped_common,
        t.elapsed().as_secs_f64()
    );
    let base_json = include_bytes!("../../policies/default.json");
    let mut policy: serde_json::Value = serde_json::from_slice(base_json).unwrap();
    policy["fingerprints"] = serde_json::json!([{
        "label": "ITAR",
        "sha256": itar_filter::audit::sha256_hex(&built.bytes),
        "data": base64::engine::general_purpose::STANDARD.encode(&built.bytes),
    }]);
    let with_json = serde_json::to_vec(&policy).unwrap();
    if let Some(out) = std::env::args().nth(3) {
        std::fs::write(&out, &with_json).expect("POLICY_OUT");
        println!("policy with the artifact written to {out}");
    }
    drop(policy);
    drop(input);
    let artifact = built.bytes;

    // Memory: what a configured engine keeps, and the peak while configuring.
    let measure = |json: &[u8]| {
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let t = Instant::now();
        let e = Engine::from_policy_json(json).expect("policy compiles");
        let s = e.new_scratch();
        let secs = t.elapsed().as_secs_f64();
        let kept = LIVE.load(Relaxed) - base;
        let peak = PEAK.load(Relaxed) - base;
        (e, s, kept, peak, secs)
    };
    let (plain, plain_scratch, k0, p0, s0) = measure(base_json);
    drop(plain_scratch);
    let (with, with_scratch, k1, p1, s1) = measure(&with_json);
    drop(with_scratch);
    // As the Wasm filter configures: the configuration's bytes arrive in the VM's memory and
    // `FilterConfig::load_owned` takes them (so they count in the peak).
    let measure_vm = |json: &[u8]| {
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let c = itar_filter::config::FilterConfig::load_owned(json.to_vec()).expect("config loads");
        let s = c.engine.new_scratch();
        let kept = LIVE.load(Relaxed) - base;
        let peak = PEAK.load(Relaxed) - base;
        drop((c, s));
        (kept, peak)
    };
    let (vk0, vp0) = measure_vm(base_json);
    let (vk1, vp1) = measure_vm(&with_json);
    println!(
        "policy JSON: {:.2} MB without, {:.2} MB with the artifact inlined (base64)",
        mb(base_json.len()),
        mb(with_json.len())
    );
    println!(
        "engine kept: {:.2} MB without, {:.2} MB with (+{:.2} MB; the index alone {:.2} MB); configure peak {:.2} / {:.2} MB; configure {:.2} / {:.2} s",
        mb(k0),
        mb(k1),
        mb(k1.saturating_sub(k0)),
        mb(with.fingerprint_memory()),
        mb(p0),
        mb(p1),
        s0,
        s1
    );
    println!(
        "as a Wasm VM configures (FilterConfig::load_owned, the configuration's bytes counted): kept {:.2} / {:.2} MB, peak {:.2} / {:.2} MB (+{:.2} MB with the artifact)",
        mb(vk0),
        mb(vk1),
        mb(vp0),
        mb(vp1),
        mb(vp1.saturating_sub(vp0))
    );

    // Recall: 40-word excerpts of random documents inside a prompt.
    let mut scratch = with.new_scratch();
    let mut r = Rng(0xC0FF_EE11);
    let samples = 2000;
    let (mut plain_hits, mut re_hits) = (0, 0);
    for _ in 0..samples {
        let d = r.below(ndocs);
        let words: Vec<&str> = docs[d].split_whitespace().collect();
        let at = r.below(words.len() - 40);
        let ex = &words[at..at + 40];
        let want = format!("doc:{}", id_hex(doc_id(docs[d].as_bytes())));
        let p = format!("Can you check the wording here? {} Thanks.", ex.join(" "));
        if found(&with, &mut scratch, &p).contains(&want) {
            plain_hits += 1;
        }
        let p = format!(
            "Can you check the wording here?\n{}\nThanks.",
            reformat(ex, &mut r)
        );
        if found(&with, &mut scratch, &p).contains(&want) {
            re_hits += 1;
        }
    }
    println!(
        "recall of 40-word excerpts: plain {:.2}% ({plain_hits}/{samples}), reformatted {:.2}% ({re_hits}/{samples})",
        plain_hits as f64 * 100.0 / samples as f64,
        re_hits as f64 * 100.0 / samples as f64
    );

    // False matches: unrelated text from the same generator (other seeds), in 4 KB requests.
    let t = Instant::now();
    let (mut requests, mut false_requests, mut bytes) = (0usize, 0usize, 0usize);
    let mut seed = 1_000_000u64;
    while bytes < unrelated_mb * 1_000_000 {
        let d = document(&vocab, seed, 64_000);
        seed += 1;
        let mut rest = d.as_str();
        while rest.len() >= 4096 {
            let mut cut = 4096;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (req, tail) = rest.split_at(cut);
            rest = tail;
            requests += 1;
            bytes += req.len();
            if !found(&with, &mut scratch, req).is_empty() {
                false_requests += 1;
            }
        }
    }
    println!(
        "false matches: {false_requests} of {requests} requests of 4 KB ({:.1} MB of unrelated text, {:.1} s)",
        mb(bytes),
        t.elapsed().as_secs_f64()
    );

    // Time: 4 KB prompts (64 different ones) and a 1 MB prompt, with and without the artifact.
    for (n, texts, runs) in [(4096usize, 64u64, 1280usize), (1 << 20, 1, 15)] {
        let p: Vec<String> = (0..texts).map(|i| prompt(n, 7 + i)).collect();
        // Warm both engines' caches on these texts first.
        time(&plain, &p, p.len());
        time(&with, &p, p.len());
        let a = time(&plain, &p, runs);
        let b = time(&with, &p, runs);
        println!(
            "scan_body {:>7} bytes: {:.1} us without, {:.1} us with (+{:.1}%); {:.0} / {:.0} MB/s",
            n,
            a * 1e6,
            b * 1e6,
            (b / a - 1.0) * 100.0,
            mb(n) / a,
            mb(n) / b
        );
    }
    // The fingerprint pass alone (words, shingles, winnowing, lookups) on the normalized prompt.
    let fp = Fingerprints::parse(&artifact, "ITAR").expect("artifact");
    for (n, texts, runs) in [(4096usize, 64u64, 2560usize), (1 << 20, 1, 15)] {
        let normalized: Vec<Vec<u8>> = (0..texts)
            .map(|i| {
                let mut norm = itar_filter::normalize::Normalized::with_capacity(n);
                itar_filter::normalize::normalize_into(&mut norm, &prompt(n, 7 + i), 0);
                norm.text
            })
            .collect();
        let median = |lookups: bool| {
            let mut t: Vec<f64> = (0..runs)
                .map(|i| {
                    let text = &normalized[i % normalized.len()];
                    let s = Instant::now();
                    let mut hits = 0usize;
                    match lookups {
                        true => fp.find(text, &[], |_, _, _| hits += 1),
                        false => winnow(text, &[], DEFAULT_K, DEFAULT_W, |h, _, _| {
                            hits ^= h as usize
                        }),
                    }
                    std::hint::black_box(hits);
                    s.elapsed().as_secs_f64()
                })
                .collect();
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        };
        let (all, hashing) = (median(true), median(false));
        println!(
            "fingerprint pass alone {:>7} bytes: {:.2} us, {:.2} ns/byte (words, shingles and winnowing {:.2} us, lookups {:.2} us)",
            n,
            all * 1e6,
            all * 1e9 / n as f64,
            hashing * 1e6,
            (all - hashing) * 1e6
        );
    }
}
