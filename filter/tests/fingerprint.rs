//! Document fingerprints in the policy (docs/learning.md, "Document fingerprints"): a bad
//! artifact refuses the policy naming the field; an excerpt of a fingerprinted document, also
//! reformatted, is flagged in a request and in a response (buffered and streamed) with the
//! document's id and span and never its text; unrelated text is not; the audit record names the
//! artifacts in force; an artifact swapped alone is a new policy digest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use itar_filter::audit::AuditRecord;
use itar_filter::engine::response::{ResponseCtx, ResponseVerdict};
use itar_filter::engine::{Engine, Verdict};
use itar_filter::fingerprint::{build, doc_id, id_hex, Doc, DEFAULT_K, DEFAULT_W};
use itar_filter::identity::Identity;
use itar_filter::policy::Provider;
use serde_json::{json, Value};

const DEFAULT: &[u8] = include_bytes!("../../policies/default.json");

/// Deterministic made-up prose (syllable words, sentences): no rule of the default pack fires.
fn prose(seed: u64, n: usize) -> String {
    const SYL: &[&str] = &[
        "ka", "ro", "ven", "dal", "mi", "tor", "qua", "sel", "pha", "nix", "bor", "el", "ustr",
        "gan", "fe", "lo", "mur", "ast",
    ];
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut s = String::new();
    for i in 0..n {
        let r = next();
        for j in 0..1 + r % 3 {
            s.push_str(SYL[((r >> (8 + j * 5)) % SYL.len() as u64) as usize]);
        }
        s.push_str(if i % 12 == 11 { ". " } else { " " });
    }
    s
}

fn docs() -> Vec<String> {
    (0..6).map(|i| prose(i + 1, 500)).collect()
}

fn artifact(label: &str, docs: &[String]) -> Vec<u8> {
    let d: Vec<Doc> = docs
        .iter()
        .map(|t| Doc {
            id: doc_id(t.as_bytes()),
            text: t,
        })
        .collect();
    build(label, &d, DEFAULT_K, DEFAULT_W, 8).unwrap().bytes
}

fn sha(b: &[u8]) -> String {
    itar_filter::audit::sha256_hex(b)
}

fn policy_with(bytes: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(DEFAULT).unwrap();
    v["fingerprints"] = json!([{"label": "ITAR", "file": "itar.fp", "sha256": sha(bytes),
        "data": base64::engine::general_purpose::STANDARD.encode(bytes)}]);
    v
}

fn compile(v: &Value) -> Result<Engine, String> {
    Engine::from_policy_json(&serde_json::to_vec(v).unwrap()).map_err(|e| e.to_string())
}

fn body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}))
        .unwrap()
}

