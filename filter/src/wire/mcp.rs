//! MCP over streamable HTTP (Model Context Protocol, revisions 2025-06-18 and 2025-11-25): the
//! client POSTs one JSON-RPC 2.0 message to the endpoint (`initialize`, `tools/list`,
//! `tools/call`, `resources/read`, `prompts/get`, notifications, and its answers to the server's
//! own requests such as `sampling/createMessage`); the server answers with one JSON-RPC message
//! (`application/json`), with events whose data are JSON-RPC messages (`text/event-stream`), or
//! with 202 and no body (a notification or an answer). GET opens the server's own event stream,
//! DELETE ends a session; both carry no body.
//!
//! There is no model: the policy endpoint names the MCP server (a destination) the path goes to.
//! Every key and string of a message is scanned like a prompt, whatever the method (tool
//! arguments, resource contents, prompt messages, sampling messages, `_meta`). Every message the
//! server sends is inspected whole before the client receives it, whether it is the buffered
//! answer or an event of a stream (each event is one complete message: nothing of it is released
//! before the whole of it is scanned). Media (image and audio content, resource blobs) is counted
//! as media: refused unless the policy lets uninspectable media through, and even then scanned
//! (the scan decodes base64 that decodes to text).
//!
//! Errors are JSON-RPC error responses that echo the request's id (`null` when the body gave none
//! or could not be read), with the gateway's reason and request id in `error.data`. Batches
//! (a JSON array of messages; the 2025-06-18 revision removed them) are refused.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    Conversation, ConversationKind, Deltas, ErrorReply, Shape, Spec, StreamKey, StreamSpec,
    UsageNames, UserId,
};
use crate::sse;

pub static SPEC: Spec = Spec {
    name: "mcp",
    shape: Shape {
        // No model: the walker's model slot reads the JSON-RPC method (refused when duplicated or
        // not a string); the engine routes by the endpoint, not by it.
        model: "method",
        stream: "stream",
        conversation: Conversation {
            member: "params",
            kind: ConversationKind::Object,
            required: false,
        },
        typed: &[],
        user_ids: &[UserId::In("_meta", "user_id")],
        // No place is skipped by the scan; media is counted by [`media_count`].
        media: &[],
        media_types: &[],
        media_keys: &[],
    },
    path_prefixes: &["/mcp"],
    stream_path: None,
    stream_query: None,
    headers: HEADERS,
    error_type,
    error_body,
    usage: UsageNames {
        input: "input_tokens",
        output: "output_tokens",
    },
    stream: StreamSpec {
        done: None,
        event: stream_event,
        texts: stream_texts,
        delta_event,
        error_event,
    },
};

/// Headers of the streamable HTTP transport (session, protocol revision, resumption, and the
/// per-message headers of the stateless revision). Scanned like every header that goes.
pub const HEADERS: &[&str] = &[
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
    "mcp-method",
    "mcp-name",
    "mcp-param-*",
];

/// JSON-RPC 2.0 error codes: -32600 invalid request, -32601 method not found, -32603 internal
/// error; the gateway's own refusals use the implementation-defined range.
pub fn rpc_code(status: u16) -> i64 {
    match status {
        401 => -32001,
        403 => -32003,
        429 => -32029,
        404 => -32601,
        400..=499 => -32600,
        _ => -32603,
    }
}

fn error_type(status: u16) -> &'static str {
    match status {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        429 => "rate_limited",
        400..=499 => "invalid_request",
        _ => "internal_error",
    }
}

/// `{"jsonrpc":"2.0","id":null,"error":{"code","message","data":{"reason","type","request_id"}}}`.
/// The id is filled in by [`with_id`] where the request's id is known.
fn error_body(e: &ErrorReply<'_>) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {
            "code": rpc_code(e.status),
            "message": e.message,
            "data": {"reason": e.code, "type": error_type(e.status), "request_id": e.request_id},
        }
    })
}

/// An error body with the request's JSON-RPC id put in (a body that is not a JSON-RPC error is
/// returned as it was).
pub fn with_id(body: Vec<u8>, id: &Value) -> Vec<u8> {
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut m)) if m.contains_key("jsonrpc") => {
            m.insert("id".into(), id.clone());
            serde_json::to_vec(&Value::Object(m)).unwrap_or(body)
        }
        _ => body,
    }
}

/// What the gateway reads of a JSON-RPC message besides its scan: the id to echo, the method and
/// the tool, prompt or resource it names (for the audit record).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Message {
    /// The id as sent (`None`: a notification, or not a request).
    pub id: Option<Value>,
    pub method: Option<String>,
    /// `params.name` (tools/call, prompts/get) or `params.uri` (resources/read, subscriptions).
    pub target: Option<String>,
}

/// The members read, with serde's duplicate-field refusal (a gateway and a server that picked
/// different copies of `id`, `method` or `params.name` would see different messages).
#[derive(Deserialize)]
struct Rpc {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<Value>,
    #[serde(default)]
    params: Option<Params>,
}

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    uri: Option<Value>,
}

