//! Property test for complete mediation: random JSON requests hide a marking at a random place
//! (any key or string, any depth, under any field name, media-looking names included, glued to
//! random punctuation), optionally encoded the way a field of that name would be (base64, a
//! `data:` URL); the default policy must never forward one to a destination not approved for it.
//!
//!   cargo test -p itar-filter --test mediation -- --nocapture
//!
//! A deterministic generator (seeded) keeps failures reproducible: the failing body is printed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use itar_filter::audit::AuditRecord;
use itar_filter::engine::{Engine, Verdict};
use itar_filter::head::HeadPiece;
use itar_filter::identity::Identity;
use itar_filter::policy::Provider;
use serde_json::{json, Map, Value};

mod common;
use common::Rng;

fn pick<'a, T>(r: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[r.below(xs.len())]
}

/// Field names a request uses, media and schema words among them (the places a filter might
/// "know" are harmless).
const NAMES: &[&str] = &[
    "url",
    "data",
    "type",
    "image_url",
    "source",
    "file_data",
    "input_audio",
    "file",
    "metadata",
    "user",
    "user_id",
    "text",
    "content",
    "input",
    "arguments",
    "name",
    "id",
    "detail",
    "format",
    "media_type",
    "mcp_servers",
    "tools",
    "x",
    "k",
    "_",
    "a1",
];
const TYPES: &[&str] = &[
    "base64",
    "image",
    "image_url",
    "document",
    "input_image",
    "input_file",
    "file",
    "text",
    "tool_use",
    "url",
    "input_audio",
];
const MARKINGS: &[&str] = &[
    "SECRET//NOFORN",
    "TOP SECRET//SI//NOFORN",
    // The customary legend as applied (a bare "ITAR controlled" in prose can be a question).
    "ITAR CONTROLLED:",
    "CUI//SP-EXPT",
];
/// What may stand right before or after a marking: punctuation, spaces, quotes, brackets.
const GLUE: &[&str] = &[
    "", " ", "-", ".", ":", "/", "(", ")", "[", "]", "\"", "'", "\n", "\t", ",", "#", "*", "=", "|",
];

fn filler(r: &mut Rng) -> String {
    let words = [
        "hello",
        "ok",
        "value",
        "note",
        "x1",
        "the plan",
        "42",
        "alpha beta",
    ];
    pick(r, &words).to_string()
}

/// A random JSON value of at most `depth` levels, with `slot` somewhere in it if `place` is set.
fn value(r: &mut Rng, depth: usize, secret: &mut Option<String>) -> Value {
    let leaf = depth == 0 || r.below(3) == 0;
    if leaf {
        let roll = r.below(2);
        if let Some(s) = secret.take_if(|_| roll == 0) {
            return Value::String(s);
        }
        return match r.below(4) {
            0 => json!(r.below(100)),
            1 => json!(true),
            _ => Value::String(filler(r)),
        };
    }
    if r.below(3) == 0 {
        let n = 1 + r.below(3);
        return Value::Array((0..n).map(|_| value(r, depth - 1, secret)).collect());
    }
    let mut m = Map::new();
    let n = 1 + r.below(4);
    for _ in 0..n {
        let roll = r.below(4);
        let key = match secret.take_if(|_| roll == 0) {
            Some(s) => s,
            None => pick(r, NAMES).to_string(),
        };
        let v = if key == "type" {
            Value::String(pick(r, TYPES).to_string())
        } else {
            value(r, depth - 1, secret)
        };
        // A repeated name would overwrite a value that may hold the secret.
        if !m.contains_key(&key) {
            m.insert(key, v);
        } else if let Some(prev) = m.get_mut(&key) {
            *prev = json!([prev.clone(), v]);
        }
    }
    Value::Object(m)
}

/// The marking as the sender hides it: glued, maybe base64 or a data URL.
fn hidden(r: &mut Rng) -> String {
    let m = *pick(r, MARKINGS);
    let glued = format!("{}{m}{} troop movements", pick(r, GLUE), pick(r, GLUE));
    match r.below(5) {
        0 => base64::engine::general_purpose::STANDARD.encode(glued.as_bytes()),
        1 => format!("data:,{glued}"),
        2 => format!(
            "data:text/plain;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(glued.as_bytes())
        ),
        _ => glued,
    }
}

