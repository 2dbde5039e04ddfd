//! Usage governance: requests and tokens per fixed window, per user, team, model, destination or
//! globally, counted in proxy-wasm shared data (shared by every worker VM of one Envoy) with
//! compare-and-swap, so concurrent workers never both take the last unit.
//!
//! Admission happens after the content decision, when the destination is known: each matching
//! quota is charged one request and the prompt's estimated tokens; if any quota would go over its
//! limit, the ones already charged are given back and the request gets 429 with Retry-After. When
//! the response ends, the charge is settled with the usage the model reported.
//!
//! Overshoot bound: request counts never exceed the limit. Token counts can exceed it by what the
//! requests in flight consume beyond their prompt estimate (their completions), since those are
//! only known afterwards; the next request is refused as soon as the settled total is over.

use super::Engine;
use crate::policy::QuotaScope;

/// proxy-wasm shared data, or an in-memory stand-in in tests.
pub trait SharedStore {
    /// The value and its CAS token.
    fn get(&mut self, key: &str) -> (Option<Vec<u8>>, Option<u32>);
    /// Store if the CAS token still matches.
    fn set(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// Someone else wrote since our read: read again.
    CasMismatch,
    Failed,
}

/// Who and what a request is, for quota matching.
#[derive(Debug, Clone, Copy)]
pub struct QuotaSubject<'a> {
    pub user: &'a str,
    pub team: &'a str,
    pub model: &'a str,
    pub destination: &'a str,
}

/// What one admitted request was charged, to settle later.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    key: String,
    window: u64,
    pub estimated_tokens: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub quota: String,
    /// Seconds until the window resets.
    pub retry_after: u64,
    /// "requests" or "tokens".
    pub what: &'static str,
}

const RETRIES: usize = 64;

fn decode(v: Option<Vec<u8>>) -> (u64, u64, u64) {
    let Some(b) = v else { return (0, 0, 0) };
    let rd = |i: usize| -> u64 {
        b.get(i * 8..i * 8 + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map_or(0, u64::from_le_bytes)
    };
    (rd(0), rd(1), rd(2))
}

fn encode(window: u64, requests: u64, tokens: u64) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(&window.to_le_bytes());
    out[8..16].copy_from_slice(&requests.to_le_bytes());
    out[16..].copy_from_slice(&tokens.to_le_bytes());
    out
}