fn identity(e: &Engine) -> Identity {
    let claims = json!({"sub": "t", "iss": "https://idp.demo.itar-gateway.invalid", "aud": "itar-gateway",
                        "person_category": "us_citizen", "groups": ["itar-gateway-users"],
                        "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    Identity::from_claims(e.identity.as_ref().unwrap(), &claims)
}

/// Words `at..at + n` of document `d`, upper-cased, a comma and a line break between words,
/// look-alike Cyrillic letters for A, E and O.
fn reformatted(doc: &str, at: usize, n: usize) -> String {
    let words: Vec<&str> = doc.split_whitespace().collect();
    words[at..at + n]
        .join(" ")
        .to_uppercase()
        .replace(' ', ",\n")
        .replace('A', "\u{0410}")
        .replace('E', "\u{0415}")
        .replace('O', "\u{041E}")
}

#[test]
fn a_bad_artifact_refuses_the_policy_naming_the_field() {
    let bytes = artifact("ITAR", &docs());
    assert!(compile(&policy_with(&bytes)).is_ok());
    let refused = |v: &Value, why: &str| {
        let e = compile(v)
            .err()
            .unwrap_or_else(|| panic!("{why}: accepted"));
        assert!(e.contains("fingerprints (ITAR)"), "{why}: {e}");
        e
    };
    let mut v = policy_with(&bytes);
    v["fingerprints"][0]["sha256"] = json!("0".repeat(64));
    assert!(refused(&v, "wrong digest").contains("digest"));
    let mut v = policy_with(&bytes);
    v["fingerprints"][0].as_object_mut().unwrap().remove("data");
    assert!(refused(&v, "not inlined").contains("not inlined"));
    // Malformed artifacts whose digest matches.
    refused(&policy_with(&bytes[..bytes.len() - 3]), "truncated");
    let mut extra = bytes.clone();
    extra.push(0);
    refused(&policy_with(&extra), "trailing");
    let mut magic = bytes.clone();
    magic[1] ^= 0x20;
    refused(&policy_with(&magic), "magic");
    refused(&policy_with(&artifact("EAR", &docs())), "another label");
    // An excerpt is not a span to cut out.
    let mut v = policy_with(&bytes);
    v["classifiers"] = json!([]);
    v["labels"]["ITAR"]["action"] = json!("redact");
    assert!(refused(&v, "redact").contains("redact"));
    // Unknown keys are refused like everywhere in the policy.
    let mut v = policy_with(&bytes);
    v["fingerprints"][0]["threshold"] = json!(0.5);
    assert!(compile(&v).is_err());
}

#[test]
fn an_excerpt_is_flagged_with_its_document_and_span_never_its_text() {
    let docs = docs();
    let bytes = artifact("ITAR", &docs);
    let e = compile(&policy_with(&bytes)).unwrap();
    let mut s = e.new_scratch();
    let doc = &docs[3];
    let name = format!("doc:{}", id_hex(doc_id(doc.as_bytes())));
    for (at, n) in [(0, 40), (120, 40), (300, 60), (450, 45)] {
        let excerpt = reformatted(doc, at, n);
        let text = format!("Please tighten the wording of this paragraph:\n{excerpt}\nThanks!");
        let r = e.scan_body(&mut s, Provider::Openai, &body(&text)).unwrap();
        assert!(r.controlled, "excerpt at {at}");
        let l = r
            .labels
            .iter()
            .find(|l| l.rules.iter().any(|x| x == "fingerprint.ITAR"))
            .unwrap_or_else(|| panic!("excerpt at {at}: {:?}", r.labels));
        assert_eq!(l.features, vec![name.clone()]);
        // The span lies inside the excerpt, in the original string's bytes.
        let sp = &l.spans[0];
        assert_eq!(sp.location, "/messages/0/content");
        let (from, to) = (
            text.find(&excerpt).unwrap(),
            text.find(&excerpt).unwrap() + excerpt.len(),
        );
        assert!(
            sp.start >= from && sp.end <= to && sp.start < sp.end,
            "{sp:?} not in {from}..{to}"
        );
    }
    // Through the request path: rerouted to the approved endpoint, the record names the
    // document and the artifact, and holds no word of the excerpt.
    let excerpt = reformatted(doc, 200, 40);
    let mut audit = AuditRecord {
        policy: e.policy_ref.clone(),
        ..AuditRecord::default()
    };
    let v = e.inspect_request(
        &mut s,
        Provider::Openai,
        &body(&excerpt),
        &identity(&e),
        &mut audit,
    );
    assert!(matches!(v, Verdict::Forward { .. }), "{v:?}");
    assert_eq!(audit.destination.as_deref(), Some("usgov"), "{audit:?}");
    let line = serde_json::to_string(&audit).unwrap();
    assert!(
        line.contains(&name) && line.contains("fingerprint.ITAR"),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "\"kind\":\"fingerprint\",\"label\":\"ITAR\",\"sha256\":\"{}\"",
            sha(&bytes)
        )),
        "{line}"
    );
    let words: Vec<&str> = doc.split_whitespace().collect();
    for w in &words[200..240] {
        if w.len() > 6 {
            assert!(
                !line.to_lowercase().contains(&w.to_lowercase()),
                "{w} in {line}"
            );
        }
    }
}

