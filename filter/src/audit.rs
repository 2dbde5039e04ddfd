//! The audit record: one JSON object per request, written by Envoy's access log from filter state.
//! Schema documented in docs/audit.md; bump SCHEMA when a field changes meaning.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::identity::Identity;

pub const SCHEMA: &str = "itar-audit/1";

#[derive(Debug, Clone, Serialize, Default)]
pub struct PolicyRef {
    pub id: String,
    pub version: String,
    pub digest: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpanRef {
    /// JSON pointer of the string in the request body ("" for the whole conversation).
    pub location: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelRecord {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub rules: Vec<String>,
    pub confidence: f64,
    /// What was done with it: control, redact, block, allow.
    pub action: String,
    pub spans: Vec<SpanRef>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AuditRecord {
    pub schema: &'static str,
    pub time: String,
    pub request_id: String,
    pub policy: PolicyRef,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_requested: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// allow, redact, reroute, block, refuse (identity), reject (uninspectable input), passthrough.
    pub decision: String,
    /// Stable reason code, the same one the client sees in the error body.
    pub reason: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub rules: Vec<String>,
    pub labels: Vec<LabelRecord>,
    pub normalizations: Vec<&'static str>,
    pub request_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_text_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_us: Option<u64>,
    pub response_status: u16,
    pub response_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_text: Option<String>,
}

pub fn sha256_hex(b: &[u8]) -> String {
    let d = Sha256::digest(b);
    let mut s = String::with_capacity(64);
    for byte in d {
        s.push(char::from(b"0123456789abcdef"[(byte >> 4) as usize]));
        s.push(char::from(b"0123456789abcdef"[(byte & 15) as usize]));
    }
    s
}

/// RFC 3339 UTC time with microseconds from nanoseconds since the Unix epoch.
pub fn rfc3339(nanos: u128) -> String {
    let secs = (nanos / 1_000_000_000) as i64;
    let micros = ((nanos / 1000) % 1_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{micros:06}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            rfc3339(1_795_369_523_123_456_000),
            "2026-11-22T17:45:23.123456Z"
        );
        assert_eq!(
            rfc3339(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000Z"
        );
    }

    #[test]
    fn digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
