//! The fuzz bodies: one function per target, each taking arbitrary bytes, calling the filter's
//! plain-Rust code and asserting its invariants. A failed assertion or a panic inside the filter
//! is a finding.
//!
//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, through the `itar_filter_fuzz`
//! library) and by the native test `filter/tests/fuzz_regressions.rs` (through `#[path]`), which
//! runs them over the seed corpus and every crash found so far, so CI without nightly still
//! exercises them. Paths below (`include_bytes!`) are relative to this file.

use std::sync::OnceLock;

use itar_filter::audit::AuditRecord;
use itar_filter::ends::Lanes;
use itar_filter::engine::response::ResponseCtx;
use itar_filter::engine::{Engine, Verdict};
use itar_filter::extract::extract;
use itar_filter::identity::{decode_pairs, decode_pairs_struct, Identity};
use itar_filter::normalize::{normalize_into, Normalized};
use itar_filter::policy::{Policy, Provider};
use itar_filter::scan::{Pass, ScanCache, Scanner, WINDOW};
use itar_filter::sse;
use serde_json::{json, Value};

/// The policy every target runs under (the one the gateway ships).
pub const DEFAULT_POLICY: &[u8] = include_bytes!("../../policies/default.json");

/// A fuzz body: takes arbitrary bytes, must never panic.
pub type Body = fn(&[u8]);

/// Every target, by name, for the native runner and `scripts/fuzz`.
pub const TARGETS: &[(&str, Body)] = &[
    ("request", request),
    ("extract_diff", extract_diff),
    ("request_text", request_text),
    ("normalize", normalize),
    ("scan", scan),
    ("scan_bounded", scan_bounded),
    ("scan_ends", scan_ends),
    ("sse", sse_parse),
    ("stream", stream),
    ("stream_strict", stream_strict),
    ("claims", claims),
    ("policy", policy),
    ("policy_mutate", policy_mutate),
];

pub fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| match Engine::from_policy_json(DEFAULT_POLICY) {
        Ok(e) => e,
        Err(e) => panic!("the default policy must compile: {e}"),
    })
}

