//! The per-request flow driven natively through a fake proxy: the core cases of the Envoy
//! suites (wasm-tests/test_foundation.py, test_identity.py, test_response.py, test_usage.py)
//! without Envoy. Each test asserts what the client and the upstream see, the effects the flow
//! asked of the proxy (route cache, headers, body) and the audit record.
//!
//!   cargo test -p itar-filter --test flow

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fake;

use fake::{finish, pairs, send_request, upstream_answers, FakeHost};
use itar_filter::config::FilterConfig;
use itar_filter::flow::{Exchange, Loaded, Step};
use serde_json::{json, Value};

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/default.json");
const ITAR: &str = "ITAR CONTROLLED: This document contains technical data. Fin actuator torque 24 Nm, bolt circle 8 x M8.";

fn policy_json() -> Value {
    serde_json::from_slice(&std::fs::read(POLICY).unwrap()).unwrap()
}

fn load(policy: &Value) -> Loaded {
    Loaded::new(FilterConfig::load(&serde_json::to_vec(policy).unwrap()).unwrap())
}

fn default_policy() -> Loaded {
    load(&policy_json())
}

fn list(xs: &[&str]) -> Vec<u8> {
    let items: Vec<(&[u8], Vec<u8>)> = xs.iter().map(|x| (x.as_bytes(), Vec::new())).collect();
    pairs(&items)
}

struct Claims<'a> {
    sub: &'a str,
    person: &'a str,
    clearance: Option<&'a str>,
    team: Option<&'a str>,
}

fn us(sub: &str) -> Claims<'_> {
    Claims {
        sub,
        person: "us_citizen",
        clearance: Some("SECRET"),
        team: None,
    }
}

/// jwt_authn's verified claims for the demo issuer (what Envoy puts in the metadata).
fn verified(host: &mut FakeHost, c: &Claims<'_>) {
    let now = (host.now / 1_000_000_000) as f64;
    let mut items: Vec<(&[u8], Vec<u8>)> = vec![
        (b"iss", b"https://idp.demo.itar-gateway.invalid".to_vec()),
        (b"sub", c.sub.as_bytes().to_vec()),
        (b"aud", b"itar-gateway".to_vec()),
        (b"iat", now.to_le_bytes().to_vec()),
        (b"nbf", now.to_le_bytes().to_vec()),
        (b"exp", (now + 3600.0).to_le_bytes().to_vec()),
        (b"person_category", c.person.as_bytes().to_vec()),
        (b"groups", list(&["itar-gateway-users"])),
    ];
    if let Some(cl) = c.clearance {
        items.push((b"clearance", cl.as_bytes().to_vec()));
    }
    if let Some(t) = c.team {
        items.push((b"team", t.as_bytes().to_vec()));
    }
    host.set_property(
        &[
            "metadata",
            "filter_metadata",
            "envoy.filters.http.jwt_authn",
            "claims",
        ],
        pairs(&items),
    );
    host.set_property(&["source", "address"], b"127.0.0.1:50000".to_vec());
}

fn headers<'a>(path: &'a str, rid: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        (":method", "POST"),
        (":path", path),
        (":authority", "gateway.local"),
        ("content-type", "application/json"),
        ("x-request-id", rid),
        ("authorization", "Bearer header.payload.signature"),
    ]
}

fn chat_body(text: &str, model: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"model": model, "messages": [{"role": "user", "content": text}]}))
        .unwrap()
}

fn messages_body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"model": "claude-sonnet-5-5", "max_tokens": 64,
        "messages": [{"role": "user", "content": text}]}))
    .unwrap()
}

fn chat(
    loaded: &Loaded,
    host: &mut FakeHost,
    ex: &mut Exchange,
    rid: &str,
    text: &str,
) -> fake::Outcome {
    let h = headers("/v1/chat/completions", rid);
    send_request(loaded, host, ex, &h, &chat_body(text, "gpt-4o"))
}

const OPENAI_ANSWER: &str = r#"{"id":"x","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the stand-in."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}"#;

fn openai_answer(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": "x", "object": "chat.completion", "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18}}))
    .unwrap()
}

fn one_audit(host: &FakeHost) -> Value {
    let mut a = host.audits();
    assert_eq!(a.len(), 1, "one audit record per request");
    a.remove(0)
}

