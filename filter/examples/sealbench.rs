//! Time sealed capture's parts on one record (scripts/bench.d/wasi-run.mjs runs it under V8):
//!   cargo build --release --target wasm32-wasip1 -p itar-filter --example sealbench
//!   node --no-warnings scripts/bench.d/wasi-run.mjs target/wasm32-wasip1/release/examples/sealbench.wasm
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use itar_filter::seal::{binding, texts_json, PrivateKeyFile, Recipient, Sealed, Sealer};
use std::time::Instant;

fn time<T>(reps: u32, mut f: impl FnMut() -> T) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(f());
    }
    t.elapsed().as_secs_f64() * 1e6 / f64::from(reps)
}

fn main() {
    let key = PrivateKeyFile::generate().unwrap();
    let s = Sealer::new(vec![Recipient::parse("b", &key.public_b64).unwrap()]);
    let aad = binding("req", "chain", 1);
    for size in [4096usize, 1_000_000] {
        let text: String =
            "the quarterly plan looks fine ".repeat(size / 30 + 1)[..size].to_string();
        let texts = Sealed {
            request_text: Some(text.clone()),
            response_text: Some("answer ".repeat(40)),
        };
        let reps = if size < 10_000 { 200 } else { 10 };
        let draw = time(reps, || s.draw().unwrap());
        let pt = texts_json(&texts).unwrap();
        let json = time(reps, || texts_json(&texts).unwrap());
        let seed = s.draw().unwrap();
        let seal = time(reps, || s.seal(&seed, &aad, &pt).unwrap());
        let empty = time(reps, || s.seal(&seed, &aad, b"{}").unwrap());
        let env = s.seal(&seed, &aad, &pt).unwrap();
        let line = serde_json::to_vec(&env).unwrap();
        let hash = time(reps, || itar_filter::audit::sha256_hex(&line));
        println!("{size} B: draw {draw:.1} us, texts json {json:.1} us, seal {seal:.1} us (of which fixed: seal of 2 bytes {empty:.1} us), sha256 of the envelope's {} B {hash:.1} us", line.len());
    }
}
