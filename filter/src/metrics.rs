//! Which counters a finished request bumps. Plain logic; the glue defines the metrics with the
//! host (proxy-wasm `define_metric`, shown by Envoy as e.g. `itar_decision_block` in
//! /stats/prometheus, summed over worker VMs) and increments what [`bumps`] returns.
//! Names are documented in docs/observability.md.

use crate::audit::AuditRecord;

pub const DECISIONS: &[&str] = &[
    "allow",
    "redact",
    "reroute",
    "block",
    "refuse",
    "reject",
    "passthrough",
    "incomplete",
    "throttle",
];
pub const LABELS: &[&str] = &["ITAR", "EAR", "CUI", "CLASSIFIED", "PII"];

/// Fixed counters, by index (decisions, labels and destinations follow them).
const FIXED: &[&str] = &[
    "itar_requests",
    "itar_identity_failures",
    "itar_redactions",
    "itar_reroutes",
    "itar_scan_us_total",
    "itar_body_bytes_total",
    "itar_policy_loads",
    "itar_shadow_disagreements",
    "itar_audit_seal_failures",
];
pub const POLICY_LOADS: usize = 6;
pub const SHADOW_DISAGREEMENTS: usize = 7;
/// Sealed capture failed: a request refused because its record's randomness could not be drawn
/// (`audit_seal_failed`), or a record whose texts were dropped because sealing failed.
pub const SEAL_FAILURES: usize = 8;

/// The counters of one compiled policy: every name (defined with the host at configure time,
/// in this order) and, per finished request, which of them to add to, by index. Nothing is
/// formatted or looked up by name on the request path.
#[derive(Debug, Clone)]
pub struct Counters {
    names: Vec<String>,
    destinations: Vec<String>,
}

impl Counters {
    pub fn new(destinations: &[String]) -> Counters {
        Counters {
            names: counter_names(destinations),
            destinations: destinations.to_vec(),
        }
    }

    /// Every counter name; a counter's index is its position here.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The counters one finished request adds to, as (index, amount), into `out` (cleared).
    pub fn bumps(&self, a: &AuditRecord, out: &mut Vec<(usize, u64)>) {
        out.clear();
        out.push((0, 1));
        out.push((5, a.request_bytes as u64));
        if let Some(i) = DECISIONS.iter().position(|d| *d == a.decision) {
            out.push((FIXED.len() + i, 1));
        }
        if let Some(us) = a.scan_us {
            out.push((4, us));
        }
        if a.reason == "unauthenticated" || a.reason == "identity_ineligible" {
            out.push((1, 1));
        }
        if a.decision == "redact" {
            out.push((2, 1));
        }
        if a.reason == "audit_seal_failed" {
            out.push((SEAL_FAILURES, 1));
        }
        if a.decision == "reroute" {
            out.push((3, 1));
        }
        if let Some(d) = &a.destination {
            if matches!(
                a.decision.as_str(),
                "allow" | "redact" | "reroute" | "passthrough"
            ) {
                if let Some(i) = self.destinations.iter().position(|x| x == d) {
                    out.push((FIXED.len() + DECISIONS.len() + LABELS.len() + i, 1));
                }
            }
        }
        let mut seen = 0u8;
        for l in &a.labels {
            if let Some(i) = LABELS.iter().position(|x| *x == l.label) {
                if seen & (1 << i) == 0 {
                    seen |= 1 << i;
                    out.push((FIXED.len() + DECISIONS.len() + i, 1));
                }
            }
        }
    }
}

/// Every counter name, in index order.
fn counter_names(destinations: &[String]) -> Vec<String> {
    let mut v: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    v.extend(DECISIONS.iter().map(|d| format!("itar_decision_{d}")));
    v.extend(
        LABELS
            .iter()
            .map(|l| format!("itar_label_{}", l.to_ascii_lowercase())),
    );
    v.extend(
        destinations
            .iter()
            .map(|d| format!("itar_dest_{}", sanitize(d))),
    );
    v
}

/// Gauge: the size of the VM's linear memory in bytes. A Wasm VM's memory only grows: this is
/// what the VM holds from the host, whatever its allocator has freed inside.
pub const MEMORY_GAUGE: &str = "itar_vm_memory_bytes";

/// Gauge: the policy digest's first 6 hex digits as a number (which policy is in force).
pub const POLICY_GAUGE: &str = "itar_policy_digest_prefix";

pub fn digest_prefix(digest: &str) -> u64 {
    u64::from_str_radix(digest.get(..6).unwrap_or("0"), 16).unwrap_or(0)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bumps() {
        let c = Counters::new(&["usgov".into(), "on-prem".into()]);
        let names = c.names();
        assert!(names.contains(&"itar_dest_on_prem".to_string()));
        assert_eq!(names[POLICY_LOADS], "itar_policy_loads");
        assert_eq!(names[SHADOW_DISAGREEMENTS], "itar_shadow_disagreements");
        let label = |l: &str| crate::audit::LabelRecord {
            label: l.into(),
            ..Default::default()
        };
        let a = AuditRecord {
            decision: "reroute".into(),
            destination: Some("on-prem".into()),
            request_bytes: 10,
            scan_us: Some(7),
            labels: vec![label("CUI"), label("PII"), label("CUI")],
            ..AuditRecord::default()
        };
        let mut b = Vec::new();
        c.bumps(&a, &mut b);
        let got: Vec<(&str, u64)> = b.iter().map(|&(i, n)| (names[i].as_str(), n)).collect();
        let mut want = vec![
            ("itar_requests", 1),
            ("itar_body_bytes_total", 10),
            ("itar_decision_reroute", 1),
            ("itar_scan_us_total", 7),
            ("itar_reroutes", 1),
            ("itar_dest_on_prem", 1),
            ("itar_label_cui", 1),
            ("itar_label_pii", 1),
        ];
        assert_eq!(got, want);
        let a = AuditRecord {
            decision: "block".into(),
            reason: "identity_ineligible".into(),
            destination: Some("usgov".into()),
            ..AuditRecord::default()
        };
        c.bumps(&a, &mut b);
        let got: Vec<(&str, u64)> = b.iter().map(|&(i, n)| (names[i].as_str(), n)).collect();
        want = vec![
            ("itar_requests", 1),
            ("itar_body_bytes_total", 0),
            ("itar_decision_block", 1),
            ("itar_identity_failures", 1),
        ];
        assert_eq!(got, want);
        assert_eq!(digest_prefix("00ff10abc"), 0xff10);
    }
}
