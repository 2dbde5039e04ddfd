#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! MCP over streamable HTTP, natively with the default policy: requests (every method, routed by
//! the endpoint to its MCP server), JSON-RPC refusals that echo the id, buffered answers and
//! event streams inspected whole (tool results, sampling requests, media).

use itar_filter::audit::AuditRecord;
use itar_filter::engine::response::{ResponseCtx, ResponseVerdict};
use itar_filter::engine::{Engine, RequestHead, Route, Verdict};
use itar_filter::identity::Identity;
use itar_filter::wire::Format;
use serde_json::{json, Value};

const ITAR: &str = "ITAR CONTROLLED: seeker gimbal +/-18 deg, DWG 77-310-4";

fn engine() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        Engine::from_policy_json(include_bytes!("../../policies/default.json"))
            .expect("default policy compiles")
    })
}

fn us_person() -> Identity {
    let claims = json!({"sub": "t", "iss": "https://idp.demo.itar-gateway.invalid", "aud": "itar-gateway",
                        "person_category": "us_citizen", "groups": ["itar-gateway-users"],
                        "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    Identity::from_claims(engine().identity.as_ref().unwrap(), &claims)
}

fn call(path: &str, msg: &Value, id: &Identity) -> (Verdict, AuditRecord) {
    let e = engine();
    let mut audit = AuditRecord {
        path: path.into(),
        request_id: "req-1".into(),
        ..AuditRecord::default()
    };
    let body = serde_json::to_vec(msg).unwrap();
    let v = e.inspect_request(&mut e.new_scratch(), Format::Mcp, &body, id, &mut audit);
    (v, audit)
}

fn tool_call(id: Value, args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "lookup_part", "arguments": args}})
}

fn refusal(v: &Verdict) -> (u16, Value) {
    match v {
        Verdict::Refuse(r) => (r.status, serde_json::from_slice(&r.body).unwrap()),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn benign_tool_call_goes_to_the_endpoints_server_and_the_audit_names_the_tool() {
    let (v, a) = call(
        "/mcp/commercial",
        &tool_call(json!(3), json!({"q": "capital of France"})),
        &us_person(),
    );
    match v {
        Verdict::Forward {
            destination,
            cluster,
            body,
            path,
            ..
        } => {
            assert_eq!(
                (destination.as_str(), cluster.as_str()),
                ("tools-commercial", "commercial")
            );
            assert!(body.is_none() && path.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(a.decision, "allow");
    assert_eq!(a.mcp_method.as_deref(), Some("tools/call"));
    assert_eq!(a.mcp_name.as_deref(), Some("lookup_part"));
    assert_eq!((a.model.as_deref(), a.stream), (None, None));
    let line = serde_json::to_value(&a).unwrap();
    assert_eq!(line["mcp_method"], "tools/call");
    assert_eq!(line["mcp_name"], "lookup_part");
}

#[test]
fn controlled_arguments_to_a_commercial_server_are_refused_with_the_id_echoed() {
    for (id, where_) in [
        (json!(11), tool_call(json!(11), json!({"q": ITAR}))),
        (json!("r-2"), tool_call(json!("r-2"), json!({ITAR: "key"}))),
        (
            json!(5),
            json!({"jsonrpc": "2.0", "id": 5, "method": "prompts/get",
                   "params": {"name": "summarize", "arguments": {"text": ITAR}}}),
        ),
        (
            json!(6),
            json!({"jsonrpc": "2.0", "id": 6, "method": "resources/read",
                   "params": {"uri": format!("file:///{}", ITAR.replace(' ', "_")), "_meta": {"note": ITAR}}}),
        ),
    ] {
        let (v, a) = call("/mcp/commercial", &where_, &us_person());
        let (status, body) = refusal(&v);
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["jsonrpc"], "2.0");
        assert_eq!(body["id"], id);
        assert_eq!(body["error"]["code"], -32003);
        assert_eq!(body["error"]["data"]["reason"], a.reason);
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.contains("ITAR") && msg.contains("req-1"), "{msg}");
        assert!(msg.contains("MCP server \"tools-commercial\""), "{msg}");
        assert_eq!(a.decision, "block");
        assert!(a.labels.iter().any(|l| l.label == "ITAR"));
    }
    // The same call to the approved on-premises server goes.
    let (v, a) = call(
        "/mcp/onprem",
        &tool_call(json!(12), json!({"q": ITAR})),
        &us_person(),
    );
    assert!(
        matches!(v, Verdict::Forward { ref destination, .. } if destination == "tools-onprem"),
        "{v:?}"
    );
    assert_eq!(a.destination.as_deref(), Some("tools-onprem"));
}

#[test]
fn sampling_answers_and_notifications_are_inspected_too() {
    let answer = json!({"jsonrpc": "2.0", "id": "srv-1", "result": {"role": "assistant",
        "model": "m", "content": {"type": "text", "text": ITAR}}});
    let (v, _) = call("/mcp/commercial", &answer, &us_person());
    assert_eq!(refusal(&v).1["id"], "srv-1");
    let note = json!({"jsonrpc": "2.0", "method": "notifications/message",
                      "params": {"level": "info", "data": ITAR}});
    let (v, a) = call("/mcp/commercial", &note, &us_person());
    let (status, body) = refusal(&v);
    assert_eq!((status, &body["id"]), (403, &Value::Null));
    assert_eq!(a.mcp_method.as_deref(), Some("notifications/message"));
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"sampling": {}},
        "clientInfo": {"name": "c", "version": "1"}}});
    assert!(matches!(
        call("/mcp/commercial", &init, &us_person()).0,
        Verdict::Forward { .. }
    ));
}

