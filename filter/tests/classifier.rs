//! The trained classifier in the policy (docs/learning.md): a bad artifact refuses the policy, and
//! the default policy's classifier catches development rows the rules alone miss, naming itself,
//! without flagging a benign row.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use itar_filter::engine::Engine;
use itar_filter::policy::Provider;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const DEFAULT: &[u8] = include_bytes!("../../policies/default.json");

fn policy() -> Value {
    serde_json::from_slice(DEFAULT).unwrap()
}

fn compile(v: &Value) -> Result<Engine, String> {
    Engine::from_policy_json(&serde_json::to_vec(v).unwrap()).map_err(|e| e.to_string())
}

fn artifact(v: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(v["classifiers"][0]["data"].as_str().unwrap())
        .unwrap()
}

fn with_artifact(mut v: Value, bytes: &[u8]) -> Value {
    use base64::Engine as _;
    let c = &mut v["classifiers"][0];
    c["data"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
    c["sha256"] = json!(hex(&Sha256::digest(bytes)));
    v
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn a_bad_artifact_refuses_the_policy() {
    let good = policy();
    assert!(compile(&good).is_ok());
    let bytes = artifact(&good);
    let refused = |v: &Value, why: &str| {
        let e = compile(v)
            .err()
            .unwrap_or_else(|| panic!("{why}: accepted"));
        assert!(e.contains("classifiers ("), "{why}: {e}");
        e
    };

    let mut v = good.clone();
    v["classifiers"][0]["sha256"] = json!("0".repeat(64));
    let e = refused(&v, "wrong digest");
    assert!(e.contains("digest"), "{e}");

    let mut v = good.clone();
    v["classifiers"][0].as_object_mut().unwrap().remove("data");
    let e = refused(&v, "not inlined");
    assert!(e.contains("not inlined"), "{e}");

    // Malformed artifacts whose digest matches: truncated, trailing bytes, wrong magic, another
    // label, a version this filter does not read.
    refused(
        &with_artifact(good.clone(), &bytes[..bytes.len() / 2]),
        "truncated",
    );
    let mut extra = bytes.clone();
    extra.push(7);
    refused(&with_artifact(good.clone(), &extra), "trailing");
    let mut magic = bytes.clone();
    magic[0] ^= 0xff;
    refused(&with_artifact(good.clone(), &magic), "magic");
    let mut version = bytes.clone();
    version[8] = 99;
    refused(&with_artifact(good.clone(), &version), "version");
    let mut v = good.clone();
    v["classifiers"][0]["label"] = json!("EAR");
    let e = refused(&v, "label");
    assert!(e.contains("trained for label"), "{e}");

    for t in [0.0, 1.0, 1.5, -0.2] {
        let mut v = good.clone();
        v["classifiers"][0]["threshold"] = json!(t);
        refused(&v, "threshold");
    }
    let mut v = good.clone();
    v["classifiers"][0]["corroborate"] = json!(["no_such_signal"]);
    refused(&v, "unknown signal");
    let mut v = good.clone();
    v["labels"]["ITAR"]["action"] = json!("redact");
    refused(&v, "a redacting label");
}

fn rows() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus/families");
    let mut out = Vec::new();
    for f in ["family_a", "family_b", "family_c", "family_d"] {
        let text = std::fs::read_to_string(dir.join(format!("{f}.jsonl"))).unwrap();
        out.extend(
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap()),
        );
    }
    out
}

fn body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"model": "", "messages": [{"role": "user", "content": text}]}))
        .unwrap()
}

