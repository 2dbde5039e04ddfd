#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Sealed capture, answers captured, and MFA requirements, natively: the engine's request and
//! response paths with the default policy, records sealed into a chain exactly as the glue does
//! in `on_log`, and opened again with the private key (what `itar-audit open` does).

use itar_filter::audit::{AuditRecord, Chain};
use itar_filter::engine::response::{ResponseCtx, ResponseVerdict};
use itar_filter::engine::{Engine, RequestHead, Verdict};
use itar_filter::identity::Identity;
use itar_filter::seal::{binding, PrivateKeyFile};
use itar_filter::wire::Format;
use serde_json::{json, Value};

const PROMPT: &str = "Please summarise plaintext-prompt-7f3a about the quarterly plan.";
const ANSWER: &str = "Here is plaintext-answer-91c2, the summary you asked for.";

fn policy(capture: &str, recipients: Value) -> Vec<u8> {
    let mut p: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    p["audit"] = json!({"capture": capture});
    if !recipients.is_null() {
        p["audit"]["recipients"] = recipients;
    }
    serde_json::to_vec(&p).unwrap()
}

fn sealed_engine() -> (Engine, PrivateKeyFile) {
    let key = PrivateKeyFile::generate().unwrap();
    let e = Engine::from_policy_json(&policy(
        "sealed",
        json!([{"name": "compliance", "public_key": key.public_b64}]),
    ))
    .unwrap();
    (e, key)
}

fn identity(e: &Engine, extra: Value) -> Identity {
    let mut claims = json!({"sub": "t", "iss": "https://idp.demo.itar-gateway.invalid", "aud": "itar-gateway",
                            "person_category": "us_citizen", "groups": ["itar-gateway-users"],
                            "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    if let (Some(c), Some(x)) = (claims.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            c.insert(k.clone(), v.clone());
        }
    }
    Identity::from_claims(e.identity.as_ref().unwrap(), &claims)
}

/// A record started as the glue starts it, with the sealed-capture randomness drawn.
fn start(e: &Engine, request_id: &str) -> AuditRecord {
    let head = RequestHead {
        method: "POST".into(),
        path: "/v1/chat/completions".into(),
        request_id: request_id.into(),
        ..RequestHead::default()
    };
    let mut a = e.audit_start(&head, "2026-12-07T00:00:00.000000Z".into());
    if let Some(s) = &e.sealer {
        a.seal_seed = Some(s.draw().unwrap());
    }
    a
}

fn chat(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}))
        .unwrap()
}

fn completion(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": "c1", "object": "chat.completion", "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7}}))
    .unwrap()
}

fn ctx(e: &Engine, dest: &str) -> ResponseCtx {
    ResponseCtx {
        provider: Format::Openai,
        destination: dest.into(),
        identity: identity(e, json!({})),
        request_id: "r".into(),
        masks: Default::default(),
    }
}

/// Request + buffered answer through the engine; returns the sealed line.
fn buffered(
    e: &Engine,
    chain: &mut Chain,
    id: &str,
    prompt: &str,
    answer: &str,
) -> (Vec<u8>, AuditRecord) {
    let mut s = e.new_scratch();
    let mut a = start(e, id);
    let who = identity(e, json!({}));
    let v = e.inspect_request(&mut s, Format::Openai, &chat(prompt), &who, &mut a);
    assert!(matches!(v, Verdict::Forward { .. }), "{}", a.message);
    let verdict = e.inspect_response(&mut s, &ctx(e, "commercial"), &completion(answer), &mut a);
    assert!(!matches!(verdict, ResponseVerdict::Block(_)));
    let line = chain.seal(&mut a).unwrap();
    (line, a)
}