/// Apply `f` to the counter under `key` for `window` with CAS retries. `f` gets (requests, tokens)
/// of the current window and returns the new values, or None to leave it (refusal).
fn update<S: SharedStore>(
    store: &mut S,
    key: &str,
    window: u64,
    mut f: impl FnMut(u64, u64) -> Option<(u64, u64)>,
) -> Result<bool, StoreError> {
    for _ in 0..RETRIES {
        let (val, cas) = store.get(key);
        let (w, r, t) = decode(val);
        let (r, t) = if w == window { (r, t) } else { (0, 0) };
        let Some((nr, nt)) = f(r, t) else {
            return Ok(false);
        };
        match store.set(key, &encode(window, nr, nt), cas) {
            Ok(()) => return Ok(true),
            Err(StoreError::CasMismatch) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Failed)
}

impl Engine {
    /// Charge every quota that applies; refuse (and give back what was charged) if one is over.
    /// A store failure refuses too (fail closed).
    pub fn admit<S: SharedStore>(
        &self,
        store: &mut S,
        who: QuotaSubject<'_>,
        now_secs: u64,
        est_tokens: u64,
    ) -> Result<Vec<Charge>, Refusal> {
        let mut charged: Vec<Charge> = Vec::new();
        for q in &self.quotas {
            if (!q.models.is_empty() && !q.models.iter().any(|m| m == who.model))
                || (!q.destinations.is_empty()
                    && !q.destinations.iter().any(|d| d == who.destination))
            {
                continue;
            }
            let scope = match q.scope {
                QuotaScope::User => who.user,
                QuotaScope::Team => who.team,
                QuotaScope::Model => who.model,
                QuotaScope::Destination => who.destination,
                QuotaScope::Global => "*",
            };
            let key = format!("itar-quota:{}:{}", q.id, scope);
            let window = now_secs / q.window_seconds;
            let retry_after = (window + 1) * q.window_seconds - now_secs;
            let mut what = "requests";
            let res = update(store, &key, window, |r, t| {
                if q.requests.is_some_and(|l| r + 1 > l) {
                    what = "requests";
                    return None;
                }
                if q.tokens.is_some_and(|l| t.saturating_add(est_tokens) > l) {
                    what = "tokens";
                    return None;
                }
                Some((r + 1, t.saturating_add(est_tokens)))
            });
            match res {
                Ok(true) => charged.push(Charge {
                    key,
                    window,
                    estimated_tokens: est_tokens,
                }),
                Ok(false) | Err(_) => {
                    self.give_back(store, &charged);
                    return Err(Refusal {
                        quota: q.id.clone(),
                        retry_after: retry_after.max(1),
                        what: if res.is_err() { "store" } else { what },
                    });
                }
            }
        }
        Ok(charged)
    }

    fn give_back<S: SharedStore>(&self, store: &mut S, charged: &[Charge]) {
        for c in charged {
            let _ = update(store, &c.key, c.window, |r, t| {
                Some((r.saturating_sub(1), t.saturating_sub(c.estimated_tokens)))
            });
        }
    }

    /// When the model's usage is known: replace the estimate with the actual tokens.
    pub fn settle<S: SharedStore>(&self, store: &mut S, charged: &[Charge], actual_tokens: u64) {
        for c in charged {
            let _ = update(store, &c.key, c.window, |r, t| {
                Some((
                    r,
                    t.saturating_sub(c.estimated_tokens)
                        .saturating_add(actual_tokens),
                ))
            });
        }
    }
}

impl Engine {
    /// The 429 for a refused admission, in the provider's format, with Retry-After.
    pub fn throttle_reply(
        &self,
        provider: crate::wire::Format,
        refusal: &Refusal,
        audit: &mut crate::audit::AuditRecord,
    ) -> crate::reply::Reply {
        let msg = format!(
            "usage limit {} reached ({}); retry in {} s",
            refusal.quota, refusal.what, refusal.retry_after
        );
        audit.quota = Some(refusal.quota.clone());
        let mut r = super::deny(audit, provider, 429, "throttle", "quota_exceeded", &msg);
        r.headers
            .push(("retry-after", refusal.retry_after.to_string()));
        r
    }

    /// Admission of a request the content decision forwards to `destination`: charges the
    /// quotas that apply (the prompt estimated at 4 bytes of forwarded body per token), or the 429
    /// to send instead.
    pub fn admit_request<S: SharedStore>(
        &self,
        store: &mut S,
        provider: crate::wire::Format,
        audit: &mut crate::audit::AuditRecord,
        destination: &str,
        now_secs: u64,
    ) -> Result<Vec<Charge>, crate::reply::Reply> {
        let est = (audit.forwarded_bytes.unwrap_or(audit.request_bytes) / 4) as u64;
        let id = audit.identity.as_ref();
        let who = QuotaSubject {
            user: id.and_then(|i| i.subject.as_deref()).unwrap_or("-"),
            team: id.and_then(|i| i.team.as_deref()).unwrap_or("-"),
            model: audit.model.as_deref().unwrap_or("-"),
            destination,
        };
        match self.admit(store, who, now_secs, est) {
            Ok(c) => Ok(c),
            Err(refusal) => {
                let r = self.throttle_reply(provider, &refusal, audit);
                audit.destination = None;
                audit.forwarded_bytes = None;
                Err(r)
            }
        }
    }

    /// Descriptor headers for Envoy's global rate limit filter (empty unless the policy asks).
    pub fn rate_limit_headers(
        &self,
        audit: &crate::audit::AuditRecord,
        destination: &str,
    ) -> Vec<(&'static str, String)> {
        if !self.rate_limit_descriptors {
            return Vec::new();
        }
        let id = audit.identity.as_ref();
        vec![
            (
                "x-itar-rl-user",
                id.and_then(|i| i.subject.clone())
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "x-itar-rl-team",
                id.and_then(|i| i.team.clone())
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "x-itar-rl-model",
                audit.model.clone().unwrap_or_else(|| "-".into()),
            ),
            ("x-itar-rl-destination", destination.to_string()),
        ]
    }

    /// Whether any quota is configured (the glue skips shared-data work otherwise).
    pub fn has_quotas(&self) -> bool {
        !self.quotas.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Mem {
        map: HashMap<String, (Vec<u8>, u32)>,
        /// Fail the next N sets with a CAS mismatch (another worker wrote).
        conflicts: usize,
    }

    impl SharedStore for Mem {
        fn get(&mut self, key: &str) -> (Option<Vec<u8>>, Option<u32>) {
            match self.map.get(key) {
                Some((v, c)) => (Some(v.clone()), Some(*c)),
                None => (None, None),
            }
        }
        fn set(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
            if self.conflicts > 0 {
                self.conflicts -= 1;
                let e = self.map.entry(key.to_string()).or_insert((Vec::new(), 0));
                e.1 += 1;
                return Err(StoreError::CasMismatch);
            }
            let cur = self.map.get(key).map(|(_, c)| *c);
            if cur.is_some() && cur != cas {
                return Err(StoreError::CasMismatch);
            }
            let next = cur.unwrap_or(0) + 1;
            self.map.insert(key.to_string(), (value.to_vec(), next));
            Ok(())
        }
    }

    fn engine() -> Engine {
        let p = serde_json::json!({
            "id": "q", "version": "1",
            "endpoints": [{"path": "/v1/chat/completions", "format": "openai"}],
            "destinations": {"c": {"cluster": "c", "residency": "US", "formats": ["openai"]}},
            "models": {"m": {"destinations": ["c"]}, "n": {"destinations": ["c"]}},
            "quotas": [
                {"id": "per-user", "scope": "user", "window_seconds": 60, "requests": 3},
                {"id": "team-tokens", "scope": "team", "window_seconds": 60, "tokens": 1000, "models": ["m"]}
            ]
        });
        Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap()
    }

    fn who<'a>(user: &'a str, model: &'a str) -> QuotaSubject<'a> {
        QuotaSubject {
            user,
            team: "t",
            model,
            destination: "c",
        }
    }

    #[test]
    fn requests_per_window_with_reset() {
        let e = engine();
        let mut s = Mem::default();
        for _ in 0..3 {
            assert!(e.admit(&mut s, who("a", "n"), 120, 1).is_ok());
        }
        let r = e.admit(&mut s, who("a", "n"), 130, 1).unwrap_err();
        assert_eq!(
            (r.quota.as_str(), r.what, r.retry_after),
            ("per-user", "requests", 50)
        );
        assert!(
            e.admit(&mut s, who("b", "n"), 130, 1).is_ok(),
            "other users unaffected"
        );
        assert!(e.admit(&mut s, who("a", "n"), 180, 1).is_ok(), "new window");
    }

    #[test]
    fn tokens_are_estimated_then_settled_and_refusal_gives_back() {
        let e = engine();
        let mut s = Mem::default();
        let c = e.admit(&mut s, who("a", "m"), 0, 400).unwrap();
        e.settle(&mut s, &c, 900); // the model used more than estimated
        let r = e.admit(&mut s, who("b", "m"), 1, 200).unwrap_err();
        assert_eq!((r.quota.as_str(), r.what), ("team-tokens", "tokens"));
        // b's per-user charge was given back: b can still make 3 requests on another model.
        for _ in 0..3 {
            assert!(e.admit(&mut s, who("b", "n"), 2, 1).is_ok());
        }
        assert!(e.admit(&mut s, who("b", "n"), 2, 1).is_err());
    }

    #[test]
    fn cas_conflicts_are_retried() {
        let e = engine();
        let mut s = Mem {
            conflicts: 5,
            ..Mem::default()
        };
        assert!(e.admit(&mut s, who("a", "n"), 0, 1).is_ok());
        let (v, _) = s.get("itar-quota:per-user:a");
        assert_eq!(decode(v).1, 1, "counted exactly once despite conflicts");
    }
}
