//! OpenAI Responses (`POST /v1/responses`, `POST /v1/responses/input_tokens`), what current
//! OpenAI SDKs, the Agents SDK and coding agents use by default.
//!
//! Request: `input` is a string or an array of items; `instructions`, `tools` (their JSON
//! schemas), `text.format`, `metadata`, every key and string is scanned like any request. The
//! item and tool types are checked against the lists below: a type the gateway does not know,
//! or one whose content it cannot read (`computer_call_output` screenshots, image generation),
//! or a hosted tool that sends the conversation on to a third party (`web_search`, `mcp`,
//! `computer_use_preview`) is refused with an OpenAI error naming it. Content parts of a message
//! (and of reasoning items and tool outputs) are checked the same way; image, file and audio
//! parts are media (refused unless the policy lets uninspectable media through).
//!
//! Stored content (`previous_response_id`, `conversation`, `item_reference` items, `prompt`
//! templates) never crosses the gateway on the way in: it was inspected when it was sent, and
//! whatever the model makes of it comes back through the response scan, decided against this
//! caller and this destination like any answer (docs/destinations.md, "Stored responses").
//! Retrieving a stored response (`GET /v1/responses/{id}`) is not a path the gateway serves.
//!
//! Streams are named events with a `type`: text in the `delta` of `response.output_text.delta`,
//! `response.refusal.delta`, `response.reasoning_summary_text.delta`,
//! `response.reasoning_text.delta` (text) and `response.function_call_arguments.delta`,
//! `response.custom_tool_call_input.delta`, `response.code_interpreter_call_code.delta`,
//! `response.mcp_call_arguments.delta` (arguments); a `*.done` event of an output item releases
//! that item's held text before it goes on, `response.completed` / `failed` / `incomplete`
//! every stream, and carries the usage. Every other member of an event (the `.done` events'
//! whole texts, the final response object) is scanned as the event's skeleton: it cannot be
//! redacted, so a finding there that may not reach the caller cuts the stream. A cut stream ends
//! with an `error` event.

use serde_json::{json, Value};

use crate::sse;

use super::{
    openai_chat, Conversation, ConversationKind, Deltas, Flush, Kinds, Shape, Spec, StreamKey,
    StreamSpec, TypedList, UsageNames, UserId, ARGS, MEDIA_PLACES, MEDIA_TYPES as ALL_MEDIA_TYPES,
    TEXT,
};

/// Input items the gateway inspects whole (every string and key of them is scanned).
const INPUT_ITEMS: TypedList = TypedList {
    member: "input",
    kinds: Kinds::Typed,
    one: false,
    what: "input item",
    types: &[
        "message",
        "function_call",
        "function_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
        "reasoning",
        "item_reference",
        "file_search_call",
        "code_interpreter_call",
        "local_shell_call",
        "local_shell_call_output",
        "shell_call",
        "shell_call_output",
        "apply_patch_call",
        "apply_patch_call_output",
    ],
    untyped: Some("message"),
    parts: &[
        ("message", "content"),
        ("reasoning", "summary"),
        ("reasoning", "content"),
        ("function_call_output", "output"),
        ("custom_tool_call_output", "output"),
    ],
    part_types: &[
        "input_text",
        "output_text",
        "refusal",
        "summary_text",
        "reasoning_text",
        // media: counted, refused unless the policy allows uninspectable media
        "input_image",
        "input_file",
        "input_audio",
    ],
};

/// Tools the model may be given: the client's own (function, custom, local shell, patch) and
/// hosted tools that stay with the provider. Tools that send what the model writes on to a third
/// party (`web_search*`, `mcp`, `computer_use*`) or make images (`image_generation`) are refused.
const TOOLS: TypedList = TypedList {
    member: "tools",
    kinds: Kinds::Typed,
    one: false,
    what: "tool",
    types: &[
        "function",
        "custom",
        "file_search",
        "code_interpreter",
        "local_shell",
        "shell",
        "apply_patch",
    ],
    untyped: None,
    parts: &[],
    part_types: &[],
};

pub static SPEC: Spec = Spec {
    name: "openai-responses",
    shape: Shape {
        model: "model",
        stream: "stream",
        conversation: Conversation {
            member: "input",
            kind: ConversationKind::StringOrArray,
            required: false,
        },
        typed: &[INPUT_ITEMS, TOOLS],
        user_ids: &[
            UserId::Top("user"),
            UserId::Top("safety_identifier"),
            UserId::In("metadata", "user_id"),
        ],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
        media_keys: &[],
    },
    path_prefixes: &["/v1/responses"],
    stream_path: None,
    stream_query: None,
    headers: openai_chat::HEADERS,
    error_type: openai_chat::error_type,
    error_body: openai_chat::error_body,
    stream: StreamSpec {
        done: None,
        event: stream_event,
        texts: stream_texts,
        delta_event,
        error_event,
    },
    usage: UsageNames {
        input: "input_tokens",
        output: "output_tokens",
    },
};

/// Reasoning summary parts share an output item with its reasoning text parts: their sub-index
/// is apart.
const SUMMARY: u64 = 1 << 32;