/// Foundation: a benign prompt goes to the commercial destination byte for byte; the caller's
/// credential is removed, the routing header set and the route cache cleared; the answer passes;
/// the response carries the decision headers; one allow record.
#[test]
fn allowed_request_forwarded_unchanged() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let body = chat_body("Write a haiku about the sea.", "gpt-4o");
    let h = headers("/v1/chat/completions", "rid-allow");
    let out = send_request(&loaded, &mut host, &mut ex, &h, &body);
    assert!(out.reply.is_none(), "{:?}", out.reply);
    let (up_headers, up_body) = out.upstream.expect("forwarded");
    assert_eq!(up_body, body, "the body goes upstream unchanged");
    let up = |n: &str| {
        up_headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(up("x-itar-destination"), Some("commercial"));
    assert_eq!(
        up("authorization"),
        None,
        "the caller's token never goes upstream"
    );
    assert_eq!(up("accept-encoding"), Some("identity"));
    assert_eq!(host.route_cache_cleared, 1);

    let answer = OPENAI_ANSWER.as_bytes();
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[("content-type", "application/json")],
        &[&answer[..40], &answer[40..]],
    );
    assert_eq!(got.status, "200");
    assert_eq!(got.body(), answer);
    assert_eq!(got.header("x-itar-decision"), Some("allow"));
    assert_eq!(got.header("x-itar-destination"), Some("commercial"));
    assert!(got.header("x-itar-policy").is_some());
    finish(&loaded, &mut host, &mut ex, 200, answer.len() as u64);

    let a = one_audit(&host);
    assert_eq!(a["decision"], "allow");
    assert_eq!(a["destination"], "commercial");
    assert_eq!(a["response_status"], 200);
    assert_eq!(a["response_decision"], "pass");
    assert_eq!(a["policy"]["id"], "itar-default");
    assert_eq!(a["identity"]["subject"], "alice");
    assert_eq!(a["request_id"], "rid-allow");
    assert_eq!(a["request_text_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(a["usage"]["input_tokens"], 12);
    assert_eq!(a["chain"]["id"], "test-chain");
    assert_eq!(a["chain"]["seq"], 1);
}

/// Foundation: a marked prompt is refused with a 403 in OpenAI's error shape naming the request;
/// nothing is routed; the record says block with the label.
#[test]
fn marked_prompt_blocked_in_openai_format() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let out = chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-block",
        "SECRET//NOFORN\nSummarize the attached sitrep.",
    );
    assert!(out.upstream.is_none());
    let r = out.reply.expect("a local reply");
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-itar-decision"), Some("block"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let err = &r.json()["error"];
    assert_eq!(err["type"], "permission_error");
    assert!(err["message"].as_str().unwrap().contains("rid-block"));
    assert!(!String::from_utf8_lossy(&r.body).contains("NOFORN"));
    assert_eq!(host.route_cache_cleared, 0);
    assert_eq!(host.request_header_value("x-itar-destination"), None);
    // The filter's own reply passes its response callbacks untouched.
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        403,
        &[("content-type", "application/json")],
        &[&r.body],
    );
    assert_eq!(got.body(), r.body);
    finish(&loaded, &mut host, &mut ex, 403, r.body.len() as u64);
    let a = one_audit(&host);
    assert_eq!(a["decision"], "block");
    assert_eq!(a["response_status"], 403);
    assert!(a["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["label"] == "CLASSIFIED"));
}

#[test]
fn marked_prompt_blocked_in_anthropic_format() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let h = headers("/v1/messages", "rid-anthropic");
    let body = messages_body("TOP SECRET//SI//NOFORN\n(TS//SI//NF) Move the batteries.");
    let out = send_request(&loaded, &mut host, &mut ex, &h, &body);
    assert!(out.upstream.is_none());
    let r = out.reply.unwrap();
    assert_eq!(r.status, 403);
    let v = r.json();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "permission_error");
}

