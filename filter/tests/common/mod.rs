//! Shared by the integration tests (each test crate uses part of it).
#![allow(dead_code)]

/// xorshift64*: deterministic pseudo-random inputs without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Whether `got` is `orig` with each span (in order of appearance) replaced by a placeholder.
pub fn redaction_exact(orig: &str, spans: &[String], got: &str) -> bool {
    // Spans in order of their position in the original.
    let mut located: Vec<(usize, usize)> = Vec::new();
    let mut used = vec![false; spans.len()];
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (i, sp) in spans.iter().enumerate() {
        let mut from = 0;
        // Repeated identical spans take successive occurrences.
        loop {
            let Some(p) = orig[from..].find(sp.as_str()) else {
                return false;
            };
            let s = from + p;
            if located.iter().any(|&(a, b)| s < b && s + sp.len() > a) {
                from = s + 1;
                continue;
            }
            located.push((s, s + sp.len()));
            order.push((s, i));
            used[i] = true;
            break;
        }
    }
    located.sort();
    let mut g = got;
    let mut cur = 0;
    for &(s, e) in &located {
        let Some(rest) = g.strip_prefix(&orig[cur..s]) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix("[REDACTED:") else {
            return false;
        };
        let Some(close) = rest.find(']') else {
            return false;
        };
        g = &rest[close + 1..];
        cur = e;
    }
    g == &orig[cur..]
}
