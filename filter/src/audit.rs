//! The audit record: one JSON object per request, written by Envoy's access log from filter state.
//! Schema documented in docs/audit.md; bump SCHEMA when a field changes meaning.
//!
//! Tamper evidence: every record is sealed into its VM's hash [`Chain`] (id, sequence number,
//! sha256 of the previous record's exact bytes), so a deleted, inserted, reordered, edited or
//! duplicated line is found by `itar-audit verify`. The chain proves order and integrity only
//! relative to heads kept elsewhere: whoever can rewrite a whole file can rebuild its chain, which
//! is why [`Chain::head`] exists (ship heads off-box).

use std::io;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::identity::Identity;

/// Version 2 added `chain` and ASCII-only serialization (see docs/audit.md).
pub const SCHEMA: &str = "itar-audit/2";

/// `prev` of the first record of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, Default)]
pub struct PolicyRef {
    pub id: String,
    pub version: String,
    pub digest: String,
    /// The artifacts the policy carries (trained classifiers, document fingerprints).
    #[serde(skip_serializing_if = "Artifacts::is_empty")]
    pub artifacts: Artifacts,
}

/// One artifact in force: `classifier` or `fingerprint`, its label and its SHA-256.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ArtifactRef {
    pub kind: &'static str,
    pub label: String,
    pub sha256: String,
}

/// The artifacts of a policy, shared by every record (cloning a record's policy reference
/// allocates nothing for them).
#[derive(Debug, Clone, Default)]
pub struct Artifacts(pub std::sync::Arc<[ArtifactRef]>);