fn open(key: &PrivateKeyFile, line: &[u8]) -> itar_filter::seal::Sealed {
    let rec: Value = serde_json::from_slice(line).unwrap();
    let env = serde_json::from_value(rec["sealed"].clone()).unwrap();
    let aad = binding(
        rec["request_id"].as_str().unwrap(),
        rec["chain"]["id"].as_str().unwrap(),
        rec["chain"]["seq"].as_u64().unwrap(),
    );
    key.open(&env, &aad).unwrap()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn sealed_record_holds_ciphertext_only_and_opens() {
    let (e, key) = sealed_engine();
    let mut chain = Chain::new("gw/test/1".into());
    let (line, a) = buffered(&e, &mut chain, "req-1", PROMPT, ANSWER);
    for secret in [
        "plaintext-prompt-7f3a",
        "plaintext-answer-91c2",
        "quarterly",
    ] {
        assert!(!contains(&line, secret), "{secret} in the sealed line");
    }
    let rec: Value = serde_json::from_slice(&line).unwrap();
    assert!(rec.get("request_text").is_none() && rec.get("response_text").is_none());
    assert_eq!(rec["sealed"]["to"][0]["kid"], json!(key.kid));
    assert!(a.capture_error.is_none());
    let texts = open(&key, &line);
    assert!(texts.request_text.unwrap().contains(PROMPT));
    assert!(texts.response_text.unwrap().contains(ANSWER));
}

#[test]
fn an_envelope_moved_to_another_record_does_not_open() {
    let (e, key) = sealed_engine();
    let mut chain = Chain::new("gw/test/2".into());
    let (l1, _) = buffered(&e, &mut chain, "req-a", PROMPT, ANSWER);
    let (l2, _) = buffered(
        &e,
        &mut chain,
        "req-b",
        "another benign question",
        "another answer",
    );
    let r1: Value = serde_json::from_slice(&l1).unwrap();
    let mut r2: Value = serde_json::from_slice(&l2).unwrap();
    r2["sealed"] = r1["sealed"].clone();
    let env = serde_json::from_value(r2["sealed"].clone()).unwrap();
    let aad = binding("req-b", "gw/test/2", r2["chain"]["seq"].as_u64().unwrap());
    assert!(key.open(&env, &aad).is_err());
    // Same record, chain position edited.
    let env1 = serde_json::from_value(r1["sealed"].clone()).unwrap();
    assert!(key.open(&env1, &binding("req-a", "gw/test/2", 5)).is_err());
    assert!(key.open(&env1, &binding("req-a", "gw/test/2", 1)).is_ok());
}

#[test]
fn a_blocked_request_is_sealed_too_and_its_answer_is_absent() {
    let (e, key) = sealed_engine();
    let mut s = e.new_scratch();
    let mut a = start(&e, "req-blocked");
    // A foreign national with ITAR content: refused, the prompt still captured (sealed).
    let who = identity(&e, json!({"person_category": "foreign_national"}));
    let prompt = "ITAR CONTROLLED: fin actuator torque 24 Nm, bolt circle 8 x M8.";
    let v = e.inspect_request(&mut s, Format::Openai, &chat(prompt), &who, &mut a);
    assert!(matches!(v, Verdict::Refuse(_)));
    let line = Chain::new("c".into()).seal(&mut a).unwrap();
    assert!(!contains(&line, "actuator"));
    let t = open(&key, &line);
    assert!(t.request_text.unwrap().contains(prompt));
    assert_eq!(t.response_text, None);
}

#[test]
fn without_drawn_randomness_the_texts_are_dropped_never_written() {
    let (e, _) = sealed_engine();
    let mut s = e.new_scratch();
    let mut a = start(&e, "req-noseed");
    a.seal_seed = None;
    let who = identity(&e, json!({}));
    e.inspect_request(&mut s, Format::Openai, &chat(PROMPT), &who, &mut a);
    let line = Chain::new("c".into()).seal(&mut a).unwrap();
    assert!(!contains(&line, "plaintext-prompt-7f3a"));
    let rec: Value = serde_json::from_slice(&line).unwrap();
    assert!(rec.get("sealed").is_none());
    assert!(rec["capture_error"]
        .as_str()
        .unwrap()
        .starts_with("seal_failed"));
}

#[test]
fn the_seal_refusal_is_in_the_clients_format() {
    let (e, _) = sealed_engine();
    let mut a = start(&e, "req-x");
    let r = e.seal_refusal(
        Format::Anthropic,
        &mut a,
        &itar_filter::seal::SealError::Random("test".into()),
    );
    assert_eq!(r.status, 500);
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["code"], "audit_seal_failed");
    assert_eq!(
        (a.decision.as_str(), a.reason.as_str()),
        ("reject", "audit_seal_failed")
    );
}

