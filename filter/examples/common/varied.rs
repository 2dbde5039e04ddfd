// English-like text from a 70-word list with a marking, a legend, a few quantities or a near
// miss every ~2 KB: the scan's "varied text with leading matches" (included by
// `examples/scanbench.rs`, `examples/scandiag.rs` and the scan's guard test).

const WORDS: &[&str] = &[
    "the",
    "quarterly",
    "report",
    "shows",
    "steady",
    "growth",
    "in",
    "services",
    "and",
    "the",
    "team",
    "will",
    "review",
    "customer",
    "feedback",
    "before",
    "launch",
    "of",
    "a",
    "new",
    "onboarding",
    "flow",
    "please",
    "send",
    "notes",
    "to",
    "marketing",
    "by",
    "friday",
    "we",
    "expect",
    "budget",
    "travel",
    "hiring",
    "design",
    "engineering",
    "handoffs",
    "improved",
    "settings",
    "page",
    "labels",
    "mobile",
    "app",
    "privacy",
    "notice",
    "approved",
    "legal",
    "cafeteria",
    "survey",
    "vegetarian",
    "options",
    "parking",
    "lot",
    "resurfacing",
    "north",
    "entrance",
    "minutes",
    "morning",
    "retrospective",
    "highlighted",
    "better",
    "estimates",
    "sprint",
    "velocity",
    "database",
    "migration",
    "index",
    "concurrently",
    "postgres",
    "deploy",
    "rollback",
    "canary",
    "metrics",
    "latency",
    "p99",
    "dashboard",
    "alerts",
    "on-call",
    "rotation",
];

const SPRINKLES: &[&str] = &[
    "SECRET//NOFORN",
    "(U//FOUO) The badge office moves to building 4.",
    "Distribution Statement A. Approved for public release.",
    "EXPORT CONTROLLED - ITAR",
    "torque 24 Nm, gap 0.05 mm +/- 0.01, 2,000 rpm",
    "Secret Santa on Friday",
    "(C) 2024 Example Corp.",
    "call 555-0100 or email team@example.com",
    "CUI//SP-EXPT",
    "the 120 mm test at 1,650 m/s",
];

/// Deterministic English-like text of about `n` bytes with a marking every ~2 KB.
fn prompt(n: usize, seed: u64) -> String {
    let mut x = seed;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut s = String::with_capacity(n + 64);
    let mut since = 0usize;
    while s.len() < n {
        let r = next();
        if since > 2000 {
            s.push_str(SPRINKLES[(r % SPRINKLES.len() as u64) as usize]);
            s.push_str(". ");
            since = 0;
        }
        let w = WORDS[(r % WORDS.len() as u64) as usize];
        s.push_str(w);
        since += w.len() + 1;
        s.push(if r % 17 == 0 { '\n' } else { ' ' });
        if r % 11 == 0 {
            s.pop();
            s.push_str(". ");
        }
    }
    s.truncate(n);
    s
}