/// Foundation: a redacted request goes upstream as valid JSON with the value replaced and a
/// content-length that matches the new body.
#[test]
fn redaction_forwarded_with_right_length() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let out = chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-redact",
        "Fix the grammar: the applicant (SSN 148-36-7725) has completed the drug screen.",
    );
    assert!(out.reply.is_none(), "{:?}", out.reply);
    let (up_headers, up_body) = out.upstream.unwrap();
    let sent: Value = serde_json::from_slice(&up_body).unwrap();
    let content = sent["messages"][0]["content"].as_str().unwrap();
    assert!(
        content.contains("[REDACTED:SSN]") && !content.contains("148-36-7725"),
        "{content}"
    );
    let cl = up_headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .unwrap();
    assert_eq!(cl.1, up_body.len().to_string());
    assert_eq!(host.route_cache_cleared, 1);
    finish(&loaded, &mut host, &mut ex, 200, 0);
    let a = one_audit(&host);
    assert_eq!(a["decision"], "redact");
    assert_eq!(a["forwarded_bytes"], up_body.len());
}

/// Identity: ITAR technical data from a US person is rerouted to the approved destination: the
/// routing header names it, the route cache is cleared, the model is renamed for it.
#[test]
fn itar_from_us_person_rerouted_to_approved_destination() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let out = chat(&loaded, &mut host, &mut ex, "rid-reroute", ITAR);
    assert!(out.reply.is_none(), "{:?}", out.reply);
    let (up_headers, up_body) = out.upstream.unwrap();
    let up = |n: &str| {
        up_headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(up("x-itar-destination"), Some("usgov"));
    assert_eq!(host.route_cache_cleared, 1);
    let sent: Value = serde_json::from_slice(&up_body).unwrap();
    assert_eq!(sent["model"], "gpt-4o-usgov");
    assert!(sent["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("Fin actuator"));
    assert_eq!(
        up("content-length"),
        Some(up_body.len().to_string().as_str())
    );
    let answer = openai_answer("Noted.");
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[("content-type", "application/json")],
        &[&answer],
    );
    assert_eq!(got.header("x-itar-destination"), Some("usgov"));
    assert_eq!(got.header("x-itar-decision"), Some("reroute"));
    finish(&loaded, &mut host, &mut ex, 200, answer.len() as u64);
    let a = one_audit(&host);
    assert_eq!(a["decision"], "reroute");
    assert_eq!(a["destination"], "usgov");
    assert_eq!(a["identity"]["us_person"], true);
    assert_eq!(a["identity"]["state"], "verified");
}

/// Identity: without verified claims the request is refused 401 in both formats, with
/// www-authenticate, before anything is routed.
#[test]
fn no_identity_gets_401_in_both_formats() {
    let loaded = default_policy();
    for (path, body, openai) in [
        ("/v1/chat/completions", chat_body("hello", "gpt-4o"), true),
        ("/v1/messages", messages_body("hello"), false),
    ] {
        let mut host = FakeHost::new();
        let mut ex = Exchange::new();
        let mut h = headers(path, "rid-401");
        h.retain(|(k, _)| *k != "authorization");
        let out = send_request(&loaded, &mut host, &mut ex, &h, &body);
        assert!(out.upstream.is_none());
        let r = out.reply.unwrap();
        assert_eq!(r.status, 401);
        assert!(r.header("www-authenticate").is_some());
        let v = r.json();
        if openai {
            assert_eq!(v["error"]["type"], "authentication_error");
            assert_eq!(v["error"]["code"], "unauthenticated");
        } else {
            assert_eq!(v["type"], "error");
        }
        assert_eq!(host.route_cache_cleared, 0);
        finish(&loaded, &mut host, &mut ex, 401, r.body.len() as u64);
        let a = one_audit(&host);
        assert_eq!(a["reason"], "unauthenticated");
        assert_eq!(a["response_status"], 401);
    }
}

/// Identity: a foreign national's ITAR technical data is refused 403 identity_ineligible naming
/// the attribute; benign text from the same person is allowed.
#[test]
fn foreign_national_ineligible_gets_403() {
    let loaded = default_policy();
    let fnat = Claims {
        sub: "fn",
        person: "foreign_national",
        clearance: None,
        team: None,
    };
    let mut host = FakeHost::new();
    verified(&mut host, &fnat);
    let mut ex = Exchange::new();
    let out = chat(&loaded, &mut host, &mut ex, "rid-fn", ITAR);
    assert!(out.upstream.is_none());
    let r = out.reply.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "identity_ineligible");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("US-person status"));
    finish(&loaded, &mut host, &mut ex, 403, 0);
    let a = one_audit(&host);
    assert_eq!(a["identity"]["us_person"], false);
    assert_eq!(a["labels"][0]["label"], "ITAR");

    let mut host = FakeHost::new();
    verified(&mut host, &fnat);
    let mut ex = Exchange::new();
    let out = chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-fn2",
        "What is the boiling point of water?",
    );
    assert!(out.reply.is_none() && out.upstream.is_some());
}