/// The stream a delta event's `delta` belongs to, by event type.
fn delta_key(kind: &str, v: &Value) -> Option<StreamKey> {
    let n = |name: &str| v.get(name).and_then(Value::as_u64).unwrap_or(0);
    let oi = n("output_index");
    Some(match kind {
        "response.output_text.delta"
        | "response.refusal.delta"
        | "response.reasoning_text.delta" => (TEXT, oi, n("content_index")),
        "response.reasoning_summary_text.delta" => (TEXT, oi, SUMMARY | n("summary_index")),
        "response.function_call_arguments.delta"
        | "response.custom_tool_call_input.delta"
        | "response.code_interpreter_call_code.delta"
        | "response.mcp_call_arguments.delta" => (ARGS, oi, 0),
        _ => return None,
    })
}

fn kind_of(v: &Value) -> String {
    v.get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// See the module documentation.
fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    let kind = kind_of(v);
    if let Some(key) = delta_key(&kind, v) {
        let template = v.clone();
        return match v.get_mut("delta") {
            Some(Value::String(t)) => d.delta(key, t, false, &template),
            _ => Ok(true),
        };
    }
    match kind.as_str() {
        "response.completed" | "response.failed" | "response.incomplete" => {
            let usage = v.pointer("/response/usage");
            let tokens = |name: &str| usage.and_then(|u| u.get(name)).and_then(Value::as_u64);
            d.usage(tokens(SPEC.usage.input), tokens(SPEC.usage.output));
            d.flush(Flush::All)
        }
        k if k.ends_with(".done") => match v.get("output_index").and_then(Value::as_u64) {
            Some(oi) => d.flush(Flush::Index(oi)),
            None => Ok(true),
        },
        _ => Ok(true),
    }
}

/// The fields [`stream_event`] hands over.
fn stream_texts(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    let kind = kind_of(v);
    if delta_key(&kind, v).is_some() {
        if let Some(Value::String(t)) = v.get_mut("delta") {
            f(t);
        }
    }
}

/// The delta event that last carried this stream's text, with the held text as its `delta`
/// (same type, item id and indexes); an `output_text` delta when there was none.
fn delta_event(key: StreamKey, text: &str, template: &Value, out: &mut Vec<u8>) {
    let mut v = match template {
        Value::Object(_) => template.clone(),
        _ => json!({
            "type": if key.0 == TEXT { "response.output_text.delta" } else { "response.function_call_arguments.delta" },
            "output_index": key.1,
            "content_index": key.2 & !SUMMARY,
            "item_id": "",
            "sequence_number": 0,
        }),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("delta".into(), Value::String(text.to_string()));
        o.remove("logprobs");
    }
    let name = kind_of(&v);
    sse::encode(Some(&name), &v.to_string(), out);
}