#[test]
fn unrelated_text_and_short_quotes_are_not_flagged() {
    let docs = docs();
    let e = compile(&policy_with(&artifact("ITAR", &docs))).unwrap();
    let mut s = e.new_scratch();
    for seed in 100..140 {
        let r = e
            .scan_body(&mut s, Provider::Openai, &body(&prose(seed, 700)))
            .unwrap();
        assert!(!r.controlled, "seed {seed}: {:?}", r.labels);
    }
    // A few words of a document are not an excerpt.
    let words: Vec<&str> = docs[0].split_whitespace().collect();
    let r = e
        .scan_body(&mut s, Provider::Openai, &body(&words[10..20].join(" ")))
        .unwrap();
    assert!(!r.controlled);
}

#[test]
fn an_excerpt_in_an_encoded_segment_is_flagged() {
    let docs = docs();
    let e = compile(&policy_with(&artifact("ITAR", &docs))).unwrap();
    let mut s = e.new_scratch();
    let words: Vec<&str> = docs[1].split_whitespace().collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(words[50..100].join(" "));
    let r = e
        .scan_body(
            &mut s,
            Provider::Openai,
            &body(&format!("decode this: {b64}")),
        )
        .unwrap();
    assert!(
        r.labels
            .iter()
            .any(|l| l.rules.iter().any(|x| x == "fingerprint.ITAR")),
        "{:?}",
        r.labels
    );
}

fn ctx(e: &Engine, dest: &str) -> ResponseCtx {
    ResponseCtx {
        provider: Provider::Openai.into(),
        destination: dest.into(),
        identity: identity(e),
        request_id: "req-1".into(),
        masks: Default::default(),
    }
}

#[test]
fn an_excerpt_in_a_response_is_caught_buffered_and_streamed() {
    let docs = docs();
    let e = compile(&policy_with(&artifact("ITAR", &docs))).unwrap();
    let mut s = e.new_scratch();
    let excerpt = reformatted(&docs[5], 100, 40);
    let answer = |t: &str| {
        serde_json::to_vec(&json!({"id": "c1", "object": "chat.completion", "model": "gpt-4o",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}]}))
        .unwrap()
    };
    let mut audit = AuditRecord::default();
    let v = e.inspect_response(
        &mut s,
        &ctx(&e, "commercial"),
        &answer(&format!("Sure: {excerpt}")),
        &mut audit,
    );
    assert!(matches!(v, ResponseVerdict::Block(_)), "{audit:?}");
    assert!(audit
        .response_labels
        .iter()
        .any(|l| l.rules.iter().any(|r| r == "fingerprint.ITAR")));
    let mut audit = AuditRecord::default();
    let v = e.inspect_response(
        &mut s,
        &ctx(&e, "commercial"),
        &answer(&prose(77, 300)),
        &mut audit,
    );
    assert!(matches!(v, ResponseVerdict::Pass), "{audit:?}");
    // Streamed a few words per event: the stream is cut once the excerpt is recognizable.
    let words: Vec<String> = format!("Sure: {excerpt} and more words follow here")
        .split_inclusive(' ')
        .map(String::from)
        .collect();
    let mut st = e.new_stream(ctx(&e, "commercial"));
    let mut out = Vec::new();
    for chunk in words.chunks(3) {
        let ev = format!(
            "data: {}\n\n",
            json!({"id": "c1", "object": "chat.completion.chunk", "model": "m",
                   "choices": [{"index": 0, "delta": {"content": chunk.concat()}, "finish_reason": null}]})
        );
        out.extend(e.stream_chunk(&mut s, &mut st, ev.as_bytes(), false));
    }
    out.extend(e.stream_chunk(&mut s, &mut st, b"data: [DONE]\n\n", true));
    let mut audit = AuditRecord::default();
    e.finish_stream(&mut st, &mut audit);
    let all = String::from_utf8(out).unwrap();
    assert!(all.contains("controlled_content_in_response"), "{all}");
    assert!(!all.contains("[DONE]"));
}

#[test]
fn an_artifact_swapped_alone_is_a_new_policy_digest() {
    let docs = docs();
    let a = compile(&policy_with(&artifact("ITAR", &docs))).unwrap();
    let b = compile(&policy_with(&artifact("ITAR", &docs[..5]))).unwrap();
    let c = compile(&policy_with(&artifact("ITAR", &docs))).unwrap();
    assert_ne!(a.policy_ref.digest, b.policy_ref.digest);
    assert_eq!(a.policy_ref.digest, c.policy_ref.digest);
}