fn openai_stream(deltas: &[&str]) -> Vec<Vec<u8>> {
    let ev = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
        .into_bytes()
    };
    let mut v = vec![ev(json!({"role": "assistant", "content": ""}), Value::Null)];
    for d in deltas {
        v.push(ev(json!({"content": d}), Value::Null));
    }
    let mut last = ev(json!({}), json!("stop"));
    last.extend_from_slice(b"data: [DONE]\n\n");
    v.push(last);
    v
}

/// A streamed answer through the engine, chunk by chunk; returns what the client got and the
/// finished record.
fn stream(e: &Engine, a: &mut AuditRecord, dest: &str, deltas: &[&str]) -> String {
    let mut s = e.new_scratch();
    let mut st = e.new_stream(ctx(e, dest)).capturing(e.captures_answer(a));
    let chunks = openai_stream(deltas);
    let mut client = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        client.extend(e.stream_chunk(&mut s, &mut st, c, i + 1 == chunks.len()));
    }
    e.finish_stream(&mut st, a);
    String::from_utf8(client).unwrap()
}

/// The model text a client got from an OpenAI stream.
fn client_text(sse: &str) -> String {
    sse.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(String::from)
        })
        .collect()
}

#[test]
fn a_streamed_answer_is_sealed_as_the_client_received_it() {
    let (e, key) = sealed_engine();
    let mut s = e.new_scratch();
    let mut a = start(&e, "req-stream");
    let who = identity(&e, json!({}));
    e.inspect_request(&mut s, Format::Openai, &chat(PROMPT), &who, &mut a);
    let deltas = [
        "Here is ",
        "plaintext-",
        "answer-91c2",
        ", streamed ",
        "in pieces.",
    ];
    let got = stream(&e, &mut a, "commercial", &deltas);
    let line = Chain::new("c".into()).seal(&mut a).unwrap();
    assert!(!contains(&line, "answer-91c2") && !contains(&line, "streamed"));
    let t = open(&key, &line);
    assert_eq!(t.response_text.as_deref(), Some(deltas.concat().as_str()));
    assert_eq!(t.response_text.unwrap(), client_text(&got));
}

#[test]
fn a_cut_stream_keeps_only_what_was_released() {
    let (e, key) = sealed_engine();
    let mut s = e.new_scratch();
    let mut a = start(&e, "req-cut");
    let who = identity(&e, json!({}));
    e.inspect_request(&mut s, Format::Openai, &chat(PROMPT), &who, &mut a);
    // ITAR content in an answer from a commercial destination: the stream is cut there.
    let deltas = [
        "Opening words that go out. ",
        "More words that go out as well, quite a few of them. ",
        "ITAR CONTROLLED: fin actuator torque 24 Nm",
        " and the rest.",
    ];
    let got = stream(&e, &mut a, "commercial", &deltas);
    assert_eq!(a.response_decision.as_deref(), Some("block"));
    let line = Chain::new("c".into()).seal(&mut a).unwrap();
    let t = open(&key, &line);
    let captured = t.response_text.unwrap_or_default();
    assert_eq!(
        captured,
        client_text(&got),
        "the capture is what the client received"
    );
    assert!(captured.starts_with("Opening words"));
    assert!(!captured.contains("actuator"), "{captured}");
}

#[test]
fn redacted_capture_keeps_the_answer_after_redaction() {
    let e = Engine::from_policy_json(&policy("redacted", Value::Null)).unwrap();
    assert!(e.sealer.is_none());
    let mut chain = Chain::new("c".into());
    let ssn = "148-36-7725";
    let (line, _) = buffered(
        &e,
        &mut chain,
        "req-r",
        PROMPT,
        &format!("Your SSN is {ssn}, noted."),
    );
    let rec: Value = serde_json::from_slice(&line).unwrap();
    assert!(rec["request_text"].as_str().unwrap().contains(PROMPT));
    let answer = rec["response_text"].as_str().unwrap();
    assert!(
        answer.contains("[REDACTED:SSN]") && !answer.contains(ssn),
        "{answer}"
    );
    // A streamed answer under redacted: kept, redacted.
    let mut s = e.new_scratch();
    let mut a = start(&e, "req-rs");
    let who = identity(&e, json!({}));
    e.inspect_request(&mut s, Format::Openai, &chat(PROMPT), &who, &mut a);
    stream(
        &e,
        &mut a,
        "commercial",
        &["The number ", "is 148-36-", "7725 on file."],
    );
    let text = a.response_text.clone().unwrap();
    assert!(
        text.contains("[REDACTED:SSN]") && !text.contains("7725"),
        "{text}"
    );
}