/// Response: a buffered answer with a marking is replaced by a 403 in the request's format;
/// none of the answer reaches the client; the record keeps the request's allow.
#[test]
fn buffered_response_with_marking_blocked() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("resp-user"));
    let mut ex = Exchange::new();
    let out = chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-resp",
        "Summarize the memo.",
    );
    assert!(out.upstream.is_some());
    let answer = openai_answer("SECRET//NOFORN\nThe battery moves at dawn.");
    let (a1, a2) = answer.split_at(30);
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[
            ("content-type", "application/json"),
            ("content-length", &answer.len().to_string()),
        ],
        &[a1, a2],
    );
    assert_eq!(got.status, "403");
    let body = got.body();
    assert!(
        !String::from_utf8_lossy(&body).contains("NOFORN")
            && !String::from_utf8_lossy(&body).contains("dawn")
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "controlled_content_in_response");
    assert_eq!(
        got.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    finish(&loaded, &mut host, &mut ex, 403, body.len() as u64);
    let a = one_audit(&host);
    assert_eq!(a["decision"], "allow");
    assert_eq!(a["response_decision"], "block");
    assert!(a["response_labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["label"] == "CLASSIFIED"));
}

/// Response: a buffered answer with an SSN is rewritten, content-length corrected.
#[test]
fn buffered_response_redacted() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("resp-user"));
    let mut ex = Exchange::new();
    chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-resp-redact",
        "Who is on file?",
    );
    let answer = openai_answer("The applicant's SSN is 148-36-7725; all set.");
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[("content-type", "application/json")],
        &[&answer],
    );
    assert_eq!(got.status, "200");
    let v: Value = serde_json::from_slice(&got.body()).unwrap();
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "The applicant's SSN is [REDACTED:SSN]; all set."
    );
    assert_eq!(
        got.header("content-length"),
        Some(got.body().len().to_string().as_str())
    );
    finish(&loaded, &mut host, &mut ex, 200, 0);
    assert_eq!(one_audit(&host)["response_decision"], "redact");
}

fn sse_chunks(pieces: &[&str]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = pieces
        .iter()
        .map(|p| {
            let ev = json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o",
                "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}]});
            format!("data: {ev}\n\n").into_bytes()
        })
        .collect();
    out.push(b"data: [DONE]\n\n".to_vec());
    out
}

/// Response: a stream whose marking is split across events is cut off: no write the client
/// receives holds the marking or what follows it; the stream ends with the refusal, not [DONE].
#[test]
fn stream_split_marking_cut_off() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("resp-user"));
    let mut ex = Exchange::new();
    let h = headers("/v1/chat/completions", "rid-stream");
    let body = serde_json::to_vec(&json!({"model": "gpt-4o", "stream": true,
        "messages": [{"role": "user", "content": "go"}]}))
    .unwrap();
    assert!(send_request(&loaded, &mut host, &mut ex, &h, &body)
        .upstream
        .is_some());
    let chunks = sse_chunks(&[
        "Here is the summary.\n",
        "SEC",
        "RET//NO",
        "FORN\n",
        "Troop movements at dawn.",
    ]);
    let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[
            ("content-type", "text/event-stream"),
            ("content-length", "999"),
        ],
        &refs,
    );
    assert_eq!(got.status, "200");
    assert_eq!(
        got.header("content-length"),
        None,
        "a spliced stream has no length"
    );
    assert_eq!(got.writes.len(), chunks.len(), "a stream is never paused");
    for w in &got.writes {
        let s = String::from_utf8_lossy(w);
        assert!(!s.contains("NOFORN") && !s.contains("Troop"), "{s}");
    }
    let all = String::from_utf8_lossy(&got.body()).to_string();
    assert!(all.contains("controlled_content_in_response"));
    assert!(!all.contains("[DONE]"));
    assert!(all.contains("Here is the summary."));
    finish(&loaded, &mut host, &mut ex, 200, all.len() as u64);
    let a = one_audit(&host);
    assert_eq!(a["response_decision"], "block");
    assert_eq!(a["response_reason"], "controlled_content_in_response");
}

