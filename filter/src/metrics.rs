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

/// Every counter name, for definition at configure time.
pub fn counter_names(destinations: &[String]) -> Vec<String> {
    let mut v: Vec<String> = [
        "itar_requests",
        "itar_identity_failures",
        "itar_redactions",
        "itar_reroutes",
        "itar_scan_us_total",
        "itar_body_bytes_total",
        "itar_policy_loads",
        "itar_shadow_disagreements",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
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

/// The counters one finished request adds to, with the amounts.
pub fn bumps(a: &AuditRecord) -> Vec<(String, u64)> {
    let mut v = vec![
        ("itar_requests".to_string(), 1),
        (format!("itar_decision_{}", a.decision), 1),
        ("itar_body_bytes_total".to_string(), a.request_bytes as u64),
    ];
    if let Some(us) = a.scan_us {
        v.push(("itar_scan_us_total".into(), us));
    }
    if a.reason == "unauthenticated" || a.reason == "identity_ineligible" {
        v.push(("itar_identity_failures".into(), 1));
    }
    if a.decision == "redact" {
        v.push(("itar_redactions".into(), 1));
    }
    if a.decision == "reroute" {
        v.push(("itar_reroutes".into(), 1));
    }
    if let Some(d) = &a.destination {
        if matches!(
            a.decision.as_str(),
            "allow" | "redact" | "reroute" | "passthrough"
        ) {
            v.push((format!("itar_dest_{}", sanitize(d)), 1));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for l in &a.labels {
        if !seen.contains(&l.label.as_str()) {
            seen.push(&l.label);
            v.push((format!("itar_label_{}", l.label.to_ascii_lowercase()), 1));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bumps() {
        let names = counter_names(&["usgov".into(), "on-prem".into()]);
        assert!(names.contains(&"itar_dest_on_prem".to_string()));
        let a = AuditRecord {
            decision: "reroute".into(),
            destination: Some("usgov".into()),
            request_bytes: 10,
            ..AuditRecord::default()
        };
        let b = bumps(&a);
        for (n, _) in &b {
            assert!(names.contains(n), "{n} not defined");
        }
        assert!(b.iter().any(|(n, _)| n == "itar_reroutes"));
        assert_eq!(digest_prefix("00ff10abc"), 0xff10);
    }
}