fn request(r: &mut Rng) -> (Value, String) {
    let secret = hidden(r);
    let mut slot = Some(secret.clone());
    let mut body = json!({"model": "mistral-large", "messages": [{"role": "user", "content": "Hello there."}]});
    // Place the secret somewhere: keep generating until it is placed.
    while slot.is_some() {
        let place = r.below(4);
        let depth = 1 + r.below(5);
        let v = value(r, depth, &mut slot);
        match place {
            0 => body["metadata"] = v,
            1 => body["messages"]
                .as_array_mut()
                .unwrap()
                .push(json!({"role": "user", "content": [v]})),
            2 => {
                body["tools"] =
                    json!([{"type": "function", "function": {"name": "f", "parameters": v}}])
            }
            _ => body["messages"][0]["extra"] = v,
        }
    }
    (body, secret)
}

#[test]
fn a_hidden_marking_never_reaches_the_foreign_model() {
    let engine =
        Engine::from_policy_json(&std::fs::read("../policies/default.json").unwrap()).unwrap();
    let claims = json!({"sub": "prop", "iss": "https://idp.demo.itar-gateway.invalid",
        "aud": "itar-gateway", "person_category": "foreign_national",
        "groups": ["itar-gateway-users"], "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    let fn_ = Identity::from_claims(engine.identity.as_ref().unwrap(), &claims);
    let mut scratch = engine.new_scratch();
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let runs = 1500;
    let mut refused_by = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..runs {
        let (body, secret) = request(&mut r);
        let bytes = serde_json::to_vec(&body).unwrap();
        let mut audit = AuditRecord::default();
        let v = engine.inspect_request(&mut scratch, Provider::Openai, &bytes, &fn_, &mut audit);
        match v {
            Verdict::Forward { destination, .. } => panic!(
                "run {i}: {secret:?} went to {destination}: {}",
                String::from_utf8_lossy(&bytes)
            ),
            Verdict::Refuse(_) => *refused_by.entry(audit.reason.clone()).or_default() += 1,
        }
    }
    eprintln!("{runs} bodies, all refused: {refused_by:?}");
    // Most refusals are for the content itself, not for media or shape.
    let content = refused_by.get("controlled_content").copied().unwrap_or(0)
        + refused_by.get("blocked_content").copied().unwrap_or(0)
        + refused_by.get("identity_ineligible").copied().unwrap_or(0);
    assert!(content * 2 > runs, "{refused_by:?}");
}

#[test]
fn a_hidden_marking_in_a_forwarded_header_or_query_is_found() {
    let engine =
        Engine::from_policy_json(&std::fs::read("../policies/default.json").unwrap()).unwrap();
    let claims = json!({"sub": "prop", "iss": "https://idp.demo.itar-gateway.invalid",
        "aud": "itar-gateway", "person_category": "us_citizen",
        "groups": ["itar-gateway-users"], "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    let us = Identity::from_claims(engine.identity.as_ref().unwrap(), &claims);
    let mut scratch = engine.new_scratch();
    let mut r = Rng(7);
    let body = br#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#;
    for i in 0..300 {
        let secret = hidden(&mut r);
        let piece = match r.below(3) {
            0 => HeadPiece {
                location: "header user-agent".into(),
                text: format!("user-agent: {secret}"),
            },
            1 => HeadPiece {
                location: "header openai-project".into(),
                text: format!("openai-project: {secret}"),
            },
            _ => HeadPiece {
                location: "query".into(),
                text: format!("q={secret}"),
            },
        };
        let mut audit = AuditRecord::default();
        let v = engine.inspect_request_with_head(
            &mut scratch,
            Provider::Openai,
            body,
            std::slice::from_ref(&piece),
            &us,
            &mut audit,
        );
        // A US person may send it to the approved destination; never to commercial.
        if let Verdict::Forward { destination, .. } = &v {
            assert_ne!(destination, "commercial", "run {i}: {piece:?}");
        }
    }
}