/// A verified US person in the users group: the identity most content is decided against.
pub fn us_person(e: &Engine) -> Identity {
    let claims = json!({"sub": "fuzz", "iss": "https://idp.demo.itar-gateway.invalid",
                        "aud": "itar-gateway", "person_category": "us_citizen",
                        "clearance": "SECRET", "groups": ["itar-gateway-users"],
                        "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    match e.identity.as_ref() {
        Some(p) => Identity::from_claims(p, &claims),
        None => Identity::missing(),
    }
}

fn provider_of(b: u8) -> Provider {
    if b & 1 == 0 {
        Provider::Openai
    } else {
        Provider::Anthropic
    }
}

/// Destinations that are approved for nothing controlled.
fn unapproved(dest: &str) -> bool {
    dest == "commercial" || dest == "foreign"
}

/// Inspect one request body and check what the verdict promises.
fn inspect(
    e: &Engine,
    provider: impl Into<itar_filter::wire::Format>,
    body: &[u8],
    identity: &Identity,
) -> Verdict {
    let provider: itar_filter::wire::Format = provider.into();
    let mut scratch = e.new_scratch();
    let mut audit = AuditRecord {
        request_id: "fuzz".into(),
        ..AuditRecord::default()
    };
    let v = e.inspect_request(&mut scratch, provider, body, identity, &mut audit);
    assert!(!audit.decision.is_empty(), "every verdict is audited");
    match &v {
        Verdict::Forward {
            destination,
            cluster,
            body: out,
            path,
            ..
        } => {
            assert!(!cluster.is_empty());
            // Only a Bedrock destination moves the request to another path.
            if let Some(p) = path {
                assert!(p.starts_with("/model/") && p.ends_with("/invoke"), "{p}");
            }
            assert_eq!(audit.destination.as_deref(), Some(destination.as_str()));
            assert!(matches!(
                audit.decision.as_str(),
                "allow" | "redact" | "reroute"
            ));
            let sent = out.as_deref().unwrap_or(body);
            assert_eq!(audit.forwarded_bytes, Some(sent.len()));
            // What leaves is a JSON object of the same format.
            let parsed: Value = match serde_json::from_slice(sent) {
                Ok(v) => v,
                Err(err) => panic!("forwarded body is not JSON ({err}): {sent:?}"),
            };
            assert!(parsed.is_object());
            // What goes to a destination approved for nothing carries nothing controlled.
            if unapproved(destination) {
                let mut s2 = e.new_scratch();
                if let Ok(report) = e.scan_body(&mut s2, provider, sent) {
                    assert!(
                        !report.controlled,
                        "controlled content forwarded to {destination}: {:?}",
                        report.labels
                    );
                }
            }
        }
        Verdict::Refuse(reply) => {
            assert!(reply.status >= 400, "refusals are errors: {}", reply.status);
            assert!(audit.destination.is_none());
            let _: Value = match serde_json::from_slice(&reply.body) {
                Ok(v) => v,
                Err(err) => panic!("refusal body is not JSON ({err})"),
            };
        }
    }
    v
}

/// Request-body extraction and full request inspection on arbitrary bytes (first byte: format,
/// bits 0 and 2-7, every wire format; bit 1: identity).
pub fn request(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let formats = itar_filter::wire::FORMATS;
    let provider = formats[usize::from((sel & 1) | ((sel >> 2) << 1)) % formats.len()];
    if let Ok(ex) = extract(provider, body) {
        for p in &ex.pieces {
            let (s, l) = (p.doc_start as usize, p.len as usize);
            assert!(s + l <= ex.doc.len(), "piece outside the document");
            assert!(ex.doc.is_char_boundary(s) && ex.doc.is_char_boundary(s + l));
        }
    }
    let e = engine();
    let who = if sel & 2 == 0 {
        us_person(e)
    } else {
        Identity::missing()
    };
    inspect(e, provider, body, &who);
}

/// The body parser (extract.rs) against serde_json. Both accept the same inputs, except what the
/// gateway refuses on purpose (a duplicate `type` key; numbers too large for an f64, which
/// serde_json refuses and providers accept). Every string serde_json reads is in the document
/// (ours also keeps earlier copies of duplicate keys), and re-encoding every string in place
/// through `apply_edits` gives back the same JSON value: the raw spans are exact.
pub fn extract_diff(data: &[u8]) {
    let ours = itar_filter::extract::extract_response(data);
    let theirs: Result<Value, _> = serde_json::from_slice(data);
    let (ex, v) = match (ours, theirs) {
        (Ok(ex), Ok(v)) => (ex, v),
        (Err(_), Err(_)) => return,
        (Err(itar_filter::error::InspectError::Shape(_)), Ok(_)) => return,
        (Ok(_), Err(e)) if e.to_string().contains("out of range") => return,
        (o, t) => panic!(
            "parsers disagree on {:?}: ours {:?}, serde_json {:?}",
            String::from_utf8_lossy(data),
            o.err(),
            t.err()
        ),
    };
    fn strings<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) if key != "data" && key != "url" => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| strings(x, "", out)),
            Value::Object(m) => m.iter().for_each(|(k, x)| strings(x, k, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&v, "", &mut all);
    for s in all {
        assert!(ex.doc.contains(s), "string {s:?} missing from the document");
    }
    let mut edits: Vec<(usize, usize, usize, String)> = ex
        .pieces
        .iter()
        .filter_map(|p| p.value_index)
        .map(|vi| (vi, 0, 0, String::new()))
        .collect();
    match itar_filter::extract::apply_edits(data, &ex, &ex.doc, &mut edits, None) {
        Ok((out, doc)) => {
            let back: Value = match serde_json::from_slice(&out) {
                Ok(b) => b,
                Err(e) => panic!("re-encoded body does not parse: {e}"),
            };
            assert_eq!(back, v, "re-encoding strings in place changed the value");
            assert_eq!(doc, ex.doc);
        }
        Err(e) => panic!("apply_edits failed on an accepted body: {e}"),
    }
}