/// Response: an encoded answer cannot be inspected and is refused (fail closed).
#[test]
fn encoded_response_fails_closed() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("resp-user"));
    let mut ex = Exchange::new();
    chat(&loaded, &mut host, &mut ex, "rid-gzip", "hello");
    let got = upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        &[b"\x1f\x8b\x08\x00binary"],
    );
    assert_eq!(got.status, "502");
    assert_eq!(got.header("content-encoding"), None);
    assert!(!got.body().starts_with(b"\x1f\x8b"));
}

/// Quota: a user's requests over the window's limit get 429 quota_exceeded in the provider's
/// format with Retry-After; the counts live in the proxy's shared data; throttled in the record.
#[test]
fn quota_exceeded_gets_429() {
    let mut p = policy_json();
    p["quotas"] = json!([{"id": "per-user-requests", "scope": "user", "window_seconds": 3600, "requests": 2}]);
    let loaded = load(&p);
    let mut host = FakeHost::new();
    let mut statuses = Vec::new();
    for i in 0..3 {
        host.next_request();
        verified(&mut host, &us("quota-user"));
        let mut ex = Exchange::new();
        let out = chat(&loaded, &mut host, &mut ex, &format!("rid-q{i}"), "hello");
        match &out.reply {
            Some(r) => {
                statuses.push(r.status);
                assert_eq!(r.json()["error"]["code"], "quota_exceeded");
                assert!(r.json()["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("per-user-requests"));
                assert!(r.header("retry-after").is_some());
                assert_eq!(
                    host.route_cache_cleared, 0,
                    "a throttled request is not routed"
                );
            }
            None => {
                statuses.push(200);
                let answer = openai_answer("ok");
                upstream_answers(
                    &loaded,
                    &mut host,
                    &mut ex,
                    200,
                    &[("content-type", "application/json")],
                    &[&answer],
                );
            }
        }
        finish(&loaded, &mut host, &mut ex, *statuses.last().unwrap(), 0);
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert!(
        !host.shared.is_empty(),
        "quota counts are kept in the proxy's shared data"
    );
    let a = host.audits();
    assert_eq!(a.len(), 3);
    assert_eq!(a[2]["decision"], "throttle");
    assert_eq!(a[2]["quota"], "per-user-requests");
    assert_eq!(a[2]["response_status"], 429);
}

/// Foundation: one record per request whatever happens to it, each with its own id, sealed in
/// order into the VM's chain; a request that ends before the decision is recorded incomplete.
#[test]
fn one_audit_record_per_request() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    let n = 7;
    for i in 0..n {
        host.next_request();
        verified(&mut host, &us("alice"));
        let mut ex = Exchange::new();
        let rid = format!("rid-{i}");
        match i % 4 {
            0 => {
                chat(
                    &loaded,
                    &mut host,
                    &mut ex,
                    &rid,
                    &format!("SECRET//NOFORN item {i}"),
                );
            }
            1 => {
                chat(
                    &loaded,
                    &mut host,
                    &mut ex,
                    &rid,
                    &format!("benign item {i}"),
                );
            }
            2 => {
                let h = headers("/v1/chat/completions", &rid);
                send_request(&loaded, &mut host, &mut ex, &h, b"{bad");
            }
            _ => {
                // Headers only: the client goes away before the body.
                host.request_headers = headers("/v1/chat/completions", &rid)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                assert_eq!(
                    ex.on_request_headers(Some(&loaded), &mut host, false),
                    Step::Pause
                );
            }
        }
        let status = host.reply.as_ref().map_or(0, |r| r.status);
        finish(&loaded, &mut host, &mut ex, status, 0);
        // A second access-log callback adds nothing.
        ex.on_log(Some(&loaded), &mut host);
    }
    let a = host.audits();
    assert_eq!(a.len(), n);
    let ids: std::collections::HashSet<_> = a
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), n);
    assert_eq!(a[0]["decision"], "block");
    assert_eq!(a[1]["decision"], "allow");
    assert_eq!(a[2]["response_status"], 400);
    assert_eq!(a[3]["decision"], "incomplete");
    assert_eq!(a[3]["reason"], "request_ended_before_decision");
    let seqs: Vec<u64> = a
        .iter()
        .map(|r| r["chain"]["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
}

/// Foundation: an over-limit body is refused 413 on its size alone, before it is read.
#[test]
fn oversize_body_refused_before_buffering() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    host.request_headers = headers("/v1/chat/completions", "rid-413")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        ex.on_request_headers(Some(&loaded), &mut host, false),
        Step::Pause
    );
    let big = loaded.engine.limits.max_body_bytes + 1;
    assert_eq!(
        ex.on_request_body(Some(&loaded), &mut host, big, false),
        Step::Pause
    );
    let r = host.reply.clone().unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "body_too_large");
    assert!(
        !host.calls.contains(&"get_request_body"),
        "the body was never read"
    );
    finish(&loaded, &mut host, &mut ex, 413, 0);
    assert_eq!(one_audit(&host)["decision"], "reject");
}