#[test]
fn full_capture_keeps_the_answer_in_clear_and_none_keeps_nothing() {
    let e = Engine::from_policy_json(&policy("full", Value::Null)).unwrap();
    let (line, _) = buffered(&e, &mut Chain::new("c".into()), "req-f", PROMPT, ANSWER);
    let rec: Value = serde_json::from_slice(&line).unwrap();
    assert!(rec["response_text"].as_str().unwrap().contains(ANSWER));
    let e = Engine::from_policy_json(&policy("none", Value::Null)).unwrap();
    let (line, _) = buffered(&e, &mut Chain::new("c".into()), "req-n", PROMPT, ANSWER);
    assert!(!contains(&line, "plaintext-answer") && !contains(&line, "plaintext-prompt"));
}

#[test]
fn bad_recipients_refuse_the_policy() {
    let good = PrivateKeyFile::generate().unwrap().public_b64;
    let zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    for (capture, recipients, at) in [
        ("sealed", Value::Null, "audit.recipients"),
        ("sealed", json!([]), "audit.recipients"),
        (
            "sealed",
            json!([{"name": "x", "public_key": "bm90IGEga2V5"}]),
            "audit.recipients[0].public_key",
        ),
        (
            "sealed",
            json!([{"name": "x", "public_key": zero}]),
            "audit.recipients[0].public_key",
        ),
        (
            "sealed",
            json!([{"name": "x", "public_key": good}, {"name": "y", "public_key": good}]),
            "audit.recipients[1].public_key",
        ),
        (
            "sealed",
            json!([{"name": "", "public_key": good}]),
            "audit.recipients[0].name",
        ),
        (
            "full",
            json!([{"name": "x", "public_key": good}]),
            "audit.recipients",
        ),
    ] {
        let err = Engine::from_policy_json(&policy(capture, recipients.clone()))
            .err()
            .unwrap_or_else(|| panic!("accepted {capture} {recipients}"));
        assert!(
            err.to_string().contains(at),
            "{capture} {recipients}: {err}"
        );
    }
    assert!(Engine::from_policy_json(&policy(
        "sealed",
        json!([{"name": "x", "public_key": good}])
    ))
    .is_ok());
}

// --- MFA ---

fn mfa_policy(edit: impl Fn(&mut Value)) -> Result<Engine, String> {
    let mut p: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    p["destinations"]["usgov"]["requires"]["mfa"] = json!(true);
    edit(&mut p);
    Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).map_err(|e| e.to_string())
}

fn itar_request(e: &Engine, claims: Value) -> (Verdict, AuditRecord) {
    let mut s = e.new_scratch();
    let mut a = AuditRecord::default();
    let who = identity(e, claims);
    let v = e.inspect_request(
        &mut s,
        Format::Openai,
        &chat("ITAR CONTROLLED: fin actuator torque 24 Nm, bolt circle 8 x M8."),
        &who,
        &mut a,
    );
    (v, a)
}

fn refused_for_mfa(v: &Verdict, a: &AuditRecord) -> bool {
    match v {
        Verdict::Refuse(r) => {
            r.status == 403
                && a.reason == "identity_ineligible"
                && a.message.contains("requires multi-factor authentication")
        }
        Verdict::Forward { .. } => false,
    }
}

#[test]
fn a_destination_can_require_mfa_from_amr() {
    let e = mfa_policy(|_| {}).unwrap();
    let (v, a) = itar_request(&e, json!({"amr": ["pwd", "mfa"]}));
    assert!(matches!(v, Verdict::Forward { .. }), "{}", a.message);
    for claims in [
        json!({"amr": ["pwd"]}),
        json!({}),
        json!({"amr": "pwd"}),
        json!({"amr": 3}),
    ] {
        let (v, a) = itar_request(&e, claims.clone());
        assert!(refused_for_mfa(&v, &a), "{claims}: {}", a.message);
    }
}