/// Inspection of arbitrary text inside a well-formed request (reaches the scanner and redaction
/// far more often than arbitrary bytes do). First byte: format and model.
pub fn request_text(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let provider = provider_of(sel);
    let model = match (sel >> 1) % 4 {
        0 => "gpt-4o",
        1 => "claude-sonnet-5-5",
        2 => "mistral-large",
        _ => "llama-3.1-70b",
    };
    // Split the text over a system prompt and two messages at byte-derived points.
    let cut = |k: usize| {
        let mut c = if text.is_empty() {
            0
        } else {
            (sel as usize * k) % (text.len() + 1)
        };
        while !text.is_char_boundary(c) {
            c -= 1;
        }
        c
    };
    let (a, b) = {
        let (x, y) = (cut(7), cut(13));
        (x.min(y), x.max(y))
    };
    let body = json!({"model": model, "max_tokens": 16, "system": &text[..a],
                      "messages": [{"role": "user", "content": &text[a..b]},
                                   {"role": "user", "content": [{"type": "text", "text": &text[b..]}]}]});
    let Ok(bytes) = serde_json::to_vec(&body) else {
        return;
    };
    let e = engine();
    inspect(e, provider, &bytes, &us_person(e));
}

/// Normalization and its map back to original offsets: every normalized range maps inside the
/// input, on character boundaries, in order.
pub fn normalize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let split = {
        let mut c = data.first().map_or(0, |&b| b as usize) % (text.len() + 1);
        while !text.is_char_boundary(c) {
            c -= 1;
        }
        c
    };
    // Two pieces with a gap between them, as the engine does for the pieces of a body.
    let (p1, p2) = text.split_at(split);
    let base2 = (p1.len() + 1) as u32;
    let whole = format!("{p1}\n{p2}");
    let mut n = Normalized::default();
    normalize_into(&mut n, p1, 0);
    normalize_into(&mut n, p2, base2);
    let len = n.text.len();
    let in_input = |a: u32, b: u32| {
        let (a, b) = (a as usize, b as usize);
        assert!(
            a <= b && b <= whole.len(),
            "span {a}..{b} outside 0..{}",
            whole.len()
        );
        assert!(
            whole.is_char_boundary(a) && whole.is_char_boundary(b),
            "span {a}..{b} not on char boundaries of {whole:?}"
        );
    };
    for i in 0..len {
        let (a, b) = n.orig_span(i, i + 1);
        in_input(a, b);
        assert!(a < b, "byte {i} maps to nothing");
    }
    let step = (len / 64).max(1);
    let mut s = 0;
    while s < len {
        let mut e = s;
        while e <= len {
            let (a, b) = n.orig_span(s, e);
            in_input(a, b);
            e += step;
        }
        s += step;
    }
    let (a, b) = n.orig_span(len, len);
    assert!(a <= b);
    // Normalizing again starts from a clean slate.
    let first = n.text.clone();
    n.clear();
    normalize_into(&mut n, p1, 0);
    normalize_into(&mut n, p2, base2);
    assert_eq!(first, n.text, "normalization is deterministic");
}

/// The scanner's bounded path (docs/detection.md, "Work bound") against its exact loop: on a
/// normalized text no longer than the bounded path's window, both must file exactly the same
/// matches (the window then covers everything after every position). One cache serves both, in
/// both orders, so state left in the lazy DFA cannot hide a difference.
pub fn scan_bounded(data: &[u8]) {
    static S: OnceLock<Scanner> = OnceLock::new();
    let sc = S.get_or_init(|| {
        let policy = match Policy::parse(DEFAULT_POLICY) {
            Ok(p) => p,
            Err(e) => panic!("the default policy must parse: {e}"),
        };
        match Scanner::compile(&policy) {
            Ok(s) => s,
            Err(e) => panic!("the default policy must compile: {e}"),
        }
    });
    let text = String::from_utf8_lossy(data);
    let mut norm = Normalized::with_capacity(text.len());
    normalize_into(&mut norm, &text, 0);
    let t = &norm.text[..norm.text.len().min(WINDOW)];
    let mut cache = sc.new_cache();
    let (a, b, c) = match (
        sc.signal_matches(&mut cache, t, Pass::Whole),
        sc.signal_matches(&mut cache, t, Pass::Bounded),
        sc.signal_matches(&mut cache, t, Pass::Whole),
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (a, b, c) => panic!("scan failed: {:?} {:?} {:?}", a.err(), b.err(), c.err()),
    };
    assert_eq!(a, c, "the exact loop is deterministic");
    assert_eq!(
        a,
        b,
        "bounded path differs on {:?}",
        String::from_utf8_lossy(t)
    );
}

