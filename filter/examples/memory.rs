//! What a policy's compiled automata cost in memory (heap bytes, natively), and the signals that
//! weigh most in them:
//!   cargo run --release -p itar-filter --example memory -- [POLICY]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

include!("common/counting.rs");

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "policies/default.json".into());
    let text = std::fs::read(&path).expect("policy file");
    // The whole configure step as the filter runs it: parse, check, compile, first scratch.
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    {
        let engine = itar_filter::engine::Engine::from_policy_json(&text).expect("engine");
        let scratch = engine.new_scratch();
        println!(
            "configure: {:.2} MB kept (engine and scratch), {:.2} MB at the peak while compiling",
            mb(LIVE.load(Relaxed) - base),
            mb(PEAK.load(Relaxed) - base)
        );
        drop(scratch);
        drop(engine);
    }
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let parsed = itar_filter::policy::Policy::parse(&text).expect("policy");
    let kept_policy = LIVE.load(Relaxed) - base;
    println!(
        "  of which parsing the policy: {:.2} MB kept, {:.2} MB at the peak",
        mb(kept_policy),
        mb(PEAK.load(Relaxed) - base)
    );
    let base2 = LIVE.load(Relaxed);
    PEAK.store(base2, Relaxed);
    let compiled = itar_filter::scan::Scanner::compile(&parsed).expect("compile");
    println!(
        "  and compiling its scanner: {:.2} MB kept, {:.2} MB at the peak",
        mb(LIVE.load(Relaxed) - base2),
        mb(PEAK.load(Relaxed) - base2)
    );
    drop(compiled);
    drop(parsed);
    let policy = itar_filter::policy::Policy::parse(&text).expect("policy");
    let scanner = itar_filter::scan::Scanner::compile(&policy).expect("compile");
    let mut total = 0;
    for (name, bytes) in scanner.memory() {
        total += bytes;
        println!("{name:24} {:>8.2} MB", bytes as f64 / 1e6);
    }
    println!("{:24} {:>8.2} MB", "total", total as f64 / 1e6);
    let mut sizes: Vec<(usize, usize, &str)> = policy
        .signals
        .iter()
        .map(|s| {
            let (bytes, states) = itar_filter::scan::signal_nfa_bytes(s).expect("signal");
            (bytes, states, s.id.as_str())
        })
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    println!("\nlargest signals (forward NFA compiled alone):");
    for (bytes, states, id) in sizes.iter().take(15) {
        println!("{id:24} {:>8.1} KB {states:>7} states", *bytes as f64 / 1e3);
    }
}