#[test]
fn the_classifier_catches_what_the_rules_miss_and_names_itself() {
    let with = compile(&policy()).unwrap();
    let mut rules_only = policy();
    rules_only["classifiers"] = json!([]);
    let without = compile(&rules_only).unwrap();
    let (mut s1, mut s2) = (with.new_scratch(), without.new_scratch());
    let (mut gained, mut benign, mut flagged) = (0, 0, Vec::new());
    for r in rows() {
        if r.get("technique").is_some() {
            continue;
        }
        let b = body(r["text"].as_str().unwrap());
        let a = with.scan_body(&mut s1, Provider::Openai, &b).unwrap();
        let z = without.scan_body(&mut s2, Provider::Openai, &b).unwrap();
        let by_model = a
            .labels
            .iter()
            .any(|l| l.rules.iter().any(|id| id == "classifier.ITAR"));
        match r["expect"].as_str().unwrap() {
            "block" if a.controlled && !z.controlled => {
                assert!(by_model, "{}: caught, but not by the classifier", r["id"]);
                gained += 1;
            }
            "allow" => {
                benign += 1;
                if by_model {
                    flagged.push(r["id"].to_string());
                }
            }
            _ => {}
        }
        // The classifier only adds: what the rules find stays found.
        assert!(a.controlled || !z.controlled, "{}", r["id"]);
    }
    assert!(gained >= 20, "the classifier added {gained} rows");
    assert!(
        flagged.is_empty(),
        "benign rows flagged: {flagged:?} of {benign}"
    );
}

#[test]
fn uncorroborated_technical_text_is_not_flagged() {
    // Parameters of a defense article without a defense word: the model may find them
    // technical, the vocabulary does not say defense, so nothing fires (docs/learning.md).
    let e = compile(&policy()).unwrap();
    let mut s = e.new_scratch();
    let text = "status update\n- gas port diameter: 0.068 in\n- carrier mass: 333 g\n\
                - ref: drawing 7785205\nhey can you machine the values below so we hit spec";
    let r = e.scan_body(&mut s, Provider::Openai, &body(text)).unwrap();
    assert!(
        !r.labels
            .iter()
            .any(|l| l.rules.iter().any(|id| id == "classifier.ITAR")),
        "{:?}",
        r.labels
    );
}

fn by_classifier(e: &Engine, s: &mut itar_filter::engine::Scratch, body: &[u8]) -> Option<f64> {
    let r = e.scan_body(s, Provider::Openai, body).unwrap();
    r.labels
        .iter()
        .find(|l| l.rules.iter().any(|id| id == "classifier.ITAR"))
        .map(|l| l.confidence)
}

#[test]
fn the_request_framing_does_not_move_the_classifier() {
    // What the classifier judges is what the sender wrote: the body's keys and its model name
    // are framing (a model name like `gpt-4o` has a weapon designator's shape), so the verdict on
    // a message is the same whatever model it is sent to. The rules still scan the framing.
    let mut v = policy();
    v["classifiers"][0]["threshold"] = json!(0.5);
    let e = compile(&v).unwrap();
    let mut s = e.new_scratch();
    let mut judged = 0;
    let models = [
        "gpt-4o",
        "claude-sonnet-4-5-20250929",
        "gemini-2.5-pro",
        "AGM-88E",
    ];
    for (i, r) in rows()
        .iter()
        .filter(|r| r.get("technique").is_none())
        .enumerate()
    {
        let text = r["text"].as_str().unwrap();
        let plain = by_classifier(&e, &mut s, &body(text));
        judged += usize::from(plain.is_some());
        // Every row the classifier judged, and every tenth of the others, under every model.
        if plain.is_none() && i % 10 != 0 {
            continue;
        }
        for model in models {
            let b = serde_json::to_vec(
                &json!({"model": model, "messages": [{"role": "user", "content": text}]}),
            )
            .unwrap();
            assert_eq!(
                by_classifier(&e, &mut s, &b),
                plain,
                "{} with model {model}",
                r["id"]
            );
        }
    }
    assert!(judged >= 100, "only {judged} rows reached the classifier");
    // Framing is what is shaped like an identifier: a key that reads like text is judged.
    let text = "Write the T/R module test procedure for the radar.";
    let key = serde_json::to_vec(&json!({"model": "gpt-4o", "messages": [
        {"role": "user", "content": "hi", "note": {"AGM-88E seeker gimbal rate 120 deg/s and the \
         T/R module test procedure": text}}]}))
    .unwrap();
    let as_key = by_classifier(&e, &mut s, &key);
    assert!(as_key.is_some(), "a key that reads like text was left out");
}