/// The message's id, method and target; why it is refused (a batch, a duplicate member, a
/// non-object body). `body` has already passed the walker (valid JSON).
pub fn message(body: &[u8]) -> Result<Message, String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(
            "JSON-RPC batches are not accepted by this gateway: send one message per request"
                .into(),
        );
    }
    let rpc: Rpc =
        serde_json::from_slice(body).map_err(|e| format!("not a JSON-RPC message: {e}"))?;
    let target = rpc.params.and_then(|p| {
        p.name
            .or(p.uri)
            .and_then(|v| v.as_str().map(|s| truncate(s, 256)))
    });
    Ok(Message {
        id: rpc.id,
        method: rpc
            .method
            .and_then(|m| m.as_str().map(|s| truncate(s, 128))),
        target,
    })
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Media in a message: image and audio content (`{"type":"image","data":...}`) and resource
/// blobs (`{"blob":...}`), wherever they are.
pub fn media_count(v: &Value) -> usize {
    match v {
        Value::Object(m) => {
            let typed = matches!(
                m.get("type").and_then(Value::as_str),
                Some("image" | "audio")
            ) && m.get("data").is_some_and(Value::is_string);
            let blob = m.get("blob").is_some_and(Value::is_string);
            usize::from(typed || blob) + m.values().map(media_count).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(media_count).sum(),
        _ => 0,
    }
}

/// Streams are whole messages: the stream scan inspects each event whole (`response.rs`), no
/// text is handed over as deltas.
fn stream_event(_: &mut Value, _: &mut dyn Deltas) -> Result<bool, String> {
    Ok(true)
}

fn stream_texts(_: &mut Value, _: &mut dyn FnMut(&mut String)) {}

fn delta_event(_: StreamKey, _: &str, _: &Value, _: &mut Vec<u8>) {}

/// A JSON-RPC error event (id null; [`error_event_for`] echoes the request's).
fn error_event(code: &str, message: &str, out: &mut Vec<u8>) {
    error_event_for(code, message, &Value::Null, out);
}

/// The event that ends a cut stream: a JSON-RPC error answering the request `id`, so the client's
/// pending call fails with the gateway's message instead of waiting.
pub fn error_event_for(code: &str, message: &str, id: &Value, out: &mut Vec<u8>) {
    let status = if code == "controlled_content_in_response" {
        403
    } else {
        502
    };
    let v = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": rpc_code(status), "message": message,
                  "data": {"reason": code, "type": error_type(status)}},
    });
    sse::encode(Some("message"), &v.to_string(), out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::error::InspectError;
    use crate::extract::extract;
    use crate::reply::error_reply;
    use crate::wire::Format;

    #[test]
    fn every_key_and_string_is_scanned() {
        let body = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"lookup","arguments":{"part number":"seeker gimbal"},"_meta":{"progressToken":"p1"}}}"#;
        let e = extract(Format::Mcp, body).unwrap();
        for s in [
            "tools/call",
            "lookup",
            "part number",
            "seeker gimbal",
            "progressToken",
            "p1",
        ] {
            assert!(e.doc.contains(s), "{s}");
        }
        assert_eq!(e.model.as_deref(), Some("tools/call"));
        let m = message(body).unwrap();
        assert_eq!(
            m,
            Message {
                id: Some(json!(7)),
                method: Some("tools/call".into()),
                target: Some("lookup".into())
            }
        );
        // notifications carry no params; answers carry no method
        extract(
            Format::Mcp,
            br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        )
        .unwrap();
        let e = extract(
            Format::Mcp,
            br#"{"jsonrpc":"2.0","id":"s1","result":{"role":"assistant","content":{"type":"text","text":"sampled"}}}"#,
        )
        .unwrap();
        assert!(e.doc.contains("sampled"));
        let m = message(br#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///a.txt"}}"#).unwrap();
        assert_eq!(m.target.as_deref(), Some("file:///a.txt"));
    }

    #[test]
    fn batches_duplicates_and_bad_shapes_are_refused() {
        assert!(message(br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)
            .unwrap_err()
            .contains("batches"));
        assert!(message(br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#).is_err());
        assert!(message(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}}"#
        )
        .is_err());
        for body in [
            &br#"{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}"#[..],
            br#"{"jsonrpc":"2.0","id":1,"method":3}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"x","params":"text"}"#,
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        ] {
            assert!(
                matches!(extract(Format::Mcp, body), Err(InspectError::Shape(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn errors_are_json_rpc_and_echo_the_id() {
        let r = error_reply(Format::Mcp, 403, "controlled_content", "no", "abc");
        let v: Value = serde_json::from_slice(&with_id(r.body, &json!("req-1"))).unwrap();
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["id"], "req-1");
        assert_eq!(v["error"]["code"], -32003);
        assert_eq!(v["error"]["message"], "no (request id abc)");
        assert_eq!(v["error"]["data"]["reason"], "controlled_content");
        let mut out = Vec::new();
        error_event_for("controlled_content_in_response", "cut", &json!(4), &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with("event: message\ndata: {") && s.contains(r#""id":4"#),
            "{s}"
        );
        assert_eq!(Format::for_unknown_path("/mcp/x"), Format::Mcp);
    }

    #[test]
    fn media_is_counted_wherever_it_is() {
        let v = json!({"result":{"content":[{"type":"text","text":"t"},{"type":"image","data":"QUJD","mimeType":"image/png"},
            {"type":"resource","resource":{"uri":"file:///b","blob":"QUJD"}}]}});
        assert_eq!(media_count(&v), 2);
        assert_eq!(
            media_count(&json!({"contents":[{"uri":"u","text":"x"}]})),
            0
        );
    }
}