/// The scanner's first pass (where matches end, in lanes; docs/detection.md, "Four lanes")
/// against the exact loop over the whole text: the same matches, per signal, with one lane and
/// with four lanes small enough that every input of a few dozen bytes takes the lane path and
/// its joins; the same findings and normalizations from `scan` (leading pass included); and
/// the bounded path with the first pass's end gate files what it files without it.
pub fn scan_ends(data: &[u8]) {
    static S: OnceLock<(Scanner, Scanner)> = OnceLock::new();
    let (one, four) = S.get_or_init(|| {
        let policy = match Policy::parse(DEFAULT_POLICY) {
            Ok(p) => p,
            Err(e) => panic!("the default policy must parse: {e}"),
        };
        let build = || match Scanner::compile(&policy) {
            Ok(s) => s,
            Err(e) => panic!("the default policy must compile: {e}"),
        };
        let mut four = build();
        four.set_lanes(Lanes { min: 0, join: 3 });
        (build(), four)
    });
    let text = String::from_utf8_lossy(data);
    let mut norm = Normalized::with_capacity(text.len());
    normalize_into(&mut norm, &text, 0);
    let t = &norm.text;
    // Caches kept across runs (a fresh lazy DFA rebuilds its states: slow), one per thread.
    thread_local! {
        static C: std::cell::RefCell<Option<(ScanCache, ScanCache)>> =
            const { std::cell::RefCell::new(None) };
    }
    let (mut c1, mut c4) = C
        .with(|c| c.borrow_mut().take())
        .unwrap_or_else(|| (one.new_cache(), four.new_cache()));
    let (whole, a, b) = match (
        one.signal_matches(&mut c1, t, Pass::Whole),
        one.signal_matches(&mut c1, t, Pass::Ends),
        four.signal_matches(&mut c4, t, Pass::Ends),
    ) {
        (Ok(w), Ok(a), Ok(b)) => (w, a, b),
        (w, a, b) => panic!("scan failed: {:?} {:?} {:?}", w.err(), a.err(), b.err()),
    };
    // The bounded path with the end gate against the bounded path without it.
    let (gated, bounded) = match (
        four.signal_matches(&mut c4, t, Pass::GatedBounded),
        one.signal_matches(&mut c1, t, Pass::Bounded),
    ) {
        (Ok(g), Ok(u)) => (g, u),
        (g, u) => panic!("scan failed: {:?} {:?}", g.err(), u.err()),
    };
    // And the scan's findings (the leading pass may skip the text) against the whole loop's.
    let (fa, fw) = match (
        four.scan_pass(&mut c4, t, Pass::Ends),
        four.scan_pass(&mut c4, t, Pass::Whole),
    ) {
        (Ok(a), Ok(w)) => (a, w),
        (a, w) => panic!("scan failed: {:?} {:?}", a.err(), w.err()),
    };
    C.with(|c| *c.borrow_mut() = Some((c1, c4)));
    let shown = String::from_utf8_lossy(t);
    assert_eq!(whole, a, "one lane differs on {shown:?}");
    assert_eq!(whole, b, "four lanes differ on {shown:?}");
    assert_eq!(
        gated, bounded,
        "the end gate changes the bounded path on {shown:?}"
    );
    assert_eq!(fa.findings, fw.findings, "findings differ on {shown:?}");
    assert_eq!(fa.changes, fw.changes, "normalizations differ on {shown:?}");
}