/// An `error` event, as the API sends when a response fails mid-stream.
fn error_event(code: &str, message: &str, out: &mut Vec<u8>) {
    let v = json!({"type": "error", "code": code, "message": message, "param": null, "sequence_number": 0});
    sse::encode(Some("error"), &v.to_string(), out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::error::InspectError;
    use crate::extract::extract;
    use crate::wire::testing::Seen;
    use crate::wire::Format;

    fn ex(body: Value) -> Result<crate::extract::Extracted, InspectError> {
        extract(Format::OpenaiResponses, body.to_string().as_bytes())
    }

    #[test]
    fn every_string_of_items_tools_and_instructions_is_read() {
        let e = ex(json!({
            "model": "gpt-4o",
            "instructions": "INSTR-TEXT",
            "input": [
                {"role": "user", "content": "EASY-MSG"},
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "PART-TEXT"}]},
                {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": "{\"q\":\"ARGS-TEXT\"}"},
                {"type": "function_call_output", "call_id": "c1", "output": "OUT-TEXT"},
                {"type": "function_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "OUT-PART"}]},
                {"type": "reasoning", "id": "r1", "summary": [{"type": "summary_text", "text": "SUMMARY-TEXT"}]},
                {"type": "item_reference", "id": "msg_1"}
            ],
            "tools": [{"type": "function", "name": "lookup", "description": "DESC-TEXT",
                       "parameters": {"type": "object", "properties": {"SCHEMA-KEY": {"type": "string", "description": "PROP-DESC"}}}}],
            "text": {"format": {"type": "json_schema", "name": "out", "schema": {"description": "FORMAT-DESC"}}},
            "metadata": {"user_id": "u-7", "note": "META-TEXT"},
            "previous_response_id": "resp_1",
            "stream": true
        }))
        .unwrap();
        for w in [
            "INSTR-TEXT",
            "EASY-MSG",
            "PART-TEXT",
            "ARGS-TEXT",
            "OUT-TEXT",
            "OUT-PART",
            "SUMMARY-TEXT",
            "DESC-TEXT",
            "SCHEMA-KEY",
            "PROP-DESC",
            "FORMAT-DESC",
            "META-TEXT",
            "resp_1",
        ] {
            assert!(e.doc.contains(w), "{w} not in {}", e.doc);
        }
        assert!(e.stream);
        assert_eq!(e.client_user.as_deref(), Some("u-7"));
        assert_eq!(e.media_parts, 0);
        let e = ex(json!({"model": "m", "input": "STRING-INPUT"})).unwrap();
        assert!(e.doc.contains("STRING-INPUT"));
        // input is optional (previous_response_id, prompt templates)
        ex(json!({"model": "m", "previous_response_id": "resp_1"})).unwrap();
    }

    #[test]
    fn unknown_items_parts_and_tools_are_refused() {
        for (body, what) in [
            (
                json!({"model":"m","input":[{"type":"computer_call_output","call_id":"c","output":{"type":"computer_screenshot","image_url":"data:image/png;base64,QUJD"}}]}),
                "computer_call_output",
            ),
            (
                json!({"model":"m","input":[{"type":"teleport","text":"x"}]}),
                "teleport",
            ),
            (
                json!({"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_hologram","data":"x"}]}]}),
                "input_hologram",
            ),
            (
                json!({"model":"m","input":[{"role":"user","content":[{"text":"no type"}]}]}),
                "content part",
            ),
            (
                json!({"model":"m","input":"hi","tools":[{"type":"web_search"}]}),
                "web_search",
            ),
            (
                json!({"model":"m","input":"hi","tools":[{"type":"mcp","server_label":"x","server_url":"https://x.example"}]}),
                "mcp",
            ),
            (
                json!({"model":"m","input":"hi","tools":[{"type":"image_generation"}]}),
                "image_generation",
            ),
            (
                json!({"model":"m","input":"hi","tools":[{"name":"f"}]}),
                "tool",
            ),
            (
                json!({"model":"m","input":[{"type":7,"role":"user","content":"x"}]}),
                "type",
            ),
        ] {
            match ex(body.clone()) {
                Err(InspectError::Uninspectable(m)) => assert!(m.contains(what), "{m} / {body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        // media parts are media (refused by the engine unless allowed), not unknown
        let e = ex(json!({"model":"m","input":[{"role":"user","content":[
            {"type":"input_image","image_url":"data:image/png;base64,QUJD"},
            {"type":"input_text","text":"what is this"}]}]}))
        .unwrap();
        assert_eq!(e.media_parts, 1);
        assert!(!e.doc.contains("QUJD"));
        // the same type names deeper down are plain JSON (a tool schema's "type": "object")
        ex(json!({"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{"a":{"type":"teleport"}}}}]})).unwrap();
        // wrong shapes
        for body in [
            json!({"model":"m","input":3}),
            json!({"model":"m","input":{"role":"user"}}),
        ] {
            assert!(matches!(ex(body), Err(InspectError::Shape(_))));
        }
    }

    #[test]
    fn stream_events() {
        let mut seen = Seen::default();
        for mut v in [
            json!({"type":"response.created","response":{"id":"r","output":[]},"sequence_number":0}),
            json!({"type":"response.reasoning_summary_text.delta","item_id":"rs","output_index":0,"summary_index":1,"delta":"think","sequence_number":1}),
            json!({"type":"response.output_text.delta","item_id":"m","output_index":1,"content_index":0,"delta":"Hel","sequence_number":2}),
            json!({"type":"response.refusal.delta","item_id":"m","output_index":1,"content_index":1,"delta":"no","sequence_number":3}),
            json!({"type":"response.output_text.done","item_id":"m","output_index":1,"content_index":0,"text":"Hello","sequence_number":4}),
            json!({"type":"response.function_call_arguments.delta","item_id":"f","output_index":2,"delta":"{\"a\"","sequence_number":5}),
            json!({"type":"response.completed","response":{"usage":{"input_tokens":7,"output_tokens":3}},"sequence_number":6}),
        ] {
            assert!((SPEC.stream.event)(&mut v, &mut seen).unwrap());
        }
        assert_eq!(
            seen.deltas,
            [
                ((TEXT, 0, SUMMARY | 1), "think".to_string(), false),
                ((TEXT, 1, 0), "Hel".to_string(), false),
                ((TEXT, 1, 1), "no".to_string(), false),
                ((ARGS, 2, 0), "{\"a\"".to_string(), false),
            ]
        );
        assert_eq!(seen.flushes, ["index 1", "all"]);
        assert_eq!(seen.usage, (Some(7), Some(3)));
    }

    #[test]
    fn released_and_error_events() {
        let template = json!({"type":"response.refusal.delta","item_id":"m","output_index":1,"content_index":1,"delta":"x","sequence_number":3});
        let mut out = Vec::new();
        delta_event((TEXT, 1, 1), "held", &template, &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with("event: response.refusal.delta\ndata: "),
            "{s}"
        );
        assert!(
            s.contains(r#""delta":"held""#) && s.contains(r#""item_id":"m""#),
            "{s}"
        );
        let mut out = Vec::new();
        error_event("controlled_content_in_response", "cut", &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("event: error\ndata: "), "{s}");
        let data: Value =
            serde_json::from_str(s.lines().nth(1).unwrap().trim_start_matches("data: ")).unwrap();
        assert_eq!(data["type"], "error");
        assert_eq!(data["code"], "controlled_content_in_response");
    }
}