#[test]
fn a_path_that_names_no_server_is_refused() {
    // A method named like a model routes nowhere: only the endpoint names the server.
    let (v, a) = call(
        "/v1/chat/completions",
        &tool_call(json!(1), json!({})),
        &us_person(),
    );
    let (status, body) = refusal(&v);
    assert_eq!((status, &body["id"]), (403, &json!(1)));
    assert!(a.message.contains("no MCP server"), "{}", a.message);
}

#[test]
fn identity_batches_and_media_are_refused_in_json_rpc() {
    let (v, a) = call(
        "/mcp/commercial",
        &tool_call(json!(9), json!({"q": "hi"})),
        &Identity::missing(),
    );
    let (status, body) = refusal(&v);
    assert_eq!(
        (status, &body["id"], &body["error"]["code"]),
        (401, &json!(9), &json!(-32001))
    );
    assert_eq!(a.reason, "unauthenticated");
    let batch = json!([
        tool_call(json!(1), json!({})),
        tool_call(json!(2), json!({}))
    ]);
    let (v, _) = call("/mcp/commercial", &batch, &us_person());
    let (status, body) = refusal(&v);
    assert_eq!((status, &body["id"]), (400, &Value::Null));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("batches"));
    let image = json!({"jsonrpc": "2.0", "id": "s", "result": {"role": "user",
        "content": {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}}});
    let (v, a) = call("/mcp/commercial", &image, &us_person());
    assert_eq!(refusal(&v).0, 415);
    assert_eq!(a.reason, "uninspectable_media");
}

fn ctx(dest: &str) -> ResponseCtx {
    ResponseCtx {
        provider: Format::Mcp,
        destination: dest.into(),
        identity: us_person(),
        request_id: "req-1".into(),
        masks: Default::default(),
    }
}

#[test]
fn buffered_answers_are_inspected_whole() {
    let e = engine();
    let ok = json!({"jsonrpc": "2.0", "id": 4, "result": {"content": [{"type": "text", "text": "Paris"}],
                    "structuredContent": {"city": "Paris"}, "isError": false}});
    let mut a = AuditRecord::default();
    let v = e.inspect_response(
        &mut e.new_scratch(),
        &ctx("tools-commercial"),
        ok.to_string().as_bytes(),
        &mut a,
    );
    assert_eq!(v, ResponseVerdict::Pass);
    for bad in [
        json!({"jsonrpc": "2.0", "id": 4, "result": {"content": [{"type": "text", "text": ITAR}]}}),
        json!({"jsonrpc": "2.0", "id": 4, "result": {"content": [], "structuredContent": {"spec": ITAR}}}),
        json!({"jsonrpc": "2.0", "id": 4, "result": {"contents": [{"uri": "file:///a", "text": ITAR}]}}),
        json!({"jsonrpc": "2.0", "id": 4, "result": {"tools": [{"name": "t", "description": ITAR,
               "inputSchema": {"type": "object"}}]}}),
    ] {
        let mut a = AuditRecord {
            rpc_id: Some(json!(4)),
            ..AuditRecord::default()
        };
        let v = e.inspect_response(
            &mut e.new_scratch(),
            &ctx("tools-commercial"),
            bad.to_string().as_bytes(),
            &mut a,
        );
        let ResponseVerdict::Block(r) = v else {
            panic!("{bad}: {v:?}")
        };
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!((r.status, &body["id"]), (403, &json!(4)), "{body}");
        assert_eq!(
            a.response_reason.as_deref(),
            Some("controlled_content_in_response")
        );
        // From the approved server, to a US person, the same answer passes.
        let mut a = AuditRecord::default();
        let v = e.inspect_response(
            &mut e.new_scratch(),
            &ctx("tools-onprem"),
            bad.to_string().as_bytes(),
            &mut a,
        );
        assert_eq!(v, ResponseVerdict::Pass, "{bad}");
    }
    let blob = json!({"jsonrpc": "2.0", "id": 4, "result": {"contents": [{"uri": "file:///a.bin", "blob": "AAECAw=="}]}});
    let mut a = AuditRecord::default();
    let v = e.inspect_response(
        &mut e.new_scratch(),
        &ctx("tools-onprem"),
        blob.to_string().as_bytes(),
        &mut a,
    );
    assert!(
        matches!(v, ResponseVerdict::Block(ref r) if r.status == 502),
        "{v:?}"
    );
    assert_eq!(a.response_reason.as_deref(), Some("uninspectable_media"));
}