/// The scanner through the engine: no panic, deterministic with a reused cache, redaction
/// output that no longer carries what was redacted.
pub fn scan(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let e = engine();
    let mut scratch = e.new_scratch();
    let first = e.scan_text(&mut scratch, &text);
    let again = e.scan_text(&mut scratch, &text);
    match (first, again) {
        (Ok((r1, t1)), Ok((r2, t2))) => {
            assert_eq!(t1, t2, "redaction is deterministic");
            assert_eq!(r1.controlled, r2.controlled);
            assert_eq!(r1.labels.len(), r2.labels.len(), "scan is deterministic");
            for l in &r1.labels {
                for s in &l.spans {
                    assert!(s.start <= s.end, "span {}..{} reversed", s.start, s.end);
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "scan differs between runs: {:?} vs {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    }
}

/// Cut points from the first bytes: up to 8 positions in the rest.
fn cuts(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let n = data.first().map_or(0, |&b| (b % 9) as usize);
    let n = n.min(data.len().saturating_sub(1));
    let (head, rest) = data.split_at((1 + n).min(data.len()));
    let mut c: Vec<usize> = head
        .iter()
        .skip(1)
        .map(|&b| {
            if rest.is_empty() {
                0
            } else {
                b as usize * rest.len() / 256
            }
        })
        .collect();
    c.sort_unstable();
    c.dedup();
    (c, rest)
}

fn pieces<'a>(rest: &'a [u8], c: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    for &x in c {
        out.push(&rest[at..x]);
        at = x;
    }
    out.push(&rest[at..]);
    out
}

/// The SSE parser: the same events whatever the cut points, and the same as in one read.
pub fn sse_parse(data: &[u8]) {
    let (c, rest) = cuts(data);
    let run = |parts: &[&[u8]]| {
        let mut p = sse::Parser::new();
        let mut out = Vec::new();
        for part in parts {
            if let Err(err) = p.push(part, &mut out) {
                return (out, Some(err));
            }
        }
        match p.finish() {
            Ok(last) => {
                out.extend(last);
                assert_eq!(p.pending(), 0);
                (out, None)
            }
            Err(err) => (out, Some(err)),
        }
    };
    let whole = run(&[rest]);
    let split = run(&pieces(rest, &c));
    assert_eq!(whole, split, "cut points {c:?} change the events");
    // What encode writes parses back to the same event.
    for ev in &whole.0 {
        if !ev.has_fields || ev.data.contains('\r') {
            continue;
        }
        if ev.name.as_deref().is_some_and(|n| n.contains(['\n', '\r'])) {
            continue;
        }
        let mut wire = Vec::new();
        sse::encode(ev.name.as_deref(), &ev.data, &mut wire);
        let mut p = sse::Parser::new();
        let mut back = Vec::new();
        if p.push(&wire, &mut back).is_ok() {
            assert_eq!(back.len(), 1, "encode wrote one event");
            assert_eq!(back[0].data, ev.data);
        }
    }
}

/// The stream response path on arbitrary bytes at arbitrary cut points (first byte of the rest:
/// format, destination and whether the bytes are raw SSE or model text wrapped in deltas).
pub fn stream(data: &[u8]) {
    stream_check(data, false);
}

/// [`stream`], and in addition: model text from a destination approved for nothing controlled
/// that the client can reassemble is not controlled when scanned whole (unless the stream was
/// cut). It found support that completes a rule in a later delta (fixed; see
/// docs/failure-modes.md, "Bugs found by fuzzing").
pub fn stream_strict(data: &[u8]) {
    stream_check(data, true);
}

fn stream_check(data: &[u8], strict: bool) {
    let (c, rest) = cuts(data);
    let Some((&sel, rest)) = rest.split_first() else {
        return;
    };
    let provider = provider_of(sel);
    let destination = if sel & 2 == 0 { "commercial" } else { "usgov" };
    let e = engine();
    let ctx = ResponseCtx {
        provider: provider.into(),
        destination: destination.into(),
        identity: us_person(e),
        request_id: "fuzz".into(),
        masks: fuzz_masks(sel & 8 != 0),
    };
    let masked = sel & 8 != 0;
    let wrapped;
    let (input, text_mode): (&[u8], bool) = if sel & 4 == 0 {
        (rest, false)
    } else {
        // Model text: one delta event per piece between cut points.
        let text = String::from_utf8_lossy(rest).into_owned();
        let mut w = Vec::new();
        let mut at = 0;
        let mut bounds: Vec<usize> = c.iter().map(|&x| x.min(text.len())).collect();
        bounds.push(text.len());
        for b in bounds {
            let mut b = b.max(at);
            while !text.is_char_boundary(b) {
                b += 1;
            }
            let d = &text[at..b];
            at = b;
            let ev = if provider == Provider::Openai {
                json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                       "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}]})
            } else {
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": d}})
            };
            if provider == Provider::Anthropic {
                w.extend_from_slice(b"event: content_block_delta\n");
            }
            w.extend_from_slice(format!("data: {ev}\n\n").as_bytes());
        }
        if provider == Provider::Openai {
            w.extend_from_slice(b"data: [DONE]\n\n");
        }
        wrapped = w;
        (&wrapped[..], true)
    };
    let mut scratch = e.new_scratch();
    let mut st = e.new_stream(ctx);
    let mut client = Vec::new();
    let parts = pieces(
        input,
        &c.iter().map(|&x| x.min(input.len())).collect::<Vec<_>>(),
    );
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        client.extend(e.stream_chunk(&mut scratch, &mut st, part, i == last));
    }
    let mut audit = AuditRecord::default();
    e.finish_stream(&mut st, &mut audit);
    assert!(audit.response_decision.is_some(), "every stream is decided");
    let Ok(out) = String::from_utf8(client) else {
        panic!("the client received invalid UTF-8");
    };
    if text_mode && masked {
        // A placeholder of the request's own values never reaches the client whole.
        let mut text = String::new();
        for line in out.lines() {
            let Some(v) = line
                .strip_prefix("data: ")
                .and_then(|d| serde_json::from_str::<Value>(d).ok())
            else {
                continue;
            };
            for p in ["/choices/0/delta/content", "/delta/text"] {
                if let Some(s) = v.pointer(p).and_then(Value::as_str) {
                    text.push_str(s);
                }
            }
        }
        assert!(
            !text.contains("[MASKED:SSN:1]") && !text.contains("[MASKED:NAME:2]"),
            "a placeholder reached the client: {text:?}"
        );
    }
    if strict && text_mode && destination == "commercial" {
        // What the client reassembles from a commercial model must not be controlled.
        let mut text = String::new();
        for block in out.split("\n\n") {
            for line in block.lines() {
                let Some(d) = line.strip_prefix("data: ") else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(d) else {
                    continue;
                };
                for p in ["/choices/0/delta/content", "/delta/text"] {
                    if let Some(s) = v.pointer(p).and_then(Value::as_str) {
                        text.push_str(s);
                    }
                }
            }
        }
        let mut s2 = e.new_scratch();
        if let Ok((report, _)) = e.scan_text(&mut s2, &text) {
            let blocked = out.contains("controlled_content_in_response");
            assert!(
                !report.controlled || blocked,
                "controlled model output released to the client: {:?}",
                report.labels
            );
        }
    }
}

/// The masks of a request that masked two values (or none).
fn fuzz_masks(on: bool) -> itar_filter::mask::Masks {
    let mut m = itar_filter::mask::Masks::default();
    if on {
        m.assign("SSN", "148-36-7725");
        m.assign("NAME", "O\"Neil [x]");
    }
    m
}

/// Claims: the pairs decoding and identity from arbitrary claims never panic, and a verified
/// identity always names its subject.
pub fn claims(data: &[u8]) {
    let e = engine();
    let Some(pol) = e.identity.as_ref() else {
        return;
    };
    if let Some(pairs) = decode_pairs(data) {
        let total: usize = 4 + pairs
            .iter()
            .map(|(k, v)| 8 + k.len() + v.len() + 2)
            .sum::<usize>();
        assert!(total <= data.len() + 2, "pairs claim more bytes than given");
    }
    let mut candidates = Vec::new();
    if let Some(v) = decode_pairs_struct(data) {
        assert!(v.is_object());
        candidates.push(v);
    }
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        candidates.push(v);
    }
    for v in candidates {
        let id = Identity::from_claims(pol, &v);
        if id.state == itar_filter::identity::IdentityState::Verified {
            assert!(id.subject.is_some(), "verified without a subject: {v}");
        }
        // The identity serializes into the audit record.
        assert!(serde_json::to_string(&id).is_ok());
    }
}

/// Policy parsing on arbitrary bytes: an error or an engine, never a panic.
pub fn policy(data: &[u8]) {
    if let Ok(e) = Engine::from_policy_json(data) {
        exercise(&e);
    }
}

fn exercise(e: &Engine) {
    let who = match e.identity.as_ref() {
        Some(p) => Identity::from_claims(
            p,
            &json!({"sub": "fuzz", "iss": "https://idp.demo.itar-gateway.invalid",
                    "aud": "itar-gateway", "person_category": "us_citizen",
                    "iat": 1.7e9, "exp": 1.7e9 + 3600.0}),
        ),
        None => Identity::missing(),
    };
    for text in [
        "hello",
        "SECRET//NOFORN troop movements",
        "SSN 410-28-6653",
        "ITAR CONTROLLED: fin actuator torque 24 Nm",
    ] {
        let body = json!({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]});
        if let Ok(b) = serde_json::to_vec(&body) {
            let mut scratch = e.new_scratch();
            let mut audit = AuditRecord::default();
            let _ = e.inspect_request(&mut scratch, Provider::Openai, &b, &who, &mut audit);
        }
    }
}