impl Artifacts {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Artifacts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SpanRef {
    /// JSON pointer of the string in the request body ("" for the whole conversation).
    pub location: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LabelRecord {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub rules: Vec<String>,
    /// The features behind the rules' scores: the support signals that counted (`qty>=4`,
    /// `tol`, `ref`, `ask_change`; `-cue_research` when a cue lowered it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    pub confidence: f64,
    /// What was done with it: control, redact, block, allow.
    pub action: String,
    pub spans: Vec<SpanRef>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AuditRecord {
    pub schema: &'static str,
    /// Position in the VM's hash chain; set by [`Chain::seal`], absent on unsealed records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainLink>,
    pub time: String,
    pub request_id: String,
    /// The client's own `x-request-id` as it sent it (Envoy generates `request_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    /// The client's own end-user id from the body (`user`, `metadata.user_id`), as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_user: Option<String>,
    pub policy: PolicyRef,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The JSON-RPC method of an MCP message (`tools/call`, `resources/read`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_method: Option<String>,
    /// The tool or prompt name (`params.name`) or resource URI (`params.uri`) the MCP message
    /// names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_name: Option<String>,
    /// The MCP request's JSON-RPC id, echoed by the gateway's refusals. Never serialized.
    #[serde(skip)]
    pub rpc_id: Option<serde_json::Value>,
    /// The model name sent upstream when the destination knows the model by another name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_model: Option<String>,
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
    /// The inspected text, kept until the record is finished so its sha256 is computed off the
    /// request's critical path (see [`AuditRecord::finish`]). Never serialized.
    #[serde(skip)]
    pub hash_pending: Option<String>,
    /// The same for a buffered response's text.
    #[serde(skip)]
    pub response_hash_pending: Option<String>,
    /// Which records get the text digests (policy `audit.text_digests`).
    #[serde(skip)]
    pub text_digests: crate::policy::TextDigests,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_us: Option<u64>,
    pub response_status: u16,
    pub response_bytes: usize,
    /// What the response path did: pass, redact, block (cut off), reject (uninspectable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_decision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response_labels: Vec<LabelRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_text_sha256: Option<String>,
    /// Token usage as the model reported it (final usage chunk, message_delta usage, or body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The client address Envoy saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
    /// The network rule that refused the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_rule: Option<String>,
    /// What the shadow (candidate) policy would have decided; it changed nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shadow: Option<ShadowRecord>,
    /// The usage quota that refused the request (decision "throttle").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    /// Most bytes of streamed model text the filter held back at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_held_max: Option<usize>,
    /// How many distinct values a `mask` label replaced with placeholders (the values are not
    /// recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_text: Option<String>,
    /// The answer as the client received it (after redaction and any cut; masked values as
    /// placeholders), when `audit.capture` keeps the request's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_text: Option<String>,
    /// The captured answer stops at the policy's `max_response_bytes`.
    #[serde(skip_serializing_if = "is_false")]
    pub response_text_truncated: bool,
    /// `capture: sealed`: the captured texts, encrypted to the policy's recipients and bound to
    /// this record ([`crate::seal`]); `request_text` and `response_text` are then absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealed: Option<crate::seal::Envelope>,
    /// Why captured texts are missing from this record (`seal_failed: ...`): they were dropped,
    /// never written in clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_error: Option<String>,
    /// The recipients of a sealed capture (set from the policy when the record starts).
    #[serde(skip)]
    pub sealer: Option<std::sync::Arc<crate::seal::Sealer>>,
    /// The randomness drawn for this record's envelope when the request was decided.
    #[serde(skip)]
    pub seal_seed: Option<crate::seal::SealSeed>,
}

/// Where a record sits in its chain: `{"id": .., "seq": .., "prev": .., "start": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChainLink {
    /// The chain: one per Wasm VM (Envoy worker thread) per filter configuration instance.
    pub id: String,
    /// 1 for the first record of the chain, then +1 per record.
    pub seq: u64,
    /// sha256 (hex) of the previous record's serialized bytes; [`GENESIS`] for seq 1.
    pub prev: String,
    /// true on the first record of a chain only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub start: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The latest sealed record of a chain: what to anchor off-box. `seq` 0 (and `hash` = GENESIS)
/// means nothing was sealed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub chain: String,
    pub seq: u64,
    /// sha256 of the record with that seq (the `prev` the next record will carry).
    pub hash: String,
}

impl Head {
    /// One JSON line, the format `itar-audit heads` prints and `verify --anchors` reads.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// A hash chain of audit records. Each Envoy worker VM holds one (records of one VM are sealed
/// in the order their requests end, which is the order the access log writes them).
#[derive(Debug, Clone)]
pub struct Chain {
    id: String,
    /// seq of the last sealed record (0 before the first).
    seq: u64,
    /// hash of the last sealed record (GENESIS before the first).
    hash: String,
}

impl Chain {
    /// A new chain. The id must be unique across every VM of every Envoy instance whose records
    /// end up in the same place: see [`chain_id`].
    pub fn new(id: String) -> Chain {
        Chain {
            id,
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sets `record.chain` to the next link and returns the record's JSON line (no newline),
    /// whose sha256 becomes the next record's `prev`. On error the chain does not advance.
    pub fn seal(&mut self, record: &mut AuditRecord) -> Result<Vec<u8>, serde_json::Error> {
        record.finish();
        let seq = self.seq.saturating_add(1);
        record.chain = Some(ChainLink {
            id: self.id.clone(),
            seq,
            prev: self.hash.clone(),
            start: seq == 1,
        });
        record.seal_capture();
        let line = to_line(record)?;
        self.seq = seq;
        self.hash = record_hash(&line);
        Ok(line)
    }

    /// The current head, to ship off-box (anchoring).
    pub fn head(&self) -> Head {
        Head {
            chain: self.id.clone(),
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// The first string field number `field` of a serialized protobuf message (how the host may
/// hand over Envoy's `Node`): `None` when absent or the bytes are not a message it can walk.
pub fn proto_string_field(msg: &[u8], field: u64) -> Option<String> {
    fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*i)?;
            *i += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut i = 0;
    while i < msg.len() {
        let key = varint(msg, &mut i)?;
        let (num, wire) = (key >> 3, key & 7);
        match wire {
            0 => {
                varint(msg, &mut i)?;
            }
            1 => i = i.checked_add(8)?,
            5 => i = i.checked_add(4)?,
            2 => {
                let len = usize::try_from(varint(msg, &mut i)?).ok()?;
                let end = i.checked_add(len)?;
                let bytes = msg.get(i..end)?;
                if num == field {
                    return String::from_utf8(bytes.to_vec()).ok();
                }
                i = end;
            }
            _ => return None,
        }
    }
    None
}

/// A chain id: `<node>/<start time>/<12 hex digits of sha256(time, entropy)>`. `node` names the
/// Envoy instance (e.g. its node id; "" leaves it out); `entropy` is anything that differs
/// between VMs started in the same microsecond (root context id, a random value, the thread).
pub fn chain_id(node: &str, nanos: u128, entropy: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(entropy);
    let d = h.finalize();
    let tag = hex(d.get(..6).unwrap_or(&[]));
    let node: String = node
        .chars()
        .map(|c| if c == '/' || c.is_control() { '_' } else { c })
        .collect();
    let t = rfc3339(nanos);
    if node.is_empty() {
        format!("{t}/{tag}")
    } else {
        format!("{node}/{t}/{tag}")
    }
}

/// The hash that links records: sha256 (hex) of a record's exact line bytes, without the newline.
pub fn record_hash(line: &[u8]) -> String {
    sha256_hex(line)
}

/// A record as one line of compact JSON with every non-ASCII character escaped (`\uXXXX`), so the
/// bytes (and so the chain) survive any sink that re-encodes text.
pub fn to_line(record: &AuditRecord) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    record.serialize(&mut ser)?;
    Ok(out)
}

struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if fragment.is_ascii() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(fragment.get(start..i).unwrap_or("").as_bytes())?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(writer, "\\u{u:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(fragment.get(start..).unwrap_or("").as_bytes())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl AuditRecord {
    /// Under `capture: sealed`, move the captured texts into an envelope bound to the record's
    /// request id and chain position (call once `chain` is set). The texts never stay in clear:
    /// when sealing fails they are dropped and `capture_error` says so (the glue counts it).
    pub fn seal_capture(&mut self) {
        let Some(sealer) = self.sealer.clone() else {
            return;
        };
        let texts = crate::seal::Sealed {
            request_text: self.request_text.take(),
            response_text: self.response_text.take(),
        };
        if texts.request_text.is_none() && texts.response_text.is_none() {
            return;
        }
        let sealed = match (&self.seal_seed, &self.chain) {
            (Some(seed), Some(link)) => crate::seal::texts_json(&texts).and_then(|pt| {
                let aad = crate::seal::binding(&self.request_id, &link.id, link.seq);
                sealer.seal(seed, &aad, &pt)
            }),
            _ => Err(crate::seal::SealError::NoSeed),
        };
        match sealed {
            Ok(env) => self.sealed = Some(env),
            Err(e) => self.capture_error = Some(format!("seal_failed: {e}")),
        }
    }

    /// Complete what was deferred (the request and response texts' sha256). Call before sealing.
    pub fn finish(&mut self) {
        use crate::policy::TextDigests;
        let keep = match self.text_digests {
            TextDigests::All => true,
            TextDigests::None => false,
            TextDigests::Flagged => {
                !matches!(self.decision.as_str(), "allow" | "passthrough")
                    || !self.labels.is_empty()
                    || !self.response_labels.is_empty()
                    || self
                        .response_decision
                        .as_deref()
                        .is_some_and(|d| d != "pass")
            }
        };
        if !keep {
            self.hash_pending = None;
            self.response_hash_pending = None;
            self.request_text_sha256 = None;
            self.response_text_sha256 = None;
            return;
        }
        if let Some(text) = self.hash_pending.take() {
            self.request_text_sha256 = Some(sha256_hex(text.as_bytes()));
        }
        if let Some(text) = self.response_hash_pending.take() {
            self.response_text_sha256 = Some(sha256_hex(text.as_bytes()));
        }
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ShadowRecord {
    pub policy: PolicyRef,
    pub decision: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    pub rules: Vec<String>,
    pub disagrees: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq)]
pub struct Usage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        s.push(char::from(HEX[(byte >> 4) as usize]));
        s.push(char::from(HEX[(byte & 15) as usize]));
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

    fn rec(decision: &str) -> AuditRecord {
        AuditRecord {
            schema: SCHEMA,
            time: "2026-11-22T17:45:23.123456Z".into(),
            request_id: "r1".into(),
            decision: decision.into(),
            reason: "no_controlled_content".into(),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn chain_links_records() {
        let mut c = Chain::new("node/t/abc".into());
        assert_eq!(c.head().seq, 0);
        assert_eq!(c.head().hash, GENESIS);
        let mut a = rec("allow");
        let la = c.seal(&mut a).unwrap();
        let ja: serde_json::Value = serde_json::from_slice(&la).unwrap();
        assert_eq!(ja["chain"]["id"], "node/t/abc");
        assert_eq!(ja["chain"]["seq"], 1);
        assert_eq!(ja["chain"]["prev"], GENESIS);
        assert_eq!(ja["chain"]["start"], true);
        assert_eq!(ja["schema"], "itar-audit/2");
        assert_eq!(c.head().seq, 1);
        assert_eq!(c.head().hash, record_hash(&la));

        let mut b = rec("block");
        let lb = c.seal(&mut b).unwrap();
        let jb: serde_json::Value = serde_json::from_slice(&lb).unwrap();
        assert_eq!(jb["chain"]["seq"], 2);
        assert_eq!(jb["chain"]["prev"], sha256_hex(&la).as_str());
        assert!(jb["chain"].get("start").is_none());
        let link: ChainLink = serde_json::from_value(jb["chain"].clone()).unwrap();
        assert_eq!(link, b.chain.clone().unwrap());
        assert_eq!(
            c.head(),
            Head {
                chain: "node/t/abc".into(),
                seq: 2,
                hash: record_hash(&lb)
            }
        );
        let h: Head = serde_json::from_str(&c.head().to_json().unwrap()).unwrap();
        assert_eq!(h, c.head());
        // The line is exactly what serde_json gives, apart from escaping.
        assert_eq!(lb, serde_json::to_vec(&b).unwrap());
        assert!(!lb.contains(&b'\n'));
    }

    #[test]
    fn lines_are_ascii_and_round_trip() {
        let mut r = rec("allow");
        r.message = "caf\u{e9} \u{1F680} \"q\"\n\u{7f}".into();
        let line = to_line(&r).unwrap();
        assert!(
            line.iter().all(|b| b.is_ascii()),
            "{}",
            String::from_utf8_lossy(&line)
        );
        let s = String::from_utf8(line).unwrap();
        assert!(s.contains(r#"caf\u00e9 \ud83d\ude80 \"q\"\n"#), "{s}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["message"], r.message.as_str());
    }

    #[test]
    fn a_string_field_is_read_from_a_serialized_message() {
        // Node { id: "gw-1" (1), cluster: "c" (2), metadata: {} (3) } with a varint field first.
        let msg = [
            0x20, 0x96, 0x01, 0x0a, 4, b'g', b'w', b'-', b'1', 0x12, 1, b'c', 0x1a, 0,
        ];
        assert_eq!(proto_string_field(&msg, 1).as_deref(), Some("gw-1"));
        assert_eq!(proto_string_field(&msg, 2).as_deref(), Some("c"));
        assert_eq!(proto_string_field(&msg, 7), None);
        assert_eq!(proto_string_field(&[0x0a, 9, b'x'], 1), None);
        assert_eq!(proto_string_field(b"plain text", 1), None);
    }

    #[test]
    fn chain_ids_differ_by_entropy_and_keep_node() {
        let a = chain_id("gw-1", 1_795_369_523_123_456_000, b"1");
        let b = chain_id("gw-1", 1_795_369_523_123_456_000, b"2");
        assert_ne!(a, b);
        assert!(a.starts_with("gw-1/2026-11-22T17:45:23.123456Z/"), "{a}");
        assert_eq!(a.len(), "gw-1/2026-11-22T17:45:23.123456Z/".len() + 12);
        assert!(chain_id("", 0, b"").starts_with("1970-01-01T00:00:00.000000Z/"));
        assert!(chain_id("a/b", 0, b"").starts_with("a_b/"));
    }

    #[test]
    fn digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