fn sse(msgs: &[Value]) -> Vec<u8> {
    let mut out = b"id: prime\ndata: \n\n".to_vec();
    for (i, m) in msgs.iter().enumerate() {
        out.extend_from_slice(format!("event: message\nid: {i}\ndata: {m}\n\n").as_bytes());
    }
    out
}

/// The stream fed in reads of `n` bytes; what the client receives.
fn stream(dest: &str, raw: &[u8], n: usize) -> (String, AuditRecord) {
    let e = engine();
    let mut st = e.new_stream(ctx(dest)).answering(Some(json!(8)));
    let mut scratch = e.new_scratch();
    let mut out = Vec::new();
    let chunks: Vec<&[u8]> = raw.chunks(n).collect();
    for (i, c) in chunks.iter().enumerate() {
        out.extend(e.stream_chunk(&mut scratch, &mut st, c, i + 1 == chunks.len()));
    }
    let mut a = AuditRecord::default();
    e.finish_stream(&mut st, &mut a);
    (String::from_utf8(out).unwrap(), a)
}

fn received(s: &str) -> Vec<Value> {
    s.split("\n\n")
        .filter_map(|b| b.lines().find_map(|l| l.strip_prefix("data: ")))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

#[test]
fn streams_are_inspected_event_by_event_and_cut_with_a_json_rpc_error() {
    let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                          "params": {"progressToken": "p", "progress": 1}});
    let ok = json!({"jsonrpc": "2.0", "id": 8, "result": {"content": [{"type": "text", "text": "fine"}]}});
    let bad =
        json!({"jsonrpc": "2.0", "id": 8, "result": {"content": [{"type": "text", "text": ITAR}]}});
    let sampling = json!({"jsonrpc": "2.0", "id": 0, "method": "sampling/createMessage", "params": {
        "messages": [{"role": "user", "content": {"type": "text", "text": ITAR}}], "maxTokens": 50}});
    for n in [1, 7, 64, 4096] {
        let (out, a) = stream("tools-commercial", &sse(&[progress.clone(), ok.clone()]), n);
        assert_eq!(received(&out), vec![progress.clone(), ok.clone()], "{n}");
        assert_eq!(a.response_decision.as_deref(), Some("pass"));
        for cut in [&bad, &sampling] {
            let (out, a) = stream(
                "tools-commercial",
                &sse(&[progress.clone(), cut.clone()]),
                n,
            );
            assert!(
                !out.contains("seeker gimbal") && !out.contains("77-310-4"),
                "{n} {out}"
            );
            let got = received(&out);
            assert_eq!(got.len(), 2, "{out}");
            assert_eq!(got[0], progress);
            assert_eq!(got[1]["id"], 8);
            assert_eq!(
                got[1]["error"]["data"]["reason"],
                "controlled_content_in_response"
            );
            assert_eq!(a.response_decision.as_deref(), Some("block"));
            assert!(a.response_labels.iter().any(|l| l.label == "ITAR"));
        }
    }
    // The approved server's answer passes to a US person.
    let (out, _) = stream("tools-onprem", &sse(std::slice::from_ref(&bad)), 5);
    assert_eq!(received(&out), vec![bad]);
}