/// Policy parsing on mutations of the default policy: the bytes drive which node changes and how.
pub fn policy_mutate(data: &[u8]) {
    let Ok(mut v) = serde_json::from_slice::<Value>(DEFAULT_POLICY) else {
        panic!("the default policy is JSON");
    };
    for op in data.chunks(4).take(6) {
        let [a, b, c, d] = [
            op[0],
            *op.get(1).unwrap_or(&0),
            *op.get(2).unwrap_or(&0),
            *op.get(3).unwrap_or(&0),
        ];
        mutate(&mut v, a as usize | (b as usize) << 8, c, d);
    }
    let Ok(bytes) = serde_json::to_vec(&v) else {
        return;
    };
    if let Ok(e) = Engine::from_policy_json(&bytes) {
        exercise(&e);
    }
}

/// Count of nodes under `v` (itself included).
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(m) => m.values().map(nodes).sum(),
        _ => 0,
    }
}

/// Replace node number `target % nodes` (pre-order) according to `how` and `arg`.
fn mutate(v: &mut Value, target: usize, how: u8, arg: u8) {
    let total = nodes(v);
    let mut i = target % total;
    apply_at(v, &mut i, how, arg);
}

fn apply_at(v: &mut Value, i: &mut usize, how: u8, arg: u8) -> bool {
    if *i == 0 {
        let new = match how % 12 {
            0 => Value::Null,
            1 => Value::Bool(arg & 1 == 1),
            2 => json!(arg as i64 - 128),
            3 => json!(u64::MAX - arg as u64),
            4 => json!(-1.5e300),
            5 => Value::String(String::new()),
            6 => Value::String(
                [
                    "(", "[", "\\", "a{99999}", "(?i)\\w+", "*", "é", "\u{0}", "x",
                ][arg as usize % 9]
                    .into(),
            ),
            7 => json!([]),
            8 => json!({}),
            9 => match &*v {
                Value::Array(a) if !a.is_empty() => {
                    let x = a[arg as usize % a.len()].clone();
                    let mut a = a.clone();
                    a.push(x);
                    Value::Array(a)
                }
                Value::Object(m) if !m.is_empty() => {
                    let mut m = m.clone();
                    if let Some(k) = m.keys().nth(arg as usize % m.len()).cloned() {
                        m.remove(&k);
                    }
                    Value::Object(m)
                }
                Value::String(s) => Value::String(s.repeat(arg as usize % 4 + 2)),
                other => other.clone(),
            },
            10 => match &*v {
                Value::Array(a) if !a.is_empty() => {
                    let mut a = a.clone();
                    a.remove(arg as usize % a.len());
                    Value::Array(a)
                }
                other => json!([other.clone()]),
            },
            _ => Value::String(format!("{arg}")),
        };
        *v = new;
        return true;
    }
    *i -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| apply_at(x, i, how, arg)),
        Value::Object(m) => m.values_mut().any(|x| apply_at(x, i, how, arg)),
        _ => false,
    }
}

/// Run one target by name (the native runner).
pub fn run(target: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == target) {
        Some((_, f)) => {
            f(data);
            true
        }
        None => false,
    }
}