/// A body that ends with trailers is decided there, and the trailers are removed.
#[test]
fn trailers_end_the_request() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    host.request_headers = headers("/v1/chat/completions", "rid-trailers")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = chat_body("SECRET//NOFORN trailer", "gpt-4o");
    host.request_body = body.clone();
    assert_eq!(
        ex.on_request_headers(Some(&loaded), &mut host, false),
        Step::Pause
    );
    assert_eq!(
        ex.on_request_body(Some(&loaded), &mut host, body.len(), false),
        Step::Pause
    );
    assert!(host.reply.is_none());
    ex.on_request_trailers(Some(&loaded), &mut host);
    assert!(host.calls.contains(&"remove_request_trailers"));
    assert_eq!(host.reply.as_ref().unwrap().status, 403);
}

/// Without a compiled policy every request is refused (503) in the format its path speaks.
#[test]
fn no_policy_refuses() {
    let mut host = FakeHost::new();
    let mut ex = Exchange::new();
    host.request_headers = headers("/v1/messages", "rid-nopolicy")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(ex.on_request_headers(None, &mut host, true), Step::Pause);
    let r = host.reply.clone().unwrap();
    assert_eq!(r.status, 503);
    let v = r.json();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["code"], "policy_unavailable");
}

/// The host calls an allowed request costs, in order (the adapter maps each to one proxy-wasm
/// call): more here is more proxy CPU per request (docs/performance.md).
#[test]
fn host_calls_of_an_allowed_request() {
    let loaded = default_policy();
    let mut host = FakeHost::new();
    verified(&mut host, &us("alice"));
    let mut ex = Exchange::new();
    let out = chat(
        &loaded,
        &mut host,
        &mut ex,
        "rid-calls",
        "Write a haiku about the sea.",
    );
    assert!(out.upstream.is_some());
    let request_calls = std::mem::take(&mut host.calls);
    let answer = openai_answer("A haiku.");
    upstream_answers(
        &loaded,
        &mut host,
        &mut ex,
        200,
        &[("content-type", "application/json")],
        &[&answer],
    );
    let response_calls = std::mem::take(&mut host.calls);
    finish(&loaded, &mut host, &mut ex, 200, 0);
    let log_calls = std::mem::take(&mut host.calls);
    println!("{request_calls:?}\n{response_calls:?}\n{log_calls:?}");
    let removed = request_calls
        .iter()
        .filter(|c| **c == "set_request_header")
        .count();
    assert!(removed >= 3, "{request_calls:?}");
    let others: Vec<_> = request_calls
        .iter()
        .filter(|c| **c != "set_request_header")
        .collect();
    assert_eq!(
        others,
        [
            &"get_request_headers",
            &"get_property", // source address
            &"get_current_time",
            &"get_property", // jwt_authn claims
            &"get_request_body",
            &"get_current_time",
            &"get_current_time",
            &"clear_route_cache",
        ]
    );
    assert_eq!(
        response_calls
            .iter()
            .filter(|c| **c != "set_response_header")
            .collect::<Vec<_>>(),
        [
            &"get_response_header",
            &"get_response_header",
            &"get_response_body"
        ]
    );
    assert_eq!(log_calls, ["get_property", "get_property", "set_property"]);
}