#[test]
fn get_and_delete_pass_to_the_server_with_their_head_scanned() {
    let e = engine();
    for method in ["GET", "DELETE"] {
        let head = RequestHead {
            method: method.into(),
            path: "/mcp/commercial".into(),
            request_id: "req-1".into(),
            headers: vec![
                (":method".into(), method.into()),
                (":path".into(), "/mcp/commercial".into()),
                ("mcp-session-id".into(), "abc".into()),
                ("mcp-protocol-version".into(), "2025-11-25".into()),
            ],
            ..RequestHead::default()
        };
        let mut a = AuditRecord {
            identity: Some(us_person()),
            ..AuditRecord::default()
        };
        match e.route(&mut e.new_scratch(), &head, &mut a) {
            Route::Passthrough {
                destination,
                format,
                ..
            } => assert_eq!(
                (destination.as_str(), format),
                ("tools-commercial", Format::Mcp)
            ),
            other => panic!("{other:?}"),
        }
        // A session id carrying controlled text does not go to the commercial server.
        let mut head = head;
        head.headers[2].1 = ITAR.into();
        let mut a = AuditRecord {
            identity: Some(us_person()),
            ..AuditRecord::default()
        };
        match e.route(&mut e.new_scratch(), &head, &mut a) {
            Route::Refuse(r) => {
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                assert_eq!((r.status, &body["jsonrpc"]), (403, &json!("2.0")));
            }
            other => panic!("{other:?}"),
        }
    }
    // PUT is not served.
    let head = RequestHead {
        method: "PUT".into(),
        path: "/mcp/commercial".into(),
        ..RequestHead::default()
    };
    let mut a = AuditRecord::default();
    assert!(
        matches!(e.route(&mut e.new_scratch(), &head, &mut a), Route::Refuse(ref r) if r.status == 405)
    );
}

#[test]
fn redactable_findings_are_redacted_both_ways() {
    // A social security number is redacted out of a tool call to the commercial server...
    let (v, a) = call(
        "/mcp/commercial",
        &tool_call(json!(21), json!({"text": "Update SSN 410-28-6653 please"})),
        &us_person(),
    );
    let Verdict::Forward {
        body: Some(body), ..
    } = v
    else {
        panic!("{v:?}")
    };
    let sent: Value = serde_json::from_slice(&body).unwrap();
    let text = sent["params"]["arguments"]["text"].as_str().unwrap();
    assert!(
        !text.contains("410-28-6653") && text.contains("[REDACTED:"),
        "{text}"
    );
    assert_eq!(
        (sent["id"].clone(), a.decision.as_str()),
        (json!(21), "redact")
    );
    // ... and out of an event of its answer, the rest of the stream going on.
    let answer = json!({"jsonrpc": "2.0", "id": 8, "result": {"content": [
        {"type": "text", "text": "Found SSN 410-28-6653 on file"}]}});
    let (out, a) = stream("tools-commercial", &sse(&[answer]), 9);
    let got = received(&out);
    let text = got[0]["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        !text.contains("410-28-6653") && text.contains("[REDACTED:"),
        "{text}"
    );
    assert_eq!(a.response_decision.as_deref(), Some("redact"));
}

#[test]
fn the_policy_names_an_mcp_endpoints_server() {
    let base: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut p = base.clone();
        f(&mut p);
        Engine::from_policy_json(&serde_json::to_vec(&p).unwrap())
            .err()
            .map(|e| e.to_string())
    };
    let mcp_endpoint = |p: &mut Value| -> usize {
        p["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .position(|e| e["format"] == "mcp")
            .unwrap()
    };
    let e = with(&|p| {
        let i = mcp_endpoint(p);
        p["endpoints"][i]
            .as_object_mut()
            .unwrap()
            .remove("destination");
    })
    .unwrap();
    assert!(e.contains("destination") && e.contains("MCP server"), "{e}");
    let e = with(&|p| p["endpoints"][0]["destination"] = json!("onprem")).unwrap();
    assert!(e.contains("only \"mcp\" endpoints"), "{e}");
    let e = with(&|p| {
        let i = mcp_endpoint(p);
        p["endpoints"][i]["destination"] = json!("nowhere");
    })
    .unwrap();
    assert!(e.contains("unknown destination"), "{e}");
    let e = with(&|p| {
        let i = mcp_endpoint(p);
        p["endpoints"][i]["destination"] = json!("commercial");
    })
    .unwrap();
    assert!(e.contains("does not list \"mcp\""), "{e}");
    assert_eq!(with(&|_| {}), None);
}
