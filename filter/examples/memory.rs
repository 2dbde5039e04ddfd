//! What a policy's compiled automata cost in memory (heap bytes, natively), and the signals that
//! weigh most in them:
//!   cargo run --release -p itar-filter --example memory -- [POLICY]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "policies/default.json".into());
    let text = std::fs::read(&path).expect("policy file");
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