#[test]
fn a_requested_destination_can_require_mfa() {
    let e = mfa_policy(|p| {
        p["destinations"]["onprem"]["requires"]["mfa"] = json!(true);
    })
    .unwrap();
    let ask = |claims: Value| {
        let mut s = e.new_scratch();
        let mut a = AuditRecord::default();
        let who = identity(&e, claims);
        let body = serde_json::to_vec(
            &json!({"model": "llama-3.1-70b", "messages": [{"role": "user", "content": "hello"}]}),
        )
        .unwrap();
        let v = e.inspect_request(&mut s, Format::Openai, &body, &who, &mut a);
        (v, a)
    };
    let (v, a) = ask(json!({"amr": ["pwd"]}));
    assert!(refused_for_mfa(&v, &a), "{}", a.message);
    assert!(a.message.contains("onprem"), "{}", a.message);
    let (v, a) = ask(json!({"amr": ["pwd", "mfa"]}));
    assert!(matches!(v, Verdict::Forward { .. }), "{}", a.message);
}

#[test]
fn mfa_from_acr_values_okta_and_keycloak() {
    let e = mfa_policy(|p| {
        p["identity"]["mfa_acr_values"] = json!(["urn:okta:loa:2fa:any", "phr", "2"]);
    })
    .unwrap();
    for ok in [
        json!({"acr": "urn:okta:loa:2fa:any"}),
        json!({"acr": "2"}),
        json!({"acr": "1", "amr": ["mfa"]}),
    ] {
        let (v, a) = itar_request(&e, ok.clone());
        assert!(matches!(v, Verdict::Forward { .. }), "{ok}: {}", a.message);
    }
    for no in [
        json!({"acr": "1"}),
        json!({"acr": "urn:okta:loa:1fa:any"}),
        json!({"acr": 2}),
    ] {
        let (v, a) = itar_request(&e, no.clone());
        assert!(refused_for_mfa(&v, &a), "{no}: {}", a.message);
    }
}

#[test]
fn a_label_can_require_mfa() {
    let mut p: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    p["labels"]["ITAR"]["requires"]["mfa"] = json!(true);
    let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
    let (v, a) = itar_request(&e, json!({"amr": ["pwd"]}));
    assert!(refused_for_mfa(&v, &a), "{}", a.message);
    assert!(a.message.contains("ITAR"), "{}", a.message);
    let (v, _) = itar_request(&e, json!({"amr": ["mfa"]}));
    assert!(matches!(v, Verdict::Forward { .. }));
    // Benign content does not need it.
    let mut s = e.new_scratch();
    let mut a = AuditRecord::default();
    let who = identity(&e, json!({"amr": ["pwd"]}));
    let v = e.inspect_request(&mut s, Format::Openai, &chat("hello there"), &who, &mut a);
    assert!(matches!(v, Verdict::Forward { .. }), "{}", a.message);
}

#[test]
fn the_identity_records_mfa_and_the_claim_map_renames_it() {
    let e = mfa_policy(|p| {
        p["identity"]["claims"]["amr"] = json!("auth.methods");
    })
    .unwrap();
    let id = identity(&e, json!({"auth": {"methods": ["otp", "mfa"]}}));
    assert_eq!(id.mfa, Some(true));
    let id = identity(&e, json!({"amr": ["mfa"]}));
    assert_eq!(
        id.mfa, None,
        "the default claim name is not read once renamed"
    );
    let v = serde_json::to_value(identity(&e, json!({"auth": {"methods": ["pwd"]}}))).unwrap();
    assert_eq!(v["mfa"], json!(false));
}

#[test]
fn an_mfa_requirement_nothing_can_satisfy_refuses_the_policy() {
    let err = mfa_policy(|p| {
        p["identity"]["mfa_amr_values"] = json!([]);
    })
    .err()
    .unwrap();
    assert!(err.contains("requires.mfa"), "{err}");
    let err = mfa_policy(|p| {
        p.as_object_mut().unwrap().remove("identity");
    })
    .err()
    .unwrap();
    assert!(err.contains("identity"), "{err}");
}
